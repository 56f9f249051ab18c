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

typedef enum region_service { REGION_WORKSPACES, REGION_APPSTREAM } region_service;

/* True when the service is offered in region. */
bool regions_offers(region_service svc, const char *region);

/*
 * Every region of partition ("aws", "aws-cn", "aws-us-gov") where either
 * service is offered, in name order; borrowed static strings. *n_out gets the count.
 */
const char *const *regions_all(const char *partition, size_t *n_out);

#endif
