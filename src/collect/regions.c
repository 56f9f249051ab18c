#include "collect/regions.h"

#include <string.h>

#include "util/nearest.h"

static const char *const workspaces_regions[] = {
    "af-south-1",     "ap-northeast-1", "ap-northeast-2",
    "ap-south-1",     "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-5", "ca-central-1",   "cn-northwest-1",
    "eu-central-1",   "eu-west-1",      "eu-west-2",
    "eu-west-3",      "il-central-1",   "sa-east-1",
    "us-east-1",      "us-east-2",      "us-gov-east-1",
    "us-gov-west-1",  "us-west-2",      NULL,
};

static const char *const appstream_regions[] = {
    "ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-5",
    "ca-central-1",   "eu-central-1",   "eu-south-1", "eu-south-2",     "eu-west-1",      "eu-west-2",
    "eu-west-3",      "il-central-1",   "sa-east-1",  "us-east-1",      "us-east-2",      "us-gov-east-1",
    "us-gov-west-1",  "us-west-2",      NULL,
};

/* The union of both lists, sorted, per partition. */
static const char *const all_aws[] = {
    "af-south-1",     "ap-northeast-1", "ap-northeast-2", "ap-south-1",   "ap-southeast-1",
    "ap-southeast-2", "ap-southeast-5", "ca-central-1",   "eu-central-1", "eu-south-1",
    "eu-south-2",     "eu-west-1",      "eu-west-2",      "eu-west-3",    "il-central-1",
    "sa-east-1",      "us-east-1",      "us-east-2",      "us-west-2",
};
static const char *const all_cn[] = {"cn-northwest-1"};
static const char *const all_gov[] = {"us-gov-east-1", "us-gov-west-1"};

/*
 * Every region of the partitions imgaudit reaches, from botocore's
 * data/partitions.json (aws, aws-cn, aws-us-gov; 2026-08): a name outside
 * this list is a typo, which would otherwise be collected as "not offered
 * here" and the run called complete.
 */
static const char *const known_regions[] = {
    "af-south-1",     "ap-east-1",      "ap-east-2",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-south-1",     "ap-south-2",     "ap-southeast-1",
    "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
    "ca-central-1",   "ca-west-1",      "eu-central-1",
    "eu-central-2",   "eu-north-1",     "eu-south-1",
    "eu-south-2",     "eu-west-1",      "eu-west-2",
    "eu-west-3",      "il-central-1",   "me-central-1",
    "me-south-1",     "mx-central-1",   "sa-east-1",
    "us-east-1",      "us-east-2",      "us-west-1",
    "us-west-2",      "cn-north-1",     "cn-northwest-1",
    "us-gov-east-1",  "us-gov-west-1",  NULL,
};

static bool listed(const char *const *list, const char *region)
{
    for (size_t i = 0; list[i]; i++) {
        if (strcmp(list[i], region) == 0)
            return true;
    }
    return false;
}

bool regions_offers(region_service svc, const char *region)
{
    return listed(svc == REGION_WORKSPACES ? workspaces_regions : appstream_regions, region);
}

const char *const *regions_all(const char *partition, size_t *n_out)
{
    if (strcmp(partition, "aws-cn") == 0) {
        *n_out = sizeof(all_cn) / sizeof(all_cn[0]);
        return all_cn;
    }
    if (strcmp(partition, "aws-us-gov") == 0) {
        *n_out = sizeof(all_gov) / sizeof(all_gov[0]);
        return all_gov;
    }
    *n_out = sizeof(all_aws) / sizeof(all_aws[0]);
    return all_aws;
}

bool regions_known(const char *region, size_t len)
{
    for (size_t i = 0; known_regions[i]; i++) {
        if (strlen(known_regions[i]) == len && strncmp(known_regions[i], region, len) == 0)
            return true;
    }
    return false;
}

int regions_check(const char *what, const char *region, size_t len, ia_err *err)
{
    nearest near;

    if (regions_known(region, len))
        return 0;
    nearest_init(&near, region, len);
    for (size_t i = 0; known_regions[i]; i++)
        nearest_offer(&near, known_regions[i]);
    if (nearest_found(&near))
        return err_set(err, IA_ERR_USAGE, "%s: unknown region '%.*s' (did you mean '%s'?)", what,
                       (int)(len > 64 ? 64 : len), region, nearest_found(&near));
    return err_set(err, IA_ERR_USAGE, "%s: unknown region '%.*s'", what, (int)(len > 64 ? 64 : len), region);
}
