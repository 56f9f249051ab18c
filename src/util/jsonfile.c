#include "util/jsonfile.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/fileio.h"
#include "util/str.h"

int json_parse_text(const char *name, const char *text, size_t len, const char *what, cJSON **out,
                    ia_err *err)
{
    const char *end = NULL;
    unsigned line, col;
    size_t off;

    *out = NULL;
    if (len == 0)
        return err_set_at(err, name, 0, 0, "empty file, not %s", what);
    *out = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (*out)
        return 0;
    off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
    str_text_position(text, len, off, &line, &col);
    return err_set_at(err, name, line, col, "invalid JSON: not %s", what);
}

int json_read_file(const char *path, size_t limit, const char *what, cJSON **out, ia_err *err)
{
    buf text;
    int rc;

    *out = NULL;
    buf_init(&text, limit);
    if (file_read_all(path, &text, err) != 0) {
        char msg[sizeof(err->msg)];
        const char *m = err->msg;
        size_t plen = strlen(path);

        buf_free(&text);
        /* A file that cannot be read is bad input (exit 2), named once. */
        if (strncmp(m, path, plen) == 0 && strncmp(m + plen, ": ", 2) == 0)
            m += plen + 2;
        snprintf(msg, sizeof(msg), "%s", m);
        return err_set_at(err, path, 0, 0, "%s", msg);
    }
    rc = json_parse_text(path, buf_str(&text), text.len, what, out, err);
    buf_free(&text);
    return rc;
}
