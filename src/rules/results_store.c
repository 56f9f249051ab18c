#include "rules/results_store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/results.h"
#include "snapshot/snapshot.h"
#include "util/jsonfile.h"

/* Strings are carved out of blocks of this size (one of their own when longer). */
#define BLOCK_BYTES ((size_t)1024 * 1024)

typedef struct block {
    struct block *next;
    size_t used, cap;
    char data[];
} block;

struct results_store {
    block *blocks; /* the one being filled first */
    /* Strings kept once: an open-addressing set of pointers into the blocks, at most half full. */
    const char **set;
    size_t set_cap, set_n;
    size_t cap_resources, cap_images, cap_grants; /* room in the results' arrays */
};

void results_store_free(struct results_store *s)
{
    if (!s)
        return;
    while (s->blocks) {
        block *next = s->blocks->next;

        free(s->blocks);
        s->blocks = next;
    }
    free(s->set);
    free(s);
}

/* A copy of s[0..n) in the blocks, or NULL when out of memory. */
static const char *keep(struct results_store *st, const char *s, size_t n)
{
    block *b = st->blocks;
    char *p;

    if (!b || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > BLOCK_BYTES ? n + 1 : BLOCK_BYTES;

        b = malloc(sizeof(*b) + cap);
        if (!b)
            return NULL;
        b->used = 0;
        b->cap = cap;
        b->next = st->blocks;
        st->blocks = b;
    }
    p = b->data + b->used;
    memcpy(p, s, n);
    p[n] = '\0';
    b->used += n + 1;
    return p;
}

static size_t hash(const char *s)
{
    /*
     * Eight bytes a step, each word mixed in by a multiply and a shift down: byte by byte (FNV-1a) showed in
     * the profile once every failure with a fix kept its input here, a few hundred bytes each.
     */
    size_t n = strlen(s);
    uint64_t h = 0xcbf29ce484222325u ^ n, w;

    for (; n >= 8; n -= 8, s += 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15u;
        h ^= h >> 29;
    }
    for (; n; n--, s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3u;
    h = (h ^ (h >> 32)) * 0x9e3779b97f4a7c15u;
    return (size_t)(h ^ (h >> 29));
}

static int grow_set(struct results_store *st)
{
    size_t cap = st->set_cap ? st->set_cap * 2 : 256;
    const char **set = calloc(cap, sizeof(*set));

    if (!set)
        return -1;
    for (size_t i = 0; i < st->set_cap; i++) {
        size_t j;

        if (!st->set[i])
            continue;
        for (j = hash(st->set[i]) & (cap - 1); set[j]; j = (j + 1) & (cap - 1))
            ;
        set[j] = st->set[i];
    }
    free(st->set);
    st->set = set;
    st->set_cap = cap;
    return 0;
}

/* The one copy of s (a type, an account, a region: few distinct values), or NULL when out of memory. */
static const char *keep_once(struct results_store *st, const char *s)
{
    size_t j;

    if (2 * (st->set_n + 1) > st->set_cap && grow_set(st) != 0)
        return NULL;
    for (j = hash(s) & (st->set_cap - 1); st->set[j]; j = (j + 1) & (st->set_cap - 1)) {
        if (strcmp(st->set[j], s) == 0)
            return st->set[j];
    }
    st->set[j] = keep(st, s, strlen(s));
    if (st->set[j])
        st->set_n++;
    return st->set[j];
}

const char *results_store_keep_once(struct results *r, const char *text)
{
    if (!r->store && !(r->store = calloc(1, sizeof(*r->store))))
        return NULL;
    return keep_once(r->store, text);
}

/* keep_once, NULL staying NULL; *ok cleared when memory runs out. */
static const char *keep_opt_once(struct results_store *st, const char *s, bool *ok)
{
    const char *p = s ? keep_once(st, s) : NULL;

    if (s && !p)
        *ok = false;
    return p;
}

static const char *keep_opt(struct results_store *st, const char *s, bool *ok)
{
    const char *p = s ? keep(st, s, strlen(s)) : NULL;

    if (s && !p)
        *ok = false;
    return p;
}

/* Room for one more of n elements of size in *arr (capacity *cap). */
static int room(void **arr, size_t *cap, size_t n, size_t size)
{
    size_t want;
    void *grown;

    if (n < *cap)
        return 0;
    want = *cap * 2 > n + 1 ? *cap * 2 : n + 1;
    if (want < 1024)
        want = 1024;
    if (want > SIZE_MAX / size)
        return -1;
    grown = realloc(*arr, want * size);
    if (!grown)
        return -1;
    *arr = grown;
    *cap = want;
    return 0;
}

/* ---- sharing facts ---- */

static const char *str_of(const cJSON *v)
{
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool is(const cJSON *v, const char *value)
{
    const char *s = str_of(v);

    return s && strcmp(s, value) == 0;
}

/* The account field of "arn:partition:service:region:account:resource" into out; "" when it has none. */
static void arn_account(const char *arn, char *out, size_t size)
{
    const char *end;
    size_t len;

    out[0] = '\0';
    for (int field = 0; arn && field < 4; field++) {
        arn = strchr(arn, ':');
        if (arn)
            arn++;
    }
    if (!arn)
        return;
    end = strchr(arn, ':');
    len = end ? (size_t)(end - arn) : 0;
    if (len && len < size) {
        memcpy(out, arn, len);
        out[len] = '\0';
    }
}

static bool is_image(const char *type)
{
    return type && (strcmp(type, "workspaces_image") == 0 || strcmp(type, "appstream_image") == 0);
}

/* Appends the image_facts of r's last resource, read from data. */
static int add_image(results *r, const cJSON *data)
{
    enum { OWNER, ARN, TENANCY, IMAGE_TYPE, VISIBILITY, PERMISSIONS, N_KEYS };
    static const char *const keys[N_KEYS] = {"OwnerAccountId", "Arn",        "RequiredTenancy",
                                             "ImageType",      "Visibility", "Permissions"};
    struct results_store *st = r->store;
    const cJSON *m[N_KEYS], *perms, *perm;
    const char *owner;
    char arn_owner[RESULTS_ACCOUNT_MAX];
    image_facts f;

    json_members(data, keys, m, N_KEYS);
    perms = cJSON_IsArray(m[PERMISSIONS]) ? m[PERMISSIONS] : NULL; /* as snap_permissions */
    owner = str_of(m[OWNER]);
    memset(&f, 0, sizeof(f));
    if (!owner) {
        arn_account(str_of(m[ARN]), arn_owner, sizeof(arn_owner));
        owner = arn_owner;
    }
    f.resource = (uint32_t)(r->n_resources - 1);
    f.owner = keep_once(st, owner);
    f.byol = is(m[TENANCY], "DEDICATED");
    /* WorkSpaces: the collector's ImageType (the listing it came from). AppStream: the API's Visibility;
     * its own ImageType says CUSTOM or NATIVE. */
    f.shared_in = is(m[IMAGE_TYPE], "SHARED") || is(m[VISIBILITY], "SHARED");
    f.first_grant = (uint32_t)r->n_grants;
    if (!f.owner || room((void **)&r->images, &st->cap_images, r->n_images, sizeof(*r->images)) != 0)
        return -1;
    cJSON_ArrayForEach(perm, perms)
    {
        const char *target = snap_permission_account(perm);
        const cJSON *options = cJSON_GetObjectItemCaseSensitive(perm, "imagePermissions");
        image_grant *g;

        if (!target)
            continue;
        if (r->n_grants >= UINT32_MAX ||
            room((void **)&r->grants, &st->cap_grants, r->n_grants, sizeof(*r->grants)) != 0)
            return -1;
        g = &r->grants[r->n_grants];
        g->account = keep_once(st, target);
        if (!g->account)
            return -1;
        g->options = options != NULL;
        g->allow_fleet = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(options, "allowFleet"));
        g->allow_image_builder = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(options, "allowImageBuilder"));
        r->n_grants++;
        f.n_grants++;
    }
    r->images[r->n_images++] = f;
    return 0;
}

int results_add_resource(results *r, const snap_resource *res)
{
    size_t n_images = r->n_images, n_grants = r->n_grants;
    snap_resource *copy;
    bool ok = true;

    if (!r->store) {
        r->store = calloc(1, sizeof(*r->store));
        if (!r->store)
            return -1;
    }
    if (r->n_resources >= UINT32_MAX ||
        room((void **)&r->resources, &r->store->cap_resources, r->n_resources, sizeof(*r->resources)) != 0)
        return -1;
    copy = &r->resources[r->n_resources];
    copy->type = keep_opt_once(r->store, res->type, &ok);
    copy->id = keep_opt(r->store, res->id, &ok);
    copy->name = keep_opt(r->store, res->name, &ok);
    copy->account = keep_opt_once(r->store, res->account, &ok);
    copy->region = keep_opt_once(r->store, res->region, &ok);
    copy->data = NULL;
    if (!ok)
        return -1;
    r->n_resources++;
    if (is_image(res->type) && add_image(r, res->data) != 0) {
        /* As it was: the strings kept stay in the blocks until results_free. */
        r->n_resources--;
        r->n_images = n_images;
        r->n_grants = n_grants;
        return -1;
    }
    return 0;
}
