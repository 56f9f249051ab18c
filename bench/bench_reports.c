/*
 * How fast the report writers are, and whether their memory stays flat: writes a synthetic run of N
 * results (20 rules over N/20 resources in 10 accounts; a quarter failing, one in twenty waived) in
 * each format and prints a table of time, CPU, bytes and memory.
 *
 *   bench_reports [N ...]      default: 10000 100000
 *
 * Each format runs in a fresh process (this program again, with --one), so that one format's memory
 * does not show in the next. "seconds" is wall time, "user s" and "sys s" the CPU the writer took in
 * the process and in the kernel (copying into the page cache), "MB/s" bytes over wall time. "peak RSS"
 * is the process's high-water mark (model included); "grew" is how far the high-water mark rose while
 * the writer ran, which for a streaming writer stays the same whatever N is.
 */
#define _GNU_SOURCE /* fork, execv, waitpid, /proc reads: this is a Linux measuring tool */

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"
#include "report/console.h"
#include "report/csv.h"
#include "report/html.h"
#include "report/json.h"
#include "report/junit.h"
#include "report/markdown.h"
#include "rules/results.h"
#include "util/err.h"

#define N_RULES    20
#define N_ACCOUNTS 10

static const char *const formats[] = {"junit", "junit-by-account", "html",   "json",
                                      "csv",   "markdown",         "console"};

/* User and system CPU seconds of this process so far. */
static void cpu_s(double *user, double *sys)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

typedef struct model {
    results r;
    cJSON *snapshot;
    rule_info rules[N_RULES];
    char rule_ids[N_RULES][32];
    char (*ids)[32];
    char accounts[N_ACCOUNTS][16];
} model;

static const char *const types[] = {"workspaces_image", "appstream_image", "appstream_image_builder"};

/* n results: N_RULES rules, each over every resource of the model. */
static int build_model(model *m, size_t n)
{
    size_t n_res = n / N_RULES, k = 0;
    cJSON *resources, *accounts, *errors;

    memset(m, 0, sizeof(*m));
    m->snapshot = cJSON_CreateObject();
    resources = cJSON_AddArrayToObject(m->snapshot, "resources");
    accounts = cJSON_AddArrayToObject(m->snapshot, "accounts");
    errors = cJSON_AddArrayToObject(m->snapshot, "errors");
    cJSON_AddStringToObject(m->snapshot, "started_at", "2026-11-25T02:00:00Z");
    cJSON_AddStringToObject(m->snapshot, "finished_at", "2026-11-25T02:03:00Z");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(m->snapshot, "regions"), cJSON_CreateString("eu-west-1"));
    for (int a = 0; a < N_ACCOUNTS; a++) {
        cJSON *acc = cJSON_CreateObject();

        snprintf(m->accounts[a], sizeof(m->accounts[a]), "1000000000%02d", a);
        cJSON_AddStringToObject(acc, "id", m->accounts[a]);
        cJSON_AddStringToObject(acc, "name", "bench account");
        cJSON_AddItemToArray(accounts, acc);
    }
    for (int e = 0; e < 3; e++) {
        cJSON *err = cJSON_CreateObject();

        cJSON_AddStringToObject(err, "account", m->accounts[e]);
        cJSON_AddStringToObject(err, "region", "us-east-1");
        cJSON_AddStringToObject(err, "service", "workspaces");
        cJSON_AddStringToObject(err, "operation", "DescribeWorkspaceImages");
        cJSON_AddStringToObject(err, "code", "ThrottlingException");
        cJSON_AddStringToObject(err, "message", "Rate exceeded");
        cJSON_AddItemToArray(errors, err);
    }
    m->r.snapshot = m->snapshot;
    m->r.errors = errors;
    m->ids = calloc(n_res ? n_res : 1, sizeof(*m->ids));
    m->r.items = calloc(n ? n : 1, sizeof(*m->r.items));
    if (!m->ids || !m->r.items)
        return -1;
    for (size_t i = 0; i < n_res; i++) {
        cJSON *data = cJSON_CreateObject();
        snap_resource res;

        snprintf(m->ids[i], sizeof(m->ids[i]), "wsi-%010zu", i);
        cJSON_AddStringToObject(data, "Name", "golden image");
        cJSON_AddStringToObject(data, "RequiredTenancy", i % 7 ? "DEFAULT" : "DEDICATED");
        if (i % 50 == 0) {
            cJSON *perm = cJSON_CreateObject();

            cJSON_AddStringToObject(perm, "SharedAccountId", "999988887777");
            cJSON_AddItemToArray(cJSON_AddArrayToObject(data, "Permissions"), perm);
        }
        cJSON_AddItemToArray(resources, data);
        res = (snap_resource){types[i % 3], m->ids[i], "golden image", m->accounts[i % N_ACCOUNTS],
                              "eu-west-1",  data};
        /* Kept as evaluation keeps it: the image's sharing facts read from data. */
        if (results_add_resource(&m->r, &res) != 0)
            return -1;
    }
    for (int ru = 0; ru < N_RULES; ru++) {
        snprintf(m->rule_ids[ru], sizeof(m->rule_ids[ru]), "bench-rule-%02d", ru);
        m->rules[ru] = (rule_info){m->rule_ids[ru],
                                   "A rule of the benchmark",
                                   "What the rule looks for, in a sentence or two.",
                                   "What to do about a failure.",
                                   types[ru % 3],
                                   (severity)(ru % 5),
                                   "rules/bench.yaml",
                                   {NULL, NULL, NULL}};
        for (size_t i = 0; i < n_res; i++) {
            result *it = &m->r.items[k++];
            size_t h = (i * 31 + (size_t)ru * 7) % 20;

            it->rule = (uint32_t)ru;
            it->resource = (uint32_t)i;
            it->waiver = -1;
            it->status = h < 5 ? RESULT_FAIL : h == 5 ? RESULT_WAIVED : RESULT_PASS;
            if (it->status != RESULT_PASS &&
                !(it->message = strdup("Image wsi-0000000000 is shared with 999988887777")))
                return -1;
        }
    }
    m->r.rules = m->rules;
    m->r.n_rules = N_RULES;
    m->r.n_items = k;
    snprintf(m->r.evaluated_at, sizeof(m->r.evaluated_at), "2026-11-25T02:04:00Z");
    return 0;
}

static void free_model(model *m)
{
    m->r.rules = NULL; /* the model's own array */
    results_free(&m->r);
    free(m->ids);
    cJSON_Delete(m->snapshot);
}

/* Child: builds the model, writes one format to a temporary file, prints one line of numbers. */
static int run_one(const char *format, size_t n)
{
    model m;
    FILE *fp = tmpfile();
    ia_err err;
    double t0, t1, user0, user1, sys0, sys1;
    long hwm_before, hwm_after;
    int rc = 0;

    if (!fp || build_model(&m, n) != 0) {
        fprintf(stderr, "bench_reports: cannot set up\n");
        return 1;
    }
    err_clear(&err);
    hwm_before = measure_proc_kib("VmHWM");
    cpu_s(&user0, &sys0);
    t0 = measure_now_s();
    if (strcmp(format, "junit") == 0) {
        rc = junit_write(&m.r, NULL, fp, &err);
    } else if (strcmp(format, "junit-by-account") == 0) {
        junit_options opt = {JUNIT_GROUP_ACCOUNT, "bench", 0};

        rc = junit_write(&m.r, &opt, fp, &err);
    } else if (strcmp(format, "html") == 0) {
        html_options opt = {NULL, {1, SEV_HIGH, 0}, NULL, NULL};

        rc = html_write(&m.r, &opt, fp, &err);
    } else if (strcmp(format, "json") == 0) {
        rc = json_report_fwrite(&m.r, fp, &err);
    } else if (strcmp(format, "csv") == 0) {
        rc = csv_write(&m.r, fp, &err);
    } else if (strcmp(format, "markdown") == 0) {
        markdown_options opt = {{1, SEV_HIGH, 0}};

        rc = markdown_write(&m.r, &opt, fp, &err);
    } else {
        console_options opt = {0, 5, NULL, 0, {1, SEV_HIGH, 0}};

        console_summary(&m.r, &opt, fp);
    }
    fflush(fp);
    t1 = measure_now_s();
    cpu_s(&user1, &sys1);
    hwm_after = measure_proc_kib("VmHWM");
    if (rc != 0) {
        fprintf(stderr, "bench_reports: %s: %s\n", format, err.msg);
        return 1;
    }
    printf("%.3f %.3f %.3f %ld %ld %ld\n", t1 - t0, user1 - user0, sys1 - sys0, ftell(fp), hwm_after,
           hwm_after - hwm_before);
    fclose(fp);
    free_model(&m);
    return 0;
}

/* Parent: runs one child and reads its line. */
static int measure(const char *format, size_t n)
{
    int fds[2];
    pid_t pid;
    char count[32], line[256] = "";
    FILE *in;
    int status = 0;
    double secs, user, sys;
    long bytes, peak, grew;

    if (pipe(fds) != 0)
        return -1;
    snprintf(count, sizeof(count), "%zu", n);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char *args[] = {"bench_reports", "--one", (char *)format, count, NULL};

        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv("/proc/self/exe", args);
        _exit(127);
    }
    close(fds[1]);
    in = fdopen(fds[0], "r");
    if (!in || !fgets(line, sizeof(line), in))
        line[0] = '\0';
    if (in)
        fclose(in);
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        sscanf(line, "%lf %lf %lf %ld %ld %ld", &secs, &user, &sys, &bytes, &peak, &grew) != 6)
        return -1;
    printf("%-17s %9zu %9.3f %9.3f %9.3f %12ld %8.0f %12.1f %12ld\n", format, n, secs, user, sys, bytes,
           secs > 0 ? (double)bytes / 1e6 / secs : 0.0, (double)peak / 1024.0, grew);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    size_t sizes[8] = {10000, 100000};
    size_t n_sizes = 2;
    int rc = 0;

    if (argc == 4 && strcmp(argv[1], "--one") == 0)
        return run_one(argv[2], (size_t)strtoull(argv[3], NULL, 10));
    if (argc > 1) {
        n_sizes = 0;
        for (int i = 1; i < argc && n_sizes < 8; i++) {
            char *end;
            unsigned long long v = strtoull(argv[i], &end, 10);

            if (*end || v < N_RULES || v > 50000000ull) {
                fprintf(stderr, "usage: bench_reports [N ...]  (N results, %d to 50000000)\n", N_RULES);
                return 2;
            }
            sizes[n_sizes++] = (size_t)v;
        }
    }
    printf("%-17s %9s %9s %9s %9s %12s %8s %12s %12s\n", "format", "results", "seconds", "user s", "sys s",
           "bytes", "MB/s", "peak RSS MiB", "grew KiB");
    for (size_t s = 0; s < n_sizes; s++) {
        for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
            if (measure(formats[f], sizes[s]) != 0) {
                fprintf(stderr, "bench_reports: %s with %zu results failed\n", formats[f], sizes[s]);
                rc = 1;
            }
        }
    }
    return rc;
}
