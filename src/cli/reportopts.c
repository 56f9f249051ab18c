#include "cli/reportopts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report/baseline.h"
#include "report/console.h"
#include "report/html.h"
#include "report/json.h"
#include "rules/evaluate.h"
#include "snapshot/read.h"
#include "util/cancel.h"
#include "util/fileio.h"

int reportopts_init(reportopts *ro, int argc, ia_err *err)
{
    memset(ro, 0, sizeof(*ro));
    ro->gate.enabled = 1;
    ro->gate.min = SEV_HIGH;
    ro->group_by = JUNIT_GROUP_RULE;
    /* Each repeatable option can take at most every word of the command line. */
    ro->rules = calloc((size_t)argc + 1, sizeof(char *));
    ro->vars = calloc((size_t)argc + 1, sizeof(char *));
    ro->waivers = calloc((size_t)argc + 1, sizeof(char *));
    if (!ro->rules || !ro->vars || !ro->waivers)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    return 0;
}

int reportopts_take(reportopts *ro, int opt, const char *arg, ia_err *err)
{
    switch (opt) {
    case REPORTOPT_RULES: ro->rules[ro->n_rules++] = arg; return 1;
    case REPORTOPT_VARS: ro->vars[ro->n_vars++] = arg; return 1;
    case REPORTOPT_WAIVERS: ro->waivers[ro->n_waivers++] = arg; return 1;
    case REPORTOPT_TODAY: ro->today = arg; return 1;
    case REPORTOPT_JSON: ro->json = arg; return 1;
    case REPORTOPT_JUNIT: ro->junit = arg; return 1;
    case REPORTOPT_HTML: ro->html = arg; return 1;
    case REPORTOPT_BASELINE: ro->baseline = arg; return 1;
    case REPORTOPT_FAIL_ON_NEW: ro->gate.new_only = 1; return 1;
    case REPORTOPT_ALLOW_PARTIAL: ro->allow_partial = true; return 1;
    case REPORTOPT_JUNIT_GROUP_BY:
        if (junit_parse_group(arg, &ro->group_by) != 0)
            return err_set(err, IA_ERR_USAGE, "--junit-group-by: '%s' is neither 'rule' nor 'account'", arg);
        return 1;
    case REPORTOPT_FAIL_ON:
        if (strcmp(arg, "none") == 0) {
            ro->gate.enabled = 0;
            return 1;
        }
        if (severity_parse(arg, &ro->gate.min) != 0)
            return err_set(err, IA_ERR_USAGE,
                           "--fail-on: '%s' is not one of info, low, medium, high, critical, none", arg);
        ro->gate.enabled = 1;
        return 1;
    default: return 0;
    }
}

/* "-", or a path that is this process's stdout under another name (/dev/stdout, /proc/self/fd/1). */
static bool goes_to_stdout(const char *path)
{
    struct stat a, b;

    if (!path)
        return false;
    if (strcmp(path, "-") == 0)
        return true;
    return stat(path, &a) == 0 && fstat(STDOUT_FILENO, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

int reportopts_check(const reportopts *ro, ia_err *err)
{
    int on_stdout = 0;

    on_stdout += goes_to_stdout(ro->json);
    on_stdout += goes_to_stdout(ro->junit);
    on_stdout += goes_to_stdout(ro->html);
    if (on_stdout > 1)
        return err_set(err, IA_ERR_USAGE, "only one of --json, --junit and --html can be '-' (stdout)");
    if (ro->gate.new_only && !ro->baseline)
        return err_set(err, IA_ERR_USAGE, "--fail-on-new needs --baseline (new since when?)");
    return 0;
}

int reportopts_load(reportopts *ro, ia_err *err)
{
    rules_diags diags;
    int rc = -1;

    rules_diags_init(&diags);
    if (rules_clock_init(&ro->clock, ro->today, err) != 0)
        goto out;
    if (ro->n_rules == 0) {
        if (rules_pack_dir(ro->pack_dir, sizeof(ro->pack_dir), err) != 0)
            goto out;
        ro->rules[ro->n_rules++] = ro->pack_dir;
    }
    if (rules_load(ro->rules, ro->n_rules, ro->vars, ro->n_vars, &ro->set, &diags, err) != 0)
        goto out;
    if (ro->n_waivers && waivers_load(ro->waivers, ro->n_waivers, &ro->wv, &diags, err) != 0)
        goto out;
    rc = 0;
out:
    /* Every problem, not just the first: a user fixes a rule file in one go. */
    if (rc != 0 && diags.n)
        rules_diags_print(&diags, stderr, "imgaudit: error: ");
    else if (rc != 0)
        cli_fail(err);
    rules_diags_free(&diags);
    return rc;
}

typedef int (*writer_fn)(const results *r, const reportopts *ro, FILE *fp, ia_err *err);

static int write_junit(const results *r, const reportopts *ro, FILE *fp, ia_err *err)
{
    junit_options opt = {ro->group_by, NULL};

    return junit_write(r, &opt, fp, err);
}

static int write_html(const results *r, const reportopts *ro, FILE *fp, ia_err *err)
{
    html_options opt = {NULL, ro->gate};

    return html_write(r, &opt, fp, err);
}

/* Writes one report atomically: whole, or not at all. */
static int write_report(const results *r, const reportopts *ro, const char *path, writer_fn fn, ia_err *err)
{
    file_out out;

    if (file_out_open(&out, path, err) != 0)
        return -1;
    if (fn(r, ro, out.fp, err) != 0) {
        file_out_abort(&out);
        return -1;
    }
    return file_out_commit(&out, err);
}

/* A waiver that expired or matched nothing is worth a line each: someone has a file to edit. */
static void warn_waivers(const results *r)
{
    for (size_t i = 0; i < r->n_waivers; i++) {
        const waiver_info *w = &r->waivers[i];

        if (w->state == WAIVER_EXPIRED)
            fprintf(stderr, "imgaudit: warning: %s:%u: waiver for '%s' expired on %s and no longer applies\n",
                    w->file, w->line, w->rule, w->expires);
        else if (w->state == WAIVER_UNUSED)
            fprintf(stderr, "imgaudit: warning: %s:%u: waiver for '%s' matched nothing\n", w->file, w->line,
                    w->rule);
    }
}

int reportopts_judge(reportopts *ro, const char *snapshot_path, const char *snapshot_label, bool quiet)
{
    console_file files[4];
    console_options copt = {0};
    snapshot_doc *snap = NULL;
    size_t n_files = 0;
    results res;
    FILE *summary_fp = stdout;
    ia_err err;
    int rc;

    memset(&res, 0, sizeof(res));
    err_clear(&err);
    if (snapshot_doc_read(snapshot_path, &snap, &err) != 0 ||
        rules_evaluate(ro->set, ro->wv, snap, &ro->clock, &res, &err) != 0 ||
        (ro->baseline && baseline_apply(&res, ro->baseline, &err) != 0)) {
        rc = cli_fail(&err);
        goto out;
    }
    if (snapshot_label)
        files[n_files++] = (console_file){"snapshot", snapshot_label};
    if ((ro->json && json_report_write(&res, ro->json, &err) != 0) ||
        (ro->junit && write_report(&res, ro, ro->junit, write_junit, &err) != 0) ||
        (ro->html && write_report(&res, ro, ro->html, write_html, &err) != 0)) {
        rc = cli_fail(&err);
        goto out;
    }
    if (ro->json)
        files[n_files++] = (console_file){"json", ro->json};
    if (ro->junit)
        files[n_files++] = (console_file){"junit", ro->junit};
    if (ro->html)
        files[n_files++] = (console_file){"html", ro->html};
    if (goes_to_stdout(ro->json) || goes_to_stdout(ro->junit) || goes_to_stdout(ro->html))
        summary_fp = stderr;
    if (!quiet)
        warn_waivers(&res);
    if (!quiet) {
        copt.color = console_color_wanted(summary_fp);
        copt.files = files;
        copt.n_files = n_files;
        copt.gate = ro->gate;
        console_summary(&res, &copt, summary_fp);
        fflush(summary_fp);
    }
    if (cancel_requested())
        rc = CLI_EXIT_INTERRUPTED;
    else if (tally_gate_count(&res, &ro->gate) > 0)
        rc = CLI_EXIT_GATE;
    else if (res.errors && cJSON_GetArraySize(res.errors) > 0 && !ro->allow_partial)
        rc = CLI_EXIT_INCOMPLETE;
    else
        rc = CLI_EXIT_OK;
out:
    results_free(&res);
    snapshot_doc_free(snap);
    return rc;
}

void reportopts_clean_up(reportopts *ro)
{
    rules_set_free(ro->set);
    waivers_free(ro->wv);
    free(ro->rules);
    free(ro->vars);
    free(ro->waivers);
    memset(ro, 0, sizeof(*ro));
}
