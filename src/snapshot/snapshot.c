#include "snapshot/snapshot.h"

const char *snap_permission_account(const cJSON *perm)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(perm, "SharedAccountId");

    if (!cJSON_IsString(id))
        id = cJSON_GetObjectItemCaseSensitive(perm, "sharedAccountId");
    return cJSON_IsString(id) ? id->valuestring : NULL;
}
