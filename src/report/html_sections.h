#ifndef IMGAUDIT_REPORT_HTML_SECTIONS_H
#define IMGAUDIT_REPORT_HTML_SECTIONS_H

/*
 * The parts of the HTML report, for html.c, which puts them in order: the
 * head, each section of the page, and the rows of the two tables that grow
 * with the fleet. Internal to the HTML writer; other writers use report/html.h.
 *
 * Each builder appends to the node it is given and records a failure in
 * w->dom.failed (see report/htmldom.h); only the head can fail otherwise.
 */

#include <libxml/tree.h>
#include <libxml/xmlIO.h>

#include "report/html.h"
#include "report/htmldom.h"
#include "report/sharing.h"
#include "report/tally.h"

/* The writer's state while it builds and writes one page. */
typedef struct html_writer {
    htmldom dom;
    const results *r;        /* borrowed */
    const html_options *opt; /* borrowed; never NULL */
    const tally *t;          /* of r: opt->tally, else own_t */
    const sharing *shares;   /* of r: opt->sharing, else own_shares */
    tally own_t;             /* computed when opt has no tally */
    sharing own_shares;      /* computed when opt has no sharing */
    size_t n_findings;       /* failures and waived results */
} html_writer;

/* <head>: charset, Content-Security-Policy, viewport, generator, "title, evaluated time", stylesheet.
 * Returns 0, or -1 with err set when the policy cannot be made. */
int html_section_head(html_writer *w, xmlNodePtr html, const char *title, ia_err *err);

/* The sections of the page, each appended to page. */
void html_section_masthead(html_writer *w, xmlNodePtr page, const char *title);
void html_section_nav(html_writer *w, xmlNodePtr page);
void html_section_changes(html_writer *w, xmlNodePtr page); /* only with a baseline */
void html_section_summary(html_writer *w, xmlNodePtr page);
void html_section_coverage(html_writer *w, xmlNodePtr page);
void html_section_findings(html_writer *w, xmlNodePtr page); /* its data: html_data_findings */
void html_section_accounts(html_writer *w, xmlNodePtr page);
void html_section_sharing(html_writer *w, xmlNodePtr page); /* its rows: html_rows_sharing */
void html_section_rules(html_writer *w, xmlNodePtr page);
void html_section_waivers(html_writer *w, xmlNodePtr page);
void html_section_errors(html_writer *w, xmlNodePtr page);
void html_section_footer(html_writer *w, xmlNodePtr page);

/*
 * The parts that grow with the fleet are not kept in the tree: their
 * sections leave one of these marks (an HTML comment) where they go, the
 * page is serialized around it, and they are written in between, in page
 * order: the coverage and per-account rows and the account filters' options
 * one at a time, the findings as one data element (report/html_data.h), the
 * sharing table's rows one at a time. A string from the data cannot produce these comments: the
 * serializer escapes its "<".
 */
#define HTML_MARK_COVERAGE        "imgaudit-rows:coverage"
#define HTML_MARK_ACCOUNT_OPTIONS "imgaudit-options:accounts"
#define HTML_MARK_FINDINGS        "imgaudit-data:findings"
#define HTML_MARK_ACCOUNTS        "imgaudit-rows:accounts"
#define HTML_MARK_OWNER_OPTIONS   "imgaudit-options:owners"
#define HTML_MARK_TARGET_OPTIONS  "imgaudit-options:targets"
#define HTML_MARK_SHARING         "imgaudit-rows:sharing"

/* Write the rows of the coverage table and of the per-account breakdown into ob, one per account. */
void html_rows_coverage(html_writer *w, xmlOutputBufferPtr ob);
void html_rows_accounts(html_writer *w, xmlOutputBufferPtr ob);

/* Write the options of the account filters into ob: the findings' (every account), the shares' owners and
 * targets (every account on that side). */
void html_options_accounts(html_writer *w, xmlOutputBufferPtr ob);
void html_options_owners(html_writer *w, xmlOutputBufferPtr ob);
void html_options_targets(html_writer *w, xmlOutputBufferPtr ob);

/*
 * Writes the rows of the sharing table into ob: one per share, as w->shares
 * lists them, readable without JavaScript. Past HTML_SHARING_ROWS_MAX shares
 * (a large fleet), writes the shares as data instead (html_data_sharing),
 * which report.js draws a screenful at a time like the findings.
 */
#define HTML_SHARING_ROWS_MAX 2000
void html_rows_sharing(html_writer *w, xmlOutputBufferPtr ob);

#endif
