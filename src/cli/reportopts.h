#ifndef IMGAUDIT_CLI_REPORTOPTS_H
#define IMGAUDIT_CLI_REPORTOPTS_H

/*
 * The options of judging a snapshot, shared by `evaluate` and `audit`
 * (`rules` takes the first three groups): rules, variables, waivers, the
 * day, the reports to write, the baseline to compare with and the CI gate.
 * The judging itself is run_judge.h.
 */

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "cli/opt.h"
#include "cli/paths.h"
#include "report/baseline.h"
#include "report/junit.h"
#include "report/tally.h"
#include "rules/clock.h"
#include "rules/rules.h"
#include "rules/waivers.h"

typedef struct reportopts {
    cli_list rules, vars, waivers; /* paths borrowed from argv; the lists owned */
    /* Which rules run: --no-builtin-rules, --rule, --exclude-rule, --severity */
    bool no_builtin_rules;
    cli_list only_rules, exclude_rules;
    bool has_min_severity;
    severity min_severity;
    const char *today, *json, *junit, *html, *csv, *markdown, *baseline;
    junit_group group_by;
    bool junit_passes; /* a <testcase> for each passed check; --no-junit-passes: counted only */
    tally_gate gate;
    bool allow_partial;
    /* Loaded by reportopts_load */
    char pack_dir[4096];
    rules_set *set;
    waivers *wv;
    rules_clock clock;
    baseline_doc *baseline_doc; /* owned: --baseline's results document, read and checked; NULL without one */
} reportopts;

/* The most report files one run writes. */
#define REPORTOPTS_OUTPUTS_MAX 8

/* The option groups, each storing into a reportopts. */
extern const cli_opt reportopts_rule_options[];   /* --rules, --vars */
extern const cli_opt reportopts_pack_options[];   /* --no-builtin-rules */
extern const cli_opt reportopts_select_options[]; /* --rule, --exclude-rule, --severity */
extern const cli_opt reportopts_waiver_options[]; /* --waivers */
extern const cli_opt reportopts_today_options[];  /* --today */
extern const cli_opt reportopts_report_options[]; /* the reports, the baseline, the gate */

/* Sets the defaults. */
void reportopts_init(reportopts *ro);

/*
 * The report files asked for, each with its option ("--json", path as
 * given, "-" included), in the order they are written; returns how many.
 * Every check of the outputs (at most one on stdout, no two on one file)
 * walks this one list, so a new report joins those checks here.
 */
size_t reportopts_outputs(const reportopts *ro, cli_path out[REPORTOPTS_OUTPUTS_MAX]);

/*
 * Adds the reports (reportopts_outputs, "-" included) to outputs, and the
 * files read to inputs: --baseline, --rules, --vars, --waivers (each of
 * those given, not the built-in pack). For cli_paths_check.
 */
int reportopts_paths(const reportopts *ro, cli_paths *outputs, cli_paths *inputs, ia_err *err);

/* Checks the options fit together: at most one report on stdout, --fail-on-new with --baseline. */
int reportopts_check(const reportopts *ro, ia_err *err);

/* Whether a report goes to stdout ("-", or stdout under another name such as /dev/stdout). */
bool reportopts_report_on_stdout(const reportopts *ro);

/*
 * The rule files and directories to load into *out (owned list, free with
 * cli_list_free; the strings borrowed from ro): the built-in pack first when
 * with_pack (its directory is found into ro->pack_dir), then every --rules
 * PATH. IA_ERR_INPUT when the pack is wanted and cannot be found.
 */
int reportopts_rule_paths(reportopts *ro, bool with_pack, cli_list *out, ia_err *err);

/* The selection --rule, --exclude-rule and --severity ask for (borrowing ro's lists). */
rules_selection reportopts_selection(const reportopts *ro);

/*
 * Reads and checks the --baseline document (into ro->baseline_doc, so that
 * a missing or malformed baseline ends the run before any collection), loads
 * the rules (the built-in pack, unless --no-builtin-rules, and every
 * --rules PATH), variables and waivers (each waiver's rule must be one of
 * them), keeps the rules --rule, --exclude-rule and --severity choose, and
 * sets the clock. Every problem in those files is printed (file:line:column)
 * and so is every warning; err holds the first error.
 */
int reportopts_load(reportopts *ro, ia_err *err);

/*
 * Loads the rules (the built-in pack first when with_pack, then every
 * --rules PATH), variables and waivers into ro->set and ro->wv, every problem
 * into diags. partial (lint): rules_load_partial, the waivers checked against
 * the rules that could be read, and neither logged nor selected; otherwise
 * every problem and warning is logged and the set keeps the rules --rule,
 * --exclude-rule and --severity choose. Returns 0; 1 when diags holds the
 * errors (strict ones too when partial) and err the first; -1 on a failure
 * diags does not tell, in err (for cli_fail).
 */
int reportopts_load_rules(reportopts *ro, bool with_pack, bool partial, rules_diags *diags, ia_err *err);

/* Logs each problem of diags (log_error, log_warn), and how many more were not kept. */
void reportopts_log_diags(const rules_diags *diags);

/* Frees what init and load made. */
void reportopts_clean_up(reportopts *ro);

#endif
