#ifndef IMGAUDIT_RULES_RESULTS_STORE_H
#define IMGAUDIT_RULES_RESULTS_STORE_H

/*
 * The storage behind results_add_resource (rules/results.h): the strings
 * of the resources the results keep, in large blocks rather than a malloc
 * each, the repeated ones (types, accounts, regions) once each, and the
 * room the growing arrays have. Internal to the results model.
 */

struct results_store;

/* Frees the storage and every string in it. Accepts NULL. */
void results_store_free(struct results_store *s);

#endif
