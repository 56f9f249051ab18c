/*
 * Reading a plan back, for `fix apply`: nothing in it is taken on trust. A
 * plan is a file a person may have edited, or another tool written; what
 * apply would do with a wrong one is a change to an AWS account. So every
 * action is checked against what its action makes of its account, region and
 * resource (an unshare never shares: AllowCopyImage is false), and against
 * its id, a digest of the whole action: an edit after the plan was made is
 * caught even where the values still look plausible.
 *
 * Errors name the value found wrong as PATH:LINE:COL, found again in the
 * text with util/jsonscan.h (cJSON keeps no positions).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fix/fix_int.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/jsonfile.h"
#include "util/jsonscan.h"
#include "util/str.h"
#include "util/timefmt.h"

/* A plan is read whole: one action is about 1 KB, so 256 MiB is some 250,000 of them. */
#define PLAN_MAX_BYTES ((size_t)256 * 1024 * 1024)

/* Where a check stands: the text, to name places in it, and the path to the value being checked. */
typedef struct checker {
    const char *name;
    const char *text;
    size_t len;
    ia_err *err;
    const char *path[6]; /* member names, or NULL for an array index (in idx) */
    size_t idx[6];
    size_t depth;
    size_t action_no; /* 1-based, while an action is checked; 0 before */
} checker;

/* The offset of the value at c->path[0..depth), or of the deepest part of it that is there. */
static size_t locate(const checker *c, size_t depth)
{
    size_t at = jsonscan_blank(c->text, c->len, 0);

    for (size_t d = 0; d < depth; d++) {
        jsonscan s;
        jsonscan_item it;
        size_t i = 0;
        bool found = false;

        if (jsonscan_open(&s, c->text, c->len, at, c->path[d] ? '{' : '[') != 0)
            return at;
        while (!found && jsonscan_next(&s, &it) == 1) {
            found = c->path[d] ? jsonscan_key_is(&s, &it, c->path[d]) : i == c->idx[d];
            i++;
        }
        if (!found)
            return at;
        at = it.value;
    }
    return at;
}

/* Records a problem at the value the path names, or at its parent when leaf is not there. Returns -1. */
static int problem(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int problem(checker *c, const char *fmt, ...)
{
    char msg[512];
    unsigned line, col;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    str_text_position(c->text, c->len, locate(c, c->depth), &line, &col);
    if (c->action_no)
        return err_set_at(c->err, c->name, line, col, "action %zu: %s", c->action_no, msg);
    return err_set_at(c->err, c->name, line, col, "%s", msg);
}

static void enter(checker *c, const char *key, size_t idx)
{
    c->path[c->depth] = key;
    c->idx[c->depth] = idx;
    c->depth++;
}

static void leave(checker *c)
{
    c->depth--;
}

/* obj's member key as a non-empty string; problem (at it, or at obj when it is missing) when it is not. */
static const char *need_str(checker *c, const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (!v) {
        problem(c, "\"%s\" is missing", key);
        return NULL;
    }
    enter(c, key, 0);
    if (!cJSON_IsString(v) || !v->valuestring[0]) {
        problem(c, "\"%s\" must be a non-empty string", key);
        leave(c);
        return NULL;
    }
    leave(c);
    return v->valuestring;
}

static const cJSON *need(checker *c, const cJSON *obj, const char *key, cJSON_bool (*is)(const cJSON *),
                         const char *what)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (!v) {
        problem(c, "\"%s\" is missing", key);
        return NULL;
    }
    if (!is(v)) {
        enter(c, key, 0);
        problem(c, "\"%s\" must be %s", key, what);
        leave(c);
        return NULL;
    }
    return v;
}

/* What each action is: its resource type, service and call, and what apply reads first. */
typedef struct action_kind {
    const char *action, *type, *service, *operation, *check;
} action_kind;

static const action_kind kinds[] = {
    {RULES_FIX_UNSHARE_WORKSPACES, "workspaces_image", "workspaces", "UpdateWorkspaceImagePermission",
     "DescribeWorkspaceImagePermissions"},
    {RULES_FIX_UNSHARE_APPSTREAM, "appstream_image", "appstream", "DeleteImagePermissions",
     "DescribeImagePermissions"},
    {RULES_FIX_UPDATE_WORKSPACES, "workspaces_image", "workspaces", "CreateUpdatedWorkspaceImage",
     "DescribeWorkspaceImages"},
};

/* A member of params that must equal want (a string). */
static int param_is(checker *c, const cJSON *params, const char *key, const char *want, const char *why)
{
    const char *got = need_str(c, params, key);

    if (!got)
        return -1;
    if (strcmp(got, want) != 0) {
        enter(c, key, 0);
        problem(c, "%s is '%.80s', not '%.80s' (%s)", key, got, want, why);
        leave(c);
        return -1;
    }
    return 0;
}

/* params holds only the members keys names. */
static int only_keys(checker *c, const cJSON *params, const char *const *keys, size_t n)
{
    const cJSON *m;

    cJSON_ArrayForEach(m, params)
    {
        size_t k = 0;

        while (k < n && strcmp(m->string, keys[k]) != 0)
            k++;
        if (k == n) {
            enter(c, m->string, 0);
            problem(c, "parameters.%s is not a parameter this action passes", m->string);
            leave(c);
            return -1;
        }
    }
    return 0;
}

static bool chars_in(const char *s, const char *extra)
{
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr(extra, *s)))
            return false;
    }
    return true;
}

/* The unshare actions' parameters: the image is the action's, the account a real one, nothing is shared. */
static int check_unshare(checker *c, const cJSON *params, const cJSON *a, bool ws, const char *target)
{
    static const char *const ws_keys[] = {"ImageId", "SharedAccountId", "AllowCopyImage"};
    static const char *const as_keys[] = {"Name", "SharedAccountId"};
    const char *acct;
    const cJSON *allow;

    if (only_keys(c, params, ws ? ws_keys : as_keys, ws ? 3 : 2) != 0 ||
        param_is(c, params, ws ? "ImageId" : "Name",
                 cJSON_GetObjectItemCaseSensitive(a, "resource_id")->valuestring,
                 "the action's resource_id") != 0 ||
        !(acct = need_str(c, params, "SharedAccountId")))
        return -1;
    if (!fix_account_ok(acct)) {
        enter(c, "SharedAccountId", 0);
        problem(c, "parameters.SharedAccountId '%.40s' is not a 12-digit account id", acct);
        leave(c);
        return -1;
    }
    if (target && strcmp(target, acct) != 0) {
        enter(c, "SharedAccountId", 0);
        problem(c, "parameters.SharedAccountId '%s' is not the account the precondition names ('%.40s')",
                acct, target);
        leave(c);
        return -1;
    }
    if (!ws)
        return 0;
    allow = cJSON_GetObjectItemCaseSensitive(params, "AllowCopyImage");
    if (!cJSON_IsFalse(allow)) {
        if (allow)
            enter(c, "AllowCopyImage", 0);
        problem(c, "parameters.AllowCopyImage must be false: a fix never shares an image");
        if (allow)
            leave(c);
        return -1;
    }
    return 0;
}

/* CreateUpdatedWorkspaceImage's parameters, within the API's limits, from the action's image. */
static int check_update(checker *c, const cJSON *params, const cJSON *a)
{
    static const char *const keys[] = {"Name", "Description", "SourceImageId", "Tags"};
    const char *name, *desc;
    const cJSON *tags, *t;
    bool source_tag = false;

    if (only_keys(c, params, keys, 4) != 0 || !(name = need_str(c, params, "Name")) ||
        !(desc = need_str(c, params, "Description")) ||
        param_is(c, params, "SourceImageId", cJSON_GetObjectItemCaseSensitive(a, "resource_id")->valuestring,
                 "the action's resource_id") != 0 ||
        !(tags = need(c, params, "Tags", cJSON_IsArray, "an array of {Key, Value}")))
        return -1;
    if (strlen(name) > FIX_NAME_MAX || !chars_in(name, "_./()-")) {
        enter(c, "Name", 0);
        problem(c, "parameters.Name must be 1 to %d of a-z A-Z 0-9 _ . / ( ) -", FIX_NAME_MAX);
        leave(c);
        return -1;
    }
    if (strlen(desc) > FIX_DESCRIPTION_MAX || !chars_in(desc, "_./() -")) {
        enter(c, "Description", 0);
        problem(c, "parameters.Description must be 1 to %d of a-z A-Z 0-9 _ . / ( ) and space",
                FIX_DESCRIPTION_MAX);
        leave(c);
        return -1;
    }
    enter(c, "Tags", 0);
    cJSON_ArrayForEach(t, tags)
    {
        const char *k = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t, "Key"))
                            ? cJSON_GetObjectItemCaseSensitive(t, "Key")->valuestring
                            : NULL;

        source_tag |= k && strcmp(k, "imgaudit:source-image") == 0;
    }
    if (!source_tag) {
        problem(c, "parameters.Tags must carry imgaudit:source-image");
        leave(c);
        return -1;
    }
    leave(c);
    return 0;
}

/*
 * An update's precondition.name is the name apply looks for to know the
 * update was made (after a lost answer, say): it must be the one the call
 * gives, or a re-run would make the image again.
 */
static int check_update_name(checker *c, const cJSON *a, const cJSON *params)
{
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "Name"));
    int rc;

    enter(c, "precondition", 0);
    rc = param_is(c, cJSON_GetObjectItemCaseSensitive(a, "precondition"), "name", name ? name : "",
                  "what parameters.Name creates");
    leave(c);
    return rc;
}

/* The precondition: what apply reads, and for an unshare the account that must still be shared with. */
static int check_precondition(checker *c, const cJSON *a, const action_kind *k, const char **target)
{
    const cJSON *pre = need(c, a, "precondition", cJSON_IsObject, "an object");
    const char *op;
    int rc = -1;

    *target = NULL;
    if (!pre)
        return -1;
    enter(c, "precondition", 0);
    if (!(op = need_str(c, pre, "operation")))
        goto out;
    if (strcmp(op, k->check) != 0) {
        enter(c, "operation", 0);
        problem(c, "precondition.operation is '%.60s', not '%s' (what %s reads first)", op, k->check,
                k->action);
        leave(c);
        goto out;
    }
    if (!need_str(c, pre, "holds_when"))
        goto out;
    if (k->action != kinds[2].action && !(*target = need_str(c, pre, "account")))
        goto out;
    rc = 0;
out:
    leave(c);
    return rc;
}

/* One action, checked whole against itself and the plan's coverage. */
static int check_action(checker *c, const cJSON *a, const cJSON *coverage)
{
    const char *id, *name, *acct, *region, *type, *target;
    const action_kind *k = NULL;
    const cJSON *call, *params, *cov, *resolves;
    char want_id[FIX_ID_SIZE];
    bool covered = false;

    if (!cJSON_IsObject(a))
        return problem(c, "an action must be an object");
    if (!(id = need_str(c, a, "id")) || !(name = need_str(c, a, "action")))
        return -1;
    for (size_t j = 0; j < sizeof(kinds) / sizeof(kinds[0]); j++)
        k = strcmp(name, kinds[j].action) == 0 ? &kinds[j] : k;
    if (!k) {
        enter(c, "action", 0);
        return problem(c, "unknown action '%.60s' (expected %s, %s or %s)", name, kinds[0].action,
                       kinds[1].action, kinds[2].action);
    }
    if (!(acct = need_str(c, a, "account")) || !(region = need_str(c, a, "region")) ||
        !(type = need_str(c, a, "resource_type")) || !need_str(c, a, "resource_id"))
        return -1;
    if (!fix_account_ok(acct)) {
        enter(c, "account", 0);
        return problem(c, "account '%.40s' is not a 12-digit account id", acct);
    }
    if (!chars_in(region, "-")) {
        enter(c, "region", 0);
        return problem(c, "region '%.40s' is not a region name", region);
    }
    if (strcmp(type, k->type) != 0) {
        enter(c, "resource_type", 0);
        return problem(c, "resource_type is '%.40s', but %s changes a %s", type, k->action, k->type);
    }
    if (!(call = need(c, a, "call", cJSON_IsObject, "an object")))
        return -1;
    enter(c, "call", 0);
    if (param_is(c, call, "service", k->service, "the action's service") != 0 ||
        param_is(c, call, "operation", k->operation, "the action's call") != 0 ||
        !(params = need(c, call, "parameters", cJSON_IsObject, "an object")))
        return -1;
    leave(c);
    if (check_precondition(c, a, k, &target) != 0)
        return -1;
    enter(c, "call", 0);
    enter(c, "parameters", 0);
    if (k == &kinds[2] ? check_update(c, params, a) != 0
                       : check_unshare(c, params, a, k == &kinds[0], target) != 0)
        return -1;
    leave(c);
    leave(c);
    if (k == &kinds[2] && check_update_name(c, a, params) != 0)
        return -1;
    if (!(resolves = need(c, a, "resolves", cJSON_IsArray, "an array of {rule, finding_id}")))
        return -1;
    if (cJSON_GetArraySize(resolves) == 0) {
        enter(c, "resolves", 0);
        return problem(c, "\"resolves\" names no finding: an action resolves at least one");
    }
    if (fix_action_id(a, want_id) != 0)
        return err_set(c->err, IA_ERR_NOMEM, "out of memory checking the plan");
    if (strcmp(id, want_id) != 0) {
        enter(c, "id", 0);
        return problem(c,
                       "the action was changed after the plan was made (its id does not match what it says): "
                       "make a new plan");
    }
    cJSON_ArrayForEach(cov, coverage)
    {
        const cJSON *ca = cJSON_GetObjectItemCaseSensitive(cov, "account");
        const cJSON *cr = cJSON_GetObjectItemCaseSensitive(cov, "region");
        const cJSON *cs = cJSON_GetObjectItemCaseSensitive(cov, "service");

        covered |= cJSON_IsString(ca) && cJSON_IsString(cr) && cJSON_IsString(cs) &&
                   strcmp(ca->valuestring, acct) == 0 && strcmp(cr->valuestring, region) == 0 &&
                   strcmp(cs->valuestring, k->service) == 0 &&
                   cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(cov, "complete"));
    }
    if (!covered) {
        enter(c, "account", 0);
        return problem(c, "\"coverage\" does not say whether %s of %s in %s was read whole", k->service, acct,
                       region);
    }
    return 0;
}

typedef struct id_at {
    const char *id;
    size_t i;
} id_at;

static int id_order(const void *pa, const void *pb)
{
    const id_at *a = pa, *b = pb;
    int d = strcmp(a->id, b->id);

    return d ? d : (a->i > b->i) - (a->i < b->i);
}

/* No action twice: apply would do it once and then find it done, but a plan that says so was edited. */
static int check_unique(checker *c, const cJSON *actions, size_t n)
{
    id_at *ids = malloc((n ? n : 1) * sizeof(*ids));
    const cJSON *a;
    size_t k = 0;
    int rc = 0;

    if (!ids)
        return err_set(c->err, IA_ERR_NOMEM, "out of memory checking the plan");
    cJSON_ArrayForEach(a, actions)
    {
        ids[k].id = cJSON_GetObjectItemCaseSensitive(a, "id")->valuestring;
        ids[k].i = k;
        k++;
    }
    qsort(ids, n, sizeof(*ids), id_order);
    for (k = 1; k < n && rc == 0; k++) {
        if (strcmp(ids[k - 1].id, ids[k].id) != 0)
            continue;
        c->depth = 0;
        c->action_no = ids[k].i + 1;
        enter(c, "actions", 0);
        enter(c, NULL, ids[k].i);
        enter(c, "id", 0);
        rc = problem(c, "the same action as action %zu", ids[k - 1].i + 1);
    }
    free(ids);
    return rc;
}

/* The document around the actions: schema, version, time, coverage. */
static int check_envelope(checker *c, const cJSON *doc, const cJSON **coverage, const cJSON **actions)
{
    const char *schema, *created;
    const cJSON *version;
    time_t t;

    if (!cJSON_IsObject(doc))
        return problem(c, "a plan must be a JSON object");
    if (!(schema = need_str(c, doc, "schema")))
        return -1;
    if (strcmp(schema, FIX_PLAN_SCHEMA) != 0) {
        enter(c, "schema", 0);
        return problem(c, "not a fix plan (\"schema\" is not \"" FIX_PLAN_SCHEMA "\")");
    }
    if (!(version = need(c, doc, "schema_version", cJSON_IsNumber, "a number")))
        return -1;
    if (version->valuedouble != FIX_PLAN_SCHEMA_VERSION) {
        enter(c, "schema_version", 0);
        return problem(c, "schema_version %g is not one this imgaudit reads (%d)", version->valuedouble,
                       FIX_PLAN_SCHEMA_VERSION);
    }
    if (!(created = need_str(c, doc, "created_at")))
        return -1;
    if (!timefmt_parse(created, &t)) {
        enter(c, "created_at", 0);
        return problem(c, "created_at '%.40s' is not an ISO-8601 time", created);
    }
    if (!(*coverage = need(c, doc, "coverage", cJSON_IsArray, "an array")) ||
        !(*actions = need(c, doc, "actions", cJSON_IsArray, "an array")))
        return -1;
    return 0;
}

int fix_plan_read_text(const char *name, const char *text, size_t len, fix_plan **out, ia_err *err)
{
    checker c = {name, text, len, err, {NULL}, {0}, 0, 0};
    cJSON *doc = NULL;
    const cJSON *coverage, *actions, *a;
    size_t i = 0;

    *out = NULL;
    if (json_parse_text(name, text, len, "a fix plan", &doc, err) != 0)
        return -1;
    if (check_envelope(&c, doc, &coverage, &actions) != 0)
        goto fail;
    cJSON_ArrayForEach(a, actions)
    {
        c.depth = 0;
        enter(&c, "actions", 0);
        enter(&c, NULL, i);
        c.action_no = i + 1;
        if (check_action(&c, a, coverage) != 0)
            goto fail;
        i++;
    }
    if (check_unique(&c, actions, i) != 0)
        goto fail;
    *out = calloc(1, sizeof(**out));
    if (!*out) {
        err_set(err, IA_ERR_NOMEM, "out of memory reading the plan");
        goto fail;
    }
    (*out)->doc = doc;
    (*out)->n_actions = i;
    return 0;
fail:
    cJSON_Delete(doc);
    return -1;
}

int fix_plan_read(const char *path, fix_plan **out, ia_err *err)
{
    buf text;
    int rc;

    *out = NULL;
    buf_init(&text, PLAN_MAX_BYTES);
    if (file_read_all(path, &text, err) != 0) {
        buf_free(&text);
        return -1;
    }
    rc = fix_plan_read_text(path, text.data ? text.data : "", text.len, out, err);
    buf_free(&text);
    return rc;
}

time_t fix_plan_created_at(const fix_plan *p)
{
    time_t t = 0;

    timefmt_parse(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p->doc, "created_at")), &t);
    return t;
}

const char *fix_plan_first_region(const fix_plan *p)
{
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(p->doc, "actions"), 0);
    const char *region = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(first, "region"));

    return region ? region : "us-east-1";
}
