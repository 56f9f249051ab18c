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
    return 0;
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
    return make_doc(path, root, out, err);
}
