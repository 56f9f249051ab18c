#ifndef IMGAUDIT_CLI_COLLECTOPTS_H
#define IMGAUDIT_CLI_COLLECTOPTS_H

/*
 * The options of a collection (shared by `collect` and `audit`) and the run
 * they describe: open the AWS session, learn who the caller is, decide the
 * accounts and regions, collect into a snapshot.
 */

#include <stdbool.h>

#include "cli/awsopts.h"
#include "snapshot/write.h"
#include "collect/targets.h"

enum {
    COLLECTOPT_ACCOUNTS = 1100,
    COLLECTOPT_ORG,
    COLLECTOPT_ROLE_NAME,
    COLLECTOPT_EXTERNAL_ID,
    COLLECTOPT_SESSION_NAME,
    COLLECTOPT_REGIONS,
    COLLECTOPT_CONCURRENCY,
    COLLECTOPT_NO_PROGRESS,
    COLLECTOPT_EXCLUDE,
};

/* clang-format off */
#define COLLECTOPTS_LONG_OPTIONS                                                  \
    {"accounts", required_argument, NULL, COLLECTOPT_ACCOUNTS},                   \
    {"org", no_argument, NULL, COLLECTOPT_ORG},                                   \
    {"exclude-accounts", required_argument, NULL, COLLECTOPT_EXCLUDE},            \
    {"role-name", required_argument, NULL, COLLECTOPT_ROLE_NAME},                 \
    {"external-id", required_argument, NULL, COLLECTOPT_EXTERNAL_ID},             \
    {"session-name", required_argument, NULL, COLLECTOPT_SESSION_NAME},           \
    {"regions", required_argument, NULL, COLLECTOPT_REGIONS},                     \
    {"concurrency", required_argument, NULL, COLLECTOPT_CONCURRENCY},             \
    {"no-progress", no_argument, NULL, COLLECTOPT_NO_PROGRESS}

#define COLLECTOPTS_HELP                                                                                      \
    "  --accounts FILE         accounts to audit (YAML: accounts: [{id, name, role_arn, external_id,\n"       \
    "                          regions}])\n"                                                                  \
    "  --org                   every ACTIVE account of the AWS Organization (Organizations ListAccounts)\n"  \
    "  --exclude-accounts LIST comma-separated account ids to leave out (sandboxes, say)\n"                   \
    "  --role-name NAME        role to assume in each account: arn:<partition>:iam::<id>:role/NAME\n"        \
    "  --external-id ID        ExternalId for AssumeRole (an account's own external_id wins)\n"              \
    "  --session-name NAME     role session name (default imgaudit)\n"                                       \
    "  --regions LIST|all      comma-separated regions, or every region offering WorkSpaces or AppStream\n"  \
    "                          (default: the configured region)\n"                                           \
    "  --concurrency N         requests in flight at once, 1-256 (default 16)\n"                             \
    "  --no-progress           no live progress line (it is drawn only on a terminal anyway)\n"
/* clang-format on */

typedef struct collectopts {
    awsopts aws;
    const char *accounts_file;
    bool org;
    const char *role_name;
    const char *external_id;
    const char *session_name;
    const char *regions_spec;
    const char *exclude; /* --exclude-accounts, comma-separated */
    int concurrency;
    bool no_progress;
    /* The run */
    collect_targets targets; /* every account found; the first n_active are audited */
    size_t n_active;
    char **regions; /* owned */
    size_t n_regions;
    snapshot snap;
} collectopts;

void collectopts_init(collectopts *co);

/* Takes a collection or AWS option: 1 taken, 0 not one of ours, -1 bad value (err). */
int collectopts_take(collectopts *co, int opt, const char *arg, ia_err *err);

/* Checks the options fit together (IA_ERR_USAGE). */
int collectopts_check(const collectopts *co, ia_err *err);

/* Opens the session and collects into co->snap. -1 with err when it cannot run or was interrupted. */
int collectopts_run(collectopts *co, ia_err *err);

/* Writes co->snap to path ("-": stdout). */
int collectopts_write(collectopts *co, const char *path, ia_err *err);

/* One line on stderr, unless --quiet: what was collected, what failed, where it went. */
void collectopts_summary(const collectopts *co, const char *path);

void collectopts_clean_up(collectopts *co);

#endif
