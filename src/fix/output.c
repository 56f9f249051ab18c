/* A plan written as a file (whole or not at all) and shown as a table for a person to review. */
#include <stdlib.h>
#include <string.h>

#include "fix/fix_int.h"
#include "util/fileio.h"
#include "util/termtext.h"

/*
 * Writes text, each line after the first shifted one tab right: a member of the top-level object or an
 * element of its actions. Safe on cJSON output: a newline in a JSON string is always escaped.
 */
static void put_nested(FILE *fp, const char *text, int depth)
{
    for (; *text; text++) {
        fputc(*text, fp);
        for (int d = 0; *text == '\n' && d < depth; d++)
            fputc('\t', fp);
    }
}

/* Prints v formatted, nested depth tabs deep. Returns -1 when out of memory. */
static int put_value(FILE *fp, const cJSON *v, int depth)
{
    char *text = cJSON_Print(v);

    if (!text)
        return -1;
    put_nested(fp, text, depth);
    cJSON_free(text);
    return 0;
}

/*
 * The plan as cJSON lays it out, member by member and action by action, so that a plan of a hundred
 * thousand actions is never printed into one string.
 */
static int put_plan(FILE *fp, const cJSON *doc)
{
    const cJSON *m, *a;

    fputs("{", fp);
    for (m = doc->child; m; m = m->next) {
        fprintf(fp, "\n\t\"%s\":\t", m->string);
        if (strcmp(m->string, "actions") != 0 || !m->child) {
            if (put_value(fp, m, 1) != 0)
                return -1;
        } else {
            fputs("[", fp);
            for (a = m->child; a; a = a->next) {
                fputs("\n\t\t", fp);
                if (put_value(fp, a, 2) != 0)
                    return -1;
                if (a->next)
                    fputs(",", fp);
            }
            fputs("\n\t]", fp);
        }
        if (m->next)
            fputs(",", fp);
    }
    fputs("\n}\n", fp);
    return 0;
}

int fix_plan_write(const fix_plan *p, const char *path, ia_err *err)
{
    file_out out;

    if (file_out_open(&out, path, err) != 0)
        return -1;
    if (put_plan(out.fp, p->doc) != 0) {
        file_out_abort(&out);
        return err_set(err, IA_ERR_NOMEM, "out of memory writing the plan");
    }
    if (ferror(out.fp)) {
        file_out_abort(&out);
        return err_set(err, IA_ERR_IO, "%s: could not write the plan", path);
    }
    return file_out_commit(&out, err);
}

static const char *or_dash(const char *s)
{
    return s ? s : "-";
}

/* What an action changes, in words. */
static void change_text(const cJSON *a, char *out, size_t size)
{
    const cJSON *call = cJSON_GetObjectItemCaseSensitive(a, "call");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(call, "parameters");
    const char *action = or_dash(fix_str(a, "action"));

    if (strncmp(action, "unshare-", 8) == 0)
        snprintf(out, size, "stop sharing with %s", or_dash(fix_str(params, "SharedAccountId")));
    else
        snprintf(out, size, "new image %s (source kept)", or_dash(fix_str(params, "Name")));
}

/* The resource as the table names it: "id (name)", cut to fit a column. */
static void resource_text(const cJSON *a, char *out, size_t size)
{
    const char *name = fix_str(a, "resource_name");

    snprintf(out, size, "%s%s%s%s", or_dash(fix_str(a, "resource_id")), name ? " (" : "", name ? name : "",
             name ? ")" : "");
}

/* The widest resource text, up to RESOURCE_COLUMN_MAX: one column for the table. */
#define RESOURCE_COLUMN_MAX 48

static int resource_width(const cJSON *actions)
{
    const cJSON *a;
    char text[RESOURCE_COLUMN_MAX + 1];
    int w = 8;

    cJSON_ArrayForEach(a, actions)
    {
        resource_text(a, text, sizeof(text));
        w = (int)strlen(text) > w ? (int)strlen(text) : w;
    }
    return w;
}

static bool at(const cJSON *cov, const char *account, const char *region)
{
    const char *ca = fix_str(cov, "account"), *cr = fix_str(cov, "region");

    return ca && cr && strcmp(ca, account) == 0 && strcmp(cr, region) == 0;
}

/*
 * Whether the snapshot was incomplete where a is: coverage is in the actions'
 * order (account, region), so *cursor, the first entry of a's account and
 * region, only moves forward, and the table costs one pass over each.
 */
static bool incomplete(const cJSON **cursor, const cJSON *a)
{
    const char *account = or_dash(fix_str(a, "account")), *region = or_dash(fix_str(a, "region"));
    const char *service = fix_str(cJSON_GetObjectItemCaseSensitive(a, "call"), "service");

    while (*cursor && !at(*cursor, account, region))
        *cursor = (*cursor)->next;
    for (const cJSON *c = *cursor; c && at(c, account, region); c = c->next) {
        const char *cs = fix_str(c, "service");

        if (cs && service && strcmp(cs, service) == 0)
            return cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(c, "complete"));
    }
    return false;
}

void fix_plan_print(const fix_plan *p, FILE *fp)
{
    const cJSON *actions = cJSON_GetObjectItemCaseSensitive(p->doc, "actions"), *a;
    const cJSON *coverage = cJSON_GetObjectItemCaseSensitive(p->doc, "coverage");
    const cJSON *cursor = coverage ? coverage->child : NULL;
    const cJSON *skipped = cJSON_GetObjectItemCaseSensitive(p->doc, "skipped");
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p->doc, "summary"),
                                                       "by_action"),
                *k;
    const char *last = NULL, *sep = "";
    size_t n_incomplete = 0, n_accounts = 0;
    int w_res = resource_width(actions);

    cJSON_ArrayForEach(a, actions)
    {
        const char *acct = or_dash(fix_str(a, "account")), *region = or_dash(fix_str(a, "region"));
        const char *acct_name = fix_str(a, "account_name");
        char change[160], res[RESOURCE_COLUMN_MAX + 1];
        bool gap = incomplete(&cursor, a);

        if (!last || strcmp(last, acct) != 0) {
            if (last)
                fputc('\n', fp);
            termtext_printf(fp, "account %s%s%s%s\n", acct, acct_name ? " (" : "", acct_name ? acct_name : "",
                            acct_name ? ")" : "");
            n_accounts++;
        }
        last = acct;
        change_text(a, change, sizeof(change));
        resource_text(a, res, sizeof(res));
        termtext_printf(fp, "  %-14s  %-31s  %-*s  %s%s\n", region, or_dash(fix_str(a, "action")), w_res, res,
                        change, gap ? "  [snapshot incomplete here]" : "");
        n_incomplete += gap;
        /* A new account starts the coverage over only if the plan was not in order: look again from the top.
         */
        if (!cursor)
            cursor = coverage ? coverage->child : NULL;
    }
    fprintf(fp, "%sPlan: %zu action%s in %zu account%s", last ? "\n" : "", p->n_actions,
            p->n_actions == 1 ? "" : "s", n_accounts, n_accounts == 1 ? "" : "s");
    cJSON_ArrayForEach(k, by)
    {
        if (cJSON_IsNumber(k) && k->valuedouble > 0) {
            termtext_printf(fp, "%s%s%.0f %s", *sep ? "" : " (", sep, k->valuedouble, k->string);
            sep = ", ";
        }
    }
    fprintf(fp, "%s", *sep ? ")" : "");
    if (cJSON_GetArraySize(skipped) > 0)
        fprintf(fp, "; %d failure%s left out (see \"skipped\" in the plan)", cJSON_GetArraySize(skipped),
                cJSON_GetArraySize(skipped) == 1 ? "" : "s");
    fprintf(fp, ".\n");
    if (p->n_actions == 0 && cJSON_GetArraySize(skipped) == 0)
        fprintf(fp,
                "No failure asks for a fix: their rules declare none (rules list --json shows each rule's), "
                "or the filters left none.\n");
    if (n_incomplete)
        fprintf(fp, "%zu action%s in an account and region whose snapshot is incomplete.\n", n_incomplete,
                n_incomplete == 1 ? " is" : "s are");
}

size_t fix_plan_incomplete(const fix_plan *p, char *first, size_t size)
{
    const cJSON *coverage = cJSON_GetObjectItemCaseSensitive(p->doc, "coverage");
    const cJSON *cursor = coverage ? coverage->child : NULL, *a;
    size_t n = 0;

    first[0] = '\0';
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(p->doc, "actions"))
    {
        if (!incomplete(&cursor, a)) {
            if (!cursor)
                cursor = coverage ? coverage->child : NULL;
            continue;
        }
        if (n++ == 0)
            snprintf(first, size, "%s %s (%s)", or_dash(fix_str(a, "account")), or_dash(fix_str(a, "region")),
                     or_dash(fix_str(cJSON_GetObjectItemCaseSensitive(a, "call"), "service")));
    }
    return n;
}
