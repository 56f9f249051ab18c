/*
 * Malformed YAML must never crash or hang the loaders. Every rule, vars and
 * waiver file in the repository is mutated many times with a fixed-seed
 * PRNG (bytes flipped, YAML punctuation dropped in, truncation, spans
 * deleted or repeated, lines swapped, deep nesting) and fed to the rule,
 * vars and waiver loaders. Each run must end in success with no problems,
 * or failure with at least one problem, every one with a file:line:column.
 * Sets that do load are evaluated and their examples run, so the compiled
 * form is exercised too. The ASan+UBSan build runs the same test.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/evaluate.h"
#include "testutil.h"

#define MAX_SEEDS       128
#define MAX_TEXT        (64 * 1024)
#define ROUNDS_PER_SEED 400
#define MAX_SEED_BYTES  (256 * 1024)

typedef struct seed {
    char *text;
    size_t len;
    char name[256];
} seed;

static seed g_seeds[MAX_SEEDS];
static size_t g_n_seeds;
static uint64_t g_rng = 0x2545F4914F6CDD1DULL;
static size_t g_loaded_ok, g_rejected;

static uint64_t next_rand(void)
{
    /* xorshift64*: deterministic, so a failure can be replayed. */
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 0x2545F4914F6CDD1DULL;
}

static size_t rand_below(size_t n)
{
    return n ? (size_t)(next_rand() % n) : 0;
}

static void add_seeds_from(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d)
        return;
    while ((de = readdir(d)) != NULL && g_n_seeds < MAX_SEEDS) {
        size_t len = strlen(de->d_name);
        char path[4096];
        seed *s = &g_seeds[g_n_seeds];

        if (!(len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0) &&
            !(len > 4 && strcmp(de->d_name + len - 4, ".yml") == 0))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        s->text = testutil_read_file(path, &s->len);
        if (!s->text || s->len > MAX_SEED_BYTES) {
            free(s->text);
            continue;
        }
        snprintf(s->name, sizeof(s->name), "%s", de->d_name);
        g_n_seeds++;
    }
    closedir(d);
}

static int load_seeds(void)
{
    const char *src = getenv("IMGAUDIT_SOURCE_DIR");
    char dir[4096];
    static const char *const data_dirs[] = {"rules/lint", "rules/waivers", "rules/vars", "rules/dirs/pack",
                                            "rules/snapshots"};

    snprintf(dir, sizeof(dir), "%s/rules", src && *src ? src : ".");
    add_seeds_from(dir);
    for (size_t i = 0; i < sizeof(data_dirs) / sizeof(data_dirs[0]); i++) {
        snprintf(dir, sizeof(dir), "%s", testutil_data_path(data_dirs[i]));
        add_seeds_from(dir);
    }
    return 0;
}

static int cleanup_seeds(void)
{
    for (size_t i = 0; i < g_n_seeds; i++)
        free(g_seeds[i].text);
    return 0;
}

/* One mutation of buf[0..*len) in place; buf has room for MAX_TEXT bytes. */
static void mutate(char *buf, size_t *len)
{
    static const char punct[] = ":-[]{},#&*!|>'\"%@`?\n\t \\~";
    size_t n = *len, a, b, k;

    switch (rand_below(9)) {
    case 0: /* flip a byte */
        if (n)
            buf[rand_below(n)] = (char)(next_rand() & 0xFF);
        break;
    case 1: /* YAML punctuation */
        if (n)
            buf[rand_below(n)] = punct[rand_below(sizeof(punct) - 1)];
        break;
    case 2: /* truncate */ *len = rand_below(n + 1); break;
    case 3: /* delete a span */
        if (n) {
            a = rand_below(n);
            b = a + rand_below(n - a + 1);
            memmove(buf + a, buf + b, n - b);
            *len = n - (b - a);
        }
        break;
    case 4: /* repeat a span */
        if (n) {
            a = rand_below(n);
            k = rand_below(n - a < 200 ? n - a + 1 : 200);
            if (n + k <= MAX_TEXT) {
                memmove(buf + a + k, buf + a, n - a);
                *len = n + k;
            }
        }
        break;
    case 5: /* insert punctuation */
        if (n + 1 <= MAX_TEXT) {
            a = rand_below(n + 1);
            memmove(buf + a + 1, buf + a, n - a);
            buf[a] = punct[rand_below(sizeof(punct) - 1)];
            *len = n + 1;
        }
        break;
    case 6: /* swap two lines' first bytes: shifts indentation and structure */
        if (n > 2) {
            char t;

            a = rand_below(n);
            b = rand_below(n);
            while (a > 0 && buf[a - 1] != '\n')
                a--;
            while (b > 0 && buf[b - 1] != '\n')
                b--;
            t = buf[a];
            buf[a] = buf[b];
            buf[b] = t;
        }
        break;
    case 7: /* deep nesting */
        k = 1 + rand_below(200);
        if (n + 2 * k <= MAX_TEXT) {
            a = rand_below(n + 1);
            memmove(buf + a + 2 * k, buf + a, n - a);
            for (size_t i = 0; i < k; i++) {
                buf[a + i] = '[';
                buf[a + k + i] = ']';
            }
            *len = n + 2 * k;
        }
        break;
    default: /* NUL bytes and invalid UTF-8 */
        if (n) {
            buf[rand_below(n)] = rand_below(2) ? '\0' : (char)0xC3;
        }
        break;
    }
}

/* Every problem carries a position in the source it came from. */
static void check_diags(const rules_diags *diags, const char *name, int rc, const ia_err *err)
{
    size_t errors, warnings;

    rules_diags_count(diags, false, &errors, &warnings);
    if (rc == 0) {
        CU_ASSERT_EQUAL(errors, 0);
        return;
    }
    if (err->kind == IA_ERR_NOMEM)
        return;
    CU_ASSERT(diags->n >= 1);
    CU_ASSERT_EQUAL(err->kind, IA_ERR_INPUT);
    CU_ASSERT(err->line >= 1 && err->column >= 1);
    for (size_t i = 0; i < diags->n; i++) {
        CU_ASSERT_STRING_EQUAL(diags->items[i].file, name);
        CU_ASSERT(diags->items[i].line >= 1);
        CU_ASSERT(diags->items[i].column >= 1);
        if (diags->items[i].line == 0 || diags->items[i].column == 0)
            fprintf(stderr, "\n    no position: %s: %s\n", name, diags->items[i].msg);
    }
}

/* Runs a set that loaded over a few resources and its own examples. */
static void exercise(const rules_set *set)
{
    static const char *const datas[] = {
        "{\"ImageId\":\"wsi-1\",\"Name\":\"n\",\"State\":\"ERROR\",\"Permissions\":[{\"SharedAccountId\":"
        "\"1\"}],"
        "\"Created\":\"2020-01-01T00:00:00Z\",\"ErrorDetails\":[{\"ErrorCode\":\"OfficeInstalled\"}]}",
        "{}",
        "{\"Name\":[1,{\"a\":null},\"x\"],\"Updates\":{\"UpdateAvailable\":true},\"AccessEndpoints\":7}",
    };
    static const char *const types[] = {"workspaces_image", "appstream_image_builder", "appstream_image"};
    rules_clock clock;
    rules_test_summary sum;
    ia_err err;

    rules_clock_init(&clock, "2026-11-25", &err);
    for (size_t d = 0; d < sizeof(datas) / sizeof(datas[0]); d++) {
        cJSON *data = cJSON_Parse(datas[d]);
        snap_resource ref = {types[d], "id-1", NULL, "111122223333", "eu-west-1", data};

        for (size_t i = 0; i < rules_set_count(set); i++) {
            if (rules_rule_fails(set, i, &ref, &clock)) {
                char *msg = rules_rule_message(set, i, &ref, &clock);

                CU_ASSERT_PTR_NOT_NULL(msg);
                free(msg);
            }
        }
        cJSON_Delete(data);
    }
    rules_run_tests(set, &clock, NULL, &sum);
    CU_ASSERT_EQUAL(sum.rules, rules_set_count(set));
}

static void run_one(const char *text, size_t len, const char *name)
{
    rules_source src = {name, text, len};
    rules_diags diags;
    rules_set *set = NULL;
    waivers *w = NULL;
    ia_err err;
    int rc;

    rules_diags_init(&diags);
    rc = rules_load_sources(&src, 1, NULL, 0, &set, &diags, &err);
    check_diags(&diags, name, rc, &err);
    CU_ASSERT((rc == 0) == (set != NULL));
    if (set) {
        g_loaded_ok++;
        exercise(set);
    } else {
        g_rejected++;
    }
    rules_set_free(set);
    rules_diags_free(&diags);

    rules_diags_init(&diags);
    rc = rules_load_sources(NULL, 0, &src, 1, &set, &diags, &err);
    check_diags(&diags, name, rc, &err);
    rules_set_free(set);
    rules_diags_free(&diags);

    rules_diags_init(&diags);
    rc = waivers_load_sources(&src, 1, &w, &diags, &err);
    check_diags(&diags, name, rc, &err);
    CU_ASSERT((rc == 0) == (w != NULL));
    waivers_free(w);
    rules_diags_free(&diags);
}

static void test_rules_fuzz__seeds_load_as_they_are(void)
{
    CU_ASSERT_FATAL(g_n_seeds >= 20);
    for (size_t i = 0; i < g_n_seeds; i++)
        run_one(g_seeds[i].text, g_seeds[i].len, g_seeds[i].name);
}

static void test_rules_fuzz__mutated_files_never_crash(void)
{
    char *buf = malloc(MAX_TEXT + 1);
    size_t total = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    g_loaded_ok = g_rejected = 0;
    for (size_t s = 0; s < g_n_seeds; s++) {
        for (size_t round = 0; round < ROUNDS_PER_SEED; round++) {
            size_t len = g_seeds[s].len < MAX_TEXT ? g_seeds[s].len : MAX_TEXT;
            size_t n_mut = 1 + rand_below(4);

            memcpy(buf, g_seeds[s].text, len);
            for (size_t m = 0; m < n_mut; m++)
                mutate(buf, &len);
            run_one(buf, len, g_seeds[s].name);
            total++;
        }
    }
    /* Both outcomes happen: the mutations reach past the parser into the compiler. */
    fprintf(stderr, "\n    %zu mutated files: %zu loaded, %zu rejected with positions\n", total, g_loaded_ok,
            g_rejected);
    CU_ASSERT(g_loaded_ok > 0);
    CU_ASSERT(g_rejected > total / 10);
    free(buf);
}

static void test_rules_fuzz__truncated_at_every_byte(void)
{
    /* The largest pack file cut at every length: each prefix either loads or names a position. */
    const seed *big = NULL;

    for (size_t i = 0; i < g_n_seeds; i++) {
        if (strcmp(g_seeds[i].name, "workspaces.yaml") == 0)
            big = &g_seeds[i];
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    for (size_t len = 0; len <= big->len; len++)
        run_one(big->text, len, big->name);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"seeds_load_as_they_are", test_rules_fuzz__seeds_load_as_they_are},
        {"mutated_files_never_crash", test_rules_fuzz__mutated_files_never_crash},
        {"truncated_at_every_byte", test_rules_fuzz__truncated_at_every_byte},
        CU_TEST_INFO_NULL,
    };
    int rc;

    load_seeds();
    rc = testutil_run("rules_fuzz", tests);
    cleanup_seeds();
    return rc;
}
