#ifndef IMGAUDIT_REPORT_JSON_H
#define IMGAUDIT_REPORT_JSON_H

/*
 * The JSON results document (`evaluate --json FILE`): schema
 * "imgaudit.results" version 1, described in docs/rules.md. Top-level keys:
 * schema, schema_version, tool_version, evaluated_at, snapshot (run
 * metadata), summary (counts by status and by severity), rules, waivers
 * (each with its state: applied, expired, unused), errors (the snapshot's
 * collection errors, carried through), baseline (with --baseline), sharing
 * (one per share, report/sharing.h) and results, one per rule and
 * resource, last because it is by far the largest.
 */

#include <stdio.h>

#include <cjson/cJSON.h>

#include "rules/results.h"
#include "util/err.h"

struct tally;   /* report/tally.h */
struct sharing; /* report/sharing.h */

#define JSON_REPORT_SCHEMA         "imgaudit.results"
#define JSON_REPORT_SCHEMA_VERSION 1

/*
 * Writes r to path, atomically (a temporary file renamed into place, mode
 * 0600); "-" writes to stdout. Returns 0, or -1 with err set (IA_ERR_IO,
 * IA_ERR_NOMEM); on failure no partial file is left at path.
 */
int json_report_write(const results *r, const char *path, ia_err *err);

/*
 * Writes r to an open stream. The run-wide members (snapshot, summary, rules,
 * waivers, errors) are serialised by cJSON; the baseline's resolved failures,
 * the shares and the results, which grow with the fleet, are written field by
 * field through a buffered writer (util/wbuf.h), the shares and the results one
 * per line, the resolved failures laid out as cJSON formats them, without
 * building a value for any: memory stays flat however many results there are
 * (the shares are worked out once, sharing_compute). Strings are escaped as
 * cJSON escapes them; a byte that is not UTF-8 becomes '?'. Returns 0, or -1
 * with err set (write error or out of memory).
 */
int json_report_fwrite(const results *r, FILE *fp, ia_err *err);

/*
 * The same with the tally and the shares of r computed beforehand (shared by
 * several writers, only read; shares is of that tally): NULL computes each.
 */
int json_report_fwrite_with(const results *r, const struct tally *given_tally,
                            const struct sharing *given_shares, FILE *fp, ia_err *err);

/*
 * A rule as the report's rules[] lists it: id, title, severity,
 * resource_type, description, remediation, file. Strings are borrowed from
 * ri (valid while it is). NULL when memory runs out.
 */
cJSON *json_rule_object(const rule_info *ri);

#endif
