#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/str.h"

void err_clear(ia_err *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

static void set_msg(ia_err *err, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void set_msg(ia_err *err, const char *fmt, va_list ap)
{
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int err_set(ia_err *err, ia_err_kind kind, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return -1;
    err->kind = kind;
    err->context[0] = '\0';
    va_start(ap, fmt);
    set_msg(err, fmt, ap);
    va_end(ap);
    return -1;
}

int err_set_at(ia_err *err, const char *file, unsigned line, unsigned column, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return -1;
    err->kind = IA_ERR_INPUT;
    snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
    err->line = line;
    err->column = column;
    va_start(ap, fmt);
    set_msg(err, fmt, ap);
    va_end(ap);
    return -1;
}

int err_prefix(ia_err *err, const char *fmt, ...)
{
    char prefix[256];
    char joined[sizeof(prefix) + sizeof(err->context) + 2];
    va_list ap;

    if (!err)
        return -1;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    if (err->context[0])
        snprintf(joined, sizeof(joined), "%s: %s", prefix, err->context);
    else
        snprintf(joined, sizeof(joined), "%s", prefix);
    /* Cut at the end rather than lose the outermost context. */
    str_copy(err->context, sizeof(err->context), joined);
    return -1;
}

const char *err_kind_name(ia_err_kind kind)
{
    switch (kind) {
    case IA_ERR_NONE: return "none";
    case IA_ERR_USAGE: return "usage";
    case IA_ERR_INPUT: return "input";
    case IA_ERR_IO: return "io";
    case IA_ERR_NOMEM: return "nomem";
    case IA_ERR_CREDS: return "credentials";
    case IA_ERR_TRANSPORT: return "transport";
    case IA_ERR_AWS: return "aws";
    case IA_ERR_PROTOCOL: return "protocol";
    case IA_ERR_CANCELLED: return "cancelled";
    case IA_ERR_INTERNAL: return "internal";
    }
    return "unknown";
}

void err_format(const ia_err *err, char *buf, size_t size)
{
    if (err->kind == IA_ERR_INPUT && err->file[0] && err->line) {
        snprintf(buf, size, "%s:%u:%u: %s", err->file, err->line, err->column, err->msg);
        return;
    }
    if (err->kind == IA_ERR_INPUT && err->file[0]) {
        snprintf(buf, size, "%s: %s", err->file, err->msg);
        return;
    }
    if (err->aws_code[0] || err->http_status) {
        snprintf(buf, size, "%s%s%s (%s%sHTTP %ld%s%s)", err->context, err->context[0] ? ": " : "", err->msg,
                 err->aws_code, err->aws_code[0] ? ", " : "", err->http_status,
                 err->request_id[0] ? ", request id " : "", err->request_id);
        return;
    }
    snprintf(buf, size, "%s%s%s", err->context, err->context[0] ? ": " : "", err->msg);
}
