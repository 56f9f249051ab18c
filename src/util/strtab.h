#ifndef IMGAUDIT_UTIL_STRTAB_H
#define IMGAUDIT_UTIL_STRTAB_H

/*
 * A table of distinct strings in first-seen order, found by hash: what
 * refers to a string (a report's row, a share's key) holds its index
 * instead. The strings are borrowed: they must outlive the table.
 */

#include <stddef.h>
#include <stdint.h>

typedef struct strtab {
    const char **strs; /* owned array of n borrowed strings (cap allocated) */
    size_t n, cap;
    uint32_t *slots; /* owned: n_slots entries (a power of two, twice cap), index + 1, 0 free */
    size_t n_slots;
} strtab;

/* The index of s (NULL: "") in t, added when new; -1 when out of memory. A zeroed strtab is empty. */
long strtab_index(strtab *t, const char *s);

/* Frees what t holds and empties it. */
void strtab_free(strtab *t);

#endif
