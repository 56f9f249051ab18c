#include "snapshot/restype.h"

#include <stddef.h>
#include <string.h>

static const restype_def defs[RESTYPE_COUNT] = {
#define RESTYPE(e, name, service, listing, items, id_field, display_field)                                   \
    [e] = {name, listing, items, id_field, display_field},
#include "snapshot/restype_list.h"
#undef RESTYPE
};

/* ", a, b, c": every name with a separator before it; the list starts after the first. */
static const char choices[] =
#define RESTYPE(e, name, ...) ", " name
#include "snapshot/restype_list.h"
#undef RESTYPE
    ;

const restype_def *restype_get(restype t)
{
    return &defs[t];
}

const char *restype_name(restype t)
{
    return defs[t].name;
}

int restype_parse(const char *name, restype *out)
{
    for (size_t i = 0; name && i < RESTYPE_COUNT; i++) {
        if (strcmp(name, defs[i].name) == 0) {
            *out = (restype)i;
            return 0;
        }
    }
    return -1;
}

const char *restype_choices(void)
{
    return choices + 2;
}

const char *restype_display_name(const char *type, const cJSON *data)
{
    restype t;
    const cJSON *v;

    if (restype_parse(type, &t) != 0)
        return NULL;
    v = cJSON_GetObjectItemCaseSensitive(data, defs[t].display_field);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}
