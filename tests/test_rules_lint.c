/*
 * Every problem a rule file can have, reported as file:line:column, all of
 * them at once. Each case is tests/data/rules/lint/<case>.yaml with the
 * complete list of problems expected, in order, in <case>.expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "testutil.h"

#define MAX_LINES 64

/* Splits an .expected file into its lines, skipping comments and blank lines. Returns the count. */
static size_t expected_lines(char *text, char **lines)
{
    size_t n = 0;
    char *p = text;

    while (p && *p && n < MAX_LINES) {
        char *nl = strchr(p, '\n');

        if (nl)
            *nl = '\0';
        if (*p && *p != '#')
            lines[n++] = p;
        p = nl ? nl + 1 : NULL;
    }
    return n;
}

/* A problem as the .expected files write it: no file name for the case's own file, DIR for the data folder.
 */
static void describe(const rules_diag *d, const char *main_file, const char *dir, char *out, size_t size)
{
    char msg[1024];
    const char *hit = strstr(d->msg, dir);
    const char *base = strrchr(d->file, '/');

    if (hit)
        snprintf(msg, sizeof(msg), "%.*sDIR%s", (int)(hit - d->msg), d->msg, hit + strlen(dir));
    else
        snprintf(msg, sizeof(msg), "%s", d->msg);
    if (strcmp(d->file, main_file) == 0)
        snprintf(out, size, "%u:%u: %s", d->line, d->column, msg);
    else
        snprintf(out, size, "%s:%u:%u: %s", base ? base + 1 : d->file, d->line, d->column, msg);
}

/* Loads the case (plus more rule files and vars files) and compares every problem with the .expected file. */
static void check_case(const char *cas, const char *more_rules, int as_vars)
{
    char dir[4096], main_file[4200], more_file[4200], exp_path[4200];
    const char *paths[2];
    size_t n_paths = 0;
    char *expected, *lines[MAX_LINES];
    size_t n_expected;
    rules_set *set = NULL;
    rules_diags diags;
    ia_err err;
    int rc;

    snprintf(dir, sizeof(dir), "%s", testutil_data_path("rules/lint"));
    snprintf(main_file, sizeof(main_file), "%s/%s.yaml", dir, cas);
    snprintf(exp_path, sizeof(exp_path), "%s/%s.expected", dir, cas);
    expected = testutil_read_file(exp_path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    n_expected = expected_lines(expected, lines);
    rules_diags_init(&diags);
    if (as_vars) {
        paths[0] = main_file;
        rc = rules_load(NULL, 0, paths, 1, &set, &diags, &err);
    } else {
        paths[n_paths++] = main_file;
        if (more_rules) {
            snprintf(more_file, sizeof(more_file), "%s/%s", dir, more_rules);
            paths[n_paths++] = more_file;
        }
        rc = rules_load(paths, n_paths, NULL, 0, &set, &diags, &err);
    }
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_PTR_NULL(set);
    testutil_diags_errors_only(&diags);
    /* The first problem is also the error returned, with its position. */
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    if (diags.n) {
        CU_ASSERT_STRING_EQUAL(err.file, diags.items[0].file);
        CU_ASSERT_EQUAL(err.line, diags.items[0].line);
        CU_ASSERT_EQUAL(err.column, diags.items[0].column);
    }
    CU_ASSERT_EQUAL(diags.n, n_expected);
    for (size_t i = 0; i < diags.n || i < n_expected; i++) {
        char got[2048];

        if (i < diags.n)
            describe(&diags.items[i], main_file, dir, got, sizeof(got));
        else
            snprintf(got, sizeof(got), "(nothing)");
        if (i >= n_expected || strcmp(got, lines[i]) != 0) {
            fprintf(stderr, "\n    %s problem %zu:\n      got      %s\n      expected %s\n", cas, i + 1, got,
                    i < n_expected ? lines[i] : "(nothing)");
            CU_FAIL("problem differs from the .expected file");
        }
    }
    rules_set_free(set);
    rules_diags_free(&diags);
    free(expected);
}

static void test_rules_lint__unknown_keys(void)
{
    check_case("unknown_keys", NULL, 0);
}

/* A fix's action must change the rule's resource type; accounts and name_template go with their actions. */
static void test_rules_lint__fix_actions_and_options(void)
{
    check_case("fixes", NULL, 0);
}

static void test_rules_lint__unknown_ops_resource_types_and_severities(void)
{
    check_case("ops_and_types", NULL, 0);
}

static void test_rules_lint__wrong_value_types(void)
{
    check_case("value_types", NULL, 0);
}

static void test_rules_lint__duplicate_ids_within_and_across_files(void)
{
    check_case("duplicate_ids", "duplicate_ids_b.yaml", 0);
}

static void test_rules_lint__undefined_variables(void)
{
    check_case("undefined_vars", NULL, 0);
}

static void test_rules_lint__regexes_that_do_not_compile(void)
{
    check_case("bad_regex", NULL, 0);
}

static void test_rules_lint__regexes_too_costly_to_compile(void)
{
    check_case("regex_cost", NULL, 0);
}

/* A pattern from a --vars file is refused where it stands in that file, not where a rule uses it. */
static void test_rules_lint__costly_regex_from_a_vars_file(void)
{
    char rules_path[4200], vars_path[4200];
    const char *rules_paths[] = {rules_path}, *vars_paths[] = {vars_path};
    rules_set *set = NULL;
    rules_diags diags;
    ia_err err;

    snprintf(rules_path, sizeof(rules_path), "%s", testutil_data_path("rules/lint/regex_cost_uses_var.yaml"));
    snprintf(vars_path, sizeof(vars_path), "%s", testutil_data_path("rules/vars/costly_regex.yaml"));
    rules_diags_init(&diags);
    CU_ASSERT_EQUAL(rules_load(rules_paths, 1, vars_paths, 1, &set, &diags, &err), -1);
    CU_ASSERT_PTR_NULL(set);
    CU_ASSERT_EQUAL_FATAL(diags.n, 1);
    CU_ASSERT_STRING_EQUAL(diags.items[0].file, vars_path);
    CU_ASSERT_EQUAL(diags.items[0].line, 3);
    CU_ASSERT_EQUAL(diags.items[0].column, 18);
    CU_ASSERT_PTR_NOT_NULL(strstr(diags.items[0].msg, "variable 'builder_names': regular expression"));
    CU_ASSERT_PTR_NOT_NULL(strstr(diags.items[0].msg, "nested counted repetitions are refused"));
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_STRING_EQUAL(err.file, vars_path);
    rules_diags_free(&diags);
}

static void test_rules_lint__yaml_syntax_error(void)
{
    check_case("syntax", NULL, 0);
}

static void test_rules_lint__missing_fields(void)
{
    check_case("missing_fields", NULL, 0);
}

static void test_rules_lint__message_templates(void)
{
    check_case("templates", NULL, 0);
}

static void test_rules_lint__keys(void)
{
    check_case("keys", NULL, 0);
}

static void test_rules_lint__aliases_refused(void)
{
    check_case("yaml_structure", NULL, 0);
}

static void test_rules_lint__duplicate_mapping_keys(void)
{
    check_case("duplicate_keys", NULL, 0);
}

static void test_rules_lint__top_level_must_be_a_mapping(void)
{
    check_case("top_level", NULL, 0);
}

static void test_rules_lint__vars_file(void)
{
    check_case("bad_vars", NULL, 1);
}

static void test_rules_lint__tests_block(void)
{
    check_case("tests_block", NULL, 0);
}

static void test_rules_lint__problems_from_several_files_at_once(void)
{
    char a[4200], b[4200], c[4200];
    const char *paths[3] = {a, b, c};
    rules_set *set = NULL;
    rules_diags diags;
    ia_err err;

    snprintf(a, sizeof(a), "%s", testutil_data_path("rules/lint/syntax.yaml"));
    snprintf(b, sizeof(b), "%s", testutil_data_path("rules/lint/no-such-file.yaml"));
    snprintf(c, sizeof(c), "%s", testutil_data_path("rules/lint/keys.yaml"));
    rules_diags_init(&diags);
    CU_ASSERT_EQUAL(rules_load(paths, 3, NULL, 0, &set, &diags, &err), -1);
    /* 1 syntax error, 1 unreadable file (no position), 7 bad keys: nothing stops at the first. */
    CU_ASSERT_EQUAL(diags.n, 9);
    if (diags.n == 9) {
        CU_ASSERT_STRING_EQUAL(diags.items[0].file, a);
        CU_ASSERT_EQUAL(diags.items[0].line, 5);
        CU_ASSERT_STRING_EQUAL(diags.items[1].file, b);
        CU_ASSERT_EQUAL(diags.items[1].line, 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(diags.items[1].msg, "No such file"));
        CU_ASSERT_STRING_EQUAL(diags.items[2].file, c);
        CU_ASSERT_EQUAL(diags.items[2].line, 8);
        CU_ASSERT_STRING_EQUAL(diags.items[8].file, c);
        CU_ASSERT_EQUAL(diags.items[8].line, 14);
    }
    rules_diags_free(&diags);
}

static void test_rules_lint__directory_in_name_order(void)
{
    const char *path = testutil_data_path("rules/dirs/pack");
    rules_set *set = NULL;
    rules_diags diags;
    ia_err err;

    rules_diags_init(&diags);
    /* .yaml and .yml, in name order; README.txt and the broken hidden file are not read. */
    CU_ASSERT_EQUAL_FATAL(rules_load(&path, 1, NULL, 0, &set, &diags, &err), 0);
    CU_ASSERT_EQUAL(diags.n, 0);
    CU_ASSERT_EQUAL_FATAL(rules_set_count(set), 3);
    CU_ASSERT_EQUAL(rules_set_file_count(set), 3);
    CU_ASSERT_STRING_EQUAL(rules_set_info(set, 0)->id, "first");
    CU_ASSERT_STRING_EQUAL(rules_set_info(set, 1)->id, "second");
    CU_ASSERT_STRING_EQUAL(rules_set_info(set, 2)->id, "third");
    CU_ASSERT_PTR_NOT_NULL(strstr(rules_set_info(set, 0)->file, "10-first.yml"));
    CU_ASSERT_EQUAL(rules_set_info(set, 2)->sev, SEV_INFO);
    CU_ASSERT_STRING_EQUAL(rules_set_info(set, 1)->resource_type, "appstream_image");
    CU_ASSERT_EQUAL(rules_set_find(set, "third"), 2);
    CU_ASSERT_EQUAL(rules_set_find(set, "fourth"), -1);
    rules_set_free(set);
    rules_diags_free(&diags);
}

static void test_rules_lint__empty_directory_and_empty_file(void)
{
    const char *path = testutil_data_path("rules/dirs/empty");
    rules_source empty = {"empty.yaml", "", 0};
    rules_source comment = {"comment.yaml", "# nothing\n", 10};
    rules_set *set = NULL;
    rules_diags diags;
    ia_err err;

    rules_diags_init(&diags);
    CU_ASSERT_EQUAL(rules_load(&path, 1, NULL, 0, &set, &diags, &err), -1);
    CU_ASSERT_EQUAL_FATAL(diags.n, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(diags.items[0].msg, "no *.yaml or *.yml files"));
    rules_diags_free(&diags);
    rules_diags_init(&diags);
    CU_ASSERT_EQUAL(rules_load_sources(&empty, 1, NULL, 0, &set, &diags, &err), -1);
    CU_ASSERT_EQUAL(rules_load_sources(&comment, 1, NULL, 0, &set, &diags, &err), -1);
    CU_ASSERT_EQUAL_FATAL(diags.n, 2);
    CU_ASSERT_STRING_EQUAL(diags.items[0].msg, "empty file: expected 'rules:' or 'vars:'");
    CU_ASSERT_EQUAL(diags.items[1].line, 1);
    CU_ASSERT_EQUAL(diags.items[1].column, 1);
    CU_ASSERT_STRING_EQUAL(err.file, "comment.yaml");
    rules_diags_free(&diags);
}

static void test_rules_lint__diagnostic_format(void)
{
    rules_diag with = {"r.yaml", 3, 7, "unknown op 'x'", RULES_DIAG_ERROR},
               without = {"gone.yaml", 0, 0, "No such file", RULES_DIAG_ERROR};
    char out[256];

    rules_diag_format(&with, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "r.yaml:3:7: unknown op 'x'");
    rules_diag_format(&without, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "gone.yaml: No such file");
}

/* An undefined variable shows in the same run as the other problems of its condition or rule. */
static void test_rules_lint__undefined_variable_beside_other_problems(void)
{
    static const char text[] =
        "vars: {codes: [1]}\nrules:\n"
        "- id: a\n  title: t\n  severity: low\n  resource: workspaces_image\n"
        "  when: {key: A, op: equals, value: {var: nowhere}}\n"
        "- id: b\n  title: t\n  severity: low\n  resource: workspaces_image\n"
        "  when: {\"A..B\": {var: nowhere2}}\n"
        "- id: c\n  title: t\n  severity: low\n  resource: workspaces_image\n  colour: red\n"
        "  when: {key: A, op: in, value: {var: codes}}\n"
        "  tests:\n    vars: {codes: {var: nowhere3}}\n    fail: [{A: 1}]\n    pass: [{A: 2}]\n";
    const char *want[] = {
        "r.yaml:7:22: unknown op 'equals'",
        "r.yaml:7:43: undefined variable 'nowhere'",
        "r.yaml:12:10: bad key 'A..B': expected a field name at offset 2",
        "r.yaml:12:24: undefined variable 'nowhere2'",
        "r.yaml:17:3: unknown key 'colour' in rule",
        "r.yaml:20:25: variable 'codes': undefined variable 'nowhere3' (with the tests' vars of rule c",
    };
    rules_source src = {"r.yaml", text, sizeof(text) - 1};
    rules_set *set = NULL;
    rules_diags diags;
    char line[1200];
    ia_err err;

    rules_diags_init(&diags);
    CU_ASSERT_EQUAL(rules_load_sources(&src, 1, NULL, 0, &set, &diags, &err), -1);
    testutil_diags_errors_only(&diags);
    CU_ASSERT_EQUAL(diags.n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < diags.n && i < sizeof(want) / sizeof(want[0]); i++) {
        rules_diag_format(&diags.items[i], line, sizeof(line));
        CU_ASSERT_PTR_NOT_NULL(strstr(line, want[i]));
        if (!strstr(line, want[i]))
            fprintf(stderr, "\n    got %s\n    wanted %s", line, want[i]);
    }
    rules_diags_free(&diags);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"unknown_keys", test_rules_lint__unknown_keys},
        {"unknown_ops_resource_types_and_severities",
         test_rules_lint__unknown_ops_resource_types_and_severities},
        {"wrong_value_types", test_rules_lint__wrong_value_types},
        {"duplicate_ids_within_and_across_files", test_rules_lint__duplicate_ids_within_and_across_files},
        {"undefined_variables", test_rules_lint__undefined_variables},
        {"regexes_that_do_not_compile", test_rules_lint__regexes_that_do_not_compile},
        {"regexes_too_costly_to_compile", test_rules_lint__regexes_too_costly_to_compile},
        {"costly_regex_from_a_vars_file", test_rules_lint__costly_regex_from_a_vars_file},
        {"yaml_syntax_error", test_rules_lint__yaml_syntax_error},
        {"missing_fields", test_rules_lint__missing_fields},
        {"message_templates", test_rules_lint__message_templates},
        {"keys", test_rules_lint__keys},
        {"aliases_refused", test_rules_lint__aliases_refused},
        {"duplicate_mapping_keys", test_rules_lint__duplicate_mapping_keys},
        {"top_level_must_be_a_mapping", test_rules_lint__top_level_must_be_a_mapping},
        {"vars_file", test_rules_lint__vars_file},
        {"fix_actions_and_options", test_rules_lint__fix_actions_and_options},
        {"tests_block", test_rules_lint__tests_block},
        {"problems_from_several_files_at_once", test_rules_lint__problems_from_several_files_at_once},
        {"directory_in_name_order", test_rules_lint__directory_in_name_order},
        {"empty_directory_and_empty_file", test_rules_lint__empty_directory_and_empty_file},
        {"diagnostic_format", test_rules_lint__diagnostic_format},
        {"undefined_variable_beside_other_problems",
         test_rules_lint__undefined_variable_beside_other_problems},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("rules_lint", tests);
}
