#include "report/sharing.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"

/* A new edge at the end of s, zeroed, or NULL when memory runs out. */
static sharing_edge *push_edge(sharing *s, size_t *cap)
{
    if (s->n_edges == *cap) {
        size_t n = *cap ? *cap * 2 : 64;
        sharing_edge *grown = n <= SIZE_MAX / sizeof(*grown) ? realloc(s->edges, n * sizeof(*grown)) : NULL;

        if (!grown)
            return NULL;
        s->edges = grown;
        *cap = n;
    }
    memset(&s->edges[s->n_edges], 0, sizeof(s->edges[0]));
    return &s->edges[s->n_edges++];
}

/* The grants one of an account's own images makes: seen from the owner. */
static int add_grants(sharing *s, size_t *cap, const results *r, const image_facts *img)
{
    const snap_resource *res = &r->resources[img->resource];

    for (uint32_t i = 0; i < img->n_grants; i++) {
        const image_grant *g = &r->grants[img->first_grant + i];
        sharing_edge *e = push_edge(s, cap);

        if (!e)
            return -1;
        e->res = res;
        e->owner.account = res->account ? res->account : "";
        e->target.account = g->account;
        e->seen_from = SHARING_SEEN_OWNER;
        e->byol = img->byol;
        e->grant = g->options ? SHARING_GRANT_OPTIONS : SHARING_GRANT_LAUNCH_COPY;
        e->allow_fleet = g->allow_fleet;
        e->allow_image_builder = g->allow_image_builder;
    }
    return 0;
}

/* An image shared into the account that lists it: seen from the recipient. */
static int add_shared_in(sharing *s, size_t *cap, const results *r, const image_facts *img)
{
    const snap_resource *res = &r->resources[img->resource];
    sharing_edge *e = push_edge(s, cap);

    if (!e)
        return -1;
    e->res = res;
    e->owner.account = img->owner;
    e->target.account = res->account ? res->account : "";
    e->seen_from = SHARING_SEEN_RECIPIENT;
    e->byol = img->byol;
    e->grant = SHARING_GRANT_UNSEEN;
    return 0;
}

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

/* The order of the shares, and what makes two edges one share: owner, region, type, image, target. */
static int cmp_share(const sharing_edge *a, const sharing_edge *b)
{
    int c = cmp_str(a->owner.account, b->owner.account);

    if (!c)
        c = cmp_str(a->res->region, b->res->region);
    if (!c)
        c = cmp_str(a->res->type, b->res->type);
    if (!c)
        c = cmp_str(a->res->id, b->res->id);
    if (!c)
        c = cmp_str(a->target.account, b->target.account);
    return c;
}

/* Inside one share, the owner's side first (it holds the grant), then snapshot order: deterministic. */
static int cmp_edge(const void *pa, const void *pb)
{
    const sharing_edge *a = pa, *b = pb;
    int c = cmp_share(a, b);

    if (c)
        return c;
    if (a->seen_from != b->seen_from)
        return a->seen_from < b->seen_from ? -1 : 1;
    return a->res < b->res ? -1 : a->res > b->res;
}

/* Folds the edges of one share (sorted next to each other) into its first. */
static void merge_duplicates(sharing *s)
{
    size_t kept = 0;

    for (size_t i = 0; i < s->n_edges; i++) {
        sharing_edge *e = &s->edges[i], *prev = kept ? &s->edges[kept - 1] : NULL;

        if (prev && cmp_share(prev, e) == 0) {
            /* The first is the owner's side when there is one: its record and grant stay. */
            prev->seen_from |= e->seen_from;
            prev->byol = prev->byol || e->byol;
            continue;
        }
        s->edges[kept++] = *e;
    }
    s->n_edges = kept;
}

static int cmp_member(const void *key, const void *elem)
{
    return strcmp(key, ((const snap_org_account *)elem)->id);
}

static int cmp_trusted(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

/*
 * What is known of one account: audited, its name, membership and trust, each
 * by binary search. An audited account's name is the tally's; the Organization
 * names only the accounts the run did not audit.
 */
static void know_party(sharing_party *p, const results *r, const tally *t)
{
    const snap_org_account *member = NULL;
    long idx;

    if (!p->account[0])
        return; /* unknown: nothing can be said of it */
    idx = tally_account_index(t, p->account);
    p->audited = idx >= 0;
    if (idx >= 0)
        p->name = t->accounts[idx].name;
    if (r->n_org_accounts)
        member =
            bsearch(p->account, r->org_accounts, r->n_org_accounts, sizeof(*r->org_accounts), cmp_member);
    if (idx < 0 && member && member->name && member->name[0])
        p->name = member->name;
    if (r->has_organization)
        p->in_org = member ? SHARING_YES : SHARING_NO;
    if (r->trust_known)
        p->trusted =
            r->n_trusted && bsearch(p->account, r->trusted, r->n_trusted, sizeof(*r->trusted), cmp_trusted)
                ? SHARING_YES
                : SHARING_NO;
}

static int cmp_party(const void *pa, const void *pb)
{
    return strcmp((*(const sharing_party *const *)pa)->account, (*(const sharing_party *const *)pb)->account);
}

/* The distinct accounts on one side (owner or target), sorted; unknown ones ("") left out. */
static int list_parties(sharing *s, bool owners)
{
    const sharing_party **list = calloc(s->n_edges ? s->n_edges : 1, sizeof(*list));
    size_t n = 0, kept = 0;

    if (!list)
        return -1;
    for (size_t i = 0; i < s->n_edges; i++) {
        const sharing_party *p = owners ? &s->edges[i].owner : &s->edges[i].target;

        if (p->account[0])
            list[n++] = p;
    }
    /* Owners are already in order (the edges are sorted by owner first); targets are not. */
    if (!owners)
        qsort(list, n, sizeof(*list), cmp_party);
    for (size_t i = 0; i < n; i++) {
        if (!kept || strcmp(list[kept - 1]->account, list[i]->account) != 0)
            list[kept++] = list[i];
    }
    if (owners) {
        s->owners = list;
        s->n_owners = kept;
    } else {
        s->targets = list;
        s->n_targets = kept;
    }
    return 0;
}

int sharing_compute(const results *r, const tally *t, sharing *s, ia_err *err)
{
    size_t cap = 0;

    memset(s, 0, sizeof(*s));
    for (size_t i = 0; i < r->n_images; i++) {
        const image_facts *img = &r->images[i];
        /* Grants are the owner's to read: a shared-in image's Permissions would not be its lister's. */
        int rc = img->shared_in ? add_shared_in(s, &cap, r, img) : add_grants(s, &cap, r, img);

        if (rc != 0)
            goto nomem;
    }
    if (s->n_edges > 1) /* edges is NULL when nothing is shared */
        qsort(s->edges, s->n_edges, sizeof(*s->edges), cmp_edge);
    merge_duplicates(s);
    s->has_organization = r->has_organization != 0;
    s->trust_known = r->trust_known != 0;
    for (size_t i = 0; i < s->n_edges; i++) {
        sharing_edge *e = &s->edges[i];

        know_party(&e->owner, r, t);
        know_party(&e->target, r, t);
        e->outside_org = e->owner.in_org == SHARING_NO || e->target.in_org == SHARING_NO;
        e->untrusted = e->owner.trusted == SHARING_NO || e->target.trusted == SHARING_NO;
        e->not_audited = !e->owner.audited || !e->target.audited;
        s->n_byol += e->byol;
        s->n_outside_org += e->outside_org;
        s->n_untrusted += e->untrusted;
    }
    if (list_parties(s, true) != 0 || list_parties(s, false) != 0)
        goto nomem;
    return 0;
nomem:
    sharing_free(s);
    return err_set(err, IA_ERR_NOMEM, "out of memory listing the shared images");
}

void sharing_free(sharing *s)
{
    if (!s)
        return;
    free(s->edges);
    free(s->owners);
    free(s->targets);
    memset(s, 0, sizeof(*s));
}
