#ifndef IMGAUDIT_SNAPSHOT_READ_H
#define IMGAUDIT_SNAPSHOT_READ_H

/*
 * Reading a snapshot (docs/snapshot.md) back. A snapshot of a million
 * resources is too large to hold as one cJSON tree, so it is read in two
 * passes over the file (mapped, util/jsonfile.h json_text): first the
 * envelope, everything but the "resources" list wherever it stands
 * (schema, accounts, regions, errors, the Organization), parsed and
 * checked; then the resources one at a time, each parsed on its own,
 * checked, handed over and freed (snapshot_doc_each). Evaluation uses
 * that; snapshot_doc_read keeps every resource for those that need the
 * whole table (merge, tests).
 *
 * A malformed snapshot is one IA_ERR_INPUT error naming the file and, for
 * JSON syntax, line:column; for a bad resource, its index and account/region;
 * for a bad Organization member, organizations[i].accounts[j].
 */

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "snapshot/snapshot.h"
#include "util/err.h"

typedef struct snapshot_doc {
    /* owned: the whole document; opened with snapshot_doc_open, the envelope only ("resources" is []) */
    cJSON *root;
    snap_resource *resources; /* owned array; strings and data borrowed from root; none when opened */
    size_t n_resources;
    const cJSON *errors; /* the "errors" array, borrowed from root; NULL when absent */
    /* The members of every Organization the snapshot records, sorted by id, each once (owned array,
     * strings borrowed from root); none when it has no "organizations" (not collected with --org). */
    snap_org_account *org_accounts;
    size_t n_org_accounts;
    bool has_organization;       /* the snapshot records at least one Organization */
    struct snapshot_source *src; /* internal: the text, and where its resources stand */
} snapshot_doc;

/*
 * Opens the snapshot at path ("-": stdin, named "stdin" in errors) and
 * reads its envelope, checked: root, errors and the Organization are
 * filled, resources are not (snapshot_doc_each reads them). A regular
 * file is mapped, not read: its pages are given back as the resources are
 * read, so memory does not follow the file's size; stdin, a pipe or a
 * device is read into memory whole (at most SNAPSHOT_MAX_BYTES). *out
 * owned: snapshot_doc_free.
 */
int snapshot_doc_open(const char *path, snapshot_doc **out, ia_err *err);

/* What snapshot_doc_each hands each resource to: 0 to go on, or -1 with err set to stop. */
typedef int (*snapshot_resource_fn)(void *ud, const snap_resource *res, ia_err *err);

/*
 * Reads the resources of a snapshot from snapshot_doc_open, in file order,
 * each parsed, checked and given to fn(ud, res, err), then freed: res and
 * everything it points at are valid during the call only. Stops at the
 * first failure: fn's, a resource's (malformed: its index and
 * account/region; bad JSON: line:column), or a stop asked for
 * (IA_ERR_CANCELLED, util/cancel.h, looked for at every resource). Once:
 * a second call reads nothing.
 */
int snapshot_doc_each(snapshot_doc *snap, snapshot_resource_fn fn, void *ud, ia_err *err);

/*
 * Reads and checks the whole snapshot at path as snapshot_doc_open and
 * snapshot_doc_each do, keeping every resource: root then holds them, and
 * resources is their table. *out owned: snapshot_doc_free.
 */
int snapshot_doc_read(const char *path, snapshot_doc **out, ia_err *err);

/* The same over a snapshot already in memory; name is used in errors. */
int snapshot_doc_parse(const char *name, const char *text, size_t len, snapshot_doc **out, ia_err *err);

/* Frees a snapshot and everything borrowed from it. Accepts NULL. */
void snapshot_doc_free(snapshot_doc *snap);

#endif
