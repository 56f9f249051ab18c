#include "rules/snapshot_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/fileio.h"
#include "util/str.h"
#include "util/ytree.h"

#define SNAPSHOT_SCHEMA "imgaudit.snapshot"

void rules_snapshot_free(rules_snapshot *snap)
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

static int check_resource(const char *name, size_t i, const cJSON *item, resource_ref *ref, ia_err *err)
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
    /* The display name: WorkSpaces images have Name; AppStream resources are keyed on Name and may carry a
     * friendlier DisplayName. */
    ref->name = strcmp(ref->type, "workspaces_image") == 0 ? str_member(data, "Name")
                                                           : str_member(data, "DisplayName");
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

int rules_snapshot_parse(const char *name, const char *text, size_t len, rules_snapshot **out, ia_err *err)
{
    rules_snapshot *snap = calloc(1, sizeof(*snap));
    const char *end = NULL;
    const cJSON *schema, *version, *resources, *errors;
    size_t n = 0, i = 0;
    const cJSON *item;
    int rc = -1;

    *out = NULL;
    if (!snap)
        return err_set(err, IA_ERR_NOMEM, "%s: out of memory", name);
    if (len == 0) {
        err_set_at(err, name, 0, 0, "empty file, not a snapshot");
        goto out;
    }
    snap->root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!snap->root) {
        unsigned line, col;
        size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;

        ytree_text_position(text, len, off, &line, &col);
        err_set_at(err, name, line, col, "invalid JSON: not a snapshot");
        goto out;
    }
    /* Every report must be well-formed UTF-8 whatever an image's owner put in its name. */
    scrub_strings(snap->root);
    schema = cJSON_GetObjectItemCaseSensitive(snap->root, "schema");
    version = cJSON_GetObjectItemCaseSensitive(snap->root, "schema_version");
    if (!cJSON_IsObject(snap->root) || !cJSON_IsString(schema) ||
        strcmp(schema->valuestring, SNAPSHOT_SCHEMA) != 0) {
        err_set_at(err, name, 0, 0, "not an imgaudit snapshot (\"schema\" is not \"%s\")", SNAPSHOT_SCHEMA);
        goto out;
    }
    if (!cJSON_IsNumber(version) || version->valuedouble != RULES_SNAPSHOT_SCHEMA_VERSION) {
        err_set_at(err, name, 0, 0, "snapshot schema_version %s is not supported (this imgaudit reads %d)",
                   cJSON_IsNumber(version) ? "other than 1" : "missing", RULES_SNAPSHOT_SCHEMA_VERSION);
        goto out;
    }
    resources = cJSON_GetObjectItemCaseSensitive(snap->root, "resources");
    if (!cJSON_IsArray(resources)) {
        err_set_at(err, name, 0, 0, "snapshot has no \"resources\" list");
        goto out;
    }
    errors = cJSON_GetObjectItemCaseSensitive(snap->root, "errors");
    if (errors && !cJSON_IsArray(errors) && !cJSON_IsNull(errors)) {
        err_set_at(err, name, 0, 0, "snapshot \"errors\" is not a list");
        goto out;
    }
    snap->errors = cJSON_IsArray(errors) ? errors : NULL;
    cJSON_ArrayForEach(item, resources)
    {
        n++;
    }
    snap->resources = calloc(n ? n : 1, sizeof(*snap->resources));
    if (!snap->resources) {
        err_set(err, IA_ERR_NOMEM, "%s: out of memory for %zu resources", name, n);
        goto out;
    }
    cJSON_ArrayForEach(item, resources)
    {
        if (check_resource(name, i, item, &snap->resources[i], err) != 0)
            goto out;
        i++;
    }
    snap->n_resources = n;
    *out = snap;
    snap = NULL;
    rc = 0;
out:
    rules_snapshot_free(snap);
    return rc;
}

int rules_snapshot_read(const char *path, rules_snapshot **out, ia_err *err)
{
    buf text;
    int rc;

    *out = NULL;
    buf_init(&text, RULES_SNAPSHOT_MAX_BYTES);
    if (file_read_all(path, &text, err) != 0) {
        char msg[sizeof(err->msg)];
        const char *m = err->msg;
        size_t plen = strlen(path);

        buf_free(&text);
        /* A snapshot that cannot be read is bad input (exit 2), named once. */
        if (strncmp(m, path, plen) == 0 && strncmp(m + plen, ": ", 2) == 0)
            m += plen + 2;
        snprintf(msg, sizeof(msg), "%s", m);
        return err_set_at(err, path, 0, 0, "%s", msg);
    }
    rc = rules_snapshot_parse(path, buf_str(&text), text.len, out, err);
    buf_free(&text);
    return rc;
}
