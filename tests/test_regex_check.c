/*
 * The bounds on rule regular expressions: every pattern of tests/data/rules/regex_check/refused.txt is
 * refused with its reason, and every one of accepted.txt passes, compiles and matches as POSIX ERE.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/regex_check.h"
#include "testutil.h"

/* Calls fn with the tab-separated fields of each line of the data file that is not a comment. */
static size_t each_line(const char *rel, void (*fn)(char **fields, size_t n))
{
    char *text = testutil_read_file(testutil_data_path(rel), NULL), *line, *next;
    size_t lines = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (line = text; line && *line; line = next) {
        char *fields[3] = {line, NULL, NULL};
        size_t n = 1;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (*line == '#' || !*line)
            continue;
        for (char *tab = strchr(line, '\t'); tab && n < 3; tab = strchr(tab + 1, '\t')) {
            *tab = '\0';
            fields[n++] = tab + 1;
        }
        fn(fields, n);
        lines++;
    }
    free(text);
    return lines;
}

static void expect_refused(char **f, size_t n)
{
    char msg[256];

    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(regex_check(f[0], strlen(f[0]), msg, sizeof(msg)), -1);
    if (!strstr(msg, f[1]))
        fprintf(stderr, "\n  '%.60s': reason '%s' lacks '%s'\n", f[0], msg, f[1]);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, f[1]));
}

static void expect_accepted(char **f, size_t n)
{
    char msg[256];
    regex_t re;
    int rc;

    CU_ASSERT_EQUAL_FATAL(n, 3);
    rc = regex_check(f[0], strlen(f[0]), msg, sizeof(msg));
    if (rc != 0)
        fprintf(stderr, "\n  '%.60s' refused: %s\n", f[0], msg);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(msg, "");
    rc = regcomp(&re, f[0], REG_EXTENDED | REG_NOSUB);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    if ((regexec(&re, f[1], 0, NULL, 0) == 0) != (strcmp(f[2], "1") == 0))
        fprintf(stderr, "\n  '%.60s' on '%s': want %s\n", f[0], f[1], f[2]);
    CU_ASSERT_EQUAL(regexec(&re, f[1], 0, NULL, 0) == 0, strcmp(f[2], "1") == 0);
    regfree(&re);
}

static void test_regex_check__costly_patterns_are_refused_with_the_reason(void)
{
    CU_ASSERT(each_line("rules/regex_check/refused.txt", expect_refused) >= 20);
}

/* Everything within the bounds is still ERE, and the costliest patterns within them compile quickly. */
static void test_regex_check__patterns_within_bounds_keep_ere_semantics(void)
{
    double t0 = testutil_cpu_seconds(), secs;

    CU_ASSERT(each_line("rules/regex_check/accepted.txt", expect_accepted) >= 30);
    secs = testutil_cpu_seconds() - t0;
    fprintf(stderr, "\n  accepted patterns compiled in %.2f s of CPU\n", secs);
    /* About 0.5 s measured; an unbounded one (a{1,10000}) alone takes 4 s. */
    CU_ASSERT(secs < 10.0);
}

static void test_regex_check__syntax_errors_are_left_to_regcomp(void)
{
    static const char *const bad[] = {"(a", "[a", "a{2,1}", "a{", "\\", "[[:alpha:", "a{1,2", "(", "{1}"};
    char msg[64];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_EQUAL(regex_check(bad[i], strlen(bad[i]), msg, sizeof(msg)), 0);
}

static void test_regex_check__reason_fits_any_buffer(void)
{
    char msg[8] = "xxxxxxx";

    CU_ASSERT_EQUAL(regex_check("a{1000}", 7, msg, sizeof(msg)), -1);
    CU_ASSERT_STRING_EQUAL(msg, "repeats");
    CU_ASSERT_EQUAL(regex_check("a{1000}", 7, NULL, 0), -1);
    /* The length is the caller's: the bytes after it are not read. */
    CU_ASSERT_EQUAL(regex_check("a{2}{3}", 4, msg, sizeof(msg)), 0);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"costly_patterns_are_refused_with_the_reason",
         test_regex_check__costly_patterns_are_refused_with_the_reason},
        {"patterns_within_bounds_keep_ere_semantics",
         test_regex_check__patterns_within_bounds_keep_ere_semantics},
        {"syntax_errors_are_left_to_regcomp", test_regex_check__syntax_errors_are_left_to_regcomp},
        {"reason_fits_any_buffer", test_regex_check__reason_fits_any_buffer},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("regex_check", tests);
}
