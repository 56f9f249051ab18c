#include "report/markdown.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/str.h"

typedef struct mw {
    FILE *out;
    buf raw;    /* a string cut and made UTF-8 before it is escaped */
    buf esc[5]; /* escaped strings, one per string printed in a single row */
    int nomem;
} mw;

/*
 * ASCII punctuation that means something inside a line to CommonMark or GitHub's extensions (code, emphasis,
 * links, table cells, strikethrough, math, emoji), escaped with a backslash. What means something only at the
 * start of a line ('-', '+', '.', '>') needs none: every string is printed after a cell bar or other text.
 */
static const char md_specials[] = "\\`*_[]#|~$:";

/*
 * Whether p starts a bidirectional control (U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069), which
 * would reorder the text around it as it is shown. p is well-formed UTF-8.
 */
static int bidi_control(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;

    if (u[0] != 0xE2 || (u[1] != 0x80 && u[1] != 0x81))
        return 0;
    if (u[1] == 0x80)
        return u[2] == 0x8E || u[2] == 0x8F || (u[2] >= 0xAA && u[2] <= 0xAE);
    return u[2] >= 0xA6 && u[2] <= 0xA9;
}

/*
 * The string s made safe for Markdown text and table cells, in the slot's
 * scratch: at most MARKDOWN_FIELD_MAX characters (then "..."), one line, no
 * HTML, no emphasis, link, heading or cell break. NULL and "" are "-".
 */
static const char *esc(mw *m, int slot, const char *s)
{
    buf *e = &m->esc[slot];
    size_t chars = 0;
    const char *p;

    buf_reset(e);
    buf_reset(&m->raw);
    if (!s || !*s)
        return "-";
    if (buf_append(&m->raw, s, strnlen(s, MARKDOWN_FIELD_MAX * 4)) != 0 || !m->raw.data) {
        m->nomem = 1;
        return "-";
    }
    str_utf8_scrub(m->raw.data);
    for (p = m->raw.data; *p && !m->nomem; p++) {
        unsigned char ch = (unsigned char)*p;
        int rc;

        /* Count characters, not bytes: a continuation byte belongs to the one before. */
        if ((ch & 0xC0) != 0x80 && chars++ == MARKDOWN_FIELD_MAX) {
            rc = buf_puts(e, "...");
            m->nomem |= rc != 0;
            break;
        }
        if (ch < 0x20 || ch == 0x7f)
            rc = buf_putc(e, ' ');
        else if (bidi_control(p)) {
            rc = buf_putc(e, ' ');
            p += 2; /* the rest of the three-byte character */
        } else if (ch == '@')
            rc = buf_puts(e, "@\xE2\x80\x8B");
        else if (ch == '<')
            rc = buf_puts(e, "&lt;");
        else if (ch == '>')
            rc = buf_puts(e, "&gt;");
        else if (ch == '&')
            rc = buf_puts(e, "&amp;");
        else if (strchr(md_specials, ch))
            rc = buf_putc(e, '\\') | buf_putc(e, (char)ch);
        else
            rc = buf_putc(e, (char)ch);
        m->nomem |= rc != 0;
    }
    return m->nomem ? "-" : buf_str(e);
}

static void gate_line(mw *m, const results *r, const tally_gate *g)
{
    size_t blocking = tally_gate_count(r, g);
    char found[128];

    if (!g->enabled) {
        fprintf(m->out, "## imgaudit: not gated\n\nGate: none (`--fail-on none`).\n\n");
        return;
    }
    tally_gate_describe(g, blocking, found, sizeof(found));
    fprintf(m->out, "## imgaudit: %s\n\n", blocking ? "failed" : "passed");
    fprintf(m->out, "Gate `--fail-on %s%s`: **%s**, %s.\n\n", severity_name(g->min),
            g->new_only ? " --fail-on-new" : "", blocking ? "failed" : "passed", found);
}

static void counts(mw *m, const results *r, const tally *t)
{
    fprintf(m->out,
            "%zu results: %zu failed, %zu waived, %zu passed (%zu rules, %zu resources, %zu accounts).\n\n",
            r->n_items, t->status[RESULT_FAIL], t->status[RESULT_WAIVED], t->status[RESULT_PASS], r->n_rules,
            r->n_resources, t->n_accounts);
    fprintf(m->out, "| Severity | Failed | Waived |\n| --- | ---: | ---: |\n");
    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--)
        fprintf(m->out, "| %s | %zu | %zu |\n", severity_name((severity)s), t->by_sev[s][RESULT_FAIL],
                t->by_sev[s][RESULT_WAIVED]);
    fprintf(m->out, "| **total** | %zu | %zu |\n\n", t->status[RESULT_FAIL], t->status[RESULT_WAIVED]);
}

/* "and N more THINGS." under a list that stopped at MARKDOWN_LIST_MAX. */
static void more(mw *m, size_t total, const char *one, const char *many)
{
    size_t rest = total > MARKDOWN_LIST_MAX ? total - MARKDOWN_LIST_MAX : 0;

    if (rest)
        fprintf(m->out, "\nand %zu more %s.\n", rest, rest == 1 ? one : many);
    fprintf(m->out, "\n");
}

static int top_rules(mw *m, const results *r, const tally *t, ia_err *err)
{
    size_t *order = NULL, n = 0;

    if (tally_failing_rules(r, t, &order, &n, err) != 0)
        return -1;
    if (n) {
        fprintf(
            m->out,
            "### Top failing rules\n\n| Rule | Severity | Failed | Title |\n| --- | --- | ---: | --- |\n");
        for (size_t i = 0; i < n && i < MARKDOWN_LIST_MAX; i++) {
            const rule_info *rule = &r->rules[order[i]];

            fprintf(m->out, "| %s | %s | %zu | %s |\n", esc(m, 0, rule->id), severity_name(rule->sev),
                    t->rule_status[order[i] * TALLY_N_STATUS + RESULT_FAIL], esc(m, 1, rule->title));
        }
        more(m, n, "failing rule", "failing rules");
    }
    free(order);
    return 0;
}

static void baseline_changes(mw *m, const results *r, const tally *t)
{
    size_t new_items[MARKDOWN_LIST_MAX], listed;

    if (!r->has_baseline)
        return;
    fprintf(m->out, "### Since the baseline\n\n%zu new, %zu still failing, %zu resolved.\n\n", t->n_new,
            t->n_existing, r->n_resolved);
    if (!t->n_new)
        return;
    fprintf(m->out,
            "| New failure | Severity | Account | Region | Resource |\n| --- | --- | --- | --- | --- |\n");
    /* Most severe first: the ten listed are the ten that matter most. */
    listed = tally_new_failures(r, new_items, MARKDOWN_LIST_MAX);
    for (size_t i = 0; i < listed; i++) {
        const result *it = &r->items[new_items[i]];
        const rule_info *rule = &r->rules[it->rule];
        const snap_resource *res = &r->resources[it->resource];

        fprintf(m->out, "| %s | %s | %s | %s | %s", esc(m, 0, rule->id), severity_name(rule->sev),
                esc(m, 1, res->account), esc(m, 2, res->region), esc(m, 3, res->id));
        if (res->name && *res->name)
            fprintf(m->out, " (%s)", esc(m, 4, res->name));
        fprintf(m->out, " |\n");
    }
    more(m, t->n_new, "new failure", "new failures");
}

static void collection_gaps(mw *m, const results *r)
{
    size_t n = (size_t)cJSON_GetArraySize(r->errors), listed = 0;
    const cJSON *e;

    if (!n) {
        fprintf(m->out, "Collection: complete.\n");
        return;
    }
    fprintf(m->out, "### Collection gaps\n\n%zu error%s: those accounts and regions were not fully read.\n\n",
            n, n == 1 ? "" : "s");
    fprintf(m->out, "| Account | Region | Call | Error |\n| --- | --- | --- | --- |\n");
    cJSON_ArrayForEach(e, r->errors)
    {
        const char *account = tally_json_str(e, "account"), *region = tally_json_str(e, "region");

        if (listed++ == MARKDOWN_LIST_MAX)
            break;
        fprintf(m->out, "| %s | %s | %s", account ? esc(m, 0, account) : "organization",
                region ? esc(m, 1, region) : "all regions", esc(m, 2, tally_json_str(e, "service")));
        fprintf(m->out, " %s | %s |\n", esc(m, 0, tally_json_str(e, "operation")),
                esc(m, 1, tally_json_str(e, "code")));
    }
    more(m, n, "error", "errors");
}

int markdown_write(const results *r, const markdown_options *opt, FILE *out, ia_err *err)
{
    return markdown_write_with(r, opt, NULL, out, err);
}

int markdown_write_with(const results *r, const markdown_options *opt, const tally *given, FILE *out,
                        ia_err *err)
{
    static const markdown_options defaults = {{0, SEV_HIGH, 0}};
    mw m;
    tally own;
    const tally *t;
    int rc = -1;

    memset(&m, 0, sizeof(m));
    memset(&own, 0, sizeof(own));
    m.out = out;
    buf_init(&m.raw, 0);
    for (size_t i = 0; i < sizeof(m.esc) / sizeof(m.esc[0]); i++)
        buf_init(&m.esc[i], 0);
    if (!opt)
        opt = &defaults;
    if (!(t = tally_given_or_compute(r, given, &own, err)))
        goto out;
    gate_line(&m, r, &opt->gate);
    counts(&m, r, t);
    if (top_rules(&m, r, t, err) != 0)
        goto out;
    baseline_changes(&m, r, t);
    collection_gaps(&m, r);
    if (m.nomem) {
        err_set(err, IA_ERR_NOMEM, "out of memory writing the Markdown summary");
        goto out;
    }
    if (fflush(out) != 0 || ferror(out)) {
        err_set(err, IA_ERR_IO, "writing the Markdown summary: %s", strerror(errno ? errno : EIO));
        goto out;
    }
    rc = 0;
out:
    tally_free(&own);
    buf_free(&m.raw);
    for (size_t i = 0; i < sizeof(m.esc) / sizeof(m.esc[0]); i++)
        buf_free(&m.esc[i]);
    return rc;
}
