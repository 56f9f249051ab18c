#ifndef IMGAUDIT_CLI_AWSOPTS_H
#define IMGAUDIT_CLI_AWSOPTS_H

/*
 * The options every command that talks to AWS shares (--profile, --region,
 * --max-attempts, --debug, --quiet), and the objects they lead to: the
 * shared config, the client, the caller's credentials.
 */

#include <stdbool.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/creds.h"
#include "cli/opt.h"
#include "util/err.h"

typedef struct awsopts {
    const char *profile_flag; /* borrowed from argv, like the other options */
    const char *region_flag;
    int max_attempts_flag; /* 0: not given */
    int default_attempts;  /* when nothing sets it; 0: the SDKs' 3 (collect and audit set 10) */
    bool quiet; /* --quiet: no progress or summary; warnings, errors and a failed verdict still shown */
    /* Filled by awsopts_open: */
    awscfg *cfg;
    aws_client *client;
    creds_provider *creds;
    const char *profile; /* borrowed */
    const char *region;  /* borrowed; NULL when none is configured */
} awsopts;

/* The options, storing into an awsopts. --debug sets the log level as it is parsed. */
extern const cli_opt awsopts_options[];

/*
 * Loads the shared config and makes the client and the caller's credentials
 * chain. need_region: fail with IA_ERR_USAGE when no region is configured.
 * What it made (also on failure) is freed by awsopts_close.
 */
int awsopts_open(awsopts *o, bool need_region, ia_err *err);

/* Frees what awsopts_open made. */
void awsopts_close(awsopts *o);

#endif
