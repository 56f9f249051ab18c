/*
 * What loads but is likely wrong: a variable no rule reads (with the closest
 * known name) and an account id that YAML reads as a number. Warnings do
 * not stop a load, show beside errors, and the account ids are errors for
 * `rules lint` (RULES_DIAG_STRICT).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "testutil.h"
#include "util/buf.h"

#define RULE(when)                                                                                           \
    "rules:\n- id: t\n  title: Test rule\n  severity: low\n  resource: workspaces_image\n  when: " when "\n"

/* Loads text as "r.yaml"; returns the load's status, diags filled. */
static int load(const char *text, rules_diags *diags, ia_err *err)
{
    rules_source src = {"r.yaml", text, strlen(text)};
    rules_set *set = NULL;
    int rc;

    rules_diags_init(diags);
    rc = rules_load_sources(&src, 1, NULL, 0, &set, diags, err);
    rules_set_free(set);
    return rc;
}

/* The diagnostic at line:column, or NULL. */
static const rules_diag *at(const rules_diags *diags, unsigned line, unsigned column)
{
    for (size_t i = 0; i < diags->n; i++) {
        if (diags->items[i].line == line && diags->items[i].column == column)
            return &diags->items[i];
    }
    return NULL;
}

static void show(const rules_diags *diags)
{
    char line[1200];

    for (size_t i = 0; i < diags->n; i++) {
        rules_diag_format(&diags->items[i], line, sizeof(line));
        fprintf(stderr, "\n    (%d) %s", (int)diags->items[i].level, line);
    }
}

static void test_rules_warnings__unused_variable_names_the_closest(void)
{
    rules_diags diags;
    const rules_diag *d;
    ia_err err;

    CU_ASSERT_EQUAL(
        load("vars:\n  trusted_acounts: [\"111122223333\"]\n  zzz_unrelated_name: 1\n" RULE(
                 "{key: \"Permissions[].SharedAccountId\", op: not-in, value: {var: trusted_accounts}}"),
             &diags, &err),
        -1); /* trusted_accounts is not defined here: an error beside the warnings */
    d = at(&diags, 2, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->level, RULES_DIAG_WARNING);
    CU_ASSERT_STRING_EQUAL(d->msg,
                           "variable 'trusted_acounts' is defined but no rule or variable uses it (did you "
                           "mean 'trusted_accounts'?)");
    d = at(&diags, 3, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_STRING_EQUAL(d->msg,
                           "variable 'zzz_unrelated_name' is defined but no rule or variable uses it");
    /* The error returned is the error, not a warning before it. */
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "undefined variable 'trusted_accounts'"));
    rules_diags_free(&diags);
}

static void test_rules_warnings__derived_and_built_in_variables_count_as_used(void)
{
    rules_diags diags;
    ia_err err;

    CU_ASSERT_EQUAL(
        load("vars:\n  base_list: [\"111122223333\"]\n  flag: true\n"
             "  combined: {union: [{var: base_list}, {if: {var: flag}, then: [\"444455556666\"]}]}\n"
             "  trust_organization: false\n  image_max_age_days: 3\n  other_list: [\"1\"]\n" RULE(
                 "{key: OwnerAccountId, op: not-in, value: {var: combined}}") "  tests:\n    vars: "
                                                                              "{base_list: "
                                                                              "{var: other_list}}\n",
             &diags, &err),
        0);
    CU_ASSERT_EQUAL(diags.n, 0);
    if (diags.n)
        show(&diags);
    rules_diags_free(&diags);
}

static void test_rules_warnings__account_ids_written_as_numbers(void)
{
    rules_diags diags;
    const rules_diag *d;
    size_t errors, warnings;
    ia_err err;

    CU_ASSERT_EQUAL(
        load("vars:\n"
             "  owners: [\"111122223333\", 123456789012]\n"          /* 2: compared below */
             "  partner_accounts: [1234]\n"                          /* 3: by its name */
             "  misc: [\"111122223333\", 444455556666, true]\n"      /* 4: beside a 12-digit id */
             "  sizes: [1, 2]\n"                                     /* 5: no account ids */
             "  trusted_accounts: [012345678901]\n"                  /* 6: the leading zero */
             "  extra: [5]\n"                                        /* 7: part of an account list */
             "  trusted_sharing_accounts: {union: [{var: extra}]}\n" /* 8 */
             RULE("{or: [{key: SharedAccountIds, op: in, value: {var: owners}}, "
                  "{key: OwnerAccountId, op: in, value: [123456789012]}, "
                  "{key: Size, op: in, value: {var: sizes}}, {key: X, op: in, value: {var: misc}}]}"),
             &diags, &err),
        0);
    rules_diags_count(&diags, false, &errors, &warnings);
    CU_ASSERT_EQUAL(errors, 0);
    rules_diags_count(&diags, true, &errors, &warnings);
    CU_ASSERT_EQUAL(errors, 6);
    CU_ASSERT_EQUAL(warnings, 1); /* partner_accounts is not used */
    d = at(&diags, 2, 28);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->level, RULES_DIAG_STRICT);
    CU_ASSERT_STRING_EQUAL(d->msg, "variable 'owners': account id 123456789012 is a number to YAML and never "
                                   "equals the string an account id is; quote it: \"123456789012\"");
    CU_ASSERT_PTR_NOT_NULL(at(&diags, 3, 22));
    CU_ASSERT_PTR_NOT_NULL(at(&diags, 4, 26));
    d = at(&diags, 6, 22);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_PTR_NOT_NULL(strstr(d->msg,
                                  "account id 012345678901 is a number to YAML, which drops its leading "
                                  "zero (12345678901); account ids are strings: quote it: \"012345678901\""));
    CU_ASSERT_PTR_NOT_NULL(at(&diags, 7, 11));
    if (errors != 6)
        show(&diags);
    rules_diags_free(&diags);
}

static void test_rules_warnings__inline_account_list_in_a_rule(void)
{
    rules_diags diags;
    const rules_diag *d = NULL;
    ia_err err;

    CU_ASSERT_EQUAL(
        load(RULE("{key: OwnerAccountId, op: in, value: [\"111122223333\", 123456789012]}"), &diags, &err),
        0);
    CU_ASSERT_EQUAL(diags.n, 1);
    if (diags.n)
        d = &diags.items[0];
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->level, RULES_DIAG_STRICT);
    CU_ASSERT_EQUAL(d->line, 6);
    CU_ASSERT_PTR_NOT_NULL(strstr(d->msg, "a list of account ids: account id 123456789012 is a number"));
    rules_diags_free(&diags);
}

static void test_rules_warnings__one_account_id_variable(void)
{
    rules_diags diags;
    ia_err err;

    CU_ASSERT_EQUAL(
        load("vars:\n  owner: 123456789012\n  limit: 5\n" RULE(
                 "{and: [{OwnerAccountId: {var: owner}}, {key: Count, op: gt, value: {var: limit}}]}"),
             &diags, &err),
        0);
    CU_ASSERT_EQUAL_FATAL(diags.n, 1);
    CU_ASSERT_EQUAL(diags.items[0].line, 2);
    CU_ASSERT_EQUAL(diags.items[0].column, 10);
    CU_ASSERT_EQUAL(diags.items[0].level, RULES_DIAG_STRICT);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(diags.items[0].msg, "variable 'owner': account id 123456789012 is a number"));
    rules_diags_free(&diags);
}

static void test_rules_warnings__printed_as_warnings_or_errors(void)
{
    rules_diags diags;
    char *out = NULL;
    size_t len = 0;
    FILE *fp;
    ia_err err;

    CU_ASSERT_EQUAL(
        load("vars:\n  unused_thing: 1\n" RULE("{key: OwnerAccountId, op: in, value: [123456789012]}"),
             &diags, &err),
        0);
    fp = open_memstream(&out, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    rules_diags_print(&diags, fp, "", NULL, true);
    rules_diags_print(&diags, fp, "x: error: ", "x: warning: ", false);
    fclose(fp);
    CU_ASSERT_STRING_EQUAL(
        out, "r.yaml:2:3: warning: variable 'unused_thing' is defined but no rule or variable "
             "uses it\n"
             "r.yaml:8:47: a list of account ids: account id 123456789012 is a number to YAML "
             "and never equals the string an account id is; quote it: \"123456789012\"\n"
             "x: warning: r.yaml:2:3: variable 'unused_thing' is defined but no rule or variable "
             "uses it\n"
             "x: warning: r.yaml:8:47: a list of account ids: account id 123456789012 is a number "
             "to YAML and never equals the string an account id is; quote it: \"123456789012\"\n");
    free(out);
    rules_diags_free(&diags);
}

/* A huge file of mistakes: quick, warnings bounded (errors keep their room), every one counted. */
static void test_rules_warnings__many_are_bounded_and_counted(void)
{
    enum { N = 50000 };
    buf text;
    rules_diags diags;
    size_t errors, warnings;
    double t0, secs;
    bool written;
    ia_err err;

    buf_init(&text, 0);
    written = buf_puts(&text, "vars:\n  trusted_accounts: [") == 0;
    for (size_t i = 0; i < N; i++)
        written = written && buf_printf(&text, "%s%zu", i ? ", " : "", 100000000000 + i) == 0;
    written = written && buf_puts(&text, "]\n") == 0;
    for (size_t i = 0; i < N; i++)
        written = written && buf_printf(&text, "  unused_variable_%zu: 1\n", i) == 0;
    written = written && buf_puts(&text, RULE("{key: A, op: eq, value: {var: nowhere}}")) == 0;
    CU_ASSERT_FATAL(written);
    t0 = testutil_cpu_seconds();
    CU_ASSERT_EQUAL(load(buf_str(&text), &diags, &err), -1);
    secs = testutil_cpu_seconds() - t0;
    fprintf(stderr, "\n  %d account numbers and %d unused variables linted in %.2f s of CPU\n", N, N, secs);
    CU_ASSERT(secs < 10.0);
    CU_ASSERT_EQUAL(diags.n_warnings, RULES_WARNINGS_MAX);
    rules_diags_count(&diags, false, &errors, &warnings);
    CU_ASSERT_EQUAL(errors, 1); /* the undefined variable, kept whatever the warnings */
    CU_ASSERT_EQUAL(warnings, 2 * N);
    rules_diags_count(&diags, true, &errors, &warnings);
    CU_ASSERT_EQUAL(errors, N + 1);
    CU_ASSERT_EQUAL(warnings, N);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "undefined variable 'nowhere'"));
    rules_diags_free(&diags);
    buf_free(&text);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"unused_variable_names_the_closest", test_rules_warnings__unused_variable_names_the_closest},
        {"derived_and_built_in_variables_count_as_used",
         test_rules_warnings__derived_and_built_in_variables_count_as_used},
        {"account_ids_written_as_numbers", test_rules_warnings__account_ids_written_as_numbers},
        {"inline_account_list_in_a_rule", test_rules_warnings__inline_account_list_in_a_rule},
        {"one_account_id_variable", test_rules_warnings__one_account_id_variable},
        {"printed_as_warnings_or_errors", test_rules_warnings__printed_as_warnings_or_errors},
        {"many_are_bounded_and_counted", test_rules_warnings__many_are_bounded_and_counted},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("rules_warnings", tests);
}
