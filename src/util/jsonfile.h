#ifndef IMGAUDIT_UTIL_JSONFILE_H
#define IMGAUDIT_UTIL_JSONFILE_H

/*
 * Reading a JSON document that a user hands us (a snapshot, a baseline):
 * one bounded read, one parse, and errors that name the file and, for a
 * syntax error, line:column counted as the YAML reader counts them.
 */

#include <stddef.h>

#include <cjson/cJSON.h>

#include "util/err.h"

/*
 * Reads path (at most limit bytes) and parses it. what names the document a
 * reader expects ("a snapshot"), for the messages. *out is owned
 * (cJSON_Delete). Every failure is IA_ERR_INPUT (bad input) naming path:
 * unreadable or too large ("PATH: why"), empty ("PATH: empty file, not
 * WHAT"), or not JSON ("PATH:LINE:COL: invalid JSON: not WHAT"); or
 * IA_ERR_NOMEM.
 */
int json_read_file(const char *path, size_t limit, const char *what, cJSON **out, ia_err *err);

/* The same over text[0..len) already in memory; name stands for the path in errors. */
int json_parse_text(const char *name, const char *text, size_t len, const char *what, cJSON **out,
                    ia_err *err);

#endif
