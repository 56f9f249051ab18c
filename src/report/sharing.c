#include "report/sharing.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/strtab.h"

/*
 * The distinct strings of one kind (accounts; regions and types), found by
 * hash, each then given its rank in bytewise order: the shares are sorted
 * and told apart by these numbers, and what is known of an account is
 * looked up once per account, not once per share (a large fleet has about
 * a thousand shares for each account).
 */
typedef struct name_table {
    strtab names;   /* in the order they came */
    uint32_t *rank; /* owned, after name_table_rank: rank[i] is names.strs[i]'s place in bytewise order */
} name_table;

/* The index of s (NULL counts as "") in nt, added if new; UINT32_MAX when memory runs out. */
static uint32_t name_index(name_table *nt, const char *s)
{
    long i = strtab_index(&nt->names, s);

    return i < 0 ? UINT32_MAX : (uint32_t)i;
}

static int cmp_name_ptr(const void *a, const void *b)
{
    return strcmp(**(const char *const *const *)a, **(const char *const *const *)b);
}

/* Fills nt->rank once every name is in. Returns 0, or -1 when memory runs out. */
static int name_table_rank(name_table *nt)
{
    size_t n = nt->names.n;
    const char ***order = malloc((n ? n : 1) * sizeof(*order));

    nt->rank = malloc((n ? n : 1) * sizeof(*nt->rank));
    if (!order || !nt->rank) {
        free(order);
        return -1;
    }
    /* Pointers into names, sorted: where each lands is its name's rank. */
    for (size_t i = 0; i < n; i++)
        order[i] = &nt->names.strs[i];
    qsort(order, n, sizeof(*order), cmp_name_ptr);
    for (size_t i = 0; i < n; i++)
        nt->rank[order[i] - nt->names.strs] = (uint32_t)i;
    free(order);
    return 0;
}

static void name_table_free(name_table *nt)
{
    strtab_free(&nt->names);
    free(nt->rank);
}

/* A share's key->grant when it was seen from the receiving account (which cannot read the grant). */
#define NO_GRANT UINT32_MAX

/*
 * One share as it was seen, from one side, before the shares are sorted and
 * those seen from both sides folded into one: 32 bytes, where an edge takes
 * 64, and only the image's id left to compare as a string.
 */
typedef struct share_key {
    /* Indexes into the name tables (accounts; regions and types) as the keys are collected, then
     * (rank_keys) their ranks, which order as the strings do. */
    uint32_t owner, region, type, target;
    const char *id; /* the image's, borrowed; NULL counts as "" */
    uint32_t image; /* index into r->images */
    uint32_t grant; /* index into r->grants; NO_GRANT seen from the receiving account */
} share_key;

/*
 * Fills k with the share of r->images[image] that grant says (an index into
 * r->grants: the owner's side), or, with NO_GRANT, the one it is seen from
 * the account that lists it. Returns -1 when memory runs out.
 */
static int make_key(share_key *k, const results *r, name_table *accounts, name_table *labels, uint32_t image,
                    uint32_t grant)
{
    const image_facts *img = &r->images[image];
    const snap_resource *res = &r->resources[img->resource];
    bool seen_by_owner = grant != NO_GRANT;

    k->owner = name_index(accounts, seen_by_owner ? res->account : img->owner);
    k->target = name_index(accounts, seen_by_owner ? r->grants[grant].account : res->account);
    k->region = name_index(labels, res->region);
    k->type = name_index(labels, res->type);
    k->id = res->id;
    k->image = image;
    k->grant = grant;
    return k->owner == UINT32_MAX || k->target == UINT32_MAX || k->region == UINT32_MAX ||
                   k->type == UINT32_MAX
               ? -1
               : 0;
}

/*
 * The shares in r, from both sides, into *keys (owned, free()): each grant
 * of an account's own image, and each image seen shared into the account
 * that lists it. Returns -1 when memory runs out.
 */
static int collect_keys(const results *r, name_table *accounts, name_table *labels, share_key **keys,
                        size_t *n_keys)
{
    size_t n = 0;

    for (size_t i = 0; i < r->n_images; i++)
        n += r->images[i].shared_in ? 1 : r->images[i].n_grants;
    *keys = n <= SIZE_MAX / sizeof(**keys) ? malloc((n ? n : 1) * sizeof(**keys)) : NULL;
    if (!*keys)
        return -1;
    *n_keys = n;
    n = 0;
    for (uint32_t i = 0; i < r->n_images; i++) {
        const image_facts *img = &r->images[i];

        /* Grants are the owner's to read: a shared-in image's Permissions would not be its lister's. */
        if (img->shared_in && make_key(&(*keys)[n++], r, accounts, labels, i, NO_GRANT) != 0)
            return -1;
        for (uint32_t g = 0; !img->shared_in && g < img->n_grants; g++) {
            if (make_key(&(*keys)[n++], r, accounts, labels, i, img->first_grant + g) != 0)
                return -1;
        }
    }
    return 0;
}

/* Turns the keys' name indexes into ranks. Returns -1 when memory runs out. */
static int rank_keys(share_key *keys, size_t n_keys, name_table *accounts, name_table *labels)
{
    if (name_table_rank(accounts) != 0 || name_table_rank(labels) != 0)
        return -1;
    for (size_t i = 0; i < n_keys; i++) {
        share_key *k = &keys[i];

        k->owner = accounts->rank[k->owner];
        k->target = accounts->rank[k->target];
        k->region = labels->rank[k->region];
        k->type = labels->rank[k->type];
    }
    return 0;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
    return a < b ? -1 : a > b;
}

/* The order of the shares, and what makes two keys one share: owner, region, type, image id, target. */
static int cmp_share(const share_key *a, const share_key *b)
{
    int c = cmp_u32(a->owner, b->owner);

    if (!c)
        c = cmp_u32(a->region, b->region);
    if (!c)
        c = cmp_u32(a->type, b->type);
    if (!c && a->id != b->id)
        c = strcmp(a->id ? a->id : "", b->id ? b->id : "");
    if (!c)
        c = cmp_u32(a->target, b->target);
    return c;
}

/*
 * Inside one share, the owner's side first (it holds the grant), then
 * snapshot order (r->images is in that of the records), then the image's
 * order of grants: deterministic.
 */
static int cmp_key(const void *pa, const void *pb)
{
    const share_key *a = pa, *b = pb;
    int c = cmp_share(a, b);

    if (c)
        return c;
    if ((a->grant == NO_GRANT) != (b->grant == NO_GRANT))
        return a->grant == NO_GRANT ? 1 : -1;
    c = cmp_u32(a->image, b->image);
    return c ? c : cmp_u32(a->grant, b->grant);
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

/* What is known of each account, by rank (owned, free()); NULL when memory runs out. */
static sharing_party *know_accounts(const results *r, const tally *t, const name_table *accounts)
{
    sharing_party *known = calloc(accounts->names.n ? accounts->names.n : 1, sizeof(*known));

    for (size_t i = 0; known && i < accounts->names.n; i++) {
        sharing_party *p = &known[accounts->rank[i]];

        p->account = accounts->names.strs[i];
        know_party(p, r, t);
    }
    return known;
}

/* p (an edge's side, its account set) takes what is known of its account. */
static void take_facts(sharing_party *p, const sharing_party *known)
{
    p->name = known->name;
    p->audited = known->audited;
    p->in_org = known->in_org;
    p->trusted = known->trusted;
}

/* A new edge for the share k, as seen from one side. */
static void fill_edge(sharing_edge *e, const results *r, const share_key *k)
{
    const image_facts *img = &r->images[k->image];
    const snap_resource *res = &r->resources[img->resource];
    const char *account = res->account ? res->account : "";
    const image_grant *g;

    memset(e, 0, sizeof(*e));
    e->res = res;
    e->byol = img->byol;
    if (k->grant == NO_GRANT) {
        e->owner.account = img->owner ? img->owner : "";
        e->target.account = account;
        e->seen_from = SHARING_SEEN_RECIPIENT;
        e->grant = SHARING_GRANT_UNSEEN;
        return;
    }
    g = &r->grants[k->grant];
    e->owner.account = account;
    e->target.account = g->account ? g->account : "";
    e->seen_from = SHARING_SEEN_OWNER;
    e->grant = g->options ? SHARING_GRANT_OPTIONS : SHARING_GRANT_LAUNCH_COPY;
    e->allow_fleet = g->allow_fleet;
    e->allow_image_builder = g->allow_image_builder;
}

/*
 * The edges of s from the sorted keys, the keys of one share (next to each
 * other) folded into its first; s->owners and s->targets, indexed by the
 * accounts' ranks, get the side of the first edge that names each.
 */
static void make_edges(sharing *s, const results *r, const share_key *keys, size_t n_keys,
                       const sharing_party *known)
{
    for (size_t i = 0; i < n_keys; i++) {
        const share_key *k = &keys[i];
        sharing_edge *e;

        if (i > 0 && cmp_share(&keys[i - 1], k) == 0) {
            /* The first is the owner's side when there is one: its record and grant stay. */
            e = &s->edges[s->n_edges - 1];
            e->seen_from |= k->grant == NO_GRANT ? SHARING_SEEN_RECIPIENT : SHARING_SEEN_OWNER;
            e->byol = e->byol || r->images[k->image].byol;
            continue;
        }
        e = &s->edges[s->n_edges++];
        fill_edge(e, r, k);
        take_facts(&e->owner, &known[k->owner]);
        take_facts(&e->target, &known[k->target]);
        if (!s->owners[k->owner])
            s->owners[k->owner] = &e->owner;
        if (!s->targets[k->target])
            s->targets[k->target] = &e->target;
    }
}

/* Packs a list indexed by account rank (NULL where no edge names the account) into its accounts, in order;
 * unknown ones ("") left out. Returns how many. */
static size_t pack_parties(const sharing_party **list, size_t n_ranks)
{
    size_t kept = 0;

    for (size_t i = 0; i < n_ranks; i++) {
        if (list[i] && list[i]->account[0])
            list[kept++] = list[i];
    }
    return kept;
}

/* The flags of each edge that take both sides, and their counts. */
static void flag_edges(sharing *s)
{
    for (size_t i = 0; i < s->n_edges; i++) {
        sharing_edge *e = &s->edges[i];

        e->outside_org = e->owner.in_org == SHARING_NO || e->target.in_org == SHARING_NO;
        e->untrusted = e->owner.trusted == SHARING_NO || e->target.trusted == SHARING_NO;
        e->not_audited = !e->owner.audited || !e->target.audited;
        s->n_byol += e->byol;
        s->n_outside_org += e->outside_org;
        s->n_untrusted += e->untrusted;
    }
}

int sharing_compute(const results *r, const tally *t, sharing *s, ia_err *err)
{
    name_table accounts, labels; /* labels: regions and types */
    share_key *keys = NULL;
    sharing_party *known = NULL;
    size_t n_keys = 0;
    int rc = -1;

    memset(s, 0, sizeof(*s));
    memset(&accounts, 0, sizeof(accounts));
    memset(&labels, 0, sizeof(labels));
    if (collect_keys(r, &accounts, &labels, &keys, &n_keys) != 0 ||
        rank_keys(keys, n_keys, &accounts, &labels) != 0)
        goto out;
    if (n_keys > 1)
        qsort(keys, n_keys, sizeof(*keys), cmp_key);
    known = know_accounts(r, t, &accounts);
    s->edges = malloc((n_keys ? n_keys : 1) * sizeof(*s->edges)); /* no overflow: keys are smaller */
    s->owners = calloc(accounts.names.n ? accounts.names.n : 1, sizeof(*s->owners));
    s->targets = calloc(accounts.names.n ? accounts.names.n : 1, sizeof(*s->targets));
    if (!known || !s->edges || !s->owners || !s->targets)
        goto out;
    make_edges(s, r, keys, n_keys, known);
    s->n_owners = pack_parties(s->owners, accounts.names.n);
    s->n_targets = pack_parties(s->targets, accounts.names.n);
    flag_edges(s);
    s->has_organization = r->has_organization != 0;
    s->trust_known = r->trust_known != 0;
    rc = 0;
out:
    free(keys);
    free(known);
    name_table_free(&accounts);
    name_table_free(&labels);
    if (rc != 0) {
        sharing_free(s);
        return err_set(err, IA_ERR_NOMEM, "out of memory listing the shared images");
    }
    return 0;
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
