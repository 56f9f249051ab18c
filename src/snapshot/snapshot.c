#include "snapshot/snapshot.h"

#include <stdint.h>

#include "util/str.h"

const cJSON *snap_permissions(const cJSON *data)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(data, "Permissions");

    return cJSON_IsArray(p) ? p : NULL;
}

const char *snap_permission_account(const cJSON *perm)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(perm, "SharedAccountId");

    if (!cJSON_IsString(id))
        id = cJSON_GetObjectItemCaseSensitive(perm, "sharedAccountId");
    return cJSON_IsString(id) ? id->valuestring : NULL;
}

unsigned snapshot_shard_of(const char *account, unsigned count)
{
    return count ? (unsigned)(str_hash(account) % count) : 0;
}
