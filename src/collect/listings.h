#ifndef IMGAUDIT_COLLECT_LISTINGS_H
#define IMGAUDIT_COLLECT_LISTINGS_H

/*
 * What the collector asks AWS, and what it keeps of the answers: the
 * listings of each resource type (snapshot/restype_list.h) per visibility,
 * the permissions read of each owned image, and turning one answer page
 * into snapshot resources. No network here: the run (collect.c) sends the
 * requests these build, one page at a time.
 */

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "aws/endpoint.h"
#include "snapshot/write.h"
#include "util/err.h"

typedef enum listing {
    LIST_WS_OWNED = 0,
    LIST_WS_SHARED,
    LIST_AS_BUILDERS,
    LIST_AS_PRIVATE,
    LIST_AS_SHARED,
    LIST_COUNT
} listing;

/* The service a listing, and the permissions of its images, are read from. */
const aws_service *listing_service(listing what);

/* True when the listing's service is offered in region. */
bool listing_offered(listing what, const char *region);

/* The listing's operation ("DescribeWorkspaceImages"). Static. */
const char *listing_operation(listing what);

/* Its first page's request: MaxResults at the model's maximum and the visibility. Owned; NULL: no memory. */
cJSON *listing_request(listing what);

/*
 * Takes the resources of one answer page of the listing into snap, moving
 * (not copying) each out of answer, with timestamps as ISO-8601, for
 * WorkSpaces the listing's ImageType, and for AppStream images
 * OwnerAccountId (the account of their Arn, when it names one). An item
 * without its id is skipped with a warning. For each image whose
 * permissions are to be read, on_image(ud, res, data) is called with the
 * new record and its data (owned by snap). A list that is not a list is
 * IA_ERR_PROTOCOL.
 */
int listing_take_page(listing what, cJSON *answer, snapshot *snap, const char *account, const char *region,
                      void (*on_image)(void *ud, const snap_resource *res, cJSON *data), void *ud,
                      ia_err *err);

/* The permissions read of an image of the listing ("DescribeWorkspaceImagePermissions"). Static. */
const char *listing_permissions_operation(listing what);

/* Its first page's request, for the image id. Owned; NULL: no memory. */
cJSON *listing_permissions_request(listing what, const char *id);

/* Moves one permissions answer page's entries to the end of all. IA_ERR_PROTOCOL for a list that is not. */
int listing_take_permissions(listing what, cJSON *answer, cJSON *all, ia_err *err);

/*
 * Attaches all (taken: also on failure) to data as "Permissions", sorted
 * by account id so that two snapshots of the same sharing are identical.
 * IA_ERR_NOMEM when out of memory (data is then left without).
 */
int listing_attach_permissions(cJSON *data, cJSON *all, ia_err *err);

#endif
