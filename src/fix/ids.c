/* Action ids, the shapes of the identifiers the fix calls take (botocore's service models), and reading a
 * plan's strings. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"
#include "fix/fix_int.h"

int fix_action_id(const cJSON *action, char out[FIX_ID_SIZE])
{
    cJSON *copy = cJSON_Duplicate(action, 1);
    char *text = NULL, hex[65];
    int rc = -1;

    out[0] = '\0';
    if (!copy)
        return -1;
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "id");
    text = cJSON_PrintUnformatted(copy);
    if (text) {
        /* The first 16 bytes of the SHA-256, in hex; an empty hex is OpenSSL failing. */
        sigv4_sha256_hex(text, strlen(text), hex);
        if (hex[0]) {
            memcpy(out, hex, FIX_ID_SIZE - 1);
            out[FIX_ID_SIZE - 1] = '\0';
            rc = 0;
        }
    }
    cJSON_free(text);
    cJSON_Delete(copy);
    return rc;
}

bool fix_account_ok(const char *s)
{
    size_t n = 0;

    for (; s && isdigit((unsigned char)s[n]); n++)
        ;
    return s && n == 12 && s[n] == '\0';
}

bool fix_workspaces_image_id_ok(const char *s)
{
    size_t n = 0;

    if (!s || strncmp(s, "wsi-", 4) != 0)
        return false;
    for (s += 4; (s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'z'); n++)
        ;
    return s[n] == '\0' && n >= 9 && n <= 63;
}

bool fix_appstream_name_ok(const char *s)
{
    size_t n = 1;

    if (!s || !isalnum((unsigned char)s[0]))
        return false;
    for (; isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '.' || s[n] == '-'; n++)
        ;
    return s[n] == '\0' && n <= 101;
}

const char *fix_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}
