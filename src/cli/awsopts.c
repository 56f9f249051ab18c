#include "cli/awsopts.h"

#include <stdlib.h>
#include <string.h>

#include "aws/retry.h"
#include "util/log.h"
#include "util/str.h"

int awsopts_take(awsopts *o, int opt, const char *arg, ia_err *err)
{
    long v;

    switch (opt) {
    case AWSOPT_PROFILE: o->profile_flag = arg; return 1;
    case AWSOPT_REGION: o->region_flag = arg; return 1;
    case AWSOPT_MAX_ATTEMPTS:
        if (!str_to_long(arg, 1, 100, &v))
            return err_set(err, IA_ERR_USAGE, "--max-attempts: '%s' is not a whole number from 1 to 100",
                           arg);
        o->max_attempts_flag = (int)v;
        return 1;
    case AWSOPT_DEBUG: log_set_level(LOG_DEBUG); return 1;
    case AWSOPT_QUIET:
        o->quiet = true;
        if (log_get_level() != LOG_DEBUG)
            log_set_level(LOG_ERROR);
        return 1;
    default: return 0;
    }
}

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
                           &copt.max_attempts, err) != 0)
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
