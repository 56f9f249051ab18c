#ifndef IMGAUDIT_UTIL_JSONFILE_H
#define IMGAUDIT_UTIL_JSONFILE_H

/*
 * Reading JSON that comes from outside (a snapshot, a baseline, an AWS
 * answer) within bounds: one bounded read, one parse whose cost is known
 * before it starts, and errors that name the file and, for a syntax error,
 * line:column counted as the YAML reader counts them.
 *
 * cJSON takes 80 bytes (64 and malloc's 16) for every value and a chunk of
 * at least 32 bytes for every string and key: a text of small numbers
 * ("0,0,0,...") parses to 40 times its size. So every parse counts first
 * what cJSON would allocate, by the same rule, and refuses a text that
 * would take more than JSON_PARSE_RATIO times its size plus
 * JSON_PARSE_FLOOR. What imgaudit writes itself (snapshots, results) parses
 * to about 5 times its size.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "util/err.h"

/* Deepest nesting of arrays and objects read (cJSON itself stops at 1000). */
#define JSON_MAX_DEPTH 512

/* A parse may allocate JSON_PARSE_RATIO bytes per byte of text, plus JSON_PARSE_FLOOR. */
#define JSON_PARSE_RATIO 8
#define JSON_PARSE_FLOOR ((size_t)1024 * 1024)

typedef enum json_status {
    JSON_OK = 0,
    JSON_INVALID,  /* not JSON (or cJSON ran out of memory) */
    JSON_TOO_DEEP, /* nested deeper than allowed */
    JSON_TOO_LARGE /* would take more memory than the parse budget */
} json_status;

/* Why a parse failed: what, where in the text, and one line that says it ("nesting deeper than 512 levels").
 */
typedef struct json_fault {
    json_status status;
    size_t offset;
    char msg[160];
} json_fault;

/*
 * Parses text[0..len) if it is nested at most max_depth deep and fits the
 * parse budget, both checked before cJSON allocates anything. 0 with *out
 * (owned: cJSON_Delete), or -1 with *out NULL and *fault filled.
 */
int json_parse_bounded(const char *text, size_t len, int max_depth, cJSON **out, json_fault *fault);

/*
 * Parses that allocate from one block instead of a malloc per value (cJSON
 * takes one for every value and string): for a reader that parses many
 * small documents one after another (a snapshot's resources) and is done
 * with each before the next. The block is sized from the cost the bounds
 * check counts, and given back at the next parse.
 */
typedef struct json_arena {
    struct json_arena_block *blocks; /* internal; a zeroed json_arena is empty */
} json_arena;

/* What json_parse_in is told when its caller has not counted the text's nesting. */
#define JSON_DEPTH_UNKNOWN SIZE_MAX

/*
 * json_parse_bounded with every value of *out in a: *out is valid until the
 * next json_parse_in on a or json_arena_free(a), and is never given to
 * cJSON_Delete. depth is the text's deepest nesting when the caller has
 * counted it already (a jsonscan_item's, util/jsonscan.h), which spares
 * counting it again, else JSON_DEPTH_UNKNOWN. cJSON's allocation hooks are
 * process-wide: they point at a during the parse only, so no other thread
 * may use cJSON meanwhile (evaluation runs on one thread).
 */
int json_parse_in(json_arena *a, const char *text, size_t len, int max_depth, size_t depth, cJSON **out,
                  json_fault *fault);

/* Frees what a holds; a may be used again. Accepts NULL. */
void json_arena_free(json_arena *a);

/*
 * Whether v, printed by cJSON, reads back within the parse budget without
 * its floor: what a parse of it would allocate is at most JSON_PARSE_RATIO
 * times the fewest bytes it prints as, and it nests at most max_depth
 * levels (v itself is one). JSON_OK, JSON_TOO_DEEP or JSON_TOO_LARGE. A
 * writer that keeps only values that fit, and adds nothing denser around
 * them, writes what json_parse_bounded reads.
 */
json_status json_value_fits(const cJSON *v, int max_depth);

/*
 * What v, printed by cJSON, costs read back: adds to *cost the bytes a parse
 * of it allocates and to *bytes the fewest bytes it prints as.
 * JSON_TOO_DEEP when it nests deeper than max_depth levels, else JSON_OK.
 */
json_status json_value_cost(const cJSON *v, int max_depth, size_t *cost, size_t *bytes);

/*
 * Reads path (at most limit bytes; "-" is stdin, named "stdin" in errors)
 * and parses it as a JSON object.
 * what names the document a reader expects ("a snapshot"), for the
 * messages. Bytes that cannot be such a document (a NUL byte, a first
 * character other than '{') stop the read at once, so that a device or an
 * endless stream is not buffered to the limit first. *out is owned
 * (cJSON_Delete). Every failure is IA_ERR_INPUT (bad input) naming path:
 * unreadable or too large ("PATH: why"), empty ("PATH: empty file, not
 * WHAT"), not JSON ("PATH:LINE:COL: invalid JSON: not WHAT"), too deep or
 * over the parse budget ("PATH:LINE:COL: nesting deeper than ...",
 * "PATH: too many values to parse ..."); or IA_ERR_NOMEM.
 */
int json_read_file(const char *path, size_t limit, const char *what, cJSON **out, ia_err *err);

/*
 * A document's text for a reader that walks it piece by piece
 * (util/jsonscan.h) instead of parsing it whole: a regular file is mapped
 * read-only, so that the pages already read can be given back; anything
 * else (stdin "-", a pipe, a device) is read into memory, checked as
 * json_read_file checks it.
 */
typedef struct json_text {
    const char *data; /* the text: len bytes, borrowed from the map or from mem */
    size_t len;
    char name[256]; /* path, or "stdin" for "-": what errors name */
    void *map;      /* internal: the mapping, or NULL */
    size_t released;
    char *mem; /* internal: the text read into memory (owned), or NULL */
} json_text;

/*
 * Opens path (at most limit bytes) into *out; failures as json_read_file's
 * reading ones ("PATH: why", "PATH: empty file, not WHAT", a NUL byte or a
 * first character other than '{' in what is read into memory). The caller
 * closes *out with json_text_close, also after a failure.
 */
int json_text_open(const char *path, size_t limit, const char *what, json_text *out, ia_err *err);

/*
 * Gives back the memory of the mapped text before offset upto (whole
 * pages), every time it has moved on by a few MB: the pages are
 * read again from the file if they are looked at later (an error's
 * line:column). An upto before the last one starts a new pass over the
 * text. Does nothing for text read into memory.
 */
void json_text_release(json_text *t, size_t upto);

/* Unmaps or frees the text. Accepts a zeroed json_text. */
void json_text_close(json_text *t);

/* The same over text[0..len) already in memory; name stands for the path in errors. */
int json_parse_text(const char *name, const char *text, size_t len, const char *what, cJSON **out,
                    ia_err *err);

/*
 * The members of obj named keys[0..n) into found[0..n), each the first of
 * its name as cJSON_GetObjectItemCaseSensitive finds it, NULL where there
 * is none: one walk over the members where a lookup each walks them n
 * times.
 */
void json_members(const cJSON *obj, const char *const keys[], const cJSON *found[], size_t n);

#endif
