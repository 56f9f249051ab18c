#ifndef IMGAUDIT_TESTUTIL_H
#define IMGAUDIT_TESTUTIL_H

/* Shared by the CUnit test programs: a runner and access to files under tests/data. */

#include <CUnit/CUnit.h>
#include <libxml/tree.h>
#include <stdio.h>

#include "util/err.h"

#include "rules/rules.h"

/*
 * Runs one suite of tests with CUnit's basic interface in verbose mode, so
 * the run prints CUnit's summary lines. Returns the process exit status: 0
 * when every test passed, 1 otherwise.
 */
int testutil_run(const char *suite, CU_TestInfo *tests);

/* Path of a file under tests/data (IMGAUDIT_SOURCE_DIR/tests/data/rel). Static buffer. */
const char *testutil_data_path(const char *rel);

/* Reads a whole file; owned result (free()), NULL if it cannot be read. len_out may be NULL. */
char *testutil_read_file(const char *path, size_t *len_out);

/* Writes text to a new temporary file and returns its path (owned: free()); the caller unlinks it. */
char *testutil_write_temp(const char *text);

/* Runs cmd (a shell line) and returns what it printed, owned (free()); *status its exit status (pclose). */
char *testutil_command_output(const char *cmd, int *status);

/*
 * A file the build writes from the tables (the man page, the completion),
 * checked against what its generator, write, writes now. When the
 * environment variable env names the built file, that file must equal it;
 * run by hand, outside ctest, what write writes goes to a temporary file.
 * Returns the text (owned: free()) and writes the file's path into path (with
 * env unset, a temporary file that the caller unlinks); NULL when either
 * cannot be had.
 */
char *testutil_built_file(const char *env, int (*write)(FILE *fp, ia_err *err), char *path, size_t size);

/*
 * The CPU time this process has used, in seconds: the bound of the tests that guard against quadratic
 * loops, which other processes on a loaded machine do not stretch as they stretch the wall clock.
 */
double testutil_cpu_seconds(void);

/* The number an XPath expression gives over doc (XML or HTML), or -1 when it cannot be evaluated. */
double testutil_xpath_num(xmlDocPtr doc, const char *expr);

/* The string value of an XPath expression over doc; owned (free()), "" when it cannot be evaluated. */
char *testutil_xpath_str(xmlDocPtr doc, const char *expr);

/* Asserts (CUnit) that the string value of expr over doc is want; prints both when not. */
void testutil_assert_xpath_str(xmlDocPtr doc, const char *expr, const char *want);

/* An in-memory output (open_memstream). */
typedef struct testutil_mem {
    char *text;
    size_t len;
    FILE *fp;
} testutil_mem;

/* Opens m for writing; a FATAL assertion that it opened. Returns m's stream. */
FILE *testutil_mem_open(testutil_mem *m);

/* Closes m and returns what was written, owned (free()), a FATAL assertion that there is some; its length
 * into len when not NULL. */
char *testutil_mem_close(testutil_mem *m, size_t *len);

/* /dev/full open for writing (every write fails, ENOSPC); a FATAL assertion that it opened. */
FILE *testutil_dev_full(void);

/* Removes the warnings from diags (frees them), keeping the errors in order: for tests about errors. */
void testutil_diags_errors_only(rules_diags *diags);

/*
 * s without the time a log line starts with when stderr is not a terminal
 * ("2026-12-03T06:50:00Z "), as under ctest; s itself when it has none. Borrowed: points into s.
 */
const char *testutil_untimed(const char *s);

#endif
