#ifndef IMGAUDIT_RULES_RESULTS_STORE_H
#define IMGAUDIT_RULES_RESULTS_STORE_H

/*
 * The storage behind results_add_resource (rules/results.h): the strings
 * of the resources the results keep, in large blocks rather than a malloc
 * each, the repeated ones (types, accounts, regions) once each, and the
 * room the growing arrays have. Internal to the results model.
 */

struct results_store;
struct results;

/*
 * The one copy of text in r's storage (made when r has none yet), for what
 * many results repeat: a fix input (images shared with the same accounts,
 * updates with the same description). Freed with the results. NULL when
 * out of memory.
 */
const char *results_store_keep_once(struct results *r, const char *text);

/* Frees the storage and every string in it. Accepts NULL. */
void results_store_free(struct results_store *s);

#endif
