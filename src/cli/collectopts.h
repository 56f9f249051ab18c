#ifndef IMGAUDIT_CLI_COLLECTOPTS_H
#define IMGAUDIT_CLI_COLLECTOPTS_H

/*
 * The options of a collection, shared by `collect` and `audit`: which
 * accounts, how to reach them, which regions, how fast. The run itself is
 * run_collect.h.
 */

#include <stdbool.h>

#include "cli/awsopts.h"
#include "cli/opt.h"
#include "util/err.h"

typedef struct collectopts {
    awsopts aws;               /* its options are a group of their own (awsopts_options) */
    const char *accounts_file; /* the strings are borrowed from argv */
    bool org;
    const char *role_name;
    const char *external_id;
    const char *session_name;
    const char *regions_spec;
    const char *exclude; /* --exclude-accounts, comma-separated */
    int concurrency;
    bool no_progress;
} collectopts;

/* The options, storing into a collectopts (not its aws: awsopts_options does that). */
extern const cli_opt collectopts_options[];

/* Sets the defaults. */
void collectopts_init(collectopts *co);

/* Checks the options fit together (IA_ERR_USAGE). */
int collectopts_check(const collectopts *co, ia_err *err);

#endif
