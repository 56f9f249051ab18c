#ifndef IMGAUDIT_REPORT_FINDING_H
#define IMGAUDIT_REPORT_FINDING_H

/*
 * What every writer says of one result beyond the model itself: its
 * finding_id, the same in every run for the same rule and resource, so that
 * a ticket or a spreadsheet row can follow a finding across runs; and the
 * waiver that waived it.
 *
 * The finding_id recipe (docs/rules.md, "finding_id"), for anyone who
 * recomputes it: SHA-256 over the rule id, account, region, resource type and
 * resource id, in that order, each followed by one NUL byte (a missing field
 * is empty); the first 16 bytes of the digest as 32 lowercase hex digits. In
 * Python: hashlib.sha256(b"".join(f.encode() + b"\0" for f in fields))
 * .hexdigest()[:32].
 */

#include <openssl/types.h>

#include "report/tally.h"
#include "rules/results.h"

/* 32 hex digits and the terminating NUL. */
#define FINDING_ID_SIZE 33

/*
 * SHA-256 fetched once and one digest context, reused for every finding_id a
 * writer computes (looking the algorithm up for each id costs more than the
 * hashing itself).
 */
typedef struct finding_hasher {
    EVP_MD *md;      /* owned */
    EVP_MD_CTX *ctx; /* owned */
} finding_hasher;

/* Returns 0, or -1 when OpenSSL fails (h is then cleaned up). */
int finding_hasher_init(finding_hasher *h);
/* Frees what h holds; h may be cleaned up twice. */
void finding_hasher_clean_up(finding_hasher *h);

/*
 * Writes the finding_id of those five fields (any may be NULL: empty) into
 * out. Returns 0, or -1 when OpenSSL fails (out is then "").
 */
int finding_id(finding_hasher *h, const char *rule, const char *account, const char *region,
               const char *resource_type, const char *resource_id, char out[FINDING_ID_SIZE]);

/* The finding_id of result it of r: its rule's id and its resource's account, region, type and id. */
int finding_id_of(finding_hasher *h, const results *r, const result *it, char out[FINDING_ID_SIZE]);

/* The waiver that waived result it of r (borrowed), or NULL when it is not waived. */
const waiver_info *finding_waiver(const results *r, const result *it);

#endif
