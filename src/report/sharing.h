#ifndef IMGAUDIT_REPORT_SHARING_H
#define IMGAUDIT_REPORT_SHARING_H

/*
 * Cross-account sharing, worked out once from the results for every writer
 * that shows it: what each image's record says about who owns it and who it
 * is shared with, and the shares themselves (who shares which image with
 * whom). Writers only present these facts; none reads the AWS fields again.
 */

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "report/tally.h"
#include "rules/results.h"
#include "util/err.h"

/* Room for an owner's account id read from an ARN; a longer one is not believed (the owner is unknown). */
#define SHARING_ACCOUNT_MAX 64

/* What one image's record says about its sharing. */
typedef struct sharing_image {
    /* The owning account: OwnerAccountId (WorkSpaces), else the account field of the Arn (AppStream);
     * "" when neither names one. */
    char owner[SHARING_ACCOUNT_MAX];
    bool byol;      /* RequiredTenancy DEDICATED: a Bring Your Own License image */
    bool shared_in; /* ImageType SHARED: another account's image, seen from one it is shared with */
    /* The accounts it is shared with (snap_permissions, read them with snap_permission_account),
     * borrowed from the record; NULL when they were not read. */
    const cJSON *permissions;
} sharing_image;

/* Fills *out from res's record. Everything out points at is borrowed from res->data. */
void sharing_image_read(const snap_resource *res, sharing_image *out);

/* What a share lets the receiving account do with the image. */
typedef enum sharing_grant {
    SHARING_GRANT_UNSEEN = 0,  /* seen from the receiving account: only the owner can read the grant */
    SHARING_GRANT_LAUNCH_COPY, /* a grant without options (WorkSpaces): launch WorkSpaces from it, copy it */
    SHARING_GRANT_OPTIONS, /* a grant with imagePermissions (AppStream): allow_fleet, allow_image_builder */
} sharing_grant;

/* One share: owner shares res with target. */
typedef struct sharing_edge {
    const snap_resource *res; /* borrowed from the results */
    /* Borrowed from the results, except owner where shared_in is set: then a copy that the sharing owns.
     * "" when the record does not say (an image without an owner, a grant naming ""). */
    const char *owner;
    const char *target;
    bool owner_audited;  /* the account is one of the run's (tally_account_index finds it) */
    bool target_audited; /* likewise */
    bool shared_in;      /* seen only from the receiving account: the owner was not audited */
    bool byol;           /* of the image, as in sharing_image */
    sharing_grant grant;
    bool allow_fleet, allow_image_builder; /* for SHARING_GRANT_OPTIONS */
} sharing_edge;

/* Every share of a run, in snapshot order. */
typedef struct sharing {
    sharing_edge *edges; /* owned */
    size_t n_edges;
    size_t n_byol; /* edges whose image is BYOL */
} sharing;

/*
 * Fills s with the shares in r: each grant an image makes (an entry of its
 * Permissions that names an account), and each image shared into an
 * account by an owner that is not among t's accounts (a share between two
 * audited accounts is listed once, from the owner's side). t is the tally
 * of r and says which accounts were audited. An image's grants come before
 * its shared-in edge; images come in snapshot order. On failure (out of
 * memory) returns -1 with err set and s empty. s borrows from r (and from the
 * snapshot behind it) and must not outlive it; the caller frees s with
 * sharing_free.
 */
int sharing_compute(const results *r, const tally *t, sharing *s, ia_err *err);

/* Frees what sharing_compute allocated and zeroes *s. Accepts NULL and an all-zero sharing. */
void sharing_free(sharing *s);

#endif
