#ifndef IMGAUDIT_TESTS_FUZZ_H
#define IMGAUDIT_TESTS_FUZZ_H

/*
 * What the libFuzzer harnesses under tests/fuzz/ share: the entry point
 * libFuzzer calls, the input as a NUL-terminated text (as file_read_all
 * hands the readers theirs), and the fixed inputs that a harness judges
 * against: the built-in rule pack and a snapshot from tests/data. Both are
 * loaded once, from IMGAUDIT_SOURCE_DIR (scripts/fuzz.sh sets it); a harness
 * that cannot load them aborts rather than fuzz nothing.
 */

#include <stddef.h>
#include <stdint.h>

#include "aws/redact.h"
#include "rules/clock.h"
#include "rules/rules.h"
#include "snapshot/read.h"
#include "util/err.h"

/* libFuzzer calls it once per input; it returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer calls it once at start: logging is silenced (a warning per input would drown the findings). */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* data[0..size) and a NUL after it. Owned: free(). Aborts when out of memory. */
char *fuzz_text(const uint8_t *data, size_t size);

/* The secrets an AWS error message is read with: none of them may be kept. */
extern const redact_secrets fuzz_secrets;

/*
 * Aborts when what is kept of an AWS error has a secret of fuzz_secrets (in
 * its message, code or request id) or its message a control character (it
 * is one line).
 */
void fuzz_check_error(const ia_err *err);

/* The built-in rule pack (rules/), borrowed: lives as long as the process. */
const rules_set *fuzz_pack(void);

/* A snapshot with resources of every type (tests/data/rules/snapshots/pack.json), borrowed likewise. */
const snapshot_doc *fuzz_snapshot(void);

/* A fixed day (2026-11-25) to judge on, so that a run is the same whatever the date. */
const rules_clock *fuzz_clock(void);

#endif
