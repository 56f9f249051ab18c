#include "report/console.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/termtext.h"

/* Longest string from the results printed on one line. */
#define FIELD_MAX ((size_t)160)
/* New failures and collection errors listed before "... and N more". */
#define LIST_MAX 10

#define C_RESET "\033[0m"
#define C_BOLD  "\033[1m"
#define C_DIM   "\033[2m"
#define C_RED   "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELL  "\033[33m"
#define C_BLUE  "\033[34m"

static const char *const sev_colors[SEV_COUNT] = {C_DIM, C_BLUE, C_YELL, C_RED, C_BOLD C_RED};

typedef struct cw {
    FILE *out;
    int color;
    char clean[4][FIELD_MAX + 1]; /* one scratch per string escaped in a single printf */
} cw;

int console_color_wanted(FILE *out)
{
    const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");

    if (no_color && *no_color)
        return 0;
    if (term && strcmp(term, "dumb") == 0)
        return 0;
    return out && isatty(fileno(out));
}

/* A string from the results, escaped for a terminal and cut to one line's worth; slot picks the scratch. */
static const char *safe(cw *c, int slot, const char *s)
{
    return termtext_escape(c->clean[slot], sizeof(c->clean[slot]), s);
}

static const char *col(const cw *c, const char *code)
{
    return c->color ? code : "";
}

static const char *sev_color(const cw *c, severity s)
{
    return col(c, (unsigned)s < SEV_COUNT ? sev_colors[s] : C_DIM);
}

static severity rule_severity(const results *r, const char *id, int *found)
{
    for (size_t i = 0; id && i < r->n_rules; i++) {
        if (r->rules[i].id && strcmp(r->rules[i].id, id) == 0) {
            *found = 1;
            return r->rules[i].sev;
        }
    }
    *found = 0;
    return SEV_INFO;
}

/* One line of the changes list: what, severity, rule, where, which resource. */
static void change_line(cw *c, int is_new, severity sev, int sev_known, int width, const char *rule,
                        const char *account, const char *region, const char *id, const char *name)
{
    fprintf(c->out, "  %s%-8s%s  %s%-8s%s  %-*s  %s %s  %s", col(c, is_new ? C_YELL : C_GREEN),
            is_new ? "new" : "resolved", col(c, C_RESET), sev_known ? sev_color(c, sev) : "",
            sev_known ? severity_name(sev) : "-", sev_known ? col(c, C_RESET) : "", width, safe(c, 0, rule),
            safe(c, 1, account), safe(c, 2, region), safe(c, 3, id));
    if (name && *name)
        fprintf(c->out, " (%s)", safe(c, 0, name));
    fputc('\n', c->out);
}

static void print_changes(cw *c, const results *r, const tally *t)
{
    size_t new_items[LIST_MAX], listed;
    int width = 0, found;

    if (!r->has_baseline)
        return;
    for (size_t i = 0; i < r->n_rules; i++) {
        size_t len = strlen(safe(c, 0, r->rules[i].id));

        width = len > (size_t)width ? (int)len : width;
    }
    for (size_t i = 0; i < r->n_resolved && i < LIST_MAX; i++) {
        size_t len = strlen(safe(c, 0, r->resolved[i].rule));

        width = len > (size_t)width ? (int)len : width;
    }
    fprintf(c->out, "%sChanges since the baseline:%s %s%zu new%s, %zu still failing, %s%zu resolved%s\n",
            col(c, C_BOLD), col(c, C_RESET), col(c, t->n_new ? C_YELL : ""), t->n_new, col(c, C_RESET),
            t->n_existing, col(c, r->n_resolved ? C_GREEN : ""), r->n_resolved, col(c, C_RESET));
    listed = tally_new_failures(r, new_items, LIST_MAX);
    for (size_t i = 0; i < listed; i++) {
        const result *it = &r->items[new_items[i]];
        const rule_info *rule = &r->rules[it->rule];
        const snap_resource *res = &r->resources[it->resource];

        change_line(c, 1, rule->sev, 1, width, rule->id, res->account, res->region, res->id, res->name);
    }
    if (t->n_new > listed)
        fprintf(c->out, "  ... and %zu more new failures\n", t->n_new - listed);
    for (size_t i = 0; i < r->n_resolved && i < LIST_MAX; i++) {
        const resolved_failure *rf = &r->resolved[i];
        severity sev = rule_severity(r, rf->rule, &found);

        change_line(c, 0, sev, found, width, rf->rule, rf->account, rf->region, rf->resource_id, NULL);
    }
    if (r->n_resolved > LIST_MAX)
        fprintf(c->out, "  ... and %zu more resolved\n", r->n_resolved - LIST_MAX);
}

static void print_top_rules(cw *c, const results *r, const tally *t, size_t top)
{
    size_t *order = NULL, n = 0, width = 0;
    ia_err err;

    if (tally_failing_rules(r, t, &order, &n, &err) != 0)
        return;
    for (size_t i = 0; i < n && i < top; i++) {
        size_t len = strlen(safe(c, 0, r->rules[order[i]].id));

        width = len > width ? len : width;
    }
    if (n)
        fprintf(c->out, "%sTop failing rules:%s\n", col(c, C_BOLD), col(c, C_RESET));
    for (size_t i = 0; i < n && i < top; i++) {
        const rule_info *rule = &r->rules[order[i]];

        fprintf(c->out, "  %s%-8s%s  %-*s  %5zu  %s\n", sev_color(c, rule->sev), severity_name(rule->sev),
                col(c, C_RESET), (int)width, safe(c, 0, rule->id),
                t->rule_status[order[i] * TALLY_N_STATUS + RESULT_FAIL], safe(c, 1, rule->title));
    }
    if (n > top)
        fprintf(c->out, "  ... and %zu more failing rule%s\n", n - top, n - top == 1 ? "" : "s");
    free(order);
}

static void print_errors(cw *c, const results *r)
{
    const cJSON *e;
    size_t n = (size_t)cJSON_GetArraySize(r->errors), listed = 0;

    if (!n) {
        fprintf(c->out, "Collection: complete\n");
        return;
    }
    fprintf(c->out, "%sCollection incomplete: %zu error%s%s\n", col(c, C_YELL), n, n == 1 ? "" : "s",
            col(c, C_RESET));
    cJSON_ArrayForEach(e, r->errors)
    {
        const char *account = tally_json_str(e, "account"), *region = tally_json_str(e, "region");

        if (listed++ == LIST_MAX)
            break;
        fprintf(c->out, "  %s %s: %s %s", safe(c, 0, account ? account : "organization"),
                safe(c, 1, region ? region : "all regions"), safe(c, 2, tally_json_str(e, "service")),
                safe(c, 3, tally_json_str(e, "operation")));
        fprintf(c->out, " %s\n", safe(c, 0, tally_json_str(e, "code")));
    }
    if (n > LIST_MAX)
        fprintf(c->out, "  ... and %zu more errors\n", n - LIST_MAX);
}

static void print_gate(cw *c, const results *r, const tally_gate *g)
{
    size_t blocking;
    char found[128];

    if (!g->enabled) {
        fprintf(c->out, "Gate: not gated (--fail-on none)\n");
        return;
    }
    blocking = tally_gate_count(r, g);
    tally_gate_describe(g, blocking, found, sizeof(found));
    fprintf(c->out, "Gate (--fail-on %s%s): ", severity_name(g->min), g->new_only ? " --fail-on-new" : "");
    if (blocking)
        fprintf(c->out, "%sFAILED%s, %s\n", col(c, C_BOLD C_RED), col(c, C_RESET), found);
    else
        fprintf(c->out, "%sPASSED%s, %s\n", col(c, C_BOLD C_GREEN), col(c, C_RESET), found);
}

void console_gate_verdict(const tally_gate *g, size_t blocking, char *out, size_t size)
{
    char found[128];

    out[0] = '\0';
    if (!blocking)
        return;
    tally_gate_describe(g, blocking, found, sizeof(found));
    snprintf(out, size, "FAILED: %s (gate --fail-on %s%s)", found, severity_name(g->min),
             g->new_only ? " --fail-on-new" : "");
}

void console_summary(const results *r, const console_options *opt, FILE *out)
{
    static const console_options defaults = {0, 0, NULL, 0, {0, SEV_HIGH, 0}};
    size_t n_waiver[3] = {0, 0, 0};
    cw c;
    tally t;
    ia_err err;

    if (!opt)
        opt = &defaults;
    memset(&c, 0, sizeof(c));
    c.out = out;
    c.color = opt->color;
    if (tally_compute(r, &t, &err) != 0) {
        termtext_printf(out, "imgaudit: %zu results; no summary: %s\n", r->n_items, err.msg);
        return;
    }
    print_changes(&c, r, &t);
    fprintf(out,
            "%sResults:%s %zu judged: %s%zu failed%s, %zu waived, %zu passed (%zu rules, %zu resources, %zu "
            "accounts)\n",
            col(&c, C_BOLD), col(&c, C_RESET), r->n_items, col(&c, t.status[RESULT_FAIL] ? C_RED : ""),
            t.status[RESULT_FAIL], col(&c, C_RESET), t.status[RESULT_WAIVED], t.status[RESULT_PASS],
            r->n_rules, r->n_resources, t.n_accounts);
    fprintf(out, "Failures by severity:");
    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--)
        fprintf(out, "%s %s%s %zu%s", s == SEV_CRITICAL ? "" : ",",
                t.by_sev[s][RESULT_FAIL] ? sev_color(&c, (severity)s) : "", severity_name((severity)s),
                t.by_sev[s][RESULT_FAIL], t.by_sev[s][RESULT_FAIL] ? col(&c, C_RESET) : "");
    fprintf(out, "\n");
    print_top_rules(&c, r, &t, opt->top_rules ? opt->top_rules : 5);
    for (size_t i = 0; i < r->n_waivers; i++) {
        if ((unsigned)r->waivers[i].state < 3)
            n_waiver[r->waivers[i].state]++;
    }
    if (r->n_waivers)
        fprintf(out, "Waivers: %zu applied, %s%zu expired%s, %zu unused\n", n_waiver[WAIVER_APPLIED],
                col(&c, n_waiver[WAIVER_EXPIRED] ? C_YELL : ""), n_waiver[WAIVER_EXPIRED], col(&c, C_RESET),
                n_waiver[WAIVER_UNUSED]);
    print_errors(&c, r);
    if (opt->n_files) {
        fprintf(out, "Reports written:\n");
        for (size_t i = 0; i < opt->n_files; i++)
            termtext_printf(out, "  %-8s %s\n", opt->files[i].kind, opt->files[i].path);
    }
    print_gate(&c, r, &opt->gate);
    tally_free(&t);
}
