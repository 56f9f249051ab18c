/*
 * What an action reads before and after its change, and what the answers
 * say: the precondition's request (one page at a time) and whether the state
 * it finds still asks for the change (docs/fix.md, "holds_when").
 */
#include "fix/apply_int.h"
#include "fix/fix_int.h"

#include <string.h>

int fix_job_init(fix_job *j, const cJSON *action)
{
    const cJSON *call = cJSON_GetObjectItemCaseSensitive(action, "call");
    const cJSON *pre = cJSON_GetObjectItemCaseSensitive(action, "precondition");
    const char *name = fix_str(action, "action");

    j->action = action;
    j->params = cJSON_GetObjectItemCaseSensitive(call, "parameters");
    j->operation = fix_str(call, "operation");
    j->account = fix_str(action, "account");
    j->region = fix_str(action, "region");
    j->resource = fix_str(action, "resource_id");
    j->target = fix_str(pre, "account");
    j->name = fix_str(pre, "name");
    if (!name || !j->params || !j->operation || !j->account || !j->region || !j->resource)
        return -1;
    if (strcmp(name, RULES_FIX_UNSHARE_WORKSPACES) == 0)
        j->kind = FIX_UNSHARE_WORKSPACES;
    else if (strcmp(name, RULES_FIX_UNSHARE_APPSTREAM) == 0)
        j->kind = FIX_UNSHARE_APPSTREAM;
    else if (strcmp(name, RULES_FIX_UPDATE_WORKSPACES) == 0)
        j->kind = FIX_UPDATE_WORKSPACES;
    else
        return -1;
    /* The plan file was checked whole (fix_plan_read): these are there for the action's kind. */
    return (j->kind == FIX_UPDATE_WORKSPACES ? j->name != NULL : j->target != NULL) ? 0 : -1;
}

const aws_service *fix_job_service(const fix_job *j)
{
    return j->kind == FIX_UNSHARE_APPSTREAM ? &AWS_APPSTREAM : &AWS_WORKSPACES;
}

const char *fix_job_read_operation(const fix_job *j)
{
    switch (j->kind) {
    case FIX_UNSHARE_WORKSPACES: return "DescribeWorkspaceImagePermissions";
    case FIX_UNSHARE_APPSTREAM: return "DescribeImagePermissions";
    case FIX_UPDATE_WORKSPACES: break;
    }
    return "DescribeWorkspaceImages";
}

/* {"ImageIds": [id]} */
static cJSON *images_by_id(const char *id)
{
    cJSON *req = cJSON_CreateObject(), *ids = cJSON_AddArrayToObject(req, "ImageIds");

    if (!ids || !cJSON_AddItemToArray(ids, cJSON_CreateString(id))) {
        cJSON_Delete(req);
        return NULL;
    }
    return req;
}

cJSON *fix_job_read_request(const fix_job *j)
{
    cJSON *req = NULL, *ids;

    switch (j->kind) {
    case FIX_UNSHARE_WORKSPACES:
        req = cJSON_CreateObject();
        if (!cJSON_AddStringToObject(req, "ImageId", j->resource) ||
            !cJSON_AddNumberToObject(req, "MaxResults", 25))
            goto nomem;
        return req;
    case FIX_UNSHARE_APPSTREAM:
        /* Only the one account: a single page whatever the image's sharing. */
        req = cJSON_CreateObject();
        ids = cJSON_CreateArray();
        if (!cJSON_AddItemToArray(ids, cJSON_CreateString(j->target)) ||
            !cJSON_AddStringToObject(req, "Name", j->resource) ||
            !cJSON_AddItemToObject(req, "SharedAwsAccountIds", ids)) {
            cJSON_Delete(ids);
            goto nomem;
        }
        return req;
    case FIX_UPDATE_WORKSPACES: break;
    }
    switch (j->stage) {
    case FIX_STAGE_FIND_NAMED:
        req = cJSON_CreateObject();
        if (!cJSON_AddStringToObject(req, "ImageType", "OWNED") ||
            !cJSON_AddNumberToObject(req, "MaxResults", 25))
            goto nomem;
        return req;
    case FIX_STAGE_VERIFY: return images_by_id(j->new_image_id);
    default: return images_by_id(j->resource);
    }
nomem:
    cJSON_Delete(req);
    return NULL;
}

/* Whether the list under key names account in member field. */
static bool names_account(const cJSON *answer, const char *key, const char *field, const char *account)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(answer, key))
    {
        const char *a = fix_str(e, field);

        if (a && strcmp(a, account) == 0)
            return true;
    }
    return false;
}

fix_state fix_job_read_answer(fix_job *j, const cJSON *answer)
{
    const cJSON *images = cJSON_GetObjectItemCaseSensitive(answer, "Images"), *img;

    switch (j->kind) {
    case FIX_UNSHARE_WORKSPACES:
        return names_account(answer, "ImagePermissions", "SharedAccountId", j->target) ? FIX_STATE_HOLDS
                                                                                       : FIX_STATE_CLEAR;
    case FIX_UNSHARE_APPSTREAM:
        return names_account(answer, "SharedImagePermissionsList", "sharedAccountId", j->target)
                   ? FIX_STATE_HOLDS
                   : FIX_STATE_CLEAR;
    case FIX_UPDATE_WORKSPACES: break;
    }
    if (j->stage == FIX_STAGE_FIND_NAMED) {
        cJSON_ArrayForEach(img, images)
        {
            const char *name = fix_str(img, "Name"), *id = fix_str(img, "ImageId");

            if (name && id && strcmp(name, j->name) == 0) {
                str_copy(j->new_image_id, sizeof(j->new_image_id), id);
                return FIX_STATE_CLEAR;
            }
        }
        return FIX_STATE_HOLDS;
    }
    img = cJSON_GetArrayItem(images, 0);
    if (j->stage == FIX_STAGE_VERIFY)
        return img ? FIX_STATE_CLEAR : FIX_STATE_HOLDS;
    if (!img)
        return FIX_STATE_GONE;
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(img, "Updates"),
                                                         "UpdateAvailable"))
               ? FIX_STATE_HOLDS
               : FIX_STATE_CLEAR;
}

bool fix_job_gone(const fix_job *j, const ia_err *err)
{
    /* The image itself is no more: nothing is shared, nothing is left to update. Not so for the new image an
     * update looks for: not found, it is not seen yet. */
    return err->kind == IA_ERR_AWS && strcmp(err->aws_code, "ResourceNotFoundException") == 0 &&
           (j->stage == FIX_STAGE_READ || (j->stage == FIX_STAGE_VERIFY && j->kind != FIX_UPDATE_WORKSPACES));
}
