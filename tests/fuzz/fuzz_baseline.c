/*
 * The baseline reader (report/baseline.h) over any bytes, applied to the
 * rule pack's results over a fixed snapshot: a document either marks them
 * or is one error that leaves them as they were.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "report/baseline.h"
#include "rules/evaluate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    results r;
    ia_err err;

    memset(&r, 0, sizeof(r));
    if (rules_evaluate(fuzz_pack(), NULL, fuzz_snapshot(), fuzz_clock(), &r, &err) != 0)
        abort();
    if (baseline_apply_text(&r, "fuzz.json", (const char *)data, size, &err) == 0) {
        for (size_t i = 0; i < r.n_items; i++) {
            if (r.items[i].status == RESULT_FAIL &&
                (r.items[i].change == CHANGE_NONE || !r.items[i].first_seen))
                abort();
        }
    } else if (r.has_baseline || r.n_resolved) {
        abort();
    }
    results_free(&r);
    return 0;
}
