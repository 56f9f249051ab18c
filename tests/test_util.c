/* The small helpers everything else stands on: errors, bounded buffers, strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fileio.h"
#include "util/jsonfile.h"
#include "util/log.h"
#include "util/str.h"
#include "util/strtab.h"
#include "util/timefmt.h"
#include "util/ytree.h"

static void test_util__err_format_with_context_and_position(void)
{
    ia_err err;
    char line[1024];

    err_clear(&err);
    err_set(&err, IA_ERR_AWS, "Rate exceeded");
    snprintf(err.aws_code, sizeof(err.aws_code), "ThrottlingException");
    err.http_status = 400;
    snprintf(err.request_id, sizeof(err.request_id), "r-1");
    err_prefix(&err, "workspaces DescribeWorkspaceImages (eu-west-1)");
    err_prefix(&err, "account 111122223333");
    err_format(&err, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(
        line, "account 111122223333: workspaces DescribeWorkspaceImages (eu-west-1): Rate exceeded "
              "(ThrottlingException, HTTP 400, request id r-1)");
    CU_ASSERT_STRING_EQUAL(err.msg, "Rate exceeded");
    err_set_at(&err, "rules.yaml", 3, 7, "unknown op 'matches'");
    err_format(&err, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "rules.yaml:3:7: unknown op 'matches'");
    /* A new error forgets the old context. */
    err_set(&err, IA_ERR_IO, "disk full");
    err.aws_code[0] = '\0';
    err.http_status = 0;
    err_format(&err, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "disk full");
}

static void test_util__buf_is_bounded(void)
{
    buf b;
    char *s;

    buf_init(&b, 8);
    CU_ASSERT_EQUAL(buf_puts(&b, "12345678"), 0);
    CU_ASSERT_EQUAL(buf_putc(&b, '9'), -1);
    CU_ASSERT_EQUAL(b.len, 8);
    CU_ASSERT_STRING_EQUAL(buf_str(&b), "12345678");
    buf_reset(&b);
    CU_ASSERT_EQUAL(buf_printf(&b, "%d-%s", 42, "x"), 0);
    CU_ASSERT_STRING_EQUAL(buf_str(&b), "42-x");
    CU_ASSERT_EQUAL(buf_printf(&b, "%s", "far too long"), -1);
    s = buf_detach(&b);
    CU_ASSERT_STRING_EQUAL(s, "42-x");
    CU_ASSERT_PTR_NULL(b.data);
    free(s);
    buf_free_secret(&b);
    buf_free_secret(NULL);
}

static void test_util__utf8_scrub(void)
{
    char ok[] = "plain \xc3\xa9 \xe4\xbd\xa0 \xf0\x9f\x98\x80";
    char bad[] = "a\xff"
                 "b\xc0\xaf"
                 "c\xed\xa0\x80"
                 "d\xf4\x90\x80\x80"
                 "e\xe4\xbd";

    CU_ASSERT_EQUAL(str_utf8_scrub(ok), 0);
    CU_ASSERT_STRING_EQUAL(ok, "plain \xc3\xa9 \xe4\xbd\xa0 \xf0\x9f\x98\x80");
    /* Invalid byte, overlong, surrogate, past U+10FFFF, cut short: every bad byte becomes '?'. */
    CU_ASSERT_EQUAL(str_utf8_scrub(bad), 1 + 2 + 3 + 4 + 2);
    CU_ASSERT_STRING_EQUAL(bad, "a?b??c???d????e??");
}

/* Any byte above 0x7F, in the eight-byte words or the tail, is not ASCII. */
static void test_util__is_ascii(void)
{
    char text[40];

    memset(text, 'a', sizeof(text));
    CU_ASSERT_TRUE(str_is_ascii(text, sizeof(text)));
    CU_ASSERT_TRUE(str_is_ascii(text, 0));
    for (size_t i = 0; i < sizeof(text); i++) {
        text[i] = '\x80';
        CU_ASSERT_FALSE(str_is_ascii(text, sizeof(text)));
        CU_ASSERT_TRUE(str_is_ascii(text, i));
        CU_ASSERT_TRUE(str_is_ascii(text + i + 1, sizeof(text) - i - 1));
        text[i] = '\x7f';
    }
}

static void test_util__str_to_long_refuses_junk(void)
{
    long v = 0;

    CU_ASSERT_TRUE(str_to_long("42", 1, 100, &v));
    CU_ASSERT_EQUAL(v, 42);
    CU_ASSERT_FALSE(str_to_long("", 1, 100, &v));
    CU_ASSERT_FALSE(str_to_long(" 4", 1, 100, &v));
    CU_ASSERT_FALSE(str_to_long("4x", 1, 100, &v));
    CU_ASSERT_FALSE(str_to_long("101", 1, 100, &v));
    CU_ASSERT_FALSE(str_to_long("99999999999999999999999", 1, 100, &v));
}

static void test_util__yaml_tree_is_bounded(void)
{
    /* A small file can hold a huge tree (a flow list of one-digit numbers): the node count is capped. */
    size_t n = (size_t)YTREE_MAX_NODES + 10, len = 0;
    char *text = malloc(n * 2 + 16);
    ytree_doc *doc = NULL;
    ia_err err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    len += (size_t)snprintf(text, 16, "x: [");
    for (size_t i = 0; i < n; i++) {
        text[len++] = '1';
        text[len++] = ',';
    }
    text[len - 1] = ']';
    err_clear(&err);
    CU_ASSERT_EQUAL(ytree_parse("big.yaml", text, len, &doc, &err), -1);
    CU_ASSERT_PTR_NULL(doc);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_EQUAL(err.line, 1);
    CU_ASSERT_TRUE(err.column > 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "values in one file"));
    free(text);
}

static void test_util__timestamps_one_grammar(void)
{
    time_t t;

    CU_ASSERT_TRUE(timefmt_parse("1970-01-01T00:00:00Z", &t));
    CU_ASSERT_EQUAL(t, 0);
    CU_ASSERT_TRUE(timefmt_parse("2026-11-25T02:03:12Z", &t));
    CU_ASSERT_EQUAL(t, 1795572192);
    CU_ASSERT_TRUE(timefmt_parse("2026-11-25T02:03:12.5+01:00", &t));
    CU_ASSERT_EQUAL(t, 1795572192 - 3600);
    CU_ASSERT_TRUE(timefmt_parse("2026-11-25", &t));
    CU_ASSERT_EQUAL(t, 1795564800);
    CU_ASSERT_TRUE(timefmt_parse("2026-11-25T02:03:12", &t));
    CU_ASSERT_FALSE(timefmt_parse("2026-11-25T25:00:00Z", &t));
    CU_ASSERT_FALSE(timefmt_parse("2026-11-25T02:03Z", &t));
    CU_ASSERT_FALSE(timefmt_parse("2026-11-25T02:03:12.Z", &t));
    CU_ASSERT_FALSE(timefmt_parse("2026-11-25T02:03:12+0100", &t));
    CU_ASSERT_FALSE(timefmt_parse("Nov 25 2026", &t));
    /* Real calendar dates and zones only. */
    CU_ASSERT_FALSE(timefmt_parse("2026-02-30T00:00:00Z", &t));
    CU_ASSERT_FALSE(timefmt_parse("2026-11-25T02:03:12+24:00", &t));
    /* A time of day, or a date alone. */
    CU_ASSERT_TRUE(timefmt_is_datetime("2026-11-25T02:03:12.250Z"));
    CU_ASSERT_TRUE(timefmt_is_datetime("2026-11-25 02:03:12"));
    CU_ASSERT_FALSE(timefmt_is_datetime("2026-11-25"));
    CU_ASSERT_FALSE(timefmt_is_datetime("2026-11-25T02:03:12Zjunk"));
    CU_ASSERT_FALSE(timefmt_is_datetime(NULL));
}

static void test_util__json_file_errors_name_the_place(void)
{
    /* "\xc3\xa9" is two bytes and one character: columns count characters, as the YAML reader's do. */
    char *bad = testutil_write_temp("{\n  \"\xc3\xa9\": x}\n");
    char *empty = testutil_write_temp("");
    char *good = testutil_write_temp("{\"a\": [1, 2]}");
    cJSON *root = NULL;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL(json_read_file(bad, 1024, "a snapshot", &root, &err), -1);
    CU_ASSERT_PTR_NULL(root);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_EQUAL(err.column, 8);
    CU_ASSERT_STRING_EQUAL(err.msg, "invalid JSON: not a snapshot");
    err_clear(&err);
    CU_ASSERT_EQUAL(json_read_file(empty, 1024, "a snapshot", &root, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_STRING_EQUAL(err.msg, "empty file, not a snapshot");
    /* Over the limit, or missing: bad input naming the file once. */
    err_clear(&err);
    CU_ASSERT_EQUAL(json_read_file(good, 4, "a snapshot", &root, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_STRING_EQUAL(err.file, good);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "file too large (limit 4 bytes)"));
    err_clear(&err);
    CU_ASSERT_EQUAL(json_read_file("/nonexistent/x.json", 1024, "a snapshot", &root, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_PTR_NULL(strstr(err.msg, "/nonexistent"));
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(json_read_file(good, 1024, "a snapshot", &root, &err), 0);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(root, "a")), 2);
    cJSON_Delete(root);
    unlink(bad);
    unlink(empty);
    unlink(good);
    free(bad);
    free(empty);
    free(good);
}

static void test_util__calendar_dates(void)
{
    int64_t d;
    char out[16];

    CU_ASSERT_TRUE(timefmt_date_parse("1970-01-01", &d));
    CU_ASSERT_EQUAL(d, 0);
    CU_ASSERT_TRUE(timefmt_date_parse("2024-02-29", &d));
    timefmt_date_format(d, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "2024-02-29");
    CU_ASSERT_TRUE(timefmt_date_parse("2000-03-01", &d));
    CU_ASSERT_EQUAL(d, 11017);
    CU_ASSERT_FALSE(timefmt_date_parse("2023-02-29", &d));
    CU_ASSERT_FALSE(timefmt_date_parse("2026-04-31", &d));
    CU_ASSERT_FALSE(timefmt_date_parse("2026-1-01", &d));
    CU_ASSERT_FALSE(timefmt_date_parse("2026-01-01T00:00:00Z", &d));
    CU_ASSERT_FALSE(timefmt_date_parse("", &d));
}

/* Makes dir/name, modified age_s seconds ago. */
static void touch_aged(const char *dir, const char *name, long age_s)
{
    char path[512];
    struct timeval tv[2] = {{time(NULL) - age_s, 0}, {time(NULL) - age_s, 0}};
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fp = fopen(path, "w");
    CU_ASSERT_FATAL(fp != NULL);
    fputs("left by a killed run\n", fp);
    fclose(fp);
    CU_ASSERT_EQUAL(utimes(path, tv), 0);
}

static bool exists_in(const char *dir, const char *name)
{
    char path[512];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return lstat(path, &st) == 0;
}

static void test_util__output_removes_stale_temporaries_of_its_own_name(void)
{
    static const struct {
        const char *name;
        long age_s;
        bool stays;
    } files[] = {
        {".out.json.tmp-Ab12Cd", 2 * 24 * 3600, false},  /* ours, stale */
        {".out.json.tmp-Zz99yy", 2 * 24 * 3600, false},  /* ours, stale */
        {".out.json.tmp-Fresh1", 3600, true},            /* ours, an hour old: may be a live run's */
        {".other.json.tmp-Ab12Cd", 2 * 24 * 3600, true}, /* another output's */
        {".out.json.tmp-Ab12Cd7", 2 * 24 * 3600, true},  /* not mkstemp's six */
        {"out.json", 2 * 24 * 3600, true},               /* the output itself */
    };
    char dir[] = "/tmp/imgaudit-stale-XXXXXX", path[512];
    file_out out;
    ia_err err;

    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        touch_aged(dir, files[i].name, files[i].age_s);
    snprintf(path, sizeof(path), "%s/out.json", dir);
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(file_out_open(&out, path, &err), 0);
    file_out_abort(&out);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        CU_ASSERT_EQUAL(exists_in(dir, files[i].name), files[i].stays);
        snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
        unlink(path);
    }
    CU_ASSERT_EQUAL(rmdir(dir), 0);
}

/* The mode of a file written through file_out_open_mode(mode) under umask mask; -1 when it failed. */
static int mode_written(mode_t mode, mode_t mask)
{
    char dir[] = "/tmp/imgaudit-mode-XXXXXX", path[512];
    mode_t saved = umask(mask);
    struct stat st;
    file_out out;
    ia_err err;
    int got = -1;

    err_clear(&err);
    if (mkdtemp(dir) == NULL)
        goto out;
    snprintf(path, sizeof(path), "%s/report.json", dir);
    if (file_out_open_mode(&out, path, mode, &err) == 0 && fputs("{}\n", out.fp) != EOF &&
        file_out_commit(&out, &err) == 0 && stat(path, &st) == 0)
        got = (int)(st.st_mode & 07777);
    unlink(path);
    rmdir(dir);
out:
    umask(saved);
    return got;
}

static void test_util__outputs_take_the_umask_secrets_stay_private(void)
{
    CU_ASSERT_EQUAL(mode_written(0666, 022), 0644);
    CU_ASSERT_EQUAL(mode_written(0666, 002), 0664);
    CU_ASSERT_EQUAL(mode_written(0666, 077), 0600);
    CU_ASSERT_EQUAL(mode_written(0600, 0), 0600);
    CU_ASSERT_EQUAL(mode_written(0600, 022), 0600);
}

static void test_util__replacing_a_file_does_not_keep_its_mode(void)
{
    char dir[] = "/tmp/imgaudit-mode-XXXXXX", path[512];
    mode_t saved = umask(022);
    struct stat st;
    file_out out;
    ia_err err;
    FILE *fp;

    err_clear(&err);
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/report.html", dir);
    fp = fopen(path, "w");
    CU_ASSERT_FATAL(fp != NULL);
    fclose(fp);
    chmod(path, 0600);
    CU_ASSERT_EQUAL_FATAL(file_out_open(&out, path, &err), 0);
    CU_ASSERT_EQUAL(file_out_commit(&out, &err), 0);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 07777, 0644);
    unlink(path);
    rmdir(dir);
    umask(saved);
}

/* What log_warn(text) writes on stderr when stderr is a file (owned: free()). */
static char *logged_to_file(const char *text)
{
    char path[] = "/tmp/imgaudit-test-log-XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(STDERR_FILENO);
    char *got;

    CU_ASSERT_FATAL(fd >= 0 && saved >= 0);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    log_warn("%s", text);
    log_line("imgaudit: FAILED: %s", text);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    got = testutil_read_file(path, NULL);
    unlink(path);
    return got;
}

static void test_util__log_lines_off_a_terminal_start_with_the_utc_time(void)
{
    time_t before = time(NULL), after;
    char *got = logged_to_file("x\ny");
    char want[2][96], stamp[TIMEFMT_ISO_SIZE];
    bool matched = false;

    after = time(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    /* The clock may tick between the two lines and the reads of it: each second in between is accepted. */
    for (time_t t = before; t <= after && !matched; t++) {
        for (time_t u = t; u <= after && !matched; u++) {
            timefmt_iso(t, stamp);
            snprintf(want[0], sizeof(want[0]), "%s imgaudit: warning: x\\ny\n", stamp);
            timefmt_iso(u, stamp);
            snprintf(want[1], sizeof(want[1]), "%s imgaudit: FAILED: x\\ny\n", stamp);
            matched =
                strncmp(got, want[0], strlen(want[0])) == 0 && strcmp(got + strlen(want[0]), want[1]) == 0;
        }
    }
    if (!matched)
        fprintf(stderr, "\n  logged '%s'\n", got);
    CU_ASSERT(matched);
    free(got);
}

static void test_util__durations(void)
{
    static const struct {
        const char *text;
        long seconds; /* 0: refused */
    } cases[] = {
        {"90s", 90},
        {"30m", 1800},
        {"2h", 7200},
        {"1h30m", 5400},
        {"1h0m5s", 3605},
        {"168h", 604800},
        {"", 0},
        {"90", 0},
        {"s", 0},
        {"0s", 0},
        {"1m1h", 0},
        {"1h1h", 0},
        {"-5s", 0},
        {"1.5h", 0},
        {"5 s", 0},
        {"1d", 0},
        {"169h", 0},
        {"604801s", 0},
        {"99999999999999999999s", 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long got = -1;
        bool ok = timefmt_duration_parse(cases[i].text, 7 * 24 * 3600, &got);

        CU_ASSERT_EQUAL(ok, cases[i].seconds != 0);
        CU_ASSERT_EQUAL(got, cases[i].seconds ? cases[i].seconds : -1);
    }
}

static void test_util__strtab_one_index_per_distinct_string(void)
{
    char names[1000][8];
    strtab t = {0};

    /* Past several growths: every string keeps its first index, found by content, not by address. */
    for (int i = 0; i < 1000; i++) {
        snprintf(names[i], sizeof(names[i]), "s%d", i);
        CU_ASSERT_EQUAL(strtab_index(&t, names[i]), i);
    }
    for (int i = 0; i < 1000; i++) {
        char copy[8];

        snprintf(copy, sizeof(copy), "s%d", i);
        CU_ASSERT_EQUAL(strtab_index(&t, copy), i);
    }
    CU_ASSERT_EQUAL(t.n, 1000);
    CU_ASSERT_STRING_EQUAL(t.strs[999], "s999");
    /* NULL is the empty string. */
    CU_ASSERT_EQUAL(strtab_index(&t, NULL), 1000);
    CU_ASSERT_EQUAL(strtab_index(&t, ""), 1000);
    strtab_free(&t);
    CU_ASSERT_EQUAL(t.n, 0);
    CU_ASSERT_EQUAL(strtab_index(&t, "again"), 0);
    strtab_free(&t);
}

static void test_util__str_hash_is_fnv1a(void)
{
    /* The reference values of FNV-1a 64: the snapshot's shards depend on them. */
    CU_ASSERT_EQUAL(str_hash(""), 0xcbf29ce484222325u);
    CU_ASSERT_EQUAL(str_hash("a"), 0xaf63dc4c8601ec8cu);
    CU_ASSERT_EQUAL(str_hash("foobar"), 0x85944171f73967e8u);
}

static CU_TestInfo tests[] = {
    {"string tables: one index per distinct string, across growths",
     test_util__strtab_one_index_per_distinct_string},
    {"str_hash is FNV-1a, 64 bits", test_util__str_hash_is_fnv1a},
    {"outputs are 0666 less the umask; a private one stays 0600",
     test_util__outputs_take_the_umask_secrets_stay_private},
    {"an output replacing a 0600 file is made anew, 0644 under umask 022",
     test_util__replacing_a_file_does_not_keep_its_mode},
    {"log lines off a terminal start with the UTC time, ISO-8601",
     test_util__log_lines_off_a_terminal_start_with_the_utc_time},
    {"durations: 90s, 30m, 2h, 1h30m; nothing else", test_util__durations},
    {"an output removes day-old temporaries of its own name, nothing else",
     test_util__output_removes_stale_temporaries_of_its_own_name},
    {"YAML trees are bounded in nodes, not just bytes", test_util__yaml_tree_is_bounded},
    {"error line: context, code, status, request id; file:line:column",
     test_util__err_format_with_context_and_position},
    {"buffers stop at their bound", test_util__buf_is_bounded},
    {"bytes that are not UTF-8 are replaced", test_util__utf8_scrub},
    {"ASCII text: no byte above 0x7F", test_util__is_ascii},
    {"numbers: whole string, in range", test_util__str_to_long_refuses_junk},
    {"timestamps: one ISO-8601 grammar", test_util__timestamps_one_grammar},
    {"calendar dates: real ones only, round trip", test_util__calendar_dates},
    {"JSON files: errors name the file and line:column in characters",
     test_util__json_file_errors_name_the_place},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return testutil_run("util", tests);
}
