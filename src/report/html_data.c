#define _GNU_SOURCE /* memmem: long messages are searched knowing their length */

#include "report/html_data.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/finding.h"
#include "report/xmltext.h"
#include "util/str.h"
#include "util/strtab.h"

/* ---- a buffered JSON writer into the page ---- */

/* Bytes gathered before each write to the output buffer: one call per block, not per value. */
#define OUT_BLOCK 65536

/* The strings a message may repeat, by their mark (U+0001 + index): its resource's id, name, account, region.
 */
#define N_MARKS 4

typedef struct jw {
    xmlOutputBufferPtr ob;   /* borrowed */
    buf clean;               /* xmltext_clean's scratch */
    buf clean_what[N_MARKS]; /* and for what a message repeats (jw_message) */
    size_t n;
    int *failed; /* the writer's failure flag, borrowed */
    char out[OUT_BLOCK];
} jw;

static void jw_flush(jw *j)
{
    if (j->n && !*j->failed && xmlOutputBufferWrite(j->ob, (int)j->n, j->out) < 0)
        *j->failed = 1;
    j->n = 0;
}

/* A writer into ob that records failures in *failed; NULL (and *failed set) when out of memory. Freed, after
 * its last bytes are written, by jw_close. */
static jw *jw_open(xmlOutputBufferPtr ob, int *failed)
{
    jw *j = malloc(sizeof(*j));

    if (!j) {
        *failed = 1;
        return NULL;
    }
    j->ob = ob;
    j->n = 0;
    j->failed = failed;
    buf_init(&j->clean, 0);
    for (int k = 0; k < N_MARKS; k++)
        buf_init(&j->clean_what[k], 0);
    return j;
}

static void jw_close(jw *j)
{
    if (!j)
        return;
    jw_flush(j);
    buf_free(&j->clean);
    for (int k = 0; k < N_MARKS; k++)
        buf_free(&j->clean_what[k]);
    free(j);
}

static inline void jw_raw(jw *j, const char *s, size_t len)
{
    /* Most writes are a few bytes that fit: one copy, no loop. */
    if (len < OUT_BLOCK - j->n) {
        memcpy(j->out + j->n, s, len);
        j->n += len;
        return;
    }
    while (len) {
        size_t room = OUT_BLOCK - j->n, take = len < room ? len : room;

        memcpy(j->out + j->n, s, take);
        j->n += take;
        s += take;
        len -= take;
        if (j->n == OUT_BLOCK)
            jw_flush(j);
    }
}

static void jw_puts(jw *j, const char *s)
{
    jw_raw(j, s, strlen(s));
}

/* In decimal, by hand: snprintf took a tenth of the page's time, for its format parsing. */
static void jw_long(jw *j, long v)
{
    char num[24];
    size_t n = 0;
    unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;

    do {
        num[sizeof(num) - ++n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        num[sizeof(num) - ++n] = '-';
    jw_raw(j, num + sizeof(num) - n, n);
}

/*
 * What a byte from 0x20 up becomes inside a JSON string in a <script>
 * element (bytes below 0x20 are \u escapes): 0 for itself, 'u' for a \u
 * escape, 'x' for a byte that may start U+2028 or U+2029, or the letter of
 * a two-character escape. "<" is escaped so that no string can end the
 * element ("</script") or open a comment; ">" and "&" so that the text reads
 * the same to any HTML tool.
 */
static const unsigned char escape_of[256] = {
    ['"'] = '"', ['\\'] = '\\', ['<'] = 'u', ['>'] = 'u', ['&'] = 'u', [0x7f] = 'u', [0xe2] = 'x',
};

/* The escape of a control character: its letter where JSON has one, else 'u'. */
static unsigned char short_escape(unsigned char c)
{
    switch (c) {
    case '\b': return 'b';
    case '\f': return 'f';
    case '\n': return 'n';
    case '\r': return 'r';
    case '\t': return 't';
    default: return 'u';
    }
}

/* Writes the len bytes at s (cleaned, whole characters) escaped for a JSON string, without quotes. */
static void jw_escaped(jw *j, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p, *run, *end = (const unsigned char *)s + len;

    for (p = run = (const unsigned char *)s; p < end; p++) {
        unsigned char e;
        char esc[6];

        p += str_plain_run(p, (size_t)(end - p), '"', '\\', '<', '>', '&');
        if (p == end)
            break;
        e = *p < 0x20 ? short_escape(*p) : escape_of[*p];
        if (!e || (e == 'x' && !(p + 2 < end && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))))
            continue;
        jw_raw(j, (const char *)run, (size_t)(p - run));
        if (e == 'x') {
            jw_raw(j, p[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
            p += 2;
        } else if (e == 'u') {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 15];
            jw_raw(j, esc, 6);
        } else {
            esc[0] = '\\';
            esc[1] = (char)e;
            jw_raw(j, esc, 2);
        }
        run = p + 1;
    }
    jw_raw(j, (const char *)run, (size_t)(p - run));
}

/*
 * Writes s (NULL: "") as a JSON string, cleaned as every string of the page
 * is (xmltext_clean: no control characters, valid UTF-8) and cut to max
 * bytes. U+2028 and U+2029 are escaped too: older JavaScript read them as
 * line ends inside strings.
 */
static void jw_str(jw *j, const char *s, size_t max)
{
    s = xmltext_clean(&j->clean, s, max);
    if (!s) {
        *j->failed = 1;
        return;
    }
    jw_raw(j, "\"", 1);
    jw_escaped(j, s, strlen(s));
    jw_raw(j, "\"", 1);
}

/* Above this many steps (haystack bytes times needle bytes), find uses memmem, whose time does not grow so.
 */
#define FIND_NAIVE_MAX ((size_t)16 * 1024)

/*
 * The first needle[0..n) in hay[0..len), or NULL. A message is a line and the
 * needle a resource's id or region: memchr for the first byte and a memcmp
 * there is faster on such short strings than memmem, which sets up a table
 * of 256 shifts on every call. Long pairs go to memmem so that a hostile
 * snapshot cannot make the search quadratic.
 */
static const char *find(const char *hay, size_t len, const char *needle, size_t n)
{
    const char *p = hay, *last;

    if (n > len)
        return NULL;
    if (len * n > FIND_NAIVE_MAX)
        return memmem(hay, len, needle, n);
    last = hay + (len - n);
    while (p <= last && (p = memchr(p, needle[0], (size_t)(last - p) + 1)) != NULL) {
        if (memcmp(p, needle, n) == 0)
            return p;
        p++;
    }
    return NULL;
}

/*
 * Writes a finding's message as jw_str does, with each place that repeats
 * one of what[] (its resource's id, name, account and region; each cleaned
 * and cut as the resources table holds it) as the mark U+0001 + its index:
 * most messages name them, and the tables hold them once. A cleaned string
 * has no control character, so the marks are unambiguous; report.js puts
 * the strings back. Strings shorter than 4 bytes are left as they are.
 */
static void jw_message(jw *j, const char *msg, const char *const what[N_MARKS])
{
    static const char *const marks[N_MARKS] = {"\\u0001", "\\u0002", "\\u0003", "\\u0004"};
    const char *m = xmltext_clean(&j->clean, msg, HTMLDOM_TEXT_MAX), *subst[N_MARKS], *at[N_MARKS], *end;
    size_t len[N_MARKS];

    for (int k = 0; k < N_MARKS; k++) {
        subst[k] = xmltext_clean(&j->clean_what[k], what[k], HTMLDOM_CELL_MAX);
        if (!subst[k]) {
            *j->failed = 1;
            return;
        }
        len[k] = strlen(subst[k]);
    }
    if (!m) {
        *j->failed = 1;
        return;
    }
    end = m + strlen(m);
    /* Where each string occurs next: looked for again only once the message has been written past it. */
    for (int k = 0; k < N_MARKS; k++)
        at[k] = len[k] >= 4 ? find(m, (size_t)(end - m), subst[k], len[k]) : NULL;
    jw_raw(j, "\"", 1);
    while (m < end) {
        const char *first = NULL;
        int best = -1;

        for (int k = 0; k < N_MARKS; k++) {
            if (at[k] && at[k] < m)
                at[k] = find(m, (size_t)(end - m), subst[k], len[k]);
            if (at[k] && (!first || at[k] < first || (at[k] == first && len[k] > len[best]))) {
                first = at[k];
                best = k;
            }
        }
        if (!first) {
            jw_escaped(j, m, (size_t)(end - m));
            break;
        }
        jw_escaped(j, m, (size_t)(first - m));
        jw_raw(j, marks[best], 6);
        m = first + len[best];
    }
    jw_raw(j, "\"", 1);
}

/* ---- strings that repeat, stored once ---- */

static void jw_strtab(jw *j, const char *key, const strtab *t)
{
    jw_puts(j, ",\n\"");
    jw_puts(j, key);
    jw_puts(j, "\":[");
    for (size_t i = 0; i < t->n; i++) {
        if (i)
            jw_raw(j, ",", 1);
        jw_str(j, t->strs[i], HTMLDOM_CELL_MAX);
    }
    jw_raw(j, "]", 1);
}

/*
 * Rows go into parts of PART_ROWS rows, each its own element "ID-K": a
 * browser holds one element's text as one string, and JavaScript strings
 * stop near 512 MiB, which 2 million findings in one element would pass.
 */
#define PART_ROWS 50000

/* Starts row k of the rows of id: opens part k / PART_ROWS at its first row. */
static void jw_row(jw *j, const char *id, size_t k)
{
    if (k % PART_ROWS) {
        jw_raw(j, ",[", 2);
        return;
    }
    if (k)
        jw_puts(j, "]</script>\n");
    jw_puts(j, "<script type=\"application/json\" id=\"");
    jw_puts(j, id);
    jw_raw(j, "-", 1);
    jw_long(j, (long)(k / PART_ROWS));
    jw_puts(j, "\">[[");
}

/* Ends n rows of id: closes the last part; then opens the element id, the lookup tables, with its first
 * key, the number of parts. */
static void jw_rows_end(jw *j, const char *id, size_t n)
{
    if (n)
        jw_puts(j, "]</script>\n");
    jw_puts(j, "<script type=\"application/json\" id=\"");
    jw_puts(j, id);
    jw_puts(j, "\">{\"version\":1,\"parts\":");
    jw_long(j, (long)((n + PART_ROWS - 1) / PART_ROWS));
}

/* ---- the findings ---- */

/*
 * The resources that have findings, in first-seen order: a resource with
 * several findings is written once. slot[resource] is its index + 1 in the
 * table (0: not yet in it).
 */
typedef struct restab {
    uint32_t *slot;  /* owned; n_resources entries */
    uint32_t *order; /* owned; the resources in table order */
    size_t n;
} restab;

/* One finding: [rule, status, resource, message, change, first seen, waiver], as html_data.h says. */
static void finding_row(jw *j, const html_writer *w, const result *it, restab *rt, size_t k)
{
    const waiver_info *wv = finding_waiver(w->r, it);
    const snap_resource *res = &w->r->resources[it->resource];
    const char *const what[N_MARKS] = {res->id, res->name, res->account, res->region};
    long change = it->status == RESULT_FAIL ? (long)it->change : 0;
    const char *first_seen = w->r->has_baseline && it->first_seen && *it->first_seen ? it->first_seen : NULL;

    if (!rt->slot[it->resource]) {
        rt->order[rt->n++] = it->resource;
        rt->slot[it->resource] = (uint32_t)rt->n;
    }
    jw_row(j, HTML_FINDINGS_DATA_ID, k);
    jw_long(j, (long)it->rule);
    jw_puts(j, it->status == RESULT_FAIL ? ",0," : ",1,");
    jw_long(j, (long)rt->slot[it->resource] - 1);
    jw_raw(j, ",", 1);
    jw_message(j, it->message, what);
    /* The last three only where one is not its default (0, "", -1): most findings have none. */
    if (change || first_seen || wv) {
        jw_raw(j, ",", 1);
        jw_long(j, change);
        jw_raw(j, ",", 1);
        jw_str(j, first_seen, HTMLDOM_CELL_MAX);
        jw_raw(j, ",", 1);
        jw_long(j, wv ? (long)(wv - w->r->waivers) : -1);
    }
    jw_raw(j, "]", 1);
}

/* The resources table: [id, name, type, account, region], the last three indices into their tables. */
static void resources(jw *j, const html_writer *w, const restab *rt, strtab *regions, strtab *types)
{
    jw_puts(j, ",\n\"resources\":[");
    for (size_t i = 0; i < rt->n && !*j->failed; i++) {
        const snap_resource *res = &w->r->resources[rt->order[i]];
        long region = strtab_index(regions, res->region), type = strtab_index(types, res->type);

        if (region < 0 || type < 0) {
            *j->failed = 1;
            return;
        }
        jw_puts(j, i ? ",[" : "[");
        jw_str(j, res->id, HTMLDOM_CELL_MAX);
        jw_raw(j, ",", 1);
        jw_str(j, res->name, HTMLDOM_CELL_MAX);
        jw_raw(j, ",", 1);
        jw_long(j, type);
        jw_raw(j, ",", 1);
        jw_long(j, res->account ? (long)w->t->resource_account[rt->order[i]] : -1);
        jw_raw(j, ",", 1);
        jw_long(j, region);
        jw_raw(j, "]", 1);
    }
}

/* The lookup tables the resources and findings point into. */
static void lookup_tables(jw *j, const html_writer *w, const strtab *regions, const strtab *types)
{
    const results *r = w->r;

    jw_puts(j, "],\n\"rules\":[");
    for (size_t i = 0; i < r->n_rules; i++) {
        jw_puts(j, i ? ",[" : "[");
        jw_str(j, r->rules[i].id, HTMLDOM_CELL_MAX);
        jw_raw(j, ",", 1);
        jw_str(j, severity_name(r->rules[i].sev), 0);
        jw_raw(j, "]", 1);
    }
    jw_puts(j, "],\n\"accounts\":[");
    for (size_t a = 0; a < w->t->n_accounts; a++) {
        jw_puts(j, a ? ",[" : "[");
        jw_str(j, w->t->accounts[a].id, HTMLDOM_CELL_MAX);
        jw_raw(j, ",", 1);
        jw_str(j, w->t->accounts[a].name, HTMLDOM_CELL_MAX);
        jw_raw(j, "]", 1);
    }
    jw_raw(j, "]", 1);
    jw_strtab(j, "regions", regions);
    jw_strtab(j, "types", types);
    jw_puts(j, ",\n\"waivers\":[");
    for (size_t i = 0; i < r->n_waivers; i++) {
        const waiver_info *wv = &r->waivers[i];

        jw_puts(j, i ? ",[" : "[");
        jw_str(j, wv->reason, HTMLDOM_TEXT_MAX);
        jw_raw(j, ",", 1);
        jw_str(j, wv->owner, HTMLDOM_CELL_MAX);
        jw_raw(j, ",", 1);
        jw_str(j, wv->expires, HTMLDOM_CELL_MAX);
        jw_raw(j, "]", 1);
    }
    jw_puts(j, "]}");
}

void html_data_findings(html_writer *w, xmlOutputBufferPtr ob)
{
    const results *r = w->r;
    strtab regions, types;
    restab rt;
    jw *j = jw_open(ob, &w->dom.failed);
    size_t n_rows = 0;

    memset(&regions, 0, sizeof(regions));
    memset(&types, 0, sizeof(types));
    rt.n = 0;
    rt.slot = calloc(r->n_resources ? r->n_resources : 1, sizeof(*rt.slot));
    rt.order = malloc((r->n_resources ? r->n_resources : 1) * sizeof(*rt.order));
    if (!j || !rt.slot || !rt.order) {
        w->dom.failed = 1;
        goto out;
    }
    /* Most severe rules first; inside a severity, rule order; inside a rule, snapshot order. */
    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--) {
        for (size_t i = 0; i < r->n_rules && !w->dom.failed; i++) {
            const size_t *st = &w->t->rule_status[i * TALLY_N_STATUS];
            size_t start = w->t->rule_first[i], n = st[RESULT_PASS] + st[RESULT_FAIL] + st[RESULT_WAIVED];

            if ((int)r->rules[i].sev != s && !(s == SEV_INFO && (unsigned)r->rules[i].sev > SEV_CRITICAL))
                continue;
            for (size_t k = start; k < start + n && !w->dom.failed; k++) {
                if (r->items[k].status == RESULT_PASS)
                    continue;
                finding_row(j, w, &r->items[k], &rt, n_rows++);
            }
        }
    }
    jw_rows_end(j, HTML_FINDINGS_DATA_ID, n_rows);
    jw_puts(j, r->has_baseline ? ",\"baseline\":true" : ",\"baseline\":false");
    resources(j, w, &rt, &regions, &types);
    lookup_tables(j, w, &regions, &types);
    jw_puts(j, "</script>\n");
out:
    jw_close(j);
    free(rt.slot);
    free(rt.order);
    strtab_free(&regions);
    strtab_free(&types);
}

/* ---- the shares ---- */

/* Bits of a party: what the run knows of one side of a share (sharing_party). */
#define PARTY_NOT_AUDITED 1
#define PARTY_OUTSIDE     2
#define PARTY_TRUST_KNOWN 4
#define PARTY_TRUSTED     8

/* Bits of a share: the words of the sharing table's badge filter. */
#define SHARE_BYOL        1
#define SHARE_OUTSIDE     2
#define SHARE_UNTRUSTED   4
#define SHARE_TRUSTED     8
#define SHARE_NOT_AUDITED 16

/* The parties of the shares, each account once (what is known of an account is the same on every
 * share): accounts[i] names party[i]. */
typedef struct partytab {
    strtab accounts;
    const sharing_party **party; /* owned array of borrowed pointers, accounts.cap entries */
    size_t cap;
} partytab;

static long party_index(partytab *pt, const sharing_party *p)
{
    size_t before = pt->accounts.n;
    long idx = strtab_index(&pt->accounts, p->account);

    if (idx < 0)
        return -1;
    if (pt->accounts.n > before) {
        if (pt->cap < pt->accounts.cap) {
            const sharing_party **grown = realloc(pt->party, pt->accounts.cap * sizeof(*grown));

            if (!grown)
                return -1;
            pt->party = grown;
            pt->cap = pt->accounts.cap;
        }
        pt->party[idx] = p;
    }
    return idx;
}

/* What a share lets the receiving account do: 0 unseen, 1 launch and copy, 2 + fleets + 2 x builders. */
static long use_code(const sharing_edge *e)
{
    switch (e->grant) {
    case SHARING_GRANT_UNSEEN: return 0;
    case SHARING_GRANT_LAUNCH_COPY: return 1;
    case SHARING_GRANT_OPTIONS: break;
    }
    return 2 + (e->allow_fleet ? 1 : 0) + (e->allow_image_builder ? 2 : 0);
}

static long share_bits(const sharing *sh, const sharing_edge *e)
{
    bool trusted = e->owner.trusted == SHARING_YES && e->target.trusted == SHARING_YES;

    return (e->byol ? SHARE_BYOL : 0) | (e->outside_org ? SHARE_OUTSIDE : 0) |
           (e->untrusted ? SHARE_UNTRUSTED : 0) | (sh->trust_known && trusted ? SHARE_TRUSTED : 0) |
           (e->not_audited ? SHARE_NOT_AUDITED : 0);
}

static long party_bits(const sharing_party *p)
{
    return (p->audited ? 0 : PARTY_NOT_AUDITED) | (p->in_org == SHARING_NO ? PARTY_OUTSIDE : 0) |
           (p->trusted != SHARING_UNKNOWN ? PARTY_TRUST_KNOWN : 0) |
           (p->trusted == SHARING_YES ? PARTY_TRUSTED : 0);
}

/* One share: [resource id, name, type, region, owner, target, use, seen from, bits]. */
static void share_row(jw *j, const sharing *sh, const sharing_edge *e, partytab *pt, strtab *regions,
                      strtab *types, size_t k)
{
    long owner = party_index(pt, &e->owner), target = party_index(pt, &e->target);
    long region = strtab_index(regions, e->res->region), type = strtab_index(types, e->res->type);

    if (owner < 0 || target < 0 || region < 0 || type < 0) {
        *j->failed = 1;
        return;
    }
    jw_row(j, HTML_SHARING_DATA_ID, k);
    jw_str(j, e->res->id, HTMLDOM_CELL_MAX);
    jw_raw(j, ",", 1);
    jw_str(j, e->res->name, HTMLDOM_CELL_MAX);
    jw_raw(j, ",", 1);
    jw_long(j, type);
    jw_raw(j, ",", 1);
    jw_long(j, region);
    jw_raw(j, ",", 1);
    jw_long(j, owner);
    jw_raw(j, ",", 1);
    jw_long(j, target);
    jw_raw(j, ",", 1);
    jw_long(j, use_code(e));
    jw_raw(j, ",", 1);
    jw_long(j, (long)(e->seen_from & 3u));
    jw_raw(j, ",", 1);
    jw_long(j, share_bits(sh, e));
    jw_raw(j, "]", 1);
}

void html_data_sharing(html_writer *w, xmlOutputBufferPtr ob)
{
    const sharing *sh = w->shares;
    strtab regions, types;
    partytab pt;
    jw *j = jw_open(ob, &w->dom.failed);

    if (!j)
        return;
    memset(&regions, 0, sizeof(regions));
    memset(&types, 0, sizeof(types));
    memset(&pt, 0, sizeof(pt));
    for (size_t i = 0; i < sh->n_edges && !w->dom.failed; i++)
        share_row(j, sh, &sh->edges[i], &pt, &regions, &types, i);
    jw_rows_end(j, HTML_SHARING_DATA_ID, sh->n_edges);
    jw_puts(j, ",\n\"parties\":[");
    for (size_t i = 0; i < pt.accounts.n; i++) {
        jw_puts(j, i ? ",[" : "[");
        jw_str(j, pt.party[i]->account, HTMLDOM_CELL_MAX);
        jw_raw(j, ",", 1);
        jw_str(j, pt.party[i]->name, HTMLDOM_CELL_MAX);
        jw_raw(j, ",", 1);
        jw_long(j, party_bits(pt.party[i]));
        jw_raw(j, "]", 1);
    }
    jw_raw(j, "]", 1);
    jw_strtab(j, "regions", &regions);
    jw_strtab(j, "types", &types);
    jw_puts(j, "}</script>\n");
    jw_close(j);
    free(pt.party);
    strtab_free(&pt.accounts);
    strtab_free(&regions);
    strtab_free(&types);
}
