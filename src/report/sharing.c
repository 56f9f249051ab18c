#include "report/sharing.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"

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

static bool json_is(const cJSON *obj, const char *key, const char *value)
{
    const char *s = tally_json_str(obj, key);

    return s && strcmp(s, value) == 0;
}

void sharing_image_read(const snap_resource *res, sharing_image *out)
{
    const char *owner = tally_json_str(res->data, "OwnerAccountId");

    if (owner)
        str_copy(out->owner, sizeof(out->owner), owner);
    else
        arn_account(tally_json_str(res->data, "Arn"), out->owner, sizeof(out->owner));
    out->byol = json_is(res->data, "RequiredTenancy", "DEDICATED");
    out->shared_in = json_is(res->data, "ImageType", "SHARED");
    out->permissions = snap_permissions(res->data);
}

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

static bool audited(const tally *t, const char *account)
{
    return tally_account_index(t, account) >= 0;
}

/* The grants one image makes, from its Permissions. */
static int add_grants(sharing *s, size_t *cap, const tally *t, const snap_resource *res,
                      const sharing_image *img)
{
    const cJSON *perm;

    cJSON_ArrayForEach(perm, img->permissions)
    {
        const char *target = snap_permission_account(perm);
        const cJSON *options = cJSON_GetObjectItemCaseSensitive(perm, "imagePermissions");
        sharing_edge *e;

        if (!target)
            continue;
        e = push_edge(s, cap);
        if (!e)
            return -1;
        e->res = res;
        e->owner = res->account;
        e->target = target;
        e->owner_audited = audited(t, res->account);
        e->target_audited = audited(t, target);
        e->byol = img->byol;
        e->grant = options ? SHARING_GRANT_OPTIONS : SHARING_GRANT_LAUNCH_COPY;
        e->allow_fleet = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(options, "allowFleet"));
        e->allow_image_builder = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(options, "allowImageBuilder"));
    }
    return 0;
}

/* An image shared into an audited account by an owner that is not audited (or not named). */
static int add_shared_in(sharing *s, size_t *cap, const tally *t, const snap_resource *res,
                         const sharing_image *img)
{
    sharing_edge *e;
    char *owner;

    if (!img->shared_in || (img->owner[0] && audited(t, img->owner)))
        return 0;
    owner = str_dup(img->owner);
    e = owner ? push_edge(s, cap) : NULL;
    if (!e) {
        free(owner);
        return -1;
    }
    e->res = res;
    e->owner = owner;
    e->target = res->account;
    e->owner_audited = audited(t, owner);
    e->target_audited = audited(t, res->account);
    e->shared_in = true;
    e->byol = img->byol;
    e->grant = SHARING_GRANT_UNSEEN;
    return 0;
}

int sharing_compute(const results *r, const tally *t, sharing *s, ia_err *err)
{
    size_t cap = 0;

    memset(s, 0, sizeof(*s));
    for (size_t i = 0; i < r->n_resources; i++) {
        const snap_resource *res = &r->resources[i];
        sharing_image img;

        sharing_image_read(res, &img);
        if (add_grants(s, &cap, t, res, &img) != 0 || add_shared_in(s, &cap, t, res, &img) != 0) {
            sharing_free(s);
            return err_set(err, IA_ERR_NOMEM, "out of memory listing the shared images");
        }
    }
    for (size_t i = 0; i < s->n_edges; i++) {
        if (s->edges[i].byol)
            s->n_byol++;
    }
    return 0;
}

void sharing_free(sharing *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_edges; i++) {
        if (s->edges[i].shared_in)
            free((char *)s->edges[i].owner); /* the copy add_shared_in made */
    }
    free(s->edges);
    memset(s, 0, sizeof(*s));
}
