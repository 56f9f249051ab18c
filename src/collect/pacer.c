#include "collect/pacer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/cancel.h"
#include "util/str.h"

/*
 * Lanes are (service, region, account): 5,000 accounts x 2 services x every region is 190,000 of them. They
 * live in an open-addressing hash table that doubles when 3/4 full, so a lookup costs the same however many
 * accounts an audit reaches.
 */
#define MAX_LANES   (1u << 20)
#define FIRST_SLOTS 1024u
/* Multiplicative decrease on a throttle (0.7, as the SDKs' CUBIC-based adaptive mode), additive increase
 * (requests per second) on each success. */
#define PACER_DECREASE 0.7
#define PACER_INCREASE 1.0

typedef struct lane {
    char key[96]; /* "service/region/account"; "" for an empty slot */
    double rps;
    double next_free; /* monotonic seconds when the next attempt may start */
} lane;

struct pacer {
    pthread_mutex_t lock;
    pacer_options opt;
    lane *slots; /* owned; n_slots, a power of two */
    size_t n_slots;
    size_t n_lanes;
};

static size_t hash_key(const char *key)
{
    size_t h = 14695981039346656037u; /* FNV-1a */

    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    return h;
}

/* The slot holding key, or the empty slot where it belongs. */
static lane *probe(lane *slots, size_t n_slots, const char *key)
{
    size_t i = hash_key(key) & (n_slots - 1);

    while (slots[i].key[0] && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (n_slots - 1);
    return &slots[i];
}

/* Doubles the table. False when memory runs out or the ceiling is reached (then: no new lanes). */
static bool grow(pacer *p)
{
    size_t n = p->n_slots * 2;
    lane *slots;

    if (n > MAX_LANES * 2)
        return false;
    slots = calloc(n, sizeof(*slots));
    if (!slots)
        return false;
    for (size_t i = 0; i < p->n_slots; i++) {
        if (p->slots[i].key[0])
            *probe(slots, n, p->slots[i].key) = p->slots[i];
    }
    free(p->slots);
    p->slots = slots;
    p->n_slots = n;
    return true;
}

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
    p->slots = calloc(FIRST_SLOTS, sizeof(*p->slots));
    if (!p->slots) {
        free(p);
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    }
    p->n_slots = FIRST_SLOTS;
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
    free(p->slots);
    free(p);
}

/* The lane for a service and region, made on first use; NULL when the table is full (then: no pacing). */
/* The lane for a service, region and account, made on first use; NULL when none can be made (then: no
 * pacing). */
static lane *find_lane(pacer *p, const char *service_id, const char *region, const char *account, bool create)
{
    char key[96];
    lane *l;

    snprintf(key, sizeof(key), "%s/%s/%s", service_id, region, account ? account : "");
    l = probe(p->slots, p->n_slots, key);
    if (l->key[0] || !create)
        return l->key[0] ? l : NULL;
    if ((p->n_lanes + 1) * 4 > p->n_slots * 3) {
        if (!grow(p))
            return NULL;
        l = probe(p->slots, p->n_slots, key);
    }
    str_copy(l->key, sizeof(l->key), key);
    l->rps = p->opt.start_rps;
    l->next_free = 0;
    p->n_lanes++;
    return l;
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
