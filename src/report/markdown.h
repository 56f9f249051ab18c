#ifndef IMGAUDIT_REPORT_MARKDOWN_H
#define IMGAUDIT_REPORT_MARKDOWN_H

/*
 * The Markdown summary (`--markdown FILE`), for a CI job's page: GitHub's
 * $GITHUB_STEP_SUMMARY, a GitLab merge-request comment. It says the gate's
 * verdict, the counts by severity (failed, waived), the top failing rules,
 * what is new since the baseline and how much was resolved, and the
 * collection gaps. Every list stops at MARKDOWN_LIST_MAX entries with "and N
 * more", and every string at MARKDOWN_FIELD_MAX characters, so the summary
 * stays short whatever the size of the fleet.
 *
 * Every string that is not the summary's own (rule ids and titles, accounts,
 * regions, resource ids and names, error codes) is escaped: control
 * characters and line breaks become spaces, '<', '>' and '&' character
 * references (no HTML runs), and the ASCII punctuation Markdown gives a
 * meaning to inside a line ('\\', '`', '*', '_', '[', ']', '#', '|', '~', '$',
 * ':') a backslash escape. Bidirectional controls become spaces, and an '@' is
 * followed by a zero-width space (U+200B), so that a name such as "@all" or
 * "@org/team" mentions no one on GitHub or GitLab.
 */

#include <stdio.h>

#include "report/tally.h"
#include "rules/results.h"
#include "util/err.h"

#define MARKDOWN_LIST_MAX  10
#define MARKDOWN_FIELD_MAX 120

typedef struct markdown_options {
    tally_gate gate; /* all zero: not gated (--fail-on none) */
} markdown_options;

/*
 * Writes the summary of r to out. opt may be NULL (not gated). out stays open
 * and the caller's. Returns 0, or -1 with err set (IA_ERR_IO, IA_ERR_NOMEM).
 */
int markdown_write(const results *r, const markdown_options *opt, FILE *out, ia_err *err);

/* The same with the tally of r computed beforehand (shared by several writers, only read); NULL computes it.
 */
int markdown_write_with(const results *r, const markdown_options *opt, const tally *given, FILE *out,
                        ia_err *err);

#endif
