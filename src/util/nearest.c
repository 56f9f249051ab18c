#include "util/nearest.h"

#include <string.h>

/* Names compared are option and region names: longer ones are never close to anything. */
#define NEAREST_MAX_LEN 64

/* A shorter prefix ("a", "--r") stands for too many names to be worth suggesting one. */
#define NEAREST_MIN_PREFIX 3

void nearest_init(nearest *n, const char *word, size_t len)
{
    n->word = word;
    n->word_len = len;
    n->best = NULL;
    n->best_score = (size_t)-1;
}

/* Levenshtein distance between a[0..la) and b[0..lb), both at most NEAREST_MAX_LEN, in one row. */
static size_t distance(const char *a, size_t la, const char *b, size_t lb)
{
    size_t row[NEAREST_MAX_LEN + 1];

    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];

        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);

            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void nearest_offer(nearest *n, const char *candidate)
{
    size_t len = strlen(candidate), longer = len > n->word_len ? len : n->word_len;
    size_t allowed = longer / 3 ? longer / 3 : 1, d, score;

    if (len > NEAREST_MAX_LEN || n->word_len > NEAREST_MAX_LEN || n->word_len == 0)
        return;
    /* The distance is at least the difference in length: most names are ruled out without the table. */
    if (len < n->word_len && n->word_len - len > allowed)
        return;
    d = distance(n->word, n->word_len, candidate, len);
    /* Scores are doubled so that an abbreviation (a prefix) ranks between a one-step and a
     * two-step typo. A word changed whole ("q" for "n") is no typo of it. */
    if (n->word_len >= NEAREST_MIN_PREFIX && len > n->word_len &&
        strncmp(candidate, n->word, n->word_len) == 0)
        score = 3;
    else if (d <= allowed && d < n->word_len)
        score = 2 * d;
    else
        return;
    if (d <= allowed && 2 * d < score)
        score = 2 * d;
    if (score < n->best_score) {
        n->best = candidate;
        n->best_score = score;
    }
}

const char *nearest_found(const nearest *n)
{
    return n->best;
}

const char *nearest_in(const char *word, const char *const *names, size_t n)
{
    nearest near;

    nearest_init(&near, word, strlen(word));
    for (size_t i = 0; i < n && i < NEAREST_MAX_NAMES; i++) {
        if (strcmp(names[i], word) != 0)
            nearest_offer(&near, names[i]);
    }
    return nearest_found(&near);
}
