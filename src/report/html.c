#include "report/html.h"

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/assets.h"
#include "report/sharing.h"
#include "report/xmltext.h"
#include "util/buf.h"
#include "version.h"

#define X(s) ((const xmlChar *)(s))

/* Longest text put in one table cell, and in a paragraph; hostile names are cut with an ellipsis. */
#define CELL_MAX ((size_t)1024)
#define TEXT_MAX ((size_t)8 * 1024)
/* Rows in the "what changed" lists; the findings table has every finding. */
#define LIST_MAX 200

/*
 * The two tables that grow with the fleet are not kept in the tree: the tree
 * holds a comment where their rows go, the page is serialized around it, and
 * the rows are built and serialized one at a time in between. A string from
 * the data cannot produce these comments: the serializer escapes its "<".
 */
#define MARK_FINDINGS "imgaudit-rows:findings"
#define MARK_SHARING  "imgaudit-rows:sharing"

typedef struct hw {
    xmlDocPtr doc;
    const results *r;
    const html_options *opt;
    tally t;
    buf clean; /* xmltext_clean's scratch */
    buf text;  /* composes formatted text */
    int failed;
    sharing shares;
    size_t n_findings; /* failures and waived results */
} hw;

/* ---- building the tree: each of these does nothing once something failed ---- */

static xmlNodePtr new_el(hw *h, const char *name, const char *cls)
{
    xmlNodePtr n;

    if (h->failed)
        return NULL;
    n = xmlNewDocNode(h->doc, NULL, X(name), NULL);
    if (!n) {
        h->failed = 1;
        return NULL;
    }
    /* xmlNewProp takes the value literally (unlike xmlNewDocProp, which reads entities). */
    if (cls && !xmlNewProp(n, X("class"), X(cls))) {
        xmlFreeNode(n);
        h->failed = 1;
        return NULL;
    }
    return n;
}

static xmlNodePtr el(hw *h, xmlNodePtr parent, const char *name, const char *cls)
{
    xmlNodePtr n;

    if (!parent)
        return NULL;
    n = new_el(h, name, cls);
    if (n && !xmlAddChild(parent, n)) {
        xmlFreeNode(n);
        h->failed = 1;
        return NULL;
    }
    return n;
}

static void set_attr(hw *h, xmlNodePtr n, const char *name, const char *value)
{
    const char *v;

    if (!n || h->failed)
        return;
    v = xmltext_clean(&h->clean, value ? value : "", CELL_MAX);
    if (!v || !xmlNewProp(n, X(name), X(v)))
        h->failed = 1;
}

static void add_text_max(hw *h, xmlNodePtr n, const char *s, size_t max)
{
    const char *v;
    xmlNodePtr t;

    if (!n || h->failed || !s || !*s)
        return;
    v = xmltext_clean(&h->clean, s, max);
    t = v ? xmlNewDocText(h->doc, X(v)) : NULL;
    /* xmlAddChild may merge t into a text node before it and free it; t is not used after. */
    if (!t || !xmlAddChild(n, t)) {
        xmlFreeNode(t);
        h->failed = 1;
    }
}

static void add_text(hw *h, xmlNodePtr n, const char *s)
{
    add_text_max(h, n, s, CELL_MAX);
}

static void add_textf(hw *h, xmlNodePtr n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_textf(hw *h, xmlNodePtr n, const char *fmt, ...)
{
    va_list ap;

    if (!n || h->failed)
        return;
    buf_reset(&h->text);
    va_start(ap, fmt);
    if (buf_vprintf(&h->text, fmt, ap) != 0)
        h->failed = 1;
    va_end(ap);
    add_text_max(h, n, buf_str(&h->text), TEXT_MAX);
}

static xmlNodePtr el_text(hw *h, xmlNodePtr parent, const char *name, const char *cls, const char *text)
{
    xmlNodePtr n = el(h, parent, name, cls);

    add_text(h, n, text);
    return n;
}

static xmlNodePtr el_count(hw *h, xmlNodePtr parent, size_t n)
{
    xmlNodePtr td = el(h, parent, "td", n ? "num" : "num zero");

    add_textf(h, td, "%zu", n);
    return td;
}

static xmlNodePtr badge(hw *h, xmlNodePtr parent, const char *kind, const char *text)
{
    char cls[64];

    snprintf(cls, sizeof(cls), "badge %s", kind);
    return el_text(h, parent, "span", cls, text);
}

static void sev_badge(hw *h, xmlNodePtr parent, severity s)
{
    char kind[32];

    snprintf(kind, sizeof(kind), "sev-%s", severity_name(s));
    badge(h, parent, kind, severity_name(s));
}

/*
 * A table with a header row; cols is "Label" or "Label|sort", where sort is num (right-aligned
 * numbers), rank (a number kept in the cell's data-v, shown as a badge) or text. Returns the tbody.
 */
static xmlNodePtr table(hw *h, xmlNodePtr parent, const char *id, const char *const *cols, size_t n_cols)
{
    xmlNodePtr wrap = el(h, parent, "div", "table-wrap");
    xmlNodePtr tbl = el(h, wrap, "table", "sortable");
    xmlNodePtr tr = el(h, el(h, tbl, "thead", NULL), "tr", NULL);

    if (id)
        set_attr(h, tbl, "id", id);
    for (size_t i = 0; i < n_cols; i++) {
        const char *bar = strchr(cols[i], '|');
        size_t len = bar ? (size_t)(bar - cols[i]) : strlen(cols[i]);
        char label[64];
        xmlNodePtr th;

        snprintf(label, sizeof(label), "%.*s", (int)len, cols[i]);
        th = el_text(h, tr, "th", bar && strcmp(bar + 1, "num") == 0 ? "num" : NULL, label);
        if (bar)
            set_attr(h, th, "data-sort", strcmp(bar + 1, "rank") == 0 ? "num" : bar + 1);
    }
    return el(h, tbl, "tbody", NULL);
}

static void empty_row(hw *h, xmlNodePtr tbody, size_t n_cols, const char *text)
{
    xmlNodePtr td = el_text(h, el(h, tbody, "tr", "empty"), "td", NULL, text);
    char span[16];

    snprintf(span, sizeof(span), "%zu", n_cols);
    set_attr(h, td, "colspan", span);
}

static xmlNodePtr section(hw *h, xmlNodePtr page, const char *id, const char *title, const char *extra_cls)
{
    char cls[64];
    xmlNodePtr div;

    snprintf(cls, sizeof(cls), "section%s%s", extra_cls ? " " : "", extra_cls ? extra_cls : "");
    div = el(h, page, "div", cls);
    set_attr(h, div, "id", id);
    el_text(h, div, "h2", NULL, title);
    return div;
}

/* "2026-11-25 02:04:00 UTC" from ISO-8601 "2026-11-25T02:04:00Z"; other strings are shown as they are. */
static void human_time(const char *iso, char *out, size_t size)
{
    size_t n = iso ? strlen(iso) : 0;

    if (n >= 19 && iso[10] == 'T' && (iso[n - 1] == 'Z' || n == 19))
        snprintf(out, size, "%.10s %.8s UTC", iso, iso + 11);
    else
        snprintf(out, size, "%s", iso && *iso ? iso : "unknown time");
}

static const char *json_str(const cJSON *obj, const char *key)
{
    return tally_json_str(obj, key);
}

/* The string, or "" when a field is missing, for formatting. */
static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static const char *account_name(const hw *h, const char *id)
{
    long idx = tally_account_index(&h->t, id);

    return idx >= 0 ? h->t.accounts[idx].name : NULL;
}

/* Account id, with its name from the snapshot underneath where it has one. */
static void account_cell(hw *h, xmlNodePtr tr, const char *id)
{
    xmlNodePtr td = el(h, tr, "td", NULL);
    const char *name = account_name(h, id);

    el_text(h, td, "div", "mono nowrap", id ? id : "organization");
    if (name && *name)
        el_text(h, td, "div", "muted small", name);
}

/* A time as its date, with the whole ISO-8601 value as the cell's tooltip and sort key. */
static void date_cell(hw *h, xmlNodePtr tr, const char *iso)
{
    xmlNodePtr td = el(h, tr, "td", "small nowrap");
    char day[11];

    if (!iso || !*iso)
        return;
    set_attr(h, td, "title", iso);
    set_attr(h, td, "data-v", iso);
    snprintf(day, sizeof(day), "%.10s", iso);
    add_text(h, td, day);
}

/* ---- the findings rows (streamed) ---- */

static xmlNodePtr finding_row(hw *h, const result *it)
{
    const rule_info *rule = &h->r->rules[it->rule];
    const snap_resource *res = &h->r->resources[it->resource];
    const waiver_info *wv = NULL;
    const char *status = it->status == RESULT_FAIL ? "fail" : "waived";
    char rank[4];
    xmlNodePtr tr = new_el(h, "tr", NULL), td;

    if (it->waiver >= 0 && (size_t)it->waiver < h->r->n_waivers)
        wv = &h->r->waivers[it->waiver];
    set_attr(h, tr, "data-sev", severity_name(rule->sev));
    set_attr(h, tr, "data-status", status);
    set_attr(h, tr, "data-rule", rule->id);
    set_attr(h, tr, "data-account", res->account);
    if (h->r->has_baseline)
        set_attr(h, tr, "data-change",
                 it->change == CHANGE_NEW        ? "new"
                 : it->change == CHANGE_EXISTING ? "existing"
                                                 : "");
    td = el(h, tr, "td", NULL);
    snprintf(rank, sizeof(rank), "%d", (int)rule->sev);
    set_attr(h, td, "data-v", rank);
    sev_badge(h, td, rule->sev);
    td = el(h, tr, "td", NULL);
    badge(h, td, it->status == RESULT_FAIL ? "st-fail" : "st-waived",
          it->status == RESULT_FAIL ? "failed" : "waived");
    el_text(h, tr, "td", "mono nowrap", rule->id);
    account_cell(h, tr, res->account);
    el_text(h, tr, "td", "nowrap", res->region);
    td = el(h, tr, "td", "wide");
    el_text(h, td, "div", "mono", res->id);
    if (res->name && *res->name)
        el_text(h, td, "div", NULL, res->name);
    el_text(h, td, "div", "muted small", res->type);
    td = el(h, tr, "td", "wide");
    add_text_max(h, td, it->message, TEXT_MAX);
    if (it->status == RESULT_WAIVED) {
        xmlNodePtr note = el(h, td, "div", "muted small");

        if (wv)
            add_textf(h, note, "waived: %s (%s%sexpires %s)", or_empty(wv->reason), or_empty(wv->owner),
                      wv->owner ? ", " : "", wv->expires ? wv->expires : "never");
        else
            add_text(h, note, "waived");
    }
    if (h->r->has_baseline) {
        td = el(h, tr, "td", NULL);
        if (it->status == RESULT_FAIL && it->change == CHANGE_NEW)
            badge(h, td, "st-new", "new");
        else if (it->status == RESULT_FAIL && it->change == CHANGE_EXISTING)
            badge(h, td, "st-existing", "existing");
        date_cell(h, tr, it->first_seen);
    }
    if (h->failed) {
        xmlFreeNode(tr);
        return NULL;
    }
    return tr;
}

/* Writes one detached row and frees it. */
static void emit_row(hw *h, xmlOutputBufferPtr ob, xmlNodePtr tr)
{
    if (!tr)
        return;
    htmlNodeDumpFormatOutput(ob, h->doc, tr, "UTF-8", 0);
    xmlFreeNode(tr);
    if (xmlOutputBufferWrite(ob, 1, "\n") < 0 || ob->error)
        h->failed = 1;
}

/* Most severe rules first; inside a severity, rule order; inside a rule, snapshot order. */
static void stream_findings(hw *h, xmlOutputBufferPtr ob)
{
    const results *r = h->r;

    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--) {
        for (size_t i = 0; i < r->n_rules && !h->failed; i++) {
            const size_t *st = &h->t.rule_status[i * TALLY_N_STATUS];
            size_t first = h->t.rule_first[i], n = st[RESULT_PASS] + st[RESULT_FAIL] + st[RESULT_WAIVED];

            if ((int)r->rules[i].sev != s && !(s == SEV_INFO && (unsigned)r->rules[i].sev > SEV_CRITICAL))
                continue;
            for (size_t k = first; k < first + n && !h->failed; k++) {
                if (r->items[k].status != RESULT_PASS)
                    emit_row(h, ob, finding_row(h, &r->items[k]));
            }
        }
    }
}

/* ---- the sharing rows (streamed) ---- */

/* One side of a share: the account id, with its name, or a badge when it was not audited. */
static void party_cell(hw *h, xmlNodePtr tr, const char *id, bool audited)
{
    xmlNodePtr td = el(h, tr, "td", NULL);
    const char *name = account_name(h, id);

    el_text(h, td, "span", "mono", id && *id ? id : "unknown");
    if (!audited) {
        add_text(h, td, " ");
        badge(h, td, "external", "not audited");
    } else if (name && *name) {
        el_text(h, td, "div", "muted small", name);
    }
}

/* What the share lets the receiving account do. */
static void use_cell(hw *h, xmlNodePtr tr, const sharing_edge *e)
{
    xmlNodePtr td = el(h, tr, "td", "small");
    bool fleet = e->allow_fleet, builder = e->allow_image_builder;

    switch (e->grant) {
    case SHARING_GRANT_UNSEEN: add_text(h, td, "shared in; seen from the receiving account"); break;
    case SHARING_GRANT_LAUNCH_COPY: add_text(h, td, "launch and copy"); break;
    case SHARING_GRANT_OPTIONS:
        add_textf(h, td, "%s%s%s", fleet ? "fleets" : "", fleet && builder ? ", " : "",
                  builder ? "image builders" : (fleet ? "" : "no use granted"));
        break;
    }
}

static xmlNodePtr share_row(hw *h, const sharing_edge *e)
{
    const snap_resource *res = e->res;
    xmlNodePtr tr = new_el(h, "tr", e->byol ? "byol" : NULL), td;

    td = el(h, tr, "td", "wide");
    el_text(h, td, "div", "mono", res->id);
    if (res->name && *res->name)
        el_text(h, td, "div", NULL, res->name);
    el_text(h, td, "div", "muted small", res->type);
    el_text(h, tr, "td", "nowrap", res->region);
    party_cell(h, tr, e->owner, e->owner_audited);
    party_cell(h, tr, e->target, e->target_audited);
    use_cell(h, tr, e);
    td = el(h, tr, "td", NULL);
    set_attr(h, td, "data-v", e->byol ? "1" : "0");
    if (e->byol)
        badge(h, td, "byol", "BYOL");
    if (h->failed) {
        xmlFreeNode(tr);
        return NULL;
    }
    return tr;
}

/* One row per share, as h->shares lists them. */
static void stream_sharing(hw *h, xmlOutputBufferPtr ob)
{
    for (size_t i = 0; i < h->shares.n_edges && !h->failed; i++)
        emit_row(h, ob, share_row(h, &h->shares.edges[i]));
}

/* ---- the page around the streamed tables ---- */

static void build_head(hw *h, xmlNodePtr html, const char *title)
{
    xmlNodePtr head = el(h, html, "head", NULL), meta;
    size_t css_len = 0;
    const char *css = assets_get("report.css", &css_len);

    meta = el(h, head, "meta", NULL);
    set_attr(h, meta, "charset", "utf-8");
    meta = el(h, head, "meta", NULL);
    set_attr(h, meta, "name", "viewport");
    set_attr(h, meta, "content", "width=device-width, initial-scale=1");
    meta = el(h, head, "meta", NULL);
    set_attr(h, meta, "name", "generator");
    set_attr(h, meta, "content", "imgaudit " IMGAUDIT_VERSION);
    el_text(h, head, "title", NULL, title);
    if (css)
        add_text_max(h, el(h, head, "style", NULL), css, 0);
}

/*
 * A Content-Security-Policy that lets only this page's own stylesheet and
 * script run, by hash, and fetch nothing: even if a string from the data
 * ever turned into markup, it could not run script or load anything.
 */
static int add_csp(hw *h, xmlNodePtr head, ia_err *err)
{
    static const char *const names[] = {"report.js", "report.css"};
    char digests[2][64];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned md_len = 0;
    xmlNodePtr meta;

    for (int i = 0; i < 2; i++) {
        size_t len = 0;
        const char *data = assets_get(names[i], &len);

        digests[i][0] = '\0';
        if (!data)
            continue;
        if (!EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL))
            return err_set(err, IA_ERR_INTERNAL, "cannot hash the report's %s", names[i]);
        EVP_EncodeBlock((unsigned char *)digests[i], md, (int)md_len);
    }
    buf_reset(&h->text);
    if (buf_printf(&h->text,
                   "default-src 'none'; script-src 'sha256-%s'; style-src 'sha256-%s'; img-src data:; "
                   "base-uri 'none'; form-action 'none'",
                   digests[0], digests[1]) != 0)
        return err_set(err, IA_ERR_NOMEM, "out of memory writing the HTML report");
    meta = new_el(h, "meta", NULL);
    set_attr(h, meta, "http-equiv", "Content-Security-Policy");
    set_attr(h, meta, "content", buf_str(&h->text));
    /* Right after the charset, before the style it allows. */
    if (meta && !xmlAddNextSibling(head->children, meta)) {
        xmlFreeNode(meta);
        h->failed = 1;
    }
    return 0;
}

static void build_masthead(hw *h, xmlNodePtr page, const char *title)
{
    const results *r = h->r;
    xmlNodePtr top = el(h, page, "div", "masthead"), meta, verdicts, v;
    char when[64], started[64], finished[64];
    size_t n_errors = (size_t)cJSON_GetArraySize(r->errors);
    const cJSON *regions = r->snapshot ? cJSON_GetObjectItemCaseSensitive(r->snapshot, "regions") : NULL;
    const tally_gate *g = &h->opt->gate;

    el_text(h, top, "h1", NULL, title);
    meta = el(h, top, "p", "meta");
    human_time(r->evaluated_at, when, sizeof(when));
    add_textf(h, el(h, meta, "span", NULL), "Evaluated %s", when);
    human_time(json_str(r->snapshot, "started_at"), started, sizeof(started));
    human_time(json_str(r->snapshot, "finished_at"), finished, sizeof(finished));
    if (json_str(r->snapshot, "started_at"))
        add_textf(h, el(h, meta, "span", NULL), "inventory collected %s to %s", started, finished);
    add_textf(h, el(h, meta, "span", NULL), "%zu account%s, %d region%s", h->t.n_accounts,
              h->t.n_accounts == 1 ? "" : "s", cJSON_GetArraySize(regions),
              cJSON_GetArraySize(regions) == 1 ? "" : "s");
    add_textf(h, el(h, meta, "span", NULL), "%zu resources, %zu rules", r->n_resources, r->n_rules);
    verdicts = el(h, top, "div", "verdicts");
    if (g->enabled) {
        size_t blocking = tally_gate_count(r, g);

        v = el(h, verdicts, "span", blocking ? "verdict fail" : "verdict pass");
        if (blocking)
            add_textf(h, v, "Gate failed: %zu %sfailure%s at or above %s", blocking,
                      g->new_only ? "new " : "", blocking == 1 ? "" : "s", severity_name(g->min));
        else
            add_textf(h, v, "Gate passed: no %sfailures at or above %s", g->new_only ? "new " : "",
                      severity_name(g->min));
        set_attr(h, v, "id", "gate");
    } else {
        v = el_text(h, verdicts, "span", "verdict", "Not gated");
        set_attr(h, v, "id", "gate");
    }
    if (n_errors)
        add_textf(h, el(h, verdicts, "span", "verdict warn"), "Collection incomplete: %zu error%s", n_errors,
                  n_errors == 1 ? "" : "s");
    else
        el_text(h, verdicts, "span", "verdict", "Collection complete");
    if (r->has_baseline)
        add_textf(h, el(h, verdicts, "span", h->t.n_new ? "verdict warn" : "verdict"),
                  "%zu new since the baseline", h->t.n_new);
}

static void build_nav(hw *h, xmlNodePtr page)
{
    static const char *const links[][2] = {
        {"#changes", "Changes"},   {"#summary", "Summary"},   {"#coverage", "Coverage"},
        {"#findings", "Findings"}, {"#accounts", "Accounts"}, {"#sharing", "Sharing"},
        {"#rules", "Rules"},       {"#waivers", "Waivers"},   {"#errors", "Collection errors"},
    };
    xmlNodePtr nav = el(h, page, "div", "nav");

    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        if (i == 0 && !h->r->has_baseline)
            continue;
        set_attr(h, el_text(h, nav, "a", NULL, links[i][1]), "href", links[i][0]);
    }
}

/* A count; with filters ("sev=high&status=fail"), a link that shows those findings in the table. */
static void card(hw *h, xmlNodePtr cards, const char *cls, size_t n, const char *label, const char *filters)
{
    char c[64];
    xmlNodePtr a;

    snprintf(c, sizeof(c), "card %s%s", cls, n ? "" : " zero");
    a = el(h, cards, filters ? "a" : "div", c);
    if (filters) {
        set_attr(h, a, "href", "#findings");
        set_attr(h, a, "data-filters", filters);
    }
    add_textf(h, el(h, a, "span", "n"), "%zu", n);
    el_text(h, a, "span", "l", label);
}

static void build_changes(hw *h, xmlNodePtr page)
{
    static const char *const new_cols[] = {"Severity|rank", "Rule|text",     "Account|text",
                                           "Region|text",   "Resource|text", "Message|text"};
    static const char *const res_cols[] = {"Rule|text",     "Account|text", "Region|text",
                                           "Resource|text", "Message|text", "First seen|text"};
    const results *r = h->r;
    xmlNodePtr sec, cards, body, tr, td;
    size_t shown = 0;

    if (!r->has_baseline)
        return;
    sec = section(h, page, "changes", "What changed since the last run", "changes");
    el_text(h, sec, "p", "intro",
            "Compared with the baseline run: failures that are new, still there, and gone.");
    cards = el(h, sec, "div", "cards");
    card(h, cards, "new", h->t.n_new, "new failures", "change=new&status=fail");
    card(h, cards, "existing", h->t.n_existing, "still failing", "change=existing&status=fail");
    card(h, cards, "resolved", r->n_resolved, "resolved", NULL);
    el_text(h, sec, "h3", NULL, "New failures");
    body = table(h, sec, "new-failures", new_cols, 6);
    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--) {
        for (size_t i = 0; i < r->n_items && shown < LIST_MAX; i++) {
            const result *it = &r->items[i];
            const rule_info *rule = &r->rules[it->rule];
            const snap_resource *res = &r->resources[it->resource];

            if (it->status != RESULT_FAIL || it->change != CHANGE_NEW || (int)rule->sev != s)
                continue;
            shown++;
            tr = el(h, body, "tr", NULL);
            td = el(h, tr, "td", NULL);
            sev_badge(h, td, rule->sev);
            el_text(h, tr, "td", "mono nowrap", rule->id);
            account_cell(h, tr, res->account);
            el_text(h, tr, "td", "nowrap", res->region);
            td = el(h, tr, "td", "wide");
            el_text(h, td, "div", "mono", res->id);
            if (res->name)
                el_text(h, td, "div", NULL, res->name);
            add_text_max(h, el(h, tr, "td", "wide"), it->message, TEXT_MAX);
        }
    }
    if (!h->t.n_new)
        empty_row(h, body, 6, "No new failures.");
    else if (h->t.n_new > shown)
        add_textf(h, el(h, sec, "p", "note"), "%zu more: filter the findings table by change \"new\".",
                  h->t.n_new - shown);
    el_text(h, sec, "h3", NULL, "Resolved");
    body = table(h, sec, "resolved", res_cols, 6);
    for (size_t i = 0; i < r->n_resolved && i < LIST_MAX; i++) {
        const resolved_failure *rf = &r->resolved[i];

        tr = el(h, body, "tr", NULL);
        el_text(h, tr, "td", "mono nowrap", rf->rule);
        account_cell(h, tr, rf->account);
        el_text(h, tr, "td", "nowrap", rf->region);
        td = el(h, tr, "td", "wide");
        el_text(h, td, "div", "mono", rf->resource_id);
        el_text(h, td, "div", "muted small", rf->resource_type);
        add_text_max(h, el(h, tr, "td", "wide"), rf->message, TEXT_MAX);
        date_cell(h, tr, rf->first_seen);
    }
    if (!r->n_resolved)
        empty_row(h, body, 6, "Nothing was resolved.");
    else if (r->n_resolved > LIST_MAX)
        add_textf(h, el(h, sec, "p", "note"), "%zu more are listed in the JSON results.",
                  r->n_resolved - LIST_MAX);
}

static void build_summary(hw *h, xmlNodePtr page)
{
    static const char *const cols[] = {"Severity|rank", "Failed|num", "Waived|num", "Passed|num",
                                       "Total|num"};
    xmlNodePtr sec = section(h, page, "summary", "Summary", NULL), cards, body, tr, td;
    char label[32];

    el_text(h, sec, "p", "intro", "Un-waived failures by severity; select a card to filter the findings.");
    cards = el(h, sec, "div", "cards");
    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--) {
        char cls[32], filters[48];

        snprintf(cls, sizeof(cls), "sev-%s", severity_name((severity)s));
        snprintf(filters, sizeof(filters), "sev=%s&status=fail", severity_name((severity)s));
        card(h, cards, cls, h->t.by_sev[s][RESULT_FAIL], severity_name((severity)s), filters);
    }
    card(h, cards, "waived", h->t.status[RESULT_WAIVED], "waived", "status=waived");
    card(h, cards, "passed", h->t.status[RESULT_PASS], "passed", NULL);
    body = table(h, sec, "by-severity", cols, 5);
    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--) {
        const size_t *c = h->t.by_sev[s];

        tr = el(h, body, "tr", NULL);
        td = el(h, tr, "td", NULL);
        snprintf(label, sizeof(label), "%d", s);
        set_attr(h, td, "data-v", label);
        sev_badge(h, td, (severity)s);
        el_count(h, tr, c[RESULT_FAIL]);
        el_count(h, tr, c[RESULT_WAIVED]);
        el_count(h, tr, c[RESULT_PASS]);
        el_count(h, tr, c[RESULT_FAIL] + c[RESULT_WAIVED] + c[RESULT_PASS]);
    }
}

/* The regions an account was audited in: its own list in the snapshot, else the run's. */
static const cJSON *account_regions(const hw *h, const char *id)
{
    const cJSON *accounts = cJSON_GetObjectItemCaseSensitive(h->r->snapshot, "accounts"), *a;

    cJSON_ArrayForEach(a, accounts)
    {
        const char *aid = json_str(a, "id");

        if (aid && id && strcmp(aid, id) == 0 &&
            cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(a, "regions")))
            return cJSON_GetObjectItemCaseSensitive(a, "regions");
    }
    return cJSON_GetObjectItemCaseSensitive(h->r->snapshot, "regions");
}

static void build_coverage(hw *h, xmlNodePtr page)
{
    static const char *const cols[] = {"Account|text", "Regions|text", "Resources|num", "Collection|text"};
    xmlNodePtr sec = section(h, page, "coverage", "Coverage", NULL), body, tr, td, ul;
    const cJSON *e;

    el_text(h, sec, "p", "intro", "Accounts and regions this run read, and what it could not read.");
    body = table(h, sec, "coverage-table", cols, 4);
    for (size_t a = 0; a < h->t.n_accounts; a++) {
        const tally_account *acc = &h->t.accounts[a];
        const cJSON *region;
        int first = 1;

        tr = el(h, body, "tr", NULL);
        account_cell(h, tr, acc->id);
        td = el(h, tr, "td", "small");
        cJSON_ArrayForEach(region, account_regions(h, acc->id))
        {
            if (!cJSON_IsString(region))
                continue;
            add_textf(h, td, "%s%s", first ? "" : ", ", region->valuestring);
            first = 0;
        }
        el_count(h, tr, acc->resources);
        td = el(h, tr, "td", NULL);
        if (acc->errors)
            add_textf(h, badge(h, td, "warn", NULL), "incomplete: %zu error%s", acc->errors,
                      acc->errors == 1 ? "" : "s");
        else
            badge(h, td, "ok", "read");
    }
    if (!h->t.n_accounts)
        empty_row(h, body, 4, "No accounts were read.");
    if (!cJSON_GetArraySize(h->r->errors))
        return;
    el_text(h, sec, "h3", NULL, "Coverage gaps");
    ul = el(h, sec, "ul", "gaps");
    cJSON_ArrayForEach(e, h->r->errors)
    {
        const char *account = json_str(e, "account"), *region = json_str(e, "region");
        const char *name = account_name(h, account), *code = json_str(e, "code");
        xmlNodePtr li = el(h, ul, "li", NULL);

        el_text(h, li, "span", "mono", account ? account : "organization");
        if (name)
            add_textf(h, li, " (%s)", name);
        add_textf(h, li, ", %s: %s %s failed", region ? region : "all regions",
                  or_empty(json_str(e, "service")), or_empty(json_str(e, "operation")));
        if (code)
            add_textf(h, li, " (%s)", code);
    }
}

static void filter_select(hw *h, xmlNodePtr bar, const char *label, const char *filter, const char *all)
{
    xmlNodePtr l = el_text(h, bar, "label", NULL, label), sel = el(h, l, "select", NULL);

    set_attr(h, sel, "data-filter", filter);
    set_attr(h, el_text(h, sel, "option", NULL, all), "value", "");
}

static xmlNodePtr last_select(xmlNodePtr bar)
{
    xmlNodePtr l = bar ? xmlGetLastChild(bar) : NULL;

    return l ? xmlGetLastChild(l) : NULL;
}

static void option(hw *h, xmlNodePtr sel, const char *value, const char *text)
{
    set_attr(h, el_text(h, sel, "option", NULL, text), "value", value);
}

static void build_findings(hw *h, xmlNodePtr page)
{
    static const char *const cols[] = {"Severity|rank", "Status|text", "Rule|text",
                                       "Account|text",  "Region|text", "Resource|text",
                                       "Message|text",  "Change|text", "First seen|text"};
    size_t n_cols = h->r->has_baseline ? 9 : 7;
    xmlNodePtr sec = section(h, page, "findings", "Findings", NULL), bar, sel, l, body, p;

    add_textf(h, el(h, sec, "p", "intro"),
              "Every failure and waived result (%zu). Sort by a column heading; filter below.",
              h->n_findings);
    bar = el(h, sec, "div", "filters");
    filter_select(h, bar, "Severity", "sev", "All severities");
    sel = last_select(bar);
    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--)
        option(h, sel, severity_name((severity)s), severity_name((severity)s));
    filter_select(h, bar, "Status", "status", "Failed and waived");
    sel = last_select(bar);
    option(h, sel, "fail", "failed");
    option(h, sel, "waived", "waived");
    filter_select(h, bar, "Rule", "rule", "All rules");
    sel = last_select(bar);
    for (size_t i = 0; i < h->r->n_rules; i++)
        option(h, sel, h->r->rules[i].id, h->r->rules[i].id);
    filter_select(h, bar, "Account", "account", "All accounts");
    sel = last_select(bar);
    for (size_t a = 0; a < h->t.n_accounts; a++) {
        const tally_account *acc = &h->t.accounts[a];

        buf_reset(&h->text);
        if (buf_printf(&h->text, "%s%s%s", acc->id, acc->name ? " " : "", acc->name ? acc->name : "") != 0)
            h->failed = 1;
        option(h, sel, acc->id, buf_str(&h->text));
    }
    if (h->r->has_baseline) {
        filter_select(h, bar, "Change", "change", "New and existing");
        sel = last_select(bar);
        option(h, sel, "new", "new");
        option(h, sel, "existing", "existing");
    }
    l = el_text(h, bar, "label", NULL, "Search");
    set_attr(h, l, "for", "q");
    sel = el(h, l, "input", NULL);
    set_attr(h, sel, "id", "q");
    set_attr(h, sel, "type", "search");
    set_attr(h, sel, "placeholder", "image, message, account...");
    p = el(h, bar, "span", "count");
    add_text(h, p, "Showing ");
    add_textf(h, el(h, p, "span", NULL), "%zu", h->n_findings);
    set_attr(h, xmlGetLastChild(p), "id", "shown");
    add_textf(h, p, " of %zu", h->n_findings);
    body = table(h, sec, "findings-table", cols, n_cols);
    if (!h->failed && body && !xmlAddChild(body, xmlNewDocComment(h->doc, X(MARK_FINDINGS))))
        h->failed = 1;
    if (!h->n_findings)
        empty_row(h, body, n_cols, "No failures and nothing waived.");
    p = el_text(h, sec, "p", "note", "No finding matches these filters.");
    set_attr(h, p, "id", "no-match");
    set_attr(h, p, "hidden", "hidden");
}

static void build_accounts(hw *h, xmlNodePtr page)
{
    static const char *const cols[] = {"Account|text", "Resources|num", "Critical|num", "High|num",
                                       "Medium|num",   "Low|num",       "Info|num",     "Waived|num",
                                       "Passed|num",   "Errors|num"};
    xmlNodePtr sec = section(h, page, "accounts", "Per-account breakdown", NULL), body, tr;

    el_text(h, sec, "p", "intro", "Un-waived failures by severity in each account.");
    body = table(h, sec, "account-table", cols, 10);
    for (size_t a = 0; a < h->t.n_accounts; a++) {
        const tally_account *acc = &h->t.accounts[a];

        tr = el(h, body, "tr", NULL);
        account_cell(h, tr, acc->id);
        el_count(h, tr, acc->resources);
        for (int s = SEV_CRITICAL; s >= SEV_INFO; s--)
            el_count(h, tr, acc->fail_by_sev[s]);
        el_count(h, tr, acc->status[RESULT_WAIVED]);
        el_count(h, tr, acc->status[RESULT_PASS]);
        el_count(h, tr, acc->errors);
    }
    if (!h->t.n_accounts)
        empty_row(h, body, 10, "No accounts were read.");
}

static void build_sharing(hw *h, xmlNodePtr page)
{
    static const char *const cols[] = {"Image|text",       "Region|text", "Owner|text",
                                       "Shared with|text", "Use|text",    "BYOL|num"};
    size_t n = h->shares.n_edges;
    xmlNodePtr sec = section(h, page, "sharing", "Cross-account sharing", NULL), body;

    add_textf(h, el(h, sec, "p", "intro"),
              "Which account shares which image with whom: %zu share%s, %zu of BYOL images (RequiredTenancy "
              "DEDICATED, highlighted). Images shared in by accounts that were not audited are listed too.",
              n, n == 1 ? "" : "s", h->shares.n_byol);
    body = table(h, sec, "sharing-table", cols, 6);
    if (!h->failed && body && !xmlAddChild(body, xmlNewDocComment(h->doc, X(MARK_SHARING))))
        h->failed = 1;
    if (!n)
        empty_row(h, body, 6, "No image is shared across accounts.");
}

static void build_rules(hw *h, xmlNodePtr page)
{
    xmlNodePtr sec = section(h, page, "rules", "Rule catalogue", NULL), grid, box, head, p;

    add_textf(h, el(h, sec, "p", "intro"), "The %zu rules this run judged, with what to do about a failure.",
              h->r->n_rules);
    grid = el(h, sec, "div", "rules");
    for (size_t i = 0; i < h->r->n_rules; i++) {
        const rule_info *rule = &h->r->rules[i];
        const size_t *st = &h->t.rule_status[i * TALLY_N_STATUS];
        xmlNodePtr a;

        box = el(h, grid, "div", "rule");
        head = el(h, box, "h3", NULL);
        sev_badge(h, head, rule->sev);
        add_text(h, head, " ");
        a = el_text(h, head, "a", "mono", rule->id);
        set_attr(h, a, "href", "#findings");
        set_attr(h, a, "data-set-filter", "rule");
        set_attr(h, a, "data-value", rule->id);
        el_text(h, box, "div", NULL, rule->title);
        p = el(h, box, "div", "muted small");
        add_text(h, p, rule->resource_type);
        if (rule->file)
            add_textf(h, p, " \xC2\xB7 %s", rule->file);
        if (rule->description)
            add_text_max(h, el(h, box, "p", NULL), rule->description, TEXT_MAX);
        if (rule->remediation) {
            p = el(h, box, "p", NULL);
            el_text(h, p, "strong", NULL, "Remediation: ");
            add_text_max(h, p, rule->remediation, TEXT_MAX);
        }
        add_textf(h, el(h, box, "div", "counts"), "%zu failed \xC2\xB7 %zu waived \xC2\xB7 %zu passed",
                  st[RESULT_FAIL], st[RESULT_WAIVED], st[RESULT_PASS]);
    }
    if (!h->r->n_rules)
        el_text(h, sec, "p", "note", "No rules were loaded.");
}

static void build_waivers(hw *h, xmlNodePtr page)
{
    static const char *const cols[] = {"Rule|text",  "Resource|text", "Scope|text",  "Reason|text",
                                       "Owner|text", "Expires|text",  "Matched|num", "Defined at|text"};
    static const struct {
        waiver_state state;
        const char *title, *kind, *none;
    } groups[] = {
        {WAIVER_EXPIRED, "Expired", "expired", "No waiver has expired."},
        {WAIVER_APPLIED, "Applied", "applied", "No waiver was applied."},
        {WAIVER_UNUSED, "Unused", "unused", "Every waiver matched something."},
    };
    xmlNodePtr sec = section(h, page, "waivers", "Waivers", NULL), body, tr, h3;

    el_text(h, sec, "p", "intro",
            "Expired waivers no longer hide their failures; unused ones match nothing and can be removed.");
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
        size_t n = 0;

        for (size_t i = 0; i < h->r->n_waivers; i++)
            n += h->r->waivers[i].state == groups[g].state;
        h3 = el(h, sec, "h3", NULL);
        badge(h, h3, groups[g].kind, groups[g].title);
        add_textf(h, h3, " %zu", n);
        body = table(h, sec, NULL, cols, 8);
        for (size_t i = 0; i < h->r->n_waivers; i++) {
            const waiver_info *w = &h->r->waivers[i];

            if (w->state != groups[g].state)
                continue;
            tr = el(h, body, "tr", NULL);
            el_text(h, tr, "td", "mono", w->rule);
            el_text(h, tr, "td", "mono", w->resource ? w->resource : "any");
            add_textf(h, el(h, tr, "td", "small"), "%s / %s", w->account ? w->account : "any account",
                      w->region ? w->region : "any region");
            add_text_max(h, el(h, tr, "td", NULL), w->reason, TEXT_MAX);
            el_text(h, tr, "td", NULL, w->owner);
            el_text(h, tr, "td", "nowrap", w->expires);
            el_count(h, tr, w->matched);
            add_textf(h, el(h, tr, "td", "mono small"), "%s:%u", w->file ? w->file : "?", w->line);
        }
        if (!n)
            empty_row(h, body, 8, groups[g].none);
    }
}

static void build_errors(hw *h, xmlNodePtr page)
{
    static const char *const cols[] = {"Account|text", "Region|text", "Call|text",
                                       "Code|text",    "HTTP|num",    "Message|text"};
    xmlNodePtr sec = section(h, page, "errors", "Collection errors", NULL), body, tr;
    const cJSON *e;

    el_text(
        h, sec, "p", "intro",
        "What could not be read after retries. Images there were not judged, so a clean result above does "
        "not cover them.");
    body = table(h, sec, "error-table", cols, 6);
    cJSON_ArrayForEach(e, h->r->errors)
    {
        const cJSON *status = cJSON_GetObjectItemCaseSensitive(e, "http_status");

        tr = el(h, body, "tr", NULL);
        account_cell(h, tr, json_str(e, "account"));
        el_text(h, tr, "td", NULL, json_str(e, "region") ? json_str(e, "region") : "all");
        add_textf(h, el(h, tr, "td", "mono"), "%s %s", or_empty(json_str(e, "service")),
                  or_empty(json_str(e, "operation")));
        el_text(h, tr, "td", "mono nowrap", json_str(e, "code"));
        /* An HTTP status is 100-599; anything else in a hand-made snapshot is not cast (undefined beyond
         * size_t). */
        if (cJSON_IsNumber(status) && status->valuedouble >= 0 && status->valuedouble < 1000)
            el_count(h, tr, (size_t)status->valuedouble);
        else
            el(h, tr, "td", NULL);
        add_text_max(h, el(h, tr, "td", "wide"), json_str(e, "message"), TEXT_MAX);
    }
    if (!cJSON_GetArraySize(h->r->errors))
        empty_row(h, body, 6, "None: every account and region was read.");
}

static int build_page(hw *h, const char *title, ia_err *err)
{
    xmlNodePtr html, body, page, script;
    size_t js_len = 0;
    const char *js = assets_get("report.js", &js_len);
    char when[64], head_title[160];

    h->doc = htmlNewDocNoDtD(NULL, NULL);
    if (!h->doc || !xmlCreateIntSubset(h->doc, X("html"), NULL, NULL))
        return err_set(err, IA_ERR_NOMEM, "out of memory writing the HTML report");
    html = new_el(h, "html", NULL);
    if (!html)
        return err_set(err, IA_ERR_NOMEM, "out of memory writing the HTML report");
    xmlDocSetRootElement(h->doc, html);
    set_attr(h, html, "lang", "en");
    human_time(h->r->evaluated_at, when, sizeof(when));
    snprintf(head_title, sizeof(head_title), "%s, %s", title, when);
    build_head(h, html, head_title);
    if (!h->failed && add_csp(h, html->children, err) != 0)
        return -1;
    body = el(h, html, "body", NULL);
    /* The script sets "ok" when it has run; a page without it still reads in full. */
    set_attr(h, body, "data-js", "off");
    page = el(h, body, "div", "page");
    build_masthead(h, page, title);
    build_nav(h, page);
    build_changes(h, page);
    build_summary(h, page);
    build_coverage(h, page);
    build_findings(h, page);
    build_accounts(h, page);
    build_sharing(h, page);
    build_rules(h, page);
    build_waivers(h, page);
    build_errors(h, page);
    add_textf(h, el(h, page, "p", "footer"),
              "Generated by imgaudit %s. Self-contained: opening this file fetches nothing from the network.",
              IMGAUDIT_VERSION);
    if (js) {
        script = el(h, body, "script", NULL);
        add_text_max(h, script, js, 0);
    }
    if (h->failed)
        return err_set(err, IA_ERR_NOMEM, "out of memory writing the HTML report");
    return 0;
}

/* ---- serializing ---- */

static const char *find_mark(const char *hay, size_t len, const char *mark, size_t *mark_len)
{
    char needle[64];
    size_t n = (size_t)snprintf(needle, sizeof(needle), "<!--%s-->", mark);

    *mark_len = n;
    for (size_t i = 0; i + n <= len; i++) {
        if (hay[i] == '<' && memcmp(hay + i, needle, n) == 0)
            return hay + i;
    }
    return NULL;
}

/* Writes the serialized page with the streamed rows in place of their marks. */
static int write_page(hw *h, const char *page, size_t len, xmlOutputBufferPtr ob, ia_err *err)
{
    static const char *const marks[] = {MARK_FINDINGS, MARK_SHARING};
    const char *at = page, *end = page + len;

    for (size_t m = 0; m < 2; m++) {
        size_t mark_len;
        const char *hit = find_mark(at, (size_t)(end - at), marks[m], &mark_len);

        if (!hit || find_mark(hit + mark_len, (size_t)(end - hit) - mark_len, marks[m], &mark_len))
            return err_set(err, IA_ERR_INTERNAL, "the HTML page does not have one place for its %s rows",
                           marks[m]);
        if (xmlOutputBufferWrite(ob, (int)(hit - at), at) < 0)
            h->failed = 1;
        if (m == 0)
            stream_findings(h, ob);
        else
            stream_sharing(h, ob);
        at = hit + mark_len;
    }
    if (!h->failed && xmlOutputBufferWrite(ob, (int)(end - at), at) < 0)
        h->failed = 1;
    return 0;
}

int html_write(const results *r, const html_options *opt, FILE *out, ia_err *err)
{
    static const html_options defaults = {NULL, {0, SEV_HIGH, 0}};
    xmlOutputBufferPtr mem = NULL, ob = NULL;
    xmltext_errors xerr;
    hw h;
    int rc = -1;

    memset(&h, 0, sizeof(h));
    buf_init(&h.clean, 0);
    buf_init(&h.text, 0);
    h.r = r;
    h.opt = opt ? opt : &defaults;
    xmltext_errors_begin(&xerr);
    if (tally_compute(r, &h.t, err) != 0 || sharing_compute(r, &h.t, &h.shares, err) != 0)
        goto out;
    h.n_findings = h.t.status[RESULT_FAIL] + h.t.status[RESULT_WAIVED];
    if (build_page(&h, h.opt->title ? h.opt->title : "Image audit report", err) != 0)
        goto out;
    mem = xmlAllocOutputBuffer(NULL);
    if (!mem) {
        err_set(err, IA_ERR_NOMEM, "out of memory writing the HTML report");
        goto out;
    }
    htmlDocContentDumpFormatOutput(mem, h.doc, "UTF-8", 1);
    if (mem->error || xmlOutputBufferGetContent(mem) == NULL) {
        err_set(err, IA_ERR_NOMEM, "cannot serialize the HTML report%s%s", xerr.msg[0] ? ": " : "", xerr.msg);
        goto out;
    }
    ob = xmlOutputBufferCreateFile(out, NULL);
    if (!ob) {
        err_set(err, IA_ERR_NOMEM, "out of memory writing the HTML report");
        goto out;
    }
    if (write_page(&h, (const char *)xmlOutputBufferGetContent(mem), xmlOutputBufferGetSize(mem), ob, err) !=
        0)
        goto out;
    if (h.failed || xmlOutputBufferFlush(ob) < 0 || ob->error || fflush(out) != 0 || ferror(out)) {
        err_set(err, IA_ERR_IO, "cannot write the HTML report%s%s", xerr.msg[0] ? ": " : "", xerr.msg);
        goto out;
    }
    rc = 0;
out:
    if (ob)
        xmlOutputBufferClose(ob); /* flushes out, leaves it open */
    if (mem)
        xmlOutputBufferClose(mem);
    xmlFreeDoc(h.doc);
    xmltext_errors_end(&xerr);
    sharing_free(&h.shares);
    tally_free(&h.t);
    buf_free(&h.clean);
    buf_free(&h.text);
    return rc;
}
