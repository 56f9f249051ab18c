#include "cli/collectopts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/endpoint.h"
#include "aws/sts.h"
#include "collect/collect.h"
#include "collect/regions.h"
#include "util/log.h"
#include "util/str.h"

#define DEFAULT_CONCURRENCY 16
#define MAX_REGIONS         64

void collectopts_init(collectopts *co)
{
    memset(co, 0, sizeof(*co));
    co->concurrency = DEFAULT_CONCURRENCY;
    snapshot_init(&co->snap);
}

int collectopts_take(collectopts *co, int opt, const char *arg, ia_err *err)
{
    long v;

    switch (opt) {
    case COLLECTOPT_ACCOUNTS: co->accounts_file = arg; return 1;
    case COLLECTOPT_ORG: co->org = true; return 1;
    case COLLECTOPT_ROLE_NAME: co->role_name = arg; return 1;
    case COLLECTOPT_EXTERNAL_ID: co->external_id = arg; return 1;
    case COLLECTOPT_SESSION_NAME: co->session_name = arg; return 1;
    case COLLECTOPT_REGIONS: co->regions_spec = arg; return 1;
    case COLLECTOPT_NO_PROGRESS: co->no_progress = true; return 1;
    case COLLECTOPT_EXCLUDE: co->exclude = arg; return 1;
    case COLLECTOPT_CONCURRENCY:
        if (!str_to_long(arg, 1, 256, &v))
            return err_set(err, IA_ERR_USAGE, "--concurrency: '%s' is not a whole number from 1 to 256", arg);
        co->concurrency = (int)v;
        return 1;
    default: return awsopts_take(&co->aws, opt, arg, err);
    }
}

int collectopts_check(const collectopts *co, ia_err *err)
{
    if (co->org && co->accounts_file)
        return err_set(err, IA_ERR_USAGE, "--org and --accounts cannot be used together");
    if (co->role_name && (!co->role_name[0] || strchr(co->role_name, ':')))
        return err_set(err, IA_ERR_USAGE, "--role-name takes a role name, not an ARN");
    /* The STS model's limits: AWS would refuse every AssumeRole otherwise. */
    if (co->session_name && !sts_valid_session_name(co->session_name))
        return err_set(err, IA_ERR_USAGE, "--session-name: 2 to 64 of letters, digits and +=,.@_-");
    if (co->external_id && !sts_valid_external_id(co->external_id))
        return err_set(err, IA_ERR_USAGE, "--external-id: 2 to 1224 of letters, digits and +=,.@:/_-");
    for (const char *p = co->exclude; p && *p;) {
        size_t len = strcspn(p, ",");

        if (len != 12 || strspn(p, "0123456789") < 12)
            return err_set(err, IA_ERR_USAGE, "--exclude-accounts: '%.*s' is not a 12-digit account id",
                           (int)len, p);
        p += len + (p[len] == ',');
    }
    return 0;
}

static int add_region(collectopts *co, const char *name, size_t len, ia_err *err)
{
    char *r;

    if (len == 0 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") < len)
        return err_set(err, IA_ERR_USAGE, "--regions: '%.*s' is not a region name", (int)len, name);
    for (size_t i = 0; i < co->n_regions; i++) {
        if (strlen(co->regions[i]) == len && strncmp(co->regions[i], name, len) == 0)
            return 0;
    }
    if (co->n_regions >= MAX_REGIONS)
        return err_set(err, IA_ERR_USAGE, "--regions: more than %d regions", MAX_REGIONS);
    r = str_ndup(name, len);
    if (!r)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    co->regions[co->n_regions++] = r;
    return 0;
}

/* The run's regions: --regions LIST, --regions all (the partition's), or the configured region. */
static int decide_regions(collectopts *co, const char *home, ia_err *err)
{
    const char *spec = co->regions_spec;

    co->regions = calloc(MAX_REGIONS, sizeof(char *));
    if (!co->regions)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    if (spec && strcmp(spec, "all") == 0) {
        size_t n;
        const char *const *all = regions_all(endpoint_partition(home), &n);

        for (size_t i = 0; i < n; i++) {
            if (add_region(co, all[i], strlen(all[i]), err) != 0)
                return -1;
        }
        return 0;
    }
    if (!spec)
        return add_region(co, home, strlen(home), err);
    while (*spec) {
        size_t len = strcspn(spec, ",");

        if (add_region(co, spec, len, err) != 0)
            return -1;
        spec += len;
        if (*spec == ',')
            spec++;
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

static int decide_accounts(collectopts *co, const char *home, ia_err *err)
{
    size_t kept = 0;

    if (co->accounts_file) {
        if (targets_load_file(co->accounts_file, &co->targets, err) != 0)
            return -1;
    } else if (co->org) {
        if (targets_from_org(co->aws.client, co->aws.creds, home, &co->targets, err) != 0)
            return err_prefix(err, "cannot list the organization's accounts");
    } else if (targets_add(&co->targets, co->snap.caller_account, NULL, err) != 0) {
        return -1;
    }
    /* Left-out accounts are not attempted at all, so they appear nowhere in the snapshot: the ones kept move
     * to the front (in order) and only they are handed to the collection; all are freed at the end. */
    for (size_t i = 0; i < co->targets.n; i++) {
        if (!excluded(co->exclude, co->targets.items[i].id)) {
            collect_target keep = co->targets.items[i];

            co->targets.items[i] = co->targets.items[kept];
            co->targets.items[kept++] = keep;
        }
    }
    co->n_active = kept;
    if (co->targets.n == 0)
        return err_set(err, IA_ERR_AWS, "the organization lists no ACTIVE account");
    if (kept == 0)
        return err_set(err, IA_ERR_USAGE, "no account left to audit after --exclude-accounts");
    return 0;
}

int collectopts_run(collectopts *co, ia_err *err)
{
    collect_options opt = {0};
    collect_targets active;
    sts_identity id;
    const char *home;
    int rc = -1;

    co->snap.started_at = time(NULL);
    if (awsopts_open(&co->aws, false, err) != 0)
        return -1;
    home = co->aws.region;
    if (!home && co->regions_spec && strcmp(co->regions_spec, "all") != 0) {
        /* No configured region: the first listed one is home (STS, Organizations' partition). */
        if (decide_regions(co, NULL, err) != 0)
            return -1;
        home = co->regions[0];
    } else {
        if (!home)
            return err_set(err, IA_ERR_USAGE,
                           "no region: use --region, AWS_REGION, AWS_DEFAULT_REGION or the profile's region");
        if (decide_regions(co, home, err) != 0)
            return -1;
    }
    str_copy(co->snap.partition, sizeof(co->snap.partition), endpoint_partition(home));
    if (sts_get_caller_identity(co->aws.client, co->aws.creds, home, &id, err) != 0)
        return err_prefix(err, "cannot tell who the caller is");
    str_copy(co->snap.caller_account, sizeof(co->snap.caller_account), id.account);
    str_copy(co->snap.caller_arn, sizeof(co->snap.caller_arn), id.arn);
    str_copy(co->snap.caller_user_id, sizeof(co->snap.caller_user_id), id.user_id);
    if (decide_accounts(co, home, err) != 0)
        return -1;
    if (snapshot_set_regions(&co->snap, (const char *const *)co->regions, co->n_regions, err) != 0)
        return -1;

    opt.regions = (const char *const *)co->regions;
    opt.n_regions = co->n_regions;
    active = (collect_targets){co->targets.items, co->n_active};
    opt.targets = &active;
    opt.role_name = co->role_name;
    opt.external_id = co->external_id;
    opt.session_name = co->session_name;
    opt.sts_region = home;
    opt.concurrency = co->concurrency;
    opt.progress = !co->no_progress && !co->aws.quiet && isatty(STDERR_FILENO);
    rc = collect_run(co->aws.client, co->aws.creds, &opt, &co->snap, err);
    co->snap.finished_at = time(NULL);
    return rc;
}

int collectopts_write(collectopts *co, const char *path, ia_err *err)
{
    return snapshot_write(&co->snap, path, err);
}

void collectopts_summary(const collectopts *co, const char *path)
{
    if (co->aws.quiet)
        return;
    fprintf(stderr,
            "imgaudit: collected %zu resources from %zu account%s in %zu region%s; %zu error%s%s; %s %s\n",
            co->snap.n_resources, co->snap.n_accounts, co->snap.n_accounts == 1 ? "" : "s", co->n_regions,
            co->n_regions == 1 ? "" : "s", co->snap.n_errors, co->snap.n_errors == 1 ? "" : "s",
            co->snap.n_errors ? " (collection incomplete)" : "",
            strcmp(path, "-") == 0 ? "written to" : "wrote", strcmp(path, "-") == 0 ? "stdout" : path);
}

void collectopts_clean_up(collectopts *co)
{
    for (size_t i = 0; i < co->n_regions; i++)
        free(co->regions[i]);
    free(co->regions);
    targets_free(&co->targets);
    snapshot_clean_up(&co->snap);
    awsopts_close(&co->aws);
}
