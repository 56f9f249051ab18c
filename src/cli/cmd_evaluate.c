/*
 * `imgaudit evaluate SNAPSHOT`: judges a snapshot against rules, offline.
 * Its exit status says whether evaluation ran (0) or the input was bad (2);
 * gating on failures belongs to the report options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "report/json.h"
#include "rules/evaluate.h"

#define CMD "evaluate"

static void usage(FILE *fp)
{
    fprintf(fp, "usage: imgaudit evaluate SNAPSHOT [options]\n\n"
                "Judges a snapshot (from 'imgaudit collect') against YAML rules.\n\n"
                "options:\n"
                "  --rules PATH     rule file or directory of *.yaml/*.yml (repeatable; default: the\n"
                "                   built-in pack: $IMGAUDIT_RULES_DIR, else <program dir>/../rules,\n"
                "                   else the install data directory)\n"
                "  --vars FILE      variables file (repeatable; later definitions win)\n"
                "  --waivers FILE   waivers file (repeatable)\n"
                "  --today DATE     YYYY-MM-DD that waivers expire against and older-than counts from\n"
                "                   (default: $IMGAUDIT_TODAY, else the system clock)\n"
                "  --json FILE      write every result as one JSON document ('-' for stdout)\n"
                "  --quiet          no summary or warnings on stderr\n\n"
                "exit status: 0 evaluation done, 2 bad command line or bad input file\n");
}

/* --name VALUE or --name=VALUE. Returns 1 when argv[*i] is this option (advancing *i), 0 if not, -1 if no
 * value. */
static int opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) != 0)
        return 0;
    if (argv[*i][n] == '=') {
        *val = argv[*i] + n + 1;
        return 1;
    }
    if (argv[*i][n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

typedef struct eval_opts {
    const char *snapshot;
    const char **rules, **vars, **waivers;
    size_t n_rules, n_vars, n_waivers;
    const char *today, *json;
    int quiet;
} eval_opts;

static int parse_args(int argc, char **argv, eval_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int m;

        if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            o->quiet = 1;
            continue;
        }
        if ((m = opt_value(argc, argv, &i, "--rules", &v)) != 0) {
            if (m < 0)
                return cli_usage_error(CMD, "--rules needs a path");
            o->rules[o->n_rules++] = v;
        } else if ((m = opt_value(argc, argv, &i, "--vars", &v)) != 0) {
            if (m < 0)
                return cli_usage_error(CMD, "--vars needs a file");
            o->vars[o->n_vars++] = v;
        } else if ((m = opt_value(argc, argv, &i, "--waivers", &v)) != 0) {
            if (m < 0)
                return cli_usage_error(CMD, "--waivers needs a file");
            o->waivers[o->n_waivers++] = v;
        } else if ((m = opt_value(argc, argv, &i, "--today", &v)) != 0) {
            if (m < 0)
                return cli_usage_error(CMD, "--today needs a date (YYYY-MM-DD)");
            o->today = v;
        } else if ((m = opt_value(argc, argv, &i, "--json", &v)) != 0) {
            if (m < 0 || !*v)
                return cli_usage_error(CMD, "--json needs a file ('-' for stdout)");
            o->json = v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error(CMD, "unknown option '%s'", argv[i]);
        } else if (o->snapshot) {
            return cli_usage_error(CMD, "one snapshot at a time ('%s' and '%s')", o->snapshot, argv[i]);
        } else {
            o->snapshot = argv[i];
        }
    }
    if (!o->snapshot)
        return cli_usage_error(CMD, "which snapshot? (imgaudit evaluate SNAPSHOT)");
    return 0;
}

static void print_summary(const results *r, const rules_snapshot *snap)
{
    results_summary sum;

    results_summarize(r, &sum);
    fprintf(stderr, "imgaudit: %zu rules over %zu resources: %zu pass, %zu fail, %zu waived\n", r->n_rules,
            r->n_resources, sum.by_status[RESULT_PASS], sum.by_status[RESULT_FAIL],
            sum.by_status[RESULT_WAIVED]);
    if (sum.by_status[RESULT_FAIL]) {
        fprintf(stderr, "imgaudit: failures by severity:");
        for (int s = SEV_CRITICAL; s >= SEV_INFO; s--) {
            if (sum.by_severity[s][RESULT_FAIL])
                fprintf(stderr, " %s %zu", severity_name((severity)s), sum.by_severity[s][RESULT_FAIL]);
        }
        fputc('\n', stderr);
    }
    for (size_t i = 0; i < r->n_waivers; i++) {
        const waiver_info *w = &r->waivers[i];

        if (w->state == WAIVER_EXPIRED)
            fprintf(stderr, "imgaudit: warning: %s:%u: waiver for '%s' expired on %s and no longer applies\n",
                    w->file, w->line, w->rule, w->expires);
        else if (w->state == WAIVER_UNUSED)
            fprintf(stderr, "imgaudit: warning: %s:%u: waiver for '%s' matched nothing\n", w->file, w->line,
                    w->rule);
    }
    if (snap->errors && cJSON_GetArraySize(snap->errors) > 0) {
        int n = cJSON_GetArraySize(snap->errors);

        fprintf(stderr, "imgaudit: warning: the snapshot is incomplete: %d collection error%s\n", n,
                n == 1 ? "" : "s");
    }
}

int cmd_evaluate(int argc, char **argv)
{
    eval_opts o;
    char pack[4096];
    rules_set *set = NULL;
    waivers *wv = NULL;
    rules_snapshot *snap = NULL;
    rules_diags diags;
    rules_clock clock;
    results res;
    ia_err err;
    int rc = CLI_EXIT_USAGE;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return CLI_EXIT_OK;
        }
    }
    memset(&o, 0, sizeof(o));
    memset(&res, 0, sizeof(res));
    err_clear(&err);
    rules_diags_init(&diags);
    o.rules = calloc((size_t)argc + 1, sizeof(*o.rules));
    o.vars = calloc((size_t)argc + 1, sizeof(*o.vars));
    o.waivers = calloc((size_t)argc + 1, sizeof(*o.waivers));
    if (!o.rules || !o.vars || !o.waivers) {
        err_set(&err, IA_ERR_NOMEM, "out of memory");
        rc = cli_fail(&err);
        goto out;
    }
    if (parse_args(argc, argv, &o) != 0)
        goto out;
    if (rules_clock_init(&clock, o.today, &err) != 0) {
        rc = cli_fail(&err);
        goto out;
    }
    if (o.n_rules == 0) {
        if (rules_pack_dir(pack, sizeof(pack), &err) != 0) {
            rc = cli_fail(&err);
            goto out;
        }
        o.rules[o.n_rules++] = pack;
    }
    if (rules_load(o.rules, o.n_rules, o.vars, o.n_vars, &set, &diags, &err) != 0) {
        rules_diags_print(&diags, stderr, "imgaudit: error: ");
        rc = diags.n ? cli_exit_for(&err) : cli_fail(&err);
        goto out;
    }
    if (o.n_waivers && waivers_load(o.waivers, o.n_waivers, &wv, &diags, &err) != 0) {
        rules_diags_print(&diags, stderr, "imgaudit: error: ");
        rc = diags.n ? cli_exit_for(&err) : cli_fail(&err);
        goto out;
    }
    if (rules_snapshot_read(o.snapshot, &snap, &err) != 0) {
        rc = cli_fail(&err);
        goto out;
    }
    if (rules_evaluate(set, wv, snap, &clock, &res, &err) != 0) {
        rc = cli_fail(&err);
        goto out;
    }
    if (o.json && json_report_write(&res, o.json, &err) != 0) {
        rc = cli_fail(&err);
        goto out;
    }
    if (!o.quiet)
        print_summary(&res, snap);
    rc = CLI_EXIT_OK;
out:
    results_free(&res);
    rules_snapshot_free(snap);
    waivers_free(wv);
    rules_set_free(set);
    rules_diags_free(&diags);
    free(o.rules);
    free(o.vars);
    free(o.waivers);
    return rc;
}
