/*
 * The condition language: every op (with lists, missing keys and type
 * mismatches), the combinators, the {Key: value} shorthand, variables and
 * message templates. Each case is one small condition and one small
 * resource, so a failure names exactly the semantics that broke.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "util/buf.h"
#include "testutil.h"

#define VERDICT_ERROR (-1)

static rules_clock g_clock;

static void set_clock(void)
{
    ia_err err;

    CU_ASSERT_EQUAL_FATAL(rules_clock_init(&g_clock, "2026-11-25", &err), 0);
}

/* Loads one rule "t" with the given vars block, condition and message. Owned result, NULL on any problem. */
static rules_set *load_rule(const char *vars, const char *cond, const char *message)
{
    char text[4096];
    rules_source src;
    rules_set *set = NULL;
    rules_diags diags;
    ia_err err;

    snprintf(text, sizeof(text),
             "%s\nrules:\n- id: t\n  title: Test rule\n  severity: low\n  resource: workspaces_image\n"
             "%s%s%s  when: %s\n",
             vars ? vars : "", message ? "  message: '" : "", message ? message : "", message ? "'\n" : "",
             cond);
    src.name = "inline.yaml";
    src.text = text;
    src.len = strlen(text);
    rules_diags_init(&diags);
    if (rules_load_sources(&src, 1, NULL, 0, &set, &diags, &err) != 0) {
        char line[1024];

        for (size_t i = 0; i < diags.n; i++) {
            rules_diag_format(&diags.items[i], line, sizeof(line));
            fprintf(stderr, "    (load: %s)\n", line);
        }
        set = NULL;
    }
    rules_diags_free(&diags);
    return set;
}

static void make_ref(snap_resource *ref, const cJSON *data)
{
    memset(ref, 0, sizeof(*ref));
    ref->type = "workspaces_image";
    ref->id = "wsi-0123456789";
    ref->account = "111122223333";
    ref->region = "eu-west-1";
    ref->data = data;
}

/* 1 when the rule fails for the resource, 0 when it passes, VERDICT_ERROR if the rule did not load. */
static int judge_vars(const char *vars, const char *cond, const char *json)
{
    rules_set *set = load_rule(vars, cond, NULL);
    cJSON *data = cJSON_Parse(json);
    snap_resource ref;
    int verdict = VERDICT_ERROR;

    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    if (set) {
        make_ref(&ref, data);
        verdict = rules_rule_fails(set, 0, &ref, &g_clock) ? 1 : 0;
    }
    cJSON_Delete(data);
    rules_set_free(set);
    return verdict;
}

static int judge(const char *cond, const char *json)
{
    return judge_vars(NULL, cond, json);
}

/* The filled message for a resource; owned. */
static char *render(const char *message, const char *json)
{
    rules_set *set = load_rule(NULL, "{key: Name, op: present}", message);
    cJSON *data = cJSON_Parse(json);
    snap_resource ref;
    char *out = NULL;

    if (set && data) {
        make_ref(&ref, data);
        out = rules_rule_message(set, 0, &ref, &g_clock);
    }
    cJSON_Delete(data);
    rules_set_free(set);
    return out;
}

/* Checks a filled message (owned, freed here) against what is expected. */
static void check_rendered(char *got, const char *expected)
{
    CU_ASSERT_PTR_NOT_NULL(got);
    if (got) {
        CU_ASSERT_STRING_EQUAL(got, expected);
        if (strcmp(got, expected) != 0)
            fprintf(stderr, "\n    rendered '%s', expected '%s'\n", got, expected);
    }
    free(got);
}

#define RENDERS(message, json, expected) check_rendered(render(message, json), expected)

static void test_rules_ops__eq(void)
{
    set_clock();
    CU_ASSERT_EQUAL(judge("{key: Name, op: eq, value: golden}", "{\"Name\":\"golden\"}"), 1);
    CU_ASSERT_EQUAL(judge("{key: Name, op: eq, value: golden}", "{\"Name\":\"Golden\"}"), 0);
    CU_ASSERT_EQUAL(judge("{key: Name, op: eq, value: golden}", "{\"Other\":\"golden\"}"), 0);
    /* Types as YAML gives them: a quoted number is a string, a plain one a number. */
    CU_ASSERT_EQUAL(judge("{key: Size, op: eq, value: 5}", "{\"Size\":5}"), 1);
    CU_ASSERT_EQUAL(judge("{key: Size, op: eq, value: 5}", "{\"Size\":5.0}"), 1);
    CU_ASSERT_EQUAL(judge("{key: Size, op: eq, value: \"5\"}", "{\"Size\":5}"), 0);
    CU_ASSERT_EQUAL(judge("{key: Size, op: eq, value: 5}", "{\"Size\":\"5\"}"), 0);
    CU_ASSERT_EQUAL(judge("{key: Flag, op: eq, value: true}", "{\"Flag\":true}"), 1);
    CU_ASSERT_EQUAL(judge("{key: Flag, op: eq, value: true}", "{\"Flag\":\"true\"}"), 0);
    CU_ASSERT_EQUAL(judge("{key: Flag, op: eq, value: \"true\"}", "{\"Flag\":true}"), 0);
    CU_ASSERT_EQUAL(judge("{key: Flag, op: eq, value: false}", "{\"Flag\":false}"), 1);
    /* A JSON null is missing. */
    CU_ASSERT_EQUAL(judge("{key: Name, op: eq, value: golden}", "{\"Name\":null}"), 0);
    /* Nested paths; a path through a non-object is missing. */
    CU_ASSERT_EQUAL(judge("{key: Updates.UpdateAvailable, op: eq, value: true}",
                          "{\"Updates\":{\"UpdateAvailable\":true}}"),
                    1);
    CU_ASSERT_EQUAL(judge("{key: Updates.UpdateAvailable, op: eq, value: true}", "{\"Updates\":\"x\"}"), 0);
    /* A list compared without [] is a type mismatch, not a walk. */
    CU_ASSERT_EQUAL(judge("{key: Codes, op: eq, value: a}", "{\"Codes\":[\"a\"]}"), 0);
    /* Walks: ANY element; no element satisfies nothing. */
    CU_ASSERT_EQUAL(judge("{key: \"P[].Id\", op: eq, value: b}", "{\"P\":[{\"Id\":\"a\"},{\"Id\":\"b\"}]}"),
                    1);
    CU_ASSERT_EQUAL(judge("{key: \"P[].Id\", op: eq, value: c}", "{\"P\":[{\"Id\":\"a\"},{\"Id\":\"b\"}]}"),
                    0);
    CU_ASSERT_EQUAL(judge("{key: \"P[].Id\", op: eq, value: c}", "{\"P\":[]}"), 0);
    CU_ASSERT_EQUAL(judge("{key: \"Codes[]\", op: eq, value: x}", "{\"Codes\":[\"w\",\"x\"]}"), 1);
}

static void test_rules_ops__ne(void)
{
    set_clock();
    CU_ASSERT_EQUAL(judge("{key: State, op: ne, value: AVAILABLE}", "{\"State\":\"ERROR\"}"), 1);
    CU_ASSERT_EQUAL(judge("{key: State, op: ne, value: AVAILABLE}", "{\"State\":\"AVAILABLE\"}"), 0);
    /* A missing plain key is not equal to anything. */
    CU_ASSERT_EQUAL(judge("{key: State, op: ne, value: AVAILABLE}", "{}"), 1);
    /* A type mismatch is simply not equal. */
    CU_ASSERT_EQUAL(judge("{key: Size, op: ne, value: \"5\"}", "{\"Size\":5}"), 1);
    /* Walks: ANY element differs; an empty walk satisfies no comparison, ne included. */
    CU_ASSERT_EQUAL(judge("{key: \"P[].Id\", op: ne, value: a}", "{\"P\":[{\"Id\":\"a\"},{\"Id\":\"b\"}]}"),
                    1);
    CU_ASSERT_EQUAL(judge("{key: \"P[].Id\", op: ne, value: a}", "{\"P\":[{\"Id\":\"a\"}]}"), 0);
    CU_ASSERT_EQUAL(judge("{key: \"P[].Id\", op: ne, value: a}", "{\"P\":[]}"), 0);
    CU_ASSERT_EQUAL(judge("{key: \"P[].Id\", op: ne, value: a}", "{}"), 0);
}

static void test_rules_ops__ordering(void)
{
    set_clock();
    CU_ASSERT_EQUAL(judge("{key: N, op: lt, value: 10}", "{\"N\":9}"), 1);
    CU_ASSERT_EQUAL(judge("{key: N, op: lt, value: 10}", "{\"N\":10}"), 0);
    CU_ASSERT_EQUAL(judge("{key: N, op: le, value: 10}", "{\"N\":10}"), 1);
    CU_ASSERT_EQUAL(judge("{key: N, op: le, value: 10}", "{\"N\":10.5}"), 0);
    CU_ASSERT_EQUAL(judge("{key: N, op: gt, value: 10}", "{\"N\":11}"), 1);
    CU_ASSERT_EQUAL(judge("{key: N, op: gt, value: 10}", "{\"N\":10}"), 0);
    CU_ASSERT_EQUAL(judge("{key: N, op: ge, value: 10}", "{\"N\":10}"), 1);
    CU_ASSERT_EQUAL(judge("{key: N, op: ge, value: -1.5}", "{\"N\":-2}"), 0);
    /* Strings order by bytes: versions and ISO-8601 times sort right. */
    CU_ASSERT_EQUAL(judge("{key: V, op: lt, value: \"2024-01-01\"}", "{\"V\":\"2023-12-31\"}"), 1);
    CU_ASSERT_EQUAL(judge("{key: V, op: ge, value: \"2024-01-01\"}", "{\"V\":\"2023-12-31\"}"), 0);
    /* A number against a string, or a string against a number, has no order. */
    CU_ASSERT_EQUAL(judge("{key: N, op: lt, value: 10}", "{\"N\":\"9\"}"), 0);
    CU_ASSERT_EQUAL(judge("{key: N, op: ge, value: \"10\"}", "{\"N\":11}"), 0);
    CU_ASSERT_EQUAL(judge("{key: N, op: gt, value: 0}", "{\"N\":true}"), 0);
    CU_ASSERT_EQUAL(judge("{key: N, op: gt, value: 0}", "{}"), 0);
    /* Walks: ANY element. */
    CU_ASSERT_EQUAL(judge("{key: \"L[].N\", op: gt, value: 5}", "{\"L\":[{\"N\":1},{\"N\":6}]}"), 1);
    CU_ASSERT_EQUAL(judge("{key: \"L[].N\", op: gt, value: 5}", "{\"L\":[{\"N\":1},{\"N\":5}]}"), 0);
}

static void test_rules_ops__in_and_not_in(void)
{
    set_clock();
    CU_ASSERT_EQUAL(judge("{key: C, op: in, value: [a, b]}", "{\"C\":\"b\"}"), 1);
    CU_ASSERT_EQUAL(judge("{key: C, op: in, value: [a, b]}", "{\"C\":\"c\"}"), 0);
    CU_ASSERT_EQUAL(judge("{key: C, op: not-in, value: [a, b]}", "{\"C\":\"c\"}"), 1);
    CU_ASSERT_EQUAL(judge("{key: C, op: not-in, value: [a, b]}", "{\"C\":\"a\"}"), 0);
    /* Mixed types: each element keeps its own type. */
    CU_ASSERT_EQUAL(judge("{key: C, op: in, value: [1, \"2\", true]}", "{\"C\":2}"), 0);
    CU_ASSERT_EQUAL(judge("{key: C, op: in, value: [1, \"2\", true]}", "{\"C\":\"2\"}"), 1);
    CU_ASSERT_EQUAL(judge("{key: C, op: in, value: [1, \"2\", true]}", "{\"C\":true}"), 1);
    /* Missing plain key: in never holds, not-in always does. */
    CU_ASSERT_EQUAL(judge("{key: C, op: in, value: [a]}", "{}"), 0);
    CU_ASSERT_EQUAL(judge("{key: C, op: not-in, value: [a]}", "{}"), 1);
    /* An empty list: nothing is in it, everything is not in it. */
    CU_ASSERT_EQUAL(judge("{key: C, op: in, value: []}", "{\"C\":\"a\"}"), 0);
    CU_ASSERT_EQUAL(judge("{key: C, op: not-in, value: []}", "{\"C\":\"a\"}"), 1);
    /* Walks: ANY element not in the list fails an image shared with any untrusted account. */
    CU_ASSERT_EQUAL(
        judge("{key: \"P[].A\", op: not-in, value: [\"1\", \"2\"]}", "{\"P\":[{\"A\":\"1\"},{\"A\":\"3\"}]}"),
        1);
    CU_ASSERT_EQUAL(
        judge("{key: \"P[].A\", op: not-in, value: [\"1\", \"2\"]}", "{\"P\":[{\"A\":\"1\"},{\"A\":\"2\"}]}"),
        0);
    /* ... and a list walk that yields nothing satisfies neither. */
    CU_ASSERT_EQUAL(judge("{key: \"P[].A\", op: not-in, value: [\"1\"]}", "{\"P\":[]}"), 0);
    CU_ASSERT_EQUAL(judge("{key: \"P[].A\", op: not-in, value: [\"1\"]}", "{}"), 0);
    CU_ASSERT_EQUAL(judge("{key: \"P[].A\", op: in, value: [\"1\"]}", "{\"P\":[{\"B\":\"1\"}]}"), 0);
}

/* A long list (looked up in a hash set): each of its strings is in it, repeated or not, and nothing else. */
static void test_rules_ops__in_a_long_list(void)
{
    char cond[8192], json[64];
    size_t len;

    set_clock();
    len = (size_t)snprintf(cond, sizeof(cond), "{key: C, op: in, value: [7, x5, \"\"");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(cond + len, sizeof(cond) - len, ", x%d", i);
    snprintf(cond + len, sizeof(cond) - len, "]}");
    for (int i = 0; i < 300; i++) {
        snprintf(json, sizeof(json), "{\"C\":\"x%d\"}", i);
        CU_ASSERT_EQUAL(judge(cond, json), 1);
        snprintf(json, sizeof(json), "{\"C\":\"y%d\"}", i);
        CU_ASSERT_EQUAL(judge(cond, json), 0);
    }
    CU_ASSERT_EQUAL(judge(cond, "{\"C\":\"\"}"), 1);
    CU_ASSERT_EQUAL(judge(cond, "{\"C\":7}"), 1);
    CU_ASSERT_EQUAL(judge(cond, "{\"C\":\"7\"}"), 0);
}

static void test_rules_ops__contains(void)
{
    set_clock();
    /* A list as a whole: one of its elements. */
    CU_ASSERT_EQUAL(judge("{key: Tags, op: contains, value: prod}", "{\"Tags\":[\"dev\",\"prod\"]}"), 1);
    CU_ASSERT_EQUAL(judge("{key: Tags, op: contains, value: prod}", "{\"Tags\":[\"dev\"]}"), 0);
    CU_ASSERT_EQUAL(judge("{key: Tags, op: not-contains, value: prod}", "{\"Tags\":[\"dev\"]}"), 1);
    CU_ASSERT_EQUAL(judge("{key: Tags, op: not-contains, value: prod}", "{\"Tags\":[\"prod\"]}"), 0);
    CU_ASSERT_EQUAL(judge("{key: Tags, op: contains, value: 1}", "{\"Tags\":[\"1\"]}"), 0);
    /* A string: a substring. An object: a member. */
    CU_ASSERT_EQUAL(judge("{key: Type, op: contains, value: graphics}", "{\"Type\":\"stream.graphics.g4\"}"),
                    1);
    CU_ASSERT_EQUAL(judge("{key: Type, op: not-contains, value: graphics}", "{\"Type\":\"stream.std\"}"), 1);
    CU_ASSERT_EQUAL(judge("{key: Cfg, op: contains, value: SubnetIds}", "{\"Cfg\":{\"SubnetIds\":[]}}"), 1);
    /* A type mismatch does not contain. */
    CU_ASSERT_EQUAL(judge("{key: N, op: contains, value: \"1\"}", "{\"N\":12}"), 0);
    /* Missing plain key: contains nothing. */
    CU_ASSERT_EQUAL(judge("{key: Tags, op: contains, value: prod}", "{}"), 0);
    CU_ASSERT_EQUAL(judge("{key: Tags, op: not-contains, value: prod}", "{}"), 1);
    /* A walk as a whole list: contains an equal element, or has elements and none equal. */
    CU_ASSERT_EQUAL(
        judge("{key: \"E[].Code\", op: contains, value: X}", "{\"E\":[{\"Code\":\"W\"},{\"Code\":\"X\"}]}"),
        1);
    CU_ASSERT_EQUAL(judge("{key: \"E[].Code\", op: not-contains, value: X}", "{\"E\":[{\"Code\":\"W\"}]}"),
                    1);
    CU_ASSERT_EQUAL(judge("{key: \"E[].Code\", op: not-contains, value: W}", "{\"E\":[{\"Code\":\"W\"}]}"),
                    0);
    CU_ASSERT_EQUAL(judge("{key: \"E[].Code\", op: not-contains, value: X}", "{\"E\":[]}"), 0);
    CU_ASSERT_EQUAL(judge("{key: \"E[].Code\", op: contains, value: X}", "{}"), 0);
}

static void test_rules_ops__regex(void)
{
    set_clock();
    CU_ASSERT_EQUAL(judge("{key: Name, op: regex, value: '^golden-[0-9]+$'}", "{\"Name\":\"golden-42\"}"), 1);
    CU_ASSERT_EQUAL(judge("{key: Name, op: regex, value: '^golden-[0-9]+$'}", "{\"Name\":\"golden-x\"}"), 0);
    /* Extended syntax: alternation and + without backslashes. */
    CU_ASSERT_EQUAL(judge("{key: Name, op: regex, value: '(dev|test)-a+'}", "{\"Name\":\"my-test-aaa\"}"), 1);
    /* Only strings match. */
    CU_ASSERT_EQUAL(judge("{key: N, op: regex, value: '^1'}", "{\"N\":12}"), 0);
    CU_ASSERT_EQUAL(judge("{key: N, op: regex, value: '.*'}", "{}"), 0);
    CU_ASSERT_EQUAL(judge("{key: \"L[]\", op: regex, value: '^b'}", "{\"L\":[\"a\",\"bc\"]}"), 1);
    CU_ASSERT_EQUAL(judge("{key: \"L[]\", op: regex, value: '^b'}", "{\"L\":[]}"), 0);
}

static void test_rules_ops__present_and_absent(void)
{
    set_clock();
    CU_ASSERT_EQUAL(judge("{key: Name, op: present}", "{\"Name\":\"x\"}"), 1);
    CU_ASSERT_EQUAL(judge("{key: Name, op: present}", "{\"Name\":\"\"}"), 1);
    CU_ASSERT_EQUAL(judge("{key: Name, op: present}", "{}"), 0);
    CU_ASSERT_EQUAL(judge("{key: Name, op: absent}", "{}"), 1);
    CU_ASSERT_EQUAL(judge("{key: Name, op: absent}", "{\"Name\":null}"), 1);
    CU_ASSERT_EQUAL(judge("{key: Name, op: absent}", "{\"Name\":false}"), 0);
    /* A plain key to an empty list yields the list; a walk over it yields nothing. */
    CU_ASSERT_EQUAL(judge("{key: P, op: present}", "{\"P\":[]}"), 1);
    CU_ASSERT_EQUAL(judge("{key: \"P[]\", op: present}", "{\"P\":[]}"), 0);
    CU_ASSERT_EQUAL(judge("{key: \"P[]\", op: absent}", "{\"P\":[]}"), 1);
    CU_ASSERT_EQUAL(judge("{key: \"P[].A\", op: absent}", "{\"P\":[{\"B\":1}]}"), 1);
    CU_ASSERT_EQUAL(judge("{key: \"P[].A\", op: present}", "{\"P\":[{\"B\":1},{\"A\":1}]}"), 1);
}

static void test_rules_ops__empty_and_not_empty(void)
{
    set_clock();
    CU_ASSERT_EQUAL(judge("{key: P, op: empty}", "{\"P\":[]}"), 1);
    CU_ASSERT_EQUAL(judge("{key: P, op: empty}", "{\"P\":{}}"), 1);
    CU_ASSERT_EQUAL(judge("{key: P, op: empty}", "{\"P\":\"\"}"), 1);
    CU_ASSERT_EQUAL(judge("{key: P, op: empty}", "{}"), 1);
    CU_ASSERT_EQUAL(judge("{key: P, op: empty}", "{\"P\":[1]}"), 0);
    /* 0 and false are values, not emptiness. */
    CU_ASSERT_EQUAL(judge("{key: P, op: empty}", "{\"P\":0}"), 0);
    CU_ASSERT_EQUAL(judge("{key: P, op: empty}", "{\"P\":false}"), 0);
    CU_ASSERT_EQUAL(judge("{key: P, op: not-empty}", "{\"P\":[{\"A\":1}]}"), 1);
    CU_ASSERT_EQUAL(judge("{key: P, op: not-empty}", "{\"P\":[]}"), 0);
    /* A missing plain key is empty, and so not not-empty. */
    CU_ASSERT_EQUAL(judge("{key: P, op: not-empty}", "{}"), 0);
    /* Walks look at the walked list as a whole. */
    CU_ASSERT_EQUAL(judge("{key: \"P[].A\", op: empty}", "{\"P\":[]}"), 1);
    CU_ASSERT_EQUAL(judge("{key: \"P[].A\", op: empty}", "{}"), 1);
    CU_ASSERT_EQUAL(judge("{key: \"P[].A\", op: not-empty}", "{\"P\":[{\"A\":\"\"}]}"), 1);
    CU_ASSERT_EQUAL(judge("{key: \"P[].A\", op: not-empty}", "{\"P\":[{\"B\":1}]}"), 0);
}

static void test_rules_ops__older_and_newer(void)
{
    /* Today is 2026-11-25, so "now" is 2026-11-25T00:00:00Z. */
    set_clock();
    CU_ASSERT_EQUAL(
        judge("{key: Created, op: older-than, value: 90d}", "{\"Created\":\"2026-08-01T00:00:00Z\"}"), 1);
    CU_ASSERT_EQUAL(
        judge("{key: Created, op: older-than, value: 90d}", "{\"Created\":\"2026-09-01T00:00:00Z\"}"), 0);
    CU_ASSERT_EQUAL(
        judge("{key: Created, op: newer-than, value: 90d}", "{\"Created\":\"2026-09-01T00:00:00Z\"}"), 1);
    CU_ASSERT_EQUAL(
        judge("{key: Created, op: newer-than, value: 90d}", "{\"Created\":\"2026-08-01T00:00:00Z\"}"), 0);
    /* A bare number is days; hours; weeks. */
    CU_ASSERT_EQUAL(
        judge("{key: Created, op: older-than, value: 1}", "{\"Created\":\"2026-11-23T23:00:00Z\"}"), 1);
    CU_ASSERT_EQUAL(
        judge("{key: Created, op: older-than, value: 1}", "{\"Created\":\"2026-11-24T01:00:00Z\"}"), 0);
    CU_ASSERT_EQUAL(
        judge("{key: Created, op: older-than, value: 12h}", "{\"Created\":\"2026-11-24T11:00:00Z\"}"), 1);
    CU_ASSERT_EQUAL(
        judge("{key: Created, op: older-than, value: 12h}", "{\"Created\":\"2026-11-24T13:00:00Z\"}"), 0);
    CU_ASSERT_EQUAL(
        judge("{key: Created, op: older-than, value: 2w}", "{\"Created\":\"2026-11-10T00:00:00Z\"}"), 1);
    /* Fractions and offsets: 01:00+02:00 is 23:00 the day before. */
    CU_ASSERT_EQUAL(judge("{key: T, op: older-than, value: 1h}", "{\"T\":\"2026-11-24T22:59:59.999Z\"}"), 1);
    CU_ASSERT_EQUAL(judge("{key: T, op: older-than, value: 1h}", "{\"T\":\"2026-11-25T01:00:00+02:00\"}"), 0);
    CU_ASSERT_EQUAL(judge("{key: T, op: older-than, value: 1h}", "{\"T\":\"2026-11-25T00:30:00+02:00\"}"), 1);
    /* Epoch seconds as AWS sends them: 1577836800 is 2020-01-01. */
    CU_ASSERT_EQUAL(judge("{key: T, op: older-than, value: 365d}", "{\"T\":1577836800}"), 1);
    /* Not a time, or missing: neither older nor newer. */
    CU_ASSERT_EQUAL(judge("{key: T, op: older-than, value: 1d}", "{\"T\":\"yesterday\"}"), 0);
    CU_ASSERT_EQUAL(judge("{key: T, op: newer-than, value: 1d}", "{\"T\":\"2026-02-30T00:00:00Z\"}"), 0);
    CU_ASSERT_EQUAL(judge("{key: T, op: older-than, value: 1d}", "{\"T\":true}"), 0);
    CU_ASSERT_EQUAL(judge("{key: T, op: older-than, value: 1d}", "{}"), 0);
    /* Walks: ANY element. */
    CU_ASSERT_EQUAL(judge("{key: \"E[].At\", op: newer-than, value: 7d}",
                          "{\"E\":[{\"At\":\"2020-01-01T00:00:00Z\"},{\"At\":\"2026-11-20T00:00:00Z\"}]}"),
                    1);
}

static void test_rules_ops__account_and_region(void)
{
    set_clock();
    CU_ASSERT_EQUAL(judge("{key: account, op: eq, value: \"111122223333\"}", "{}"), 1);
    CU_ASSERT_EQUAL(judge("{region: eu-west-1}", "{}"), 1);
    CU_ASSERT_EQUAL(judge("{region: us-east-1}", "{}"), 0);
    CU_ASSERT_EQUAL(judge("{key: region, op: regex, value: '^eu-'}", "{}"), 1);
    /* Lower-case account and region name where the resource was collected, not data fields. */
    CU_ASSERT_EQUAL(judge("{key: account, op: eq, value: \"999\"}", "{\"account\":\"999\"}"), 0);
}

static void test_rules_ops__combinators(void)
{
    set_clock();
    CU_ASSERT_EQUAL(judge("{and: [{A: 1}, {B: 2}]}", "{\"A\":1,\"B\":2}"), 1);
    CU_ASSERT_EQUAL(judge("{and: [{A: 1}, {B: 2}]}", "{\"A\":1,\"B\":3}"), 0);
    CU_ASSERT_EQUAL(judge("{or: [{A: 1}, {B: 2}]}", "{\"A\":0,\"B\":2}"), 1);
    CU_ASSERT_EQUAL(judge("{or: [{A: 1}, {B: 2}]}", "{\"A\":0,\"B\":0}"), 0);
    CU_ASSERT_EQUAL(judge("{not: {A: 1}}", "{\"A\":0}"), 1);
    CU_ASSERT_EQUAL(judge("{not: {A: 1}}", "{\"A\":1}"), 0);
    /* Nested freely. */
    CU_ASSERT_EQUAL(
        judge("{and: [{or: [{A: 1}, {A: 2}]}, {not: {and: [{B: 1}, {C: 1}]}}]}", "{\"A\":2,\"B\":1,\"C\":0}"),
        1);
    CU_ASSERT_EQUAL(
        judge("{and: [{or: [{A: 1}, {A: 2}]}, {not: {and: [{B: 1}, {C: 1}]}}]}", "{\"A\":2,\"B\":1,\"C\":1}"),
        0);
    CU_ASSERT_EQUAL(judge("{not: {not: {key: Z, op: absent}}}", "{}"), 1);
    /* Block style reads the same as flow style. */
    CU_ASSERT_EQUAL(
        judge("\n    and:\n      - RequiredTenancy: DEDICATED\n      - {key: Permissions, op: not-empty}",
              "{\"RequiredTenancy\":\"DEDICATED\",\"Permissions\":[{\"SharedAccountId\":\"1\"}]}"),
        1);
}

static void test_rules_ops__shorthand(void)
{
    set_clock();
    /* {Key: value} is {key: Key, op: eq, value: value}, with the same typing. */
    CU_ASSERT_EQUAL(judge("{RequiredTenancy: DEDICATED}", "{\"RequiredTenancy\":\"DEDICATED\"}"), 1);
    CU_ASSERT_EQUAL(judge("{RequiredTenancy: DEDICATED}", "{\"RequiredTenancy\":\"DEFAULT\"}"), 0);
    CU_ASSERT_EQUAL(judge("{Updates.UpdateAvailable: true}", "{\"Updates\":{\"UpdateAvailable\":true}}"), 1);
    CU_ASSERT_EQUAL(judge("{Updates.UpdateAvailable: true}", "{\"Updates\":{\"UpdateAvailable\":\"true\"}}"),
                    0);
    CU_ASSERT_EQUAL(judge("{\"P[].A\": x}", "{\"P\":[{\"A\":\"y\"},{\"A\":\"x\"}]}"), 1);
    CU_ASSERT_EQUAL(judge_vars("vars: {state: ERROR}", "{State: {var: state}}", "{\"State\":\"ERROR\"}"), 1);
    /* A list or a null in shorthand is a mistake, reported at load. */
    CU_ASSERT_EQUAL(judge("{State: [a, b]}", "{}"), VERDICT_ERROR);
    CU_ASSERT_EQUAL(judge("{State: }", "{}"), VERDICT_ERROR);
}

static void test_rules_ops__variables(void)
{
    const char *vars = "vars:\n  trusted: [\"111\", \"222\"]\n  limit: 5\n  pattern: '^ab'\n  age: 30\n";

    set_clock();
    CU_ASSERT_EQUAL(judge_vars(vars, "{key: A, op: in, value: {var: trusted}}", "{\"A\":\"222\"}"), 1);
    CU_ASSERT_EQUAL(judge_vars(vars, "{key: A, op: in, value: {var: trusted}}", "{\"A\":\"333\"}"), 0);
    CU_ASSERT_EQUAL(judge_vars(vars, "{key: N, op: gt, value: {var: limit}}", "{\"N\":6}"), 1);
    CU_ASSERT_EQUAL(judge_vars(vars, "{key: S, op: regex, value: {var: pattern}}", "{\"S\":\"abc\"}"), 1);
    CU_ASSERT_EQUAL(
        judge_vars(vars, "{key: T, op: older-than, value: {var: age}}", "{\"T\":\"2026-10-01T00:00:00Z\"}"),
        1);
    /* Wrong shape for the op, or undefined: the rule does not load. */
    CU_ASSERT_EQUAL(judge_vars(vars, "{key: A, op: in, value: {var: limit}}", "{}"), VERDICT_ERROR);
    CU_ASSERT_EQUAL(judge_vars(vars, "{key: A, op: eq, value: {var: trusted}}", "{}"), VERDICT_ERROR);
    CU_ASSERT_EQUAL(judge_vars(vars, "{key: A, op: eq, value: {var: missing}}", "{}"), VERDICT_ERROR);
}

static void test_rules_ops__variables_later_files_win(void)
{
    const char *rule_text = "vars: {owner: \"111\"}\nrules:\n- id: t\n  title: t\n  severity: low\n"
                            "  resource: workspaces_image\n  when: {OwnerAccountId: {var: owner}}\n";
    const char *vars_a = "vars: {owner: \"222\"}\n", *vars_b = "vars: {owner: \"333\"}\n";
    rules_source rule = {"r.yaml", rule_text, strlen(rule_text)};
    rules_source vars[2] = {{"a.yaml", vars_a, strlen(vars_a)}, {"b.yaml", vars_b, strlen(vars_b)}};
    const char *owners[] = {"{\"OwnerAccountId\":\"111\"}", "{\"OwnerAccountId\":\"222\"}",
                            "{\"OwnerAccountId\":\"333\"}"};
    int expect_with[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};

    set_clock();
    /* No vars file: the rule file's own value; then each later file replaces the one before. */
    for (size_t n_vars = 0; n_vars <= 2; n_vars++) {
        rules_set *set = NULL;
        rules_diags diags;
        ia_err err;

        rules_diags_init(&diags);
        CU_ASSERT_EQUAL_FATAL(rules_load_sources(&rule, 1, vars, n_vars, &set, &diags, &err), 0);
        for (size_t k = 0; k < 3; k++) {
            cJSON *data = cJSON_Parse(owners[k]);
            snap_resource ref;

            make_ref(&ref, data);
            CU_ASSERT_EQUAL(rules_rule_fails(set, 0, &ref, &g_clock) ? 1 : 0, expect_with[n_vars][k]);
            cJSON_Delete(data);
        }
        rules_set_free(set);
        rules_diags_free(&diags);
    }
}

static void test_rules_ops__templates(void)
{
    const char *img = "{\"Name\":\"golden\",\"ImageId\":\"wsi-1\",\"Size\":80,\"Ratio\":0.5,\"On\":true,"
                      "\"P\":[{\"A\":\"111\"},{\"A\":\"222\"}],\"Tags\":[\"x\",\"y\"],\"Empty\":[],"
                      "\"Obj\":{\"k\":\"v\"}}";

    set_clock();
    RENDERS("{Name} ({ImageId})", img, "golden (wsi-1)");
    RENDERS("shared with {P[].A}", img, "shared with 111, 222");
    RENDERS("tags {Tags}", img, "tags x, y");
    RENDERS("{Size} GB, {Ratio}, {On}", img, "80 GB, 0.5, true");
    RENDERS("in {account}/{region}", img, "in 111122223333/eu-west-1");
    RENDERS("missing: {Nope}, {P[].B}, {Empty}", img, "missing: (none), (none), (none)");
    RENDERS("{{literal}} {Name}", img, "{literal} golden");
    RENDERS("obj {Obj}", img, "obj {\"k\":\"v\"}");
    RENDERS("{ Name }", img, "golden");
    RENDERS("no placeholders", img, "no placeholders");
}

static void test_rules_ops__message_defaults_to_title(void)
{
    rules_set *set = load_rule(NULL, "{key: Name, op: present}", NULL);
    cJSON *data = cJSON_Parse("{\"Name\":\"x\"}");
    snap_resource ref;
    char *msg;

    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    make_ref(&ref, data);
    msg = rules_rule_message(set, 0, &ref, &g_clock);
    CU_ASSERT_STRING_EQUAL(msg, "Test rule");
    free(msg);
    cJSON_Delete(data);
    rules_set_free(set);
}

static void test_rules_ops__yaml_scalar_typing(void)
{
    set_clock();
    /* YAML 1.2 core schema: hex and exponents are numbers; yes/no/on are strings. */
    CU_ASSERT_EQUAL(judge("{N: 0x10}", "{\"N\":16}"), 1);
    CU_ASSERT_EQUAL(judge("{N: 1e3}", "{\"N\":1000}"), 1);
    CU_ASSERT_EQUAL(judge("{N: yes}", "{\"N\":\"yes\"}"), 1);
    CU_ASSERT_EQUAL(judge("{N: yes}", "{\"N\":true}"), 0);
    CU_ASSERT_EQUAL(judge("{N: !!str 12}", "{\"N\":\"12\"}"), 1);
    CU_ASSERT_EQUAL(judge("{N: 'True'}", "{\"N\":true}"), 0);
    CU_ASSERT_EQUAL(judge("{N: True}", "{\"N\":true}"), 1);
    CU_ASSERT_EQUAL(judge("{N: 012}", "{\"N\":12}"), 1);
}

/*
 * not-in over a list of 200,000 trusted accounts, for an image shared with all of them: each share is
 * looked up in log time. A scan of the list for each share (as before) takes minutes at this size.
 */
static void test_rules_ops__long_in_list_is_not_scanned_per_value(void)
{
    enum { N = 200000 };
    static const char rule[] =
        "rules:\n- id: t\n  title: Test rule\n  severity: low\n  resource: workspaces_image\n"
        "  when: {key: \"P[].A\", op: not-in, value: {var: trusted}}\n";
    buf vars;
    cJSON *data = cJSON_CreateObject(), *perms = cJSON_AddArrayToObject(data, "P");
    rules_source rsrc = {"rule.yaml", rule, sizeof(rule) - 1}, vsrc;
    rules_set *set = NULL;
    rules_diags diags;
    snap_resource ref;
    ia_err err;
    char id[16];
    double t0, secs;
    bool written = true;

    set_clock();
    buf_init(&vars, 0);
    CU_ASSERT_EQUAL_FATAL(buf_puts(&vars, "vars:\n  trusted: [7, true"), 0);
    for (size_t i = 0; i < N; i++) {
        cJSON *p = cJSON_CreateObject();

        snprintf(id, sizeof(id), "%012zu", 100000000000 + i * 7919 % N);
        written = written && buf_printf(&vars, ", \"%s\"", id) == 0;
        snprintf(id, sizeof(id), "%012zu", 100000000000 + i);
        cJSON_AddStringToObject(p, "A", id);
        cJSON_AddItemToArray(perms, p);
    }
    CU_ASSERT_FATAL(written && buf_puts(&vars, "]\n") == 0);
    vsrc = (rules_source){"vars.yaml", buf_str(&vars), vars.len};
    rules_diags_init(&diags);
    CU_ASSERT_EQUAL_FATAL(rules_load_sources(&rsrc, 1, &vsrc, 1, &set, &diags, &err), 0);
    make_ref(&ref, data);
    t0 = testutil_cpu_seconds();
    CU_ASSERT_FALSE(rules_rule_fails(set, 0, &ref, &g_clock)); /* every share is to a trusted account */
    cJSON_ReplaceItemInObject(cJSON_GetArrayItem(perms, N / 2), "A", cJSON_CreateString("999988887777"));
    CU_ASSERT_TRUE(rules_rule_fails(set, 0, &ref, &g_clock)); /* one is not */
    secs = testutil_cpu_seconds() - t0;
    fprintf(stderr, "\n  %d shares judged against %d trusted accounts in %.2f s of CPU\n", N, N, secs);
    CU_ASSERT(secs < 10.0);
    rules_set_free(set);
    rules_diags_free(&diags);
    buf_free(&vars);
    cJSON_Delete(data);
}

/* The message of a rule with this vars block and condition, filled for a resource that fails it; owned. */
static char *render_failure(const char *vars, const char *cond, const char *message, const char *json)
{
    rules_set *set = load_rule(vars, cond, message);
    cJSON *data = cJSON_Parse(json);
    snap_resource ref;
    char *out = NULL;

    if (set && data) {
        make_ref(&ref, data);
        CU_ASSERT(rules_rule_fails(set, 0, &ref, &g_clock));
        out = rules_rule_message(set, 0, &ref, &g_clock);
    }
    cJSON_Delete(data);
    rules_set_free(set);
    return out;
}

#define MATCHED(vars, cond, message, json, expected)                                                         \
    check_rendered(render_failure(vars, cond, message, json), expected)

#define SHARES                                                                                               \
    "{\"Name\":\"golden\",\"State\":\"ERROR\",\"Permissions\":[{\"SharedAccountId\":\"111122223333\"},"      \
    "{\"SharedAccountId\":\"999999999999\"},{\"SharedAccountId\":\"444455556666\"},"                         \
    "{\"SharedAccountId\":\"888888888888\"}]}"

static void test_rules_ops__matched_walk_names_only_the_elements_that_hold(void)
{
    const char *vars = "vars:\n  trusted: [\"111122223333\", \"444455556666\"]\n";

    set_clock();
    /* not-in over a walk: the untrusted accounts only, in the resource's order. */
    MATCHED(vars, "{key: \"Permissions[].SharedAccountId\", op: not-in, value: {var: trusted}}",
            "shared with {matched}", SHARES, "shared with 999999999999, 888888888888");
    /* The placeholder for the key names every account, trusted or not. */
    MATCHED(vars, "{key: \"Permissions[].SharedAccountId\", op: not-in, value: {var: trusted}}",
            "{Permissions[].SharedAccountId}", SHARES,
            "111122223333, 999999999999, 444455556666, 888888888888");
    MATCHED(NULL, "{key: \"Permissions[].SharedAccountId\", op: in, value: [\"444455556666\", \"1\"]}",
            "{matched}", SHARES, "444455556666");
    MATCHED(NULL, "{key: \"Permissions[].SharedAccountId\", op: regex, value: \"^(9|8)\"}", "{matched}",
            SHARES, "999999999999, 888888888888");
    MATCHED(NULL, "{key: \"Permissions[].SharedAccountId\", op: eq, value: \"444455556666\"}", "{matched}",
            SHARES, "444455556666");
    /* contains over a walk: the elements equal to the value. */
    MATCHED(NULL, "{key: \"Permissions[].SharedAccountId\", op: contains, value: \"111122223333\"}",
            "{matched}", SHARES, "111122223333");
}

static void test_rules_ops__matched_plain_key_is_its_value(void)
{
    set_clock();
    MATCHED(NULL, "{State: ERROR}", "{matched}", SHARES, "ERROR");
    MATCHED(NULL, "{key: Size, op: gt, value: 5}", "size {matched}", "{\"Size\": 7.5}", "size 7.5");
    /* A plain key holding a list shows its elements, as {path} does. */
    MATCHED(NULL, "{key: Tags, op: not-empty}", "{matched}", "{\"Tags\": [\"a\", \"b\"]}", "a, b");
    /* A missing key holds ne, but names nothing. */
    MATCHED(NULL, "{key: State, op: ne, value: AVAILABLE}", "[{matched}]", "{}", "[(none)]");
}

static void test_rules_ops__matched_and_or_not(void)
{
    set_clock();
    /* and: every branch, in order, each value once. */
    MATCHED(NULL, "{and: [{State: ERROR}, {Name: golden}, {State: ERROR}]}", "{matched}", SHARES,
            "ERROR, golden");
    /* or: only the branches that hold. */
    MATCHED(NULL, "{or: [{State: AVAILABLE}, {Name: golden}, {State: ERROR}]}", "{matched}", SHARES,
            "golden, ERROR");
    /* not: what does not hold names nothing. */
    MATCHED(NULL, "{and: [{not: {Name: other}}, {State: ERROR}]}", "{matched}", SHARES, "ERROR");
    MATCHED(NULL, "{and: [{State: ERROR}, {key: Missing, op: absent}]}", "{matched}", SHARES, "ERROR");
}

static void test_rules_ops__matched_key_takes_only_that_key(void)
{
    const char *cond =
        "{and: [{Name: golden}, {key: \"Permissions[].SharedAccountId\", op: regex, value: \"^9\"}]}";

    set_clock();
    MATCHED(NULL, cond, "{matched:Permissions[].SharedAccountId} ({matched:Name})", SHARES,
            "999999999999 (golden)");
    /* The key's branch of an or did not hold: nothing matched. */
    MATCHED(NULL, "{or: [{State: ERROR}, {Name: other}]}", "{matched:Name}", SHARES, "(none)");
    /* Spaces around the key are allowed, as around a path. */
    MATCHED(NULL, "{State: ERROR}", "{ matched: State }", SHARES, "ERROR");
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"eq", test_rules_ops__eq},
        {"ne", test_rules_ops__ne},
        {"lt_le_gt_ge", test_rules_ops__ordering},
        {"in_and_not_in", test_rules_ops__in_and_not_in},
        {"in_a_long_list", test_rules_ops__in_a_long_list},
        {"long_in_list_is_not_scanned_per_value", test_rules_ops__long_in_list_is_not_scanned_per_value},
        {"contains_and_not_contains", test_rules_ops__contains},
        {"regex", test_rules_ops__regex},
        {"present_and_absent", test_rules_ops__present_and_absent},
        {"empty_and_not_empty", test_rules_ops__empty_and_not_empty},
        {"older_than_and_newer_than", test_rules_ops__older_and_newer},
        {"account_and_region", test_rules_ops__account_and_region},
        {"combinators", test_rules_ops__combinators},
        {"shorthand", test_rules_ops__shorthand},
        {"variables", test_rules_ops__variables},
        {"variables_later_files_win", test_rules_ops__variables_later_files_win},
        {"templates", test_rules_ops__templates},
        {"message_defaults_to_title", test_rules_ops__message_defaults_to_title},
        {"yaml_scalar_typing", test_rules_ops__yaml_scalar_typing},
        {"matched_walk_names_only_the_elements_that_hold",
         test_rules_ops__matched_walk_names_only_the_elements_that_hold},
        {"matched_plain_key_is_its_value", test_rules_ops__matched_plain_key_is_its_value},
        {"matched_and_or_not", test_rules_ops__matched_and_or_not},
        {"matched_key_takes_only_that_key", test_rules_ops__matched_key_takes_only_that_key},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("rules_ops", tests);
}
