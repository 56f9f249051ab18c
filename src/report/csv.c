#include "report/csv.h"

#include <errno.h>
#include <string.h>

#include "report/finding.h"
#include "report/tally.h"
#include "util/buf.h"
#include "util/str.h"

/* Longest cell; a longer message is cut (a spreadsheet cell holds 32,767 characters). */
#define CELL_MAX ((size_t)32 * 1024)

static const char *const header[] = {
    "status",        "severity",    "rule",          "title",   "account",    "account_name", "region",
    "resource_type", "resource_id", "resource_name", "message", "first_seen", "waiver",       "finding_id"};
#define N_COLUMNS (sizeof(header) / sizeof(header[0]))

typedef struct cw {
    FILE *out;
    buf cell; /* one cell, cleaned */
    finding_hasher ids;
    size_t columns; /* cells written in the current row */
    int failed;
    int nomem;
} cw;

static void put(cw *c, const char *s, size_t n)
{
    if (n && fwrite(s, 1, n, c->out) != n)
        c->failed = 1;
}

/* Whether a spreadsheet would read a cell starting with c as a formula (OWASP, CSV Injection). */
static int formula_start(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* Writes one cell (NULL: empty), its separator first unless it is the row's first. */
static void cell(cw *c, const char *s)
{
    const char *v, *q;
    size_t len;

    if (c->columns++)
        put(c, ",", 1);
    if (!s || !*s)
        return;
    buf_reset(&c->cell);
    len = strlen(s);
    if (formula_start(s[0]) && buf_putc(&c->cell, '\'') != 0)
        c->nomem = 1;
    if (buf_append(&c->cell, s, len < CELL_MAX ? len : CELL_MAX) != 0)
        c->nomem = 1;
    if (!c->cell.data)
        return;
    str_utf8_scrub(c->cell.data);
    v = c->cell.data;
    if (!strpbrk(v, ",\"\r\n")) {
        put(c, v, c->cell.len);
        return;
    }
    put(c, "\"", 1);
    /* Each quote is written twice: once with the text before it, once alone. */
    while ((q = strchr(v, '"')) != NULL) {
        put(c, v, (size_t)(q - v) + 1);
        put(c, "\"", 1);
        v = q + 1;
    }
    put(c, v, strlen(v));
    put(c, "\"", 1);
}

static void end_row(cw *c)
{
    put(c, "\r\n", 2);
    c->columns = 0;
}

/* The waiver cell: where it is written, why, who owns it, when it expires. */
static void waiver_cell(cw *c, const waiver_info *wv, buf *text)
{
    buf_reset(text);
    if (wv && buf_printf(text, "%s:%u: %s (", wv->file ? wv->file : "", wv->line,
                         wv->reason ? wv->reason : "") != 0)
        c->nomem = 1;
    if (wv && wv->owner && *wv->owner && buf_printf(text, "%s, ", wv->owner) != 0)
        c->nomem = 1;
    if (wv && buf_printf(text, "expires %s)", wv->expires ? wv->expires : "-") != 0)
        c->nomem = 1;
    cell(c, buf_str(text));
}

static void row(cw *c, const results *r, const tally *t, const result *it, buf *text)
{
    const rule_info *rule = &r->rules[it->rule];
    const snap_resource *res = &r->resources[it->resource];
    char id[FINDING_ID_SIZE];

    if (finding_id_of(&c->ids, r, it, id) != 0)
        c->nomem = 1;
    cell(c, result_status_name(it->status));
    cell(c, severity_name(rule->sev));
    cell(c, rule->id);
    cell(c, rule->title);
    cell(c, res->account);
    cell(c, t->accounts[t->resource_account[it->resource]].name);
    cell(c, res->region);
    cell(c, res->type);
    cell(c, res->id);
    cell(c, res->name);
    cell(c, it->message);
    cell(c, it->first_seen);
    waiver_cell(c, finding_waiver(r, it), text);
    cell(c, id);
    end_row(c);
}

int csv_write(const results *r, FILE *out, ia_err *err)
{
    return csv_write_with(r, NULL, out, err);
}

int csv_write_with(const results *r, const tally *given, FILE *out, ia_err *err)
{
    cw c = {out, BUF_INIT, {NULL, NULL}, 0, 0, 0};
    buf text = BUF_INIT;
    tally own;
    const tally *t;
    int rc = -1;

    memset(&own, 0, sizeof(own));
    buf_init(&c.cell, CELL_MAX + 16);
    buf_init(&text, 0);
    if (finding_hasher_init(&c.ids) != 0) {
        err_set(err, IA_ERR_NOMEM, "out of memory writing the CSV report");
        goto out;
    }
    if (!(t = tally_given_or_compute(r, given, &own, err)))
        goto out;
    for (size_t i = 0; i < N_COLUMNS; i++)
        cell(&c, header[i]);
    end_row(&c);
    for (size_t i = 0; i < r->n_items && !c.failed && !c.nomem; i++) {
        if (r->items[i].status != RESULT_PASS)
            row(&c, r, t, &r->items[i], &text);
    }
    if (c.nomem)
        err_set(err, IA_ERR_NOMEM, "out of memory writing the CSV report");
    else if (c.failed || fflush(out) != 0 || ferror(out))
        err_set(err, IA_ERR_IO, "writing the CSV report: %s", strerror(errno ? errno : EIO));
    else
        rc = 0;
out:
    finding_hasher_clean_up(&c.ids);
    tally_free(&own);
    buf_free(&c.cell);
    buf_free(&text);
    return rc;
}
