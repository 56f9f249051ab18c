#ifndef IMGAUDIT_REPORT_CONSOLE_H
#define IMGAUDIT_REPORT_CONSOLE_H

/*
 * The summary printed on stdout at the end of every evaluate/audit run: what
 * changed since the baseline (first, when one was applied), counts by status
 * and severity, the top failing rules, waivers, collection errors, the report
 * files written and whether the gate passed. Strings from the results have
 * their control characters escaped (util/termtext.h), so an image name cannot
 * send escape sequences to the terminal or break a line.
 */

#include <stddef.h>
#include <stdio.h>

#include "report/tally.h"
#include "rules/results.h"

/* A report file the run wrote, listed under "Reports written". Both strings borrowed. */
typedef struct console_file {
    const char *kind; /* "junit", "html", "json", ... */
    const char *path;
} console_file;

typedef struct console_options {
    int color;                 /* ANSI colours; decide with console_color_wanted */
    size_t top_rules;          /* failing rules listed; 0 means 5 */
    const console_file *files; /* borrowed; may be NULL */
    size_t n_files;
    tally_gate gate; /* all zero: not gated (--fail-on none) */
} console_options;

/*
 * Whether output to out should be coloured: only when out is a terminal, NO_COLOR is unset or
 * empty (no-color.org), and TERM is not "dumb".
 */
int console_color_wanted(FILE *out);

/*
 * Prints the summary of r to out. opt may be NULL for the defaults (no colour, not gated). Never
 * fails: if memory runs out for the counts, a one-line summary is printed instead.
 */
void console_summary(const results *r, const console_options *opt, FILE *out);

/*
 * The gate's verdict in one line, for a run that prints no summary (--quiet,
 * under cron or in CI), given the blocking failures tally_gate_count found:
 * "FAILED: 3 failures at or above high (gate --fail-on high)" into out (of
 * size bytes); "" when none blocks (the gate passed or is off).
 */
void console_gate_verdict(const tally_gate *g, size_t blocking, char *out, size_t size);

#endif
