#include "collect/pacer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/cancel.h"
#include "util/str.h"

/* Lanes are (service, region, account); an audit of 1,000 accounts x 2 services x 4 regions fits. */
#define MAX_LANES 16384
/* Multiplicative decrease on a throttle (0.7, as the SDKs' CUBIC-based adaptive mode), additive increase
 * (requests per second) on each success. */
#define PACER_DECREASE 0.7
#define PACER_INCREASE 1.0

typedef struct lane {
    char key[96]; /* "service/region/account" */
    double rps;
    double next_free; /* monotonic seconds when the next attempt may start */
} lane;

struct pacer {
    pthread_mutex_t lock;
    pacer_options opt;
    lane lanes[MAX_LANES];
    size_t n_lanes;
};

static double mono_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int pacer_new(pacer **out, const pacer_options *opt, ia_err *err)
{
    pacer *p = calloc(1, sizeof(*p));

    if (!p)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&p->lock, NULL);
    p->opt = *opt;
    if (p->opt.start_rps <= 0)
        p->opt.start_rps = 20;
    if (p->opt.min_rps <= 0)
        p->opt.min_rps = 1;
    if (p->opt.max_rps <= 0)
        p->opt.max_rps = 200;
    *out = p;
    return 0;
}

void pacer_free(pacer *p)
{
    if (!p)
        return;
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* The lane for a service and region, made on first use; NULL when the table is full (then: no pacing). */
static lane *find_lane(pacer *p, const char *service_id, const char *region, const char *account, bool create)
{
    char key[96];

    snprintf(key, sizeof(key), "%s/%s/%s", service_id, region, account ? account : "");
    for (size_t i = 0; i < p->n_lanes; i++) {
        if (strcmp(p->lanes[i].key, key) == 0)
            return &p->lanes[i];
    }
    if (!create || p->n_lanes >= MAX_LANES)
        return NULL;
    str_copy(p->lanes[p->n_lanes].key, sizeof(p->lanes[0].key), key);
    p->lanes[p->n_lanes].rps = p->opt.start_rps;
    p->lanes[p->n_lanes].next_free = 0;
    return &p->lanes[p->n_lanes++];
}

static bool pacer_wait(void *ud, const aws_service *svc, const char *region, const char *account)
{
    pacer *p = ud;
    double now, slot;
    lane *l;

    pthread_mutex_lock(&p->lock);
    l = find_lane(p, svc->id, region, account, true);
    now = mono_now();
    slot = now;
    if (l) {
        if (l->next_free > slot)
            slot = l->next_free;
        l->next_free = slot + 1.0 / l->rps;
    }
    pthread_mutex_unlock(&p->lock);
    if (slot > now)
        return cancel_sleep_ms((long)((slot - now) * 1000.0) + 1);
    return !cancel_requested();
}

static void pacer_done(void *ud, const aws_service *svc, const char *region, const char *account,
                       bool throttled)
{
    pacer *p = ud;
    lane *l;

    pthread_mutex_lock(&p->lock);
    l = find_lane(p, svc->id, region, account, false);
    if (l) {
        if (throttled) {
            l->rps *= PACER_DECREASE;
            if (l->rps < p->opt.min_rps)
                l->rps = p->opt.min_rps;
        } else {
            l->rps += PACER_INCREASE;
            if (l->rps > p->opt.max_rps)
                l->rps = p->opt.max_rps;
        }
    }
    pthread_mutex_unlock(&p->lock);
}

aws_pacer pacer_hooks(pacer *p)
{
    aws_pacer hooks = {pacer_wait, pacer_done, p};

    return hooks;
}

double pacer_rate(pacer *p, const char *service_id, const char *region, const char *account)
{
    double rate = 0;
    lane *l;

    pthread_mutex_lock(&p->lock);
    l = find_lane(p, service_id, region, account, false);
    if (l)
        rate = l->rps;
    pthread_mutex_unlock(&p->lock);
    return rate;
}
