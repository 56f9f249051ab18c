#ifndef IMGAUDIT_REPORT_JUNIT_H
#define IMGAUDIT_REPORT_JUNIT_H

/*
 * The JUnit XML report, for CI systems. One <testsuite> per rule (or per
 * account), one <testcase> per resource judged; a failure is <failure
 * type="<severity>">, a waived result <skipped>, and each collection error a
 * <testcase> with <error> in a suite named "collection", so an account that
 * could not be read turns a CI run red. <testsuites> carries the totals
 * (tests, failures, errors, skipped, time), the sums over its suites.
 * Test case names are unique within a suite: "ID NAME (ACCOUNT REGION)" in a
 * rule's suite, "RULE ID NAME (REGION)" in an account's, "SERVICE OPERATION
 * (ACCOUNT REGION)" in the collection suite. A rule suite's "file" property is
 * the rule file's name without its folders. With omit_passes (for fleets so
 * large that a test case per passed check makes the file too big to use), the
 * passed test cases are left out but still counted: each suite's tests stays
 * failures + errors + skipped + passed, the passed ones named by a "passed"
 * property, and so do the totals. The suites validate against both
 * the Jenkins xUnit schema and the Ant-style windyroad schema (id and package
 * on each suite, times with at most three decimals, timestamps without a
 * zone); the totals on <testsuites> are outside both (windyroad allows no
 * attribute there, Jenkins xUnit no skipped).
 */

#include <stdio.h>

#include "report/tally.h"
#include "rules/results.h"
#include "util/err.h"

typedef enum junit_group {
    JUNIT_GROUP_RULE = 0, /* one suite per rule */
    JUNIT_GROUP_ACCOUNT   /* one suite per account, for CI that groups by account */
} junit_group;

typedef struct junit_options {
    junit_group group_by;
    const char *hostname; /* suites' hostname; NULL: this machine's name, or "localhost" */
    int omit_passes;      /* leave passed test cases out (--no-junit-passes); the counts still include them */
} junit_options;

/* Parses a --junit-group-by value ("rule" or "account"). Returns 0, or -1 when s is neither. */
int junit_parse_group(const char *s, junit_group *out);

/*
 * Writes the report for r to out, streaming through a buffered writer: the
 * memory used does not grow with the number of results (but for an index of
 * the results when grouped by account). opt may be NULL for the defaults.
 * Strings from the results are cleaned for XML 1.0 (control characters
 * dropped, invalid UTF-8 replaced) and escaped (report/xmltext.h). out stays
 * open and owned by the caller. Returns 0, or -1 with err set: IA_ERR_IO when
 * writing fails, IA_ERR_NOMEM, or as tally_compute when the results are
 * inconsistent.
 */
int junit_write(const results *r, const junit_options *opt, FILE *out, ia_err *err);

/* The same with the tally of r computed beforehand (shared by several writers, only read); NULL computes it.
 */
int junit_write_with(const results *r, const junit_options *opt, const tally *given, FILE *out, ia_err *err);

#endif
