#ifndef IMGAUDIT_SNAPSHOT_RESTYPE_H
#define IMGAUDIT_SNAPSHOT_RESTYPE_H

/*
 * The resource types, made from the one list in snapshot/restype_list.h:
 * the enum every stage switches on and the facts every stage reads.
 */

#include <stdbool.h>

#include <cjson/cJSON.h>

typedef enum restype {
#define RESTYPE(e, ...) e,
#include "snapshot/restype_list.h"
#undef RESTYPE
    RESTYPE_COUNT
} restype;

typedef struct restype_def {
    const char *name;          /* "workspaces_image", ... */
    const char *listing;       /* "DescribeWorkspaceImages", ... */
    const char *items;         /* answer member holding the list */
    const char *id_field;      /* data member that is the snapshot's id */
    const char *display_field; /* data member shown as the resource's name */
} restype_def;

/* The facts about t (a valid restype). Static. */
const restype_def *restype_get(restype t);

/* t's name ("workspaces_image"). Static. */
const char *restype_name(restype t);

/* Looks a name up into *out. Returns 0, or -1 (out untouched) for NULL or a type this imgaudit does not know.
 */
int restype_parse(const char *name, restype *out);

/* Every name, for messages: "workspaces_image, appstream_image_builder, appstream_image". Static. */
const char *restype_choices(void);

/*
 * The display name of a resource of the named type: its display_field when
 * that is a string, else NULL (also for a type this imgaudit does not know).
 * Borrowed from data.
 */
const char *restype_display_name(const char *type, const cJSON *data);

#endif
