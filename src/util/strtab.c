#include "util/strtab.h"

#include <stdlib.h>
#include <string.h>

#include "util/str.h"

static int grow(strtab *t)
{
    size_t n_slots = t->n_slots ? t->n_slots * 2 : 64;
    uint32_t *slots = calloc(n_slots, sizeof(*slots));
    const char **strs = realloc(t->strs, n_slots / 2 * sizeof(*strs));

    if (!slots || !strs) {
        free(slots);
        if (strs)
            t->strs = strs;
        return -1;
    }
    t->strs = strs;
    t->cap = n_slots / 2;
    for (size_t i = 0; i < t->n; i++) {
        size_t k = (size_t)str_hash(strs[i]) & (n_slots - 1);

        while (slots[k])
            k = (k + 1) & (n_slots - 1);
        slots[k] = (uint32_t)i + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
    return 0;
}

long strtab_index(strtab *t, const char *s)
{
    size_t k;

    if (!s)
        s = "";
    /* Indexes (plus one) are kept in 32 bits. */
    if (t->n >= UINT32_MAX - 1 || (t->n == t->cap && grow(t) != 0))
        return -1;
    for (k = (size_t)str_hash(s) & (t->n_slots - 1); t->slots[k]; k = (k + 1) & (t->n_slots - 1)) {
        const char *have = t->strs[t->slots[k] - 1];

        if (have == s || strcmp(have, s) == 0)
            return (long)t->slots[k] - 1;
    }
    t->strs[t->n] = s;
    t->slots[k] = (uint32_t)++t->n;
    return (long)t->n - 1;
}

void strtab_free(strtab *t)
{
    free(t->strs);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}
