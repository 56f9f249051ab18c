#include "report/junit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report/finding.h"
#include "report/tally.h"
#include "report/xmltext.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/wbuf.h"

/* Longest attribute or text taken from the results; messages past it are cut with an ellipsis. */
#define FIELD_MAX ((size_t)16 * 1024)
#define BODY_MAX  ((size_t)64 * 1024)

/* Deepest nesting: testsuites > testsuite > testcase > failure. */
#define DEPTH_MAX 4

/*
 * The writer. The markup is written here rather than by libxml2's
 * xmlTextWriter: for a report of millions of test cases the writer's own
 * bookkeeping and its byte-at-a-time escaping took most of the time (about
 * 70 MB/s), and the layout is a fixed one. The output is the one
 * xmlTextWriter gave with an indent of two spaces, byte for byte: elements on
 * their own lines, an element without content closed with "/>", text right
 * after its start tag and before its end tag, escaping as
 * xmltext_put_attr/xmltext_put_text say. Errors are sticky: after a failed
 * write (kept in out) or allocation (`failed`) every call is a no-op, and the
 * loops check `failed` once per test case, which keeps the mapping code
 * readable.
 */
typedef struct jw {
    wbuf out;
    const results *r;
    const junit_options *opt;
    buf clean; /* xmltext's scratch */
    buf text;  /* composes names and bodies */
    int failed;
    const char *open[DEPTH_MAX]; /* names of the open elements, outermost first */
    size_t open_len[DEPTH_MAX];
    int depth;
    int in_tag;   /* the innermost start tag is not closed yet ('>' not written) */
    int has_text; /* the innermost element holds text: its end tag follows without indent */
    size_t suite_id;
    char timestamp[20]; /* YYYY-MM-DDTHH:MM:SS, UTC without a zone (windyroad's pattern) */
    char hostname[256];
} jw;

#define PUT(j, lit) wbuf_write(&(j)->out, lit, sizeof(lit) - 1)

/*
 * Element and attribute names are literals (the "" makes anything else a
 * compile error), their lengths known at compile time: millions of test cases
 * call these, and a strlen per name showed in the profile.
 */
#define jw_start(j, name)        jw_start_n(j, "" name, sizeof(name) - 1)
#define jw_attr(j, name, value)  jw_attr_n(j, " " name "=\"", sizeof(name) + 2, value)
#define jw_count(j, name, value) jw_count_n(j, " " name "=\"", sizeof(name) + 2, value)
#define jw_token_attr(j, name, value, fallback)                                                              \
    jw_token_attr_n(j, " " name "=\"", sizeof(name) + 2, value, fallback)

int junit_parse_group(const char *s, junit_group *out)
{
    if (s && strcmp(s, "rule") == 0) {
        *out = JUNIT_GROUP_RULE;
        return 0;
    }
    if (s && strcmp(s, "account") == 0) {
        *out = JUNIT_GROUP_ACCOUNT;
        return 0;
    }
    return -1;
}

static void jw_indent(jw *j, int depth)
{
    static const char spaces[2 * DEPTH_MAX] = "        ";

    wbuf_write(&j->out, spaces, 2 * (size_t)depth);
}

static void jw_start_n(jw *j, const char *name, size_t len)
{
    /* A failed write fails the writer too, so that the loops stop at the next element. */
    if (j->failed || j->out.failed || j->depth == DEPTH_MAX) {
        j->failed = 1;
        return;
    }
    if (j->in_tag)
        PUT(j, ">\n");
    jw_indent(j, j->depth);
    wbuf_putc(&j->out, '<');
    wbuf_write(&j->out, name, len);
    j->open[j->depth] = name;
    j->open_len[j->depth++] = len;
    j->in_tag = 1;
    j->has_text = 0;
}

static void jw_end(jw *j)
{
    if (j->failed || j->depth == 0)
        return;
    j->depth--;
    if (j->in_tag) {
        PUT(j, "/>\n");
    } else {
        if (!j->has_text)
            jw_indent(j, j->depth);
        PUT(j, "</");
        wbuf_write(&j->out, j->open[j->depth], j->open_len[j->depth]);
        PUT(j, ">\n");
    }
    j->in_tag = 0;
    j->has_text = 0;
}

/* An attribute of the start tag being written (lead: ' name="'); value NULL is empty. */
static void jw_attr_n(jw *j, const char *lead, size_t lead_len, const char *value)
{
    if (j->failed)
        return;
    wbuf_write(&j->out, lead, lead_len);
    if (xmltext_put_attr(&j->out, &j->clean, value, FIELD_MAX) != 0)
        j->failed = 1;
    wbuf_putc(&j->out, '"');
}

/* windyroad types suite names and hostnames as non-empty tokens: blank ones get a stand-in. */
static void jw_token_attr_n(jw *j, const char *lead, size_t lead_len, const char *value, const char *fallback)
{
    const char *v;

    if (j->failed)
        return;
    v = xmltext_clean(&j->clean, value ? value : "", FIELD_MAX);
    if (!v) {
        j->failed = 1;
        return;
    }
    if (v[strspn(v, " \t\r\n")] == '\0')
        v = fallback;
    /* v is clean now, so jw_attr writes it without reusing the scratch it may live in. */
    jw_attr_n(j, lead, lead_len, v);
}

static void jw_count_n(jw *j, const char *lead, size_t lead_len, size_t value)
{
    if (j->failed)
        return;
    wbuf_write(&j->out, lead, lead_len);
    wbuf_uint(&j->out, value);
    wbuf_putc(&j->out, '"');
}

/* Text content of the innermost element, which then holds nothing else. */
static void jw_text(jw *j, const char *text)
{
    if (j->failed)
        return;
    if (j->in_tag)
        wbuf_putc(&j->out, '>');
    j->in_tag = 0;
    j->has_text = 1;
    if (xmltext_put_text(&j->out, &j->clean, text, BODY_MAX) != 0)
        j->failed = 1;
}

static void jw_property(jw *j, const char *name, const char *value)
{
    if (!value)
        return;
    jw_start(j, "property");
    jw_attr(j, "name", name);
    jw_attr(j, "value", value);
    jw_end(j);
}

static void jw_count_property(jw *j, const char *name, size_t value)
{
    jw_start(j, "property");
    jw_attr(j, "name", name);
    jw_count(j, "value", value);
    jw_end(j);
}

/*
 * Appends the strings, up to a NULL, to j->text; a failed append makes the
 * writer fail. A piece that fits in what the buffer holds already is copied
 * here, NUL and all: a test case is a dozen pieces of a few bytes, millions
 * of times, and buf_puts's checks on each showed in the profile. The limit
 * is buf's own (BUF_DEFAULT_MAX: j->text has no max of its own).
 */
static void jw_cat(jw *j, ...) __attribute__((sentinel));
static void jw_cat(jw *j, ...)
{
    buf *b = &j->text;
    va_list ap;
    const char *s;

    va_start(ap, j);
    while ((s = va_arg(ap, const char *)) != NULL && !j->failed) {
        size_t n = strlen(s);

        if (b->data && n < b->cap - b->len && b->len + n <= BUF_DEFAULT_MAX) {
            memcpy(b->data + b->len, s, n + 1);
            b->len += n;
        } else if (buf_append(b, s, n) != 0) {
            j->failed = 1;
        }
    }
    va_end(ap);
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static void jw_suite_start(jw *j, const char *name, const char *package, size_t tests, size_t failures,
                           size_t errors, size_t skipped)
{
    jw_start(j, "testsuite");
    jw_token_attr(j, "name", name, "unnamed");
    jw_count(j, "id", j->suite_id++);
    jw_token_attr(j, "package", package, "imgaudit");
    jw_attr(j, "timestamp", j->timestamp);
    jw_token_attr(j, "hostname", j->hostname, "localhost");
    jw_count(j, "tests", tests);
    jw_count(j, "failures", failures);
    jw_count(j, "errors", errors);
    jw_count(j, "skipped", skipped);
    /* Rules are judged in microseconds; a per-rule time would be noise. */
    jw_attr(j, "time", "0");
}

static void jw_suite_end(jw *j)
{
    jw_start(j, "system-out");
    jw_end(j);
    jw_start(j, "system-err");
    jw_end(j);
    jw_end(j); /* testsuite */
}

static void waiver_message(jw *j, const result *it)
{
    const waiver_info *wv = finding_waiver(j->r, it);

    buf_reset(&j->text);
    if (!wv) {
        jw_cat(j, "waived", NULL);
        return;
    }
    jw_cat(j, "waived: ", or_dash(wv->reason), " (", NULL);
    if (wv->owner && *wv->owner)
        jw_cat(j, wv->owner, ", ", NULL);
    jw_cat(j, "expires ", or_dash(wv->expires), ")", NULL);
}

static void failure_body(jw *j, const result *it, const rule_info *rule, const snap_resource *res)
{
    buf_reset(&j->text);
    jw_cat(j, or_dash(it->message), "\n\nRule: ", or_dash(rule->id), NULL);
    if (rule->title)
        jw_cat(j, " - ", rule->title, NULL);
    jw_cat(j, "\nSeverity: ", severity_name(rule->sev), "\nResource: ", or_dash(res->type), " ",
           or_dash(res->id), NULL);
    if (res->name && *res->name)
        jw_cat(j, " (", res->name, ")", NULL);
    jw_cat(j, " in account ", or_dash(res->account), ", region ", or_dash(res->region), NULL);
    if (it->change == CHANGE_NEW)
        jw_cat(j, "\nNew since the baseline", NULL);
    if (it->first_seen)
        jw_cat(j, "\nFirst seen: ", it->first_seen, NULL);
    if (rule->description && *rule->description)
        jw_cat(j, "\n\n", rule->description, NULL);
    if (rule->remediation && *rule->remediation)
        jw_cat(j, "\n\nRemediation: ", rule->remediation, NULL);
}

static void jw_testcase(jw *j, const result *it, int with_rule)
{
    const rule_info *rule = &j->r->rules[it->rule];
    const snap_resource *res = &j->r->resources[it->resource];

    if (it->status == RESULT_PASS && j->opt->omit_passes)
        return;
    jw_start(j, "testcase");
    /* Unique within the suite: a rule judges a resource id once per account and region (an account suite
     * names the rule instead of the account). The display name comes before the parentheses, which end
     * every name, so that an id without spaces reads back unambiguously. */
    buf_reset(&j->text);
    if (with_rule)
        jw_cat(j, or_dash(rule->id), " ", NULL);
    jw_cat(j, or_dash(res->id), NULL);
    if (res->name && *res->name && (!res->id || strcmp(res->name, res->id) != 0))
        jw_cat(j, " ", res->name, NULL);
    if (with_rule)
        jw_cat(j, " (", or_dash(res->region), ")", NULL);
    else
        jw_cat(j, " (", or_dash(res->account), " ", or_dash(res->region), ")", NULL);
    jw_attr(j, "name", buf_str(&j->text));
    buf_reset(&j->text);
    jw_cat(j, or_dash(res->account), ".", or_dash(res->region), ".", or_dash(res->type), NULL);
    jw_attr(j, "classname", buf_str(&j->text));
    jw_attr(j, "time", "0");
    if (it->status == RESULT_FAIL) {
        jw_start(j, "failure");
        jw_attr(j, "message", or_dash(it->message));
        jw_attr(j, "type", severity_name(rule->sev));
        failure_body(j, it, rule, res);
        jw_text(j, buf_str(&j->text));
        jw_end(j);
    } else if (it->status == RESULT_WAIVED) {
        jw_start(j, "skipped");
        waiver_message(j, it);
        jw_attr(j, "message", buf_str(&j->text));
        if (it->message)
            jw_text(j, it->message);
        jw_end(j);
    }
    jw_end(j);
}

static void suite_counts(const result *it, size_t *failures, size_t *skipped)
{
    if (it->status == RESULT_FAIL)
        (*failures)++;
    else if (it->status == RESULT_WAIVED)
        (*skipped)++;
}

/* A rule file's name without its folders: where the rule pack was installed or checked out is not the
 * report's business, and differs between the machines whose reports a CI server compares. */
static const char *file_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;

    return slash ? slash + 1 : path;
}

static void write_rule_suites(jw *j, const tally *t)
{
    const results *r = j->r;

    for (size_t i = 0; i < r->n_rules && !j->failed; i++) {
        const rule_info *rule = &r->rules[i];
        const size_t *st = &t->rule_status[i * TALLY_N_STATUS];
        size_t tests = st[RESULT_PASS] + st[RESULT_FAIL] + st[RESULT_WAIVED];

        buf_reset(&j->text);
        jw_cat(j, "imgaudit.", or_dash(rule->resource_type), NULL);
        /* The package is composed in j->text, which the suite start does not touch. */
        jw_suite_start(j, rule->id, buf_str(&j->text), tests, st[RESULT_FAIL], 0, st[RESULT_WAIVED]);
        jw_start(j, "properties");
        jw_property(j, "severity", severity_name(rule->sev));
        jw_property(j, "title", rule->title);
        jw_property(j, "resource_type", rule->resource_type);
        jw_property(j, "file", file_name(rule->file));
        if (j->opt->omit_passes)
            jw_count_property(j, "passed", st[RESULT_PASS]);
        jw_end(j);
        for (size_t k = t->rule_first[i]; k < t->rule_first[i] + tests && !j->failed; k++)
            jw_testcase(j, &r->items[k], 0);
        jw_suite_end(j);
    }
}

/*
 * One suite per account. The items are grouped by rule, so they are first put
 * in account order with a counting sort (stable: rule order is kept inside an
 * account). That index is the one allocation that grows with the results.
 */
static int write_account_suites(jw *j, const tally *t, ia_err *err)
{
    const results *r = j->r;
    size_t *start = NULL, *order = NULL;
    int rc = -1;

    start = calloc(t->n_accounts + 1, sizeof(*start));
    order = malloc((r->n_items ? r->n_items : 1) * sizeof(*order));
    if (!start || !order) {
        err_set(err, IA_ERR_NOMEM, "out of memory grouping the JUnit report by account");
        goto out;
    }
    for (size_t i = 0; i < r->n_items; i++)
        start[t->resource_account[r->items[i].resource] + 1]++;
    for (size_t a = 0; a < t->n_accounts; a++)
        start[a + 1] += start[a];
    for (size_t i = 0; i < r->n_items; i++)
        order[start[t->resource_account[r->items[i].resource]]++] = i;
    /* start[a] now holds the end of account a's run. */
    for (size_t a = 0; a < t->n_accounts && !j->failed; a++) {
        const tally_account *acc = &t->accounts[a];
        size_t begin = a ? start[a - 1] : 0, end = start[a], failures = 0, skipped = 0;

        for (size_t k = begin; k < end; k++)
            suite_counts(&r->items[order[k]], &failures, &skipped);
        jw_suite_start(j, acc->id, "imgaudit.accounts", end - begin, failures, 0, skipped);
        jw_start(j, "properties");
        jw_property(j, "account_name", acc->name);
        if (j->opt->omit_passes)
            jw_count_property(j, "passed", end - begin - failures - skipped);
        jw_end(j);
        for (size_t k = begin; k < end && !j->failed; k++)
            jw_testcase(j, &r->items[order[k]], 1);
        jw_suite_end(j);
    }
    rc = 0;
out:
    free(start);
    free(order);
    return rc;
}

/* Collection errors as failing test cases, so that an unreadable account is not a silent pass. */
static void write_collection_suite(jw *j)
{
    const cJSON *e;
    size_t n = (size_t)cJSON_GetArraySize(j->r->errors);

    if (n == 0)
        return;
    jw_suite_start(j, "collection", "imgaudit.collection", n, 0, n, 0);
    jw_start(j, "properties");
    jw_end(j);
    cJSON_ArrayForEach(e, j->r->errors)
    {
        const char *account = tally_json_str(e, "account"), *region = tally_json_str(e, "region");
        const char *service = tally_json_str(e, "service"), *op = tally_json_str(e, "operation");
        const char *code = tally_json_str(e, "code"), *msg = tally_json_str(e, "message");
        const cJSON *status = cJSON_GetObjectItemCaseSensitive(e, "http_status");
        char http[32];

        if (j->failed)
            return;
        jw_start(j, "testcase");
        buf_reset(&j->text);
        jw_cat(j, or_dash(service), " ", or_dash(op), " (", account ? account : "organization", " ",
               region ? region : "global", ")", NULL);
        jw_attr(j, "name", buf_str(&j->text));
        buf_reset(&j->text);
        jw_cat(j, account ? account : "organization", ".", region ? region : "global", ".", or_dash(service),
               NULL);
        jw_attr(j, "classname", buf_str(&j->text));
        jw_attr(j, "time", "0");
        jw_start(j, "error");
        jw_attr(j, "message", or_dash(msg));
        jw_attr(j, "type", code && *code ? code : "error");
        buf_reset(&j->text);
        jw_cat(j, or_dash(service), " ", or_dash(op), " failed in account ",
               account ? account : "(organization)", ", region ", region ? region : "(all)", ": ",
               code ? code : "error", NULL);
        if (cJSON_IsNumber(status) && status->valuedouble > 0) {
            snprintf(http, sizeof(http), " (HTTP %d)", status->valueint);
            jw_cat(j, http, NULL);
        }
        jw_cat(j, "\n", or_dash(msg),
               "\nThe account or region was not fully read, so its images were not judged.", NULL);
        jw_text(j, buf_str(&j->text));
        jw_end(j);
        jw_end(j);
    }
    jw_suite_end(j);
}

/*
 * JUnit's timestamp (an xs:dateTime without a zone, here UTC: YYYY-MM-DDTHH:MM:SS) from the run's
 * ISO-8601 time, or from the clock when that is malformed.
 */
static void make_timestamp(const char *iso, char out[20])
{
    char utc[TIMEFMT_ISO_SIZE];
    time_t t;

    if (!iso || !timefmt_is_datetime(iso) || !timefmt_parse(iso, &t))
        t = time(NULL);
    timefmt_iso(t, utc);
    /* Cut before the zone. */
    str_copy(out, 20, utc);
}

int junit_write(const results *r, const junit_options *opt, FILE *out, ia_err *err)
{
    return junit_write_with(r, opt, NULL, out, err);
}

int junit_write_with(const results *r, const junit_options *opt, const tally *given, FILE *out, ia_err *err)
{
    static const junit_options defaults = {JUNIT_GROUP_RULE, NULL, 0};
    size_t n_errors = (size_t)cJSON_GetArraySize(r->errors);
    tally own;
    const tally *t;
    jw j;
    int rc = -1;

    memset(&j, 0, sizeof(j));
    memset(&own, 0, sizeof(own));
    buf_init(&j.clean, 0);
    buf_init(&j.text, 0);
    j.r = r;
    j.opt = opt ? opt : &defaults;
    if (wbuf_init(&j.out, out) != 0) {
        err_set(err, IA_ERR_NOMEM, "cannot start the JUnit writer");
        goto out;
    }
    if (!(t = tally_given_or_compute(r, given, &own, err)))
        goto out;
    make_timestamp(r->evaluated_at, j.timestamp);
    if (j.opt->hostname)
        str_copy(j.hostname, sizeof(j.hostname), j.opt->hostname);
    else if (gethostname(j.hostname, sizeof(j.hostname) - 1) != 0)
        j.hostname[0] = '\0';
    PUT(&j, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    /* The totals on <testsuites> are what GitLab, Jenkins' JUnit plugin and Azure DevOps show first;
     * neither XSD declares them all (windyroad none, Jenkins xUnit no skipped), the suites within are valid
     * against both. Every result is in exactly one suite, so the totals are the tally's, passes left out
     * or not. */
    jw_start(&j, "testsuites");
    jw_count(&j, "tests", r->n_items + n_errors);
    jw_count(&j, "failures", t->status[RESULT_FAIL]);
    jw_count(&j, "errors", n_errors);
    jw_count(&j, "skipped", t->status[RESULT_WAIVED]);
    jw_attr(&j, "time", "0");
    if (j.opt->group_by == JUNIT_GROUP_ACCOUNT) {
        if (write_account_suites(&j, t, err) != 0)
            goto out;
    } else {
        write_rule_suites(&j, t);
    }
    write_collection_suite(&j);
    jw_end(&j);
    if (wbuf_finish(&j.out) != 0) {
        err_set(err, IA_ERR_IO, "cannot write the JUnit report: %s",
                strerror(j.out.write_errno ? j.out.write_errno : EIO));
        goto out;
    }
    if (j.failed) {
        err_set(err, IA_ERR_NOMEM, "out of memory writing the JUnit report");
        goto out;
    }
    rc = 0;
out:
    wbuf_free(&j.out);
    tally_free(&own);
    buf_free(&j.clean);
    buf_free(&j.text);
    return rc;
}
