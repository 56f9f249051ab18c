#ifndef IMGAUDIT_SNAPSHOT_MERGE_H
#define IMGAUDIT_SNAPSHOT_MERGE_H

/*
 * Joining snapshots collected apart (partitions, Organizations, shards of
 * one Organization) into one that evaluation judges as a whole
 * (docs/snapshot.md, "Merged snapshots"; docs/sharding.md).
 */

#include <stddef.h>

#include "snapshot/write.h"
#include "util/err.h"

/*
 * Reads each of the n snapshots at paths (snapshot/read.h: bounded, errors
 * as file:line:col) and adds what they hold to out (snapshot_init'ed by the
 * caller, who keeps it: snapshot_clean_up; snapshot_write writes it in the
 * collector's order). Resources, errors and accounts are unioned; the times
 * span the parts; regions are unioned in the order the parts list them; the
 * caller and partition are the parts' common ones, else the first part's
 * caller and "mixed", with every one of them in out->callers and
 * out->partitions; "organizations" are unioned by Organization id, their
 * members by account id (the first part to list one gives its name and
 * state), into out->organizations (NULL when no part has one). One part at
 * a time is held in memory besides out.
 *
 * Refused (-1, IA_ERR_INPUT naming the file): a part that is not a snapshot
 * or whose metadata is malformed; an (account, region) pair two parts both
 * collected (naming the account, the region and both files); a resource or
 * error outside the pairs its part collected; a part of `collect --shard K/N`
 * holding an account that does not hash to K.
 *
 * Shards missing from a split (the parts of one caller and partition that
 * declare the same N) are each logged as a warning and recorded as an error
 * of out (code ShardMissing), so that the merged snapshot is incomplete.
 * out itself is never a shard.
 */
int snapshot_merge(const char *const *paths, size_t n, snapshot *out, ia_err *err);

#endif
