#ifndef IMGAUDIT_REPORT_SHARING_H
#define IMGAUDIT_REPORT_SHARING_H

/*
 * Cross-account sharing, worked out once from the results for every writer
 * that shows it: what each image's record says about who owns it and who it
 * is shared with, and the shares themselves (who shares which image with
 * whom), with what is known of each account (audited, a member of the
 * Organization, trusted). Writers only present these facts; none reads the
 * AWS fields, the Organization or the trusted accounts again.
 */

#include <stdbool.h>
#include <stddef.h>

#include "report/tally.h"
#include "rules/results.h"
#include "util/err.h"

/* What a share lets the receiving account do with the image. */
typedef enum sharing_grant {
    SHARING_GRANT_UNSEEN = 0,  /* seen only from the receiving account: only the owner can read the grant */
    SHARING_GRANT_LAUNCH_COPY, /* a grant without options (WorkSpaces): launch WorkSpaces from it, copy it */
    SHARING_GRANT_OPTIONS, /* a grant with imagePermissions (AppStream): allow_fleet, allow_image_builder */
} sharing_grant;

/* A yes or no that the run may not know (no Organization recorded, no trusted list defined). */
typedef enum sharing_fact { SHARING_UNKNOWN = 0, SHARING_NO, SHARING_YES } sharing_fact;

/* One side of a share. */
typedef struct sharing_party {
    /* Borrowed from the results; "" when the record does not say (then every fact below is unknown, and
     * audited false). */
    const char *account;
    /* From the snapshot's accounts[], else from the Organization's members; borrowed, or NULL. */
    const char *name;
    bool audited;             /* one of the run's accounts (tally_account_index finds it) */
    sharing_fact in_org : 8;  /* a member of the Organization; unknown without one (has_organization 0) */
    sharing_fact trusted : 8; /* among results.trusted; unknown when trust_known is 0 */
} sharing_party;

/* Which side a share was seen from: the owner's grants, the receiving account's listing, or both. */
#define SHARING_SEEN_OWNER     1u
#define SHARING_SEEN_RECIPIENT 2u

/* One share: owner shares res with target. 64 bytes (a large fleet has millions): the small fields packed. */
typedef struct sharing_edge {
    /* Borrowed from the results: the owner's record when the owner's side was seen, else the receiving
     * account's. Its type, id and region are the share's. */
    const snap_resource *res;
    sharing_party owner, target;
    unsigned seen_from : 8; /* SHARING_SEEN_OWNER and/or SHARING_SEEN_RECIPIENT */
    sharing_grant grant : 8;
    bool byol; /* of the image, as in its image_facts (rules/results.h), on either side */
    bool allow_fleet, allow_image_builder; /* for SHARING_GRANT_OPTIONS */
    /* Either account is known not to be a member of the Organization (the snapshot has one). */
    bool outside_org;
    /* Either account is known not to be trusted (the rules define the trusted accounts). */
    bool untrusted;
    bool not_audited; /* either account was not audited (or is unknown) */
} sharing_edge;

/* Every share of a run, and the accounts on each side. */
typedef struct sharing {
    /* Owned; one per (owner, region, type, image id, target), sorted in that order (bytewise). */
    sharing_edge *edges;
    size_t n_edges;
    size_t n_byol;        /* edges whose image is BYOL */
    size_t n_outside_org; /* edges with outside_org */
    size_t n_untrusted;   /* edges with untrusted */
    /* The distinct owners and targets, sorted by account id: each points at the party of one edge that
     * names it (for its name). Owned arrays of borrowed pointers. */
    const sharing_party **owners, **targets;
    size_t n_owners, n_targets;
    bool has_organization; /* results.has_organization: in_org is known */
    bool trust_known;      /* results.trust_known: trusted is known */
} sharing;

/*
 * Fills s with the shares in r, from both sides (r->images, the facts
 * evaluation read from each image's record): each grant an image makes (an
 * entry of its Permissions that names an account; images of type
 * workspaces_image and appstream_image that are the account's own), and each
 * image seen shared into an audited account. A share seen from both sides
 * (owner and recipient audited) is one edge. t is the tally of r and says
 * which accounts were audited and their names. Membership of the
 * Organization and trust are looked up once per distinct account, by binary
 * search in r->org_accounts and r->trusted, which must be sorted by id
 * (bytewise) as results.h says; the shares are sorted by the ranks of their
 * accounts, regions and types and by their image ids: O(n log n) in the
 * number of shares. On failure (out of memory) returns -1
 * with err set and s empty. s borrows from r (and from the snapshot behind
 * it) and must not outlive them; the caller frees s with sharing_free.
 */
int sharing_compute(const results *r, const tally *t, sharing *s, ia_err *err);

/* Frees what sharing_compute allocated and zeroes *s. Accepts NULL and an all-zero sharing. */
void sharing_free(sharing *s);

#endif
