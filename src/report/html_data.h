#ifndef IMGAUDIT_REPORT_HTML_DATA_H
#define IMGAUDIT_REPORT_HTML_DATA_H

/*
 * The findings of the HTML report as data: one <script type="application/json">
 * element that reports/report.js reads and renders a screenful at a time, so
 * the page holds 100,000 findings without 100,000 table rows. The browser
 * does not run a data block; the page's Content-Security-Policy still allows
 * only report.js.
 *
 * The rows are JSON arrays in parts of 50,000 rows, each part an element
 * "findings-data-K" (a browser holds an element's text as one string, and
 * JavaScript strings have a size limit); the element "findings-data" after
 * them holds one object (docs/rules.md, "The HTML report's data"): "parts",
 * their number; "baseline"; "resources", the resources that have findings,
 * each once, as [id, name, type, account, region]; and the lookup tables
 * the indices point into: "rules" ([id, severity]), "accounts" ([id,
 * name]), "regions", "types" and "waivers" ([reason, owner, expires]); -1 is
 * none. A finding is [rule, status (0 failed, 1 waived), resource, message,
 * change (0 none, 1 new, 2 existing), first seen, waiver], the last three
 * left out when they are 0, "" and -1; where a message repeats its
 * resource's id, name, account or region, it holds the mark U+0001 to
 * U+0004 instead. Every repeated string is in the page once. Strings are cleaned like every string of the
 * page (report/xmltext.h) and escaped as JSON with "<", ">", "&", U+2028 and U+2029 as \u escapes: no string
 * can end its element.
 */

#include "report/html_sections.h"

/* The ids of the data elements; their parts are ID-0, ID-1... */
#define HTML_FINDINGS_DATA_ID "findings-data"
#define HTML_SHARING_DATA_ID  "sharing-data"

/*
 * Writes the findings' data elements into ob through a buffer of its own, in
 * the findings table's order (most severe rules first; inside a severity,
 * rule order; inside a rule, snapshot order). Memory does not grow with the
 * findings: 8 bytes per resource, and the distinct regions and types. A failure
 * (out of memory, a write error) is recorded in w->dom.failed.
 */
void html_data_findings(html_writer *w, xmlOutputBufferPtr ob);

/*
 * Writes the shares' data elements into ob, in w->shares' order, for a
 * sharing table too large for rows in the page (html_rows_sharing decides):
 * rows [resource id, name, type, region, owner, target, use, seen from,
 * bits] in parts "sharing-data-K" as the findings', then "sharing-data":
 * {"parts", "parties": [[account, name, bits]], "regions", "types"}.
 * owner and target index "parties"; use is 0 (not seen), 1 (launch and
 * copy) or 2 + 1 (fleets) + 2 (image builders); seen from is 1 (owner), 2
 * (recipient) or 3 (both); a share's bits are 1 BYOL, 2 outside the
 * Organization, 4 untrusted, 8 trusted, 16 not audited; a party's, 1 not
 * audited, 2 outside the Organization, 4 trust known, 8 trusted. A failure
 * is recorded in w->dom.failed.
 */
void html_data_sharing(html_writer *w, xmlOutputBufferPtr ob);

#endif
