#include "cli/reportopts.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report/baseline.h"
#include "util/fileio.h"
#include "util/log.h"

static int set_group_by(void *obj, const char *value, ia_err *err)
{
    reportopts *ro = obj;

    if (junit_parse_group(value, &ro->group_by) != 0)
        return err_set(err, IA_ERR_USAGE, "--junit-group-by: '%s' is neither 'rule' nor 'account'", value);
    return 0;
}

static int set_fail_on(void *obj, const char *value, ia_err *err)
{
    reportopts *ro = obj;

    if (strcmp(value, "none") == 0) {
        ro->gate.enabled = 0;
        return 0;
    }
    if (severity_parse(value, &ro->gate.min) != 0)
        return err_set(err, IA_ERR_USAGE,
                       "--fail-on: '%s' is not one of info, low, medium, high, critical, none", value);
    ro->gate.enabled = 1;
    return 0;
}

/* --junit-passes and --no-junit-passes: the one given last wins, as with any pair of opposite flags. */
static int set_junit_passes(void *obj, const char *value, ia_err *err)
{
    (void)value;
    (void)err;
    ((reportopts *)obj)->junit_passes = true;
    return 0;
}

static int set_no_junit_passes(void *obj, const char *value, ia_err *err)
{
    (void)value;
    (void)err;
    ((reportopts *)obj)->junit_passes = false;
    return 0;
}

static int set_fail_on_new(void *obj, const char *value, ia_err *err)
{
    reportopts *ro = obj;

    (void)value;
    (void)err;
    ro->gate.new_only = 1;
    return 0;
}

const cli_opt reportopts_rule_options[] = {
    /* `rules` takes its PATH operands the same way; its usage line shows those. */
    {"rules", 0, "PATH", CLI_LIST(reportopts, rules), CLI_OPT_NO_SYNOPSIS,
     "rule file or directory of *.yaml/*.yml (repeatable), added to the built-in\n"
     "pack ($IMGAUDIT_RULES_DIR, <program dir>/../rules, the install data dir)"},
    {"vars", 0, "FILE", CLI_LIST(reportopts, vars), 0, "variables file (repeatable; later definitions win)"},
    {0},
};

static int set_severity(void *obj, const char *value, ia_err *err)
{
    reportopts *ro = obj;

    if (severity_parse(value, &ro->min_severity) != 0)
        return err_set(err, IA_ERR_USAGE, "--severity: '%s' is not one of %s", value, severity_choices());
    ro->has_min_severity = true;
    return 0;
}

const cli_opt reportopts_pack_options[] = {
    {"no-builtin-rules", 0, NULL, CLI_BOOL(reportopts, no_builtin_rules), 0,
     "only the rules given with --rules, not the built-in pack too"},
    {0},
};

const cli_opt reportopts_select_options[] = {
    {"rule", 0, "ID", CLI_LIST(reportopts, only_rules), 0,
     "run only this rule (an id or a glob; repeatable; an id matching\nno rule is an error)"},
    {"exclude-rule", 0, "ID", CLI_LIST(reportopts, exclude_rules), 0,
     "leave this rule out (an id or a glob; repeatable)"},
    {"severity", 0, "SEVERITY", CLI_CALL(set_severity), 0,
     "only rules at least this severe (info, low, medium, high, critical)"},
    {0},
};

const cli_opt reportopts_waiver_options[] = {
    {"waivers", 0, "FILE", CLI_LIST(reportopts, waivers), 0, "waivers file (repeatable)"},
    {0},
};

const cli_opt reportopts_today_options[] = {
    {"today", 0, "YYYY-MM-DD", CLI_STRING(reportopts, today), 0,
     "the day waivers expire against and ages count from\n(default: $IMGAUDIT_TODAY, else the system clock)"},
    {0},
};

const cli_opt reportopts_report_options[] = {
    {"json", 0, "FILE", CLI_STRING(reportopts, json), 0, "results as JSON (docs/rules.md); '-' for stdout"},
    {"junit", 0, "FILE", CLI_STRING(reportopts, junit), 0, "JUnit XML for CI; '-' for stdout"},
    {"html", 0, "FILE", CLI_STRING(reportopts, html), 0, "one self-contained HTML page; '-' for stdout"},
    {"csv", 0, "FILE", CLI_STRING(reportopts, csv), 0,
     "failures and waived results as CSV, one row each; '-' for stdout"},
    {"markdown", 0, "FILE", CLI_STRING(reportopts, markdown), 0,
     "a short Markdown summary for a CI job's page\n($GITHUB_STEP_SUMMARY); '-' for stdout"},
    {"junit-group-by", 0, "rule|account", CLI_CALL(set_group_by), 0,
     "one <testsuite> per rule (default) or per account"},
    {"junit-passes", 0, NULL, CLI_CALL(set_junit_passes), 0,
     "a <testcase> for every passed check too (default)"},
    {"no-junit-passes", 0, NULL, CLI_CALL(set_no_junit_passes), 0,
     "leave passed checks out of the JUnit report, counted in each\nsuite's \"passed\" property (for very "
     "large fleets)"},
    {"fail-on", 0, "SEVERITY", CLI_CALL(set_fail_on), 0,
     "exit 1 when an un-waived failure is at or above SEVERITY\n"
     "(info, low, medium, high, critical; default high; 'none' never)"},
    {"fail-on-new", 0, NULL, CLI_CALL(set_fail_on_new), 0,
     "gate only on failures that are new since --baseline"},
    {"baseline", 0, "FILE", CLI_STRING(reportopts, baseline), 0,
     "a previous run's --json results: mark failures new or existing,\nlist the resolved ones"},
    {"allow-partial", 0, NULL, CLI_BOOL(reportopts, allow_partial), 0,
     "an incomplete collection does not change the exit status"},
    {0},
};

void reportopts_init(reportopts *ro)
{
    memset(ro, 0, sizeof(*ro));
    ro->gate.enabled = 1;
    ro->gate.min = SEV_HIGH;
    ro->group_by = JUNIT_GROUP_RULE;
    ro->junit_passes = true;
}

/* "-", or a path that is this process's stdout under another name (/dev/stdout, /proc/self/fd/1). */
static bool goes_to_stdout(const char *path)
{
    struct stat a, b;

    if (!path)
        return false;
    if (strcmp(path, "-") == 0)
        return true;
    return stat(path, &a) == 0 && fstat(STDOUT_FILENO, &b) == 0 && file_same_stat(&a, &b);
}

size_t reportopts_outputs(const reportopts *ro, cli_path out[REPORTOPTS_OUTPUTS_MAX])
{
    const cli_path all[] = {{"--json", ro->json},
                            {"--junit", ro->junit},
                            {"--html", ro->html},
                            {"--csv", ro->csv},
                            {"--markdown", ro->markdown}};
    size_t n = 0;

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]) && n < REPORTOPTS_OUTPUTS_MAX; i++) {
        if (all[i].path)
            out[n++] = all[i];
    }
    return n;
}

int reportopts_paths(const reportopts *ro, cli_paths *outputs, cli_paths *inputs, ia_err *err)
{
    const struct {
        const char *what;
        const cli_list *files;
    } lists[] = {{"--rules", &ro->rules}, {"--vars", &ro->vars}, {"--waivers", &ro->waivers}};
    cli_path out[REPORTOPTS_OUTPUTS_MAX];
    size_t n = reportopts_outputs(ro, out);

    for (size_t i = 0; i < n; i++) {
        if (cli_paths_add(outputs, out[i].what, out[i].path, err) != 0)
            return -1;
    }
    if (cli_paths_add(inputs, "--baseline", ro->baseline, err) != 0)
        return -1;
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        for (size_t j = 0; j < lists[i].files->n; j++) {
            if (cli_paths_add(inputs, lists[i].what, lists[i].files->items[j], err) != 0)
                return -1;
        }
    }
    return 0;
}

bool reportopts_report_on_stdout(const reportopts *ro)
{
    cli_path out[REPORTOPTS_OUTPUTS_MAX];
    size_t n = reportopts_outputs(ro, out);

    for (size_t i = 0; i < n; i++) {
        if (goes_to_stdout(out[i].path))
            return true;
    }
    return false;
}

int reportopts_check(const reportopts *ro, ia_err *err)
{
    cli_path out[REPORTOPTS_OUTPUTS_MAX];
    size_t n = reportopts_outputs(ro, out);
    const char *first = NULL;

    for (size_t i = 0; i < n; i++) {
        if (!goes_to_stdout(out[i].path))
            continue;
        if (first)
            return err_set(err, IA_ERR_USAGE, "only one report can go to stdout ('-'): %s and %s both do",
                           first, out[i].what);
        first = out[i].what;
    }
    if (ro->gate.new_only && !ro->baseline)
        return err_set(err, IA_ERR_USAGE, "--fail-on-new needs --baseline (new since when?)");
    return 0;
}

int reportopts_rule_paths(reportopts *ro, bool with_pack, cli_list *out, ia_err *err)
{
    memset(out, 0, sizeof(*out));
    if (with_pack && (rules_pack_dir(ro->pack_dir, sizeof(ro->pack_dir), err) != 0 ||
                      cli_list_append(out, ro->pack_dir, err) != 0))
        goto fail;
    for (size_t i = 0; i < ro->rules.n; i++) {
        if (cli_list_append(out, ro->rules.items[i], err) != 0)
            goto fail;
    }
    return 0;
fail:
    cli_list_free(out);
    return -1;
}

rules_selection reportopts_selection(const reportopts *ro)
{
    rules_selection sel = {ro->only_rules.items, ro->only_rules.n,     ro->exclude_rules.items,
                           ro->exclude_rules.n,  ro->has_min_severity, ro->min_severity};

    return sel;
}

/*
 * Each problem in a rule or waiver file as a line of its own, through the log
 * (timestamped off a terminal, like every error): errors as errors, warnings
 * (lint's, which do not stop a run) as warnings.
 */
void reportopts_log_diags(const rules_diags *diags)
{
    char line[2048];
    size_t dropped = rules_diags_dropped(diags);

    for (size_t i = 0; i < diags->n; i++) {
        rules_diag_format(&diags->items[i], line, sizeof(line));
        if (diags->items[i].level == RULES_DIAG_ERROR)
            log_error("%s", line);
        else
            log_warn("%s", line);
    }
    if (dropped)
        log_error("%zu more problems not shown", dropped);
}

int reportopts_load_rules(reportopts *ro, bool with_pack, bool partial, rules_diags *diags, ia_err *err)
{
    rules_selection sel = reportopts_selection(ro);
    cli_list paths = {0};
    size_t errors, warnings;
    ia_err werr;
    int rc = -1, lrc;

    err_clear(&werr);
    if (reportopts_rule_paths(ro, with_pack, &paths, err) != 0)
        goto out;
    lrc = partial ? rules_load_partial(paths.items, paths.n, ro->vars.items, ro->vars.n, &ro->set, diags, err)
                  : rules_load(paths.items, paths.n, ro->vars.items, ro->vars.n, &ro->set, diags, err);
    /* The waivers are read even when a rule file is bad: a user fixes every file in one go. Only a set that
     * names every rule can tell a waiver that matches none. */
    if (ro->waivers.n && !(lrc != 0 && err->kind == IA_ERR_NOMEM) &&
        waivers_load_checked(ro->waivers.items, ro->waivers.n,
                             rules_set_ids_complete(ro->set) ? ro->set : NULL, &ro->wv, diags, &werr) != 0 &&
        (lrc == 0 || werr.kind == IA_ERR_NOMEM))
        *err = werr;
    rules_diags_count(diags, partial, &errors, &warnings);
    if (lrc != 0 || (ro->waivers.n && !ro->wv)) {
        rc = errors ? 1 : -1;
        goto out;
    }
    if (!partial && rules_set_select(ro->set, &sel, err) != 0)
        goto out;
    rc = 0;
out:
    /* Every problem, not just the first, and every warning. */
    if (!partial && diags->n)
        reportopts_log_diags(diags);
    cli_list_free(&paths);
    return rc;
}

int reportopts_load(reportopts *ro, ia_err *err)
{
    rules_diags diags;
    int rc = -1;

    rules_diags_init(&diags);
    /* First: a baseline that is missing or malformed is found before a collection that would be thrown away.
     */
    if (ro->baseline && baseline_read(ro->baseline, &ro->baseline_doc, err) != 0)
        goto out;
    if (rules_clock_init(&ro->clock, ro->today, err) != 0)
        goto out;
    if (ro->no_builtin_rules && ro->rules.n == 0) {
        err_set(err, IA_ERR_USAGE, "--no-builtin-rules needs --rules PATH (which rules, then?)");
        goto out;
    }
    rc = reportopts_load_rules(ro, !ro->no_builtin_rules, false, &diags, err);
out:
    if (rc < 0)
        cli_fail(err);
    rules_diags_free(&diags);
    return rc ? -1 : 0;
}

void reportopts_clean_up(reportopts *ro)
{
    rules_set_free(ro->set);
    waivers_free(ro->wv);
    cli_list_free(&ro->rules);
    cli_list_free(&ro->vars);
    cli_list_free(&ro->waivers);
    cli_list_free(&ro->only_rules);
    cli_list_free(&ro->exclude_rules);
    baseline_free(ro->baseline_doc);
    memset(ro, 0, sizeof(*ro));
}
