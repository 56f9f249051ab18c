#include "snapshot/snapshot.h"

#include <stdint.h>

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
    /* FNV-1a, 64 bits: http://www.isthe.com/chongo/tech/comp/fnv/ (offset basis and prime of that page). */
    uint64_t h = 0xcbf29ce484222325u;

    for (const unsigned char *p = (const unsigned char *)account; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3u;
    }
    return count ? (unsigned)(h % count) : 0;
}
