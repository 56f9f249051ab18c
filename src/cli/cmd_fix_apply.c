/*
 * `imgaudit fix apply PLAN`: carries out a reviewed plan (docs/fix.md). The
 * plan is checked whole first, refused when old or made from a snapshot not
 * read whole where it changes something, shown, and confirmed by a person
 * (or --yes); then every action reads before it changes and after, and ends
 * as one line of the apply log.
 */
#include "cli/fix_apply.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/endpoint.h"
#include "aws/retry.h"
#include "aws/sts.h"
#include "cli/awsopts.h"
#include "cli/cli.h"
#include "collect/targets.h"
#include "fix/apply.h"
#include "util/cancel.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"

#define DEFAULT_MAX_AGE_S   (24L * 3600)
#define MAX_AGE_LIMIT_S     (366L * 24 * 3600)
#define DEFAULT_CONCURRENCY 16

typedef struct apply_cmd {
    awsopts aws;
    bool yes, force;
    const char *log, *accounts_file, *role_name, *fix_role_name, *external_id, *session_name;
    long max_age_s;
    int concurrency;
    cli_list operands; /* the plan */
} apply_cmd;

static int set_max_age(void *obj, const char *value, ia_err *err)
{
    if (!timefmt_duration_parse(value, MAX_AGE_LIMIT_S, &((apply_cmd *)obj)->max_age_s))
        return err_set(err, IA_ERR_USAGE, "--max-plan-age: '%s' is not a duration such as 90m, 24h or 1h30m",
                       value);
    return 0;
}

static int set_concurrency(void *obj, const char *value, ia_err *err)
{
    return cli_opt_whole_number("concurrency", value, 1, 256, &((apply_cmd *)obj)->concurrency, err);
}

static const cli_opt apply_options[] = {
    {"yes", 'y', NULL, CLI_BOOL(apply_cmd, yes), 0,
     "apply without asking (needed when stdin is not a terminal: scripts, CI)"},
    {"log", 0, "FILE", CLI_STRING(apply_cmd, log), 0,
     "append one JSON line per action as it ends (synced): time, caller, action,\n"
     "parameters, outcome, AWS error, request id"},
    {"max-plan-age", 0, "DURATION", CLI_CALL(set_max_age), 0,
     "refuse a plan made longer ago than this (default 24h)"},
    {"force", 0, NULL, CLI_BOOL(apply_cmd, force), 0,
     "apply a plan that is too old, or made from a snapshot not read whole where\nit changes something"},
    {"accounts", 0, "FILE", CLI_STRING(apply_cmd, accounts_file), 0,
     "the accounts file of collect: an account's role_arn and external_id"},
    {"fix-role-name", 0, "NAME", CLI_STRING(apply_cmd, fix_role_name), 0,
     "role to assume in each account for the changes (default: --role-name)"},
    {"role-name", 0, "NAME", CLI_STRING(apply_cmd, role_name), 0,
     "the audit's role name, used when --fix-role-name is not given"},
    {"external-id", 0, "ID", CLI_STRING(apply_cmd, external_id), 0,
     "ExternalId for AssumeRole (an account's own external_id wins)"},
    {"session-name", 0, "NAME", CLI_STRING(apply_cmd, session_name), 0,
     "role session name (default imgaudit)"},
    {"concurrency", 0, "N", CLI_CALL(set_concurrency), 0, "requests in flight at once, 1-256 (default 16)"},
    {NULL, 0, "PLAN", CLI_LIST(apply_cmd, operands), 0, "a plan file (fix plan -o PLAN)"},
    {0},
};

static const cli_group apply_groups[] = {
    /* No heading: the verb's options are one list, under its name (in --help and the man page). */
    {NULL, awsopts_options, offsetof(apply_cmd, aws)},
    {NULL, apply_options, 0},
    {NULL, cli_help_options, 0},
    {0},
};

const cli_command cmd_fix_apply = {
    .name = "fix apply",
    .summary = "carries out a reviewed plan: each change read before and after,\n"
               "each action's outcome in the apply log (--log)",
    .synopsis = "PLAN [--yes] [--log FILE] [--fix-role-name NAME] [--accounts FILE] [options]",
    .groups = apply_groups,
    .parent = &cmd_fix,
};

/* The options' values, checked before anything is read. */
static int check_options(const apply_cmd *c, ia_err *err)
{
    const char *names[] = {c->role_name, c->fix_role_name};

    for (size_t i = 0; i < 2; i++) {
        if (names[i] && (!names[i][0] || strchr(names[i], ':') || strchr(names[i], '/')))
            return err_set(err, IA_ERR_USAGE, "--%s takes a role name, not an ARN or a path",
                           i ? "fix-role-name" : "role-name");
    }
    if (c->session_name && !sts_valid_session_name(c->session_name))
        return err_set(err, IA_ERR_USAGE, "--session-name: 2 to 64 of letters, digits and +=,.@_-");
    if (c->external_id && !sts_valid_external_id(c->external_id))
        return err_set(err, IA_ERR_USAGE, "--external-id: 2 to 1224 of letters, digits and +=,.@:/_-");
    return 0;
}

/* A plan too old, or made where the snapshot was not read whole, is refused unless --force. */
static int check_plan(const apply_cmd *c, const fix_plan *p, const char *path, ia_err *err)
{
    time_t made = fix_plan_created_at(p), now = time(NULL);
    char first[128];
    size_t gaps;

    if (!c->force && now - made > c->max_age_s)
        return err_set(err, IA_ERR_USAGE,
                       "%s was made %ldh%02ldm ago, longer ago than --max-plan-age allows (%ldh%02ldm): the "
                       "accounts may have changed since; make a new plan (or --force)",
                       path, (long)(now - made) / 3600, (long)(now - made) % 3600 / 60, c->max_age_s / 3600,
                       c->max_age_s % 3600 / 60);
    gaps = fix_plan_incomplete(p, first, sizeof(first));
    if (!c->force && gaps)
        return err_set(err, IA_ERR_USAGE,
                       "%s: %zu action%s where the snapshot was not read whole (first: %s): what is there "
                       "was not all seen; collect again and make a new plan (or --force)",
                       path, gaps, gaps == 1 ? " is" : "s are", first);
    return 0;
}

/* On a terminal, the person says yes (off one, --yes said it: cmd_fix_apply_run). */
static int confirm(const apply_cmd *c, size_t n, ia_err *err)
{
    char answer[16] = "";

    if (c->yes)
        return 0;
    fprintf(stderr, "\nApply these %zu change%s? Only 'yes' goes on: ", n, n == 1 ? "" : "s");
    fflush(stderr);
    if (!fgets(answer, sizeof(answer), stdin) || strcmp(answer, "yes\n") != 0) {
        if (cancel_requested())
            return err_set(err, IA_ERR_CANCELLED, "interrupted at the question; nothing was changed");
        return err_set(err, IA_ERR_USAGE, "not applied: not confirmed; nothing was changed");
    }
    return 0;
}

static int open_log(const char *path, int *fd, ia_err *err)
{
    *fd = -1;
    if (!path)
        return 0;
    *fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0)
        return err_set(err, IA_ERR_IO, "cannot open the apply log %s: %s", path, strerror(errno));
    return 0;
}

static void summary(const fix_apply_counts *n, bool quiet)
{
    size_t total = n->done + n->already_done + n->failed;

    if (quiet && !n->failed && !n->not_run)
        return;
    log_line("imgaudit: applied %zu action%s: %zu done, %zu already done, %zu failed%s", total,
             total == 1 ? "" : "s", n->done, n->already_done, n->failed,
             n->not_run ? "; the others were not started (run the plan again to do them)" : "");
}

/* From the plan read: who the caller is, who reaches each account, a yes, then the run. */
static int apply(apply_cmd *c, const fix_plan *p, collect_targets *targets, ia_err *err)
{
    fix_apply_options opt = {0};
    fix_apply_counts counts = {0};
    sts_identity id;
    const char *home;
    int fd = -1, rc;

    c->aws.default_attempts = RETRY_BATCH_MAX_ATTEMPTS;
    if (awsopts_open(&c->aws, false, err) != 0)
        return cli_fail(err);
    /* STS answers in every region; without one configured, in the plan's first (its partition's). */
    home = c->aws.region ? c->aws.region : fix_plan_first_region(p);
    if (sts_get_caller_identity(c->aws.client, c->aws.creds, home, &id, err) != 0) {
        err_prefix(err, "cannot tell who the caller is");
        return cli_fail(err);
    }
    opt = (fix_apply_options){c->aws.client,
                              c->aws.creds,
                              id.account,
                              id.arn,
                              endpoint_partition(home),
                              targets,
                              c->fix_role_name ? c->fix_role_name : c->role_name,
                              c->external_id,
                              c->session_name,
                              home,
                              c->concurrency,
                              -1,
                              stdout};
    if (fix_apply_check_access(p, &opt, err) != 0)
        return cli_fail_in(cmd_fix_apply.name, err);
    if (confirm(c, fix_plan_count(p), err) != 0)
        return cli_fail_in(cmd_fix_apply.name, err);
    if (open_log(c->log, &fd, err) != 0)
        return cli_fail(err);
    opt.log_fd = fd;
    fputc('\n', stdout);
    rc = fix_apply_run(p, &opt, &counts, err);
    if (fd >= 0)
        close(fd);
    summary(&counts, c->aws.quiet);
    if (rc != 0)
        return err->kind == IA_ERR_CANCELLED ? CLI_EXIT_INTERRUPTED : cli_fail(err);
    return counts.failed ? CLI_EXIT_GATE : CLI_EXIT_OK;
}

int cmd_fix_apply_run(int argc, char **argv)
{
    apply_cmd c = {0};
    collect_targets targets = {0};
    fix_plan *plan = NULL;
    ia_err err;
    int rc;

    err_clear(&err);
    c.max_age_s = DEFAULT_MAX_AGE_S;
    c.concurrency = DEFAULT_CONCURRENCY;
    rc = cli_parse(&cmd_fix_apply, &c, argc, argv);
    if (rc >= 0)
        goto out;
    if (c.operands.n != 1) {
        rc = cli_usage_error(cmd_fix_apply.name, "%s (imgaudit fix apply PLAN --log apply.jsonl)",
                             c.operands.n ? "one plan, not several" : "which plan?");
        goto out;
    }
    cancel_install_handlers();
    if (check_options(&c, &err) != 0 || fix_plan_read(c.operands.items[0], &plan, &err) != 0 ||
        check_plan(&c, plan, c.operands.items[0], &err) != 0) {
        rc = cli_fail_in(cmd_fix_apply.name, &err);
        goto out;
    }
    /* Off a terminal nobody can confirm: refused before anything is asked of AWS. */
    if (!c.yes && !isatty(STDIN_FILENO)) {
        rc = cli_usage_error(cmd_fix_apply.name,
                             "not applied: stdin is not a terminal, so nobody can confirm; "
                             "give --yes to apply the plan as reviewed");
        goto out;
    }
    /* Its problems are printed as it finds them. */
    if (c.accounts_file && targets_load_file(c.accounts_file, &targets, &err) != 0) {
        rc = cli_exit_for(&err);
        goto out;
    }
    fix_plan_print(plan, stdout);
    if (fix_plan_count(plan) == 0) {
        fprintf(stdout, "Nothing to apply.\n");
        rc = CLI_EXIT_OK;
        goto out;
    }
    fflush(stdout);
    rc = apply(&c, plan, &targets, &err);
out:
    awsopts_close(&c.aws);
    fix_plan_free(plan);
    targets_free(&targets);
    cli_list_free(&c.operands);
    return rc;
}
