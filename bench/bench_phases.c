/*
 * Where `imgaudit evaluate SNAPSHOT --json J --junit X --html H` spends its time and memory: the same
 * calls, on a snapshot file, one phase after the other, each timed and measured.
 *
 *   bench_phases SNAPSHOT [--today YYYY-MM-DD]     (built-in rule pack; --today: default 2026-12-01)
 *
 * Phases: read (snapshot_doc_open: the envelope, everything but the resources), evaluate
 * (rules_bind_snapshot, then each resource read, judged and freed: snapshot_doc_each, rules_run_*), tally
 * (tally_compute) and sharing (sharing_compute), worked out once for the writers as evaluate does, then json
 * (json_report_fwrite_with), junit (junit_write_with, grouped by rule) and html (html_write, gate at high),
 * one after another, each report to a temporary file that is then dropped. Per phase: wall and CPU seconds,
 * the peak RSS reached during the phase (the high-water mark is reset before it through
 * /proc/self/clear_refs), the RSS when it ends, and the bytes written. Rule loading is not counted
 * (milliseconds). Linux only.
 */
#define _GNU_SOURCE /* /proc reads: this is a Linux measuring tool */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "measure.h"
#include "report/html.h"
#include "report/json.h"
#include "report/junit.h"
#include "report/sharing.h"
#include "report/tally.h"
#include "rules/evaluate.h"
#include "rules/results.h"
#include "rules/rules.h"
#include "snapshot/read.h"
#include "util/err.h"

/* Resets VmHWM to the current RSS ("5" in clear_refs, Linux 4.0 and later). */
static void reset_peak(void)
{
    FILE *fp = fopen("/proc/self/clear_refs", "w");

    if (fp) {
        fputs("5", fp);
        fclose(fp);
    }
}

static double cpu_s(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

typedef struct phase {
    double t0, cpu0;
} phase;

static void phase_start(phase *p)
{
    reset_peak();
    p->t0 = measure_now_s();
    p->cpu0 = cpu_s();
}

/* Prints the phase's row; bytes < 0: no output ("-"). */
static void phase_end(const phase *p, const char *name, long bytes)
{
    double wall = measure_now_s() - p->t0, cpu = cpu_s() - p->cpu0;
    char written[32] = "-";

    if (bytes >= 0)
        snprintf(written, sizeof(written), "%ld", bytes);
    printf("%-9s %9.2f %9.2f %12.1f %12.1f %14s\n", name, wall, cpu,
           (double)measure_proc_kib("VmHWM") / 1024.0, (double)measure_proc_kib("VmRSS") / 1024.0, written);
    fflush(stdout);
}

enum { REPORT_JSON, REPORT_JUNIT, REPORT_HTML };

static int write_report(int which, const results *res, const tally *t, const sharing *shares, ia_err *err)
{
    static const char *const names[] = {"json", "junit", "html"};
    FILE *fp = tmpfile();
    phase p;
    int rc;

    if (!fp)
        return err_set(err, IA_ERR_IO, "cannot create a temporary file");
    phase_start(&p);
    if (which == REPORT_JSON) {
        rc = json_report_fwrite_with(res, t, shares, fp, err);
    } else if (which == REPORT_JUNIT) {
        junit_options opt = {JUNIT_GROUP_RULE, NULL, 0};

        rc = junit_write_with(res, &opt, t, fp, err);
    } else {
        html_options opt = {NULL, {1, SEV_HIGH, 0}, t, shares};

        rc = html_write(res, &opt, fp, err);
    }
    if (rc == 0 && fflush(fp) != 0)
        rc = err_set(err, IA_ERR_IO, "cannot write the %s report", names[which]);
    if (rc == 0)
        phase_end(&p, names[which], ftell(fp));
    fclose(fp);
    return rc;
}

int main(int argc, char **argv)
{
    const char *path = NULL, *today = "2026-12-01";
    char pack[4096];
    const char *paths[1] = {pack};
    rules_set *set = NULL;
    snapshot_doc *snap = NULL;
    rules_run *run = NULL;
    rules_diags diags;
    rules_clock clock;
    results res;
    results_summary sum;
    tally t;
    sharing shares;
    ia_err err;
    phase p;
    int rc = 1, usage = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--today") == 0 && i + 1 < argc)
            today = argv[++i];
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else
            usage = 1;
    }
    if (!path || usage) {
        fprintf(stderr, "usage: bench_phases SNAPSHOT [--today YYYY-MM-DD]\n");
        return 2;
    }
    memset(&res, 0, sizeof(res));
    memset(&t, 0, sizeof(t));
    memset(&shares, 0, sizeof(shares));
    err_clear(&err);
    rules_diags_init(&diags);
    if (rules_pack_dir(pack, sizeof(pack), &err) != 0 || rules_clock_init(&clock, today, &err) != 0)
        goto fail;
    if (rules_load(paths, 1, NULL, 0, &set, &diags, &err) != 0) {
        rules_diags_print(&diags, stderr, "bench_phases: ", NULL, false);
        goto fail;
    }
    printf("%-9s %9s %9s %12s %12s %14s\n", "phase", "wall_s", "cpu_s", "peak_MiB", "rss_end_MiB", "bytes");
    phase_start(&p);
    if (snapshot_doc_open(path, &snap, &err) != 0)
        goto fail;
    phase_end(&p, "read", -1);
    phase_start(&p);
    if (rules_bind_snapshot(set, snap, &err) != 0 ||
        rules_run_start(set, NULL, snap, &clock, &run, &err) != 0 || rules_run_snapshot(run, snap, &err) != 0)
        goto fail;
    rc = rules_run_finish(run, &res, &err);
    run = NULL; /* freed either way */
    if (rc != 0)
        goto fail;
    rc = 1;
    phase_end(&p, "evaluate", -1);
    phase_start(&p);
    if (tally_compute(&res, &t, &err) != 0)
        goto fail;
    phase_end(&p, "tally", -1);
    phase_start(&p);
    if (sharing_compute(&res, &t, &shares, &err) != 0)
        goto fail;
    phase_end(&p, "sharing", -1);
    if (write_report(REPORT_JSON, &res, &t, &shares, &err) != 0 ||
        write_report(REPORT_JUNIT, &res, &t, &shares, &err) != 0 ||
        write_report(REPORT_HTML, &res, &t, &shares, &err) != 0)
        goto fail;
    results_summarize(&res, &sum);
    printf("resources %zu results %zu failures %zu shares %zu\n", res.n_resources, res.n_items,
           sum.by_status[RESULT_FAIL], shares.n_edges);
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "bench_phases: %s\n", err.msg);
out:
    sharing_free(&shares);
    tally_free(&t);
    rules_run_free(run);
    results_free(&res);
    snapshot_doc_free(snap);
    rules_set_free(set);
    rules_diags_free(&diags);
    return rc;
}
