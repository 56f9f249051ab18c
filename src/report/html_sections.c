#include "report/html_sections.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report/assets.h"
#include "report/html_data.h"
#include "version.h"

/* Rows in the "what changed" lists; the findings table has every finding. */
#define LIST_MAX 200

/* ---- cells every section uses ---- */

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

static const char *account_name(const html_writer *w, const char *id)
{
    long idx = tally_account_index(w->t, id);

    return idx >= 0 ? w->t->accounts[idx].name : NULL;
}

/* Account id, with its name from the snapshot underneath where it has one. */
static void account_cell(html_writer *w, xmlNodePtr tr, const char *id)
{
    htmldom *d = &w->dom;
    xmlNodePtr td = htmldom_el(d, tr, "td", NULL);
    const char *name = account_name(w, id);

    htmldom_el_text(d, td, "div", "mono nowrap", id ? id : "organization");
    if (name && *name)
        htmldom_el_text(d, td, "div", "muted small", name);
}

/* A time as its date, with the whole ISO-8601 value as the cell's tooltip and sort key. */
static void date_cell(htmldom *d, xmlNodePtr tr, const char *iso)
{
    xmlNodePtr td = htmldom_el(d, tr, "td", "small nowrap");
    char day[11];

    if (!iso || !*iso)
        return;
    htmldom_attr(d, td, "title", iso);
    htmldom_attr(d, td, "data-v", iso);
    snprintf(day, sizeof(day), "%.10s", iso);
    htmldom_text(d, td, day);
}

/* A resource: its id, its name where it has one, and its type. */
static void resource_cell(htmldom *d, xmlNodePtr tr, const snap_resource *res)
{
    xmlNodePtr td = htmldom_el(d, tr, "td", "wide");

    htmldom_el_text(d, td, "div", "mono", res->id);
    if (res->name && *res->name)
        htmldom_el_text(d, td, "div", NULL, res->name);
    htmldom_el_text(d, td, "div", "muted small", res->type);
}

static void sev_badge(htmldom *d, xmlNodePtr parent, severity s)
{
    char kind[32];

    snprintf(kind, sizeof(kind), "sev-%s", severity_name(s));
    htmldom_badge(d, parent, kind, severity_name(s));
}

/* ---- the head ---- */

/*
 * A Content-Security-Policy that lets only this page's own stylesheet and
 * script run, by hash, and fetch nothing: even if a string from the data
 * ever turned into markup, it could not run script or load anything.
 */
static int add_csp(html_writer *w, xmlNodePtr head, ia_err *err)
{
    static const char *const names[] = {"report.js", "report.css"};
    htmldom *d = &w->dom;
    char digests[2][64];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned md_len = 0;
    const char *policy;
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
    policy =
        htmldom_format(d,
                       "default-src 'none'; script-src 'sha256-%s'; style-src 'sha256-%s'; img-src data:; "
                       "base-uri 'none'; form-action 'none'",
                       digests[0], digests[1]);
    if (!policy)
        return err_set(err, IA_ERR_NOMEM, "out of memory writing the HTML report");
    meta = htmldom_new(d, "meta", NULL);
    htmldom_attr(d, meta, "http-equiv", "Content-Security-Policy");
    htmldom_attr(d, meta, "content", policy);
    /* Right after the charset, before the style it allows. */
    if (meta && !xmlAddNextSibling(head->children, meta)) {
        xmlFreeNode(meta);
        d->failed = 1;
    }
    return 0;
}

int html_section_head(html_writer *w, xmlNodePtr html, const char *title, ia_err *err)
{
    htmldom *d = &w->dom;
    xmlNodePtr head = htmldom_el(d, html, "head", NULL), meta;
    size_t css_len = 0;
    const char *css = assets_get("report.css", &css_len);
    char when[64], head_title[160];

    meta = htmldom_el(d, head, "meta", NULL);
    htmldom_attr(d, meta, "charset", "utf-8");
    meta = htmldom_el(d, head, "meta", NULL);
    htmldom_attr(d, meta, "name", "viewport");
    htmldom_attr(d, meta, "content", "width=device-width, initial-scale=1");
    meta = htmldom_el(d, head, "meta", NULL);
    htmldom_attr(d, meta, "name", "generator");
    htmldom_attr(d, meta, "content", "imgaudit " IMGAUDIT_VERSION);
    human_time(w->r->evaluated_at, when, sizeof(when));
    snprintf(head_title, sizeof(head_title), "%s, %s", title, when);
    htmldom_el_text(d, head, "title", NULL, head_title);
    if (css)
        htmldom_text_max(d, htmldom_el(d, head, "style", NULL), css, 0);
    if (!d->failed)
        return add_csp(w, head, err);
    return 0;
}

/* ---- the sections, in page order ---- */

void html_section_masthead(html_writer *w, xmlNodePtr page, const char *title)
{
    htmldom *d = &w->dom;
    const results *r = w->r;
    xmlNodePtr top = htmldom_el(d, page, "div", "masthead"), meta, verdicts, v;
    char when[64], started[64], finished[64];
    size_t n_errors = (size_t)cJSON_GetArraySize(r->errors);
    const cJSON *regions = r->snapshot ? cJSON_GetObjectItemCaseSensitive(r->snapshot, "regions") : NULL;
    const tally_gate *g = &w->opt->gate;

    htmldom_el_text(d, top, "h1", NULL, title);
    meta = htmldom_el(d, top, "p", "meta");
    human_time(r->evaluated_at, when, sizeof(when));
    htmldom_textf(d, htmldom_el(d, meta, "span", NULL), "Evaluated %s", when);
    human_time(json_str(r->snapshot, "started_at"), started, sizeof(started));
    human_time(json_str(r->snapshot, "finished_at"), finished, sizeof(finished));
    if (json_str(r->snapshot, "started_at"))
        htmldom_textf(d, htmldom_el(d, meta, "span", NULL), "inventory collected %s to %s", started,
                      finished);
    htmldom_textf(d, htmldom_el(d, meta, "span", NULL), "%zu account%s, %d region%s", w->t->n_accounts,
                  w->t->n_accounts == 1 ? "" : "s", cJSON_GetArraySize(regions),
                  cJSON_GetArraySize(regions) == 1 ? "" : "s");
    htmldom_textf(d, htmldom_el(d, meta, "span", NULL), "%zu resources, %zu rules", r->n_resources,
                  r->n_rules);
    verdicts = htmldom_el(d, top, "div", "verdicts");
    if (g->enabled) {
        size_t blocking = tally_gate_count(r, g);
        char found[128];

        tally_gate_describe(g, blocking, found, sizeof(found));
        v = htmldom_el(d, verdicts, "span", blocking ? "verdict fail" : "verdict pass");
        htmldom_textf(d, v, "Gate %s: %s", blocking ? "failed" : "passed", found);
        htmldom_attr(d, v, "id", "gate");
    } else {
        v = htmldom_el_text(d, verdicts, "span", "verdict", "Not gated");
        htmldom_attr(d, v, "id", "gate");
    }
    if (n_errors)
        htmldom_textf(d, htmldom_el(d, verdicts, "span", "verdict warn"),
                      "Collection incomplete: %zu error%s", n_errors, n_errors == 1 ? "" : "s");
    else
        htmldom_el_text(d, verdicts, "span", "verdict", "Collection complete");
    if (r->has_baseline)
        htmldom_textf(d, htmldom_el(d, verdicts, "span", w->t->n_new ? "verdict warn" : "verdict"),
                      "%zu new since the baseline", w->t->n_new);
}

void html_section_nav(html_writer *w, xmlNodePtr page)
{
    static const char *const links[][2] = {
        {"#changes", "Changes"},   {"#summary", "Summary"},   {"#coverage", "Coverage"},
        {"#findings", "Findings"}, {"#accounts", "Accounts"}, {"#sharing", "Sharing"},
        {"#rules", "Rules"},       {"#waivers", "Waivers"},   {"#errors", "Collection errors"},
    };
    htmldom *d = &w->dom;
    xmlNodePtr nav = htmldom_el(d, page, "div", "nav");

    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        if (i == 0 && !w->r->has_baseline)
            continue;
        htmldom_attr(d, htmldom_el_text(d, nav, "a", NULL, links[i][1]), "href", links[i][0]);
    }
}

/* A count; with filters ("sev=high&status=fail"), a link that shows those findings in the table. */
static void card(htmldom *d, xmlNodePtr cards, const char *cls, size_t n, const char *label,
                 const char *filters)
{
    char c[64];
    xmlNodePtr a;

    snprintf(c, sizeof(c), "card %s%s", cls, n ? "" : " zero");
    a = htmldom_el(d, cards, filters ? "a" : "div", c);
    if (filters) {
        htmldom_attr(d, a, "href", "#findings");
        htmldom_attr(d, a, "data-filters", filters);
    }
    htmldom_textf(d, htmldom_el(d, a, "span", "n"), "%zu", n);
    htmldom_el_text(d, a, "span", "l", label);
}

void html_section_changes(html_writer *w, xmlNodePtr page)
{
    static const char *const new_cols[] = {"Severity|rank", "Rule|text",     "Account|text",
                                           "Region|text",   "Resource|text", "Message|text"};
    static const char *const res_cols[] = {"Rule|text",     "Account|text", "Region|text",
                                           "Resource|text", "Message|text", "First seen|text"};
    htmldom *d = &w->dom;
    const results *r = w->r;
    xmlNodePtr sec, cards, body, tr, td;
    size_t shown = 0;

    if (!r->has_baseline)
        return;
    sec = htmldom_section(d, page, "changes", "What changed since the last run", "changes");
    htmldom_el_text(d, sec, "p", "intro",
                    "Compared with the baseline run: failures that are new, still there, and gone.");
    cards = htmldom_el(d, sec, "div", "cards");
    card(d, cards, "new", w->t->n_new, "new failures", "change=new&status=fail");
    card(d, cards, "existing", w->t->n_existing, "still failing", "change=existing&status=fail");
    card(d, cards, "resolved", r->n_resolved, "resolved", NULL);
    htmldom_el_text(d, sec, "h3", NULL, "New failures");
    body = htmldom_table(d, sec, "new-failures", new_cols, 6);
    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--) {
        for (size_t i = 0; i < r->n_items && shown < LIST_MAX; i++) {
            const result *it = &r->items[i];
            const rule_info *rule = &r->rules[it->rule];
            const snap_resource *res = &r->resources[it->resource];

            if (it->status != RESULT_FAIL || it->change != CHANGE_NEW || (int)rule->sev != s)
                continue;
            shown++;
            tr = htmldom_el(d, body, "tr", NULL);
            td = htmldom_el(d, tr, "td", NULL);
            sev_badge(d, td, rule->sev);
            htmldom_el_text(d, tr, "td", "mono nowrap", rule->id);
            account_cell(w, tr, res->account);
            htmldom_el_text(d, tr, "td", "nowrap", res->region);
            td = htmldom_el(d, tr, "td", "wide");
            htmldom_el_text(d, td, "div", "mono", res->id);
            if (res->name)
                htmldom_el_text(d, td, "div", NULL, res->name);
            htmldom_text_max(d, htmldom_el(d, tr, "td", "wide"), it->message, HTMLDOM_TEXT_MAX);
        }
    }
    if (!w->t->n_new)
        htmldom_empty_row(d, body, 6, "No new failures.");
    else if (w->t->n_new > shown)
        htmldom_textf(d, htmldom_el(d, sec, "p", "note"),
                      "%zu more: filter the findings table by change \"new\".", w->t->n_new - shown);
    htmldom_el_text(d, sec, "h3", NULL, "Resolved");
    body = htmldom_table(d, sec, "resolved", res_cols, 6);
    for (size_t i = 0; i < r->n_resolved && i < LIST_MAX; i++) {
        const resolved_failure *rf = &r->resolved[i];

        tr = htmldom_el(d, body, "tr", NULL);
        htmldom_el_text(d, tr, "td", "mono nowrap", rf->rule);
        account_cell(w, tr, rf->account);
        htmldom_el_text(d, tr, "td", "nowrap", rf->region);
        td = htmldom_el(d, tr, "td", "wide");
        htmldom_el_text(d, td, "div", "mono", rf->resource_id);
        htmldom_el_text(d, td, "div", "muted small", rf->resource_type);
        htmldom_text_max(d, htmldom_el(d, tr, "td", "wide"), rf->message, HTMLDOM_TEXT_MAX);
        date_cell(d, tr, rf->first_seen);
    }
    if (!r->n_resolved)
        htmldom_empty_row(d, body, 6, "Nothing was resolved.");
    else if (r->n_resolved > LIST_MAX)
        htmldom_textf(d, htmldom_el(d, sec, "p", "note"), "%zu more are listed in the JSON results.",
                      r->n_resolved - LIST_MAX);
}

void html_section_summary(html_writer *w, xmlNodePtr page)
{
    static const char *const cols[] = {"Severity|rank", "Failed|num", "Waived|num", "Passed|num",
                                       "Total|num"};
    htmldom *d = &w->dom;
    xmlNodePtr sec = htmldom_section(d, page, "summary", "Summary", NULL), cards, body, tr, td;
    char label[32];

    htmldom_el_text(d, sec, "p", "intro",
                    "Un-waived failures by severity; select a card to filter the findings.");
    cards = htmldom_el(d, sec, "div", "cards");
    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--) {
        char cls[32], filters[48];

        snprintf(cls, sizeof(cls), "sev-%s", severity_name((severity)s));
        snprintf(filters, sizeof(filters), "sev=%s&status=fail", severity_name((severity)s));
        card(d, cards, cls, w->t->by_sev[s][RESULT_FAIL], severity_name((severity)s), filters);
    }
    card(d, cards, "waived", w->t->status[RESULT_WAIVED], "waived", "status=waived");
    card(d, cards, "passed", w->t->status[RESULT_PASS], "passed", NULL);
    body = htmldom_table(d, sec, "by-severity", cols, 5);
    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--) {
        const size_t *c = w->t->by_sev[s];

        tr = htmldom_el(d, body, "tr", NULL);
        td = htmldom_el(d, tr, "td", NULL);
        snprintf(label, sizeof(label), "%d", s);
        htmldom_attr(d, td, "data-v", label);
        sev_badge(d, td, (severity)s);
        htmldom_count(d, tr, c[RESULT_FAIL]);
        htmldom_count(d, tr, c[RESULT_WAIVED]);
        htmldom_count(d, tr, c[RESULT_PASS]);
        htmldom_count(d, tr, c[RESULT_FAIL] + c[RESULT_WAIVED] + c[RESULT_PASS]);
    }
}

/* Emits a row built detached (NULL: nothing), or frees it when building it failed. */
static void emit_row(htmldom *d, xmlOutputBufferPtr ob, xmlNodePtr tr)
{
    if (tr && d->failed)
        xmlFreeNode(tr);
    else
        htmldom_emit(d, ob, tr);
}

static xmlNodePtr coverage_row(html_writer *w, const tally_account *acc, const cJSON *run_regions)
{
    htmldom *d = &w->dom;
    /* Its own list in the snapshot, else the run's. */
    const cJSON *regions = acc->regions ? acc->regions : run_regions, *region;
    xmlNodePtr tr = htmldom_new(d, "tr", NULL), td;
    int first = 1;

    account_cell(w, tr, acc->id);
    td = htmldom_el(d, tr, "td", "small");
    cJSON_ArrayForEach(region, regions)
    {
        if (!cJSON_IsString(region))
            continue;
        htmldom_textf(d, td, "%s%s", first ? "" : ", ", region->valuestring);
        first = 0;
    }
    htmldom_count(d, tr, acc->resources);
    td = htmldom_el(d, tr, "td", NULL);
    if (acc->errors)
        htmldom_textf(d, htmldom_badge(d, td, "warn", NULL), "incomplete: %zu error%s", acc->errors,
                      acc->errors == 1 ? "" : "s");
    else
        htmldom_badge(d, td, "ok", "read");
    return tr;
}

void html_rows_coverage(html_writer *w, xmlOutputBufferPtr ob)
{
    const cJSON *run_regions = cJSON_GetObjectItemCaseSensitive(w->r->snapshot, "regions");

    for (size_t a = 0; a < w->t->n_accounts && !w->dom.failed; a++)
        emit_row(&w->dom, ob, coverage_row(w, &w->t->accounts[a], run_regions));
}

void html_section_coverage(html_writer *w, xmlNodePtr page)
{
    static const char *const cols[] = {"Account|text", "Regions|text", "Resources|num", "Collection|text"};
    htmldom *d = &w->dom;
    xmlNodePtr sec = htmldom_section(d, page, "coverage", "Coverage", NULL), body, ul;
    const cJSON *e;

    htmldom_el_text(d, sec, "p", "intro", "Accounts and regions this run read, and what it could not read.");
    body = htmldom_table(d, sec, "coverage-table", cols, 4);
    htmldom_mark(d, body, HTML_MARK_COVERAGE);
    if (!w->t->n_accounts)
        htmldom_empty_row(d, body, 4, "No accounts were read.");
    if (!cJSON_GetArraySize(w->r->errors))
        return;
    htmldom_el_text(d, sec, "h3", NULL, "Coverage gaps");
    ul = htmldom_el(d, sec, "ul", "gaps");
    cJSON_ArrayForEach(e, w->r->errors)
    {
        const char *account = json_str(e, "account"), *region = json_str(e, "region");
        const char *name = account_name(w, account), *code = json_str(e, "code");
        xmlNodePtr li = htmldom_el(d, ul, "li", NULL);

        htmldom_el_text(d, li, "span", "mono", account ? account : "organization");
        if (name)
            htmldom_textf(d, li, " (%s)", name);
        htmldom_textf(d, li, ", %s: %s %s failed", region ? region : "all regions",
                      or_empty(json_str(e, "service")), or_empty(json_str(e, "operation")));
        if (code)
            htmldom_textf(d, li, " (%s)", code);
    }
}

static void filter_select(htmldom *d, xmlNodePtr bar, const char *label, const char *filter, const char *all)
{
    xmlNodePtr l = htmldom_el_text(d, bar, "label", NULL, label), sel = htmldom_el(d, l, "select", NULL);

    htmldom_attr(d, sel, "data-filter", filter);
    htmldom_attr(d, htmldom_el_text(d, sel, "option", NULL, all), "value", "");
}

static xmlNodePtr last_select(xmlNodePtr bar)
{
    xmlNodePtr l = bar ? xmlGetLastChild(bar) : NULL;

    return l ? xmlGetLastChild(l) : NULL;
}

static void option(htmldom *d, xmlNodePtr sel, const char *value, const char *text)
{
    htmldom_attr(d, htmldom_el_text(d, sel, "option", NULL, text), "value", value);
}

/* The end of a filter bar: a search box (id), and "Showing N of total", N kept up to date by report.js. */
static void filter_search(htmldom *d, xmlNodePtr bar, const char *id, const char *placeholder, size_t total)
{
    xmlNodePtr l = htmldom_el_text(d, bar, "label", NULL, "Search"), in, p;

    htmldom_attr(d, l, "for", id);
    in = htmldom_el(d, l, "input", NULL);
    htmldom_attr(d, in, "id", id);
    htmldom_attr(d, in, "type", "search");
    htmldom_attr(d, in, "placeholder", placeholder);
    p = htmldom_el(d, bar, "span", "count");
    htmldom_text(d, p, "Showing ");
    htmldom_textf(d, htmldom_el(d, p, "span", "shown"), "%zu", total);
    htmldom_textf(d, p, " of %zu", total);
}

/* The note report.js shows when the filters hide every row. */
static void filter_no_match(htmldom *d, xmlNodePtr sec, const char *text)
{
    xmlNodePtr p = htmldom_el_text(d, sec, "p", "note no-match", text);

    htmldom_attr(d, p, "hidden", "hidden");
}

void html_section_findings(html_writer *w, xmlNodePtr page)
{
    static const char *const cols[] = {"Severity|rank", "Status|text", "Rule|text",
                                       "Account|text",  "Region|text", "Resource|text",
                                       "Message|text",  "Change|text", "First seen|text"};
    htmldom *d = &w->dom;
    size_t n_cols = w->r->has_baseline ? 9 : 7;
    xmlNodePtr sec = htmldom_section(d, page, "findings", "Findings", NULL), bar, sel, body;

    htmldom_textf(d, htmldom_el(d, sec, "p", "intro"),
                  "Every failure and waived result (%zu). Sort by a column heading; filter below.",
                  w->n_findings);
    bar = htmldom_el(d, sec, "div", "filters");
    filter_select(d, bar, "Severity", "sev", "All severities");
    sel = last_select(bar);
    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--)
        option(d, sel, severity_name((severity)s), severity_name((severity)s));
    filter_select(d, bar, "Status", "status", "Failed and waived");
    sel = last_select(bar);
    option(d, sel, "fail", "failed");
    option(d, sel, "waived", "waived");
    filter_select(d, bar, "Rule", "rule", "All rules");
    sel = last_select(bar);
    for (size_t i = 0; i < w->r->n_rules; i++)
        option(d, sel, w->r->rules[i].id, w->r->rules[i].id);
    filter_select(d, bar, "Account", "account", "All accounts");
    htmldom_mark(d, last_select(bar), HTML_MARK_ACCOUNT_OPTIONS);
    if (w->r->has_baseline) {
        filter_select(d, bar, "Change", "change", "New and existing");
        sel = last_select(bar);
        option(d, sel, "new", "new");
        option(d, sel, "existing", "existing");
    }
    filter_search(d, bar, "q", "image, message, account...", w->n_findings);
    body = htmldom_table(d, sec, "findings-table", cols, n_cols);
    /* The rows come from the data block below; report.js replaces this one with them. */
    if (w->n_findings)
        htmldom_empty_row(
            d, body, n_cols,
            htmldom_format(d,
                           "The table of the %zu findings needs JavaScript. The summary, the rule catalogue "
                           "and the per-account breakdown above and below count them all.",
                           w->n_findings));
    else
        htmldom_empty_row(d, body, n_cols, "No failures and nothing waived.");
    filter_no_match(d, sec, "No finding matches these filters.");
    htmldom_mark(d, sec, HTML_MARK_FINDINGS);
}

void html_section_accounts(html_writer *w, xmlNodePtr page)
{
    static const char *const cols[] = {"Account|text", "Resources|num", "Critical|num", "High|num",
                                       "Medium|num",   "Low|num",       "Info|num",     "Waived|num",
                                       "Passed|num",   "Errors|num"};
    htmldom *d = &w->dom;
    xmlNodePtr sec = htmldom_section(d, page, "accounts", "Per-account breakdown", NULL), body;

    htmldom_el_text(d, sec, "p", "intro", "Un-waived failures by severity in each account.");
    body = htmldom_table(d, sec, "account-table", cols, 10);
    htmldom_mark(d, body, HTML_MARK_ACCOUNTS);
    if (!w->t->n_accounts)
        htmldom_empty_row(d, body, 10, "No accounts were read.");
}

void html_rows_accounts(html_writer *w, xmlOutputBufferPtr ob)
{
    htmldom *d = &w->dom;

    for (size_t a = 0; a < w->t->n_accounts && !d->failed; a++) {
        const tally_account *acc = &w->t->accounts[a];
        xmlNodePtr tr = htmldom_new(d, "tr", NULL);

        account_cell(w, tr, acc->id);
        htmldom_count(d, tr, acc->resources);
        for (int s = SEV_CRITICAL; s >= SEV_INFO; s--)
            htmldom_count(d, tr, acc->fail_by_sev[s]);
        htmldom_count(d, tr, acc->status[RESULT_WAIVED]);
        htmldom_count(d, tr, acc->status[RESULT_PASS]);
        htmldom_count(d, tr, acc->errors);
        emit_row(d, ob, tr);
    }
}

/* A count in the sharing section's heading; a link that filters the table by badge where flag is set. */
static void heading_count(htmldom *d, xmlNodePtr h2, const char *cls, size_t n, const char *what,
                          const char *flag)
{
    xmlNodePtr a;

    htmldom_text(d, h2, " "); /* the heading reads as words without its stylesheet too */
    a = htmldom_el(d, h2, "a", cls);
    htmldom_attr(d, a, "href", "#sharing");
    htmldom_attr(d, a, "data-filters", flag ? htmldom_format(d, "flags=%s", flag) : "");
    htmldom_textf(d, a, "%zu %s", n, what);
}

/* Emits the option of one account of a filter: its id, and its name after it. */
static void emit_account_option(htmldom *d, xmlOutputBufferPtr ob, const char *id, const char *name)
{
    xmlNodePtr o = htmldom_new(d, "option", NULL);

    htmldom_attr(d, o, "value", id);
    htmldom_text(d, o, htmldom_format(d, "%s%s%s", id, name ? " " : "", name ? name : ""));
    emit_row(d, ob, o);
}

void html_options_accounts(html_writer *w, xmlOutputBufferPtr ob)
{
    for (size_t a = 0; a < w->t->n_accounts && !w->dom.failed; a++)
        emit_account_option(&w->dom, ob, w->t->accounts[a].id, w->t->accounts[a].name);
}

void html_options_owners(html_writer *w, xmlOutputBufferPtr ob)
{
    for (size_t i = 0; i < w->shares->n_owners && !w->dom.failed; i++)
        emit_account_option(&w->dom, ob, w->shares->owners[i]->account, w->shares->owners[i]->name);
}

void html_options_targets(html_writer *w, xmlOutputBufferPtr ob)
{
    for (size_t i = 0; i < w->shares->n_targets && !w->dom.failed; i++)
        emit_account_option(&w->dom, ob, w->shares->targets[i]->account, w->shares->targets[i]->name);
}

void html_section_sharing(html_writer *w, xmlNodePtr page)
{
    static const char *const cols[] = {"Image|text", "Region|text",    "Owner|text", "Shared with|text",
                                       "Use|text",   "Seen from|text", "BYOL|num"};
    htmldom *d = &w->dom;
    const sharing *sh = w->shares;
    size_t n = sh->n_edges;
    xmlNodePtr sec = htmldom_section(d, page, "sharing", "Cross-account sharing", NULL), h2, p, bar, sel,
               body;

    h2 = sec ? xmlGetLastChild(sec) : NULL;
    heading_count(d, h2, "hcount", n, n == 1 ? "share" : "shares", NULL);
    if (sh->has_organization)
        heading_count(d, h2, "hcount outside", sh->n_outside_org, "outside the Organization", "outside");
    if (sh->trust_known)
        heading_count(d, h2, "hcount untrusted", sh->n_untrusted, "untrusted", "untrusted");
    heading_count(d, h2, "hcount byol", sh->n_byol, "BYOL", "byol");
    p = htmldom_el_text(
        d, sec, "p", "intro",
        "Which account shares which image with whom, once per share: from the owner's grants, "
        "from an audited account the image is shared into, or both. BYOL images (RequiredTenancy "
        "DEDICATED) are highlighted.");
    if (!sh->has_organization)
        htmldom_text(d, p,
                     " The snapshot records no Organization (collect --org), so membership is not shown.");
    if (!sh->trust_known)
        htmldom_text(d, p, " The rules define no trusted accounts, so trust is not shown.");
    bar = htmldom_el(d, sec, "div", "filters");
    filter_select(d, bar, "Owner", "owner", "All owners");
    htmldom_mark(d, last_select(bar), HTML_MARK_OWNER_OPTIONS);
    filter_select(d, bar, "Shared with", "target", "All accounts");
    htmldom_mark(d, last_select(bar), HTML_MARK_TARGET_OPTIONS);
    filter_select(d, bar, "Badge", "flags", "Any");
    sel = last_select(bar);
    htmldom_attr(d, sel, "data-match", "word");
    if (sh->has_organization)
        option(d, sel, "outside", "outside the Organization");
    if (sh->trust_known) {
        option(d, sel, "untrusted", "untrusted");
        option(d, sel, "trusted", "trusted");
    }
    option(d, sel, "not-audited", "not audited");
    option(d, sel, "byol", "BYOL");
    filter_search(d, bar, "sharing-q", "image, account, name...", n);
    body = htmldom_table(d, sec, "sharing-table", cols, 7);
    if (n > HTML_SHARING_ROWS_MAX)
        htmldom_empty_row(d, body, 7,
                          htmldom_format(d,
                                         "The table of the %zu shares needs JavaScript. The counts in the "
                                         "heading above cover them all.",
                                         n));
    else
        htmldom_mark(d, body, HTML_MARK_SHARING);
    if (!n)
        htmldom_empty_row(d, body, 7, "No image is shared across accounts.");
    filter_no_match(d, sec, "No share matches these filters.");
    if (n > HTML_SHARING_ROWS_MAX)
        htmldom_mark(d, sec, HTML_MARK_SHARING);
}

/* One side of a share: the account id, its name, and what is known of it as badges. */
static void party_cell(htmldom *d, xmlNodePtr tr, const sharing_party *p)
{
    xmlNodePtr td = htmldom_el(d, tr, "td", NULL), badges;

    htmldom_el_text(d, td, "div", "mono nowrap", p->account[0] ? p->account : "unknown");
    if (p->name)
        htmldom_el_text(d, td, "div", "muted small", p->name);
    badges = htmldom_el(d, td, "div", "badges");
    if (!p->audited)
        htmldom_badge(d, badges, "external", "not audited");
    if (p->in_org == SHARING_NO)
        htmldom_badge(d, badges, "outside", "outside the Organization");
    if (p->trusted != SHARING_UNKNOWN)
        htmldom_badge(d, badges, p->trusted == SHARING_YES ? "trusted" : "untrusted",
                      p->trusted == SHARING_YES ? "trusted" : "untrusted");
}

/* What the share lets the receiving account do. */
static void use_cell(htmldom *d, xmlNodePtr tr, const sharing_edge *e)
{
    xmlNodePtr td = htmldom_el(d, tr, "td", "small");
    bool fleet = e->allow_fleet, builder = e->allow_image_builder;

    switch (e->grant) {
    case SHARING_GRANT_UNSEEN: htmldom_text(d, td, "not seen: only the owner can read the grant"); break;
    case SHARING_GRANT_LAUNCH_COPY: htmldom_text(d, td, "launch and copy"); break;
    case SHARING_GRANT_OPTIONS:
        htmldom_textf(d, td, "%s%s%s", fleet ? "fleets" : "", fleet && builder ? ", " : "",
                      builder ? "image builders" : (fleet ? "" : "no use granted"));
        break;
    }
}

/* The row's badges as words, for the badge filter (report.js matches one word of data-flags). */
static const char *share_flags(htmldom *d, const sharing *sh, const sharing_edge *e)
{
    bool trusted = e->owner.trusted == SHARING_YES && e->target.trusted == SHARING_YES;

    return htmldom_format(d, "%s%s%s%s%s", e->byol ? " byol" : "", e->outside_org ? " outside" : "",
                          e->untrusted ? " untrusted" : "", sh->trust_known && trusted ? " trusted" : "",
                          e->not_audited ? " not-audited" : "");
}

static xmlNodePtr share_row(html_writer *w, const sharing_edge *e)
{
    static const char *const seen[] = {"", "owner", "recipient", "both"};
    htmldom *d = &w->dom;
    const snap_resource *res = e->res;
    xmlNodePtr tr = htmldom_new(d, "tr", e->byol ? "byol" : NULL), td;
    const char *flags;

    htmldom_attr(d, tr, "data-owner", e->owner.account);
    htmldom_attr(d, tr, "data-target", e->target.account);
    flags = share_flags(d, w->shares, e); /* the builder's scratch: used at once */
    htmldom_attr(d, tr, "data-flags", flags && *flags ? flags + 1 : "");
    resource_cell(d, tr, res);
    htmldom_el_text(d, tr, "td", "nowrap", res->region);
    party_cell(d, tr, &e->owner);
    party_cell(d, tr, &e->target);
    use_cell(d, tr, e);
    htmldom_el_text(d, tr, "td", "small", seen[e->seen_from & 3u]);
    td = htmldom_el(d, tr, "td", NULL);
    htmldom_attr(d, td, "data-v", e->byol ? "1" : "0");
    if (e->byol)
        htmldom_badge(d, td, "byol", "BYOL");
    return tr;
}

void html_rows_sharing(html_writer *w, xmlOutputBufferPtr ob)
{
    if (w->shares->n_edges > HTML_SHARING_ROWS_MAX) {
        html_data_sharing(w, ob);
        return;
    }
    for (size_t i = 0; i < w->shares->n_edges && !w->dom.failed; i++)
        emit_row(&w->dom, ob, share_row(w, &w->shares->edges[i]));
}

void html_section_rules(html_writer *w, xmlNodePtr page)
{
    htmldom *d = &w->dom;
    xmlNodePtr sec = htmldom_section(d, page, "rules", "Rule catalogue", NULL), grid, box, head, p;

    htmldom_textf(d, htmldom_el(d, sec, "p", "intro"),
                  "The %zu rules this run judged, with what to do about a failure.", w->r->n_rules);
    grid = htmldom_el(d, sec, "div", "rules");
    for (size_t i = 0; i < w->r->n_rules; i++) {
        const rule_info *rule = &w->r->rules[i];
        const size_t *st = &w->t->rule_status[i * TALLY_N_STATUS];
        xmlNodePtr a;

        box = htmldom_el(d, grid, "div", "rule");
        head = htmldom_el(d, box, "h3", NULL);
        sev_badge(d, head, rule->sev);
        htmldom_text(d, head, " ");
        a = htmldom_el_text(d, head, "a", "mono", rule->id);
        htmldom_attr(d, a, "href", "#findings");
        htmldom_attr(d, a, "data-set-filter", "rule");
        htmldom_attr(d, a, "data-value", rule->id);
        htmldom_el_text(d, box, "div", NULL, rule->title);
        p = htmldom_el(d, box, "div", "muted small");
        htmldom_text(d, p, rule->resource_type);
        if (rule->file)
            htmldom_textf(d, p, " \xC2\xB7 %s", rule->file);
        if (rule->description)
            htmldom_text_max(d, htmldom_el(d, box, "p", NULL), rule->description, HTMLDOM_TEXT_MAX);
        if (rule->remediation) {
            p = htmldom_el(d, box, "p", NULL);
            htmldom_el_text(d, p, "strong", NULL, "Remediation: ");
            htmldom_text_max(d, p, rule->remediation, HTMLDOM_TEXT_MAX);
        }
        htmldom_textf(d, htmldom_el(d, box, "div", "counts"),
                      "%zu failed \xC2\xB7 %zu waived \xC2\xB7 %zu passed", st[RESULT_FAIL],
                      st[RESULT_WAIVED], st[RESULT_PASS]);
    }
    if (!w->r->n_rules)
        htmldom_el_text(d, sec, "p", "note", "No rules were loaded.");
}

void html_section_waivers(html_writer *w, xmlNodePtr page)
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
    htmldom *d = &w->dom;
    xmlNodePtr sec = htmldom_section(d, page, "waivers", "Waivers", NULL), body, tr, h3;

    htmldom_el_text(
        d, sec, "p", "intro",
        "Expired waivers no longer hide their failures; unused ones match nothing and can be removed.");
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
        size_t n = 0;

        for (size_t i = 0; i < w->r->n_waivers; i++)
            n += w->r->waivers[i].state == groups[g].state;
        h3 = htmldom_el(d, sec, "h3", NULL);
        htmldom_badge(d, h3, groups[g].kind, groups[g].title);
        htmldom_textf(d, h3, " %zu", n);
        body = htmldom_table(d, sec, NULL, cols, 8);
        for (size_t i = 0; i < w->r->n_waivers; i++) {
            const waiver_info *wv = &w->r->waivers[i];

            if (wv->state != groups[g].state)
                continue;
            tr = htmldom_el(d, body, "tr", NULL);
            htmldom_el_text(d, tr, "td", "mono", wv->rule);
            htmldom_el_text(d, tr, "td", "mono", wv->resource ? wv->resource : "any");
            htmldom_textf(d, htmldom_el(d, tr, "td", "small"), "%s / %s",
                          wv->account ? wv->account : "any account", wv->region ? wv->region : "any region");
            htmldom_text_max(d, htmldom_el(d, tr, "td", NULL), wv->reason, HTMLDOM_TEXT_MAX);
            htmldom_el_text(d, tr, "td", NULL, wv->owner);
            htmldom_el_text(d, tr, "td", "nowrap", wv->expires);
            htmldom_count(d, tr, wv->matched);
            htmldom_textf(d, htmldom_el(d, tr, "td", "mono small"), "%s:%u", wv->file ? wv->file : "?",
                          wv->line);
        }
        if (!n)
            htmldom_empty_row(d, body, 8, groups[g].none);
    }
}

void html_section_errors(html_writer *w, xmlNodePtr page)
{
    static const char *const cols[] = {"Account|text", "Region|text", "Call|text",
                                       "Code|text",    "HTTP|num",    "Message|text"};
    htmldom *d = &w->dom;
    xmlNodePtr sec = htmldom_section(d, page, "errors", "Collection errors", NULL), body, tr;
    const cJSON *e;

    htmldom_el_text(
        d, sec, "p", "intro",
        "What could not be read after retries. Images there were not judged, so a clean result above does "
        "not cover them.");
    body = htmldom_table(d, sec, "error-table", cols, 6);
    cJSON_ArrayForEach(e, w->r->errors)
    {
        const cJSON *status = cJSON_GetObjectItemCaseSensitive(e, "http_status");

        tr = htmldom_el(d, body, "tr", NULL);
        account_cell(w, tr, json_str(e, "account"));
        htmldom_el_text(d, tr, "td", NULL, json_str(e, "region") ? json_str(e, "region") : "all");
        htmldom_textf(d, htmldom_el(d, tr, "td", "mono"), "%s %s", or_empty(json_str(e, "service")),
                      or_empty(json_str(e, "operation")));
        htmldom_el_text(d, tr, "td", "mono nowrap", json_str(e, "code"));
        /* An HTTP status is 100-599; anything else in a hand-made snapshot is not cast (undefined beyond
         * size_t). */
        if (cJSON_IsNumber(status) && status->valuedouble >= 0 && status->valuedouble < 1000)
            htmldom_count(d, tr, (size_t)status->valuedouble);
        else
            htmldom_el(d, tr, "td", NULL);
        htmldom_text_max(d, htmldom_el(d, tr, "td", "wide"), json_str(e, "message"), HTMLDOM_TEXT_MAX);
    }
    if (!cJSON_GetArraySize(w->r->errors))
        htmldom_empty_row(d, body, 6, "None: every account and region was read.");
}

void html_section_footer(html_writer *w, xmlNodePtr page)
{
    htmldom *d = &w->dom;

    htmldom_textf(
        d, htmldom_el(d, page, "p", "footer"),
        "Generated by imgaudit %s. Self-contained: opening this file fetches nothing from the network.",
        IMGAUDIT_VERSION);
}
