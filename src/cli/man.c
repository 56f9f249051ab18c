#include "cli/man.h"

#include <ctype.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "version.h"

/* A term and what it means, one entry of a list (.TP); a list ends with a NULL term. */
typedef struct man_term {
    const char *term, *meaning;
} man_term;

/* The variables a user sets, most of them read the way the AWS SDKs read them (README, AWS configuration). */
static const man_term environment[] = {
    {"AWS_PROFILE, AWS_DEFAULT_PROFILE",
     "the shared config profile, when --profile is not given (in this order)"},
    {"AWS_REGION, AWS_DEFAULT_REGION", "the region, when --region is not given"},
    {"AWS_MAX_ATTEMPTS", "attempts per call, when --max-attempts is not given"},
    {"AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE", "the shared config and credentials files"},
    {"AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN",
     "credentials, first in the chain (not with --profile)"},
    {"AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>",
     "endpoint overrides (WORKSPACES, APPSTREAM, STS, ORGANIZATIONS, SSO, SSO_OIDC)"},
    {"AWS_CA_BUNDLE", "a CA file for TLS verification"},
    {"IMGAUDIT_CREDENTIAL_PROCESS_TIMEOUT", "seconds a credential_process may run (default 60)"},
    {"IMGAUDIT_PROGRESS_INTERVAL",
     "seconds between progress lines when stderr is not a terminal, 1-86400 (default 30)"},
    {"IMGAUDIT_RULES_DIR", "where the built-in rule pack is"},
    {"IMGAUDIT_TODAY", "the day (YYYY-MM-DD), when --today is not given"},
    {"NO_COLOR", "no colour in the summary"},
    {"TMPDIR", "where audit keeps its snapshot without --snapshot-out"},
    {NULL, NULL},
};

/* What an install puts beside the program (README, Installing); <prefix> is /usr for the Debian package. */
static const man_term files[] = {
    {"<prefix>/share/imgaudit/rules/",
     "the built-in rule pack, which the program finds relative to itself (../share/imgaudit/rules from its\n"
     "directory), so an install can be moved whole; IMGAUDIT_RULES_DIR names another"},
    {"<prefix>/share/bash-completion/completions/imgaudit",
     "bash completion, written from the same tables as this page"},
    {NULL, NULL},
};

/* Writes one character of text, escaped for roff: '-' as \- (a hyphen that copies as one), '\' as \e. */
static void put_escaped(char c, FILE *fp)
{
    if (c == '-')
        fputs("\\-", fp);
    else if (c == '\\')
        fputs("\\e", fp);
    else
        fputc(c, fp);
}

static void put_text(const char *s, size_t len, FILE *fp)
{
    for (size_t i = 0; i < len; i++)
        put_escaped(s[i], fp);
}

/*
 * Writes text as filled roff lines: each line's leading blanks dropped (the
 * page is filled, not aligned), a line that would start with a control
 * character guarded by \&, empty lines left out.
 */
static void put_lines(const char *text, FILE *fp)
{
    for (const char *p = text; *p;) {
        size_t len;

        p += strspn(p, " ");
        len = strcspn(p, "\n");
        if (len > 0) {
            if (*p == '.' || *p == '\'')
                fputs("\\&", fp);
            put_text(p, len, fp);
            fputc('\n', fp);
        }
        p += len + (p[len] == '\n');
    }
}

/* A section or subsection heading: the macro and its one argument, quoted. */
static void put_heading(const char *macro, const char *title, FILE *fp)
{
    fprintf(fp, "%s \"", macro);
    put_text(title, strlen(title), fp);
    fputs("\"\n", fp);
}

static void put_usage(const cli_command *cmd, FILE *fp)
{
    char line[512];
    size_t name_len = strlen(cmd->name);

    cli_opt_usage_line(cmd, line, sizeof(line));
    fputs("\\fBimgaudit ", fp);
    put_text(line, name_len, fp);
    fputs("\\fR", fp);
    put_text(line + name_len, strlen(line + name_len), fp);
    fputs("\n.br\n", fp);
}

/* Each term (.TP), set in the font of macro (".B ", ".I "), then what it means. */
static void put_terms(const man_term *t, const char *macro, FILE *fp)
{
    for (; t->term; t++) {
        fprintf(fp, ".TP\n%s", macro);
        put_text(t->term, strlen(t->term), fp);
        fputc('\n', fp);
        put_lines(t->meaning, fp);
    }
}

/* .TP, the option's names and value, then its help. */
static void put_option(const cli_opt *o, FILE *fp)
{
    fputs(".TP\n", fp);
    if (!o->name) {
        fputs("\\fI", fp);
        put_text(o->value_name, strlen(o->value_name), fp);
        fputs("\\fR\n", fp);
    } else {
        if (o->letter)
            fprintf(fp, "\\fB\\-%c\\fR, ", o->letter);
        fputs("\\fB\\-\\-", fp);
        put_text(o->name, strlen(o->name), fp);
        fputs("\\fR", fp);
        if (o->value_name) {
            fputs(" \\fI", fp);
            put_text(o->value_name, strlen(o->value_name), fp);
            fputs("\\fR", fp);
        }
        fputc('\n', fp);
    }
    put_lines(o->help, fp);
}

static void put_options(const cli_command *cmd, FILE *fp)
{
    for (const cli_group *g = cmd->groups; g && g->opts; g++) {
        if (g->heading)
            put_heading(".SS", g->heading, fp);
        for (const cli_opt *o = g->opts; o->store != CLI_STORE_END; o++)
            put_option(o, fp);
    }
}

/* A command's section: usage, description, exit statuses, options; a command with verbs, a subsection each.
 */
static void put_command(const cli_command *cmd, FILE *fp)
{
    char title[64];

    snprintf(title, sizeof(title), "IMGAUDIT %s", cmd->name);
    for (char *p = title; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    put_heading(".SH", title, fp);
    if (cmd->verbs) {
        for (const cli_command *const *v = cmd->verbs; *v; v++)
            put_usage(*v, fp);
    } else {
        put_usage(cmd, fp);
    }
    if (cmd->description) {
        fputs(".PP\n", fp);
        put_lines(cmd->description, fp);
    }
    if (cmd->exit_status) {
        fputs(".PP\n", fp);
        put_lines(cmd->exit_status, fp);
    }
    put_options(cmd, fp);
    for (const cli_command *const *v = cmd->verbs; v && *v; v++) {
        put_heading(".SS", (*v)->name, fp);
        put_usage(*v, fp);
        fputs(".PP\n", fp);
        put_lines((*v)->summary, fp);
        put_options(*v, fp);
    }
}

int cli_man_write(FILE *fp, ia_err *err)
{
    fputs(".\\\" imgaudit(1), written by the build from the option tables (src/cli/man.c): do not edit.\n",
          fp);
    fprintf(fp, ".TH IMGAUDIT 1 \"\" \"imgaudit %s\" \"User Commands\"\n", IMGAUDIT_VERSION);
    /* Option names and paths read better whole: no hyphenation, no stretched spaces. */
    fputs(".nh\n.ad l\n", fp);
    fputs(".SH NAME\nimgaudit \\- audit Amazon WorkSpaces and AppStream 2.0 images across AWS accounts\n",
          fp);
    fputs(".SH SYNOPSIS\n\\fBimgaudit\\fR \\fIcommand\\fR [options]\n.SH DESCRIPTION\n", fp);
    put_lines(cli_description, fp);
    fputs(".PP\nCommands:\n", fp);
    for (const cli_command *const *c = cli_commands; *c; c++) {
        fprintf(fp, ".TP\n\\fB%s\\fR\n", (*c)->name);
        put_lines((*c)->summary, fp);
    }
    fputs(".PP\n\\fBimgaudit\\fR \\fIcommand\\fR \\fB\\-\\-help\\fR describes a command's options;\n"
          "\\fBimgaudit \\-\\-version\\fR (\\fB\\-v\\fR) prints the version.\n",
          fp);
    for (const cli_command *const *c = cli_commands; *c; c++)
        put_command(*c, fp);
    fputs(".SH \"EXIT STATUS\"\n", fp);
    for (const cli_exit_doc *d = cli_exit_docs; d->meaning; d++) {
        fprintf(fp, ".TP\n.B %d\n", d->code);
        put_lines(d->meaning, fp);
    }
    fputs(".SH ENVIRONMENT\n", fp);
    put_terms(environment, ".B ", fp);
    fputs(".SH FILES\n", fp);
    put_terms(files, ".I ", fp);
    if (fflush(fp) != 0 || ferror(fp))
        return err_set(err, IA_ERR_IO, "cannot write the man page");
    return 0;
}
