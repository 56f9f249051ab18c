#ifndef IMGAUDIT_REPORT_ASSETS_H
#define IMGAUDIT_REPORT_ASSETS_H

#include <stddef.h>

/*
 * A file from reports/ compiled into the binary at build time (cmake/embed.cmake), by base name
 * ("report.css"). Borrowed, static, NUL-terminated; *len_out gets its length. NULL if there is none.
 */
const char *assets_get(const char *name, size_t *len_out);

#endif
