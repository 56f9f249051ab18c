#ifndef IMGAUDIT_CLI_RUN_JUDGE_H
#define IMGAUDIT_CLI_RUN_JUDGE_H

/*
 * The judging stage of `evaluate` and `audit`, what curl calls operate():
 * evaluate a snapshot, write the reports, decide the gate.
 */

#include <stdbool.h>

#include "cli/reportopts.h"

/*
 * Judges the snapshot at snapshot_path with what reportopts_load loaded into
 * ro: evaluates, applies the baseline, writes the reports (each atomically),
 * prints the console summary (stdout, or stderr when a report goes to stdout;
 * when quiet, none: one line on stderr instead when the gate fails or the
 * collection is incomplete), warns of expired and unused waivers, and
 * returns the exit code: CLI_EXIT_GATE when the gate
 * fails, else CLI_EXIT_INCOMPLETE when the snapshot has collection errors
 * (unless --allow-partial), else CLI_EXIT_OK; or the code for an error,
 * already printed. snapshot_label, when not NULL, is listed among the files
 * written (the audit's --snapshot-out).
 */
int run_judge(const reportopts *ro, const char *snapshot_path, const char *snapshot_label, bool quiet);

#endif
