#ifndef IMGAUDIT_RULES_SNAPSHOT_READ_H
#define IMGAUDIT_RULES_SNAPSHOT_READ_H

/*
 * Reading a snapshot (docs/snapshot.md) back for evaluation: one bounded
 * read, one cJSON parse, then a table of resources that evaluation walks.
 * A malformed snapshot is one IA_ERR_INPUT error naming the file and, for
 * JSON syntax, line:column; for a bad resource, its index and account/region.
 */

#include <stddef.h>

#include <cjson/cJSON.h>

#include "rules/results.h"
#include "util/err.h"

/* Largest snapshot read: about 1,000,000 resources with room to spare. */
#define RULES_SNAPSHOT_MAX_BYTES ((size_t)4 * 1024 * 1024 * 1024)

/* The snapshot schema version this reader understands. */
#define RULES_SNAPSHOT_SCHEMA_VERSION 1

typedef struct rules_snapshot {
    cJSON *root;             /* owned: the whole document */
    resource_ref *resources; /* owned array; strings and data borrowed from root */
    size_t n_resources;
    const cJSON *errors; /* the "errors" array, borrowed from root; NULL when absent */
} rules_snapshot;

/* Reads and checks the snapshot at path ("-" for stdin is not supported). *out owned: rules_snapshot_free. */
int rules_snapshot_read(const char *path, rules_snapshot **out, ia_err *err);

/* The same over a snapshot already in memory; name is used in errors. */
int rules_snapshot_parse(const char *name, const char *text, size_t len, rules_snapshot **out, ia_err *err);

/* Frees a snapshot and everything borrowed from it. Accepts NULL. */
void rules_snapshot_free(rules_snapshot *snap);

#endif
