/*
 * Variables defined from others ({union}, {if}, {var}), the built-in
 * organization_accounts and how a snapshot's Organization reaches it, the
 * lists the reports read (rules_set_var_strings, the results' trust fields),
 * and the vars a rule's tests lay over the set's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/evaluate.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "testutil.h"

static rules_clock g_clock;

static void set_clock(void)
{
    ia_err err;

    CU_ASSERT_EQUAL_FATAL(rules_clock_init(&g_clock, "2026-11-25", &err), 0);
}

/* A rule file "rules.yaml" (rules_text) and an optional --vars file "vars.yaml". diags receives problems. */
static rules_set *load(const char *rules_text, const char *vars_text, rules_diags *diags)
{
    rules_source rsrc = {"rules.yaml", rules_text, strlen(rules_text)};
    rules_source vsrc = {"vars.yaml", vars_text ? vars_text : "", vars_text ? strlen(vars_text) : 0};
    rules_set *set = NULL;
    ia_err err;

    if (rules_load_sources(&rsrc, 1, &vsrc, vars_text ? 1 : 0, &set, diags, &err) != 0)
        return NULL;
    return set;
}

/* Loads, failing the test with every problem shown when the files do not load. */
static rules_set *load_ok(const char *rules_text, const char *vars_text)
{
    rules_diags diags;
    rules_set *set;
    char line[1024];

    rules_diags_init(&diags);
    set = load(rules_text, vars_text, &diags);
    for (size_t i = 0; i < diags.n; i++) {
        rules_diag_format(&diags.items[i], line, sizeof(line));
        fprintf(stderr, "\n    (load: %s)", line);
    }
    CU_ASSERT_PTR_NOT_NULL(set);
    rules_diags_free(&diags);
    return set;
}

/* The strings of variable name joined with ',', or "-" when rules_set_var_strings refuses it. */
static void strings_of(const rules_set *set, const char *name, char *out, size_t size)
{
    const char *const *items;
    size_t n, len = 0;

    if (rules_set_var_strings(set, name, &items, &n) != 0) {
        snprintf(out, size, "-");
        return;
    }
    out[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "," : "", items[i]);
}

#define STRINGS(set, name, expected)                                                                         \
    do {                                                                                                     \
        char got_[512];                                                                                      \
        strings_of(set, name, got_, sizeof(got_));                                                           \
        CU_ASSERT_STRING_EQUAL(got_, expected);                                                              \
        if (strcmp(got_, expected) != 0)                                                                     \
            fprintf(stderr, "\n    %s: got '%s', expected '%s'\n", name, got_, expected);                    \
    } while (0)

/* Every problem of a load that must fail, as "file:line:col: msg" lines joined with '\n'. */
static char *problems(const char *rules_text, const char *vars_text)
{
    rules_diags diags;
    rules_set *set;
    char *out = calloc(1, 8192);
    size_t len = 0;
    char line[1024];

    rules_diags_init(&diags);
    set = load(rules_text, vars_text, &diags);
    CU_ASSERT_PTR_NULL(set);
    rules_set_free(set);
    testutil_diags_errors_only(&diags);
    for (size_t i = 0; out && i < diags.n && len < 8192; i++) {
        rules_diag_format(&diags.items[i], line, sizeof(line));
        len += (size_t)snprintf(out + len, 8192 - len, "%s\n", line);
    }
    rules_diags_free(&diags);
    return out;
}

#define PROBLEMS(rules_text, vars_text, expected)                                                            \
    do {                                                                                                     \
        char *got_ = problems(rules_text, vars_text);                                                        \
        CU_ASSERT_PTR_NOT_NULL_FATAL(got_);                                                                  \
        CU_ASSERT_STRING_EQUAL(got_, expected);                                                              \
        if (strcmp(got_, expected) != 0)                                                                     \
            fprintf(stderr, "\n    got:\n%s    expected:\n%s", got_, expected);                              \
        free(got_);                                                                                          \
    } while (0)

/* One rule over Permissions[].SharedAccountId not-in the variable `trusted`, which the vars derive. */
#define SHARE_RULE                                                                                           \
    "rules:\n"                                                                                               \
    "- id: shared\n"                                                                                         \
    "  title: Shared outside\n"                                                                              \
    "  severity: high\n"                                                                                     \
    "  resource: workspaces_image\n"                                                                         \
    "  message: 'shared with {matched}'\n"                                                                   \
    "  when: {key: \"Permissions[].SharedAccountId\", op: not-in, value: {var: trusted}}\n"

#define DERIVED_VARS                                                                                         \
    "vars:\n"                                                                                                \
    "  trusted_accounts: [\"111111111111\"]\n"                                                               \
    "  partners: [\"333333333333\", \"111111111111\"]\n"                                                     \
    "  trust_organization: true\n"                                                                           \
    "  trusted:\n"                                                                                           \
    "    union:\n"                                                                                           \
    "      - {var: trusted_accounts}\n"                                                                      \
    "      - [\"222222222222\"]\n"                                                                           \
    "      - {if: {var: trust_organization}, then: {var: organization_accounts}}\n"                          \
    "      - {if: {var: trust_organization}, then: [], else: {var: partners}}\n"

/* 1 when the rule fails for an image shared with account, 0 when it passes. */
static int fails_for(const rules_set *set, const char *account, char **message)
{
    char json[256];
    cJSON *data;
    snap_resource ref = {"workspaces_image", "wsi-1", NULL, "111111111111", "eu-west-1", NULL};
    int verdict;

    snprintf(json, sizeof(json), "{\"Permissions\":[{\"SharedAccountId\":\"%s\"}]}", account);
    data = cJSON_Parse(json);
    ref.data = data;
    verdict = rules_rule_fails(set, 0, &ref, &g_clock) ? 1 : 0;
    if (message)
        *message = verdict ? rules_rule_message(set, 0, &ref, &g_clock) : NULL;
    cJSON_Delete(data);
    return verdict;
}

static void test_rules_vars__union_of_lists_sorted_and_each_once(void)
{
    rules_set *set;

    set_clock();
    set = load_ok(DERIVED_VARS SHARE_RULE, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    /* No snapshot: organization_accounts is empty. */
    STRINGS(set, "organization_accounts", "");
    STRINGS(set, "trusted", "111111111111,222222222222");
    CU_ASSERT_EQUAL(fails_for(set, "222222222222", NULL), 0);
    CU_ASSERT_EQUAL(fails_for(set, "333333333333", NULL), 1);
    rules_set_free(set);
}

static void test_rules_vars__derived_follow_the_last_definitions(void)
{
    rules_set *set;

    set_clock();
    /* A --vars file replaces what the derived variable is made of, not the derived variable. */
    set = load_ok(DERIVED_VARS SHARE_RULE, "vars:\n  trusted_accounts: [\"999999999999\"]\n"
                                           "  trust_organization: false\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    STRINGS(set, "trusted", "111111111111,222222222222,333333333333,999999999999");
    CU_ASSERT_EQUAL(fails_for(set, "999999999999", NULL), 0);
    CU_ASSERT_EQUAL(fails_for(set, "333333333333", NULL), 0);
    CU_ASSERT_EQUAL(fails_for(set, "444444444444", NULL), 1);
    rules_set_free(set);
    /* A later definition of the derived variable itself wins over its union. */
    set = load_ok(DERIVED_VARS SHARE_RULE, "vars:\n  trusted: [\"555555555555\"]\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    STRINGS(set, "trusted", "555555555555");
    rules_set_free(set);
}

static void test_rules_vars__if_at_the_top_and_without_else(void)
{
    const char *text = "vars:\n"
                       "  strict: true\n"
                       "  codes: {if: {var: strict}, then: [\"b\", \"a\", \"b\"], else: [\"c\"]}\n"
                       "  maybe: {if: {var: strict}, then: [\"x\"]}\n"
                       "  name: {if: false, then: \"one\", else: \"two\"}\n"
                       "  alias: {var: codes}\n"
                       "  nums: {union: [[1, 2], [2, 3]]}\n"
                       "rules:\n"
                       "- id: named\n"
                       "  title: Named\n"
                       "  severity: low\n"
                       "  resource: workspaces_image\n"
                       "  when: {Name: {var: name}}\n";
    rules_set *set = load_ok(text, "vars:\n  strict: false\n");
    cJSON *data = cJSON_Parse("{\"Name\":\"two\"}");
    snap_resource ref = {"workspaces_image", "wsi-1", NULL, "111111111111", "eu-west-1", NULL};

    set_clock();
    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    STRINGS(set, "codes", "c");
    STRINGS(set, "alias", "c");
    /* No else: an empty list. */
    STRINGS(set, "maybe", "");
    /* Not lists of strings. */
    STRINGS(set, "nums", "-");
    STRINGS(set, "name", "-");
    STRINGS(set, "strict", "-");
    STRINGS(set, "undefined", "-");
    ref.data = data;
    CU_ASSERT(rules_rule_fails(set, 0, &ref, &g_clock));
    cJSON_Delete(data);
    rules_set_free(set);
}

static void test_rules_vars__problems_where_they_are(void)
{
    /* Undefined, a cycle, if on a non-boolean, a union of non-lists, unknown keys: each where it is. */
    PROBLEMS("vars:\n"
             "  a: {union: [{var: nowhere}]}\n"
             "  b: {union: [{var: c}]}\n"
             "  c: {union: [[\"x\"], {var: b}]}\n"
             "  flag: [\"yes\"]\n"
             "  d: {if: {var: flag}, then: [\"x\"]}\n"
             "  e: {union: [\"x\", {var: flag}]}\n"
             "  s: text\n"
             "  f: {union: [{var: s}]}\n"
             "  g: {unite: [[\"x\"]]}\n"
             "  h: {if: {var: flag}, then: [], otherwise: []}\n"
             "  i: {if: [\"x\"], then: []}\n"
             "  j: {else: []}\n"
             "rules: []\n",
             NULL,
             "rules.yaml:2:21: variable 'a': undefined variable 'nowhere'\n"
             "rules.yaml:4:28: variable 'c': variables defined in a cycle: b -> c -> b\n"
             "rules.yaml:6:17: variable 'd': 'if' needs a boolean, but variable 'flag' is a list\n"
             "rules.yaml:7:15: variable 'e': 'union' takes lists, not a string\n"
             "rules.yaml:9:15: variable 'f': 'union' takes lists, but this is a string\n"
             "rules.yaml:10:7: variable 'g': unknown key 'unite' (expected var, union or if)\n"
             "rules.yaml:11:34: variable 'h': unknown key 'otherwise' in 'if' (expected if, then, else)\n"
             "rules.yaml:12:11: variable 'i': 'if' takes {var: NAME} naming a boolean, not a list\n"
             "rules.yaml:13:7: variable 'j': unknown key 'else' (expected var, union or if)\n");
    /* A problem in a --vars file is shown there; a problem made by an override, where it shows. */
    PROBLEMS(
        DERIVED_VARS SHARE_RULE, "vars:\n  trust_organization: \"no\"\n",
        "rules.yaml:9:20: variable 'trusted': 'if' needs a boolean, but variable 'trust_organization' is "
        "a string\n"
        "rules.yaml:10:20: variable 'trusted': 'if' needs a boolean, but variable 'trust_organization' is "
        "a string\n");
}

static void test_rules_vars__organization_accounts_not_from_files(void)
{
    PROBLEMS("vars:\n  organization_accounts: [\"111111111111\"]\nrules: []\n", NULL,
             "rules.yaml:2:3: variable 'organization_accounts' is the snapshot's Organization: it cannot be "
             "defined in a file (only in a rule's tests: vars)\n");
    PROBLEMS("rules: []\n", "vars:\n  organization_accounts: []\n",
             "vars.yaml:2:3: variable 'organization_accounts' is the snapshot's Organization: it cannot be "
             "defined in a file (only in a rule's tests: vars)\n");
}

static void test_rules_vars__organization_accounts_from_the_snapshot(void)
{
    const char *ids[] = {"777777777777", "444444444444", "777777777777"};
    rules_set *set;
    char *msg = NULL;
    ia_err err;

    set_clock();
    set = load_ok(DERIVED_VARS SHARE_RULE, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    CU_ASSERT_EQUAL(fails_for(set, "444444444444", NULL), 1);
    CU_ASSERT_EQUAL_FATAL(rules_set_org_accounts(set, ids, 3, &err), 0);
    STRINGS(set, "organization_accounts", "444444444444,777777777777");
    STRINGS(set, "trusted", "111111111111,222222222222,444444444444,777777777777");
    /* The rules were compiled again: a member is trusted now. */
    CU_ASSERT_EQUAL(fails_for(set, "444444444444", NULL), 0);
    CU_ASSERT_EQUAL(fails_for(set, "888888888888", &msg), 1);
    CU_ASSERT_STRING_EQUAL(msg ? msg : "", "shared with 888888888888");
    free(msg);
    /* Given again, the list is replaced. */
    CU_ASSERT_EQUAL_FATAL(rules_set_org_accounts(set, NULL, 0, &err), 0);
    STRINGS(set, "organization_accounts", "");
    CU_ASSERT_EQUAL(fails_for(set, "444444444444", NULL), 1);
    rules_set_free(set);
    /* With trust_organization off, members are not trusted. */
    set = load_ok(DERIVED_VARS SHARE_RULE, "vars:\n  trust_organization: false\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    CU_ASSERT_EQUAL_FATAL(rules_set_org_accounts(set, ids, 3, &err), 0);
    STRINGS(set, "trusted", "111111111111,222222222222,333333333333");
    CU_ASSERT_EQUAL(fails_for(set, "444444444444", NULL), 1);
    rules_set_free(set);
}

/* A snapshot held in memory: two images, one Organization with a suspended member. */
static void test_rules_vars__results_name_the_organization_and_the_trusted(void)
{
    const char *text = "vars:\n"
                       "  trusted_accounts: [\"111111111111\"]\n"
                       "  trust_organization: true\n"
                       "  trusted_sharing_accounts:\n"
                       "    union: [{var: trusted_accounts}, {if: {var: trust_organization}, then: {var: "
                       "organization_accounts}}]\n"
                       "rules:\n"
                       "- id: shared\n"
                       "  title: Shared outside\n"
                       "  severity: high\n"
                       "  resource: workspaces_image\n"
                       "  message: 'shared with {matched}'\n"
                       "  when: {key: \"Permissions[].SharedAccountId\", op: not-in, value: {var: "
                       "trusted_sharing_accounts}}\n";
    cJSON *a = cJSON_Parse("{\"Permissions\":[{\"SharedAccountId\":\"222222222222\"},"
                           "{\"SharedAccountId\":\"999999999999\"}]}");
    cJSON *b = cJSON_Parse("{\"Permissions\":[{\"SharedAccountId\":\"333333333333\"}]}");
    snap_resource res[2] = {{"workspaces_image", "wsi-a", NULL, "111111111111", "eu-west-1", NULL},
                            {"workspaces_image", "wsi-b", NULL, "111111111111", "eu-west-1", NULL}};
    snap_org_account members[2] = {{"222222222222", "prod", "ACTIVE", "o-abc"},
                                   {"333333333333", "old", "SUSPENDED", "o-abc"}};
    snapshot_doc snap;
    rules_set *set, *plain;
    results r;
    ia_err err;

    set_clock();
    res[0].data = a;
    res[1].data = b;
    memset(&snap, 0, sizeof(snap));
    snap.resources = res;
    snap.n_resources = 2;
    snap.org_accounts = members;
    snap.n_org_accounts = 2;
    snap.has_organization = true;
    set = load_ok(text, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    CU_ASSERT_EQUAL_FATAL(rules_bind_snapshot(set, &snap, &err), 0);
    CU_ASSERT_EQUAL_FATAL(rules_evaluate(set, NULL, &snap, &g_clock, &r, &err), 0);
    CU_ASSERT_EQUAL(r.items[0].status, RESULT_FAIL);
    CU_ASSERT_STRING_EQUAL(r.items[0].message, "shared with 999999999999");
    /* A suspended member is still a member. */
    CU_ASSERT_EQUAL(r.items[1].status, RESULT_PASS);
    CU_ASSERT_PTR_EQUAL(r.org_accounts, members);
    CU_ASSERT_EQUAL(r.n_org_accounts, 2);
    CU_ASSERT_EQUAL(r.has_organization, 1);
    CU_ASSERT_EQUAL(r.trust_known, 1);
    CU_ASSERT_EQUAL_FATAL(r.n_trusted, 3);
    CU_ASSERT_STRING_EQUAL(r.trusted[0], "111111111111");
    CU_ASSERT_STRING_EQUAL(r.trusted[1], "222222222222");
    CU_ASSERT_STRING_EQUAL(r.trusted[2], "333333333333");
    results_free(&r);
    /* A snapshot without an Organization trusts trusted_accounts only. */
    snap.has_organization = false;
    snap.n_org_accounts = 0;
    snap.org_accounts = NULL;
    CU_ASSERT_EQUAL_FATAL(rules_bind_snapshot(set, &snap, &err), 0);
    CU_ASSERT_EQUAL_FATAL(rules_evaluate(set, NULL, &snap, &g_clock, &r, &err), 0);
    CU_ASSERT_STRING_EQUAL(r.items[0].message, "shared with 222222222222, 999999999999");
    CU_ASSERT_EQUAL(r.items[1].status, RESULT_FAIL);
    CU_ASSERT_EQUAL(r.has_organization, 0);
    CU_ASSERT_EQUAL(r.n_trusted, 1);
    results_free(&r);
    /* Rules without the variable: trust is not known. */
    plain = load_ok("rules:\n- id: x\n  title: X\n  severity: low\n  resource: workspaces_image\n"
                    "  when: {key: Permissions, op: not-empty}\n",
                    NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
    CU_ASSERT_EQUAL_FATAL(rules_evaluate(plain, NULL, &snap, &g_clock, &r, &err), 0);
    CU_ASSERT_EQUAL(r.trust_known, 0);
    CU_ASSERT_EQUAL(r.n_trusted, 0);
    results_free(&r);
    rules_set_free(plain);
    rules_set_free(set);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

/* The tests of SHARE_RULE with DERIVED_VARS, given as tests_text; returns the examples that went wrong. */
static size_t tests_failed(const char *tests_text, size_t *examples)
{
    char text[4096];
    rules_set *set;
    rules_test_summary sum;

    snprintf(text, sizeof(text), "%s%s%s", DERIVED_VARS, SHARE_RULE, tests_text);
    set = load_ok(text, NULL);
    if (!set)
        return 1000;
    CU_ASSERT_EQUAL(rules_run_tests(set, &g_clock, NULL, &sum), 0);
    *examples = sum.examples;
    rules_set_free(set);
    return sum.failed;
}

static void test_rules_vars__tests_vars_apply_to_that_rule_only(void)
{
    size_t examples = 0;

    set_clock();
    /* The block's vars give the rule an Organization; an example's own vars override them for it alone. */
    CU_ASSERT_EQUAL(tests_failed("  tests:\n"
                                 "    vars:\n"
                                 "      organization_accounts: [\"444444444444\"]\n"
                                 "    fail:\n"
                                 "      - {Permissions: [{SharedAccountId: \"999999999999\"}]}\n"
                                 "      - {Permissions: [{SharedAccountId: \"444444444444\"}],\n"
                                 "         vars: {trust_organization: false}}\n"
                                 "    pass:\n"
                                 "      - {Permissions: [{SharedAccountId: \"444444444444\"}]}\n"
                                 "      - {Permissions: [{SharedAccountId: \"999999999999\"}],\n"
                                 "         vars: {trusted_accounts: [\"999999999999\"]}}\n",
                                 &examples),
                    0);
    CU_ASSERT_EQUAL(examples, 4);
    /* Wrong expectations are caught: without the vars the member share fails. */
    CU_ASSERT_EQUAL(tests_failed("  tests:\n"
                                 "    fail:\n"
                                 "      - {Permissions: [{SharedAccountId: \"999999999999\"}]}\n"
                                 "    pass:\n"
                                 "      - {Permissions: [{SharedAccountId: \"444444444444\"}]}\n",
                                 &examples),
                    1);
}

static void test_rules_vars__tests_vars_are_checked(void)
{
    PROBLEMS(DERIVED_VARS SHARE_RULE "  tests:\n"
                                     "    vars:\n"
                                     "      organization_accounts: [444444444444]\n"
                                     "      trust_organization: \"no\"\n"
                                     "      bad name: 1\n"
                                     "    fail: [{Permissions: [{SharedAccountId: \"9\"}], vars: [x]}]\n"
                                     "    pass: [{Permissions: []}]\n",
             NULL,
             "rules.yaml:20:31: variable 'organization_accounts': account ids are strings, not a number\n"
             "rules.yaml:22:7: bad variable name 'bad name' (letters, digits, '_' and '-')\n"
             "rules.yaml:23:58: tests 'vars' must be a mapping of names to values, not a list\n");
    /* A value that breaks a derived variable is named with the tests it comes from. */
    PROBLEMS(
        DERIVED_VARS SHARE_RULE "  tests:\n"
                                "    vars: {trust_organization: \"no\"}\n"
                                "    fail: [{Permissions: [{SharedAccountId: \"9\"}]}]\n"
                                "    pass: [{Permissions: []}]\n",
        NULL,
        "rules.yaml:9:20: variable 'trusted': 'if' needs a boolean, but variable 'trust_organization' is "
        "a string (with the tests' vars of rule shared at rules.yaml:19:11)\n"
        "rules.yaml:10:20: variable 'trusted': 'if' needs a boolean, but variable 'trust_organization' is "
        "a string (with the tests' vars of rule shared at rules.yaml:19:11)\n");
}

static void test_rules_vars__matched_problems(void)
{
    PROBLEMS(
        "rules:\n"
        "- id: k\n"
        "  title: K\n"
        "  severity: low\n"
        "  resource: workspaces_image\n"
        "  message: 'x {matched:Nope} {matched:State}'\n"
        "  when: {and: [{State: ERROR}, {not: {Name: x}}]}\n"
        "- id: n\n"
        "  title: N\n"
        "  severity: low\n"
        "  resource: workspaces_image\n"
        "  message: 'x {matched}'\n"
        "  when: {or: [{not: {Name: x}}, {key: Tags, op: absent}]}\n"
        "- id: e\n"
        "  title: E\n"
        "  severity: low\n"
        "  resource: workspaces_image\n"
        "  message: 'x {matched:Name} {matched:}'\n"
        "  when: {and: [{State: ERROR}, {not: {Name: x}}]}\n",
        NULL,
        "rules.yaml:6:12: message: '{matched:Nope}': no condition of 'when' on key 'Nope' can name values "
        "(outside 'not', 'absent' and 'empty')\n"
        "rules.yaml:12:12: message: '{matched}' would always be '(none)': 'when' holds only through 'not', "
        "'absent' or 'empty'\n"
        "rules.yaml:18:12: message: '{matched:}' names no key\n");
}

/* Lists of a whole fleet: a union is sorted once, and {matched} looks each value up once. */
static void test_rules_vars__long_lists_stay_cheap(void)
{
    enum { N = 100000 };
    static const char rule[] = "rules:\n- id: t\n  title: T\n  severity: low\n  resource: workspaces_image\n"
                               "  message: '{matched}'\n"
                               "  when: {key: \"P[].A\", op: not-in, value: {var: trusted}}\n";
    buf vars;
    cJSON *data = cJSON_CreateObject(), *perms = cJSON_AddArrayToObject(data, "P");
    rules_source rsrc = {"rule.yaml", rule, sizeof(rule) - 1}, vsrc;
    snap_resource ref = {"workspaces_image", "wsi-1", NULL, "111111111111", "eu-west-1", NULL};
    rules_set *set = NULL;
    rules_diags diags;
    const char *const *items;
    size_t n = 0;
    char *msg;
    ia_err err;
    double t0, secs;
    bool written = true;

    set_clock();
    buf_init(&vars, 0);
    written = buf_puts(&vars, "vars:\n  nums: [") == 0;
    for (size_t i = 0; i < N; i++)
        written = written && buf_printf(&vars, "%s%zu", i ? ", " : "", i % (N / 2)) == 0;
    written = written && buf_puts(&vars, "]\n  ids: [") == 0;
    for (size_t i = 0; i < N; i++)
        written = written && buf_printf(&vars, "%s\"%012zu\"", i ? ", " : "", i % (N / 2)) == 0;
    written =
        written && buf_puts(&vars, "]\n  trusted: {union: [{var: nums}, {var: ids}, {var: nums}]}\n") == 0;
    for (size_t i = 0; i < 4 * N; i++) {
        cJSON *p = cJSON_CreateObject();
        char id[16];

        /* Distinct untrusted accounts, then each of them again. */
        snprintf(id, sizeof(id), "9%011zu", i % N);
        cJSON_AddStringToObject(p, "A", id);
        cJSON_AddItemToArray(perms, p);
    }
    CU_ASSERT_FATAL(written);
    vsrc = (rules_source){"vars.yaml", buf_str(&vars), vars.len};
    rules_diags_init(&diags);
    t0 = testutil_cpu_seconds();
    CU_ASSERT_EQUAL_FATAL(rules_load_sources(&rsrc, 1, &vsrc, 1, &set, &diags, &err), 0);
    /* Numbers are not strings: the union is no list of strings, but each value is kept once. */
    CU_ASSERT_EQUAL(rules_set_var_strings(set, "trusted", &items, &n), -1);
    CU_ASSERT_EQUAL(rules_set_var_strings(set, "ids", &items, &n), 0);
    CU_ASSERT_EQUAL(n, N / 2);
    ref.data = data;
    CU_ASSERT_TRUE(rules_rule_fails(set, 0, &ref, &g_clock));
    msg = rules_rule_message(set, 0, &ref, &g_clock);
    secs = testutil_cpu_seconds() - t0;
    fprintf(stderr, "\n  union of %d values and {matched} over %d shares in %.2f s of CPU\n", 3 * N, 4 * N,
            secs);
    CU_ASSERT(secs < 10.0);
    CU_ASSERT_PTR_NOT_NULL(msg);
    /* The message is capped; it starts with the first accounts, each once. */
    CU_ASSERT(msg && strncmp(msg, "900000000000, 900000000001, ", 28) == 0);
    CU_ASSERT(msg && strlen(msg) <= 16384);
    free(msg);
    rules_set_free(set);
    rules_diags_free(&diags);
    buf_free(&vars);
    cJSON_Delete(data);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"union_of_lists_sorted_and_each_once", test_rules_vars__union_of_lists_sorted_and_each_once},
        {"derived_follow_the_last_definitions", test_rules_vars__derived_follow_the_last_definitions},
        {"if_at_the_top_and_without_else", test_rules_vars__if_at_the_top_and_without_else},
        {"problems_where_they_are", test_rules_vars__problems_where_they_are},
        {"organization_accounts_not_from_files", test_rules_vars__organization_accounts_not_from_files},
        {"organization_accounts_from_the_snapshot", test_rules_vars__organization_accounts_from_the_snapshot},
        {"results_name_the_organization_and_the_trusted",
         test_rules_vars__results_name_the_organization_and_the_trusted},
        {"tests_vars_apply_to_that_rule_only", test_rules_vars__tests_vars_apply_to_that_rule_only},
        {"tests_vars_are_checked", test_rules_vars__tests_vars_are_checked},
        {"matched_problems", test_rules_vars__matched_problems},
        {"long_lists_stay_cheap", test_rules_vars__long_lists_stay_cheap},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("rules_vars", tests);
}
