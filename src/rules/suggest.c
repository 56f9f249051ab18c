#include "rules/suggest.h"

#include <string.h>

#define SUGGEST_MAX_LEN 128
/* Names compared at most: a guess is not worth seconds over a huge file. */
#define SUGGEST_MAX_NAMES 10000

/*
 * Optimal string alignment distance: Levenshtein plus the swap of two
 * neighbours (a common typo). Stops early with a value over limit once every
 * cell of a row is over it.
 */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb, size_t limit)
{
    size_t rows[3][SUGGEST_MAX_LEN + 1];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t *t, row_min;

        cur[0] = i;
        row_min = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = prev[j - 1] + cost;

            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
            row_min = best < row_min ? best : row_min;
        }
        if (row_min > limit)
            return limit + 1;
        t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

const char *suggest_closest(const char *name, const char *const *names, size_t n)
{
    size_t len = strlen(name), limit = len / 4 > 1 ? len / 4 : 1, best_d = limit + 1;
    const char *best = NULL;

    /* Between names of a few letters one edit is anything: no guess. */
    if (len < 4 || len > SUGGEST_MAX_LEN)
        return NULL;
    for (size_t i = 0; i < n && i < SUGGEST_MAX_NAMES; i++) {
        size_t l = strlen(names[i]), d;

        if (l > SUGGEST_MAX_LEN || strcmp(names[i], name) == 0)
            continue;
        /* The distance is at least the difference in length: most names are ruled out without the table. */
        if ((l > len ? l - len : len - l) >= best_d)
            continue;
        d = edit_distance(name, len, names[i], l, best_d - 1);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}
