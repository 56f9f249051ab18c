/*
 * The buffered writer and its JSON string escaper: byte for byte what cJSON
 * prints for well-formed UTF-8 (the JSON report's output did not change when
 * it stopped building cJSON values), '?' for each byte that is not UTF-8,
 * write errors kept until the end.
 */
#include <CUnit/CUnit.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "util/wbuf.h"

/* s as wbuf_json_string writes it; owned (free()). */
static char *escaped(const char *s)
{
    testutil_mem m;
    FILE *fp = testutil_mem_open(&m);
    wbuf w;

    CU_ASSERT_EQUAL_FATAL(wbuf_init(&w, fp), 0);
    wbuf_json_string(&w, s);
    CU_ASSERT_EQUAL(wbuf_finish(&w), 0);
    wbuf_free(&w);
    return testutil_mem_close(&m, NULL);
}

/* Asserts that wbuf_json_string writes s exactly as cJSON prints it. */
static void assert_as_cjson(const char *s)
{
    cJSON *v = cJSON_CreateString(s);
    char *want = cJSON_PrintUnformatted(v), *got = escaped(s);

    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n  wbuf_json_string: %.80s\n  cJSON:            %.80s\n", got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    free(got);
    cJSON_free(want);
    cJSON_Delete(v);
}

static void test_wbuf__json_string_is_what_cjson_prints(void)
{
    char controls[40], *lng = malloc(320001);
    size_t n = 0;

    for (int c = 1; c < 0x20; c++)
        controls[n++] = (char)c;
    controls[n++] = 0x7f;
    controls[n] = '\0';
    assert_as_cjson("");
    assert_as_cjson("plain ascii, nothing to escape: {}[]:,/'`~");
    assert_as_cjson(controls);
    assert_as_cjson("quote \" backslash \\ slash / tab\t newline\n cr\r bs\b ff\f");
    assert_as_cjson("\"\\\"\\");
    /* U+2028 and U+2029 are legal raw in JSON (RFC 8259); U+FFFD, an emoji and C1 as they are. */
    assert_as_cjson("line\xe2\x80\xa8sep\xe2\x80\xa9 caf\xc3\xa9 \xef\xbf\xbd \xf0\x9f\x98\x80 \xc2\x85");
    assert_as_cjson("<script>alert(1)</script>]]>&amp;");
    /* Longer than the writer's buffer, with escapes and UTF-8 sequences across its end. */
    CU_ASSERT_PTR_NOT_NULL_FATAL(lng);
    for (size_t i = 0; i + 8 <= 320000; i += 8)
        memcpy(lng + i, "xx\xc3\xa9x\"\n\\", 8);
    lng[320000] = '\0';
    assert_as_cjson(lng);
    free(lng);
}

static void test_wbuf__json_string_replaces_bytes_that_are_not_utf8(void)
{
    /* A stray continuation, bytes never in UTF-8, an overlong, a surrogate, past U+10FFFF, a cut sequence. */
    char *got = escaped("a\x80z \xff\xfe \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 ok\xc3\xa9 cut\xe2\x82");

    CU_ASSERT_STRING_EQUAL(got, "\"a?z ?? ?? ??? ???? ok\xc3\xa9 cut??\"");
    free(got);
    got = escaped(NULL);
    CU_ASSERT_STRING_EQUAL(got, "null");
    free(got);
}

static void test_wbuf__numbers_and_large_writes(void)
{
    testutil_mem m;
    FILE *fp = testutil_mem_open(&m);
    char *big = malloc(WBUF_SIZE * 2 + 1), *got;
    size_t len;
    wbuf w;

    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, 'b', WBUF_SIZE * 2);
    big[WBUF_SIZE * 2] = '\0';
    CU_ASSERT_EQUAL_FATAL(wbuf_init(&w, fp), 0);
    wbuf_uint(&w, 0);
    wbuf_putc(&w, ' ');
    wbuf_uint(&w, 18446744073709551615u);
    wbuf_putc(&w, ' ');
    wbuf_puts(&w, big);
    wbuf_puts(&w, "|end");
    CU_ASSERT_EQUAL(wbuf_finish(&w), 0);
    wbuf_free(&w);
    got = testutil_mem_close(&m, &len);
    CU_ASSERT_EQUAL(len, strlen("0 18446744073709551615 ") + WBUF_SIZE * 2 + 4);
    CU_ASSERT_EQUAL(strncmp(got, "0 18446744073709551615 bbb", 26), 0);
    CU_ASSERT_STRING_EQUAL(got + len - 5, "b|end");
    free(got);
    free(big);
}

static void test_wbuf__write_error_is_kept_until_finish(void)
{
    FILE *fp = testutil_dev_full();
    wbuf w;

    CU_ASSERT_EQUAL_FATAL(wbuf_init(&w, fp), 0);
    for (int i = 0; i < 100000; i++)
        wbuf_json_string(&w, "more than the buffer holds");
    CU_ASSERT_TRUE(w.failed);
    CU_ASSERT_EQUAL(wbuf_finish(&w), -1);
    CU_ASSERT_NOT_EQUAL(w.write_errno, 0);
    wbuf_free(&w);
    fclose(fp);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"json_string_is_what_cjson_prints", test_wbuf__json_string_is_what_cjson_prints},
        {"json_string_replaces_bytes_that_are_not_utf8",
         test_wbuf__json_string_replaces_bytes_that_are_not_utf8},
        {"numbers_and_large_writes", test_wbuf__numbers_and_large_writes},
        {"write_error_is_kept_until_finish", test_wbuf__write_error_is_kept_until_finish},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("wbuf", tests);
}
