#include "cli/run_collect.h"

#include "aws/retry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/endpoint.h"
#include "aws/sts.h"
#include "collect/collect.h"
#include "collect/org.h"
#include "collect/regions.h"
#include "collect/targets.h"
#include "snapshot/snapshot.h"
#include "util/str.h"
#include "util/log.h"

#define MAX_REGIONS 64
/* Seconds between progress lines off a terminal: often enough that a stuck job shows, rare enough for a log.
 */
#define PROGRESS_INTERVAL_S 30

/* Where a run goes: decided from the options, the caller and the organization; freed by plan_clean_up. */
typedef struct plan {
    collect_targets targets; /* every account found; the first n_active are audited */
    size_t n_active;
    char *regions[MAX_REGIONS]; /* owned */
    size_t n_regions;
} plan;

static void plan_clean_up(plan *p)
{
    for (size_t i = 0; i < p->n_regions; i++)
        free(p->regions[i]);
    targets_free(&p->targets);
}

static int add_region(plan *p, const char *name, size_t len, ia_err *err)
{
    char *r;

    if (len == 0 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") < len)
        return err_set(err, IA_ERR_USAGE, "--regions: '%.*s' is not a region name", (int)len, name);
    for (size_t i = 0; i < p->n_regions; i++) {
        if (strlen(p->regions[i]) == len && strncmp(p->regions[i], name, len) == 0)
            return 0;
    }
    if (p->n_regions >= MAX_REGIONS)
        return err_set(err, IA_ERR_USAGE, "--regions: more than %d regions", MAX_REGIONS);
    r = str_ndup(name, len);
    if (!r)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    p->regions[p->n_regions++] = r;
    return 0;
}

/* The run's regions from one --regions value: a list, or "all" (the partition's). */
static int add_regions(plan *p, const char *spec, const char *home, ia_err *err)
{
    if (strcmp(spec, "all") == 0) {
        size_t n;
        const char *const *all = regions_all(endpoint_partition(home), &n);

        for (size_t i = 0; i < n; i++) {
            if (add_region(p, all[i], strlen(all[i]), err) != 0)
                return -1;
        }
        return 0;
    }
    while (*spec) {
        size_t len = strcspn(spec, ",");

        if (add_region(p, spec, len, err) != 0)
            return -1;
        spec += len;
        if (*spec == ',')
            spec++;
    }
    return 0;
}

/* The run's regions: those of every --regions, or the configured region. */
static int decide_regions(plan *p, const cli_list *specs, const char *home, ia_err *err)
{
    if (specs->n == 0)
        return add_region(p, home, strlen(home), err);
    for (size_t i = 0; i < specs->n; i++) {
        if (add_regions(p, specs->items[i], home, err) != 0)
            return -1;
    }
    return 0;
}

static bool excluded(const char *list, const char *id)
{
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");

        if (len == strlen(id) && strncmp(p, id, len) == 0)
            return true;
        p += len + (p[len] == ',');
    }
    return false;
}

/*
 * --org: the Organization's ACTIVE accounts, or only those under --org-unit;
 * the whole Organization, every member, is recorded in snap whichever are
 * collected (and by every shard).
 */
static int decide_org_accounts(plan *p, const collectopts *co, const awsopts *aws, const char *home,
                               snapshot *snap, ia_err *err)
{
    if (org_list(aws->client, aws->creds, home, &p->targets, &snap->organizations, err) != 0)
        return err_prefix(err, "cannot list the organization's accounts");
    if (!co->org_units.n)
        return 0;
    if (org_keep_under(aws->client, aws->creds, home, co->org_units.items, co->org_units.n,
                       snap->organizations, &p->targets, err) != 0)
        return -1;
    if (p->targets.n == 0)
        return err_set(err, IA_ERR_USAGE, "no ACTIVE account under the --org-unit OUs");
    return 0;
}

static int decide_accounts(plan *p, collectopts *co, const awsopts *aws, snapshot *snap, const char *home,
                           ia_err *err)
{
    size_t kept = 0, left = 0;

    if (co->accounts_file) {
        p->targets = co->accounts;
        memset(&co->accounts, 0, sizeof(co->accounts));
    } else if (co->org) {
        if (decide_org_accounts(p, co, aws, home, snap, err) != 0)
            return -1;
    } else if (targets_add(&p->targets, snap->caller_account, NULL, err) != 0) {
        return -1;
    }
    /* Left-out accounts, and those of the other shards, are not attempted at all, so they appear nowhere in
     * the snapshot: the ones kept move to the front (in order) and only they are handed to the collection;
     * all are freed at the end. */
    for (size_t i = 0; i < p->targets.n; i++) {
        const char *id = p->targets.items[i].id;

        if (excluded(co->exclude, id))
            continue;
        left++;
        if (!co->shard_count || snapshot_shard_of(id, co->shard_count) == co->shard_index) {
            collect_target keep = p->targets.items[i];

            p->targets.items[i] = p->targets.items[kept];
            p->targets.items[kept++] = keep;
        }
    }
    p->n_active = kept;
    if (p->targets.n == 0)
        return err_set(err, IA_ERR_AWS, "the organization lists no ACTIVE account");
    if (left == 0)
        return err_set(err, IA_ERR_USAGE, "no account left to audit after --exclude-accounts");
    /* A shard that holds none of them is no failure: the job writes an empty, complete snapshot, so that a
     * matrix of jobs does not fail for one that drew nothing. */
    return 0;
}

/* Decides the regions and the home region (STS, Organizations' partition): the configured one, else the
 * first one listed. */
static int decide_home(plan *p, const collectopts *co, const awsopts *aws, const char **home, ia_err *err)
{
    *home = aws->region;
    /* The first --regions value goes first (decide_regions skips it then: a region is added once). */
    if (!*home && co->regions.n && strcmp(co->regions.items[0], "all") != 0) {
        if (add_regions(p, co->regions.items[0], NULL, err) != 0)
            return -1;
        *home = p->regions[0];
    }
    if (!*home)
        return err_set(err, IA_ERR_USAGE,
                       "no region: use --region, AWS_REGION, AWS_DEFAULT_REGION or the profile's region");
    return decide_regions(p, &co->regions, *home, err);
}

static int learn_caller(snapshot *snap, const awsopts *aws, const char *home, ia_err *err)
{
    sts_identity id;

    str_copy(snap->partition, sizeof(snap->partition), endpoint_partition(home));
    if (sts_get_caller_identity(aws->client, aws->creds, home, &id, err) != 0)
        return err_prefix(err, "cannot tell who the caller is");
    str_copy(snap->caller_account, sizeof(snap->caller_account), id.account);
    str_copy(snap->caller_arn, sizeof(snap->caller_arn), id.arn);
    str_copy(snap->caller_user_id, sizeof(snap->caller_user_id), id.user_id);
    return 0;
}

/*
 * Seconds between progress lines when stderr is no terminal: 30, or
 * IMGAUDIT_PROGRESS_INTERVAL (1 to 86400), which CI setups and the tests use.
 */
static int progress_interval_s(void)
{
    const char *env = getenv("IMGAUDIT_PROGRESS_INTERVAL");
    long v;

    if (!env || !*env)
        return PROGRESS_INTERVAL_S;
    if (!str_to_long(env, 1, 86400, &v)) {
        log_warn("IMGAUDIT_PROGRESS_INTERVAL: '%s' is not a number of seconds from 1 to 86400; using %d", env,
                 PROGRESS_INTERVAL_S);
        return PROGRESS_INTERVAL_S;
    }
    return (int)v;
}

int run_collect(collectopts *co, snapshot *snap, ia_err *err)
{
    awsopts aws = co->aws;
    collect_options opt = {0};
    collect_targets active;
    plan p = {0};
    const char *home;
    int rc = -1;

    snap->started_at = time(NULL);
    /* Counted from the start: learning the caller and listing the Organization's accounts count too. */
    if (co->deadline_s)
        opt.deadline = collect_clock_s() + (double)co->deadline_s;
    snap->shard_index = co->shard_index;
    snap->shard_count = co->shard_count;
    aws.default_attempts = RETRY_BATCH_MAX_ATTEMPTS;
    if (awsopts_open(&aws, false, err) != 0 || decide_home(&p, co, &aws, &home, err) != 0 ||
        learn_caller(snap, &aws, home, err) != 0 || decide_accounts(&p, co, &aws, snap, home, err) != 0 ||
        snapshot_set_regions(snap, (const char *const *)p.regions, p.n_regions, err) != 0)
        goto out;

    opt.regions = (const char *const *)p.regions;
    opt.n_regions = p.n_regions;
    active = (collect_targets){p.targets.items, p.n_active};
    opt.targets = &active;
    opt.role_name = co->role_name;
    opt.external_id = co->external_id;
    opt.session_name = co->session_name;
    opt.sts_region = home;
    opt.concurrency = co->concurrency;
    if (!co->no_progress && !aws.quiet)
        opt.progress = isatty(STDERR_FILENO) ? COLLECT_PROGRESS_LIVE : COLLECT_PROGRESS_LINES;
    opt.progress_interval_s = progress_interval_s();
    rc = collect_run(aws.client, aws.creds, &opt, snap, err);
    snap->finished_at = time(NULL);
out:
    plan_clean_up(&p);
    awsopts_close(&aws);
    return rc;
}

void run_collect_summary(const snapshot *snap, bool quiet, const char *path)
{
    bool to_stdout = strcmp(path, "-") == 0;

    char shard[48] = "";

    if (quiet)
        return;
    if (snap->shard_count)
        snprintf(shard, sizeof(shard), " (shard %u/%u)", snap->shard_index, snap->shard_count);
    log_line("imgaudit: collected %zu resources from %zu account%s in %zu region%s%s; %zu error%s%s; %s %s",
             snap->n_resources, snap->n_accounts, snap->n_accounts == 1 ? "" : "s", snap->n_regions,
             snap->n_regions == 1 ? "" : "s", shard, snap->n_errors, snap->n_errors == 1 ? "" : "s",
             snap->n_errors ? " (collection incomplete)" : "", to_stdout ? "written to" : "wrote",
             to_stdout ? "stdout" : path);
}
