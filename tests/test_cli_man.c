/*
 * The man page (src/cli/man.c) as the build wrote it ($IMGAUDIT_MAN,
 * build/imgaudit.1): up to date with the tables, naming every option of
 * every command in that command's section, the exit codes, and well-formed
 * roff, rendered without a warning by groff or man when either is installed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/man.h"
#include "testutil.h"

static char *g_page; /* owned */
static char g_path[4096];

static void test_cli_man__the_build_wrote_the_page_from_the_tables(void)
{
    g_page = testutil_built_file("IMGAUDIT_MAN", cli_man_write, g_path, sizeof(g_path));
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_page);
}

/* The part of the page from the line starting with head to the next line starting with one of ends. */
static char *section(const char *head, const char *const *ends)
{
    const char *start = strstr(g_page, head), *end = NULL;

    if (!start)
        return NULL;
    for (const char *const *e = ends; *e; e++) {
        const char *p = strstr(start + strlen(head), *e);

        end = p && (!end || p < end) ? p : end;
    }
    return end ? strndup(start, (size_t)(end - start)) : strdup(start);
}

/* s with each '-' as roff's "\-". */
static void escaped(const char *s, char *out, size_t size)
{
    size_t n = 0;

    for (; *s && n + 3 < size; s++) {
        if (*s == '-')
            out[n++] = '\\';
        out[n++] = *s;
    }
    out[n] = '\0';
}

static void check_options(const cli_command *cmd, const char *text)
{
    for (const cli_group *g = cmd->groups; g && g->opts; g++) {
        for (const cli_opt *o = g->opts; o->store != CLI_STORE_END; o++) {
            char name[128], want[160];

            escaped(o->name ? o->name : o->value_name, name, sizeof(name));
            snprintf(want, sizeof(want), o->name ? "\\fB\\-\\-%s\\fR" : "\\fI%s\\fR", name);
            if (!strstr(text, want)) {
                fprintf(stderr, "man page: '%s' misses %s\n", cmd->name, want);
                CU_FAIL("an option is missing from its command's section");
            }
            if (o->letter) {
                snprintf(want, sizeof(want), "\\fB\\-%c\\fR, ", o->letter);
                CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
            }
        }
    }
}

static void test_cli_man__names_every_option_of_every_command(void)
{
    static const char *const next_section[] = {"\n.SH ", NULL};
    static const char *const next_subsection[] = {"\n.SH ", "\n.SS \"", NULL};

    CU_ASSERT_PTR_NOT_NULL_FATAL(g_page);
    for (const cli_command *const *c = cli_commands; *c; c++) {
        char head[64], *text;

        snprintf(head, sizeof(head), ".SH \"IMGAUDIT %s\"", (*c)->name);
        for (char *p = head + 14; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        text = section(head, next_section);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        check_options(*c, text);
        free(text);
        for (const cli_command *const *v = (*c)->verbs; v && *v; v++) {
            snprintf(head, sizeof(head), ".SS \"%s\"", (*v)->name);
            text = section(head, next_subsection);
            CU_ASSERT_PTR_NOT_NULL_FATAL(text);
            check_options(*v, text);
            free(text);
        }
    }
}

static void test_cli_man__lists_the_exit_codes(void)
{
    static const char *const ends[] = {"\n.SH ", NULL};
    char *text;

    CU_ASSERT_PTR_NOT_NULL_FATAL(g_page);
    text = section(".SH \"EXIT STATUS\"", ends);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (const cli_exit_doc *d = cli_exit_docs; d->meaning; d++) {
        char want[32];

        snprintf(want, sizeof(want), "\n.B %d\n", d->code);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
    }
    free(text);
}

/* What man(7) needs and nothing it warns about, whatever renders the page. */
static void test_cli_man__is_well_formed_roff(void)
{
    static const char *const macros[] = {".TH ", ".SH ", ".SS ", ".TP",   ".PP", ".B ",
                                         ".I ",  ".br",  ".nh",  ".ad l", NULL};
    static const char *const sections[] = {"\n.SH NAME\n",
                                           "\n.SH SYNOPSIS\n",
                                           "\n.SH DESCRIPTION\n",
                                           "\n.SH \"EXIT STATUS\"\n",
                                           "\n.SH ENVIRONMENT\n",
                                           "\n.SH FILES\n",
                                           NULL};
    const char *line = g_page;
    size_t n_th = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(g_page);
    for (const char *const *s = sections; *s; s++)
        CU_ASSERT_PTR_NOT_NULL(strstr(g_page, *s));
    while (*line) {
        size_t len = strcspn(line, "\n");
        bool comment = strncmp(line, ".\\\"", 3) == 0, known = comment;

        CU_ASSERT(len > 0);                                      /* no blank line */
        CU_ASSERT(len == 0 || !isspace((unsigned char)line[0])); /* no indented text */
        CU_ASSERT(len == 0 || line[len - 1] != ' ');             /* no trailing blank */
        CU_ASSERT(line[0] != '\'');
        if (line[0] == '.') {
            for (const char *const *m = macros; *m && !known; m++)
                known =
                    strncmp(line, *m, strlen(*m)) == 0 && (len == strlen(*m) || (*m)[strlen(*m) - 1] == ' ');
            if (!known)
                fprintf(stderr, "man page: unknown request '%.*s'\n", (int)len, line);
            CU_ASSERT(known);
            n_th += strncmp(line, ".TH ", 4) == 0;
        }
        /* Every hyphen escaped (options copy as typed), outside comments. */
        for (size_t i = 0; !comment && i < len; i++)
            CU_ASSERT(line[i] != '-' || (i > 0 && line[i - 1] == '\\'));
        line += len + (line[len] == '\n');
    }
    CU_ASSERT_EQUAL(n_th, 1);
}

static void test_cli_man__renders_without_warnings(void)
{
    char cmd[8192];
    char *out;
    int status = -1;

    CU_ASSERT_PTR_NOT_NULL_FATAL(g_page);
    if (system("command -v groff >/dev/null 2>&1") == 0) {
        snprintf(cmd, sizeof(cmd), "groff -man -Tutf8 -ww -z '%s' 2>&1", g_path);
    } else if (system("command -v man >/dev/null 2>&1") == 0) {
        snprintf(cmd, sizeof(cmd), "MANPAGER=cat MANWIDTH=80 man --warnings -l '%s' 2>&1 >/dev/null", g_path);
    } else {
        /* Not skipped silently: the structure was checked (is_well_formed_roff), and this says so. */
        fprintf(stderr,
                "test_cli_man: neither groff nor man is installed; checked the roff's structure only\n");
        return;
    }
    out = testutil_command_output(cmd, &status);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    if (*out)
        fprintf(stderr, "%s: %s", cmd, out);
    CU_ASSERT_STRING_EQUAL(out, "");
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    free(out);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"the_build_wrote_the_page_from_the_tables", test_cli_man__the_build_wrote_the_page_from_the_tables},
        {"names_every_option_of_every_command", test_cli_man__names_every_option_of_every_command},
        {"lists_the_exit_codes", test_cli_man__lists_the_exit_codes},
        {"is_well_formed_roff", test_cli_man__is_well_formed_roff},
        {"renders_without_warnings", test_cli_man__renders_without_warnings},
        CU_TEST_INFO_NULL,
    };
    const char *built = getenv("IMGAUDIT_MAN");
    int rc = testutil_run("cli_man", tests);

    if (!(built && *built) && g_path[0])
        unlink(g_path);
    free(g_page);
    return rc;
}
