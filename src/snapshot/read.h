#ifndef IMGAUDIT_SNAPSHOT_READ_H
#define IMGAUDIT_SNAPSHOT_READ_H

/*
 * Reading a snapshot (docs/snapshot.md) back for evaluation: one bounded
 * read, one cJSON parse, then a table of resources that evaluation walks.
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
    cJSON *root;              /* owned: the whole document */
    snap_resource *resources; /* owned array; strings and data borrowed from root */
    size_t n_resources;
    const cJSON *errors; /* the "errors" array, borrowed from root; NULL when absent */
    /* The members of every Organization the snapshot records, sorted by id, each once (owned array,
     * strings borrowed from root); none when it has no "organizations" (not collected with --org). */
    snap_org_account *org_accounts;
    size_t n_org_accounts;
    bool has_organization; /* the snapshot records at least one Organization */
} snapshot_doc;

/* Reads and checks the snapshot at path ("-": stdin, named "stdin" in errors). *out owned: snapshot_doc_free.
 */
int snapshot_doc_read(const char *path, snapshot_doc **out, ia_err *err);

/* The same over a snapshot already in memory; name is used in errors. */
int snapshot_doc_parse(const char *name, const char *text, size_t len, snapshot_doc **out, ia_err *err);

/* Frees a snapshot and everything borrowed from it. Accepts NULL. */
void snapshot_doc_free(snapshot_doc *snap);

#endif
