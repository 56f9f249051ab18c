/*
 * Rule engine benchmark: a synthetic snapshot of N resources (default
 * 1,000,000) judged by 20 rules. Prints resources, rules, load time (JSON
 * parse and resource table), eval time, results per second and peak RSS.
 *
 *   bench_rules [RESOURCES] [--json]     (--json also times writing the results to /dev/null)
 *
 * Not a timed test: it shows where the time goes, it does not gate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "measure.h"
#include "report/json.h"
#include "rules/evaluate.h"
#include "util/buf.h"
#include "util/str.h"

/* Twenty rules in the shape of the built-in pack, every op family represented. */
static const char g_rules[] =
    "vars:\n"
    "  trusted: [\"444455556666\", \"555566667777\"]\n"
    "  bad_codes: [OfficeInstalled, FirewallEnabled, DomainJoined, PendingReboot]\n"
    "  max_age: 180\n"
    "rules:\n"
    "- {id: r01, title: byol shared, severity: critical, resource: workspaces_image,\n"
    "   message: '{Name} ({ImageId}) shared with {Permissions[].SharedAccountId}',\n"
    "   when: {and: [{RequiredTenancy: DEDICATED}, {key: Permissions, op: not-empty}]}}\n"
    "- {id: r02, title: update, severity: medium, resource: workspaces_image,\n"
    "   message: '{Name} {Updates.Description}', when: {Updates.UpdateAvailable: true}}\n"
    "- {id: r03, title: error code, severity: high, resource: workspaces_image, message: '{Name} "
    "{ErrorCode}',\n"
    "   when: {or: [{key: ErrorCode, op: in, value: {var: bad_codes}},\n"
    "               {key: 'ErrorDetails[].ErrorCode', op: in, value: {var: bad_codes}}]}}\n"
    "- {id: r04, title: shared untrusted, severity: high, resource: workspaces_image,\n"
    "   message: '{Name} {Permissions[].SharedAccountId}',\n"
    "   when: {key: 'Permissions[].SharedAccountId', op: not-in, value: {var: trusted}}}\n"
    "- {id: r05, title: untrusted owner, severity: high, resource: workspaces_image, message: '{Name}',\n"
    "   when: {and: [{ImageType: SHARED}, {key: OwnerAccountId, op: not-in, value: {var: trusted}}]}}\n"
    "- {id: r06, title: error state, severity: medium, resource: workspaces_image, message: '{Name}',\n"
    "   when: {State: ERROR}}\n"
    "- {id: r07, title: stale, severity: low, resource: workspaces_image, message: '{Name} {Created}',\n"
    "   when: {key: Created, op: older-than, value: {var: max_age}}}\n"
    "- {id: r08, title: name policy, severity: low, resource: workspaces_image, message: '{Name}',\n"
    "   when: {not: {key: Name, op: regex, value: '^(golden|app|byol)-[a-z0-9-]+$'}}}\n"
    "- {id: r09, title: linux, severity: info, resource: workspaces_image, message: '{Name}',\n"
    "   when: {OperatingSystem.Type: LINUX}}\n"
    "- {id: r10, title: description, severity: info, resource: workspaces_image, message: '{Name}',\n"
    "   when: {key: Description, op: absent}}\n"
    "- {id: r11, title: region, severity: info, resource: workspaces_image, message: '{region}',\n"
    "   when: {and: [{region: us-east-1}, {key: account, op: ne, value: '111122223333'}]}}\n"
    "- {id: r12, title: recent, severity: info, resource: workspaces_image, message: '{Created}',\n"
    "   when: {key: Created, op: newer-than, value: 30d}}\n"
    "- {id: r13, title: internet, severity: medium, resource: appstream_image_builder, message: '{Name}',\n"
    "   when: {EnableDefaultInternetAccess: true}}\n"
    "- {id: r14, title: failed, severity: medium, resource: appstream_image_builder, message: '{Name}',\n"
    "   when: {or: [{State: FAILED}, {key: ImageBuilderErrors, op: not-empty}]}}\n"
    "- {id: r15, title: endpoints, severity: low, resource: appstream_image_builder, message: '{Name}',\n"
    "   when: {key: AccessEndpoints, op: empty}}\n"
    "- {id: r16, title: instance, severity: info, resource: appstream_image_builder, message: "
    "'{InstanceType}',\n"
    "   when: {key: InstanceType, op: contains, value: graphics}}\n"
    "- {id: r17, title: agent, severity: low, resource: appstream_image_builder, message: "
    "'{AppstreamAgentVersion}',\n"
    "   when: {key: AppstreamAgentVersion, op: lt, value: '2024'}}\n"
    "- {id: r18, title: shared, severity: high, resource: appstream_image, message: '{Name}',\n"
    "   when: {key: 'Permissions[].sharedAccountId', op: not-in, value: {var: trusted}}}\n"
    "- {id: r19, title: app failed, severity: medium, resource: appstream_image, message: '{Name}',\n"
    "   when: {State: FAILED}}\n"
    "- {id: r20, title: fleet share, severity: low, resource: appstream_image, message: '{Name}',\n"
    "   when: {key: 'Permissions[].imagePermissions.allowFleet', op: eq, value: true}}\n";

/* A deterministic PRNG, so every run judges the same snapshot. */
static unsigned long long g_seed = 0x9E3779B97F4A7C15ULL;

static unsigned rnd(unsigned n)
{
    g_seed ^= g_seed << 13;
    g_seed ^= g_seed >> 7;
    g_seed ^= g_seed << 17;
    return (unsigned)(g_seed % n);
}

static const char *const g_accounts[] = {"111122223333", "444455556666", "777788889999", "222233334444"};
static const char *const g_regions[] = {"eu-west-1", "us-east-1", "ap-southeast-2"};

static int gen_workspaces(buf *b, size_t i, const char *account, const char *region)
{
    static const char *const prefixes[] = {"golden", "app", "byol", "Test"};
    unsigned shares = rnd(4);
    int rc = buf_printf(
        b,
        "{\"type\":\"workspaces_image\",\"account\":\"%s\",\"region\":\"%s\",\"id\":\"wsi-%09zu\",\"data\":{"
        "\"ImageId\":\"wsi-%09zu\",\"Name\":\"%s-%zu\",%s\"OperatingSystem\":{\"Type\":\"%s\"},"
        "\"State\":\"%s\",\"RequiredTenancy\":\"%s\",\"Created\":\"20%02u-%02u-%02uT10:00:00Z\","
        "\"OwnerAccountId\":\"%s\",\"ImageType\":\"%s\",\"Updates\":{\"UpdateAvailable\":%s,"
        "\"Description\":\"drivers\"},%s\"Permissions\":[",
        account, region, i, i, prefixes[rnd(4)], i, rnd(2) ? "\"Description\":\"desktop image\"," : "",
        rnd(5) ? "WINDOWS" : "LINUX", rnd(20) ? "AVAILABLE" : "ERROR", rnd(10) ? "DEFAULT" : "DEDICATED",
        18 + rnd(9), 1 + rnd(12), 1 + rnd(28), g_accounts[rnd(4)], rnd(5) ? "OWNED" : "SHARED",
        rnd(3) ? "false" : "true",
        rnd(10) ? ""
                : "\"ErrorCode\":\"PendingReboot\",\"ErrorDetails\":[{\"ErrorCode\":\"DomainJoined\"}],");

    for (unsigned k = 0; rc == 0 && k < shares; k++)
        rc = buf_printf(b, "%s{\"SharedAccountId\":\"%s\"}", k ? "," : "", g_accounts[rnd(4)]);
    return rc ? rc : buf_puts(b, "]}}");
}

static int gen_builder(buf *b, size_t i, const char *account, const char *region)
{
    return buf_printf(
        b,
        "{\"type\":\"appstream_image_builder\",\"account\":\"%s\",\"region\":\"%s\",\"id\":\"b-%zu\","
        "\"data\":{\"Name\":\"b-%zu\",\"State\":\"%s\",\"InstanceType\":\"%s\","
        "\"EnableDefaultInternetAccess\":%s,\"AppstreamAgentVersion\":\"20%02u-01-01\","
        "\"ImageBuilderErrors\":[%s],\"AccessEndpoints\":[%s]}}",
        account, region, i, i, rnd(10) ? "RUNNING" : "FAILED",
        rnd(4) ? "stream.standard.large" : "stream.graphics.g4dn.xlarge", rnd(2) ? "true" : "false",
        20 + rnd(6), rnd(8) ? "" : "{\"ErrorCode\":\"SUBNET_NOT_FOUND\"}",
        rnd(3) ? "" : "{\"EndpointType\":\"STREAMING\",\"VpceId\":\"vpce-1\"}");
}

static int gen_image(buf *b, size_t i, const char *account, const char *region)
{
    return buf_printf(
        b,
        "{\"type\":\"appstream_image\",\"account\":\"%s\",\"region\":\"%s\",\"id\":\"img-%zu\","
        "\"data\":{\"Name\":\"img-%zu\",\"State\":\"%s\",\"Visibility\":\"PRIVATE\","
        "\"Permissions\":[{\"sharedAccountId\":\"%s\",\"imagePermissions\":{\"allowFleet\":%s}}]}}",
        account, region, i, i, rnd(20) ? "AVAILABLE" : "FAILED", g_accounts[rnd(4)],
        rnd(2) ? "true" : "false");
}

static int generate(buf *b, size_t n)
{
    int rc = buf_puts(b, "{\"schema\":\"imgaudit.snapshot\",\"schema_version\":1,\"complete\":true,"
                         "\"resources\":[\n");

    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *account = g_accounts[rnd(4)], *region = g_regions[rnd(3)];
        unsigned kind = rnd(20);

        if (i)
            rc = buf_puts(b, ",\n");
        if (rc == 0)
            rc = kind < 14   ? gen_workspaces(b, i, account, region)
                 : kind < 17 ? gen_builder(b, i, account, region)
                             : gen_image(b, i, account, region);
    }
    return rc ? rc : buf_puts(b, "\n],\"errors\":[]}\n");
}

int main(int argc, char **argv)
{
    size_t n = 1000000;
    int with_json = 0, rc = 1;
    rules_source src = {"bench-rules.yaml", g_rules, sizeof(g_rules) - 1};
    rules_set *set = NULL;
    snapshot_doc *snap = NULL;
    rules_diags diags;
    rules_clock clock;
    results res;
    ia_err err;
    buf text;
    double t0, t_gen, t_load, t_eval, t_json = 0;
    struct rusage ru;
    results_summary sum;

    for (int i = 1; i < argc; i++) {
        long v;

        if (strcmp(argv[i], "--json") == 0)
            with_json = 1;
        else if (str_to_long(argv[i], 1, 50000000, &v))
            n = (size_t)v;
        else {
            fprintf(stderr, "usage: bench_rules [RESOURCES] [--json]\n");
            return 2;
        }
    }
    memset(&res, 0, sizeof(res));
    rules_diags_init(&diags);
    buf_init(&text, (size_t)8 * 1024 * 1024 * 1024);
    if (rules_load_sources(&src, 1, NULL, 0, &set, &diags, &err) != 0) {
        rules_diags_print(&diags, stderr, "bench_rules: ", NULL, false);
        goto out;
    }
    rules_clock_init(&clock, "2026-11-25", &err);
    t0 = measure_now_s();
    if (generate(&text, n) != 0) {
        fprintf(stderr, "bench_rules: out of memory generating the snapshot\n");
        goto out;
    }
    t_gen = measure_now_s() - t0;
    t0 = measure_now_s();
    if (snapshot_doc_parse("synthetic", buf_str(&text), text.len, &snap, &err) != 0) {
        fprintf(stderr, "bench_rules: %s\n", err.msg);
        goto out;
    }
    t_load = measure_now_s() - t0;
    buf_free(&text);
    t0 = measure_now_s();
    if (rules_evaluate(set, NULL, snap, &clock, &res, &err) != 0) {
        fprintf(stderr, "bench_rules: %s\n", err.msg);
        goto out;
    }
    t_eval = measure_now_s() - t0;
    if (with_json) {
        t0 = measure_now_s();
        FILE *fp = fopen("/dev/null", "w");

        if (!fp || json_report_fwrite(&res, fp, &err) != 0) {
            fprintf(stderr, "bench_rules: %s\n", fp ? err.msg : "cannot open /dev/null");
            if (fp)
                fclose(fp);
            goto out;
        }
        fclose(fp);
        t_json = measure_now_s() - t0;
    }
    getrusage(RUSAGE_SELF, &ru);
    results_summarize(&res, &sum);
    printf("%-12s %-6s %-10s %-10s %-10s %-14s %-12s %-8s%s\n", "resources", "rules", "gen_s", "load_s",
           "eval_s", "results/s", "failures", "peak_MiB", with_json ? "  json_s" : "");
    printf("%-12zu %-6zu %-10.2f %-10.2f %-10.2f %-14.0f %-12zu %-8ld", snap->n_resources,
           rules_set_count(set), t_gen, t_load, t_eval, t_eval > 0 ? (double)res.n_items / t_eval : 0.0,
           sum.by_status[RESULT_FAIL], ru.ru_maxrss / 1024);
    if (with_json)
        printf("  %.2f", t_json);
    printf("\n");
    rc = 0;
out:
    results_free(&res);
    snapshot_doc_free(snap);
    rules_set_free(set);
    rules_diags_free(&diags);
    buf_free(&text);
    return rc;
}
