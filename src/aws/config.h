#ifndef IMGAUDIT_AWS_CONFIG_H
#define IMGAUDIT_AWS_CONFIG_H

/*
 * The AWS shared files: the config file (AWS_CONFIG_FILE, default
 * ~/.aws/config; sections "[default]" and "[profile NAME]") and the
 * credentials file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials;
 * sections "[NAME]"), read the way the AWS SDKs and CLI read them.
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

typedef struct awscfg awscfg;

/*
 * Reads both files into *out (owned: awscfg_free). NULL paths mean the
 * environment variables, then the defaults under $HOME. A file that does not
 * exist is not an error (an empty set of profiles); a malformed one is
 * IA_ERR_INPUT with file and line. Keys are lower-cased; values are trimmed;
 * full-line comments (# or ;) and inline comments after whitespace are
 * dropped; nested sub-settings (indented lines after "key =") are kept as
 * "key.sub".
 */
int awscfg_load(awscfg **out, const char *config_path, const char *credentials_path, ia_err *err);

/*
 * The same over texts in memory (each NUL-terminated at its length; NULL:
 * no such file), named "config" and "credentials" in errors. For the fuzzers.
 */
int awscfg_parse(awscfg **out, const char *config_text, size_t config_len, const char *credentials_text,
                 size_t credentials_len, ia_err *err);

/* Frees cfg. Accepts NULL. */
void awscfg_free(awscfg *cfg);

/* True when either file has the profile. */
bool awscfg_has_profile(const awscfg *cfg, const char *profile);

/*
 * A setting of a profile, borrowed (valid until awscfg_free), or NULL.
 * Where both files set a key, the credentials file wins, as in the SDKs.
 */
const char *awscfg_get(const awscfg *cfg, const char *profile, const char *key);

/*
 * The profile to use: flag, then AWS_PROFILE, then AWS_DEFAULT_PROFILE (the
 * AWS CLI v1's name, which the SDKs still read), then "default". Borrowed or
 * static.
 */
const char *awscfg_profile_name(const char *flag);

/*
 * The region to use: flag, then AWS_REGION, then AWS_DEFAULT_REGION, then
 * the profile's "region". Borrowed; NULL when none is set.
 */
const char *awscfg_region(const awscfg *cfg, const char *profile, const char *flag);

/*
 * The file of CAs to trust instead of the system's store, as the SDKs pick
 * it: AWS_CA_BUNDLE, then the profile's "ca_bundle". Borrowed; NULL when
 * neither is set (the system's store).
 */
const char *awscfg_ca_bundle(const awscfg *cfg, const char *profile);

/* Sections of the config file that are not profiles but are read too. */
typedef enum awscfg_section_kind {
    AWSCFG_SSO_SESSION, /* [sso-session NAME] */
    AWSCFG_SERVICES     /* [services NAME]: per-service settings such as "workspaces.endpoint_url" */
} awscfg_section_kind;

/* True when the config file has a section of that kind and name. */
bool awscfg_has_section(const awscfg *cfg, awscfg_section_kind kind, const char *name);

/*
 * A setting of a [sso-session NAME] or [services NAME] section, borrowed
 * (valid until awscfg_free), or NULL. Nested settings are "key.sub".
 */
const char *awscfg_section_get(const awscfg *cfg, awscfg_section_kind kind, const char *name,
                               const char *key);

#endif
