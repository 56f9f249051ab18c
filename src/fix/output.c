/* A plan written as a file (whole or not at all) and shown as a table for a person to review. */
#include <stdlib.h>
#include <string.h>

#include "fix/fix_int.h"
#include "util/fileio.h"
#include "util/termtext.h"

int fix_plan_write(const fix_plan *p, const char *path, ia_err *err)
{
    file_out out;
    char *text = cJSON_Print(p->doc);

    if (!text)
        return err_set(err, IA_ERR_NOMEM, "out of memory writing the plan");
    if (file_out_open(&out, path, err) != 0) {
        cJSON_free(text);
        return -1;
    }
    if (fputs(text, out.fp) == EOF || fputc('\n', out.fp) == EOF) {
        cJSON_free(text);
        file_out_abort(&out);
        return err_set(err, IA_ERR_IO, "%s: could not write the plan", path);
    }
    cJSON_free(text);
    return file_out_commit(&out, err);
}

static const char *str_of(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
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
    const char *action = or_dash(str_of(a, "action"));

    if (strncmp(action, "unshare-", 8) == 0)
        snprintf(out, size, "stop sharing with %s", or_dash(str_of(params, "SharedAccountId")));
    else
        snprintf(out, size, "new image %s (source kept)", or_dash(str_of(params, "Name")));
}

static bool incomplete(const cJSON *coverage, const char *account, const char *region)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, coverage)
    {
        const char *ca = str_of(c, "account"), *cr = str_of(c, "region");

        if (ca && cr && strcmp(ca, account) == 0 && strcmp(cr, region) == 0)
            return cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(c, "complete"));
    }
    return false;
}

void fix_plan_print(const fix_plan *p, FILE *fp)
{
    const cJSON *actions = cJSON_GetObjectItemCaseSensitive(p->doc, "actions"), *a;
    const cJSON *coverage = cJSON_GetObjectItemCaseSensitive(p->doc, "coverage");
    const cJSON *skipped = cJSON_GetObjectItemCaseSensitive(p->doc, "skipped");
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p->doc, "summary"),
                                                       "by_action"),
                *k;
    const char *last = NULL;
    size_t n_incomplete = 0, n_accounts = 0;
    const char *sep = "";

    cJSON_ArrayForEach(a, actions)
    {
        const char *acct = or_dash(str_of(a, "account")), *region = or_dash(str_of(a, "region"));
        const char *name = str_of(a, "resource_name");
        char change[160];
        bool gap = incomplete(coverage, acct, region);

        if (!last || strcmp(last, acct) != 0) {
            if (last)
                fputc('\n', fp);
            termtext_printf(fp, "account %s%s%s%s\n", acct, str_of(a, "account_name") ? " (" : "",
                            str_of(a, "account_name") ? str_of(a, "account_name") : "",
                            str_of(a, "account_name") ? ")" : "");
            n_accounts++;
        }
        last = acct;
        change_text(a, change, sizeof(change));
        termtext_printf(fp, "  %-14s %-32s %s%s%s%s  %s%s\n", region, or_dash(str_of(a, "action")),
                        or_dash(str_of(a, "resource_id")), name ? " (" : "", name ? name : "",
                        name ? ")" : "", change, gap ? "  [snapshot incomplete here]" : "");
        n_incomplete += gap;
    }
    fprintf(fp, "%sPlan: %zu action%s in %zu account%s", last ? "\n" : "", p->n_actions,
            p->n_actions == 1 ? "" : "s", n_accounts, n_accounts == 1 ? "" : "s");
    cJSON_ArrayForEach(k, by)
    {
        if (cJSON_IsNumber(k) && k->valuedouble > 0) {
            fprintf(fp, "%s%s%.0f %s", *sep ? "" : " (", sep, k->valuedouble, k->string);
            sep = ", ";
        }
    }
    fprintf(fp, "%s", *sep ? ")" : "");
    if (cJSON_GetArraySize(skipped) > 0)
        fprintf(fp, "; %d failure%s left out (see \"skipped\" in the plan)", cJSON_GetArraySize(skipped),
                cJSON_GetArraySize(skipped) == 1 ? "" : "s");
    fprintf(fp, ".\n");
    if (n_incomplete)
        fprintf(fp, "%zu action%s in an account and region whose snapshot is incomplete.\n", n_incomplete,
                n_incomplete == 1 ? " is" : "s are");
    fprintf(fp, "Nothing was changed: review the plan file ('imgaudit fix apply' is not built yet).\n");
}
