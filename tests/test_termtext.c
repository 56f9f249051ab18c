/* Human text for a terminal: every control character, C1 control and stray byte made visible. */
#define _GNU_SOURCE /* open_memstream */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "util/termtext.h"

static void test_termtext__plain_text_and_utf8_pass_as_they_are(void)
{
    char out[128];

    /* A backslash, a no-break space (U+00A0, just past the C1 range), a CJK name and an emoji. */
    CU_ASSERT_STRING_EQUAL(termtext_escape(out, sizeof(out), "a\\b \xC2\xA0 \xE5\x90\x8D \xF0\x9F\x9A\x80"),
                           "a\\b \xC2\xA0 \xE5\x90\x8D \xF0\x9F\x9A\x80");
    CU_ASSERT_STRING_EQUAL(termtext_escape(out, sizeof(out), NULL), "");
}

static void test_termtext__c0_controls_and_del_are_escaped(void)
{
    char out[128];

    CU_ASSERT_STRING_EQUAL(termtext_escape(out, sizeof(out), "a\tb\nc\rd\x1b[31me\x01\x7f"),
                           "a\\tb\\nc\\rd\\x1b[31me\\x01\\x7f");
}

static void test_termtext__c1_controls_and_stray_bytes_are_escaped(void)
{
    char out[128];

    /* U+009B (CSI) as UTF-8, a raw 0x9B, a cut-off sequence and an overlong form. */
    CU_ASSERT_STRING_EQUAL(termtext_escape(out, sizeof(out), "x\xC2\x9By\x9Bz\xE2\x80"),
                           "x\\xc2\\x9by\\x9bz\\xe2\\x80");
    CU_ASSERT_STRING_EQUAL(termtext_escape(out, sizeof(out), "\xC0\xAF"), "\\xc0\\xaf");
}

static void test_termtext__a_cut_never_splits_an_escape_or_a_character(void)
{
    char out[12];

    /* 11 bytes of room: "ab" + "\x1b" is 6, the next "\x1b" would pass the 8 left before the ellipsis. */
    CU_ASSERT_STRING_EQUAL(termtext_escape(out, sizeof(out), "ab\x1b\x1b\x1b"), "ab\\x1b\xE2\x80\xA6");
    CU_ASSERT_STRING_EQUAL(
        termtext_escape(out, sizeof(out), "\xE5\x90\x8D\xE5\x90\x8D\xE5\x90\x8D\xE5\x90\x8D"),
        "\xE5\x90\x8D\xE5\x90\x8D\xE2\x80\xA6");
    CU_ASSERT_STRING_EQUAL(termtext_escape(out, sizeof(out), "0123456789"), "0123456789");
}

static void test_termtext__printf_keeps_only_the_final_line_end(void)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&mem, &len);

    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    CU_ASSERT_EQUAL(termtext_printf(fp, "error: %s (%s)\n", "Evil\r\nimgaudit: ok", "id\x1b]0;t\x07"), 0);
    CU_ASSERT_EQUAL(termtext_printf(fp, "%s", "no line end\n\n"), 0);
    fclose(fp);
    CU_ASSERT_STRING_EQUAL(mem, "error: Evil\\r\\nimgaudit: ok (id\\x1b]0;t\\x07)\nno line end\\n\n");
    free(mem);
}

static CU_TestInfo tests[] = {
    {"plain text and UTF-8 pass as they are", test_termtext__plain_text_and_utf8_pass_as_they_are},
    {"C0 controls (TAB, CR, LF too) and DEL are escaped", test_termtext__c0_controls_and_del_are_escaped},
    {"C1 controls and bytes not UTF-8 are escaped", test_termtext__c1_controls_and_stray_bytes_are_escaped},
    {"a cut never splits an escape or a character",
     test_termtext__a_cut_never_splits_an_escape_or_a_character},
    {"printf keeps only the final line end", test_termtext__printf_keeps_only_the_final_line_end},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return testutil_run("termtext", tests);
}
