/*
 * The `evaluate` and `rules lint|list|test` commands, run as a user runs
 * them ($IMGAUDIT_BIN): exit statuses, the one-line errors for bad input,
 * every lint problem at once, the JSON output and the built-in pack found
 * without --rules.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "testutil.h"

#define MAX_ARGS 32

typedef struct cli_run {
    int status;
    char *out; /* owned */
    char *err; /* owned */
} cli_run;

static char g_tmp[] = "/tmp/imgaudit-cli-XXXXXX";

static void cli_run_free(cli_run *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}

/* Runs the program with args (NULL-terminated) and an optional environment override NAME=VALUE. */
static int run(cli_run *r, const char *env, const char *const *args)
{
    const char *bin = getenv("IMGAUDIT_BIN");
    char out_path[256], err_path[256];
    char *argv[MAX_ARGS];
    size_t n = 0;
    pid_t pid;
    int st = 0;

    memset(r, 0, sizeof(*r));
    if (!bin || !*bin)
        return -1;
    snprintf(out_path, sizeof(out_path), "%s/stdout", g_tmp);
    snprintf(err_path, sizeof(err_path), "%s/stderr", g_tmp);
    argv[n++] = (char *)(uintptr_t)bin;
    for (size_t i = 0; args[i] && n + 1 < MAX_ARGS; i++)
        argv[n++] = (char *)(uintptr_t)args[i];
    argv[n] = NULL;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(127);
        if (env) {
            char *copy = strdup(env);
            char *eq = copy ? strchr(copy, '=') : NULL;

            if (!eq)
                _exit(127);
            *eq = '\0';
            setenv(copy, eq + 1, 1);
        }
        execv(bin, argv);
        _exit(127);
    }
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    r->out = testutil_read_file(out_path, NULL);
    r->err = testutil_read_file(err_path, NULL);
    return r->out && r->err ? 0 : -1;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;

    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

/* Paths under tests/data/rules, each in its own buffer. */
static char g_paths[8][4096];

static const char *data(int slot, const char *rel)
{
    snprintf(g_paths[slot], sizeof(g_paths[slot]), "%s", testutil_data_path(rel));
    return g_paths[slot];
}

static const char *pack(void)
{
    const char *src = getenv("IMGAUDIT_SOURCE_DIR");

    snprintf(g_paths[7], sizeof(g_paths[7]), "%s/rules", src && *src ? src : ".");
    return g_paths[7];
}

static void test_rules_cli__evaluate_writes_json(void)
{
    char json_path[256];
    const char *args[] = {"evaluate",        data(0, "rules/snapshots/pack.json"),
                          "--rules",         pack(),
                          "--vars",          data(1, "rules/vars/trusted.yaml"),
                          "--waivers",       data(2, "rules/waivers/pack.yaml"),
                          "--today",         "2026-11-25",
                          "--json",          json_path,
                          "--fail-on",       "none",
                          "--allow-partial", NULL};
    cli_run r;
    char *text;
    cJSON *doc;

    snprintf(json_path, sizeof(json_path), "%s/results.json", g_tmp);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, args), 0);
    /* Not gated, partial allowed: 0 whatever the verdicts. */
    CU_ASSERT_EQUAL(r.status, 0);
    /* The summary goes to stdout; the waiver warnings, one per waiver with its position, to stderr. */
    CU_ASSERT_PTR_NOT_NULL(
        strstr(r.out, "Results: 78 judged: 10 failed, 1 waived, 67 passed (12 rules, 15 resources"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "Collection incomplete: 1 error"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "waiver for 'appstream-builder-*' expired on 2026-01-01"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "waiver for 'workspaces-image-error-state' matched nothing"));
    text = testutil_read_file(json_path, NULL);
    doc = text ? cJSON_Parse(text) : NULL;
    CU_ASSERT_PTR_NOT_NULL(doc);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "results")), 78);
    cJSON_Delete(doc);
    free(text);
    unlink(json_path);
    cli_run_free(&r);
}

static void test_rules_cli__evaluate_json_to_stdout_and_quiet(void)
{
    const char *args[] = {
        "evaluate", data(0, "rules/snapshots/pack.json"), "--rules", pack(), "--json", "-", "--quiet", NULL};
    cli_run r;
    cJSON *doc;

    CU_ASSERT_EQUAL_FATAL(run(&r, "IMGAUDIT_TODAY=2026-11-25", args), 0);
    /* Gated at high by default: the pack's critical and high failures fail it. */
    CU_ASSERT_EQUAL(r.status, 1);
    /* Quiet: no summary, but the failed gate's verdict, one line (cron mails it). */
    CU_ASSERT_EQUAL(count_lines(r.err), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "imgaudit: FAILED: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, " at or above high (gate --fail-on high)\n"));
    doc = cJSON_Parse(r.out);
    CU_ASSERT_PTR_NOT_NULL(doc);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "schema")),
                           "imgaudit.results");
    cJSON_Delete(doc);
    cli_run_free(&r);
}

static void test_rules_cli__built_in_pack_without_rules_option(void)
{
    const char *args[] = {"evaluate", data(0, "rules/snapshots/pack.json"), "--today", "2026-11-25", NULL};
    cli_run r;

    /* Beside the program: <build dir>/../rules. */
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, args), 0);
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "(12 rules, 15 resources"));
    cli_run_free(&r);
    /* IMGAUDIT_RULES_DIR wins. */
    {
        char env[4200];

        snprintf(env, sizeof(env), "IMGAUDIT_RULES_DIR=%s", data(1, "rules/dirs/pack"));
        CU_ASSERT_EQUAL_FATAL(run(&r, env, args), 0);
        CU_ASSERT_TRUE(r.status == 1 || r.status == 3);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "(3 rules, 15 resources"));
        cli_run_free(&r);
    }
}

static void test_rules_cli__bad_snapshot_is_one_line_and_exit_2(void)
{
    const char *args[] = {"evaluate", data(0, "rules/snapshots/bad_json.json"), "--rules", pack(), NULL};
    char expected[4400];
    cli_run r;

    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, args), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    snprintf(expected, sizeof(expected), "imgaudit: error: %s:4:3: invalid JSON: not a snapshot\n",
             g_paths[0]);
    CU_ASSERT_STRING_EQUAL(testutil_untimed(r.err), expected);
    cli_run_free(&r);
    args[1] = data(0, "rules/snapshots/missing-file.json");
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, args), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_EQUAL(count_lines(r.err), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "missing-file.json: No such file or directory"));
    cli_run_free(&r);
}

static void test_rules_cli__bad_rules_and_waivers_exit_2_with_every_problem(void)
{
    const char *args[] = {"evaluate", data(0, "rules/snapshots/pack.json"),   "--no-builtin-rules",
                          "--rules",  data(1, "rules/lint/value_types.yaml"), NULL};
    const char *wargs[] = {"evaluate",  data(0, "rules/snapshots/pack.json"), "--rules", pack(),
                           "--waivers", data(2, "rules/waivers/bad.yaml"),    NULL};
    cli_run r;

    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, args), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    /* value_types.expected lists 21 problems; each is one line naming file:line:column. */
    CU_ASSERT_EQUAL(count_lines(r.err), 21);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "value_types.yaml:5:9: 'id' must be a string, not a number\n"));
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, wargs), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_EQUAL(count_lines(r.err), 11);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "bad.yaml:9:14: 'expires' must be a date as YYYY-MM-DD"));
    cli_run_free(&r);
}

static void test_rules_cli__usage_errors(void)
{
    const char *no_snapshot[] = {"evaluate", "--rules", "x", NULL};
    const char *bad_today[] = {"evaluate", data(0, "rules/snapshots/pack.json"), "--today", "tomorrow", NULL};
    const char *bad_option[] = {"evaluate", data(0, "rules/snapshots/pack.json"), "--colour", NULL};
    const char *bad_verb[] = {"rules", "check", NULL};
    const char *help[] = {"evaluate", "--help", NULL};
    cli_run r;

    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, no_snapshot), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "which snapshot?"));
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, bad_today), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "--today 'tomorrow' is not a date"));
    cli_run_free(&r);
    bad_today[3] = "2026-11-25";
    CU_ASSERT_EQUAL_FATAL(run(&r, "IMGAUDIT_TODAY=soon", bad_today), 0);
    CU_ASSERT_EQUAL(r.status, 1); /* --today wins over the bad variable; the gate fails */
    cli_run_free(&r);
    bad_today[2] = "--quiet";
    bad_today[3] = NULL;
    CU_ASSERT_EQUAL_FATAL(run(&r, "IMGAUDIT_TODAY=soon", bad_today), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "IMGAUDIT_TODAY 'soon' is not a date"));
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, bad_option), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "unknown option '--colour'"));
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, bad_verb), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, help), 0);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "--waivers FILE"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "IMGAUDIT_TODAY"));
    cli_run_free(&r);
}

static void test_rules_cli__lint(void)
{
    const char *ok[] = {"rules", "lint", NULL};
    const char *bad[] = {"rules",
                         "lint",
                         data(0, "rules/lint/keys.yaml"),
                         data(1, "rules/lint/templates.yaml"),
                         "--waivers",
                         data(2, "rules/waivers/bad.yaml"),
                         NULL};
    const char *ok_waivers[] = {"rules", "lint", pack(), "--waivers", data(3, "rules/waivers/pack.yaml"),
                                NULL};
    cli_run r;

    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, ok), 0);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_EQUAL(r.out, "ok: 12 rules in 3 files; 0 errors, 0 warnings\n");
    cli_run_free(&r);
    /* 7 + 3 rule problems and 11 waiver problems, and 3 waivers naming a rule that these files do not have,
     * all in one run, on stdout, then the count. */
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, bad), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_EQUAL(count_lines(r.out), 25);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out,
                                  "bad.yaml:10:11: waiver names rule 'workspaces-image-stale', which is not "
                                  "loaded\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "keys.yaml:8:17: bad key 'A..B'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "templates.yaml:6:14: message:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "bad.yaml:19:1: unknown key 'notes'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\n24 errors, 0 warnings\n"));
    /* In the order the files were given. */
    CU_ASSERT(strstr(r.out, "keys.yaml") < strstr(r.out, "templates.yaml"));
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, ok_waivers), 0);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_EQUAL(r.out, "ok: 12 rules in 3 files, 3 waivers; 0 errors, 0 warnings\n");
    cli_run_free(&r);
}

static void test_rules_cli__list(void)
{
    const char *args[] = {"rules", "list", "--no-builtin-rules", "--rules", data(0, "rules/dirs/pack"), NULL};
    cli_run r;

    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, args), 0);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_EQUAL(r.out,
                           "ID      SEVERITY  RESOURCE                 TITLE\n"
                           "first   low       workspaces_image         Loaded first\n"
                           "second  low       appstream_image          Loaded second (20- sorts after 10-)\n"
                           "third   info      appstream_image_builder  Loaded third\n");
    cli_run_free(&r);
}

static void test_rules_cli__test(void)
{
    const char *ok[] = {"rules", "test", NULL};
    const char *failing[] = {"rules", "test", data(0, "rules/ruletests/failing.yaml"), NULL};
    const char *untested[] = {"rules", "test", data(1, "rules/ruletests/untested.yaml"), NULL};
    const char *allowed[] = {"rules", "test", "--allow-untested", data(1, "rules/ruletests/untested.yaml"),
                             NULL};
    char expected[9000];
    cli_run r;

    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, ok), 0);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "12 rules: 12 tested, 0 untested;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, ", 0 failed\n"));
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, failing), 0);
    CU_ASSERT_EQUAL(r.status, 1);
    snprintf(expected, sizeof(expected),
             "%s:12:11: rule builder-running: example 2: expected fail, got pass: condition 1 (State eq "
             "\"RUNNING\") was false: found \"STOPPED\" (string), wanted equal to \"RUNNING\" (string)\n"
             "%s:15:11: rule builder-running: example 4: expected pass, got fail: condition 1 (State eq "
             "\"RUNNING\") was true: found \"RUNNING\" (string), wanted equal to \"RUNNING\" (string)\n"
             "1 rules: 1 tested, 0 untested; 4 examples, 2 failed\n",
             g_paths[0], g_paths[0]);
    CU_ASSERT_STRING_EQUAL(r.out, expected);
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, untested), 0);
    CU_ASSERT_EQUAL(r.status, 1);
    snprintf(expected, sizeof(expected),
             "%s:2:5: rule no-examples has no example that must fail and none that must pass\n"
             "%s:7:5: rule only-failing-examples has no example that must pass\n"
             "3 rules: 1 tested, 2 untested; 4 examples, 0 failed\n",
             g_paths[1], g_paths[1]);
    CU_ASSERT_STRING_EQUAL(r.out, expected);
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, allowed), 0);
    CU_ASSERT_EQUAL(r.status, 0);
    cli_run_free(&r);
}

static void test_rules_cli__rules_add_to_the_pack(void)
{
    const char *added[] = {"evaluate",        data(0, "rules/snapshots/pack.json"),
                           "--rules",         data(1, "rules/cli/extra.yaml"),
                           "--today",         "2026-11-25",
                           "--fail-on",       "none",
                           "--allow-partial", NULL};
    const char *alone[] = {"evaluate",
                           data(0, "rules/snapshots/pack.json"),
                           "--no-builtin-rules",
                           "--rules",
                           data(1, "rules/cli/extra.yaml"),
                           "--fail-on",
                           "none",
                           "--allow-partial",
                           NULL};
    const char *same_id[] = {"evaluate", data(0, "rules/snapshots/pack.json"), "--rules",
                             data(2, "rules/cli/same_id.yaml"), NULL};
    const char *pack_again[] = {"evaluate",        data(0, "rules/snapshots/pack.json"),
                                "--rules",         pack(),
                                "--fail-on",       "none",
                                "--allow-partial", NULL};
    const char *no_rules[] = {"evaluate", data(0, "rules/snapshots/pack.json"), "--no-builtin-rules", NULL};
    cli_run r;

    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, added), 0);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "(13 rules, 15 resources"));
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, alone), 0);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "(1 rules, 15 resources"));
    cli_run_free(&r);
    /* A user rule with a built-in rule's id: an error naming both files. */
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, same_id), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err,
                                  "same_id.yaml:3:9: duplicate rule id 'workspaces-image-stale' (first "
                                  "defined at "));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "/rules/workspaces.yaml:"));
    cli_run_free(&r);
    /* Naming the pack itself does not load it twice. */
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, pack_again), 0);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "(12 rules, 15 resources"));
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, no_rules), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "--no-builtin-rules needs --rules PATH"));
    cli_run_free(&r);
}

static void test_rules_cli__rule_and_severity_filters(void)
{
    const char *one[] = {"evaluate",        data(0, "rules/snapshots/pack.json"),
                         "--rule",          "workspaces-image-stale",
                         "--today",         "2026-11-25",
                         "--json",          "-",
                         "--fail-on",       "low",
                         "--allow-partial", NULL};
    const char *typo[] = {"evaluate", data(0, "rules/snapshots/pack.json"), "--rule",
                          "workspaces-image-stael", NULL};
    const char *sev[] = {"evaluate",        data(0, "rules/snapshots/pack.json"),
                         "--severity",      "high",
                         "--exclude-rule",  "appstream-*",
                         "--fail-on",       "none",
                         "--allow-partial", NULL};
    const char *bad_sev[] = {"evaluate", data(0, "rules/snapshots/pack.json"), "--severity", "urgent", NULL};
    const char *list[] = {"rules", "list", "--severity", "critical", NULL};
    const char *test[] = {
        "rules", "test", "--rule", "workspaces-image-stale", "--rule", "appstream-builder-*", NULL};
    cJSON *doc, *item;
    cli_run r;

    /* Results, reports and the gate see only the rule chosen. */
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, one), 0);
    doc = cJSON_Parse(r.out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "rules")), 1);
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, "results"))
    {
        CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "rule")),
                               "workspaces-image-stale");
    }
    cJSON_Delete(doc);
    CU_ASSERT_EQUAL(r.status, 1); /* the stale images fail the gate at low */
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, typo), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "--rule 'workspaces-image-stael' matches no rule (did you mean "
                                         "'workspaces-image-stale'?)"));
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, sev), 0);
    CU_ASSERT_EQUAL(r.status, 0);
    /* critical and high, without AppStream's: byol-shared, error-code, shared-untrusted,
     * from-untrusted-owner. */
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "(4 rules, 15 resources"));
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, bad_sev), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "--severity: 'urgent' is not one of"));
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, list), 0);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_EQUAL(count_lines(r.out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "workspaces-image-byol-shared"));
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, test), 0);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "4 rules: 4 tested, 0 untested;"));
    cli_run_free(&r);
}

static void test_rules_cli__list_json(void)
{
    const char *args[] = {"rules", "list", "--json", "--rules", data(0, "rules/cli/extra.yaml"), NULL};
    cJSON *doc, *first, *vars, *last, *fix;
    cli_run r;

    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, args), 0);
    CU_ASSERT_EQUAL(r.status, 0);
    doc = cJSON_Parse(r.out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(doc), 13);
    first = cJSON_GetArrayItem(doc, 0);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(first, "id")),
                           "appstream-builder-internet-access");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(first, "severity")),
                           "medium");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(first, "resource_type")),
                           "appstream_image_builder");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(first, "file")),
                           "appstream.yaml");
    CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(first, "builtin")));
    CU_ASSERT_PTR_NOT_NULL(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(first, "remediation")));
    vars = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(doc, 3), "variables");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(vars), 1);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetArrayItem(vars, 0)), "trusted_sharing_accounts");
    /* The rule's fix as declared; null for a rule without. */
    fix = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(doc, 3), "fix");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fix, "action")),
                           "unshare-appstream-image");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fix, "accounts")),
                           "untrusted");
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(fix, "name_template")));
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(first, "fix")));
    last = cJSON_GetArrayItem(doc, 12);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(last, "file")), g_paths[0]);
    CU_ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(last, "builtin")));
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(last, "description")));
    cJSON_Delete(doc);
    cli_run_free(&r);
}

static void test_rules_cli__lint_warnings_and_account_numbers(void)
{
    const char *lint[] = {"rules", "lint", pack(), "--vars", data(0, "rules/cli/typo_vars.yaml"), NULL};
    const char *evaluate[] = {"evaluate",
                              data(1, "rules/snapshots/pack.json"),
                              "--vars",
                              data(0, "rules/cli/typo_vars.yaml"),
                              "--fail-on",
                              "none",
                              "--allow-partial",
                              "--quiet",
                              NULL};
    const char *waived[] = {"evaluate", data(1, "rules/snapshots/pack.json"), "--waivers",
                            data(2, "rules/cli/unknown_rule_waivers.yaml"), NULL};
    const char *lint_waived[] = {"rules", "lint", "--waivers", data(2, "rules/cli/unknown_rule_waivers.yaml"),
                                 NULL};
    const char *lint_both[] = {"rules",
                               "lint",
                               data(3, "rules/cli/bad_severity.yaml"),
                               "--waivers",
                               data(4, "rules/cli/stael_waivers.yaml"),
                               NULL};
    char want[9000];
    cli_run r;

    /* The account id is an error for lint, the typo a warning: both in one run, counted in the last line. */
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, lint), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    snprintf(want, sizeof(want),
             "%s:4:3: warning: variable 'trusted_acounts' is defined but no rule or variable uses it (did "
             "you mean "
             "'trusted_accounts'?)\n"
             "%s:6:7: variable 'trusted_accounts': account id 444455556666 is a number to YAML and never "
             "equals the "
             "string an account id is; quote it: \"444455556666\"\n"
             "1 error, 1 warning\n",
             g_paths[0], g_paths[0]);
    CU_ASSERT_STRING_EQUAL(r.out, want);
    cli_run_free(&r);
    /* evaluate loads the same vars: both are warnings there. */
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, evaluate), 0);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_EQUAL(count_lines(r.err), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "imgaudit: warning: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "account id 444455556666 is a number to YAML"));
    cli_run_free(&r);
    /* A waiver naming no rule: exit 2 before anything is judged. */
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, waived), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(r.err, "unknown_rule_waivers.yaml:2:11: waiver names rule 'workspaces-image-stael', "
                      "which is not loaded (did you mean 'workspaces-image-stale'?)"));
    CU_ASSERT_STRING_EQUAL(r.out, "");
    cli_run_free(&r);
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, lint_waived), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\n1 error, 0 warnings\n"));
    cli_run_free(&r);
    /* A rule file with an error: its rules still name what the waivers may waive, in the same run. */
    CU_ASSERT_EQUAL_FATAL(run(&r, NULL, lint_both), 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "bad_severity.yaml:5:15: severity 'urgent' is not one of"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out,
                                  "stael_waivers.yaml:2:11: waiver names rule 'image-stael', which is not "
                                  "loaded (did you mean 'image-stale'?)\n2 errors, 0 warnings\n"));
    cli_run_free(&r);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"evaluate_writes_json", test_rules_cli__evaluate_writes_json},
        {"evaluate_json_to_stdout_and_quiet", test_rules_cli__evaluate_json_to_stdout_and_quiet},
        {"built_in_pack_without_rules_option", test_rules_cli__built_in_pack_without_rules_option},
        {"bad_snapshot_is_one_line_and_exit_2", test_rules_cli__bad_snapshot_is_one_line_and_exit_2},
        {"bad_rules_and_waivers_exit_2_with_every_problem",
         test_rules_cli__bad_rules_and_waivers_exit_2_with_every_problem},
        {"usage_errors", test_rules_cli__usage_errors},
        {"lint", test_rules_cli__lint},
        {"list", test_rules_cli__list},
        {"test", test_rules_cli__test},
        {"rules_add_to_the_pack", test_rules_cli__rules_add_to_the_pack},
        {"rule_and_severity_filters", test_rules_cli__rule_and_severity_filters},
        {"list_json", test_rules_cli__list_json},
        {"lint_warnings_and_account_numbers", test_rules_cli__lint_warnings_and_account_numbers},
        CU_TEST_INFO_NULL,
    };
    char path[256];
    int rc;

    if (!mkdtemp(g_tmp))
        return 1;
    rc = testutil_run("rules_cli", tests);
    snprintf(path, sizeof(path), "%s/stdout", g_tmp);
    unlink(path);
    snprintf(path, sizeof(path), "%s/stderr", g_tmp);
    unlink(path);
    rmdir(g_tmp);
    return rc;
}
