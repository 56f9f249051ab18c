/*
 * The name and description a create-updated-workspaces-image action gives
 * the new image, within what CreateUpdatedWorkspaceImage accepts (botocore's
 * workspaces model: Name 1..64 of [a-zA-Z0-9_./()-], Description 1..256 of
 * [a-zA-Z0-9_./() -]). An image's own name may hold other characters (the
 * console allows spaces), and Updates.Description is free text.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "fix/fix.h"

static bool name_char(char c)
{
    return isalnum((unsigned char)c) || strchr("_./()-", c) != NULL;
}

/* Appends s (n bytes at most) to out[*len..max), each character a name may not hold as '-'. */
static void put_name(char *out, size_t *len, size_t max, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i] && *len < max; i++)
        out[(*len)++] = name_char(s[i]) ? s[i] : '-';
}

/* What tmpl takes besides {Name}: its text with {ImageId} and {date} filled. */
static size_t fixed_length(const char *tmpl, const char *image_id, const char *date)
{
    size_t n = 0;

    for (const char *p = tmpl; *p;) {
        if (strncmp(p, "{Name}", 6) == 0)
            p += 6;
        else if (strncmp(p, "{ImageId}", 9) == 0) {
            n += strlen(image_id);
            p += 9;
        } else if (strncmp(p, "{date}", 6) == 0) {
            n += strlen(date);
            p += 6;
        } else {
            n++;
            p++;
        }
    }
    return n;
}

void fix_updated_name(const char *tmpl, const char *name, const char *image_id, const char *date,
                      char out[FIX_NAME_MAX + 1])
{
    size_t fixed = fixed_length(tmpl, image_id, date), len = 0;
    /* The image's name gives way: the suffix that says what the image is stays whole. */
    size_t room = fixed < FIX_NAME_MAX ? FIX_NAME_MAX - fixed : 0;

    for (const char *p = tmpl; *p && len < FIX_NAME_MAX;) {
        if (strncmp(p, "{Name}", 6) == 0) {
            put_name(out, &len, FIX_NAME_MAX, name, room);
            p += 6;
        } else if (strncmp(p, "{ImageId}", 9) == 0) {
            put_name(out, &len, FIX_NAME_MAX, image_id, strlen(image_id));
            p += 9;
        } else if (strncmp(p, "{date}", 6) == 0) {
            put_name(out, &len, FIX_NAME_MAX, date, strlen(date));
            p += 6;
        } else {
            put_name(out, &len, FIX_NAME_MAX, p, 1);
            p++;
        }
    }
    out[len] = '\0';
}

static bool description_char(char c)
{
    return isalnum((unsigned char)c) || strchr("_./() -", c) != NULL;
}

void fix_updated_description(const char *updates, const char *image_id, char out[FIX_DESCRIPTION_MAX + 1])
{
    size_t len = 0;

    for (const char *p = updates ? updates : ""; *p && len < FIX_DESCRIPTION_MAX; p++) {
        char c = description_char(*p) ? *p : ' ';

        if (c == ' ' && (len == 0 || out[len - 1] == ' '))
            continue;
        out[len++] = c;
    }
    while (len && out[len - 1] == ' ')
        len--;
    out[len] = '\0';
    if (len == 0)
        snprintf(out, FIX_DESCRIPTION_MAX + 1, "Updated from %.200s", image_id);
}
