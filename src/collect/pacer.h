#ifndef IMGAUDIT_COLLECT_PACER_H
#define IMGAUDIT_COLLECT_PACER_H

/*
 * An adaptive rate limit per service, region and account (the scope of AWS's
 * own API rate limits), so that a storm of throttles does not become a storm
 * of retries. Each lane has a request rate; every attempt waits for its
 * slot. A throttled attempt cuts the rate by 30% (down to a floor); each
 * success raises it a little (up to a ceiling): additive increase,
 * multiplicative decrease, as TCP and the SDKs' adaptive retry mode do.
 * Plugs into the client as an aws_pacer.
 */

#include "aws/client.h"

typedef struct pacer pacer;

typedef struct pacer_options {
    double start_rps; /* initial requests per second per lane; 0: 20 */
    double min_rps;   /* floor; 0: 1 */
    double max_rps;   /* ceiling; 0: 200 */
} pacer_options;

/* Makes a pacer (owned: pacer_free). */
int pacer_new(pacer **out, const pacer_options *opt, ia_err *err);

/* Frees it. Accepts NULL. */
void pacer_free(pacer *p);

/* The aws_pacer hooks for aws_client_set_pacer; p must outlive the client's calls. */
aws_pacer pacer_hooks(pacer *p);

/* The current rate of a lane (tests). 0 when never used. */
double pacer_rate(pacer *p, const char *service_id, const char *region, const char *account);

#endif
