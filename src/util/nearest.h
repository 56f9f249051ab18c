#ifndef IMGAUDIT_UTIL_NEAREST_H
#define IMGAUDIT_UTIL_NEAREST_H

/*
 * "Did you mean ...?": the known name closest to a mistyped word, by edit
 * distance (Levenshtein: one insertion, deletion or substitution is one
 * step). Candidates are offered one by one, so that a caller walks its own
 * table (option rows, a region list) without building an array first.
 */

#include <stddef.h>

typedef struct nearest {
    const char *word; /* borrowed: the mistyped word, word_len bytes */
    size_t word_len;
    const char *best; /* borrowed from the candidate offered; NULL while none is close enough */
    size_t best_score;
} nearest;

/* Starts a search for the name closest to word[0..len) (word is borrowed). */
void nearest_init(nearest *n, const char *word, size_t len);

/*
 * Considers candidate (borrowed: it must outlive n). A candidate is close
 * enough when at most a third of the longer of the two (and at least one
 * step) must change, or when it starts with the word (an abbreviation of
 * three characters or more);
 * the closest one offered first wins.
 */
void nearest_offer(nearest *n, const char *candidate);

/* The closest candidate offered, or NULL when none is close enough. */
const char *nearest_found(const nearest *n);

/*
 * The closest of names[0..n) to word, borrowed from names, or NULL: as
 * nearest_offer judges them, word itself never suggested. Only the first
 * NEAREST_MAX_NAMES are looked at: a guess is not worth seconds.
 */
#define NEAREST_MAX_NAMES 10000
const char *nearest_in(const char *word, const char *const *names, size_t n);

#endif
