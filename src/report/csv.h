#ifndef IMGAUDIT_REPORT_CSV_H
#define IMGAUDIT_REPORT_CSV_H

/*
 * The CSV report (`--csv FILE`), for spreadsheets and ticket imports: one row
 * per failure and per waived result (passes are left out), after a header
 * row. Columns, in order: status, severity, rule, title, account,
 * account_name, region, resource_type, resource_id, resource_name, message,
 * first_seen, waiver, finding_id (report/finding.h). The waiver cell is
 * "FILE:LINE: REASON (OWNER, expires YYYY-MM-DD)" for a waived row, empty for
 * a failure.
 *
 * RFC 4180: CRLF after every row, a field holding a comma, a double quote, CR
 * or LF is quoted and its quotes doubled. A cell that starts with '=', '+',
 * '-', '@', a tab or CR gets a single quote in front (OWASP's defence
 * against CSV injection), so that a spreadsheet shows an image name such as
 * "=HYPERLINK(...)" as text instead of running it. Bytes that are not
 * well-formed UTF-8 become '?'.
 */

#include <stdio.h>

#include "report/tally.h"
#include "rules/results.h"
#include "util/err.h"

/*
 * Writes the rows of r to out, streaming: memory does not grow with the
 * number of results. out stays open and the caller's. Returns 0, or -1 with
 * err set (IA_ERR_IO, IA_ERR_NOMEM, or IA_ERR_INTERNAL for an inconsistent
 * model).
 */
int csv_write(const results *r, FILE *out, ia_err *err);

/* The same with the tally of r computed beforehand (shared by several writers, only read); NULL computes it.
 */
int csv_write_with(const results *r, const tally *given, FILE *out, ia_err *err);

#endif
