#include "cli/run_judge.h"

#include <libxml/parser.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "report/baseline.h"
#include "report/console.h"
#include "report/csv.h"
#include "report/html.h"
#include "report/json.h"
#include "report/markdown.h"
#include "report/sharing.h"
#include "report/tally.h"
#include "rules/evaluate.h"
#include "snapshot/read.h"
#include "util/cancel.h"
#include "util/fileio.h"
#include "util/log.h"

/* What the writers show, worked out once for all of them (each would hold its own copy at once otherwise). */
typedef struct report_counts {
    tally t;
    /* All zero unless a writer shows the shares (JSON, HTML); worked out while the others write. */
    sharing shares;
} report_counts;

typedef int (*writer_fn)(const results *r, const reportopts *ro, const report_counts *rc, FILE *fp,
                         ia_err *err);

static int write_json(const results *r, const reportopts *ro, const report_counts *rc, FILE *fp, ia_err *err)
{
    (void)ro;
    return json_report_fwrite_with(r, &rc->t, &rc->shares, fp, err);
}

static int write_junit(const results *r, const reportopts *ro, const report_counts *rc, FILE *fp, ia_err *err)
{
    junit_options opt = {ro->group_by, NULL, !ro->junit_passes};

    return junit_write_with(r, &opt, &rc->t, fp, err);
}

static int write_html(const results *r, const reportopts *ro, const report_counts *rc, FILE *fp, ia_err *err)
{
    html_options opt = {NULL, ro->gate, &rc->t, &rc->shares};

    return html_write(r, &opt, fp, err);
}

static int write_csv(const results *r, const reportopts *ro, const report_counts *rc, FILE *fp, ia_err *err)
{
    (void)ro;
    return csv_write_with(r, &rc->t, fp, err);
}

static int write_markdown(const results *r, const reportopts *ro, const report_counts *rc, FILE *fp,
                          ia_err *err)
{
    markdown_options opt = {ro->gate};

    return markdown_write_with(r, &opt, &rc->t, fp, err);
}

/* IA_ERR_CANCELLED once SIGINT/SIGTERM came: checked between the stages, which each take seconds on a big
 * fleet. */
static int stopped(ia_err *err)
{
    return cancel_requested() ? err_set(err, IA_ERR_CANCELLED, "interrupted") : 0;
}

/* One report being written: its writer, its file, and how it went. */
typedef struct report_job {
    const char *path;
    writer_fn fn;
    const results *r;
    const reportopts *ro;
    const report_counts *counts;
    bool shows_shares; /* its writer reads counts->shares, not only the tally */
    file_out out;
    pthread_t thread;
    bool started; /* in a thread of its own */
    int rc;
    ia_err err;
} report_job;

static void *run_job(void *arg)
{
    report_job *j = arg;

    err_clear(&j->err);
    j->rc = j->fn(j->r, j->ro, j->counts, j->out.fp, &j->err);
    if (j->rc != 0)
        err_prefix(&j->err, "%s", strcmp(j->path, "-") ? j->path : "stdout");
    return NULL;
}

/*
 * A thread for each job written to a temporary file whose writer shows the
 * shares, or (shares false) only the tally; one that cannot start runs here.
 */
static void start_jobs(report_job *jobs, size_t n, bool shares)
{
    for (size_t i = 0; i < n; i++) {
        if (!jobs[i].out.tmp_path || jobs[i].shows_shares != shares)
            continue;
        if (pthread_create(&jobs[i].thread, NULL, run_job, &jobs[i]) == 0)
            jobs[i].started = true;
        else
            run_job(&jobs[i]);
    }
}

/* Waits for the jobs' threads; those already waited for are not waited for again. */
static void join_jobs(report_job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].started)
            pthread_join(jobs[i].thread, NULL);
        jobs[i].started = false;
    }
}

/*
 * Writes the reports asked for, each whole or not at all: every one to its
 * temporary file first, then all renamed into place together, so that a
 * stop while any is written leaves every earlier report as it was. The
 * writers only read the results and the counts (the tally, and the shares
 * for JSON and HTML), each worked out once for all of them, and at fleet
 * scale each writer takes seconds: those written to a temporary file run
 * side by side, one thread each, so the reports take about as long as the
 * largest rather than as all of them (the machine's cores permitting). Those
 * that show only the tally start before the shares are worked out (seconds
 * on a large fleet), which they then overlap. Those written in place
 * (stdout, a device, a FIFO: two may be the same) run after them, one after
 * another in the order given, so that none interleaves with another. A stop
 * makes their writes fail (util/fileio.h), so none runs on long.
 */
static int write_reports(const results *r, const reportopts *ro, ia_err *err)
{
    const struct {
        const char *path;
        writer_fn fn;
        bool shows_shares;
    } wanted[] = {{ro->json, write_json, true},
                  {ro->junit, write_junit, false},
                  {ro->html, write_html, true},
                  {ro->csv, write_csv, false},
                  {ro->markdown, write_markdown, false}};
    report_job jobs[sizeof(wanted) / sizeof(wanted[0])];
    report_counts counts;
    size_t n = 0;
    bool shares = false;
    int rc = -1;

    memset(&counts, 0, sizeof(counts));
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
        if (!wanted[i].path)
            continue;
        memset(&jobs[n], 0, sizeof(jobs[n]));
        if (stopped(err) != 0 || file_out_open(&jobs[n].out, wanted[i].path, err) != 0)
            goto out;
        jobs[n].path = wanted[i].path;
        jobs[n].fn = wanted[i].fn;
        jobs[n].r = r;
        jobs[n].ro = ro;
        jobs[n].counts = &counts;
        jobs[n].shows_shares = wanted[i].shows_shares;
        shares = shares || wanted[i].shows_shares;
        n++;
    }
    if (n == 0)
        return 0;
    if (stopped(err) != 0 || tally_compute(r, &counts.t, err) != 0)
        goto out;
    /* libxml2 (the HTML writer's) sets up its globals once, before a thread can race to do it. */
    xmlInitParser();
    start_jobs(jobs, n, false);
    if (shares && (stopped(err) != 0 || sharing_compute(r, &counts.t, &counts.shares, err) != 0))
        goto out;
    /* A stop while the shares were worked out starts no more writers. */
    if (stopped(err) != 0)
        goto out;
    start_jobs(jobs, n, true);
    join_jobs(jobs, n);
    /* Then those written in place, here, one at a time. */
    for (size_t i = 0; i < n; i++) {
        if (!jobs[i].out.tmp_path)
            run_job(&jobs[i]);
    }
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].rc != 0) {
            *err = jobs[i].err;
            goto out;
        }
    }
    /* The renames take microseconds: a stop is looked for once before them (and file_out_commit refuses to
     * rename after one). */
    if (stopped(err) != 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (file_out_commit(&jobs[i].out, err) != 0)
            goto out;
    }
    rc = 0;
out:
    /* The counts outlive the writers' threads, and a file its writer. Those committed are already closed:
     * aborting them again does nothing. */
    join_jobs(jobs, n);
    for (size_t i = 0; i < n; i++)
        file_out_abort(&jobs[i].out);
    sharing_free(&counts.shares);
    tally_free(&counts.t);
    return rc;
}

/* Whether the snapshot misses something: errors recorded, or marked so (a merge of a part that was). */
static bool snapshot_incomplete(const snapshot_doc *snap, const results *res)
{
    return (res->errors && cJSON_GetArraySize(res->errors) > 0) ||
           cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(snap->root, "complete"));
}

/* A waiver that expired or matched nothing is worth a line each: someone has a file to edit. */
static void warn_waivers(const results *r)
{
    for (size_t i = 0; i < r->n_waivers; i++) {
        const waiver_info *w = &r->waivers[i];

        if (w->state == WAIVER_EXPIRED)
            log_warn("%s:%u: waiver for '%s' expired on %s and no longer applies", w->file, w->line, w->rule,
                     w->expires);
        else if (w->state == WAIVER_UNUSED && w->rule_ran)
            log_warn("%s:%u: waiver for '%s' matched nothing", w->file, w->line, w->rule);
    }
}

/* A quiet run's one line when it does not pass (cron mails what a job prints): the gate's verdict, or that
 * the collection is incomplete. */
static void say_verdict(const results *r, const tally_gate *gate, size_t blocking, int rc)
{
    char verdict[256];

    if (rc == CLI_EXIT_GATE) {
        console_gate_verdict(gate, blocking, verdict, sizeof(verdict));
        log_line("imgaudit: %s", verdict);
    } else if (rc == CLI_EXIT_INCOMPLETE) {
        log_line("imgaudit: INCOMPLETE: the snapshot's collection is incomplete (%d error%s; exit 3 unless "
                 "--allow-partial)",
                 cJSON_GetArraySize(r->errors), cJSON_GetArraySize(r->errors) == 1 ? "" : "s");
    }
}

/*
 * Reads the snapshot at path and judges it resource by resource (each freed
 * once judged): *snap is its envelope, which res borrows from.
 */
static int evaluate(const reportopts *ro, const char *path, snapshot_doc **snap, results *res, ia_err *err)
{
    rules_run *run = NULL;
    int rc;

    /* The envelope's parse is one library call that cannot look at the stop flag, and leaves nothing to
     * finish: a stop then ends the process at once. The resources after it look at the flag one by one. */
    cancel_exit_at_once(CLI_EXIT_INTERRUPTED);
    rc = snapshot_doc_open(path, snap, err);
    cancel_exit_at_once(0);
    if (rc != 0 || stopped(err) != 0 || rules_bind_snapshot(ro->set, *snap, err) != 0 ||
        rules_run_start(ro->set, ro->wv, *snap, &ro->clock, &run, err) != 0)
        return -1;
    if (rules_run_snapshot(run, *snap, err) != 0) {
        rules_run_free(run);
        return -1;
    }
    return rules_run_finish(run, res, err);
}

int run_judge(const reportopts *ro, const char *snapshot_path, const char *snapshot_label, bool quiet)
{
    console_file files[6];
    console_options copt = {0};
    snapshot_doc *snap = NULL;
    size_t n_files = 0, blocking = 0;
    results res;
    FILE *summary_fp = stdout;
    ia_err err;
    int rc;

    memset(&res, 0, sizeof(res));
    err_clear(&err);
    /* The rules learn the snapshot's Organization (organization_accounts) before they judge it. */
    if (evaluate(ro, snapshot_path, &snap, &res, &err) != 0 ||
        (ro->baseline_doc && (stopped(&err) != 0 || baseline_apply_doc(&res, ro->baseline_doc, &err) != 0)) ||
        write_reports(&res, ro, &err) != 0) {
        rc = cli_fail(&err);
        goto out;
    }
    if (snapshot_label)
        files[n_files++] = (console_file){"snapshot", snapshot_label};
    if (ro->json)
        files[n_files++] = (console_file){"json", ro->json};
    if (ro->junit)
        files[n_files++] = (console_file){"junit", ro->junit};
    if (ro->html)
        files[n_files++] = (console_file){"html", ro->html};
    if (ro->csv)
        files[n_files++] = (console_file){"csv", ro->csv};
    if (ro->markdown)
        files[n_files++] = (console_file){"markdown", ro->markdown};
    if (reportopts_report_on_stdout(ro))
        summary_fp = stderr;
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
    else if ((blocking = tally_gate_count(&res, &ro->gate)) > 0)
        rc = CLI_EXIT_GATE;
    else if (snapshot_incomplete(snap, &res) && !ro->allow_partial)
        rc = CLI_EXIT_INCOMPLETE;
    else
        rc = CLI_EXIT_OK;
    if (quiet)
        say_verdict(&res, &ro->gate, blocking, rc);
out:
    /* Stopped: the process ends now. Giving back the snapshot's and the results' memory would take seconds.
     */
    if (rc == CLI_EXIT_INTERRUPTED)
        cancel_exit_now(rc);
    results_free(&res);
    snapshot_doc_free(snap);
    return rc;
}
