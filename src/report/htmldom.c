#include "report/htmldom.h"

#include <libxml/HTMLtree.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report/xmltext.h"

#define X(s) ((const xmlChar *)(s))

void htmldom_init(htmldom *d)
{
    memset(d, 0, sizeof(*d));
    buf_init(&d->clean, 0);
    buf_init(&d->text, 0);
}

void htmldom_clean_up(htmldom *d)
{
    if (!d)
        return;
    xmlFreeDoc(d->doc);
    d->doc = NULL;
    buf_free(&d->clean);
    buf_free(&d->text);
}

xmlNodePtr htmldom_root(htmldom *d, const char *name)
{
    xmlNodePtr root;

    d->doc = htmlNewDocNoDtD(NULL, NULL);
    if (!d->doc || !xmlCreateIntSubset(d->doc, X(name), NULL, NULL)) {
        d->failed = 1;
        return NULL;
    }
    root = htmldom_new(d, name, NULL);
    if (root)
        xmlDocSetRootElement(d->doc, root);
    return root;
}

xmlNodePtr htmldom_new(htmldom *d, const char *name, const char *cls)
{
    xmlNodePtr n;

    if (d->failed)
        return NULL;
    n = xmlNewDocNode(d->doc, NULL, X(name), NULL);
    if (!n) {
        d->failed = 1;
        return NULL;
    }
    /* xmlNewProp takes the value literally (unlike xmlNewDocProp, which reads entities). */
    if (cls && !xmlNewProp(n, X("class"), X(cls))) {
        xmlFreeNode(n);
        d->failed = 1;
        return NULL;
    }
    return n;
}

xmlNodePtr htmldom_el(htmldom *d, xmlNodePtr parent, const char *name, const char *cls)
{
    xmlNodePtr n;

    if (!parent)
        return NULL;
    n = htmldom_new(d, name, cls);
    if (n && !xmlAddChild(parent, n)) {
        xmlFreeNode(n);
        d->failed = 1;
        return NULL;
    }
    return n;
}

void htmldom_attr(htmldom *d, xmlNodePtr n, const char *name, const char *value)
{
    const char *v;

    if (!n || d->failed)
        return;
    v = xmltext_clean(&d->clean, value ? value : "", HTMLDOM_CELL_MAX);
    if (!v || !xmlNewProp(n, X(name), X(v)))
        d->failed = 1;
}

void htmldom_text_max(htmldom *d, xmlNodePtr n, const char *s, size_t max)
{
    const char *v;
    xmlNodePtr t;

    if (!n || d->failed || !s || !*s)
        return;
    v = xmltext_clean(&d->clean, s, max);
    t = v ? xmlNewDocText(d->doc, X(v)) : NULL;
    /* xmlAddChild may merge t into a text node before it and free it; t is not used after. */
    if (!t || !xmlAddChild(n, t)) {
        xmlFreeNode(t);
        d->failed = 1;
    }
}

void htmldom_text(htmldom *d, xmlNodePtr n, const char *s)
{
    htmldom_text_max(d, n, s, HTMLDOM_CELL_MAX);
}

static const char *vformat(htmldom *d, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static const char *vformat(htmldom *d, const char *fmt, va_list ap)
{
    buf_reset(&d->text);
    if (buf_vprintf(&d->text, fmt, ap) != 0) {
        d->failed = 1;
        return NULL;
    }
    return buf_str(&d->text);
}

const char *htmldom_format(htmldom *d, const char *fmt, ...)
{
    va_list ap;
    const char *s;

    va_start(ap, fmt);
    s = vformat(d, fmt, ap);
    va_end(ap);
    return s;
}

void htmldom_textf(htmldom *d, xmlNodePtr n, const char *fmt, ...)
{
    va_list ap;
    const char *s;

    if (!n || d->failed)
        return;
    va_start(ap, fmt);
    s = vformat(d, fmt, ap);
    va_end(ap);
    htmldom_text_max(d, n, s, HTMLDOM_TEXT_MAX);
}

xmlNodePtr htmldom_el_text(htmldom *d, xmlNodePtr parent, const char *name, const char *cls, const char *text)
{
    xmlNodePtr n = htmldom_el(d, parent, name, cls);

    htmldom_text(d, n, text);
    return n;
}

xmlNodePtr htmldom_count(htmldom *d, xmlNodePtr tr, size_t n)
{
    xmlNodePtr td = htmldom_el(d, tr, "td", n ? "num" : "num zero");

    htmldom_textf(d, td, "%zu", n);
    return td;
}

xmlNodePtr htmldom_badge(htmldom *d, xmlNodePtr parent, const char *kind, const char *text)
{
    char cls[64];

    snprintf(cls, sizeof(cls), "badge %s", kind);
    return htmldom_el_text(d, parent, "span", cls, text);
}

xmlNodePtr htmldom_table(htmldom *d, xmlNodePtr parent, const char *id, const char *const *cols,
                         size_t n_cols)
{
    xmlNodePtr wrap = htmldom_el(d, parent, "div", "table-wrap");
    xmlNodePtr tbl = htmldom_el(d, wrap, "table", "sortable");
    xmlNodePtr tr = htmldom_el(d, htmldom_el(d, tbl, "thead", NULL), "tr", NULL);

    if (id)
        htmldom_attr(d, tbl, "id", id);
    for (size_t i = 0; i < n_cols; i++) {
        const char *bar = strchr(cols[i], '|');
        size_t len = bar ? (size_t)(bar - cols[i]) : strlen(cols[i]);
        char label[64];
        xmlNodePtr th;

        snprintf(label, sizeof(label), "%.*s", (int)len, cols[i]);
        th = htmldom_el_text(d, tr, "th", bar && strcmp(bar + 1, "num") == 0 ? "num" : NULL, label);
        if (bar)
            htmldom_attr(d, th, "data-sort", strcmp(bar + 1, "rank") == 0 ? "num" : bar + 1);
    }
    return htmldom_el(d, tbl, "tbody", NULL);
}

void htmldom_empty_row(htmldom *d, xmlNodePtr tbody, size_t n_cols, const char *text)
{
    xmlNodePtr td = htmldom_el_text(d, htmldom_el(d, tbody, "tr", "empty"), "td", NULL, text);
    char span[16];

    snprintf(span, sizeof(span), "%zu", n_cols);
    htmldom_attr(d, td, "colspan", span);
}

xmlNodePtr htmldom_section(htmldom *d, xmlNodePtr page, const char *id, const char *title,
                           const char *extra_cls)
{
    char cls[64];
    xmlNodePtr div;

    snprintf(cls, sizeof(cls), "section%s%s", extra_cls ? " " : "", extra_cls ? extra_cls : "");
    div = htmldom_el(d, page, "div", cls);
    htmldom_attr(d, div, "id", id);
    htmldom_el_text(d, div, "h2", NULL, title);
    return div;
}

void htmldom_mark(htmldom *d, xmlNodePtr parent, const char *mark)
{
    xmlNodePtr c;

    if (d->failed || !parent)
        return;
    c = xmlNewDocComment(d->doc, X(mark));
    if (!c || !xmlAddChild(parent, c)) {
        xmlFreeNode(c);
        d->failed = 1;
    }
}

void htmldom_emit(htmldom *d, xmlOutputBufferPtr ob, xmlNodePtr n)
{
    if (!n)
        return;
    htmlNodeDumpFormatOutput(ob, d->doc, n, "UTF-8", 0);
    xmlFreeNode(n);
    if (xmlOutputBufferWrite(ob, 1, "\n") < 0 || ob->error)
        d->failed = 1;
}
