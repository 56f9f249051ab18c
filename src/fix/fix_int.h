#ifndef IMGAUDIT_FIX_FIX_INT_H
#define IMGAUDIT_FIX_FIX_INT_H

/* What the files of src/fix share: the plan held as its JSON document, and the action ids. Not an interface.
 */

#include <cjson/cJSON.h>

#include "fix/fix.h"

struct fix_plan {
    cJSON *doc; /* owned: the plan as written (docs/fix.md) */
    size_t n_actions;
};

/* 32 hex digits and the NUL. */
#define FIX_ID_SIZE 33

/*
 * An action's id: the first 16 bytes of SHA-256 over the action printed
 * unformatted without its "id" (so, in the order its members are written),
 * as hex. A plan edited by hand no longer matches the ids it carries.
 * Returns 0, or -1 when out of memory.
 */
int fix_action_id(const cJSON *action, char out[FIX_ID_SIZE]);

/* obj's member key when it is a string, else NULL (borrowed). */
const char *fix_str(const cJSON *obj, const char *key);

/* Whether s is a 12-digit AWS account id. */
bool fix_account_ok(const char *s);

/* Whether s matches the pattern ImageId takes (wsi-[0-9a-z]{9,63}). */
bool fix_workspaces_image_id_ok(const char *s);

/* Whether s matches the pattern an AppStream image's Name takes (^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$). */
bool fix_appstream_name_ok(const char *s);

#endif
