#include "cli/awsopts.h"

#include <stdlib.h>
#include <string.h>

#include "aws/retry.h"
#include "collect/regions.h"
#include "util/log.h"
#include "util/str.h"

static int set_max_attempts(void *obj, const char *value, ia_err *err)
{
    return cli_opt_whole_number("max-attempts", value, 1, 100, &((awsopts *)obj)->max_attempts_flag, err);
}

static int set_region(void *obj, const char *value, ia_err *err)
{
    if (regions_check("--region", value, strlen(value), err) != 0)
        return -1;
    ((awsopts *)obj)->region_flag = value;
    return 0;
}

static int set_debug(void *obj, const char *value, ia_err *err)
{
    (void)obj;
    (void)value;
    (void)err;
    log_set_level(LOG_DEBUG);
    return 0;
}

const cli_opt awsopts_options[] = {
    {"profile", 0, "NAME", CLI_STRING(awsopts, profile_flag), 0,
     "shared config profile (default: AWS_PROFILE, AWS_DEFAULT_PROFILE,\nthen 'default')"},
    {"region", 0, "REGION", CLI_CALL(set_region), 0,
     "region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region)"},
    {"max-attempts", 0, "N", CLI_CALL(set_max_attempts), 0,
     "attempts per call, 1-100 (default: AWS_MAX_ATTEMPTS, the profile's\nmax_attempts, else 10 for collect "
     "and\naudit, 3 for whoami)"},
    {"debug", 0, NULL, CLI_CALL(set_debug), 0,
     "log each request (operation, endpoint, status, attempt, latency; never\nsecrets)"},
    {"quiet", 0, NULL, CLI_BOOL(awsopts, quiet), 0,
     "no progress, no summary: silent when all is well; warnings, errors\nand a failed run's verdict (one "
     "line) "
     "still on stderr"},
    {0},
};

int awsopts_open(awsopts *o, bool need_region, ia_err *err)
{
    aws_client_options copt = {0};
    const char *base_ms = getenv("IMGAUDIT_RETRY_BASE_MS");
    long v;

    if (awscfg_load(&o->cfg, NULL, NULL, err) != 0)
        return -1;
    o->profile = awscfg_profile_name(o->profile_flag);
    o->region = awscfg_region(o->cfg, o->profile, o->region_flag);
    if (need_region && !o->region)
        return err_set(err, IA_ERR_USAGE,
                       "no region: use --region, AWS_REGION, AWS_DEFAULT_REGION or the profile's region");
    copt.cfg = o->cfg;
    copt.profile = o->profile;
    if (retry_max_attempts(o->max_attempts_flag, awscfg_get(o->cfg, o->profile, "max_attempts"),
                           o->default_attempts, &copt.max_attempts, err) != 0)
        return -1;
    /* Test knob: the fault-injection tests shorten backoff so that they run in seconds. */
    if (base_ms && str_to_long(base_ms, 1, RETRY_DEFAULT_BASE_MS, &v))
        copt.retry_base_ms = v;
    if (aws_client_new(&o->client, &copt, err) != 0)
        return -1;
    return creds_chain_new(&o->creds, o->client, o->cfg, o->profile_flag, o->region ? o->region : "us-east-1",
                           err);
}

void awsopts_close(awsopts *o)
{
    creds_provider_free(o->creds);
    o->creds = NULL;
    aws_client_free(o->client);
    o->client = NULL;
    awscfg_free(o->cfg);
    o->cfg = NULL;
}
