#include "aws/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/str.h"

/*
 * Limits. Real shared files are a few KiB; a session token, the longest value
 * they usually hold, is a few KiB. Anything far larger is not a config file.
 */
#define CFG_MAX_FILE_BYTES ((size_t)1024 * 1024)
#define CFG_MAX_LINE_BYTES ((size_t)16 * 1024)
#define CFG_MAX_PATH_BYTES ((size_t)4096)

typedef enum cfg_file { CFG_FILE_CONFIG, CFG_FILE_CREDENTIALS } cfg_file;

typedef enum sect_kind { SECT_PROFILE, SECT_SSO_SESSION, SECT_SERVICES, SECT_OTHER } sect_kind;

typedef struct section {
    sect_kind kind;
    cfg_file file;
    /*
     * "[profile default]" in the config file. The SDKs that accept both
     * spellings prefer it over "[default]" (the Java SDK ignores "[default]"
     * when both exist); here its keys outrank those of "[default]".
     */
    bool profile_default;
    char *name; /* owned; the profile or section name, without the "profile " prefix */
} section;

/*
 * Settings are kept in file order, duplicates included, and looked up from
 * the end, so "later wins" needs no work at load time and a large file never
 * costs more than one pass to read.
 */
typedef struct entry {
    size_t section; /* index into awscfg.sections */
    char *key;      /* owned, lower-cased; "key.sub" for nested settings */
    buf value;      /* may be a secret, wiped when freed; a buf so continued lines append in linear time */
} entry;

struct awscfg {
    section *sections;
    size_t nsections;
    size_t sections_cap;
    entry *entries;
    size_t nentries;
    size_t entries_cap;
};

typedef struct parser {
    awscfg *cfg;
    const char *path;
    cfg_file file;
    ia_err *err;
    unsigned line;
    bool in_section;
    size_t section;
    /* The last "key = value" line of this section, which more-indented lines continue. */
    bool has_key;
    size_t key_entry;
    size_t key_indent;
    bool nested; /* that key's value was empty: indented lines are "sub = value" */
} parser;

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Length of s[0..n) without trailing whitespace (CR included, for CRLF files). */
static size_t rtrim_len(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return n;
}

/* Number of leading whitespace bytes of s[0..n). */
static size_t ltrim_count(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && isspace((unsigned char)s[i]))
        i++;
    return i;
}

/*
 * Length of a value without an inline comment: '#' or ';' counts as one
 * only after a space or tab, so "a#b" and URLs with fragments stay whole.
 */
static size_t strip_inline_comment(const char *s, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if ((s[i] == '#' || s[i] == ';') && is_blank(s[i - 1]))
            return rtrim_len(s, i);
    }
    return rtrim_len(s, n);
}

/*
 * The value after '=' in s[0..n): without an inline comment and trimmed.
 * The comment is cut before trimming, so "key = # note" is an empty value
 * while "key=#x" is "#x". Returns its start and sets *out_n.
 */
static const char *value_span(const char *s, size_t n, size_t *out_n)
{
    size_t lead;

    n = strip_inline_comment(s, n);
    lead = ltrim_count(s, n);
    *out_n = n - lead;
    return s + lead;
}

static char *lower_ndup(const char *s, size_t n)
{
    char *p = str_ndup(s, n);

    if (p) {
        for (size_t i = 0; i < n; i++)
            p[i] = (char)tolower((unsigned char)p[i]);
    }
    return p;
}

/* Makes room for one more element of size elem in *arr (capacity *cap, n used). */
static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    size_t ncap;
    void *p;

    if (n < *cap)
        return 0;
    ncap = *cap ? *cap * 2 : 16;
    if (ncap > ((size_t)-1) / elem)
        return -1;
    p = realloc(*arr, ncap * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

static int add_section(parser *p, sect_kind kind, const char *name, size_t n, bool profile_default)
{
    awscfg *cfg = p->cfg;
    section *s;

    if (grow((void **)&cfg->sections, &cfg->sections_cap, cfg->nsections, sizeof(*cfg->sections)) != 0)
        return err_set(p->err, IA_ERR_NOMEM, "%s: out of memory", p->path);
    s = &cfg->sections[cfg->nsections];
    s->name = str_ndup(name, n);
    if (!s->name)
        return err_set(p->err, IA_ERR_NOMEM, "%s: out of memory", p->path);
    s->kind = kind;
    s->file = p->file;
    s->profile_default = profile_default;
    p->in_section = true;
    p->section = cfg->nsections++;
    p->has_key = false;
    return 0;
}

static void wipe_value(buf *value)
{
    if (value->data)
        memset(value->data, 0, value->len);
    buf_free(value);
}

/* Adds a setting to the current section, taking ownership of key (even on failure) and copying v[0..v_n). */
static int add_entry(parser *p, char *key, const char *v, size_t v_n)
{
    awscfg *cfg = p->cfg;
    entry *e;

    if (!key || grow((void **)&cfg->entries, &cfg->entries_cap, cfg->nentries, sizeof(*cfg->entries)) != 0) {
        free(key);
        return err_set(p->err, IA_ERR_NOMEM, "%s: out of memory", p->path);
    }
    e = &cfg->entries[cfg->nentries];
    buf_init(&e->value, CFG_MAX_FILE_BYTES);
    if (buf_append(&e->value, v, v_n) != 0) {
        free(key);
        wipe_value(&e->value);
        return err_set(p->err, IA_ERR_NOMEM, "%s: out of memory", p->path);
    }
    e->section = p->section;
    e->key = key;
    cfg->nentries++;
    return 0;
}

/*
 * Splits a section name into a prefix word ("profile", "sso-session",
 * "services") and the name after it. A prefix counts only when whitespace
 * follows it: "[profilex]" is a section called "profilex", not a profile.
 * Returns 1 when name starts with word, 0 when not, -1 when word stands alone.
 */
static int split_prefix(const char *name, size_t n, const char *word, const char **rest, size_t *rest_n)
{
    size_t wn = strlen(word);
    size_t skip;

    if (n < wn || memcmp(name, word, wn) != 0)
        return 0;
    if (n == wn)
        return -1;
    if (!is_blank(name[wn]))
        return 0;
    skip = wn + ltrim_count(name + wn, n - wn);
    *rest = name + skip;
    *rest_n = n - skip;
    return *rest_n ? 1 : -1;
}

/* c[0..n) is a trimmed line starting with '['; col is the column of that '['. */
static int parse_header(parser *p, const char *c, size_t n, unsigned col)
{
    static const struct {
        const char *word;
        sect_kind kind;
    } prefixes[] = {
        {"profile", SECT_PROFILE},
        {"sso-session", SECT_SSO_SESSION},
        {"services", SECT_SERVICES},
    };
    const char *close = memchr(c, ']', n);
    const char *name;
    size_t name_n;
    size_t lead;
    size_t after;

    if (!close)
        return err_set_at(p->err, p->path, p->line, col + (unsigned)n, "section header has no closing ']'");
    after = (size_t)(close - c) + 1;
    after += ltrim_count(c + after, n - after);
    if (after < n && c[after] != '#' && c[after] != ';')
        return err_set_at(p->err, p->path, p->line, col + (unsigned)after, "unexpected text after ']'");
    name_n = rtrim_len(c + 1, (size_t)(close - c) - 1);
    lead = ltrim_count(c + 1, name_n);
    name = c + 1 + lead;
    name_n -= lead;
    if (name_n == 0)
        return err_set_at(p->err, p->path, p->line, col, "empty section name");

    /* Every section of the credentials file is a profile, named as written. */
    if (p->file == CFG_FILE_CREDENTIALS)
        return add_section(p, SECT_PROFILE, name, name_n, false);

    if (name_n == 7 && memcmp(name, "default", 7) == 0)
        return add_section(p, SECT_PROFILE, name, name_n, false);
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        const char *rest = NULL;
        size_t rest_n = 0;
        int m = split_prefix(name, name_n, prefixes[i].word, &rest, &rest_n);

        if (m < 0)
            return err_set_at(p->err, p->path, p->line, col, "section [%s] needs a name", prefixes[i].word);
        if (m > 0) {
            bool is_default =
                prefixes[i].kind == SECT_PROFILE && rest_n == 7 && memcmp(rest, "default", 7) == 0;
            return add_section(p, prefixes[i].kind, rest, rest_n, is_default);
        }
    }
    /* A bare "[NAME]" in the config file is kept but is not a profile (botocore's build_profile_map). */
    return add_section(p, SECT_OTHER, name, name_n, false);
}

/* c[0..n) is a trimmed "key = value" line; col is the column of its first byte. */
static int parse_setting(parser *p, const char *c, size_t n, unsigned col)
{
    const char *eq = memchr(c, '=', n);
    const char *v;
    size_t key_n;
    size_t v_n;

    if (!p->in_section)
        return err_set_at(p->err, p->path, p->line, col, "setting outside of any [section]");
    if (!eq)
        return err_set_at(p->err, p->path, p->line, col, "expected 'name = value'");
    key_n = rtrim_len(c, (size_t)(eq - c));
    if (key_n == 0)
        return err_set_at(p->err, p->path, p->line, col + (unsigned)(eq - c),
                          "missing setting name before '='");
    v = value_span(eq + 1, n - (size_t)(eq + 1 - c), &v_n);
    if (add_entry(p, lower_ndup(c, key_n), v, v_n) != 0)
        return -1;
    p->has_key = true;
    p->key_entry = p->cfg->nentries - 1;
    p->key_indent = col - 1;
    p->nested = v_n == 0;
    return 0;
}

/* An indented line under "key = value" (appended to the value) or under "key =" (a sub-setting). */
static int parse_continuation(parser *p, const char *c, size_t n, unsigned col)
{
    entry *parent = &p->cfg->entries[p->key_entry];
    const char *eq;
    const char *v;
    size_t sub_n;
    size_t v_n;
    buf key = BUF_INIT;

    if (!p->nested) {
        /* A multi-line value, joined with newlines as configparser does. */
        if (buf_putc(&parent->value, '\n') != 0 ||
            buf_append(&parent->value, c, strip_inline_comment(c, n)) != 0)
            return err_set(p->err, IA_ERR_NOMEM, "%s: out of memory", p->path);
        return 0;
    }
    eq = memchr(c, '=', n);
    if (!eq)
        return err_set_at(p->err, p->path, p->line, col, "expected 'name = value' under '%s ='", parent->key);
    sub_n = rtrim_len(c, (size_t)(eq - c));
    if (sub_n == 0)
        return err_set_at(p->err, p->path, p->line, col + (unsigned)(eq - c),
                          "missing setting name before '='");
    v = value_span(eq + 1, n - (size_t)(eq + 1 - c), &v_n);
    buf_init(&key, CFG_MAX_LINE_BYTES * 2);
    if (buf_puts(&key, parent->key) != 0 || buf_putc(&key, '.') != 0) {
        buf_free(&key);
        return err_set(p->err, IA_ERR_NOMEM, "%s: out of memory", p->path);
    }
    for (size_t i = 0; i < sub_n; i++) {
        if (buf_putc(&key, (char)tolower((unsigned char)c[i])) != 0) {
            buf_free(&key);
            return err_set(p->err, IA_ERR_NOMEM, "%s: out of memory", p->path);
        }
    }
    /* add_entry may move the entries array; parent is not used after this. */
    return add_entry(p, buf_detach(&key), v, v_n);
}

/* One line, without its '\n'. */
static int parse_line(parser *p, const char *s, size_t n)
{
    const char *nul;
    const char *c;
    size_t indent = 0;
    size_t cn;
    unsigned col;

    if (n > CFG_MAX_LINE_BYTES)
        return err_set_at(p->err, p->path, p->line, (unsigned)CFG_MAX_LINE_BYTES + 1,
                          "line is longer than %zu bytes", CFG_MAX_LINE_BYTES);
    nul = memchr(s, '\0', n);
    if (nul)
        return err_set_at(p->err, p->path, p->line, (unsigned)(nul - s) + 1, "NUL byte in a text file");
    while (indent < n && is_blank(s[indent]))
        indent++;
    c = s + indent;
    cn = rtrim_len(c, n - indent);
    col = (unsigned)indent + 1;
    /* Blank and comment lines neither end a section nor a continued setting. */
    if (cn == 0 || c[0] == '#' || c[0] == ';')
        return 0;
    /*
     * A section header is one wherever it is indented (as in the Java SDK;
     * configparser would glue an indented one onto the value above).
     */
    if (c[0] == '[')
        return parse_header(p, c, cn, col);
    /* As in configparser, a line indented deeper than the last setting continues it. */
    if (p->has_key && indent > p->key_indent)
        return parse_continuation(p, c, cn, col);
    return parse_setting(p, c, cn, col);
}

static int parse_text(awscfg *cfg, const char *path, cfg_file file, const char *text, size_t len, ia_err *err)
{
    parser p;
    size_t pos = 0;

    memset(&p, 0, sizeof(p));
    p.cfg = cfg;
    p.path = path;
    p.file = file;
    p.err = err;
    /* Editors on Windows may start the file with a UTF-8 byte order mark. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

        p.line++;
        if (parse_line(&p, text + pos, n) != 0)
            return -1;
        pos += n + (nl ? 1 : 0);
    }
    return 0;
}

static int load_file(awscfg *cfg, const char *path, cfg_file file, ia_err *err)
{
    struct stat st;
    buf text;
    int rc = -1;

    if (!path)
        return 0;
    if (stat(path, &st) != 0) {
        /* The SDKs treat a missing file as an empty one. */
        if (errno == ENOENT || errno == ENOTDIR) {
            log_debug("%s: not found, no settings read from it", path);
            return 0;
        }
        return err_set(err, IA_ERR_IO, "%s: %s", path, strerror(errno));
    }
    if (S_ISDIR(st.st_mode))
        return err_set(err, IA_ERR_IO, "%s: is a directory, not a file", path);
    buf_init(&text, CFG_MAX_FILE_BYTES);
    if (file_read_all(path, &text, err) != 0) {
        /* Too large is the file's fault (a bad input file, exit 2), not the machine's. */
        if (err->kind == IA_ERR_NOMEM)
            err_set(err, IA_ERR_INPUT, "%s: larger than %zu bytes, the limit for an AWS config file", path,
                    CFG_MAX_FILE_BYTES);
        goto out;
    }
    rc = parse_text(cfg, path, file, text.data, text.len, err);
out:
    /* The credentials file holds secret keys: wipe the copy read from it. */
    if (text.data)
        memset(text.data, 0, text.len);
    buf_free(&text);
    return rc;
}

/*
 * The path of one file: the caller's, else the environment variable, else
 * $HOME/default_rel. A leading "~/" is expanded with $HOME. *out is owned,
 * or NULL when there is no path at all (no variable and no HOME).
 */
static int resolve_path(const char *given, const char *env_name, const char *default_rel, char **out,
                        ia_err *err)
{
    const char *raw = given;
    const char *home = getenv("HOME");
    buf path;

    *out = NULL;
    if (!raw) {
        const char *v = getenv(env_name);

        if (v && *v)
            raw = v;
    }
    buf_init(&path, CFG_MAX_PATH_BYTES);
    if (!raw) {
        if (!home || !*home)
            return 0;
        if (buf_printf(&path, "%s/%s", home, default_rel) != 0)
            goto too_long;
    } else if (raw[0] == '~' && raw[1] == '/') {
        if (!home || !*home) {
            buf_free(&path);
            return err_set(err, IA_ERR_INPUT, "%s: cannot expand '~/': HOME is not set",
                           given ? "shared config path" : env_name);
        }
        if (buf_printf(&path, "%s/%s", home, raw + 2) != 0)
            goto too_long;
    } else if (buf_puts(&path, raw) != 0) {
        goto too_long;
    }
    *out = buf_detach(&path);
    if (!*out)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    return 0;
too_long:
    buf_free(&path);
    return err_set(err, IA_ERR_INPUT, "%s: path is longer than %zu bytes",
                   given ? "shared config path" : env_name, CFG_MAX_PATH_BYTES);
}

int awscfg_load(awscfg **out, const char *config_path, const char *credentials_path, ia_err *err)
{
    awscfg *cfg = NULL;
    char *cfg_path = NULL;
    char *creds_path = NULL;
    int rc = -1;

    *out = NULL;
    cfg = calloc(1, sizeof(*cfg));
    if (!cfg) {
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (resolve_path(config_path, "AWS_CONFIG_FILE", ".aws/config", &cfg_path, err) != 0)
        goto out;
    if (resolve_path(credentials_path, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", &creds_path, err) !=
        0)
        goto out;
    if (load_file(cfg, cfg_path, CFG_FILE_CONFIG, err) != 0)
        goto out;
    if (load_file(cfg, creds_path, CFG_FILE_CREDENTIALS, err) != 0)
        goto out;
    *out = cfg;
    cfg = NULL;
    rc = 0;
out:
    awscfg_free(cfg);
    free(cfg_path);
    free(creds_path);
    return rc;
}

int awscfg_parse(awscfg **out, const char *config_text, size_t config_len, const char *credentials_text,
                 size_t credentials_len, ia_err *err)
{
    awscfg *cfg = calloc(1, sizeof(*cfg));

    *out = NULL;
    if (!cfg)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    if ((config_text && parse_text(cfg, "config", CFG_FILE_CONFIG, config_text, config_len, err) != 0) ||
        (credentials_text &&
         parse_text(cfg, "credentials", CFG_FILE_CREDENTIALS, credentials_text, credentials_len, err) != 0)) {
        awscfg_free(cfg);
        return -1;
    }
    *out = cfg;
    return 0;
}

void awscfg_free(awscfg *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->nentries; i++) {
        free(cfg->entries[i].key);
        wipe_value(&cfg->entries[i].value);
    }
    for (size_t i = 0; i < cfg->nsections; i++)
        free(cfg->sections[i].name);
    free(cfg->entries);
    free(cfg->sections);
    free(cfg);
}

bool awscfg_has_profile(const awscfg *cfg, const char *profile)
{
    if (!cfg || !profile)
        return false;
    for (size_t i = 0; i < cfg->nsections; i++) {
        if (cfg->sections[i].kind == SECT_PROFILE && strcmp(cfg->sections[i].name, profile) == 0)
            return true;
    }
    return false;
}

/* Which of two settings of one profile wins: the credentials file, then "[profile default]", then the rest.
 */
static int profile_rank(const section *s)
{
    if (s->file == CFG_FILE_CREDENTIALS)
        return 3;
    return s->profile_default ? 2 : 1;
}

const char *awscfg_get(const awscfg *cfg, const char *profile, const char *key)
{
    const char *best = NULL;
    int best_rank = 0;

    if (!cfg || !profile || !key)
        return NULL;
    /* From the end, so that within one rank the later setting wins. */
    for (size_t i = cfg->nentries; i-- > 0;) {
        const entry *e = &cfg->entries[i];
        const section *s = &cfg->sections[e->section];
        int rank;

        if (s->kind != SECT_PROFILE || strcmp(s->name, profile) != 0 || !str_ieq(e->key, key))
            continue;
        rank = profile_rank(s);
        if (rank > best_rank) {
            best = buf_str(&e->value);
            best_rank = rank;
        }
    }
    return best;
}

static sect_kind section_kind_of(awscfg_section_kind kind)
{
    return kind == AWSCFG_SSO_SESSION ? SECT_SSO_SESSION : SECT_SERVICES;
}

bool awscfg_has_section(const awscfg *cfg, awscfg_section_kind kind, const char *name)
{
    sect_kind want = section_kind_of(kind);

    if (!cfg || !name)
        return false;
    for (size_t i = 0; i < cfg->nsections; i++) {
        if (cfg->sections[i].kind == want && strcmp(cfg->sections[i].name, name) == 0)
            return true;
    }
    return false;
}

const char *awscfg_section_get(const awscfg *cfg, awscfg_section_kind kind, const char *name, const char *key)
{
    sect_kind want = section_kind_of(kind);

    if (!cfg || !name || !key)
        return NULL;
    for (size_t i = cfg->nentries; i-- > 0;) {
        const entry *e = &cfg->entries[i];
        const section *s = &cfg->sections[e->section];

        if (s->kind == want && strcmp(s->name, name) == 0 && str_ieq(e->key, key))
            return buf_str(&e->value);
    }
    return NULL;
}

/* An environment variable's value, or NULL when unset or empty (the SDKs treat both alike). */
static const char *env_nonempty(const char *name)
{
    const char *v = getenv(name);

    return v && *v ? v : NULL;
}

const char *awscfg_profile_name(const char *flag)
{
    const char *v;

    if (flag && *flag)
        return flag;
    v = env_nonempty("AWS_PROFILE");
    if (!v)
        v = env_nonempty("AWS_DEFAULT_PROFILE");
    return v ? v : "default";
}

const char *awscfg_region(const awscfg *cfg, const char *profile, const char *flag)
{
    const char *v;

    if (flag && *flag)
        return flag;
    v = env_nonempty("AWS_REGION");
    if (!v)
        v = env_nonempty("AWS_DEFAULT_REGION");
    if (!v)
        v = awscfg_get(cfg, profile ? profile : awscfg_profile_name(NULL), "region");
    return v && *v ? v : NULL;
}

const char *awscfg_ca_bundle(const awscfg *cfg, const char *profile)
{
    const char *v = env_nonempty("AWS_CA_BUNDLE");

    if (!v)
        v = awscfg_get(cfg, profile ? profile : awscfg_profile_name(NULL), "ca_bundle");
    return v && *v ? v : NULL;
}
