#ifndef IMGAUDIT_SNAPSHOT_WRITE_H
#define IMGAUDIT_SNAPSHOT_WRITE_H

/*
 * What a collection gathers, and writing it as a snapshot file
 * (docs/snapshot.md). Workers add resources and errors from many threads;
 * snapshot_write sorts them (account, region, type, id) and writes the file
 * atomically, one resource a line so that two snapshots diff cleanly.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "snapshot/snapshot.h"
#include "util/err.h"

typedef struct snap_error {
    char *account, *region, *service, *operation, *code, *message; /* owned; account/region may be NULL */
    char *resource; /* owned; the image a per-image call was about, or NULL */
    long http_status;
} snap_error;

typedef struct snap_account {
    char *id, *name, *role_arn; /* owned; name/role_arn may be NULL */
    char **regions;
    size_t n_regions;
} snap_account;

typedef struct snapshot {
    pthread_mutex_t lock;
    snap_resource **resources; /* owned, each with its strings and data; valid while the snapshot lives */
    size_t n_resources, cap_resources;
    snap_error *errors;
    size_t n_errors, cap_errors;
    snap_account *accounts;
    size_t n_accounts;
    char **regions;
    size_t n_regions;
    /* What a reader's parse budget has left over the resources' data (snapshot_charge_parse); under lock. */
    long long parse_credit;
    /* Run metadata */
    time_t started_at, finished_at;
    char caller_account[32], caller_arn[2048], caller_user_id[512];
    char partition[16];
    unsigned shard_index, shard_count; /* `collect --shard K/N`; shard_count 0: not a shard */
    /*
     * Owned: the "organizations" array (docs/snapshot.md), as `collect --org`
     * lists it (collect/org.h) or a merge unions it; NULL: none is written.
     * snapshot_write sorts it (by id, members by id, each once).
     */
    cJSON *organizations;
    /* Set by a merge only (snapshot/merge.h): */
    bool parts_incomplete; /* a part said it was incomplete: "complete" is false even without errors */
    cJSON *callers;        /* owned: every caller, when the parts' callers differ; else NULL */
    cJSON *partitions;     /* owned: every partition, when they differ (partition is "mixed"); else NULL */
} snapshot;

/* Prepares an empty snapshot. */
void snapshot_init(snapshot *s);

/* Frees everything it holds. */
void snapshot_clean_up(snapshot *s);

/*
 * Charges a page of resource data that costs cost bytes to parse back and
 * prints as bytes, against what the snapshot reader's parse budget
 * (util/jsonfile.h: JSON_PARSE_RATIO times the text, plus JSON_PARSE_FLOOR)
 * allows: data cheaper than the ratio leaves credit for data dearer than it,
 * and half the floor is there from the start. -1 (nothing charged) when the
 * page would leave the whole past the budget. Thread-safe.
 */
int snapshot_charge_parse(snapshot *s, size_t cost, size_t bytes);

/*
 * Adds a resource of type t, copying account, region and id and taking
 * ownership of data (also on failure, when it is freed). *out (may be NULL) borrows the new
 * record, valid while s lives. The caller may still add to data (a worker
 * adds Permissions later) as long as no other thread touches it.
 * Thread-safe.
 */
int snapshot_add_resource(snapshot *s, restype t, const char *account, const char *region, const char *id,
                          cJSON *data, const snap_resource **out, ia_err *err);

/*
 * Adds a resource read back from a snapshot, whose type this imgaudit may
 * not know (a newer collector's): like snapshot_add_resource, copying type
 * too and taking ownership of data (also on failure).
 */
int snapshot_add_resource_named(snapshot *s, const char *type, const char *account, const char *region,
                                const char *id, cJSON *data, ia_err *err);

/*
 * Records a failure; the code is err's AWS code, or its kind; resource names the image a per-image call
 * (permissions) was about, or is NULL. Thread-safe.
 */
int snapshot_add_error(snapshot *s, const char *account, const char *region, const char *service,
                       const char *operation, const char *resource, const ia_err *failure);

/*
 * Records a failure read back from a snapshot, or one of imgaudit's own,
 * copying every string; account, region and resource may be NULL,
 * http_status 0 (none). Thread-safe.
 */
int snapshot_add_error_record(snapshot *s, const char *account, const char *region, const char *service,
                              const char *operation, const char *resource, const char *code,
                              const char *message, long http_status, ia_err *err);

/* Number of errors so far (thread-safe). */
size_t snapshot_error_count(snapshot *s);

/* Records an account attempted (copies). Not thread-safe: call before workers start. */
int snapshot_add_account(snapshot *s, const char *id, const char *name, const char *role_arn,
                         const char *const *regions, size_t n_regions, ia_err *err);

/* Records the run's regions (copies). Not thread-safe. */
int snapshot_set_regions(snapshot *s, const char *const *regions, size_t n, ia_err *err);

/*
 * Sorts an "organizations" array (docs/snapshot.md) in place: the
 * Organizations by id, each one's accounts by id and its org_units, and
 * drops every entry whose id (or unit) one before it has: the first given
 * stays. -1 when out of memory (what was not sorted yet is left as it was).
 */
int snapshot_sort_organizations(cJSON *organizations);

/* Sorts and writes the snapshot to path ("-" for stdout), atomically, mode 0666 less the umask. */
int snapshot_write(snapshot *s, const char *path, ia_err *err);

/* The same, the file created with mode (less the umask): 0600 for a snapshot that stays private. */
int snapshot_write_mode(snapshot *s, const char *path, mode_t mode, ia_err *err);

#endif
