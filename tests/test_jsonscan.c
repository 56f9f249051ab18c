/* The JSON scanner that finds a large document's pieces without building them (util/jsonscan.h). */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "util/jsonscan.h"

/* The text of item's value. */
static char *value_of(const char *text, const jsonscan_item *item)
{
    static char out[256];
    size_t n = item->value_end - item->value;

    CU_ASSERT_FATAL(n < sizeof(out));
    memcpy(out, text + item->value, n);
    out[n] = '\0';
    return out;
}

static void test_jsonscan__members_and_elements_found_whole(void)
{
    /* Brackets, quotes and escaped backslashes inside strings do not end a value. */
    static const char text[] = " {\"a\" : [1, {\"b\": \"]}\\\"\"}], \"s\":\"x\\\\\", \"\":{}, \"n\": -1.5e3 ,"
                               "\"t\":true} trailing";
    jsonscan s, inner;
    jsonscan_item m, e;

    CU_ASSERT_EQUAL_FATAL(jsonscan_open(&s, text, strlen(text), 0, '{'), 0);
    CU_ASSERT_EQUAL_FATAL(jsonscan_next(&s, &m), 1);
    CU_ASSERT_TRUE(jsonscan_key_is(&s, &m, "a"));
    CU_ASSERT_STRING_EQUAL(value_of(text, &m), "[1, {\"b\": \"]}\\\"\"}]");
    /* Its nesting, brackets in strings left out. */
    CU_ASSERT_EQUAL(m.depth, 2);
    /* The elements of that value, walked in turn. */
    CU_ASSERT_EQUAL_FATAL(jsonscan_open(&inner, text, strlen(text), m.value, '['), 0);
    CU_ASSERT_EQUAL_FATAL(jsonscan_next(&inner, &e), 1);
    CU_ASSERT_STRING_EQUAL(value_of(text, &e), "1");
    CU_ASSERT_EQUAL(e.key_len, 0);
    CU_ASSERT_EQUAL_FATAL(jsonscan_next(&inner, &e), 1);
    CU_ASSERT_STRING_EQUAL(value_of(text, &e), "{\"b\": \"]}\\\"\"}");
    CU_ASSERT_EQUAL(jsonscan_next(&inner, &e), 0);
    CU_ASSERT_TRUE(inner.closed);
    CU_ASSERT_EQUAL(inner.at, m.value_end);
    CU_ASSERT_EQUAL_FATAL(jsonscan_next(&s, &m), 1);
    CU_ASSERT_TRUE(jsonscan_key_is(&s, &m, "s"));
    CU_ASSERT_STRING_EQUAL(value_of(text, &m), "\"x\\\\\"");
    CU_ASSERT_EQUAL(m.depth, 0);
    CU_ASSERT_EQUAL_FATAL(jsonscan_next(&s, &m), 1);
    CU_ASSERT_TRUE(jsonscan_key_is(&s, &m, ""));
    CU_ASSERT_STRING_EQUAL(value_of(text, &m), "{}");
    CU_ASSERT_EQUAL(m.depth, 1);
    CU_ASSERT_EQUAL_FATAL(jsonscan_next(&s, &m), 1);
    CU_ASSERT_STRING_EQUAL(value_of(text, &m), "-1.5e3");
    CU_ASSERT_EQUAL_FATAL(jsonscan_next(&s, &m), 1);
    CU_ASSERT_TRUE(jsonscan_key_is(&s, &m, "t"));
    CU_ASSERT_FALSE(jsonscan_key_is(&s, &m, "tt"));
    CU_ASSERT_EQUAL(jsonscan_next(&s, &m), 0);
    /* What follows the object is the reader's business. */
    CU_ASSERT_STRING_EQUAL(text + s.at, " trailing");
    CU_ASSERT_EQUAL(jsonscan_next(&s, &m), 0);
}

/* Where each broken text stops the walk. */
static void test_jsonscan__syntax_errors_stop_where_they_are(void)
{
    static const struct {
        const char *text;
        size_t at;
    } cases[] = {
        {"{\"a\":1 \"b\":2}", 7}, /* a comma missing */
        {"{\"a\" 1}", 5},         /* a colon missing */
        {"{a:1}", 1},             /* a key not a string */
        {"{\"a\":1,}", 7},        /* a comma before the end */
        {"{\"a\":}", 5},          /* no value */
        {"{\"a\":[1,2}", 10},     /* not closed: the end of the text */
        {"{\"a\":\"open}", 11},   /* a string not closed */
        {"{\"a\":\"q\\\"}", 10},  /* its quote escaped */
        {"[1,,2]", 3},            /* an empty element */
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *t = cases[i].text;
        jsonscan s;
        jsonscan_item m;
        int rc;

        CU_ASSERT_EQUAL_FATAL(jsonscan_open(&s, t, strlen(t), 0, t[0]), 0);
        while ((rc = jsonscan_next(&s, &m)) == 1)
            ;
        CU_ASSERT_EQUAL(rc, -1);
        if (s.at != cases[i].at)
            fprintf(stderr, "\n%s: stopped at %zu\n", t, s.at);
        CU_ASSERT_EQUAL(s.at, cases[i].at);
    }
    {
        jsonscan s;

        CU_ASSERT_EQUAL(jsonscan_open(&s, "  [1]", 5, 0, '{'), -1);
        CU_ASSERT_EQUAL(s.at, 2);
    }
}

/* The walk over a long value says how far it has read, so that a reader can give back pages. */
static size_t g_passed_calls, g_passed_at;

static void record_passed(void *ud, size_t at)
{
    (void)ud;
    g_passed_calls++;
    g_passed_at = at;
}

static void test_jsonscan__long_values_report_progress(void)
{
    size_t n = 3 * JSONSCAN_PASSED_STEP + 100, len;
    char *text = malloc(n + 16);
    jsonscan s;
    jsonscan_item m;

    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    strcpy(text, "{\"r\":[");
    len = strlen(text);
    while (len < n) {
        memcpy(text + len, "[0],", 4);
        len += 4;
    }
    memcpy(text + len, "[0]]}", 6);
    len += 5;
    CU_ASSERT_EQUAL_FATAL(jsonscan_open(&s, text, len, 0, '{'), 0);
    s.passed = record_passed;
    CU_ASSERT_EQUAL_FATAL(jsonscan_next(&s, &m), 1);
    CU_ASSERT_EQUAL(m.value_end, len - 1);
    CU_ASSERT_EQUAL(g_passed_calls, 3);
    CU_ASSERT(g_passed_at >= 3 * JSONSCAN_PASSED_STEP && g_passed_at < len);
    free(text);
}

/* A string ends at its first quote not escaped, wherever it falls among the eight-byte words read at once. */
static void test_jsonscan__strings_end_at_any_offset(void)
{
    for (size_t n = 0; n < 40; n++) {
        for (size_t esc = 0; esc <= n; esc++) {
            char text[64];
            size_t len = 0;
            jsonscan s;
            jsonscan_item e;

            text[len++] = '[';
            text[len++] = '"';
            for (size_t i = 0; i < n; i++) {
                /* An escaped quote (and, for an even esc, an escaped backslash) at esc: neither ends it. */
                if (i == esc) {
                    text[len++] = '\\';
                    text[len++] = esc % 2 ? '"' : '\\';
                }
                text[len++] = (char)('a' + i % 26);
            }
            text[len++] = '"';
            text[len++] = ']';
            CU_ASSERT_EQUAL_FATAL(jsonscan_open(&s, text, len, 0, '['), 0);
            CU_ASSERT_EQUAL_FATAL(jsonscan_next(&s, &e), 1);
            CU_ASSERT_EQUAL(e.value, 1);
            CU_ASSERT_EQUAL(e.value_end, len - 1);
            CU_ASSERT_EQUAL(jsonscan_next(&s, &e), 0);
            /* Cut before its closing quote, it does not end. */
            CU_ASSERT_EQUAL_FATAL(jsonscan_open(&s, text, len - 2, 0, '['), 0);
            CU_ASSERT_EQUAL(jsonscan_next(&s, &e), -1);
            CU_ASSERT_EQUAL(s.at, len - 2);
        }
    }
}

static CU_TestInfo tests[] = {
    {"members and elements are found whole, brackets in strings skipped",
     test_jsonscan__members_and_elements_found_whole},
    {"syntax errors stop the walk where they are", test_jsonscan__syntax_errors_stop_where_they_are},
    {"a long value reports how far it has read", test_jsonscan__long_values_report_progress},
    {"a string ends at its first quote not escaped, at any offset", test_jsonscan__strings_end_at_any_offset},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return testutil_run("jsonscan", tests);
}
