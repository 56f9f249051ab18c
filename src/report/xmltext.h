#ifndef IMGAUDIT_REPORT_XMLTEXT_H
#define IMGAUDIT_REPORT_XMLTEXT_H

/*
 * Making hostile strings safe to hand to a serializer. Image names and
 * descriptions are set by whoever owns an image, including accounts that share
 * into the audited ones, so every string from AWS may hold control characters
 * or bytes that are not UTF-8. XML 1.0 forbids most control characters even as
 * character references, and invalid UTF-8 makes a document not well-formed.
 * This module makes the characters legal. Escaping is the serializer's job:
 * libxml2's for the HTML report; for the JUnit report, which writes its markup
 * itself for speed (report/junit.c says why), the escapers below, which
 * escape as libxml2 does. (Text for a terminal is util/termtext.h's.)
 */

#include <libxml/xmlerror.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/wbuf.h"

/*
 * Cleans s for XML 1.0 / HTML text and attributes: drops C0
 * controls other than TAB, LF and CR, DEL and C1 controls (U+0080..U+009F),
 * drops U+FFFE and U+FFFF, and replaces each invalid UTF-8 sequence (stray
 * continuation bytes, overlong forms, surrogates, code points past U+10FFFF,
 * truncated sequences) with U+FFFD. When max_bytes is non-zero and the result
 * would be longer, it is cut on a character boundary and ends with "..." (U+2026).
 *
 * Returns s itself when nothing needed changing (no copy is made), otherwise
 * the contents of scratch. Either way the result is borrowed: valid while s
 * lives and until scratch is next used. A NULL s gives "". Returns NULL only
 * when scratch cannot grow (out of memory or its ceiling).
 */
const char *xmltext_clean(buf *scratch, const char *s, size_t max_bytes);

/*
 * Writes s cleaned (as xmltext_clean, cut at max_bytes when non-zero) and
 * escaped for an attribute value in double quotes (xmltext_put_attr) or for
 * element content (xmltext_put_text), exactly as libxml2's xmlTextWriter
 * escapes for a UTF-8 document: &amp; &lt; &gt; &quot; and &#13; in both,
 * &#9; and &#10; in attributes; other characters as they are. scratch is
 * used only when s needs cleaning. A NULL s writes nothing. Returns 0, or -1
 * when scratch cannot grow; write errors stay in w.
 */
int xmltext_put_attr(wbuf *w, buf *scratch, const char *s, size_t max_bytes);
int xmltext_put_text(wbuf *w, buf *scratch, const char *s, size_t max_bytes);

/* True when s is already clean in the sense above (and not longer than max_bytes when it is non-zero). */
int xmltext_is_clean(const char *s, size_t max_bytes);

/*
 * libxml2 reports problems through a per-thread handler that prints to
 * stderr. The writers translate them once, at the boundary, instead: between
 * xmltext_errors_begin and xmltext_errors_end nothing is printed, and the
 * first message libxml2 raised on this thread is kept in msg (empty if none),
 * for the writer's ia_err. The handler in place before is put back at the end.
 */
typedef struct xmltext_errors {
    char msg[256];
    xmlStructuredErrorFunc prev;
    void *prev_ctx;
} xmltext_errors;

void xmltext_errors_begin(xmltext_errors *cap);
void xmltext_errors_end(xmltext_errors *cap);

#endif
