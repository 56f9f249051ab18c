#ifndef IMGAUDIT_CLI_REPORTOPTS_H
#define IMGAUDIT_CLI_REPORTOPTS_H

/*
 * The options of judging a snapshot (shared by `evaluate` and `audit`):
 * rules, variables, waivers, the reports to write, the baseline to compare
 * with and the CI gate; and the judging itself, which ends in the exit code.
 */

#include <getopt.h>
#include <stdbool.h>

#include "report/junit.h"
#include "report/tally.h"
#include "rules/clock.h"
#include "rules/rules.h"
#include "rules/waivers.h"

enum {
    REPORTOPT_RULES = 1200,
    REPORTOPT_VARS,
    REPORTOPT_WAIVERS,
    REPORTOPT_TODAY,
    REPORTOPT_JSON,
    REPORTOPT_JUNIT,
    REPORTOPT_HTML,
    REPORTOPT_JUNIT_GROUP_BY,
    REPORTOPT_FAIL_ON,
    REPORTOPT_FAIL_ON_NEW,
    REPORTOPT_BASELINE,
    REPORTOPT_ALLOW_PARTIAL,
};

/* clang-format off */
#define REPORTOPTS_LONG_OPTIONS                                                   \
    {"rules", required_argument, NULL, REPORTOPT_RULES},                          \
    {"vars", required_argument, NULL, REPORTOPT_VARS},                            \
    {"waivers", required_argument, NULL, REPORTOPT_WAIVERS},                      \
    {"today", required_argument, NULL, REPORTOPT_TODAY},                          \
    {"json", required_argument, NULL, REPORTOPT_JSON},                            \
    {"junit", required_argument, NULL, REPORTOPT_JUNIT},                          \
    {"html", required_argument, NULL, REPORTOPT_HTML},                            \
    {"junit-group-by", required_argument, NULL, REPORTOPT_JUNIT_GROUP_BY},        \
    {"fail-on", required_argument, NULL, REPORTOPT_FAIL_ON},                      \
    {"fail-on-new", no_argument, NULL, REPORTOPT_FAIL_ON_NEW},                    \
    {"baseline", required_argument, NULL, REPORTOPT_BASELINE},                    \
    {"allow-partial", no_argument, NULL, REPORTOPT_ALLOW_PARTIAL}

#define REPORTOPTS_HELP                                                                                       \
    "  --rules PATH            rule file or directory of *.yaml/*.yml (repeatable; default: the built-in\n"  \
    "                          pack: $IMGAUDIT_RULES_DIR, <program dir>/../rules, the install data dir)\n"   \
    "  --vars FILE             variables file (repeatable; later definitions win)\n"                         \
    "  --waivers FILE          waivers file (repeatable)\n"                                                  \
    "  --today YYYY-MM-DD      the day waivers expire against and ages count from\n"                         \
    "                          (default: $IMGAUDIT_TODAY, else the system clock)\n"                          \
    "  --json FILE             results as JSON (docs/rules.md); '-' for stdout\n"                            \
    "  --junit FILE            JUnit XML for CI; '-' for stdout\n"                                           \
    "  --html FILE             one self-contained HTML page; '-' for stdout\n"                               \
    "  --junit-group-by rule|account   one <testsuite> per rule (default) or per account\n"                  \
    "  --fail-on SEVERITY      exit 1 when an un-waived failure is at or above SEVERITY\n"                   \
    "                          (info, low, medium, high, critical; default high; 'none' never)\n"            \
    "  --fail-on-new           gate only on failures that are new since --baseline\n"                        \
    "  --baseline FILE         a previous run's --json results: mark failures new or existing,\n"            \
    "                          list the resolved ones\n"                                                     \
    "  --allow-partial         an incomplete collection does not change the exit status\n"
/* clang-format on */

typedef struct reportopts {
    const char **rules, **vars, **waivers; /* borrowed from argv; arrays owned */
    size_t n_rules, n_vars, n_waivers;
    const char *today, *json, *junit, *html, *baseline;
    junit_group group_by;
    tally_gate gate;
    bool allow_partial;
    /* Loaded by reportopts_load */
    char pack_dir[4096];
    rules_set *set;
    waivers *wv;
    rules_clock clock;
} reportopts;

/* Prepares ro for a command line of argc words. */
int reportopts_init(reportopts *ro, int argc, ia_err *err);

/* Takes one of the options above: 1 taken, 0 not one of ours, -1 bad value (err, IA_ERR_USAGE). */
int reportopts_take(reportopts *ro, int opt, const char *arg, ia_err *err);

/* Checks the options fit together: at most one report on stdout. */
int reportopts_check(const reportopts *ro, ia_err *err);

/*
 * Loads the rules, variables and waivers, and sets the clock. Every problem
 * in those files is printed (file:line:column); err holds the first.
 */
int reportopts_load(reportopts *ro, ia_err *err);

/*
 * Judges the snapshot at path: evaluates, applies the baseline, writes the
 * reports (each atomically), prints the console summary (stdout, or stderr
 * when a report goes to stdout; nothing when quiet) and returns the exit
 * code: CLI_EXIT_GATE when the gate fails, else CLI_EXIT_INCOMPLETE when the
 * snapshot has collection errors (unless --allow-partial), else CLI_EXIT_OK;
 * or the code for an error, already printed. snapshot_label, when not NULL,
 * is listed among the files written (the audit's --snapshot-out).
 */
int reportopts_judge(reportopts *ro, const char *snapshot_path, const char *snapshot_label, bool quiet);

/* Frees what init and load made. */
void reportopts_clean_up(reportopts *ro);

#endif
