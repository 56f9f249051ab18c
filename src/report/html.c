#include "report/html.h"

#include <libxml/HTMLtree.h>
#include <string.h>

#include "report/assets.h"
#include "report/html_data.h"
#include "report/html_sections.h"
#include "report/xmltext.h"

/* The page, in reading order. */
static int build_page(html_writer *w, const char *title, ia_err *err)
{
    htmldom *d = &w->dom;
    xmlNodePtr html, body, page;
    size_t js_len = 0;
    const char *js = assets_get("report.js", &js_len);

    html = htmldom_root(d, "html");
    if (!html)
        return err_set(err, IA_ERR_NOMEM, "out of memory writing the HTML report");
    htmldom_attr(d, html, "lang", "en");
    if (html_section_head(w, html, title, err) != 0)
        return -1;
    body = htmldom_el(d, html, "body", NULL);
    /* The script sets "ok" when it has run. Without it the page still shows the summary, the rules and
     * the accounts, but not the tables drawn from data (the findings, a large fleet's sharing), whose
     * placeholder rows say they need JavaScript. */
    htmldom_attr(d, body, "data-js", "off");
    page = htmldom_el(d, body, "div", "page");
    html_section_masthead(w, page, title);
    html_section_nav(w, page);
    html_section_changes(w, page);
    html_section_summary(w, page);
    html_section_coverage(w, page);
    html_section_findings(w, page);
    /* The script right after the findings: it draws them before the browser reads the rest of the page. */
    if (js)
        htmldom_text_max(d, htmldom_el(d, page, "script", NULL), js, 0);
    html_section_accounts(w, page);
    html_section_sharing(w, page);
    html_section_rules(w, page);
    html_section_waivers(w, page);
    html_section_errors(w, page);
    html_section_footer(w, page);
    if (d->failed)
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

/* Writes the serialized page with the streamed parts in place of their marks. */
static int write_page(html_writer *w, const char *page, size_t len, xmlOutputBufferPtr ob, ia_err *err)
{
    static const struct {
        const char *mark;
        void (*write)(html_writer *, xmlOutputBufferPtr);
    } streamed[] = {
        {HTML_MARK_COVERAGE, html_rows_coverage},       {HTML_MARK_ACCOUNT_OPTIONS, html_options_accounts},
        {HTML_MARK_FINDINGS, html_data_findings},       {HTML_MARK_ACCOUNTS, html_rows_accounts},
        {HTML_MARK_OWNER_OPTIONS, html_options_owners}, {HTML_MARK_TARGET_OPTIONS, html_options_targets},
        {HTML_MARK_SHARING, html_rows_sharing}};
    const char *at = page, *end = page + len;

    for (size_t m = 0; m < sizeof(streamed) / sizeof(streamed[0]); m++) {
        size_t mark_len;
        const char *hit = find_mark(at, (size_t)(end - at), streamed[m].mark, &mark_len);

        if (!hit || find_mark(hit + mark_len, (size_t)(end - hit) - mark_len, streamed[m].mark, &mark_len))
            return err_set(err, IA_ERR_INTERNAL, "the HTML page does not have one place for its %s",
                           streamed[m].mark);
        if (xmlOutputBufferWrite(ob, (int)(hit - at), at) < 0)
            w->dom.failed = 1;
        streamed[m].write(w, ob);
        at = hit + mark_len;
    }
    if (!w->dom.failed && xmlOutputBufferWrite(ob, (int)(end - at), at) < 0)
        w->dom.failed = 1;
    return 0;
}

int html_write(const results *r, const html_options *opt, FILE *out, ia_err *err)
{
    static const html_options defaults = {NULL, {0, SEV_HIGH, 0}, NULL, NULL};
    xmlOutputBufferPtr mem = NULL, ob = NULL;
    xmltext_errors xerr;
    html_writer w;
    int rc = -1;

    memset(&w, 0, sizeof(w));
    htmldom_init(&w.dom);
    w.r = r;
    w.opt = opt ? opt : &defaults;
    xmltext_errors_begin(&xerr);
    w.t = w.opt->tally;
    if (!w.t) {
        if (tally_compute(r, &w.own_t, err) != 0)
            goto out;
        w.t = &w.own_t;
    }
    w.shares = w.opt->sharing;
    if (!w.shares) {
        if (sharing_compute(r, w.t, &w.own_shares, err) != 0)
            goto out;
        w.shares = &w.own_shares;
    }
    w.n_findings = w.t->status[RESULT_FAIL] + w.t->status[RESULT_WAIVED];
    if (build_page(&w, w.opt->title ? w.opt->title : "Image audit report", err) != 0)
        goto out;
    mem = xmlAllocOutputBuffer(NULL);
    if (!mem) {
        err_set(err, IA_ERR_NOMEM, "out of memory writing the HTML report");
        goto out;
    }
    htmlDocContentDumpFormatOutput(mem, w.dom.doc, "UTF-8", 1);
    if (mem->error || xmlOutputBufferGetContent(mem) == NULL) {
        err_set(err, IA_ERR_NOMEM, "cannot serialize the HTML report%s%s", xerr.msg[0] ? ": " : "", xerr.msg);
        goto out;
    }
    ob = xmlOutputBufferCreateFile(out, NULL);
    if (!ob) {
        err_set(err, IA_ERR_NOMEM, "out of memory writing the HTML report");
        goto out;
    }
    if (write_page(&w, (const char *)xmlOutputBufferGetContent(mem), xmlOutputBufferGetSize(mem), ob, err) !=
        0)
        goto out;
    if (w.dom.failed || xmlOutputBufferFlush(ob) < 0 || ob->error || fflush(out) != 0 || ferror(out)) {
        err_set(err, IA_ERR_IO, "cannot write the HTML report%s%s", xerr.msg[0] ? ": " : "", xerr.msg);
        goto out;
    }
    rc = 0;
out:
    if (ob)
        xmlOutputBufferClose(ob); /* flushes out, leaves it open */
    if (mem)
        xmlOutputBufferClose(mem);
    htmldom_clean_up(&w.dom);
    xmltext_errors_end(&xerr);
    sharing_free(&w.own_shares);
    tally_free(&w.own_t);
    return rc;
}
