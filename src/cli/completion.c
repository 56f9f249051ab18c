/*
 * The bash completion script (completion.h). What does not depend on the
 * tables (reading the words bash gives, listing files) is written as it is;
 * each command's part comes from its rows. The script needs bash alone, not
 * the bash-completion package's helpers, so it can be sourced and tested
 * anywhere.
 */
#include "cli/completion.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "rules/severity.h"

/* What a user can be offered for a value, known from the row's value name. */
typedef enum value_kind {
    VALUE_TYPED,    /* only the user knows it (a NAME, a REGION, N): nothing is offered */
    VALUE_FILE,     /* a file name */
    VALUE_CHOICES,  /* the value name lists the words themselves: "rule|account" */
    VALUE_SEVERITY, /* a severity name */
    VALUE_FAIL_ON,  /* --fail-on's: a severity name or none (never fail) */
} value_kind;

/* Value names that are a file (PATH: a rule file or a directory of them). */
static const char *const file_value_names[] = {"FILE", "PATH", "SNAPSHOT", NULL};

static const char head[] =
    "# bash completion for imgaudit(1), written by the build from the option tables (src/cli/completion.c):\n"
    "# do not edit.\n"
    "\n"
    "# COMPREPLY: the file names starting with $1, whole even with blanks in them.\n"
    "_imgaudit_files()\n"
    "{\n"
    "    local IFS=$'\\n'\n"
    "\n"
    "    compopt -o filenames 2>/dev/null\n"
    "    COMPREPLY=($(compgen -f -- \"$1\"))\n"
    "}\n"
    "\n"
    "# COMPREPLY: the words of $1 starting with $2.\n"
    "_imgaudit_words()\n"
    "{\n"
    "    COMPREPLY=($(compgen -W \"$1\" -- \"$2\"))\n"
    "}\n"
    "\n"
    "_imgaudit()\n"
    "{\n"
    "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} name=${COMP_WORDS[1]}\n"
    "\n"
    "    COMPREPLY=()\n"
    "    # --option=VALUE: bash splits the word at '=' (COMP_WORDBREAKS).\n"
    "    if [[ $cur == = ]]; then\n"
    "        cur=\n"
    "    elif [[ $prev == = ]]; then\n"
    "        prev=${COMP_WORDS[COMP_CWORD-2]}\n"
    "    fi\n";

static const char tail[] = "    esac\n"
                           "}\n"
                           "complete -F _imgaudit imgaudit\n";

/* A word that the shell takes as it is, inside or outside quotes: letters, digits, '-', '_', '.'. */
static bool plain_word(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
            return false;
    }
    return true;
}

/* True when the value name is the choices themselves: lower-case words joined by '|'. */
static bool lists_choices(const char *value_name)
{
    if (!strchr(value_name, '|'))
        return false;
    for (const char *p = value_name; *p;) {
        size_t len = strcspn(p, "|");

        if (!plain_word(p, len))
            return false;
        for (size_t i = 0; i < len; i++) {
            if (isupper((unsigned char)p[i]))
                return false;
        }
        p += len + (p[len] == '|');
    }
    return true;
}

static value_kind kind_of(const cli_opt *o)
{
    for (const char *const *f = file_value_names; *f; f++) {
        if (strcmp(o->value_name, *f) == 0)
            return VALUE_FILE;
    }
    if (strcmp(o->value_name, "SEVERITY") == 0)
        return o->name && strcmp(o->name, "fail-on") == 0 ? VALUE_FAIL_ON : VALUE_SEVERITY;
    return lists_choices(o->value_name) ? VALUE_CHOICES : VALUE_TYPED;
}

/* The shell command that sets COMPREPLY for o's value ("$cur" is the word typed so far). */
static void put_completer(const cli_opt *o, FILE *fp)
{
    value_kind kind = kind_of(o);

    switch (kind) {
    case VALUE_FILE: fputs("_imgaudit_files \"$cur\"", fp); break;
    case VALUE_CHOICES:
        fputs("_imgaudit_words \"", fp);
        for (const char *p = o->value_name; *p; p++)
            fputc(*p == '|' ? ' ' : *p, fp);
        fputs("\" \"$cur\"", fp);
        break;
    case VALUE_SEVERITY:
    case VALUE_FAIL_ON:
        fputs("_imgaudit_words \"", fp);
        for (int s = 0; s < SEV_COUNT; s++)
            fprintf(fp, "%s%s", s ? " " : "", severity_name((severity)s));
        fputs(kind == VALUE_FAIL_ON ? " none\" \"$cur\"" : "\" \"$cur\"", fp);
        break;
    case VALUE_TYPED: fputs(":", fp); break;
    }
}

/* Every row of cmd, operands included, in table order; ends with NULL. */
static const cli_opt *next_row(const cli_command *cmd, const cli_group **g, const cli_opt *o)
{
    if (!*g) {
        *g = cmd->groups;
        o = *g && (*g)->opts ? (*g)->opts : NULL;
    } else {
        o++;
    }
    while (o && o->store == CLI_STORE_END) {
        (*g)++;
        o = (*g)->opts;
    }
    return o;
}

/* The names in cmd's rows must be plain words: the script pastes them unquoted into case patterns. */
static int check_names(const cli_command *cmd, ia_err *err)
{
    const cli_group *g = NULL;
    const char *verb = strchr(cmd->name, ' ');

    if (!plain_word(cmd->name, verb ? (size_t)(verb - cmd->name) : strlen(cmd->name)) ||
        (verb && !plain_word(verb + 1, strlen(verb + 1))))
        return err_set(err, IA_ERR_INTERNAL, "command '%s': not a plain word for the shell", cmd->name);
    for (const cli_opt *o = next_row(cmd, &g, NULL); o; o = next_row(cmd, &g, o)) {
        if (o->name && !plain_word(o->name, strlen(o->name)))
            return err_set(err, IA_ERR_INTERNAL, "'%s': option --%s is not a plain word for the shell",
                           cmd->name, o->name);
        if (o->letter && !isalnum((unsigned char)o->letter))
            return err_set(err, IA_ERR_INTERNAL, "'%s': option -%c is not a plain word for the shell",
                           cmd->name, o->letter);
    }
    return 0;
}

/* "--name|-x", the option's spellings as a case pattern. */
static void put_pattern(const cli_opt *o, FILE *fp)
{
    fprintf(fp, "--%s", o->name);
    if (o->letter)
        fprintf(fp, "|-%c", o->letter);
}

static bool takes_value(const cli_opt *o)
{
    return o->name && o->value_name;
}

/* Whether the values of two options are offered alike. */
static bool same_completer(const cli_opt *a, const cli_opt *b)
{
    value_kind kind = kind_of(a);

    return kind == kind_of(b) && (kind != VALUE_CHOICES || strcmp(a->value_name, b->value_name) == 0);
}

/*
 * The arms of the case on the word before the one completed, one for each
 * way of offering a value, its pattern every option offered that way: file
 * names, choices, or nothing for values only the user knows. A flag has no
 * arm.
 */
static void put_value_arms(const cli_command *cmd, FILE *fp)
{
    const cli_group *g = NULL;

    for (const cli_opt *o = next_row(cmd, &g, NULL); o; o = next_row(cmd, &g, o)) {
        const cli_group *h = NULL;
        const cli_opt *p = next_row(cmd, &h, NULL);
        const char *sep = "        ";

        if (!takes_value(o))
            continue;
        /* The first option of its kind writes the arm. */
        while (p != o && !(takes_value(p) && same_completer(p, o)))
            p = next_row(cmd, &h, p);
        if (p != o)
            continue;
        for (; p; p = next_row(cmd, &h, p)) {
            if (takes_value(p) && same_completer(p, o)) {
                fputs(sep, fp);
                put_pattern(p, fp);
                sep = "|";
            }
        }
        fputs(")\n", fp);
        if (kind_of(o) != VALUE_TYPED) {
            fputs("            ", fp);
            put_completer(o, fp);
            fputc('\n', fp);
        }
        fputs("            return\n            ;;\n", fp);
    }
}

/*
 * A command's arm of the case on its name: the value of the option before
 * the word, else the options (a word starting with '-', or any word when the
 * command takes no operands), else its operands.
 */
static void put_command(const cli_command *cmd, FILE *fp)
{
    const cli_group *g = NULL;
    const cli_opt *operands = NULL;
    const char *sep = "";

    fprintf(fp, "    '%s')\n        case $prev in\n", cmd->name);
    put_value_arms(cmd, fp);
    fputs("        esac\n", fp);
    for (const cli_opt *o = next_row(cmd, &g, NULL); o; o = next_row(cmd, &g, o))
        operands = o->name ? operands : o;
    fputs(operands ? "        if [[ $cur == -* ]]; then\n    " : "", fp);
    fputs("        _imgaudit_words \"", fp);
    g = NULL;
    for (const cli_opt *o = next_row(cmd, &g, NULL); o; o = next_row(cmd, &g, o)) {
        if (!o->name)
            continue;
        fprintf(fp, "%s--%s", sep, o->name);
        if (o->letter)
            fprintf(fp, " -%c", o->letter);
        sep = " ";
    }
    fputs("\" \"$cur\"\n", fp);
    if (operands) {
        fputs("        else\n            ", fp);
        put_completer(operands, fp);
        fputs("\n        fi\n", fp);
    }
    fputs("        ;;\n", fp);
}

/* Before the case on the command: the first word (a command), and a verb after a command that has them. */
static void put_names(FILE *fp)
{
    fputs("    if ((COMP_CWORD == 1)); then\n        _imgaudit_words \"", fp);
    for (const cli_command *const *c = cli_commands; *c; c++)
        fprintf(fp, "%s ", (*c)->name);
    /* cli_main's own options, which are in no table. */
    fputs("--help --version\" \"$cur\"\n        return\n    fi\n    case $name in\n", fp);
    for (const cli_command *const *c = cli_commands; *c; c++) {
        if (!(*c)->verbs)
            continue;
        fprintf(fp, "    '%s')\n        if ((COMP_CWORD == 2)); then\n            _imgaudit_words \"",
                (*c)->name);
        for (const cli_command *const *v = (*c)->verbs; *v; v++)
            fprintf(fp, "%s ", strchr((*v)->name, ' ') + 1);
        fputs("--help\" \"$cur\"\n            return\n        fi\n", fp);
        fputs("        name=\"$name ${COMP_WORDS[2]}\"\n        ;;\n", fp);
    }
    fputs("    esac\n    case $name in\n", fp);
}

int cli_completion_write(FILE *fp, ia_err *err)
{
    for (const cli_command *const *c = cli_commands; *c; c++) {
        if (check_names(*c, err) != 0)
            return -1;
        for (const cli_command *const *v = (*c)->verbs; v && *v; v++) {
            if (check_names(*v, err) != 0)
                return -1;
        }
    }
    fputs(head, fp);
    put_names(fp);
    for (const cli_command *const *c = cli_commands; *c; c++) {
        if (!(*c)->verbs)
            put_command(*c, fp);
        for (const cli_command *const *v = (*c)->verbs; v && *v; v++)
            put_command(*v, fp);
    }
    fputs(tail, fp);
    if (fflush(fp) != 0 || ferror(fp))
        return err_set(err, IA_ERR_IO, "cannot write the completion script");
    return 0;
}
