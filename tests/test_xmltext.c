/* Cleaning hostile strings before they reach an XML/HTML serializer or a terminal. */
#include <CUnit/CUnit.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>

#include "report/xmltext.h"
#include "testutil.h"

#define FFFD "\xEF\xBF\xBD"

static void expect_clean(const char *in, size_t max, const char *want)
{
    buf scratch;
    const char *got;

    buf_init(&scratch, 0);
    got = xmltext_clean(&scratch, in, max);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n  clean(\"%s\", %zu) = \"%s\", want \"%s\"\n", in, max, got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    CU_ASSERT(xmltext_is_clean(got, max));
    buf_free(&scratch);
}

static void test_xmltext__clean_text_is_handed_back_without_a_copy(void)
{
    static const char text[] = "golden-win11 \xC3\xBC \xE5\x90\x8D \xF0\x9F\x9A\x80 tab\there\r\n <&>\"'";
    buf scratch;

    buf_init(&scratch, 0);
    CU_ASSERT_PTR_EQUAL(xmltext_clean(&scratch, text, 0), text);
    CU_ASSERT_PTR_EQUAL(xmltext_clean(&scratch, text, sizeof(text) - 1), text);
    CU_ASSERT_PTR_NULL(scratch.data);
    CU_ASSERT_STRING_EQUAL(xmltext_clean(&scratch, NULL, 0), "");
    CU_ASSERT(xmltext_is_clean(text, 0));
    CU_ASSERT(xmltext_is_clean(NULL, 0));
    CU_ASSERT(!xmltext_is_clean(text, 10));
    buf_free(&scratch);
}

static void test_xmltext__control_characters_are_dropped(void)
{
    expect_clean("a\x01"
                 "b\x08"
                 "c\x0B"
                 "d\x0C"
                 "e\x1B[31mf\x1F"
                 "g\x7F"
                 "h",
                 0,
                 "abcd"
                 "e[31mfgh");
    /* C1 controls (U+0085 NEL, U+009B CSI) and the non-characters U+FFFE, U+FFFF. */
    expect_clean("x\xC2\x85y\xC2\x9Bz\xEF\xBF\xBE\xEF\xBF\xBFw", 0, "xyzw");
    /* TAB, LF and CR are allowed in XML 1.0 and stay; so do U+00A0 and U+FFFD itself. */
    expect_clean("\t\n\r\x01\xC2\xA0" FFFD, 0, "\t\n\r\xC2\xA0" FFFD);
}

static void test_xmltext__invalid_utf8_becomes_one_replacement_per_bad_sequence(void)
{
    expect_clean("a\xFF"
                 "b",
                 0, "a" FFFD "b");
    expect_clean("stray \x80\xBF", 0, "stray " FFFD FFFD);
    /* Overlong forms. */
    expect_clean("\xC0\xAF \xC1\xBF", 0, FFFD FFFD " " FFFD FFFD);
    expect_clean("\xE0\x80\xAF", 0, FFFD FFFD FFFD);
    expect_clean("\xF0\x80\x80\xAF", 0, FFFD FFFD FFFD FFFD);
    /* Surrogates, and past U+10FFFF; U+10FFFF itself is fine. */
    expect_clean("\xED\xA0\x80", 0, FFFD FFFD FFFD);
    expect_clean("\xF4\x90\x80\x80 \xF5\x80", 0, FFFD FFFD FFFD FFFD " " FFFD FFFD);
    expect_clean("\xF4\x8F\xBF\xBF\x01", 0, "\xF4\x8F\xBF\xBF");
    /* A sequence cut short is one replacement (its valid prefix), and the next character survives. */
    expect_clean("\xE2\x82"
                 "A",
                 0, FFFD "A");
    expect_clean("\xF0\x9F\x9A", 0, FFFD);
}

static void test_xmltext__long_strings_are_cut_on_a_character_boundary(void)
{
    /* 10 bytes fit in 10; 11 do not: cut to 7 bytes plus the 3-byte ellipsis. */
    expect_clean("0123456789\x01", 10, "0123456789");
    expect_clean("0123456789A", 10, "0123456\xE2\x80\xA6");
    /* The cut never splits a character: "\xC3\xBC" is two bytes. */
    expect_clean("\xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC", 10,
                 "\xC3\xBC\xC3\xBC\xC3\xBC\xE2\x80\xA6");
    expect_clean("\xF0\x9F\x9A\x80\xF0\x9F\x9A\x80\xF0\x9F\x9A\x80", 9, "\xF0\x9F\x9A\x80\xE2\x80\xA6");
    /* Too small for an ellipsis: just cut. */
    expect_clean("abcdef\x01", 2, "");
}

static int g_prev_called;

static void prev_handler(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    (void)e;
    g_prev_called++;
}

static void test_xmltext__libxml2_errors_are_captured_then_the_handler_is_restored(void)
{
    xmltext_errors cap;
    xmlDocPtr doc;

    xmlSetStructuredErrorFunc(NULL, prev_handler);
    xmltext_errors_begin(&cap);
    doc = xmlReadMemory("<a><b></a>", 10, "broken.xml", NULL, XML_PARSE_NONET);
    xmltext_errors_end(&cap);
    CU_ASSERT_PTR_NULL(doc);
    CU_ASSERT(strlen(cap.msg) > 0);
    CU_ASSERT_PTR_NULL(strchr(cap.msg, '\n'));
    CU_ASSERT_EQUAL(g_prev_called, 0);
    doc = xmlReadMemory("<a>", 3, "broken.xml", NULL, XML_PARSE_NONET);
    CU_ASSERT_PTR_NULL(doc);
    CU_ASSERT(g_prev_called > 0);
    xmlSetStructuredErrorFunc(NULL, NULL);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"clean_text_is_handed_back_without_a_copy", test_xmltext__clean_text_is_handed_back_without_a_copy},
        {"control_characters_are_dropped", test_xmltext__control_characters_are_dropped},
        {"invalid_utf8_becomes_one_replacement_per_bad_sequence",
         test_xmltext__invalid_utf8_becomes_one_replacement_per_bad_sequence},
        {"long_strings_are_cut_on_a_character_boundary",
         test_xmltext__long_strings_are_cut_on_a_character_boundary},
        {"libxml2_errors_are_captured_then_the_handler_is_restored",
         test_xmltext__libxml2_errors_are_captured_then_the_handler_is_restored},
        CU_TEST_INFO_NULL,
    };
    int rc = testutil_run("xmltext", tests);

    xmlCleanupParser();
    return rc;
}
