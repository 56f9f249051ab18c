#ifndef IMGAUDIT_REPORT_HTML_H
#define IMGAUDIT_REPORT_HTML_H

/*
 * The HTML report: one self-contained file (inline stylesheet and a small
 * inline script from reports/, compiled in; no network at view time) that a
 * nightly job can mail and a reviewer can open from disk. It leads with what
 * changed since the baseline (when one was applied), then the gate, summary
 * counts, coverage and its gaps, a findings table that sorts and filters by
 * severity, status, rule and account without a server, a per-account
 * breakdown, cross-account sharing with BYOL images highlighted, the rule
 * catalogue, waivers applied, expired and unused, and collection errors.
 *
 * The page is built as a libxml2 HTML tree and written by libxml2's HTML
 * serializer, which escapes every string for its context; nothing is pasted.
 * The findings (and a large fleet's shares) are not rows in the tree: they go
 * into the page once as a JSON data block (report/html_data.h) that the
 * page's script draws a screenful at a time. Image names and descriptions
 * are hostile (other accounts set them), so each string is also cleaned of
 * control characters and invalid UTF-8 first.
 */

#include <stdio.h>

#include "report/sharing.h"
#include "report/tally.h"
#include "rules/results.h"
#include "util/err.h"

typedef struct html_options {
    const char *title; /* page heading; NULL: "Image audit report" */
    tally_gate gate;   /* shown in the header; all zero: not gated */
    /* The tally and the shares of the same results, computed once for several writers (borrowed); NULL:
     * the writer computes its own. */
    const tally *tally;
    const sharing *sharing;
} html_options;

/*
 * Writes the report for r to out. The findings, the sharing table and the
 * per-account tables are streamed, so the page's tree does not grow with the
 * fleet; memory does, with the tally and the shares (lent or computed).
 * opt may be NULL for the defaults. out stays open and owned by the caller.
 * Returns 0, or -1 with err set when writing fails or the results are
 * inconsistent.
 */
int html_write(const results *r, const html_options *opt, FILE *out, ia_err *err);

#endif
