#include "cli/collectopts.h"

#include <stdlib.h>
#include <string.h>

#include "aws/sts.h"
#include "collect/org.h"
#include "collect/regions.h"
#include "snapshot/snapshot.h"
#include "util/str.h"
#include "util/timefmt.h"

#define DEFAULT_CONCURRENCY 16

static int set_concurrency(void *obj, const char *value, ia_err *err)
{
    return cli_opt_whole_number("concurrency", value, 1, 256, &((collectopts *)obj)->concurrency, err);
}

/* A week: a run meant to take longer is a run without a deadline. */
#define MAX_DEADLINE_S (7L * 24 * 3600)

static int set_deadline(void *obj, const char *value, ia_err *err)
{
    if (!timefmt_duration_parse(value, MAX_DEADLINE_S, &((collectopts *)obj)->deadline_s))
        return err_set(err, IA_ERR_USAGE,
                       "--deadline: '%s' is not a duration such as 90s, 30m, 2h or 1h30m (up to %ldh)", value,
                       MAX_DEADLINE_S / 3600);
    return 0;
}

/* --regions LIST|all, repeatable: each name is checked here, so a typo ends the run before it starts. */
static int add_regions(void *obj, const char *value, ia_err *err)
{
    if (strcmp(value, "all") != 0) {
        for (const char *p = value;; p++) {
            size_t len = strcspn(p, ",");

            if (len == 0)
                return err_set(err, IA_ERR_USAGE, "--regions: an empty region name in '%.100s'", value);
            if (regions_check("--regions", p, len, err) != 0)
                return -1;
            p += len;
            if (!*p)
                break;
        }
    }
    return cli_list_append(&((collectopts *)obj)->regions, value, err);
}

const cli_opt collectopts_options[] = {
    {"accounts", 0, "FILE", CLI_STRING(collectopts, accounts_file), 0,
     "accounts to audit (YAML: accounts: [{id, name, role_arn, external_id,\nregions}], or c7n-org's "
     "[{account_id, name, role, ...}])"},
    {"org", 0, NULL, CLI_BOOL(collectopts, org), 0,
     "every ACTIVE account of the AWS Organization (Organizations ListAccounts)"},
    {"org-unit", 0, "ID", CLI_LIST(collectopts, org_units), 0,
     "with --org: only the accounts under this OU (ou-...) or root (r-...), at any\n"
     "depth; repeatable"},
    {"exclude-accounts", 0, "LIST", CLI_STRING(collectopts, exclude), 0,
     "comma-separated account ids to leave out (sandboxes, say)"},
    {"role-name", 0, "NAME", CLI_STRING(collectopts, role_name), 0,
     "role to assume in each account: arn:<partition>:iam::<id>:role/NAME"},
    {"external-id", 0, "ID", CLI_STRING(collectopts, external_id), 0,
     "ExternalId for AssumeRole (an account's own external_id wins)"},
    {"session-name", 0, "NAME", CLI_STRING(collectopts, session_name), 0,
     "role session name (default imgaudit)"},
    {"regions", 0, "LIST|all", CLI_CALL(add_regions), CLI_OPT_REPEATABLE,
     "comma-separated regions, or every region offering WorkSpaces or AppStream\n"
     "(repeatable; default: the configured region)"},
    {"concurrency", 0, "N", CLI_CALL(set_concurrency), 0, "requests in flight at once, 1-256 (default 16)"},
    {"deadline", 0, "DURATION", CLI_CALL(set_deadline), 0,
     "stop collecting DURATION after the start (90s, 30m, 2h, 1h30m): what is\n"
     "not read by then is recorded as errors, the snapshot is still written (exit 3)"},
    {"no-progress", 0, NULL, CLI_BOOL(collectopts, no_progress), 0,
     "no live progress line (it is drawn only on a terminal anyway)"},
    {0},
};

void collectopts_init(collectopts *co)
{
    memset(co, 0, sizeof(*co));
    co->concurrency = DEFAULT_CONCURRENCY;
}

int collectopts_set_shard(collectopts *co, const char *spec, ia_err *err)
{
    /* Where a job finds its index, in the order looked at: both count from 0, as shards do. */
    static const char *const index_vars[] = {"JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"};
    const char *slash = strchr(spec, '/'), *var = NULL, *k;
    char given[16];
    long count, index;

    if (!slash || (size_t)(slash - spec) >= sizeof(given) ||
        !str_to_long(slash + 1, 1, SNAPSHOT_SHARD_MAX, &count))
        return err_set(err, IA_ERR_USAGE, "--shard: '%s' is not K/N or auto/N with N from 1 to %d", spec,
                       SNAPSHOT_SHARD_MAX);
    str_copy(given, (size_t)(slash - spec) + 1, spec);
    k = given;
    if (strcmp(given, "auto") == 0) {
        for (size_t i = 0; i < sizeof(index_vars) / sizeof(index_vars[0]) && !var; i++) {
            k = getenv(index_vars[i]);
            if (k && k[0])
                var = index_vars[i];
        }
        if (!var)
            return err_set(err, IA_ERR_USAGE,
                           "--shard %s: neither JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) nor "
                           "AWS_BATCH_JOB_ARRAY_INDEX (an AWS Batch array job) is set",
                           spec);
    }
    if (!str_to_long(k, 0, count - 1, &index)) {
        if (var)
            return err_set(err, IA_ERR_USAGE, "--shard %s: %s is '%.32s', not a shard index from 0 to %ld",
                           spec, var, k, count - 1);
        return err_set(err, IA_ERR_USAGE,
                       "--shard %s: K is not a whole number from 0 to %ld (shards count from 0)", spec,
                       count - 1);
    }
    co->shard_index = (unsigned)index;
    co->shard_count = (unsigned)count;
    return 0;
}

int collectopts_check(const collectopts *co, ia_err *err)
{
    if (co->org && co->accounts_file)
        return err_set(err, IA_ERR_USAGE, "--org and --accounts cannot be used together");
    if (co->org_units.n && !co->org)
        return err_set(err, IA_ERR_USAGE, "--org-unit needs --org");
    for (size_t i = 0; i < co->org_units.n; i++) {
        if (!org_valid_parent_id(co->org_units.items[i]))
            return err_set(
                err, IA_ERR_USAGE,
                "--org-unit: '%.100s' is not an OU id (ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}) or a root id "
                "(r-[0-9a-z]{4,32})",
                co->org_units.items[i]);
    }
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

int collectopts_load(collectopts *co, ia_err *err)
{
    return co->accounts_file ? targets_load_file(co->accounts_file, &co->accounts, err) : 0;
}

void collectopts_clean_up(collectopts *co)
{
    targets_free(&co->accounts);
    cli_list_free(&co->org_units);
    cli_list_free(&co->regions);
}
