/*
 * The plan reader (fix/fix.h fix_plan_read_text) over any bytes: a text is
 * a plan whose every action passed the checks, or one input error with a
 * position (or out of memory), never a crash; a plan it accepts shows as a
 * table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    fix_plan *p = NULL;
    ia_err err;
    FILE *sink = fopen("/dev/null", "w");

    err_clear(&err);
    if (!sink)
        abort();
    if (fix_plan_read_text("fuzz.json", text, size, &p, &err) == 0) {
        if (!p)
            abort();
        fix_plan_print(p, sink);
    } else if (p || (err.kind != IA_ERR_INPUT && err.kind != IA_ERR_NOMEM) ||
               (err.kind == IA_ERR_INPUT && strcmp(err.file, "fuzz.json") != 0)) {
        abort();
    }
    fix_plan_free(p);
    fclose(sink);
    free(text);
    return 0;
}
