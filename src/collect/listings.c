#include "collect/listings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/regions.h"
#include "util/log.h"
#include "util/timefmt.h"

/* The service each resource type is read from (snapshot/restype_list.h). */
static const aws_service *const services[RESTYPE_COUNT] = {
#define RESTYPE(e, name, service, ...) [e] = &AWS_##service,
#include "snapshot/restype_list.h"
#undef RESTYPE
};

/* What each listing asks: its type's listing call, for one visibility. */
static const struct listing_def {
    restype type;
    const char *type_param; /* request member naming the visibility, or NULL */
    const char *type_value;
    int max_results; /* the service model's maximum */
    bool wants_permissions;
} listings[LIST_COUNT] = {
    [LIST_WS_OWNED] = {RESTYPE_WORKSPACES_IMAGE, "ImageType", "OWNED", 25, true},
    [LIST_WS_SHARED] = {RESTYPE_WORKSPACES_IMAGE, "ImageType", "SHARED", 25, false},
    [LIST_AS_BUILDERS] = {RESTYPE_APPSTREAM_IMAGE_BUILDER, NULL, NULL, 25, false},
    [LIST_AS_PRIVATE] = {RESTYPE_APPSTREAM_IMAGE, "Type", "PRIVATE", 25, true},
    [LIST_AS_SHARED] = {RESTYPE_APPSTREAM_IMAGE, "Type", "SHARED", 25, false},
};

/* Who an image is shared with: the call per type that has one, its key and where its answer is. */
static const struct permissions_def {
    const char *operation; /* NULL: the type is never shared */
    const char *id_param;
    const char *items;
    int max_results;
} permissions[RESTYPE_COUNT] = {
    [RESTYPE_WORKSPACES_IMAGE] = {"DescribeWorkspaceImagePermissions", "ImageId", "ImagePermissions", 25},
    [RESTYPE_APPSTREAM_IMAGE_BUILDER] = {NULL, NULL, NULL, 0},
    [RESTYPE_APPSTREAM_IMAGE] = {"DescribeImagePermissions", "Name", "SharedImagePermissionsList", 500},
};

/* Timestamp members of each resource shape, from the service models (botocore's service-2.json). */
static const char *const ts_workspaces_image[] = {"Created", NULL};
static const char *const ts_builder[] = {"CreatedTime", "ImageBuilderErrors[].ErrorTimestamp", NULL};
static const char *const ts_appstream_image[] = {"CreatedTime", "PublicBaseImageReleasedDate",
                                                 "Applications[].CreatedTime", "ImageErrors[].ErrorTimestamp",
                                                 NULL};
static const char *const *const timestamps[RESTYPE_COUNT] = {
    [RESTYPE_WORKSPACES_IMAGE] = ts_workspaces_image,
    [RESTYPE_APPSTREAM_IMAGE_BUILDER] = ts_builder,
    [RESTYPE_APPSTREAM_IMAGE] = ts_appstream_image,
};

const aws_service *listing_service(listing what)
{
    return services[listings[what].type];
}

bool listing_offered(listing what, const char *region)
{
    return regions_offers(listing_service(what) == &AWS_WORKSPACES ? REGION_WORKSPACES : REGION_APPSTREAM,
                          region);
}

const char *listing_operation(listing what)
{
    return restype_get(listings[what].type)->listing;
}

cJSON *listing_request(listing what)
{
    const struct listing_def *def = &listings[what];
    cJSON *request = cJSON_CreateObject();

    if (!request || !cJSON_AddNumberToObject(request, "MaxResults", def->max_results) ||
        (def->type_param && !cJSON_AddStringToObject(request, def->type_param, def->type_value))) {
        cJSON_Delete(request);
        return NULL;
    }
    return request;
}

/* ---- timestamps: AWS JSON sends epoch seconds; the snapshot keeps ISO-8601 ---- */

static void iso_member(cJSON *obj, const char *name)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    char iso[TIMEFMT_ISO_SIZE];

    /* A number that is no date stays as AWS sent it. */
    if (!cJSON_IsNumber(v) || !timefmt_iso_epoch(v->valuedouble, iso))
        return;
    cJSON_ReplaceItemInObjectCaseSensitive(obj, name, cJSON_CreateString(iso));
}

static void iso_timestamps(cJSON *data, const char *const *paths)
{
    for (size_t i = 0; paths[i]; i++) {
        const char *walk = strstr(paths[i], "[].");

        if (!walk) {
            iso_member(data, paths[i]);
        } else {
            char list[64];
            cJSON *item;

            snprintf(list, sizeof(list), "%.*s", (int)(walk - paths[i]), paths[i]);
            cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(data, list))
            {
                iso_member(item, walk + 3);
            }
        }
    }
}

/* ---- pages ---- */

/*
 * Whether every entry of list can be kept max_depth deep in a snapshot
 * that evaluate reads back (json_value_fits). Else IA_ERR_PROTOCOL naming
 * the first that cannot: the page is refused whole, as one that could not
 * be read.
 */
static int check_kept(const cJSON *list, int max_depth, const char *what, ia_err *err)
{
    const cJSON *entry;
    size_t i = 0;

    cJSON_ArrayForEach(entry, list)
    {
        json_status st = json_value_fits(entry, max_depth);

        if (st == JSON_TOO_DEEP)
            return err_set(err, IA_ERR_PROTOCOL, "%s[%zu] nests deeper than the %d levels a snapshot keeps",
                           what, i, max_depth);
        if (st != JSON_OK)
            return err_set(err, IA_ERR_PROTOCOL,
                           "%s[%zu] has more values than a snapshot keeps (%d bytes parsed per byte written)",
                           what, i, JSON_PARSE_RATIO);
        i++;
    }
    return 0;
}

/*
 * Whether a page's items can be kept in a snapshot that evaluate reads back:
 * each nests at most SNAPSHOT_DATA_MAX_DEPTH deep, and the page, charged
 * against the snapshot's parse budget (snapshot_charge_parse), fits. Else
 * IA_ERR_PROTOCOL: the page is refused whole, as one that could not be read.
 */
static int check_page(const cJSON *items, snapshot *snap, const char *what, ia_err *err)
{
    const cJSON *entry;
    size_t i = 0, cost = 0, bytes = 0;

    cJSON_ArrayForEach(entry, items)
    {
        if (json_value_cost(entry, SNAPSHOT_DATA_MAX_DEPTH, &cost, &bytes) != JSON_OK)
            return err_set(err, IA_ERR_PROTOCOL, "%s[%zu] nests deeper than the %d levels a snapshot keeps",
                           what, i, SNAPSHOT_DATA_MAX_DEPTH);
        i++;
    }
    if (snapshot_charge_parse(snap, cost, bytes) != 0)
        return err_set(err, IA_ERR_PROTOCOL,
                       "%s has more values than a snapshot keeps (%d bytes parsed per byte written)", what,
                       JSON_PARSE_RATIO);
    return 0;
}

/*
 * An AppStream image's owner, as WorkSpaces images carry it: OwnerAccountId,
 * the account field of its Arn (arn:PARTITION:appstream:REGION:ACCOUNT:image/NAME).
 * AWS's public base images have none there; they get nothing.
 */
static void add_owner(cJSON *data)
{
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(data, "Arn");
    const char *p = cJSON_IsString(arn) ? arn->valuestring : NULL;
    char owner[13];

    for (int field = 0; p && field < 4; field++) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    if (!p || strspn(p, "0123456789") != 12 || p[12] != ':')
        return;
    memcpy(owner, p, 12);
    owner[12] = '\0';
    cJSON_DeleteItemFromObjectCaseSensitive(data, "OwnerAccountId");
    cJSON_AddStringToObject(data, "OwnerAccountId", owner);
}

int listing_take_page(listing what, cJSON *answer, snapshot *snap, const char *account, const char *region,
                      void (*on_image)(void *ud, const snap_resource *res, cJSON *data), void *ud,
                      ia_err *err)
{
    const struct listing_def *def = &listings[what];
    const restype_def *type = restype_get(def->type);
    cJSON *items = cJSON_GetObjectItemCaseSensitive(answer, type->items);
    cJSON *data;

    if (items && !cJSON_IsArray(items))
        return err_set(err, IA_ERR_PROTOCOL, "%s %s (%s): '%s' is not a list", listing_service(what)->id,
                       type->listing, region, type->items);
    if (check_page(items, snap, type->items, err) != 0)
        return err_prefix(err, "%s %s (%s)", listing_service(what)->id, type->listing, region);
    /* Detach rather than copy: the page is freed right after, the resource lives on. From the head, so that
     * each item costs the same however long the page. */
    while (items && (data = items->child) != NULL) {
        const cJSON *id;
        const snap_resource *res = NULL;

        cJSON_DetachItemViaPointer(items, data);
        id = cJSON_GetObjectItemCaseSensitive(data, type->id_field);
        if (!cJSON_IsObject(data) || !cJSON_IsString(id) || !id->valuestring[0]) {
            log_warn("account %s region %s: %s answered an item without %s; skipped", account, region,
                     type->listing, type->id_field);
            cJSON_Delete(data);
            continue;
        }
        iso_timestamps(data, timestamps[def->type]);
        if (def->type == RESTYPE_WORKSPACES_IMAGE) {
            /* Which listing it came from, OWNED or SHARED. AppStream images need no such thing: their
             * Visibility says PRIVATE or SHARED, and their ImageType (CUSTOM/NATIVE) is the API's own. */
            cJSON_DeleteItemFromObjectCaseSensitive(data, "ImageType");
            cJSON_AddStringToObject(data, "ImageType", def->type_value);
        } else if (def->type == RESTYPE_APPSTREAM_IMAGE) {
            add_owner(data);
        }
        if (snapshot_add_resource(snap, def->type, account, region, id->valuestring, data, &res, err) != 0)
            return -1;
        if (def->wants_permissions)
            on_image(ud, res, data);
    }
    return 0;
}

/* ---- permissions ---- */

const char *listing_permissions_operation(listing what)
{
    return permissions[listings[what].type].operation;
}

cJSON *listing_permissions_request(listing what, const char *id)
{
    const struct permissions_def *def = &permissions[listings[what].type];
    cJSON *request = cJSON_CreateObject();

    if (!request || !cJSON_AddStringToObject(request, def->id_param, id) ||
        !cJSON_AddNumberToObject(request, "MaxResults", def->max_results)) {
        cJSON_Delete(request);
        return NULL;
    }
    return request;
}

int listing_take_permissions(listing what, cJSON *answer, cJSON *all, ia_err *err)
{
    const char *items = permissions[listings[what].type].items;
    cJSON *list = cJSON_GetObjectItemCaseSensitive(answer, items);
    cJSON *entry;

    if (list && !cJSON_IsArray(list))
        return err_set(err, IA_ERR_PROTOCOL, "permissions answer is not a list");
    /* Entries go in the data's "Permissions" list: two levels below it. */
    if (check_kept(list, SNAPSHOT_DATA_MAX_DEPTH - 2, items, err) != 0)
        return -1;
    while (list && (entry = list->child) != NULL)
        cJSON_AddItemToArray(all, cJSON_DetachItemViaPointer(list, entry));
    return 0;
}

static int cmp_permission(const void *pa, const void *pb)
{
    const char *a = snap_permission_account(*(cJSON *const *)pa);
    const char *b = snap_permission_account(*(cJSON *const *)pb);

    return strcmp(a ? a : "", b ? b : "");
}

int listing_attach_permissions(cJSON *data, cJSON *all, ia_err *err)
{
    size_t n = 0, i = 0;
    cJSON **items, *sorted, *entry;

    cJSON_ArrayForEach(entry, all)
    {
        n++;
    }
    items = calloc(n ? n : 1, sizeof(*items));
    sorted = cJSON_CreateArray();
    if (!items || !sorted) {
        free(items);
        cJSON_Delete(sorted);
        cJSON_Delete(all);
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    }
    while ((entry = all->child) != NULL)
        items[i++] = cJSON_DetachItemViaPointer(all, entry);
    cJSON_Delete(all);
    if (n)
        qsort(items, n, sizeof(*items), cmp_permission);
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(sorted, items[i]);
    free(items);
    cJSON_AddItemToObject(data, "Permissions", sorted);
    return 0;
}
