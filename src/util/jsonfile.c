/* madvise: MADV_DONTNEED gives mapped pages back (posix_madvise's is a no-op in glibc). */
#define _DEFAULT_SOURCE
#include "util/jsonfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/fileio.h"
#include "util/str.h"

/* What malloc takes for n bytes: glibc's chunks are multiples of 16 with 8 bytes of header, 32 at least. */
static size_t chunk_size(size_t n)
{
    size_t c = (n + 8 + 15) & ~(size_t)15;

    return c < 32 ? 32 : c;
}

#define NODE_COST chunk_size(sizeof(cJSON))

static size_t parse_budget(size_t len)
{
    if (len > (SIZE_MAX - JSON_PARSE_FLOOR) / JSON_PARSE_RATIO)
        return SIZE_MAX;
    return len * JSON_PARSE_RATIO + JSON_PARSE_FLOOR;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Counts what cJSON would allocate for text, the way it allocates: a node
 * for every value (an array, an object, a string that is not a key, a
 * number, a literal) and a chunk for every string and key, sized by its
 * bytes as written (as cJSON sizes it). Over text that is not JSON it
 * counts at least what cJSON allocates before it gives up. Stops at the
 * first level deeper than max_depth, or where the count passes budget;
 * *at is that offset. *total is the count.
 */
static json_status scan(const char *text, size_t len, int max_depth, size_t budget, size_t *at, size_t *total)
{
    size_t cost = 0, i;
    int depth = 0;
    bool in_token = false;

    for (i = 0; i < len; i++) {
        bool token = false;
        size_t start, next;

        switch (text[i]) {
        case '"':
            for (start = ++i; i < len && text[i] != '"'; i++) {
                if (text[i] == '\\')
                    i++;
            }
            cost += chunk_size(i - start + 1);
            /* A key is kept in its value's node; any other string is a value of its own. */
            for (next = i + 1; next < len && is_blank(text[next]); next++)
                ;
            if (next >= len || text[next] != ':')
                cost += NODE_COST;
            break;
        case '[':
        case '{':
            if (++depth > max_depth) {
                *at = i;
                return JSON_TOO_DEEP;
            }
            cost += NODE_COST;
            break;
        case ']':
        case '}':
            if (depth > 0)
                depth--;
            break;
        case ',':
        case ':': break;
        default:
            /* A number or a literal: one node however long. */
            token = !is_blank(text[i]);
            if (token && !in_token)
                cost += NODE_COST;
        }
        in_token = token;
        if (cost > budget) {
            *at = i < len ? i : len;
            return JSON_TOO_LARGE;
        }
    }
    *total = cost;
    return JSON_OK;
}

/*
 * Checks text against the bounds: JSON_OK with *cost what its parse
 * allocates (at most), or the fault. depth is text's nesting when the
 * caller has counted it, else JSON_DEPTH_UNKNOWN.
 */
static json_status check_bounds(const char *text, size_t len, int max_depth, size_t depth, size_t *cost,
                                json_fault *fault)
{
    size_t budget = parse_budget(len), at = 0;

    const char *nul = memchr(text, '\0', len);

    memset(fault, 0, sizeof(*fault));
    /* cJSON reads a NUL byte as a blank: text holding one is not JSON, wherever it stands. */
    if (nul) {
        fault->status = JSON_INVALID;
        fault->offset = (size_t)(nul - text);
        snprintf(fault->msg, sizeof(fault->msg), "invalid JSON (a NUL byte)");
        return fault->status;
    }
    /* No byte of text costs more than two nodes (a string's quote: its node and its chunk), so a text this
     * short fits the budget's floor whatever it holds: with its nesting known, there is nothing to count. */
    if (depth <= (size_t)max_depth && len <= JSON_PARSE_FLOOR / (2 * NODE_COST)) {
        *cost = 2 * NODE_COST * len;
        return JSON_OK;
    }
    fault->status = scan(text, len, max_depth, budget, &at, cost);
    fault->offset = at;
    if (fault->status == JSON_TOO_DEEP)
        snprintf(fault->msg, sizeof(fault->msg), "nesting deeper than %d levels", max_depth);
    else if (fault->status == JSON_TOO_LARGE)
        snprintf(fault->msg, sizeof(fault->msg),
                 "too many values to parse (limit %zu MiB in memory: %d times the %zu bytes, plus %zu MiB)",
                 budget >> 20, JSON_PARSE_RATIO, len, JSON_PARSE_FLOOR >> 20);
    return fault->status;
}

/* cJSON's parse of text, within bounds already checked. */
static int parse_checked(const char *text, size_t len, cJSON **out, json_fault *fault)
{
    const char *end = NULL;

    *out = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (*out)
        return 0;
    fault->status = JSON_INVALID;
    fault->offset = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
    snprintf(fault->msg, sizeof(fault->msg), "invalid JSON");
    return -1;
}

int json_parse_bounded(const char *text, size_t len, int max_depth, cJSON **out, json_fault *fault)
{
    size_t cost = 0;

    *out = NULL;
    if (check_bounds(text, len, max_depth, JSON_DEPTH_UNKNOWN, &cost, fault) != JSON_OK)
        return -1;
    return parse_checked(text, len, out, fault);
}

/* ---- parses in an arena ---- */

struct json_arena_block {
    struct json_arena_block *next;
    size_t cap, used;
    max_align_t data[];
};

/* The arena cJSON's hooks allocate from, during json_parse_in only. */
static json_arena *g_arena;

static struct json_arena_block *new_block(size_t cap)
{
    struct json_arena_block *b = malloc(sizeof(*b) + cap);

    if (b) {
        b->next = NULL;
        b->cap = cap;
        b->used = 0;
    }
    return b;
}

static void *arena_alloc(size_t n)
{
    struct json_arena_block *b = g_arena->blocks;
    size_t need = (n + 15) & ~(size_t)15;

    /* The first block is sized from the parse's cost, which counts more than this takes: a spare one is
     * for safety only. */
    if (!b || b->cap - b->used < need) {
        b = new_block(need > 65536 ? need : 65536);
        if (!b)
            return NULL;
        b->next = g_arena->blocks;
        g_arena->blocks = b;
    }
    b->used += need;
    return (char *)b->data + b->used - need;
}

static void arena_free(void *p)
{
    (void)p; /* everything goes at once, at the next parse */
}

void json_arena_free(json_arena *a)
{
    while (a && a->blocks) {
        struct json_arena_block *next = a->blocks->next;

        free(a->blocks);
        a->blocks = next;
    }
}

int json_parse_in(json_arena *a, const char *text, size_t len, int max_depth, size_t depth, cJSON **out,
                  json_fault *fault)
{
    cJSON_Hooks hooks = {arena_alloc, arena_free};
    size_t cost = 0;
    int rc;

    *out = NULL;
    if (check_bounds(text, len, max_depth, depth, &cost, fault) != JSON_OK)
        return -1;
    /* One block, reused while it is large enough and not more than a few times so (one large document
     * must not hold memory for all the small ones after it). */
    if (cost < 65536)
        cost = 65536;
    if (a->blocks && !a->blocks->next && a->blocks->cap >= cost && a->blocks->cap / 4 <= cost) {
        a->blocks->used = 0;
    } else {
        json_arena_free(a);
        a->blocks = new_block(cost);
    }
    if (!a->blocks) {
        fault->status = JSON_TOO_LARGE;
        snprintf(fault->msg, sizeof(fault->msg), "out of memory for %zu bytes of JSON", len);
        return -1;
    }
    g_arena = a;
    cJSON_InitHooks(&hooks);
    rc = parse_checked(text, len, out, fault);
    cJSON_InitHooks(NULL);
    g_arena = NULL;
    return rc;
}

/* ---- what a value costs read back ---- */

typedef struct json_fit {
    size_t cost;  /* bytes a parse of it allocates */
    size_t bytes; /* fewest bytes it prints as */
} json_fit;

/* Adds a string (a value or a key), printed with its quotes as cJSON escapes it. */
static void fit_string(json_fit *f, const char *s)
{
    size_t n = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\' || *p == '\b' || *p == '\f' || *p == '\n' || *p == '\r' || *p == '\t')
            n += 2;
        else
            n += *p < 0x20 ? 6 : 1;
    }
    f->cost += chunk_size(n + 1);
    f->bytes += n + 2;
}

static json_status fit_walk(const cJSON *v, int depth_left, json_fit *f)
{
    f->cost += NODE_COST;
    if (v->string) {
        fit_string(f, v->string);
        f->bytes += 1; /* ':' */
    }
    if (cJSON_IsString(v) && v->valuestring) {
        fit_string(f, v->valuestring);
    } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        if (depth_left < 1)
            return JSON_TOO_DEEP;
        f->bytes += 2; /* the brackets */
        for (const cJSON *c = v->child; c; c = c->next) {
            json_status st = fit_walk(c, depth_left - 1, f);

            if (st != JSON_OK)
                return st;
            f->bytes += c->next ? 1 : 0; /* ',' */
        }
    } else {
        f->bytes += cJSON_IsNumber(v) ? 1 : 4; /* a digit at least; true, false, null */
    }
    return JSON_OK;
}

json_status json_value_cost(const cJSON *v, int max_depth, size_t *cost, size_t *bytes)
{
    json_fit f = {0, 0};
    json_status st = fit_walk(v, max_depth, &f);

    *cost += f.cost;
    *bytes += f.bytes;
    return st;
}

json_status json_value_fits(const cJSON *v, int max_depth)
{
    size_t cost = 0, bytes = 0;
    json_status st = json_value_cost(v, max_depth, &cost, &bytes);

    if (st != JSON_OK)
        return st;
    return cost <= bytes * JSON_PARSE_RATIO ? JSON_OK : JSON_TOO_LARGE;
}

/* ---- documents ---- */

int json_parse_text(const char *name, const char *text, size_t len, const char *what, cJSON **out,
                    ia_err *err)
{
    json_fault fault;
    unsigned line, col;

    *out = NULL;
    if (len == 0)
        return err_set_at(err, name, 0, 0, "empty file, not %s", what);
    if (json_parse_bounded(text, len, JSON_MAX_DEPTH, out, &fault) == 0)
        return 0;
    /* The budget is the whole text's: no one place is to blame. */
    if (fault.status == JSON_TOO_LARGE)
        return err_set_at(err, name, 0, 0, "%s", fault.msg);
    str_text_position(text, len, fault.offset, &line, &col);
    if (fault.status == JSON_INVALID)
        return err_set_at(err, name, line, col, "%s: not %s", fault.msg, what);
    return err_set_at(err, name, line, col, "%s", fault.msg);
}

/* The start of a document being read, checked as it arrives. */
typedef struct start_check {
    const char *path, *what;
    bool started; /* its first character that is not blank was a '{' */
} start_check;

/*
 * The first character of text[from..len) that is not blank (after a byte
 * order mark, which cJSON skips) when it is not a '{', or len; text[0..len)
 * is what has arrived so far.
 */
static size_t bad_first(start_check *sc, const char *text, size_t len, size_t from)
{
    if (from == 0 && len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        from = 3;
    for (size_t i = from; !sc->started && i < len; i++) {
        if (is_blank(text[i]))
            continue;
        sc->started = true;
        if (text[i] != '{')
            return i;
    }
    return len;
}

/* text[at] cannot be where it stands: a NUL byte, or a first character other than '{'. */
static int start_error(const start_check *sc, const char *text, size_t len, size_t at, ia_err *err)
{
    unsigned line, col;

    str_text_position(text, len, at, &line, &col);
    return err_set_at(err, sc->path, line, col, "invalid JSON (%s): not %s",
                      text[at] ? "it does not start with '{'" : "a NUL byte", sc->what);
}

static int check_start(void *ud, const buf *text, size_t from, ia_err *err)
{
    start_check *sc = ud;
    const char *nul = memchr(text->data + from, '\0', text->len - from);
    size_t bad = nul ? (size_t)(nul - text->data) : text->len;
    size_t first = bad_first(sc, text->data, text->len, from);

    if (first < bad)
        bad = first;
    return bad == text->len ? 0 : start_error(sc, text->data, text->len, bad, err);
}

/* Reads path into text (at most limit bytes), refusing at once bytes that cannot start what. */
static int read_text(const char *path, size_t limit, const char *what, buf *text, ia_err *err)
{
    /* "-" is stdin, read as the file the system names it (any kind: a pipe, a terminal) and named "stdin". */
    bool from_stdin = strcmp(path, "-") == 0;
    const char *open_path = from_stdin ? "/dev/stdin" : path;
    start_check sc = {from_stdin ? "stdin" : path, what, false};
    char msg[sizeof(err->msg)];
    const char *m = err->msg;
    size_t plen = strlen(open_path);

    buf_init(text, limit);
    if (file_read_checked(open_path, text, check_start, &sc, err) == 0)
        return 0;
    buf_free(text);
    if (err->kind == IA_ERR_INPUT)
        return -1;
    /* A file that cannot be read is bad input (exit 2), named once. */
    if (strncmp(m, open_path, plen) == 0 && strncmp(m + plen, ": ", 2) == 0)
        m += plen + 2;
    snprintf(msg, sizeof(msg), "%s", m);
    return err_set_at(err, sc.path, 0, 0, "%s", msg);
}

int json_read_file(const char *path, size_t limit, const char *what, cJSON **out, ia_err *err)
{
    buf text;
    int rc;

    *out = NULL;
    if (read_text(path, limit, what, &text, err) != 0)
        return -1;
    rc = json_parse_text(strcmp(path, "-") == 0 ? "stdin" : path, buf_str(&text), text.len, what, out, err);
    buf_free(&text);
    return rc;
}

/* ---- text walked piece by piece ---- */

/* Given back in steps of this many bytes: a madvise call per step, not per piece. */
#define RELEASE_STEP ((size_t)8 * 1024 * 1024)

int json_text_open(const char *path, size_t limit, const char *what, json_text *out, ia_err *err)
{
    start_check sc = {path, what, false};
    struct stat st;
    int fd = -1;
    void *map;
    size_t at;
    buf text;

    memset(out, 0, sizeof(*out));
    str_copy(out->name, sizeof(out->name), strcmp(path, "-") == 0 ? "stdin" : path);
    if (strcmp(path, "-") != 0) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return err_set_at(err, path, 0, 0, "%s", strerror(errno));
        if (fstat(fd, &st) != 0) {
            err_set_at(err, path, 0, 0, "%s", strerror(errno));
            close(fd);
            return -1;
        }
    }
    /* A regular file is mapped; anything else cannot be, and is read as it comes. */
    if (fd < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        if (fd >= 0)
            close(fd);
        if (read_text(path, limit, what, &text, err) != 0)
            return -1;
        out->len = text.len;
        out->mem = buf_detach(&text);
        out->data = out->mem;
        if (!out->mem)
            return err_set(err, IA_ERR_NOMEM, "%s: out of memory", out->name);
        return out->len ? 0 : err_set_at(err, out->name, 0, 0, "empty file, not %s", what);
    }
    if ((uintmax_t)st.st_size > limit) {
        close(fd);
        return err_set_at(err, path, 0, 0, "file too large (limit %zu bytes)", limit);
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return err_set_at(err, path, 0, 0, "%s", strerror(errno));
    /* Its start checked as a file read as it comes (a NUL byte further on: by the parse meeting it). */
    at = bad_first(&sc, map, (size_t)st.st_size, 0);
    if (at < (size_t)st.st_size) {
        start_error(&sc, map, (size_t)st.st_size, at, err);
        munmap(map, (size_t)st.st_size);
        return -1;
    }
    /* Read front to back: the kernel may read ahead. */
    madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
    out->map = map;
    out->data = map;
    out->len = (size_t)st.st_size;
    return 0;
}

void json_text_release(json_text *t, size_t upto)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), end;

    if (!t->map || upto > t->len)
        return;
    /* A second pass over the text starts again from the front. */
    if (upto < t->released)
        t->released = upto / page * page;
    if (upto < t->released + RELEASE_STEP)
        return;
    end = upto / page * page;
    madvise((char *)t->map + t->released, end - t->released, MADV_DONTNEED);
    t->released = end;
}

void json_text_close(json_text *t)
{
    if (t->map)
        munmap(t->map, t->len);
    free(t->mem);
    memset(t, 0, sizeof(*t));
}

void json_members(const cJSON *obj, const char *const keys[], const cJSON *found[], size_t n)
{
    size_t left = n;

    for (size_t k = 0; k < n; k++)
        found[k] = NULL;
    /* cJSON's lookup stops at a member without a name too. */
    for (const cJSON *m = obj ? obj->child : NULL; m && m->string && left; m = m->next) {
        for (size_t k = 0; k < n; k++) {
            if (!found[k] && m->string[0] == keys[k][0] && strcmp(m->string, keys[k]) == 0) {
                found[k] = m;
                left--;
                break;
            }
        }
    }
}
