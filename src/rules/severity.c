#include "rules/severity.h"

#include <stddef.h>
#include <string.h>

static const char *const names[SEV_COUNT] = {
#define SEVERITY_NAME(e, name) [e] = name,
    SEVERITY_LIST(SEVERITY_NAME)
#undef SEVERITY_NAME
};

/* ", a, b, c": every name with a separator before it; the list starts after the first. */
static const char choices[] =
#define SEVERITY_CHOICE(e, name) ", " name
    SEVERITY_LIST(SEVERITY_CHOICE)
#undef SEVERITY_CHOICE
    ;

const char *severity_name(severity s)
{
    return (unsigned)s < SEV_COUNT ? names[s] : "unknown";
}

int severity_parse(const char *name, severity *out)
{
    for (size_t i = 0; name && i < SEV_COUNT; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (severity)i;
            return 0;
        }
    }
    return -1;
}

const char *severity_choices(void)
{
    return choices + 2;
}
