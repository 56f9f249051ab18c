#ifndef IMGAUDIT_RULES_SUGGEST_H
#define IMGAUDIT_RULES_SUGGEST_H

/*
 * "Did you mean ...?": the closest of a few names to one that is not known
 * (a misspelt variable or rule id), by edit distance.
 */

#include <stddef.h>

/*
 * The name among names[0..n) closest to name, borrowed from names, or NULL
 * when none is close: at most a quarter of name's length in edits (insert,
 * delete, replace, swap two neighbours), at least 1. name itself is never
 * suggested; a name shorter than 4 or longer than 128 bytes gets none.
 * Only the first 10000 names are looked at.
 */
const char *suggest_closest(const char *name, const char *const *names, size_t n);

#endif
