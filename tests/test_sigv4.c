/*
 * SigV4: both conformance suites in tests/data/conformance/sigv4 (every case
 * folder found by listing, each stage compared byte for byte), plus the
 * project's own cases under tests/data/sigv4.
 */
#include <CUnit/CUnit.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "aws/sigv4.h"
#include "testutil.h"
#include "util/buf.h"
#include "util/str.h"

#define V4_CASES         38
#define CLASSIC_CASES    34
#define MAX_CASES        128
#define MAX_CASE_HEADERS 64
#define SUITE_DATE       "20150830T123600Z"
#define SUITE_EPOCH      ((time_t)1440938160) /* 2015-08-30T12:36:00Z */
#define EMPTY_SHA256     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* ---- reporting ---------------------------------------------------------- */

/* Records a failure whose message names the case (CU_FAIL only takes a literal). */
static void fail_msg(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_msg(int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nFAIL: %s\n", msg);
    CU_assertImplementation(CU_FALSE, (unsigned)line, msg, __FILE__, "", CU_FALSE);
}

/* Byte-exact comparison of a stage's output with the expected file; prints both on a mismatch. */
static bool check_text(const char *label, const char *what, const char *expected, size_t expected_len,
                       const char *got, size_t got_len)
{
    if (expected_len == got_len && memcmp(expected, got, got_len) == 0)
        return true;
    fprintf(stderr, "\n%s: %s differs\n--- expected (%zu bytes)\n%.*s\n--- got (%zu bytes)\n%.*s\n---\n",
            label, what, expected_len, (int)expected_len, expected, got_len, (int)got_len, got);
    fail_msg(__LINE__, "%s: %s differs", label, what);
    return false;
}

static bool check_str(const char *label, const char *what, const char *expected, const char *got)
{
    return check_text(label, what, expected, strlen(expected), got, strlen(got));
}

/* snprintf for paths; false (and a failure naming the path) when it does not fit. */
static bool path_fmt(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool path_fmt(char *out, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(out, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        fail_msg(__LINE__, "path too long: %s", out);
        return false;
    }
    return true;
}

/* ---- request files ------------------------------------------------------ */

typedef struct parsed_request {
    char *method; /* owned */
    char *path;   /* owned */
    char *query;  /* owned, NULL when the target has no '?' */
    char *names[MAX_CASE_HEADERS];
    buf values[MAX_CASE_HEADERS];
    sigv4_header headers[MAX_CASE_HEADERS]; /* point into names and values */
    size_t n_headers;
    const char *body; /* borrowed from the file text */
    size_t body_len;
} parsed_request;

static void parsed_request_free(parsed_request *r)
{
    free(r->method);
    free(r->path);
    free(r->query);
    for (size_t i = 0; i < r->n_headers; i++) {
        free(r->names[i]);
        buf_free(&r->values[i]);
    }
    memset(r, 0, sizeof(*r));
}

/*
 * Parses a suite request file as SOURCE.md describes it: "METHOD target
 * HTTP/1.1" (the target may hold raw spaces and UTF-8), "Name:value" lines,
 * lines starting with whitespace continuing the previous value (kept raw, with
 * their '\n', for the signer to fold), an empty line, then the body.
 */
static int parse_request(const char *text, size_t len, parsed_request *r)
{
    size_t pos = 0;
    bool first = true;

    memset(r, 0, sizeof(*r));
    while (pos < len) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;

        pos += n + (nl ? 1 : 0);
        if (n > 0 && line[n - 1] == '\r')
            n--;
        if (first) {
            const char *sp = memchr(line, ' ', n);
            const char *ver = NULL;
            const char *q;

            for (const char *p = line; p + 6 <= line + n; p++) {
                if (memcmp(p, " HTTP/", 6) == 0)
                    ver = p;
            }
            if (!sp || !ver || ver <= sp)
                return -1;
            r->method = str_ndup(line, (size_t)(sp - line));
            q = memchr(sp + 1, '?', (size_t)(ver - sp - 1));
            if (q) {
                r->path = str_ndup(sp + 1, (size_t)(q - sp - 1));
                r->query = str_ndup(q + 1, (size_t)(ver - q - 1));
            } else {
                r->path = str_ndup(sp + 1, (size_t)(ver - sp - 1));
            }
            first = false;
            continue;
        }
        if (n == 0) {
            r->body = text + pos;
            r->body_len = len - pos;
            break;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            if (r->n_headers == 0)
                return -1;
            if (buf_putc(&r->values[r->n_headers - 1], '\n') != 0 ||
                buf_append(&r->values[r->n_headers - 1], line, n) != 0)
                return -1;
            continue;
        } else {
            const char *colon = memchr(line, ':', n);
            size_t i = r->n_headers;

            if (!colon || i >= MAX_CASE_HEADERS)
                return -1;
            r->names[i] = str_ndup(line, (size_t)(colon - line));
            buf_init(&r->values[i], 0);
            r->n_headers++;
            if (!r->names[i] || buf_append(&r->values[i], colon + 1, (size_t)(line + n - colon - 1)) != 0)
                return -1;
        }
    }
    if (first || !r->method || !r->path)
        return -1;
    for (size_t i = 0; i < r->n_headers; i++) {
        r->headers[i].name = r->names[i];
        r->headers[i].value = buf_str(&r->values[i]);
    }
    return 0;
}

static sigv4_request to_sigv4_request(const parsed_request *r)
{
    sigv4_request req;

    memset(&req, 0, sizeof(req));
    req.method = r->method;
    req.path = r->path;
    req.query = r->query;
    req.headers = r->headers;
    req.n_headers = r->n_headers;
    req.body = r->body;
    req.body_len = r->body_len;
    return req;
}

/* ---- context files ------------------------------------------------------ */

static long days_from_civil(long y, long m, long d)
{
    long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "2015-08-30T12:36:00Z" to epoch seconds, without timegm (not POSIX). */
static int parse_timestamp(const char *s, time_t *out)
{
    int y, mo, d, h, mi, se;
    char z;

    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 || z != 'Z')
        return -1;
    *out = (time_t)(days_from_civil(y, mo, d) * 86400L + h * 3600L + mi * 60L + se);
    return 0;
}

static const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static bool json_bool(const cJSON *obj, const char *key, bool fallback)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsBool(item) ? cJSON_IsTrue(item) : fallback;
}

/*
 * Fills params from a context.json object (strings borrowed from root).
 * sign_body maps to add_content_sha256; the payload hash is always the body's.
 */
static int params_from_context(const cJSON *root, sigv4_params *p)
{
    const cJSON *creds = cJSON_GetObjectItemCaseSensitive(root, "credentials");

    memset(p, 0, sizeof(*p));
    p->access_key_id = json_str(creds, "access_key_id");
    p->secret_access_key = json_str(creds, "secret_access_key");
    p->session_token = json_str(creds, "token");
    p->region = json_str(root, "region");
    p->service = json_str(root, "service");
    p->normalize_path = json_bool(root, "normalize", true);
    p->add_content_sha256 = json_bool(root, "sign_body", false);
    p->omit_session_token = json_bool(root, "omit_session_token", false);
    if (!p->access_key_id || !p->secret_access_key || !p->region || !p->service)
        return -1;
    return parse_timestamp(json_str(root, "timestamp"), &p->now);
}

static cJSON *load_json(const char *path)
{
    char *text = testutil_read_file(path, NULL);
    cJSON *root = text ? cJSON_Parse(text) : NULL;

    free(text);
    return root;
}

/* ---- one case ----------------------------------------------------------- */

typedef struct case_expect {
    const char *creq;
    size_t creq_len;
    const char *sts;
    size_t sts_len;
    const char *signature; /* 64 hex */
    const char *authorization;
    const char *signed_request; /* NULL: not compared */
    size_t signed_request_len;
    const char *authorization_override; /* replaces the signed request's Authorization (known defect) */
} case_expect;

typedef struct header_pair {
    char *name;  /* owned, lowercase */
    char *value; /* owned, trimmed */
} header_pair;

static int cmp_pair(const void *a, const void *b)
{
    const header_pair *pa = a;
    const header_pair *pb = b;
    int c = strcmp(pa->name, pb->name);

    return c ? c : strcmp(pa->value, pb->value);
}

static void pair_set(header_pair *p, const char *name, size_t name_len, const char *value)
{
    p->name = str_ndup(name, name_len);
    for (char *c = p->name; c && *c; c++)
        *c = (char)((*c >= 'A' && *c <= 'Z') ? *c - 'A' + 'a' : *c);
    p->value = str_trim(str_dup(value));
}

static void pairs_free(header_pair *pairs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(pairs[i].name);
        free(pairs[i].value);
    }
}

/*
 * The signed request is the original plus ctx->added. Compared with the
 * expected file as upstream does: request line and body exact, headers as a
 * multiset (names case-insensitive, values exact once trimmed).
 */
static bool check_signed_request(const char *label, const parsed_request *orig, const sigv4_ctx *ctx,
                                 const case_expect *ex)
{
    parsed_request want;
    header_pair got_pairs[MAX_CASE_HEADERS + SIGV4_MAX_ADDED_HEADERS];
    header_pair want_pairs[MAX_CASE_HEADERS];
    size_t n_got = 0, n_want = 0;
    bool ok = false;

    memset(got_pairs, 0, sizeof(got_pairs));
    memset(want_pairs, 0, sizeof(want_pairs));
    if (parse_request(ex->signed_request, ex->signed_request_len, &want) != 0) {
        fail_msg(__LINE__, "%s: expected signed request does not parse", label);
        parsed_request_free(&want);
        return false;
    }
    for (size_t i = 0; i < orig->n_headers; i++)
        pair_set(&got_pairs[n_got++], orig->names[i], strlen(orig->names[i]), buf_str(&orig->values[i]));
    for (size_t i = 0; i < ctx->n_added; i++) {
        const char *colon = strchr(ctx->added[i], ':');

        if (!colon || colon[1] != ' ') {
            fail_msg(__LINE__, "%s: added header %zu is not \"Name: value\"", label, i);
            goto out;
        }
        pair_set(&got_pairs[n_got++], ctx->added[i], (size_t)(colon - ctx->added[i]), colon + 2);
    }
    for (size_t i = 0; i < want.n_headers; i++) {
        const char *value = buf_str(&want.values[i]);

        if (ex->authorization_override && str_ieq(want.names[i], "authorization"))
            value = ex->authorization_override;
        pair_set(&want_pairs[n_want++], want.names[i], strlen(want.names[i]), value);
    }
    qsort(got_pairs, n_got, sizeof(got_pairs[0]), cmp_pair);
    qsort(want_pairs, n_want, sizeof(want_pairs[0]), cmp_pair);
    if (!check_str(label, "signed request method", want.method, orig->method) ||
        !check_str(label, "signed request path", want.path, orig->path) ||
        !check_str(label, "signed request query", want.query ? want.query : "",
                   orig->query ? orig->query : "") ||
        !check_text(label, "signed request body", want.body ? want.body : "", want.body_len,
                    orig->body ? orig->body : "", orig->body_len))
        goto out;
    if (n_got != n_want) {
        fail_msg(__LINE__, "%s: signed request has %zu headers, expected %zu", label, n_got, n_want);
        goto out;
    }
    for (size_t i = 0; i < n_got; i++) {
        if (strcmp(got_pairs[i].name, want_pairs[i].name) != 0 ||
            strcmp(got_pairs[i].value, want_pairs[i].value) != 0) {
            fail_msg(__LINE__, "%s: signed request header %s differs from expected %s", label,
                     got_pairs[i].name, want_pairs[i].name);
            goto out;
        }
    }
    ok = true;
out:
    pairs_free(got_pairs, n_got);
    pairs_free(want_pairs, n_want);
    parsed_request_free(&want);
    return ok;
}

/*
 * Runs the three stages one by one, comparing each with the expected file,
 * then sigv4_sign on a fresh ctx, which must agree and whose added headers
 * must turn the request into the expected signed request.
 */
static bool run_case(const char *label, const char *req_text, size_t req_len, const sigv4_params *params,
                     const case_expect *ex)
{
    parsed_request pr;
    sigv4_request req;
    sigv4_ctx ctx, full;
    ia_err err;
    bool ok = false;

    sigv4_ctx_init(&ctx);
    sigv4_ctx_init(&full);
    err_clear(&err);
    if (parse_request(req_text, req_len, &pr) != 0) {
        fail_msg(__LINE__, "%s: request file does not parse", label);
        goto out;
    }
    req = to_sigv4_request(&pr);

    if (sigv4_canonical_request(&ctx, &req, params, &err) != 0) {
        fail_msg(__LINE__, "%s: canonical request failed: %s", label, err.msg);
        goto out;
    }
    if (!check_text(label, "canonical request", ex->creq, ex->creq_len, ctx.canonical_request.data,
                    ctx.canonical_request.len))
        goto out;
    if (sigv4_string_to_sign(&ctx, params, &err) != 0) {
        fail_msg(__LINE__, "%s: string to sign failed: %s", label, err.msg);
        goto out;
    }
    if (!check_text(label, "string to sign", ex->sts, ex->sts_len, ctx.string_to_sign.data,
                    ctx.string_to_sign.len))
        goto out;
    if (sigv4_signature(&ctx, params, &err) != 0) {
        fail_msg(__LINE__, "%s: signature failed: %s", label, err.msg);
        goto out;
    }
    if (!check_str(label, "signature", ex->signature, ctx.signature) ||
        !check_str(label, "Authorization", ex->authorization, buf_str(&ctx.authorization)))
        goto out;

    if (sigv4_sign(&full, &req, params, &err) != 0) {
        fail_msg(__LINE__, "%s: sigv4_sign failed: %s", label, err.msg);
        goto out;
    }
    if (!check_str(label, "sigv4_sign canonical request", buf_str(&ctx.canonical_request),
                   buf_str(&full.canonical_request)) ||
        !check_str(label, "sigv4_sign Authorization", buf_str(&ctx.authorization),
                   buf_str(&full.authorization)))
        goto out;
    if (ex->signed_request && !check_signed_request(label, &pr, &full, ex))
        goto out;
    ok = true;
out:
    parsed_request_free(&pr);
    sigv4_ctx_clean_up(&ctx);
    sigv4_ctx_clean_up(&full);
    return ok;
}

/* ---- case discovery ----------------------------------------------------- */

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Names of the subdirectories of dir, sorted, owned by the caller (free each and the array). */
static size_t list_subdirs(const char *dir, char **names, size_t max)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;
    char path[4096];

    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        path_fmt(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (is_dir(path) && n < max)
            names[n++] = str_dup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_name);
    return n;
}

static char *read_case_file(const char *dir, const char *file, size_t *len)
{
    char path[4096];

    path_fmt(path, sizeof(path), "%s/%s", dir, file);
    return testutil_read_file(path, len);
}

/* ---- the v4 suite ------------------------------------------------------- */

static bool run_v4_case(const char *root, const char *name)
{
    char dir[4096], label[512];
    char *files[6] = {NULL};
    size_t lens[6] = {0};
    static const char *const file_names[6] = {
        "request.txt",          "header-canonical-request.txt", "header-string-to-sign.txt",
        "header-signature.txt", "header-signed-request.txt",    "context.json",
    };
    cJSON *context = NULL;
    sigv4_params params;
    case_expect ex;
    parsed_request signed_req;
    bool ok = false;

    memset(&signed_req, 0, sizeof(signed_req));
    path_fmt(dir, sizeof(dir), "%s/%s", root, name);
    path_fmt(label, sizeof(label), "v4/%s", name);
    for (size_t i = 0; i < 6; i++) {
        files[i] = read_case_file(dir, file_names[i], &lens[i]);
        if (!files[i]) {
            fail_msg(__LINE__, "%s: cannot read %s", label, file_names[i]);
            goto out;
        }
    }
    context = cJSON_Parse(files[5]);
    if (!context || params_from_context(context, &params) != 0) {
        fail_msg(__LINE__, "%s: context.json lacks a field", label);
        goto out;
    }
    /* The Authorization value to expect is the one the signed request carries. */
    if (parse_request(files[4], lens[4], &signed_req) != 0) {
        fail_msg(__LINE__, "%s: header-signed-request.txt does not parse", label);
        goto out;
    }
    memset(&ex, 0, sizeof(ex));
    for (size_t i = 0; i < signed_req.n_headers; i++) {
        if (str_ieq(signed_req.names[i], "authorization"))
            ex.authorization = buf_str(&signed_req.values[i]);
    }
    if (!ex.authorization) {
        fail_msg(__LINE__, "%s: header-signed-request.txt has no Authorization", label);
        goto out;
    }
    ex.creq = files[1];
    ex.creq_len = lens[1];
    ex.sts = files[2];
    ex.sts_len = lens[2];
    ex.signature = files[3];
    ex.signed_request = files[4];
    ex.signed_request_len = lens[4];
    ok = run_case(label, files[0], lens[0], &params, &ex);
out:
    parsed_request_free(&signed_req);
    cJSON_Delete(context);
    for (size_t i = 0; i < 6; i++)
        free(files[i]);
    return ok;
}

static void test_sigv4__v4_suite_every_case(void)
{
    char root[4096];
    char *names[MAX_CASES];
    size_t n, run = 0, passed = 0;

    str_copy(root, sizeof(root), testutil_data_path("conformance/sigv4/v4"));
    n = list_subdirs(root, names, MAX_CASES);
    for (size_t i = 0; i < n; i++) {
        run++;
        if (run_v4_case(root, names[i]))
            passed++;
        free(names[i]);
    }
    fprintf(stderr, "\nv4 suite: %zu cases run, %zu passed\n", run, passed);
    CU_ASSERT_EQUAL(run, V4_CASES);
    CU_ASSERT_EQUAL(passed, run);
}

/* ---- the classic suite -------------------------------------------------- */

/* Case paths relative to root ("get-vanilla", "normalize-path/get-slash"): a folder holding <name>.req is a
 * case. */
static size_t find_classic_cases(const char *root, char **cases, size_t max)
{
    char *top[MAX_CASES];
    size_t n_top = list_subdirs(root, top, MAX_CASES);
    size_t n = 0;
    char path[4096];

    for (size_t i = 0; i < n_top; i++) {
        path_fmt(path, sizeof(path), "%s/%s/%s.req", root, top[i], top[i]);
        if (is_file(path)) {
            if (n < max)
                cases[n++] = str_dup(top[i]);
        } else {
            char *sub[MAX_CASES];
            char dir[4096];
            size_t n_sub;

            path_fmt(dir, sizeof(dir), "%s/%s", root, top[i]);
            n_sub = list_subdirs(dir, sub, MAX_CASES);
            for (size_t j = 0; j < n_sub; j++) {
                path_fmt(path, sizeof(path), "%s/%s/%s.req", dir, sub[j], sub[j]);
                if (is_file(path) && n < max) {
                    path_fmt(path, sizeof(path), "%s/%s", top[i], sub[j]);
                    cases[n++] = str_dup(path);
                }
                free(sub[j]);
            }
        }
        free(top[i]);
    }
    return n;
}

static bool run_classic_case(const char *root, const char *rel, const cJSON *suite)
{
    char dir[4096], label[512], file[512];
    const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
    static const char *const exts[4] = {"req", "creq", "sts", "authz"};
    char *files[5] = {NULL};
    size_t lens[5] = {0};
    const cJSON *over =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(suite, "cases"), rel);
    const cJSON *defects = cJSON_GetObjectItemCaseSensitive(suite, "sreq_authorization_from_authz");
    const cJSON *item;
    const char *sig;
    sigv4_params params;
    case_expect ex;
    bool ok = false;

    path_fmt(dir, sizeof(dir), "%s/%s", root, rel);
    path_fmt(label, sizeof(label), "aws4_testsuite/%s", rel);
    for (size_t i = 0; i < 4; i++) {
        path_fmt(file, sizeof(file), "%s.%s", base, exts[i]);
        files[i] = read_case_file(dir, file, &lens[i]);
        if (!files[i]) {
            fail_msg(__LINE__, "%s: cannot read %s", label, file);
            goto out;
        }
    }
    path_fmt(file, sizeof(file), "%s.sreq", base);
    files[4] = read_case_file(dir, file, &lens[4]);
    if (!files[4]) {
        fail_msg(__LINE__, "%s: cannot read %s", label, file);
        goto out;
    }
    if (params_from_context(suite, &params) != 0) {
        fail_msg(__LINE__, "%s: aws4_testsuite.json lacks a field", label);
        goto out;
    }
    if (over) {
        params.session_token = json_str(over, "token");
        params.omit_session_token = json_bool(over, "omit_session_token", false);
    }
    sig = strstr(files[3], "Signature=");
    if (!sig || strlen(sig + 10) != 64) {
        fail_msg(__LINE__, "%s: .authz has no Signature=", label);
        goto out;
    }
    memset(&ex, 0, sizeof(ex));
    ex.creq = files[1];
    ex.creq_len = lens[1];
    ex.sts = files[2];
    ex.sts_len = lens[2];
    ex.signature = sig + 10;
    ex.authorization = files[3];
    ex.signed_request = files[4];
    ex.signed_request_len = lens[4];
    cJSON_ArrayForEach(item, defects)
    {
        /* Upstream's .sreq carries another case's signature; its .authz is right (SOURCE.md section 3). */
        if (cJSON_IsString(item) && strcmp(item->valuestring, rel) == 0)
            ex.authorization_override = files[3];
    }
    ok = run_case(label, files[0], lens[0], &params, &ex);
out:
    for (size_t i = 0; i < 5; i++)
        free(files[i]);
    return ok;
}

static void test_sigv4__classic_suite_every_case(void)
{
    char root[4096];
    char *cases[MAX_CASES];
    cJSON *suite = load_json(testutil_data_path("sigv4/aws4_testsuite.json"));
    size_t n, run = 0, passed = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(suite);
    str_copy(root, sizeof(root), testutil_data_path("conformance/sigv4/aws4_testsuite"));
    n = find_classic_cases(root, cases, MAX_CASES);
    for (size_t i = 0; i < n; i++) {
        run++;
        if (run_classic_case(root, cases[i], suite))
            passed++;
        free(cases[i]);
    }
    fprintf(stderr, "\nclassic suite: %zu cases run, %zu passed\n", run, passed);
    CU_ASSERT_EQUAL(run, CLASSIC_CASES);
    CU_ASSERT_EQUAL(passed, run);
    cJSON_Delete(suite);
}

/* ---- the project's own cases -------------------------------------------- */

static char *read_data(const char *rel, size_t *len)
{
    return testutil_read_file(testutil_data_path(rel), len);
}

static void test_sigv4__post_json_with_session_token(void)
{
    char *request = NULL, *creq = NULL, *sts = NULL, *sig = NULL, *authz = NULL;
    size_t request_len = 0, creq_len = 0, sts_len = 0;
    cJSON *context = load_json(testutil_data_path("sigv4/post-json-session-token/context.json"));
    sigv4_params params;
    case_expect ex;
    parsed_request pr;
    sigv4_request req;
    sigv4_ctx ctx;
    ia_err err;
    char line[1024];

    memset(&pr, 0, sizeof(pr));
    sigv4_ctx_init(&ctx);
    request = read_data("sigv4/post-json-session-token/request.txt", &request_len);
    creq = read_data("sigv4/post-json-session-token/canonical-request.txt", &creq_len);
    sts = read_data("sigv4/post-json-session-token/string-to-sign.txt", &sts_len);
    sig = read_data("sigv4/post-json-session-token/signature.txt", NULL);
    authz = read_data("sigv4/post-json-session-token/authorization.txt", NULL);
    CU_ASSERT_FATAL(context && request && creq && sts && sig && authz);
    CU_ASSERT_EQUAL_FATAL(params_from_context(context, &params), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(params.session_token);

    memset(&ex, 0, sizeof(ex));
    ex.creq = creq;
    ex.creq_len = creq_len;
    ex.sts = sts;
    ex.sts_len = sts_len;
    ex.signature = sig;
    ex.authorization = authz;
    CU_ASSERT_TRUE(run_case("post-json-session-token", request, request_len, &params, &ex));

    /* The token is signed and sent; nothing else but the date and Authorization is added. */
    CU_ASSERT_EQUAL_FATAL(parse_request(request, request_len, &pr), 0);
    req = to_sigv4_request(&pr);
    CU_ASSERT_EQUAL_FATAL(sigv4_sign(&ctx, &req, &params, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&ctx.signed_headers), ";x-amz-security-token;"));
    CU_ASSERT_EQUAL_FATAL(ctx.n_added, 3);
    CU_ASSERT_STRING_EQUAL(ctx.added[0], "X-Amz-Date: 20240305T070809Z");
    snprintf(line, sizeof(line), "X-Amz-Security-Token: %s", params.session_token);
    CU_ASSERT_STRING_EQUAL(ctx.added[1], line);
    snprintf(line, sizeof(line), "Authorization: %s", authz);
    CU_ASSERT_STRING_EQUAL(ctx.added[2], line);

    parsed_request_free(&pr);
    sigv4_ctx_clean_up(&ctx);
    cJSON_Delete(context);
    free(request);
    free(creq);
    free(sts);
    free(sig);
    free(authz);
}

/* A small request of the suites' shape, for the behaviour tests below. */
typedef struct mini {
    sigv4_header headers[8];
    sigv4_request req;
    sigv4_params params;
} mini;

static void mini_init(mini *m)
{
    memset(m, 0, sizeof(*m));
    m->headers[0].name = "Host";
    m->headers[0].value = "example.amazonaws.com";
    m->req.method = "POST";
    m->req.path = "/";
    m->req.headers = m->headers;
    m->req.n_headers = 1;
    m->req.body = "Param1=value1";
    m->req.body_len = 13;
    m->params.access_key_id = "AKIDEXAMPLE";
    m->params.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    m->params.region = "us-east-1";
    m->params.service = "service";
    m->params.now = SUITE_EPOCH;
    m->params.normalize_path = true;
}

static void test_sigv4__added_lists_exactly_the_headers_to_add(void)
{
    static const char token[] = "session/token+value==";
    mini m;
    sigv4_ctx ctx;
    ia_err err;
    char body_hash[65], line[256];

    sigv4_ctx_init(&ctx);
    sigv4_sha256_hex("Param1=value1", 13, body_hash);

    /* Long-term keys, no body header: the date and Authorization only. */
    mini_init(&m);
    CU_ASSERT_EQUAL_FATAL(sigv4_sign(&ctx, &m.req, &m.params, &err), 0);
    CU_ASSERT_EQUAL_FATAL(ctx.n_added, 2);
    CU_ASSERT_STRING_EQUAL(ctx.added[0], "X-Amz-Date: " SUITE_DATE);
    snprintf(line, sizeof(line), "Authorization: %s", buf_str(&ctx.authorization));
    CU_ASSERT_STRING_EQUAL(ctx.added[1], line);
    CU_ASSERT_STRING_EQUAL(buf_str(&ctx.signed_headers), "host;x-amz-date");

    /* Everything: date, body hash, token, Authorization, in that order. */
    mini_init(&m);
    m.params.add_content_sha256 = true;
    m.params.session_token = token;
    CU_ASSERT_EQUAL_FATAL(sigv4_sign(&ctx, &m.req, &m.params, &err), 0);
    CU_ASSERT_EQUAL_FATAL(ctx.n_added, 4);
    CU_ASSERT_STRING_EQUAL(ctx.added[0], "X-Amz-Date: " SUITE_DATE);
    snprintf(line, sizeof(line), "x-amz-content-sha256: %s", body_hash);
    CU_ASSERT_STRING_EQUAL(ctx.added[1], line);
    CU_ASSERT_STRING_EQUAL(ctx.added[2], "X-Amz-Security-Token: session/token+value==");
    snprintf(line, sizeof(line), "Authorization: %s", buf_str(&ctx.authorization));
    CU_ASSERT_STRING_EQUAL(ctx.added[3], line);
    CU_ASSERT_STRING_EQUAL(buf_str(&ctx.signed_headers),
                           "host;x-amz-content-sha256;x-amz-date;x-amz-security-token");

    /* Token added after signing: sent, not signed. */
    m.params.omit_session_token = true;
    CU_ASSERT_EQUAL_FATAL(sigv4_sign(&ctx, &m.req, &m.params, &err), 0);
    CU_ASSERT_EQUAL_FATAL(ctx.n_added, 4);
    CU_ASSERT_STRING_EQUAL(ctx.added[2], "X-Amz-Security-Token: session/token+value==");
    CU_ASSERT_STRING_EQUAL(buf_str(&ctx.signed_headers), "host;x-amz-content-sha256;x-amz-date");
    CU_ASSERT_PTR_NULL(strstr(buf_str(&ctx.canonical_request), token));

    /* An empty token is no token. */
    mini_init(&m);
    m.params.session_token = "";
    CU_ASSERT_EQUAL_FATAL(sigv4_sign(&ctx, &m.req, &m.params, &err), 0);
    CU_ASSERT_EQUAL(ctx.n_added, 2);

    /* The request's own X-Amz-Date, x-amz-content-sha256 and token are used, not added again. */
    mini_init(&m);
    m.headers[1].name = "x-amz-date";
    m.headers[1].value = " 20200102T030405Z ";
    m.headers[2].name = "X-Amz-Content-Sha256";
    m.headers[2].value = "UNSIGNED-PAYLOAD";
    m.headers[3].name = "X-AMZ-SECURITY-TOKEN";
    m.headers[3].value = token;
    m.req.n_headers = 4;
    m.params.add_content_sha256 = true;
    m.params.session_token = token;
    CU_ASSERT_EQUAL_FATAL(sigv4_sign(&ctx, &m.req, &m.params, &err), 0);
    CU_ASSERT_EQUAL_FATAL(ctx.n_added, 1);
    CU_ASSERT_TRUE(
        str_starts_with(ctx.added[0], "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20200102/"));
    CU_ASSERT_STRING_EQUAL(ctx.amz_date, "20200102T030405Z");
    CU_ASSERT_STRING_EQUAL(ctx.scope_date, "20200102");
    /* A caller-set body hash (S3's UNSIGNED-PAYLOAD) is the payload line. */
    CU_ASSERT_TRUE(strlen(buf_str(&ctx.canonical_request)) > 17);
    CU_ASSERT_STRING_EQUAL(buf_str(&ctx.canonical_request) + strlen(buf_str(&ctx.canonical_request)) - 17,
                           "\nUNSIGNED-PAYLOAD");

    sigv4_ctx_clean_up(&ctx);
}

static void test_sigv4__clock_sets_date_and_signature(void)
{
    mini m;
    sigv4_ctx a, b, c;
    ia_err err;

    sigv4_ctx_init(&a);
    sigv4_ctx_init(&b);
    sigv4_ctx_init(&c);
    mini_init(&m);
    CU_ASSERT_EQUAL_FATAL(sigv4_sign(&a, &m.req, &m.params, &err), 0);
    CU_ASSERT_STRING_EQUAL(a.amz_date, SUITE_DATE);
    CU_ASSERT_STRING_EQUAL(a.scope_date, "20150830");

    /* One second later: another date, another signature, same scope. */
    m.params.now = SUITE_EPOCH + 1;
    CU_ASSERT_EQUAL_FATAL(sigv4_sign(&b, &m.req, &m.params, &err), 0);
    CU_ASSERT_STRING_EQUAL(b.amz_date, "20150830T123601Z");
    CU_ASSERT_STRING_EQUAL(b.scope_date, "20150830");
    CU_ASSERT_STRING_NOT_EQUAL(a.signature, b.signature);
    CU_ASSERT_STRING_EQUAL(b.added[0], "X-Amz-Date: 20150830T123601Z");

    /* Past midnight UTC the scope date, hence the signing key, changes too. */
    m.params.now = SUITE_EPOCH + 11 * 3600 + 24 * 60;
    CU_ASSERT_EQUAL_FATAL(sigv4_sign(&c, &m.req, &m.params, &err), 0);
    CU_ASSERT_STRING_EQUAL(c.amz_date, "20150831T000000Z");
    CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&c.authorization), "Credential=AKIDEXAMPLE/20150831/us-east-1/"));

    /* The same clock gives the same signature: nothing else varies. */
    m.params.now = SUITE_EPOCH;
    CU_ASSERT_EQUAL_FATAL(sigv4_sign(&b, &m.req, &m.params, &err), 0);
    CU_ASSERT_STRING_EQUAL(a.signature, b.signature);
    CU_ASSERT_STRING_EQUAL(buf_str(&a.authorization), buf_str(&b.authorization));

    sigv4_ctx_clean_up(&a);
    sigv4_ctx_clean_up(&b);
    sigv4_ctx_clean_up(&c);
}

static void test_sigv4__clean_up_accepts_null_and_zeroed(void)
{
    sigv4_ctx ctx;
    mini m;
    ia_err err;

    sigv4_ctx_clean_up(NULL);

    memset(&ctx, 0, sizeof(ctx));
    sigv4_ctx_clean_up(&ctx);
    CU_ASSERT_EQUAL(ctx.n_added, 0);
    CU_ASSERT_PTR_NULL(ctx.canonical_request.data);

    /* A signed ctx is emptied, and a second clean-up is harmless. */
    sigv4_ctx_init(&ctx);
    mini_init(&m);
    m.params.session_token = "token";
    CU_ASSERT_EQUAL_FATAL(sigv4_sign(&ctx, &m.req, &m.params, &err), 0);
    CU_ASSERT_EQUAL(ctx.n_added, 3);
    sigv4_ctx_clean_up(&ctx);
    CU_ASSERT_EQUAL(ctx.n_added, 0);
    for (size_t i = 0; i < SIGV4_MAX_ADDED_HEADERS; i++)
        CU_ASSERT_PTR_NULL(ctx.added[i]);
    CU_ASSERT_PTR_NULL(ctx.canonical_request.data);
    CU_ASSERT_PTR_NULL(ctx.authorization.data);
    CU_ASSERT_EQUAL(ctx.signature[0], '\0');
    sigv4_ctx_clean_up(&ctx);

    /* A zeroed ctx that was never initialised can sign (buffers take the default ceiling). */
    memset(&ctx, 0, sizeof(ctx));
    CU_ASSERT_EQUAL(sigv4_sign(&ctx, &m.req, &m.params, &err), 0);
    sigv4_ctx_clean_up(&ctx);
}

static void test_sigv4__sha256_hex_known_vectors(void)
{
    char out[65];

    sigv4_sha256_hex(NULL, 0, out);
    CU_ASSERT_STRING_EQUAL(out, EMPTY_SHA256);
    /* FIPS 180-2 appendix B examples. */
    sigv4_sha256_hex("abc", 3, out);
    CU_ASSERT_STRING_EQUAL(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sigv4_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, out);
    CU_ASSERT_STRING_EQUAL(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* Each row of canonical-uri.tsv: the canonical request's second and third lines. */
static void test_sigv4__canonical_uri_table(void)
{
    char *text = read_data("sigv4/canonical-uri.tsv", NULL);
    char *next = text;
    size_t rows = 0;
    sigv4_ctx ctx;
    ia_err err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    sigv4_ctx_init(&ctx);
    while (next && *next) {
        char *line = next;
        char *f[4] = {NULL};
        char *p = line;
        char *target, *q, *creq_path, *creq_query, *end;
        mini m;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        for (size_t i = 0; i < 4; i++) {
            f[i] = p;
            p = strchr(p, '\t');
            if (i < 3) {
                CU_ASSERT_PTR_NOT_NULL_FATAL(p);
                *p++ = '\0';
            }
        }
        rows++;
        mini_init(&m);
        m.params.normalize_path = f[0][0] == '1';
        target = str_dup(f[1]);
        q = strchr(target, '?');
        if (q)
            *q++ = '\0';
        m.req.path = target;
        m.req.query = q;
        if (sigv4_canonical_request(&ctx, &m.req, &m.params, &err) != 0) {
            fail_msg(__LINE__, "canonical-uri.tsv row %zu (%s): %s", rows, f[1], err.msg);
            free(target);
            continue;
        }
        creq_path = strchr(buf_str(&ctx.canonical_request), '\n') + 1;
        end = strchr(creq_path, '\n');
        creq_query = end + 1;
        *end = '\0';
        *strchr(creq_query, '\n') = '\0';
        if (strcmp(creq_path, f[2]) != 0 || strcmp(creq_query, f[3]) != 0)
            fail_msg(__LINE__,
                     "canonical-uri.tsv row %zu (%s): got path \"%s\" query \"%s\", want \"%s\" \"%s\"", rows,
                     f[1], creq_path, creq_query, f[2], f[3]);
        free(target);
    }
    CU_ASSERT_EQUAL(rows, 21);
    sigv4_ctx_clean_up(&ctx);
    free(text);
}

/* A bad request fails with a one-line reason, leaves no result behind, and never echoes a secret. */
static void expect_failure(const char *what, mini *m, const char *needle)
{
    sigv4_ctx ctx;
    ia_err err;

    sigv4_ctx_init(&ctx);
    err_clear(&err);
    if (sigv4_sign(&ctx, &m->req, &m->params, &err) != -1) {
        fail_msg(__LINE__, "%s: signing succeeded", what);
    } else {
        if (!strstr(err.msg, needle))
            fail_msg(__LINE__, "%s: message \"%s\" does not mention \"%s\"", what, err.msg, needle);
        if (strchr(err.msg, '\n'))
            fail_msg(__LINE__, "%s: message is not one line", what);
        if ((*m->params.secret_access_key && strstr(err.msg, m->params.secret_access_key)) ||
            (m->params.session_token && *m->params.session_token && strstr(err.msg, m->params.session_token)))
            fail_msg(__LINE__, "%s: message shows a secret", what);
        CU_ASSERT_EQUAL(ctx.canonical_request.len, 0);
        CU_ASSERT_EQUAL(ctx.authorization.len, 0);
        CU_ASSERT_EQUAL(ctx.n_added, 0);
    }
    sigv4_ctx_clean_up(&ctx);
}

static void test_sigv4__bad_requests_fail_cleanly(void)
{
    mini m;

    mini_init(&m);
    m.headers[0].name = "Accept";
    expect_failure("no Host", &m, "Host");

    mini_init(&m);
    m.req.query = "a=%4";
    expect_failure("truncated escape", &m, "escape");

    mini_init(&m);
    m.req.query = "a=%G1";
    expect_failure("bad escape", &m, "escape");

    mini_init(&m);
    m.req.path = "example";
    expect_failure("relative path", &m, "path");

    mini_init(&m);
    m.headers[1].name = "X-Amz-Date";
    m.headers[1].value = "2015-08-30T12:36:00Z";
    m.req.n_headers = 2;
    expect_failure("bad X-Amz-Date", &m, "X-Amz-Date");

    mini_init(&m);
    m.headers[1].name = "Authorization";
    m.headers[1].value = "AWS4-HMAC-SHA256 stale";
    m.req.n_headers = 2;
    expect_failure("already signed", &m, "Authorization");

    mini_init(&m);
    m.headers[1].name = "Bad Name";
    m.headers[1].value = "x";
    m.req.n_headers = 2;
    expect_failure("header name with a space", &m, "name");

    mini_init(&m);
    m.req.body = NULL;
    expect_failure("NULL body with a length", &m, "body");

    mini_init(&m);
    m.headers[1].name = "X-Amz-Security-Token";
    m.headers[1].value = "request-token-value";
    m.req.n_headers = 2;
    m.params.session_token = "other-session-token";
    expect_failure("conflicting token", &m, "X-Amz-Security-Token");

    mini_init(&m);
    m.params.secret_access_key = "";
    expect_failure("empty secret", &m, "secret");

    mini_init(&m);
    m.params.access_key_id = "AKID/with/slash";
    expect_failure("bad key id", &m, "access key");

    mini_init(&m);
    m.params.region = "us east 1";
    expect_failure("bad region", &m, "region");

    mini_init(&m);
    m.params.now = (time_t)-100000000000LL;
    expect_failure("clock before year 0", &m, "signing time");
}

static void test_sigv4__stages_out_of_order_fail(void)
{
    sigv4_ctx ctx;
    mini m;
    ia_err err;

    mini_init(&m);
    sigv4_ctx_init(&ctx);
    CU_ASSERT_EQUAL(sigv4_string_to_sign(&ctx, &m.params, &err), -1);
    CU_ASSERT_EQUAL(sigv4_signature(&ctx, &m.params, &err), -1);
    CU_ASSERT_EQUAL(ctx.signature[0], '\0');

    /* A failed stage 1 wipes what an earlier signing left. */
    CU_ASSERT_EQUAL_FATAL(sigv4_sign(&ctx, &m.req, &m.params, &err), 0);
    m.req.query = "%";
    CU_ASSERT_EQUAL(sigv4_canonical_request(&ctx, &m.req, &m.params, &err), -1);
    CU_ASSERT_EQUAL(ctx.canonical_request.len, 0);
    CU_ASSERT_EQUAL(ctx.n_added, 0);
    CU_ASSERT_EQUAL(ctx.signature[0], '\0');
    CU_ASSERT_EQUAL(sigv4_string_to_sign(&ctx, &m.params, &err), -1);
    sigv4_ctx_clean_up(&ctx);
}

static void test_sigv4__transport_headers_are_not_signed(void)
{
    mini m;
    sigv4_ctx plain, extra;
    ia_err err;

    sigv4_ctx_init(&plain);
    sigv4_ctx_init(&extra);
    mini_init(&m);
    CU_ASSERT_EQUAL_FATAL(sigv4_sign(&plain, &m.req, &m.params, &err), 0);
    m.headers[1].name = "User-Agent";
    m.headers[1].value = "imgaudit/0.1";
    m.headers[2].name = "Expect";
    m.headers[2].value = "100-continue";
    m.headers[3].name = "X-Amzn-Trace-Id";
    m.headers[3].value = "Root=1-abc";
    m.headers[4].name = "X-Amz-Target";
    m.headers[4].value = "PhotonAdminProxyService.DescribeImages";
    m.req.n_headers = 5;
    CU_ASSERT_EQUAL_FATAL(sigv4_sign(&extra, &m.req, &m.params, &err), 0);
    CU_ASSERT_STRING_EQUAL(buf_str(&extra.signed_headers), "host;x-amz-date;x-amz-target");
    CU_ASSERT_STRING_NOT_EQUAL(plain.signature, extra.signature);

    /* Without X-Amz-Target, the three transport headers change nothing. */
    m.req.n_headers = 4;
    CU_ASSERT_EQUAL_FATAL(sigv4_sign(&extra, &m.req, &m.params, &err), 0);
    CU_ASSERT_STRING_EQUAL(plain.signature, extra.signature);
    sigv4_ctx_clean_up(&plain);
    sigv4_ctx_clean_up(&extra);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"v4 suite: every case", test_sigv4__v4_suite_every_case},
        {"classic suite: every case", test_sigv4__classic_suite_every_case},
        {"POST JSON 1.1 with session token", test_sigv4__post_json_with_session_token},
        {"added lists exactly the headers to add", test_sigv4__added_lists_exactly_the_headers_to_add},
        {"clock sets date and signature", test_sigv4__clock_sets_date_and_signature},
        {"clean_up accepts NULL and zeroed ctx", test_sigv4__clean_up_accepts_null_and_zeroed},
        {"sha256_hex known vectors", test_sigv4__sha256_hex_known_vectors},
        {"canonical path and query table", test_sigv4__canonical_uri_table},
        {"bad requests fail cleanly", test_sigv4__bad_requests_fail_cleanly},
        {"stages out of order fail", test_sigv4__stages_out_of_order_fail},
        {"transport headers are not signed", test_sigv4__transport_headers_are_not_signed},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("sigv4", tests);
}
