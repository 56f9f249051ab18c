#ifndef IMGAUDIT_REPORT_HTMLDOM_H
#define IMGAUDIT_REPORT_HTMLDOM_H

/*
 * Building the HTML report's tree: elements, text and attributes, and the
 * report's few components (badges, sortable tables, sections) that
 * reports/report.css and reports/report.js know by their classes.
 *
 * Every string is cleaned (xmltext_clean) and cut to a bound before it goes
 * into the tree; libxml2's serializer escapes it. Functions that add to the
 * tree do nothing once something has failed, and do nothing for a NULL
 * parent, so a builder calls them one after another and checks
 * htmldom.failed once at the end. Nodes they return are borrowed from the
 * document (or, from htmldom_new, owned by the caller until attached).
 */

#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <stddef.h>

#include "util/buf.h"

/* Longest text put in one table cell or attribute, and in a paragraph; longer is cut with an ellipsis. */
#define HTMLDOM_CELL_MAX ((size_t)1024)
#define HTMLDOM_TEXT_MAX ((size_t)8 * 1024)

typedef struct htmldom {
    xmlDocPtr doc; /* owned; NULL until htmldom_root */
    buf clean;     /* xmltext_clean's scratch */
    buf text;      /* composes formatted text */
    int failed;    /* set by the first failure (out of memory, a write error) */
} htmldom;

/* Starts an empty builder; nothing to fail. Freed with htmldom_clean_up. */
void htmldom_init(htmldom *d);

/* Frees the document and the scratch buffers. Accepts NULL. */
void htmldom_clean_up(htmldom *d);

/* Creates the document (<!DOCTYPE html>) with a root element name. Returns the root, or NULL when out of
 * memory. */
xmlNodePtr htmldom_root(htmldom *d, const char *name);

/* A detached element with class cls (NULL: none). Owned by the caller (xmlFreeNode) until attached. */
xmlNodePtr htmldom_new(htmldom *d, const char *name, const char *cls);

/* An element with class cls (NULL: none) appended to parent. */
xmlNodePtr htmldom_el(htmldom *d, xmlNodePtr parent, const char *name, const char *cls);

/* htmldom_el with text (up to HTMLDOM_CELL_MAX; NULL or "": none) in it. */
xmlNodePtr htmldom_el_text(htmldom *d, xmlNodePtr parent, const char *name, const char *cls,
                           const char *text);

/* Sets attribute name to value (up to HTMLDOM_CELL_MAX; NULL: ""). */
void htmldom_attr(htmldom *d, xmlNodePtr n, const char *name, const char *value);

/* Appends text s (NULL or "": nothing), cut to max bytes (0: not cut). */
void htmldom_text_max(htmldom *d, xmlNodePtr n, const char *s, size_t max);

/* Appends text s, up to HTMLDOM_CELL_MAX. */
void htmldom_text(htmldom *d, xmlNodePtr n, const char *s);

/* Appends formatted text, up to HTMLDOM_TEXT_MAX. */
void htmldom_textf(htmldom *d, xmlNodePtr n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Formats into the builder's scratch. Borrowed: valid until the builder formats again; NULL on failure. */
const char *htmldom_format(htmldom *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A number cell (<td class="num">) appended to tr; "num zero" when n is 0, which the stylesheet greys. */
xmlNodePtr htmldom_count(htmldom *d, xmlNodePtr tr, size_t n);

/* <span class="badge KIND">text</span> appended to parent. */
xmlNodePtr htmldom_badge(htmldom *d, xmlNodePtr parent, const char *kind, const char *text);

/*
 * A sortable table (with id, NULL: none) in a scrolling wrapper, appended to
 * parent, with a header row: each of cols is "Label" or "Label|sort", where
 * sort is num (right-aligned numbers), rank (a number kept in the cell's
 * data-v, shown as a badge) or text. Returns its tbody.
 */
xmlNodePtr htmldom_table(htmldom *d, xmlNodePtr parent, const char *id, const char *const *cols,
                         size_t n_cols);

/* A row saying text across all n_cols columns, for a table with nothing to list. */
void htmldom_empty_row(htmldom *d, xmlNodePtr tbody, size_t n_cols, const char *text);

/* A page section: <div class="section EXTRA_CLS" id=ID><h2>title</h2>, appended to page. Returns the div. */
xmlNodePtr htmldom_section(htmldom *d, xmlNodePtr page, const char *id, const char *title,
                           const char *extra_cls);

/* Appends the comment <!--mark--> to parent: a place that the serialized page fills in later. */
void htmldom_mark(htmldom *d, xmlNodePtr parent, const char *mark);

/* Serializes the detached node n (NULL: nothing) into ob followed by a newline, and frees it. */
void htmldom_emit(htmldom *d, xmlOutputBufferPtr ob, xmlNodePtr n);

#endif
