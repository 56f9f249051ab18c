#ifndef IMGAUDIT_COLLECT_REGIONS_H
#define IMGAUDIT_COLLECT_REGIONS_H

/*
 * Where WorkSpaces and AppStream 2.0 are offered: a built-in list, taken from
 * the AWS SDKs' endpoint data (botocore data/endpoints.json, services
 * "workspaces" and "appstream2"). A service not offered in a region is
 * skipped there, not reported as an error.
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

typedef enum region_service { REGION_WORKSPACES, REGION_APPSTREAM } region_service;

/* True when the service is offered in region. */
bool regions_offers(region_service svc, const char *region);

/*
 * Every region of partition ("aws", "aws-cn", "aws-us-gov") where either
 * service is offered, in name order; borrowed static strings. *n_out gets the count.
 */
const char *const *regions_all(const char *partition, size_t *n_out);

/*
 * True when region[0..len) names a region of the aws, aws-cn or aws-us-gov
 * partition (botocore data/partitions.json), whether or not either service
 * is offered there.
 */
bool regions_known(const char *region, size_t len);

/*
 * Checks that region[0..len) is a known region; what names where it was
 * given ("--regions", "FILE:LINE:COL"). 0, or -1 with err (IA_ERR_USAGE):
 * "WHAT: unknown region 'eu-centrl-1' (did you mean 'eu-central-1'?)", the
 * suggestion when a known region is close.
 */
int regions_check(const char *what, const char *region, size_t len, ia_err *err);

#endif
