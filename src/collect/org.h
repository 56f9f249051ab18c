#ifndef IMGAUDIT_COLLECT_ORG_H
#define IMGAUDIT_COLLECT_ORG_H

/*
 * The AWS Organization as `collect --org` reads it: every member account
 * (Organizations ListAccounts, every page), recorded in the snapshot's
 * "organizations" (docs/snapshot.md), the ACTIVE ones to collect from, and
 * the accounts under given OUs or roots (ListChildren and
 * ListAccountsForParent, recursively) for `--org-unit`.
 */

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "aws/client.h"
#include "collect/targets.h"
#include "util/err.h"

/* What an Organizations account ARN names. */
typedef struct org_account_arn {
    char organization[36]; /* o- and 10 to 32 of [a-z0-9] */
    char management[13];   /* the management account: 12 digits */
    char account[13];      /* the member: 12 digits */
} org_account_arn;

/*
 * Reads arn:PARTITION:organizations::MANAGEMENT:account/o-ID/ACCOUNT (the
 * Organizations model's AccountArn, any partition) into out. False, out
 * unspecified, when arn is anything else.
 */
bool org_parse_account_arn(const char *arn, org_account_arn *out);

/* True for an OU id (^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$) or a root id (^r-[0-9a-z]{4,32}$). */
bool org_valid_parent_id(const char *s);

/*
 * Takes one ListAccounts answer page: every account goes into organizations
 * (an array of {"id", "management_account", "accounts": [{"id", "name",
 * "state"}]}, one entry per Organization, members in the order given, the
 * writer sorts them), and the ACTIVE ones are added to active. state is the
 * account's State, else its Status. IA_ERR_PROTOCOL naming ListAccounts and
 * what is wrong for an account without a 12-digit Id, without State or
 * Status, or whose Arn is not an account ARN of that Id: nothing of an
 * Organization is guessed or left out.
 */
int org_take_accounts_page(const cJSON *answer, cJSON *organizations, collect_targets *active, ia_err *err);

/*
 * Lists the Organization (ListAccounts, every page), signed with creds;
 * region selects the partition. *organizations (owned: cJSON_Delete) as
 * org_take_accounts_page makes it; active gets the ACTIVE accounts (owned:
 * targets_free). Nothing is kept on failure.
 */
int org_list(aws_client *c, creds_provider *creds, const char *region, collect_targets *active,
             cJSON **organizations, ia_err *err);

/*
 * Keeps in targets (in their order) only the accounts under the n OUs or
 * roots of units, at any depth (ListAccountsForParent of each, ListChildren
 * of type ORGANIZATIONAL_UNIT to go down, every page); the others are freed.
 * The units are recorded as "org_units" in each entry of organizations (as
 * org_list made it). An OU that does not exist is an IA_ERR_AWS error naming
 * it ("--org-unit ou-...: no such OU or root in the Organization").
 */
int org_keep_under(aws_client *c, creds_provider *creds, const char *region, const char *const *units,
                   size_t n, cJSON *organizations, collect_targets *targets, ia_err *err);

#endif
