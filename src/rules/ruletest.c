/*
 * `rules test`: each rule's examples run through the same evaluator as a
 * snapshot, so a rule's tests say exactly what it will do in an audit.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"
#include "util/termtext.h"

/*
 * One wrong outcome: "file:line:col: rule ID: example N 'name': expected
 * fail, got pass: condition 2 (...) was false: found ..., wanted ...".
 */
static void report_example(FILE *report, const rrule *r, const rexample *ex, size_t number, bool failed_now,
                           const rcond *when, const snap_resource *res, const rules_clock *clock)
{
    char *why;

    if (!report)
        return;
    why = rules_cond_explain(when, res, clock);
    termtext_printf(report, "%s:%u:%u: rule %s: example %zu", r->info.file, ex->line, ex->column, r->info.id,
                    number);
    if (ex->name)
        termtext_printf(report, " '%s'", ex->name);
    termtext_printf(report, ": expected %s, got %s: %s\n", ex->must_fail ? "fail" : "pass",
                    failed_now ? "fail" : "pass", why ? why : "(out of memory)");
    free(why);
}

int rules_run_tests(const rules_set *set, const rules_clock *clock, FILE *report, rules_test_summary *sum)
{
    memset(sum, 0, sizeof(*sum));
    sum->rules = set->n_rules;
    for (size_t i = 0; i < set->n_rules; i++) {
        const rrule *r = &set->rules[i];
        /* Examples judge the rule as its tests' vars make it, when it has some. */
        const rcond *rule_when = r->test_when ? r->test_when : r->when;
        size_t n_fail = 0, n_pass = 0;

        for (size_t k = 0; k < r->n_examples; k++) {
            const rexample *ex = &r->examples[k];
            const rcond *when = ex->when ? ex->when : rule_when;
            snap_resource res;
            bool fails;

            memset(&res, 0, sizeof(res));
            res.type = r->info.resource_type;
            res.id = "example";
            res.account = ex->account;
            res.region = ex->region;
            res.data = ex->data;
            fails = rules_cond_eval(when, &res, clock);
            sum->examples++;
            if (ex->must_fail)
                n_fail++;
            else
                n_pass++;
            if (fails != ex->must_fail) {
                sum->failed++;
                report_example(report, r, ex, k + 1, fails, when, &res, clock);
            }
        }
        if (n_fail && n_pass) {
            sum->tested++;
        } else {
            sum->untested++;
            if (report)
                termtext_printf(report, "%s:%u:%u: rule %s has no example that must %s\n", r->info.file,
                                r->line, r->column, r->info.id,
                                n_fail   ? "pass"
                                : n_pass ? "fail"
                                         : "fail and none that must pass");
        }
    }
    return 0;
}
