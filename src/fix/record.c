/*
 * How an action ended, told three ways: a line of the apply log (JSON, one
 * object per line, synced before the next), a line on the output, and for
 * a failure a line on stderr naming the action.
 */
#include "fix/record.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/termtext.h"
#include "util/timefmt.h"

const char *fix_outcome_name(fix_outcome o)
{
    switch (o) {
    case FIX_OUTCOME_DONE: return "done";
    case FIX_OUTCOME_ALREADY_DONE: return "already-done";
    case FIX_OUTCOME_FAILED: break;
    }
    return "failed";
}

static void add_str(cJSON *o, const char *key, const char *v)
{
    cJSON_AddItemToObject(o, key, v && v[0] ? cJSON_CreateString(v) : cJSON_CreateNull());
}

/* The log's line for j, as one line of JSON; NULL when out of memory. */
static char *log_line_of(const fix_job *j, const fix_record_ctx *ctx, fix_outcome o, const char *detail,
                         const ia_err *err)
{
    const cJSON *call = cJSON_GetObjectItemCaseSensitive(j->action, "call");
    cJSON *line = cJSON_CreateObject(), *e;
    char now[TIMEFMT_ISO_SIZE], *text;

    timefmt_iso(time(NULL), now);
    add_str(line, "time", now);
    add_str(line, "caller_arn", ctx->caller_arn);
    add_str(line, "role_arn", ctx->role_arn);
    add_str(line, "plan_created_at", ctx->plan_created_at);
    add_str(line, "action_id", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j->action, "id")));
    add_str(line, "action", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j->action, "action")));
    add_str(line, "account", j->account);
    add_str(line, "region", j->region);
    add_str(line, "resource_id", j->resource);
    cJSON_AddItemToObject(line, "call", cJSON_Duplicate(call, true));
    add_str(line, "outcome", fix_outcome_name(o));
    if (detail)
        add_str(line, "detail", detail);
    if (o == FIX_OUTCOME_DONE)
        cJSON_AddBoolToObject(line, "verified", j->verified);
    if (err) {
        e = cJSON_AddObjectToObject(line, "error");
        add_str(e, "code", err->aws_code[0] ? err->aws_code : err_kind_name(err->kind));
        add_str(e, "message", err->msg);
        cJSON_AddNumberToObject(e, "http_status", (double)err->http_status);
    }
    add_str(line, "request_id", err && err->request_id[0] ? err->request_id : j->request_id);
    if (j->new_image_id[0])
        add_str(line, "new_image_id", j->new_image_id);
    text = cJSON_PrintUnformatted(line);
    cJSON_Delete(line);
    return text;
}

/* Writes the whole line and syncs it: a line is in the log, whole, before anything else is told. */
static int write_synced(int fd, const char *text, ia_err *err)
{
    size_t len = strlen(text), off = 0;

    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return err_set(err, IA_ERR_IO, "cannot write the apply log: %s", strerror(errno));
        off += (size_t)n;
    }
    if (fsync(fd) != 0 && errno != EINVAL)
        return err_set(err, IA_ERR_IO, "cannot write the apply log: %s", strerror(errno));
    return 0;
}

/* The line for the log file: the JSON and its newline, written and synced whole. */
static int append_line(const fix_job *j, const fix_record_ctx *ctx, fix_outcome o, const char *detail,
                       const ia_err *err, ia_err *out_err)
{
    char *line = log_line_of(j, ctx, o, detail, err), *text;
    size_t len;
    int rc;

    if (!line)
        return err_set(out_err, IA_ERR_NOMEM, "out of memory");
    len = strlen(line);
    text = cJSON_malloc(len + 2);
    if (!text) {
        cJSON_free(line);
        return err_set(out_err, IA_ERR_NOMEM, "out of memory");
    }
    memcpy(text, line, len);
    memcpy(text + len, "\n", 2);
    cJSON_free(line);
    rc = write_synced(ctx->log_fd, text, out_err);
    cJSON_free(text);
    return rc;
}

int fix_record(const fix_job *j, const fix_record_ctx *ctx, fix_outcome o, const char *detail,
               const ia_err *err, ia_err *out_err)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j->action, "id"));
    int rc = ctx->log_fd >= 0 ? append_line(j, ctx, o, detail, err, out_err) : 0;

    /* Told on the output even when the log failed: what was done is never only in memory. */
    if (ctx->out) {
        termtext_printf(ctx->out, "%-12s  %s  %-14s  %-31s  %s%s%s\n", fix_outcome_name(o), j->account,
                        j->region,
                        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j->action, "action")),
                        j->resource, j->target ? " -> " : " => ", j->target ? j->target : j->name);
        fflush(ctx->out);
    }
    if (o == FIX_OUTCOME_FAILED) {
        char why[1536];

        if (err)
            err_format(err, why, sizeof(why));
        log_error("action %.32s failed (account %s region %s, %s %s%s%s): %s", id ? id : "-", j->account,
                  j->region, j->operation, j->resource, j->target ? " for " : "", j->target ? j->target : "",
                  err ? why : detail);
    }
    if (rc != 0)
        log_error("action %.32s ended %s, but the apply log has no line for it", id ? id : "-",
                  fix_outcome_name(o));
    return rc;
}
