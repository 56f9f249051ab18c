/*
 * Choosing the rules that run (--rule, --exclude-rule, --severity) and
 * waivers that must name a loaded rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rules.h"
#include "rules/waivers.h"
#include "testutil.h"

static const char g_rules[] =
    "rules:\n"
    "- {id: ws-stale, title: a, severity: low, resource: workspaces_image, when: {A: 1}}\n"
    "- {id: ws-shared, title: b, severity: high, resource: workspaces_image, when: {A: 2}}\n"
    "- {id: as-shared, title: c, severity: critical, resource: appstream_image, when: "
    "{A: 3}}\n"
    "- {id: as-builder, title: d, severity: medium, resource: appstream_image_builder, "
    "when: {A: 4}}\n";

static rules_set *load(void)
{
    rules_source src = {"r.yaml", g_rules, sizeof(g_rules) - 1};
    rules_set *set = NULL;
    rules_diags diags;
    ia_err err;

    rules_diags_init(&diags);
    CU_ASSERT_EQUAL(rules_load_sources(&src, 1, NULL, 0, &set, &diags, &err), 0);
    rules_diags_free(&diags);
    return set;
}

/* The ids left after sel, joined with ','; "error: MSG" when the selection is refused. */
static void ids_after(const rules_selection *sel, char *out, size_t size)
{
    rules_set *set = load();
    size_t len = 0;
    ia_err err;

    out[0] = '\0';
    if (!set)
        return;
    err_clear(&err);
    if (rules_set_select(set, sel, &err) == 0) {
        for (size_t i = 0; i < rules_set_count(set) && len < size; i++)
            len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "," : "", rules_set_info(set, i)->id);
    } else {
        CU_ASSERT_EQUAL(err.kind, IA_ERR_USAGE);
        snprintf(out, size, "error: %.200s", err.msg);
        /* The set is unchanged by a refused selection. */
        CU_ASSERT_EQUAL(rules_set_count(set), 4);
    }
    rules_set_free(set);
}

#define SELECTS(sel, want)                                                                                   \
    do {                                                                                                     \
        char got_[512];                                                                                      \
        ids_after(&(sel), got_, sizeof(got_));                                                               \
        CU_ASSERT_STRING_EQUAL(got_, want);                                                                  \
        if (strcmp(got_, want) != 0)                                                                         \
            fprintf(stderr, "\n    got '%s', wanted '%s'\n", got_, want);                                    \
    } while (0)

static void test_rules_select__ids_globs_and_exclusions(void)
{
    const char *only[] = {"ws-shared", "as-*"};
    const char *excl[] = {"as-builder"};
    rules_selection all = {0}, some = {only, 2, NULL, 0, false, SEV_INFO},
                    less = {only, 2, excl, 1, false, SEV_INFO},
                    none_but = {NULL, 0, excl, 1, false, SEV_INFO};

    SELECTS(all, "ws-stale,ws-shared,as-shared,as-builder");
    SELECTS(some, "ws-shared,as-shared,as-builder");
    SELECTS(less, "ws-shared,as-shared");
    SELECTS(none_but, "ws-stale,ws-shared,as-shared");
}

static void test_rules_select__at_least_a_severity(void)
{
    const char *excl[] = {"as-shared"};
    rules_selection high = {NULL, 0, NULL, 0, true, SEV_HIGH}, medium = {NULL, 0, excl, 1, true, SEV_MEDIUM},
                    info = {NULL, 0, NULL, 0, true, SEV_INFO};

    SELECTS(high, "ws-shared,as-shared");
    SELECTS(medium, "ws-shared,as-builder");
    SELECTS(info, "ws-stale,ws-shared,as-shared,as-builder");
}

static void test_rules_select__unknown_ids_are_errors_with_the_closest(void)
{
    const char *typo[] = {"ws-shraed"};
    const char *far[] = {"nothing-like-it"};
    const char *glob[] = {"zz-*"};
    rules_selection a = {typo, 1, NULL, 0, false, SEV_INFO}, b = {NULL, 0, far, 1, false, SEV_INFO},
                    c = {glob, 1, NULL, 0, false, SEV_INFO};

    SELECTS(a, "error: --rule 'ws-shraed' matches no rule (did you mean 'ws-shared'?)");
    SELECTS(b, "error: --exclude-rule 'nothing-like-it' matches no rule ('imgaudit rules list' lists them)");
    SELECTS(c, "error: --rule 'zz-*' matches no rule ('imgaudit rules list' lists them)");
}

static void test_rules_select__waivers_must_name_a_loaded_rule(void)
{
    const char *text = "waivers:\n"
                       "  - {rule: ws-stale, reason: ok, expires: 2027-01-01}\n"
                       "  - {rule: ws-stael, reason: typo, expires: 2027-01-01}\n"
                       "  - {rule: \"zz-*\", reason: glob, expires: 2027-01-01}\n"
                       "  - {rule: \"as-*\", reason: glob, expires: 2027-01-01}\n";
    char *path = testutil_write_temp(text);
    const char *paths[1];
    rules_set *set = load();
    rules_diags diags;
    waivers *w = NULL;
    char line[1024];
    ia_err err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    paths[0] = path;
    rules_diags_init(&diags);
    CU_ASSERT_EQUAL(waivers_load_checked(paths, 1, set, &w, &diags, &err), -1);
    CU_ASSERT_PTR_NULL(w);
    CU_ASSERT_EQUAL_FATAL(diags.n, 2);
    rules_diag_format(&diags.items[0], line, sizeof(line));
    CU_ASSERT_PTR_NOT_NULL(strstr(line,
                                  ":3:12: waiver names rule 'ws-stael', which is not loaded (did you mean "
                                  "'ws-stale'?)"));
    rules_diag_format(&diags.items[1], line, sizeof(line));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, ":4:12: waiver's rule glob 'zz-*' matches no loaded rule"));
    /* Unchecked, the same file loads. */
    rules_diags_free(&diags);
    rules_diags_init(&diags);
    CU_ASSERT_EQUAL(waivers_load(paths, 1, &w, &diags, &err), 0);
    CU_ASSERT_EQUAL(waivers_count(w), 4);
    waivers_free(w);
    rules_diags_free(&diags);
    rules_set_free(set);
    unlink(path);
    free(path);
}

/* For lint: what loaded of files with errors still names the rules, and says when it cannot name them all. */
static void test_rules_select__partial_load_names_what_loaded(void)
{
    char *bad_rule = testutil_write_temp("rules:\n- {id: ok-rule, title: a, severity: urgent, resource: "
                                         "workspaces_image, when: {A: 1}}\n");
    char *no_id = testutil_write_temp("rules:\n- {id: Bad_Id, title: a, severity: low, resource: "
                                      "workspaces_image, when: {A: 1}}\n");
    char *broken = testutil_write_temp("rules: [\n");
    const char *paths[2];
    rules_set *set = NULL;
    rules_diags diags;
    ia_err err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(bad_rule);
    CU_ASSERT_PTR_NOT_NULL_FATAL(no_id);
    CU_ASSERT_PTR_NOT_NULL_FATAL(broken);
    paths[0] = bad_rule;
    rules_diags_init(&diags);
    CU_ASSERT_EQUAL(rules_load_partial(paths, 1, NULL, 0, &set, &diags, &err), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    CU_ASSERT_EQUAL(rules_set_count(set), 1);
    CU_ASSERT_STRING_EQUAL(rules_set_info(set, 0)->id, "ok-rule");
    CU_ASSERT_TRUE(rules_set_ids_complete(set));
    rules_set_free(set);
    /* The same files through rules_load: nothing. */
    CU_ASSERT_EQUAL(rules_load(paths, 1, NULL, 0, &set, &diags, &err), -1);
    CU_ASSERT_PTR_NULL(set);
    /* A rule without a valid id, or a file not parsed: some rule cannot be named. */
    paths[1] = no_id;
    CU_ASSERT_EQUAL(rules_load_partial(paths, 2, NULL, 0, &set, &diags, &err), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    CU_ASSERT_FALSE(rules_set_ids_complete(set));
    rules_set_free(set);
    paths[1] = broken;
    CU_ASSERT_EQUAL(rules_load_partial(paths, 2, NULL, 0, &set, &diags, &err), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    CU_ASSERT_FALSE(rules_set_ids_complete(set));
    rules_set_free(set);
    paths[1] = "/nonexistent/rules.yaml";
    CU_ASSERT_EQUAL(rules_load_partial(paths, 2, NULL, 0, &set, &diags, &err), -1);
    CU_ASSERT_FALSE(rules_set_ids_complete(set));
    rules_set_free(set);
    rules_diags_free(&diags);
    unlink(bad_rule);
    unlink(no_id);
    unlink(broken);
    free(bad_rule);
    free(no_id);
    free(broken);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"ids_globs_and_exclusions", test_rules_select__ids_globs_and_exclusions},
        {"at_least_a_severity", test_rules_select__at_least_a_severity},
        {"unknown_ids_are_errors_with_the_closest",
         test_rules_select__unknown_ids_are_errors_with_the_closest},
        {"waivers_must_name_a_loaded_rule", test_rules_select__waivers_must_name_a_loaded_rule},
        {"partial_load_names_what_loaded", test_rules_select__partial_load_names_what_loaded},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("rules_select", tests);
}
