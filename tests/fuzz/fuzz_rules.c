/*
 * The rule, vars and waiver loaders and the rule compiler (rules/rules.h,
 * rules/waivers.h) over any bytes, as one file of each kind. A file either
 * loads with no problem or fails with at least one problem that has a
 * position. A rule set that loads is compiled: it judges a snapshot and runs
 * its own examples; waivers that load are applied to the rule pack's results.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rules/evaluate.h"

/* The outcome contract of every loader; anything else is a finding. */
static void check(int rc, const void *loaded, const rules_diags *diags, const ia_err *err)
{
    size_t errors, warnings;

    rules_diags_count(diags, false, &errors, &warnings);
    if ((rc == 0) != (loaded != NULL))
        abort();
    if (rc == 0 && errors != 0)
        abort();
    if (rc != 0 && err->kind != IA_ERR_NOMEM && (errors == 0 || err->line == 0 || err->column == 0))
        abort();
}

/* Judges the snapshot with set and w; the results are dropped. */
static void judge(const rules_set *set, const waivers *w)
{
    results r;
    ia_err err;

    memset(&r, 0, sizeof(r));
    rules_evaluate(set, w, fuzz_snapshot(), fuzz_clock(), &r, &err);
    results_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    rules_source src = {"fuzz.yaml", text, size};
    rules_diags diags;
    rules_set *set = NULL;
    waivers *w = NULL;
    rules_test_summary sum;
    ia_err err;
    int rc;

    rules_diags_init(&diags);
    rc = rules_load_sources(&src, 1, NULL, 0, &set, &diags, &err);
    check(rc, set, &diags, &err);
    if (set) {
        judge(set, NULL);
        rules_run_tests(set, fuzz_clock(), NULL, &sum);
    }
    rules_set_free(set);
    rules_diags_free(&diags);

    rules_diags_init(&diags);
    rc = rules_load_sources(NULL, 0, &src, 1, &set, &diags, &err);
    check(rc, set, &diags, &err);
    rules_set_free(set);
    rules_diags_free(&diags);

    rules_diags_init(&diags);
    rc = waivers_load_sources(&src, 1, &w, &diags, &err);
    check(rc, w, &diags, &err);
    if (w)
        judge(fuzz_pack(), w);
    waivers_free(w);
    rules_diags_free(&diags);
    free(text);
    return 0;
}
