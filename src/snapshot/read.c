#include "snapshot/read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonfile.h"
#include "util/str.h"

void snapshot_doc_free(snapshot_doc *snap)
{
    if (!snap)
        return;
    cJSON_Delete(snap->root);
    free(snap->resources);
    free(snap->org_accounts);
    free(snap);
}

/* A member that must be a string; NULL if it is not one. */
static const char *str_member(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int check_resource(const char *name, size_t i, const cJSON *item, snap_resource *ref, ia_err *err)
{
    const char *account, *region;
    const cJSON *data;
    const char *missing = NULL;

    if (!cJSON_IsObject(item))
        return err_set_at(err, name, 0, 0, "resources[%zu] is not an object", i);
    account = str_member(item, "account");
    region = str_member(item, "region");
    data = cJSON_GetObjectItemCaseSensitive(item, "data");
    ref->type = str_member(item, "type");
    ref->id = str_member(item, "id");
    if (!ref->type)
        missing = "'type' (a string)";
    else if (!ref->id)
        missing = "'id' (a string)";
    else if (!account)
        missing = "'account' (a string)";
    else if (!region)
        missing = "'region' (a string)";
    else if (!cJSON_IsObject(data))
        missing = "'data' (an object)";
    if (missing)
        return err_set_at(err, name, 0, 0, "resources[%zu] (%s/%s): missing or malformed %s", i,
                          account ? account : "?", region ? region : "?", missing);
    ref->account = account;
    ref->region = region;
    ref->data = data;
    ref->name = restype_display_name(ref->type, data);
    return 0;
}

/* ---- organizations ---- */

/* True when s is n to m of the characters in set, nothing else. */
static bool all_of(const char *s, const char *set, size_t n, size_t m)
{
    size_t len = strlen(s);

    return len >= n && len <= m && strspn(s, set) == len;
}

static bool account_id(const char *s)
{
    return s && all_of(s, "0123456789", 12, 12);
}

static bool organization_id(const char *s)
{
    return s && str_starts_with(s, "o-") && all_of(s + 2, "abcdefghijklmnopqrstuvwxyz0123456789", 10, 32);
}

/* A member account, and where it stood in the file (ties between Organizations go to the first). */
typedef struct placed_member {
    snap_org_account a;
    size_t at;
} placed_member;

static int cmp_member(const void *pa, const void *pb)
{
    const placed_member *a = pa, *b = pb;
    int c = strcmp(a->a.id, b->a.id);

    return c ? c : (a->at > b->at) - (a->at < b->at);
}

/* The problem with organizations[i].accounts[j], or NULL when it is a member as the collector writes them. */
static const char *bad_member(const cJSON *m)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "name");
    const char *state = str_member(m, "state");

    if (!cJSON_IsObject(m))
        return "not an object";
    if (!account_id(str_member(m, "id")))
        return "missing or malformed 'id' (12 digits)";
    if (name && !cJSON_IsString(name) && !cJSON_IsNull(name))
        return "malformed 'name' (a string or null)";
    if (!state || !state[0])
        return "missing or malformed 'state' (a string)";
    return NULL;
}

/* The problem with organizations[i] itself (not its members), or NULL. */
static const char *bad_organization(const cJSON *org)
{
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(org, "org_units"), *u;

    if (!cJSON_IsObject(org))
        return "not an object";
    if (!organization_id(str_member(org, "id")))
        return "missing or malformed 'id' (o- and 10 to 32 of a-z, 0-9)";
    if (!account_id(str_member(org, "management_account")))
        return "missing or malformed 'management_account' (12 digits)";
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(org, "accounts")))
        return "missing or malformed 'accounts' (a list)";
    if (units && !cJSON_IsArray(units))
        return "malformed 'org_units' (a list of OU and root ids)";
    cJSON_ArrayForEach(u, units)
    {
        if (!cJSON_IsString(u) || !u->valuestring[0])
            return "malformed 'org_units' (a list of OU and root ids)";
    }
    return NULL;
}

/*
 * Checks "organizations" (absent when not collected with --org) and makes
 * the table of every member: sorted by id, each once (the first listed).
 */
static int check_organizations(const char *name, snapshot_doc *snap, ia_err *err)
{
    const cJSON *orgs = cJSON_GetObjectItemCaseSensitive(snap->root, "organizations"), *org, *m;
    placed_member *v = NULL;
    size_t n = 0, i = 0, kept = 0;

    if (!orgs)
        return 0;
    if (!cJSON_IsArray(orgs))
        return err_set_at(err, name, 0, 0, "snapshot \"organizations\" is not a list");
    cJSON_ArrayForEach(org, orgs)
    {
        const char *problem = bad_organization(org);
        size_t j = 0;

        if (problem)
            return err_set_at(err, name, 0, 0, "organizations[%zu]: %s", i, problem);
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(org, "accounts"))
        {
            problem = bad_member(m);
            if (problem)
                return err_set_at(err, name, 0, 0, "organizations[%zu].accounts[%zu] (%s): %s", i, j,
                                  str_member(org, "id"), problem);
            j++;
            n++;
        }
        i++;
    }
    snap->has_organization = i > 0;
    if (n == 0)
        return 0;
    v = calloc(n, sizeof(*v));
    snap->org_accounts = calloc(n, sizeof(*snap->org_accounts));
    if (!v || !snap->org_accounts) {
        free(v);
        return err_set(err, IA_ERR_NOMEM, "%s: out of memory for %zu Organization members", name, n);
    }
    i = 0;
    cJSON_ArrayForEach(org, orgs)
    {
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(org, "accounts"))
        {
            v[i].a = (snap_org_account){str_member(m, "id"), str_member(m, "name"), str_member(m, "state"),
                                        str_member(org, "id")};
            v[i].at = i;
            i++;
        }
    }
    qsort(v, n, sizeof(*v), cmp_member);
    for (i = 0; i < n; i++) {
        if (kept == 0 || strcmp(snap->org_accounts[kept - 1].id, v[i].a.id) != 0)
            snap->org_accounts[kept++] = v[i].a;
    }
    snap->n_org_accounts = kept;
    free(v);
    return 0;
}

/* Replaces bytes that are not UTF-8 in every string and key of the tree (cJSON passes them through). */
static void scrub_strings(cJSON *item)
{
    for (; item; item = item->next) {
        if (item->string && !(item->type & cJSON_StringIsConst))
            str_utf8_scrub(item->string);
        if (cJSON_IsString(item) && item->valuestring && !(item->type & cJSON_IsReference))
            str_utf8_scrub(item->valuestring);
        scrub_strings(item->child);
    }
}

/* Checks the document in snap->root and makes the table of resources. */
static int check(const char *name, snapshot_doc *snap, ia_err *err)
{
    const cJSON *schema, *version, *resources, *errors;
    size_t n = 0, i = 0;
    const cJSON *item;

    /* Every report must be well-formed UTF-8 whatever an image's owner put in its name. */
    scrub_strings(snap->root);
    schema = cJSON_GetObjectItemCaseSensitive(snap->root, "schema");
    version = cJSON_GetObjectItemCaseSensitive(snap->root, "schema_version");
    if (!cJSON_IsObject(snap->root) || !cJSON_IsString(schema) ||
        strcmp(schema->valuestring, SNAPSHOT_SCHEMA) != 0)
        return err_set_at(err, name, 0, 0, "not an imgaudit snapshot (\"schema\" is not \"%s\")",
                          SNAPSHOT_SCHEMA);
    if (!cJSON_IsNumber(version) || version->valuedouble != SNAPSHOT_SCHEMA_VERSION)
        return err_set_at(err, name, 0, 0,
                          "snapshot schema_version %s is not supported (this imgaudit reads %d)",
                          cJSON_IsNumber(version) ? "other than 1" : "missing", SNAPSHOT_SCHEMA_VERSION);
    resources = cJSON_GetObjectItemCaseSensitive(snap->root, "resources");
    if (!cJSON_IsArray(resources))
        return err_set_at(err, name, 0, 0, "snapshot has no \"resources\" list");
    errors = cJSON_GetObjectItemCaseSensitive(snap->root, "errors");
    if (errors && !cJSON_IsArray(errors) && !cJSON_IsNull(errors))
        return err_set_at(err, name, 0, 0, "snapshot \"errors\" is not a list");
    snap->errors = cJSON_IsArray(errors) ? errors : NULL;
    cJSON_ArrayForEach(item, resources)
    {
        n++;
    }
    snap->resources = calloc(n ? n : 1, sizeof(*snap->resources));
    if (!snap->resources)
        return err_set(err, IA_ERR_NOMEM, "%s: out of memory for %zu resources", name, n);
    cJSON_ArrayForEach(item, resources)
    {
        if (check_resource(name, i, item, &snap->resources[i], err) != 0)
            return -1;
        i++;
    }
    snap->n_resources = n;
    return check_organizations(name, snap, err);
}

/* Takes root (also on failure) and checks it into *out. */
static int make_doc(const char *name, cJSON *root, snapshot_doc **out, ia_err *err)
{
    snapshot_doc *snap = calloc(1, sizeof(*snap));

    if (!snap) {
        cJSON_Delete(root);
        return err_set(err, IA_ERR_NOMEM, "%s: out of memory", name);
    }
    snap->root = root;
    if (check(name, snap, err) != 0) {
        snapshot_doc_free(snap);
        return -1;
    }
    *out = snap;
    return 0;
}

int snapshot_doc_parse(const char *name, const char *text, size_t len, snapshot_doc **out, ia_err *err)
{
    cJSON *root;

    *out = NULL;
    if (json_parse_text(name, text, len, "a snapshot", &root, err) != 0)
        return -1;
    return make_doc(name, root, out, err);
}

int snapshot_doc_read(const char *path, snapshot_doc **out, ia_err *err)
{
    cJSON *root;

    *out = NULL;
    if (json_read_file(path, SNAPSHOT_MAX_BYTES, "a snapshot", &root, err) != 0)
        return -1;
    return make_doc(strcmp(path, "-") == 0 ? "stdin" : path, root, out, err);
}
