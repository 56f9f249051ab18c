/*
 * The snapshot reader (snapshot/read.h) over any bytes: a snapshot either
 * loads or is one error. What loads is judged by the built-in rule pack, so
 * that evaluation meets every shape of resource data a file can hold.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rules/evaluate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    snapshot_doc *snap = NULL;
    results r;
    ia_err err;

    memset(&r, 0, sizeof(r));
    if (snapshot_doc_parse("fuzz.json", (const char *)data, size, &snap, &err) == 0 &&
        rules_evaluate(fuzz_pack(), NULL, snap, fuzz_clock(), &r, &err) == 0) {
        /* Every failure carries its filled message. */
        for (size_t i = 0; i < r.n_items; i++) {
            if (r.items[i].status == RESULT_FAIL && !r.items[i].message)
                abort();
        }
    }
    results_free(&r);
    snapshot_doc_free(snap);
    return 0;
}
