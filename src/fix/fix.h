#ifndef IMGAUDIT_FIX_FIX_H
#define IMGAUDIT_FIX_FIX_H

/*
 * Fix plans: what `imgaudit fix plan` proposes to change for the failures
 * of a results document whose rules declare a fix (docs/rules.md, "Fixes"),
 * written as a file a person reviews and `fix apply` (a later command)
 * carries out. Each action is self-contained: the account, region and
 * resource, the AWS call with its exact parameters, the rules and findings
 * it resolves, and the precondition that must still hold when it is
 * applied. The format is in docs/fix.md.
 *
 * Nothing here calls AWS: a plan is built from a results file and written;
 * a plan file is read back and checked.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "util/err.h"

#define FIX_PLAN_SCHEMA         "imgaudit.fix-plan"
#define FIX_PLAN_SCHEMA_VERSION 1

/* The limits CreateUpdatedWorkspaceImage sets (botocore's workspaces model). */
#define FIX_NAME_MAX        64
#define FIX_DESCRIPTION_MAX 256

/* Which failures a plan takes; every field empty: all of them. Strings borrowed. */
typedef struct fix_filter {
    const char *const *rules; /* rule ids, matched whole */
    size_t n_rules;
    const char *const *accounts; /* the accounts where the change is made */
    size_t n_accounts;
    const char *action; /* one action name, or NULL */
} fix_filter;

typedef struct fix_plan fix_plan;

/*
 * Builds the plan for the results document at path ("-": stdin), read
 * piece by piece so that it is never held twice (a regular file is mapped
 * and its pages given back as the walk passes them). Only failures whose
 * "fix" names an action produce actions, and only those f lets through;
 * waived and passed results never do. An unshare is one action per image
 * and account to remove (a share two rules would remove is one action that
 * resolves both); a create-updated-workspaces-image is one per Windows
 * image, named from its template on date (YYYYMMDD, the plan's day).
 * created_at (ISO-8601) is the plan's time. On success *out is owned
 * (fix_plan_free). Errors: IA_ERR_INPUT for a file that is not a results
 * document ("PATH:LINE:COL: ..." where the text says where), IA_ERR_NOMEM.
 */
int fix_plan_build(const char *path, const fix_filter *f, const char *created_at, fix_plan **out,
                   ia_err *err);

/* How many actions p holds. */
size_t fix_plan_count(const fix_plan *p);

/*
 * Writes p as JSON to path, whole or not at all (a temporary file renamed
 * over it; "-" is stdout). 0, or -1 with err (IA_ERR_IO, IA_ERR_NOMEM,
 * IA_ERR_CANCELLED).
 */
int fix_plan_write(const fix_plan *p, const char *path, ia_err *err);

/*
 * Prints what p would change, per account (region, action, resource and the
 * change), then the count and what was left out, to fp. Strings from AWS are
 * escaped for a terminal.
 */
void fix_plan_print(const fix_plan *p, FILE *fp);

/*
 * Reads a plan file and checks it all: JSON, schema and version, every
 * action known, its call and parameters those its action makes of its
 * account, region and resource, its id the digest of them (so that a
 * parameter changed by hand is caught), and the coverage of each account
 * and region it changes. On success *out is owned (fix_plan_free).
 * Otherwise -1 with err IA_ERR_INPUT and one line naming PATH:LINE:COL
 * (the value found wrong), or IA_ERR_NOMEM.
 */
int fix_plan_read(const char *path, fix_plan **out, ia_err *err);

/* The same over text[0..len) already in memory; name stands for the path in errors. */
int fix_plan_read_text(const char *name, const char *text, size_t len, fix_plan **out, ia_err *err);

/* When the plan was made (its created_at, checked by fix_plan_read). */
time_t fix_plan_created_at(const fix_plan *p);

/*
 * How many actions of p are in an account, region and service whose
 * snapshot was not read whole ("coverage"); the first is described in
 * first ("111122223333 eu-west-1 (appstream)").
 */
size_t fix_plan_incomplete(const fix_plan *p, char *first, size_t size);

/* The region of the plan's first action, or "us-east-1" when it has none (borrowed). */
const char *fix_plan_first_region(const fix_plan *p);

/* Frees a plan. Accepts NULL. */
void fix_plan_free(fix_plan *p);

/*
 * The name CreateUpdatedWorkspaceImage is given for the image named name
 * (id image_id): tmpl with {Name}, {ImageId} and {date} filled, every
 * character a name may not hold ([a-zA-Z0-9_./()-]) as '-', the image's name
 * shortened so that the whole is at most FIX_NAME_MAX characters. out holds
 * FIX_NAME_MAX + 1 bytes.
 */
void fix_updated_name(const char *tmpl, const char *name, const char *image_id, const char *date,
                      char out[FIX_NAME_MAX + 1]);

/*
 * The Description CreateUpdatedWorkspaceImage is given: updates (the
 * image's Updates.Description, may be NULL) with every character the API
 * refuses ([a-zA-Z0-9_./() -]) as a space, runs of spaces as one, cut to
 * FIX_DESCRIPTION_MAX characters; "Updated from IMAGE_ID" when nothing is
 * left. out holds FIX_DESCRIPTION_MAX + 1 bytes.
 */
void fix_updated_description(const char *updates, const char *image_id, char out[FIX_DESCRIPTION_MAX + 1]);

#endif
