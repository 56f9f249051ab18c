#ifndef IMGAUDIT_CLI_AWSOPTS_H
#define IMGAUDIT_CLI_AWSOPTS_H

/*
 * The options every command that talks to AWS shares (--profile, --region,
 * --max-attempts, --debug), and the objects they lead to: the shared config,
 * the client, the caller's credentials.
 */

#include <getopt.h>
#include <stdbool.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/creds.h"
#include "util/err.h"

enum {
    AWSOPT_PROFILE = 1000,
    AWSOPT_REGION,
    AWSOPT_MAX_ATTEMPTS,
    AWSOPT_DEBUG,
    AWSOPT_QUIET,
};

/* clang-format off */
#define AWSOPTS_LONG_OPTIONS                                                      \
    {"profile", required_argument, NULL, AWSOPT_PROFILE},                         \
    {"region", required_argument, NULL, AWSOPT_REGION},                           \
    {"max-attempts", required_argument, NULL, AWSOPT_MAX_ATTEMPTS},               \
    {"debug", no_argument, NULL, AWSOPT_DEBUG},                                   \
    {"quiet", no_argument, NULL, AWSOPT_QUIET}

#define AWSOPTS_HELP                                                                                          \
    "  --profile NAME          shared config profile (default: AWS_PROFILE, then 'default')\n"               \
    "  --region REGION         region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region)\n"     \
    "  --max-attempts N        attempts per call, 1-100 (default: AWS_MAX_ATTEMPTS, the profile's\n"         \
    "                          max_attempts, else 3)\n"                                                      \
    "  --debug                 log each request (operation, endpoint, status, attempt, latency; never\n"     \
    "                          secrets)\n"                                                                   \
    "  --quiet                 no progress or warnings, errors only\n"
/* clang-format on */

typedef struct awsopts {
    const char *profile_flag;
    const char *region_flag;
    int max_attempts_flag;
    bool quiet;
    /* Filled by awsopts_open: */
    awscfg *cfg;
    aws_client *client;
    creds_provider *creds;
    const char *profile; /* borrowed */
    const char *region;  /* borrowed; NULL when none is configured */
} awsopts;

/*
 * Takes a common option. Returns 1 if it was one (and was good), 0 if it is
 * not a common option, -1 with err for a bad value.
 */
int awsopts_take(awsopts *o, int opt, const char *arg, ia_err *err);

/*
 * Loads the shared config and makes the client and the caller's credentials
 * chain. need_region: fail with IA_ERR_USAGE when no region is configured.
 */
int awsopts_open(awsopts *o, bool need_region, ia_err *err);

/* Frees what awsopts_open made. */
void awsopts_close(awsopts *o);

#endif
