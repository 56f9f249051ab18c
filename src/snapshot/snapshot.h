#ifndef IMGAUDIT_SNAPSHOT_SNAPSHOT_H
#define IMGAUDIT_SNAPSHOT_SNAPSHOT_H

/*
 * The snapshot file (docs/snapshot.md): what `collect` writes
 * (snapshot/write.h) and `evaluate` reads back (snapshot/read.h). This
 * header holds what both sides share: the format's name and version, its
 * size bound and the resource record.
 */

#include <stddef.h>

#include <cjson/cJSON.h>

#include "snapshot/restype.h"
#include "util/jsonfile.h"

#define SNAPSHOT_SCHEMA         "imgaudit.snapshot"
#define SNAPSHOT_SCHEMA_VERSION 1

/* Largest snapshot read: about 1,000,000 resources with room to spare. */
#define SNAPSHOT_MAX_BYTES ((size_t)4 * 1024 * 1024 * 1024)

/*
 * The deepest a resource's data may nest: what the envelope (the document,
 * "resources", the resource) leaves of the JSON_MAX_DEPTH a reader
 * accepts. The collector keeps nothing deeper, nor anything denser than
 * the parse budget (util/jsonfile.h), so that whatever collect writes,
 * evaluate reads.
 */
#define SNAPSHOT_DATA_MAX_DEPTH (JSON_MAX_DEPTH - 3)

/* The deepest a resource may nest, read on its own: the document and "resources" stand above it. */
#define SNAPSHOT_RESOURCE_MAX_DEPTH (JSON_MAX_DEPTH - 2)

/* Most shards one collection is split into (`collect --shard K/N`, docs/sharding.md). */
#define SNAPSHOT_SHARD_MAX 1000

/*
 * One resource. Every pointer is owned by the snapshot that holds the
 * record (the one being written, or the document read back) and valid while
 * it lives.
 */
typedef struct snap_resource {
    const char *type; /* a restype's name; a snapshot read back may hold types this imgaudit does not know */
    const char *id;   /* the type's id_field: ImageId, or Name for AppStream */
    const char *name; /* the type's display_field, or NULL */
    const char *account;
    const char *region;
    const cJSON *data; /* the resource as the API returned it, plus what the collector adds */
} snap_resource;

/*
 * A member account of an Organization the snapshot records (`collect --org`,
 * the "organizations" member). Borrowed from the snapshot that holds it.
 */
typedef struct snap_org_account {
    const char *id;           /* 12 digits */
    const char *name;         /* or NULL */
    const char *state;        /* ACTIVE, SUSPENDED, PENDING_CLOSURE...: State, else Status, as listed */
    const char *organization; /* the Organization's id, o-... */
} snap_org_account;

/*
 * Who a resource is shared with: its "Permissions" array, which the
 * collector adds to each image whose owner may read its grants. Borrowed
 * from data; NULL when it is absent (the permissions call failed, or the
 * type has no grants). An empty array means "shared with nobody".
 */
const cJSON *snap_permissions(const cJSON *data);

/*
 * The account one entry of a resource's "Permissions" shares it with:
 * SharedAccountId for WorkSpaces, sharedAccountId for AppStream. Borrowed
 * from perm; NULL when the entry names none.
 */
const char *snap_permission_account(const cJSON *perm);

/*
 * The shard of count (1 to SNAPSHOT_SHARD_MAX) an account belongs to, from
 * 0 to count - 1: the 64-bit FNV-1a hash of the id's bytes (its 12 ASCII
 * digits) modulo count. It depends on the id alone, so every job of a split
 * agrees, and another tool can work it out (docs/sharding.md).
 */
unsigned snapshot_shard_of(const char *account, unsigned count);

#endif
