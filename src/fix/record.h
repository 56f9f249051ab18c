#ifndef IMGAUDIT_FIX_RECORD_H
#define IMGAUDIT_FIX_RECORD_H

/* How an action of fix apply ended: the apply log's line, the output's line, stderr. Not an interface. */

#include <stdio.h>

#include "fix/apply_int.h"

typedef enum fix_outcome { FIX_OUTCOME_DONE, FIX_OUTCOME_ALREADY_DONE, FIX_OUTCOME_FAILED } fix_outcome;

typedef struct fix_record_ctx {
    int log_fd; /* -1: no log */
    FILE *out;  /* NULL: no line */
    const char *caller_arn;
    const char *role_arn; /* the role the account was reached with, or NULL */
    const char *plan_created_at;
} fix_record_ctx;

/* "done", "already-done", "failed". */
const char *fix_outcome_name(fix_outcome o);

/*
 * Tells how j ended: appends its line to the log and syncs it, then its line
 * on the output, and for a failure (err, or detail when err is NULL) a line
 * on stderr. -1 with out_err (IA_ERR_IO, IA_ERR_NOMEM) when the log could not
 * be written: a run must not go on without its record.
 */
int fix_record(const fix_job *j, const fix_record_ctx *ctx, fix_outcome o, const char *detail,
               const ia_err *err, ia_err *out_err);

#endif
