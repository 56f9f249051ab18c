#include "collect/regions.h"

#include <string.h>

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
