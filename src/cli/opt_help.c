/*
 * --help, written from the option tables (opt.h): the usage lines, the
 * command's description, its options in sections, its exit statuses.
 */
#include <stdarg.h>
#include <string.h>

#include "cli/opt.h"

/* Option help starts in this column; the names before it get the 23 columns after the indent. */
#define HELP_COLUMN 26
#define NAME_WIDTH  23

/* Prints text's first line where the cursor is, and the others indented by indent. */
static void print_lines(const char *text, int indent, FILE *fp)
{
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n");

        fprintf(fp, "%.*s\n", (int)len, p);
        p += len;
        if (*p == '\n' && *++p)
            fprintf(fp, "%*s", indent, "");
    }
}

static void print_row(const cli_opt *o, FILE *fp)
{
    char left[128], letter[8] = "";

    if (o->letter)
        snprintf(letter, sizeof(letter), "-%c, ", o->letter);
    snprintf(left, sizeof(left), "%s--%s%s%s", letter, o->name, o->value_name ? " " : "",
             o->value_name ? o->value_name : "");
    /* A name too long for its column keeps three spaces from its text, to stand apart. */
    if (strlen(left) <= NAME_WIDTH)
        fprintf(fp, "  %-*s ", NAME_WIDTH, left);
    else
        fprintf(fp, "  %s   ", left);
    print_lines(o->help, HELP_COLUMN, fp);
}

static void append(char *out, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *out, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*len >= size)
        return;
    va_start(ap, fmt);
    n = vsnprintf(out + *len, size - *len, fmt, ap);
    va_end(ap);
    *len = n < 0 ? size : *len + (size_t)n;
}

void cli_opt_usage_line(const cli_command *cmd, char *out, size_t size)
{
    size_t len = 0;

    append(out, size, &len, "%s", cmd->name);
    if (cmd->synopsis) {
        append(out, size, &len, " %s", cmd->synopsis);
        return;
    }
    /* Options first, in table order, then the operands. */
    for (int operands = 0; operands < 2; operands++) {
        for (const cli_group *g = cmd->groups; g && g->opts; g++) {
            for (const cli_opt *o = g->opts; o->store != CLI_STORE_END; o++) {
                const char *more = o->store == CLI_STORE_LIST || (o->flags & CLI_OPT_REPEATABLE) ? "..." : "";

                if ((o->flags & CLI_OPT_NO_SYNOPSIS) || operands != !o->name)
                    continue;
                if (!o->name)
                    append(out, size, &len, " [%s%s]", o->value_name, more);
                else if (o->value_name)
                    append(out, size, &len, " [--%s %s]%s", o->name, o->value_name, more);
                else
                    append(out, size, &len, " [--%s]", o->name);
            }
        }
    }
}

static void print_usage(const cli_command *cmd, const char *lead, FILE *fp)
{
    char line[512];

    cli_opt_usage_line(cmd, line, sizeof(line));
    fprintf(fp, "%simgaudit %s\n", lead, line);
}

void cli_opt_print_names(const cli_command *const *cmds, FILE *fp)
{
    int width = 0;

    for (const cli_command *const *c = cmds; *c; c++) {
        const char *word = strrchr((*c)->name, ' ');
        int len = (int)strlen(word ? word + 1 : (*c)->name);

        width = len > width ? len : width;
    }
    width += 2;
    for (const cli_command *const *c = cmds; *c; c++) {
        const char *word = strrchr((*c)->name, ' ');

        fprintf(fp, "  %-*s ", width, word ? word + 1 : (*c)->name);
        print_lines((*c)->summary, width + 3, fp);
    }
}

void cli_opt_help(const cli_command *cmd, FILE *fp)
{
    const cli_command *verb = cmd->parent ? cmd : NULL;
    bool first = true;

    /* A verb's help is its command's, with the verb's own options: "fix apply --help" lists those of apply.
     */
    if (verb)
        cmd = cmd->parent;
    if (cmd->verbs) {
        for (const cli_command *const *v = cmd->verbs; *v; v++)
            print_usage(*v, v == cmd->verbs ? "usage: " : "       ", fp);
    } else {
        print_usage(cmd, "usage: ", fp);
    }
    fputc('\n', fp);
    if (cmd->description)
        fprintf(fp, "%s\n", cmd->description);
    if (cmd->verbs)
        cli_opt_print_names(cmd->verbs, fp);
    if (verb)
        fprintf(fp, "\n%s:\n", verb->name);
    for (const cli_group *g = verb ? verb->groups : cmd->groups; g && g->opts; g++) {
        if (g->heading) {
            fprintf(fp, "%s%s:\n", first ? "" : "\n", g->heading);
            first = false;
        }
        for (const cli_opt *o = g->opts; o->store != CLI_STORE_END; o++) {
            if (o->name)
                print_row(o, fp);
        }
    }
    if (cmd->exit_status)
        fprintf(fp, "\n%s", cmd->exit_status);
}
