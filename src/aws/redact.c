#include "aws/redact.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/sigv4.h"
#include "util/buf.h"
#include "util/str.h"

/* A name whose value is a secret whatever it is: a signature, a token, a whole Authorization header. */
typedef struct secret_field {
    const char *name;
    const char *separators; /* what stands between the name and the value (blanks aside) */
    bool to_line_end;       /* the value runs to the end of the line, spaces and all */
} secret_field;

static const secret_field fields[] = {
    /* Signature= in the header, X-Amz-Signature= in a query string; not "signature:" in prose. */
    {"Signature", "=", false},
    /* A header line (the canonical request has it lower-case) or a query parameter. */
    {"X-Amz-Security-Token", ":=", false},
    {"Authorization", ":", true},
    /* IAM Identity Center's bearer token, as the portal takes it (creds_sso.c). */
    {"x-amz-sso_bearer_token", ":=", false},
};

/* Bytes that end a value that does not run to the line's end. */
#define VALUE_END " \t\r\n,;&\"'<>)"

/* Copies in into out with each occurrence of needle (when not empty) replaced by REDACT_MARK. */
static int replace_value(buf *out, const char *in, const char *needle)
{
    size_t n = strlen(needle);
    const char *at = n ? strstr(in, needle) : NULL;

    buf_reset(out);
    if (buf_append(out, "", 0) != 0)
        return -1;
    for (; at; at = strstr(in, needle)) {
        if (buf_append(out, in, (size_t)(at - in)) != 0 || buf_puts(out, REDACT_MARK) != 0)
            return -1;
        in = at + n;
    }
    return buf_puts(out, in);
}

/* Where the value of a secret field starts at p ("Name", blanks, a separator, blanks), or NULL when none
 * does. */
static const char *field_value(const char *p, const secret_field *f)
{
    size_t n = strlen(f->name);

    if (strncasecmp(p, f->name, n) != 0)
        return NULL;
    p += n;
    p += strspn(p, " \t");
    if (!*p || !strchr(f->separators, *p))
        return NULL;
    p++;
    return p + strspn(p, " \t");
}

/* Copies in into out with the value of every secret field replaced by REDACT_MARK. */
static int replace_fields(buf *out, const char *in)
{
    buf_reset(out);
    if (buf_append(out, "", 0) != 0)
        return -1;
    while (*in) {
        const char *value = NULL;
        size_t len = 0;

        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && !value; i++) {
            value = field_value(in, &fields[i]);
            if (value)
                len = strcspn(value, fields[i].to_line_end ? "\r\n" : VALUE_END);
        }
        /* A value redacted before stays as it is: a second pass (after line breaks became spaces) must not
         * take the rest of the text for the rest of an Authorization line. */
        if (value && len && strncmp(value, REDACT_MARK, strlen(REDACT_MARK)) != 0) {
            if (buf_append(out, in, (size_t)(value - in)) != 0 || buf_puts(out, REDACT_MARK) != 0)
                return -1;
            in = value + len;
        } else if (buf_putc(out, *in++) != 0) {
            return -1;
        }
    }
    return 0;
}

/* After a step: the step's result becomes the current text, the old text the next step's scratch. */
static void swap(buf *a, buf *b)
{
    buf t = *a;

    *a = *b;
    *b = t;
}

char *redact_text(const char *text, const redact_secrets *s)
{
    const char *values[3] = {NULL, NULL, NULL};
    buf cur, next, encoded;
    char *out = NULL;

    buf_init(&cur, 0);
    buf_init(&next, 0);
    buf_init(&encoded, 0);
    if (s) {
        values[0] = s->secret_access_key;
        values[1] = s->session_token;
        values[2] = s->signature;
    }
    if (buf_append(&cur, text ? text : "", text ? strnlen(text, REDACT_TEXT_MAX) : 0) != 0)
        goto out;
    for (size_t i = 0; i < 3; i++) {
        if (!values[i] || !values[i][0])
            continue;
        buf_reset(&encoded);
        if (replace_value(&next, buf_str(&cur), values[i]) != 0 ||
            sigv4_uri_encode(&encoded, values[i], strlen(values[i]), false) != 0)
            goto out;
        swap(&cur, &next);
        if (replace_value(&next, buf_str(&cur), buf_str(&encoded)) != 0)
            goto out;
        swap(&cur, &next);
    }
    if (replace_fields(&next, buf_str(&cur)) != 0)
        goto out;
    out = buf_detach(&next);
out:
    /* Each buffer held a secret at some point. */
    buf_free_secret(&cur);
    buf_free_secret(&next);
    buf_free_secret(&encoded);
    return out;
}

static void redact_field(char *field, size_t size, const redact_secrets *s)
{
    char *clean = redact_text(field, s);

    str_copy(field, size, clean ? clean : REDACT_MARK);
    free(clean);
}

void redact_err(ia_err *err, const redact_secrets *s)
{
    redact_field(err->msg, sizeof(err->msg), s);
    redact_field(err->aws_code, sizeof(err->aws_code), s);
    redact_field(err->request_id, sizeof(err->request_id), s);
    redact_field(err->context, sizeof(err->context), s);
}
