#ifndef IMGAUDIT_COLLECT_TARGETS_H
#define IMGAUDIT_COLLECT_TARGETS_H

/*
 * Which accounts a collection reaches: from an --accounts YAML file, or
 * discovered with Organizations ListAccounts (--org: collect/org.h).
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

typedef struct collect_target {
    char *id;          /* 12 digits */
    char *name;        /* or NULL */
    char *role_arn;    /* or NULL: the caller's own credentials, or --role-name */
    char *external_id; /* or NULL */
    char **regions;    /* or NULL: the run's regions */
    size_t n_regions;
} collect_target;

typedef struct collect_targets {
    collect_target *items; /* owned */
    size_t n;
} collect_targets;

/*
 * Reads an accounts file, in either of two forms. imgaudit's own:
 *   accounts:
 *     - id: "111122223333"
 *       name: desktops-prod          # optional
 *       role_arn: arn:aws:iam::...   # optional
 *       external_id: abc-123         # optional
 *       regions: [eu-west-1]         # optional
 * or Cloud Custodian's c7n-org form, taken when the first account has an
 * account_id: account_id, name, role (one role ARN), external_id, regions;
 * tags ("key:value" strings, or a map) are checked and left out, email and
 * vars (also at the top level) accepted and ignored. Any other key is a
 * problem in either form; regions must be known (collect/regions.h).
 * Every problem is reported at once as IA_ERR_INPUT "file:line:column: ..."
 * on stderr through log_error, each once; err holds the first (already
 * printed: the caller does not print it again). A file that cannot be read
 * or is not YAML is printed and returned the same way.
 */
int targets_load_file(const char *path, collect_targets *out, ia_err *err);

/* Adds one account (copies). */
int targets_add(collect_targets *t, const char *id, const char *name, ia_err *err);

/* Frees what t owns. */
void targets_free(collect_targets *t);

/* "arn:PARTITION:iam::ACCOUNT:role/ROLE_NAME", the role --role-name names in an account (owned; NULL: no
 * memory). */
char *targets_role_arn(const char *partition, const char *account, const char *role_name);

/* True when s is a 12-digit account id. */
bool targets_valid_account_id(const char *s);

#endif
