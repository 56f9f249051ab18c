#ifndef IMGAUDIT_CLI_REPORTOPTS_H
#define IMGAUDIT_CLI_REPORTOPTS_H

/*
 * The options of judging a snapshot, shared by `evaluate` and `audit`
 * (`rules` takes the first three groups): rules, variables, waivers, the
 * day, the reports to write, the baseline to compare with and the CI gate.
 * The judging itself is run_judge.h.
 */

#include <stdbool.h>

#include "cli/opt.h"
#include "report/junit.h"
#include "report/tally.h"
#include "rules/clock.h"
#include "rules/rules.h"
#include "rules/waivers.h"

typedef struct reportopts {
    cli_list rules, vars, waivers; /* paths borrowed from argv; the lists owned */
    const char *today, *json, *junit, *html, *csv, *markdown, *baseline;
    junit_group group_by;
    tally_gate gate;
    bool allow_partial;
    /* Loaded by reportopts_load */
    char pack_dir[4096];
    rules_set *set;
    waivers *wv;
    rules_clock clock;
} reportopts;

/* The option groups, each storing into a reportopts. */
extern const cli_opt reportopts_rule_options[];   /* --rules, --vars */
extern const cli_opt reportopts_waiver_options[]; /* --waivers */
extern const cli_opt reportopts_today_options[];  /* --today */
extern const cli_opt reportopts_report_options[]; /* the reports, the baseline, the gate */

/* Sets the defaults. */
void reportopts_init(reportopts *ro);

/* Checks the options fit together: at most one report on stdout, --fail-on-new with --baseline. */
int reportopts_check(const reportopts *ro, ia_err *err);

/* Whether a report goes to stdout ("-", or stdout under another name such as /dev/stdout). */
bool reportopts_report_on_stdout(const reportopts *ro);

/*
 * Loads the rules (the built-in pack without --rules), variables and
 * waivers, and sets the clock. Every problem in those files is printed
 * (file:line:column); err holds the first.
 */
int reportopts_load(reportopts *ro, ia_err *err);

/* Frees what init and load made. */
void reportopts_clean_up(reportopts *ro);

#endif
