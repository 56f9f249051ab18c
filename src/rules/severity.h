#ifndef IMGAUDIT_RULES_SEVERITY_H
#define IMGAUDIT_RULES_SEVERITY_H

/*
 * Severities, least to most severe: the one table of their names, which
 * rules, --fail-on and every report use.
 */

#include <stdbool.h>

/* clang-format off */
#define SEVERITY_LIST(X)        \
    X(SEV_INFO, "info")         \
    X(SEV_LOW, "low")           \
    X(SEV_MEDIUM, "medium")     \
    X(SEV_HIGH, "high")         \
    X(SEV_CRITICAL, "critical")
/* clang-format on */

typedef enum severity {
#define SEVERITY_ENUM(e, name) e,
    SEVERITY_LIST(SEVERITY_ENUM)
#undef SEVERITY_ENUM
        SEV_COUNT
} severity;

/* "info", "low", "medium", "high", "critical"; "unknown" for anything else. Static strings. */
const char *severity_name(severity s);

/* Parses a severity name (as severity_name writes it) into *out. Returns 0, or -1 for any other text. */
int severity_parse(const char *name, severity *out);

/* Every name, least severe first, for messages: "info, low, medium, high, critical". Static. */
const char *severity_choices(void);

#endif
