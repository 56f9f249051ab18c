/*
 * The bash completion (src/cli/completion.c) as the build wrote it
 * ($IMGAUDIT_COMPLETION, build/bash-completion/imgaudit): up to date with
 * the tables, and, run by bash the way bash runs it on a TAB, offering the
 * commands, the verbs, every option of every command, file names for a FILE
 * value or operand, the words of a value that has choices, and nothing for a
 * value only the user knows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/completion.h"
#include "testutil.h"

static char *g_script; /* owned */
static char g_path[4096];
static char g_dir[] = "/tmp/imgaudit-completion-XXXXXX"; /* the directory file names are completed in */

/*
 * What bash offers for the command line words (NULL-terminated), the last
 * being the word completed, run in g_dir: COMPREPLY, one word a line; owned.
 * NULL when bash could not be run or failed.
 */
static char *complete(const char *const *words)
{
    char cmd[8192], *out;
    size_t cword = 0;
    int used = snprintf(cmd, sizeof(cmd), "cd '%s' && bash -c 'source \"$0\"; COMP_WORDS=(", g_dir);
    int status;

    for (; words[cword]; cword++)
        used += snprintf(cmd + used, sizeof(cmd) - (size_t)used, "\"%s\" ", words[cword]);
    snprintf(cmd + used, sizeof(cmd) - (size_t)used,
             "); COMP_CWORD=%zu; _imgaudit; printf \"%%s\\n\" \"${COMPREPLY[@]}\"' '%s'", cword - 1, g_path);
    out = testutil_command_output(cmd, &status);
    if (!out)
        return NULL;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s: exit status %d\n", cmd, status);
        free(out);
        return NULL;
    }
    /* printf prints one empty line for an empty COMPREPLY. */
    if (strcmp(out, "\n") == 0)
        out[0] = '\0';
    return out;
}

/* Completes words and checks that bash offers exactly want (one word a line). */
static void check_offer(const char *const *words, const char *want)
{
    char *got = complete(words);

    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "completion of '%s %s ...': got\n%s-- want\n%s--\n", words[0], words[1], got, want);
        CU_FAIL("bash offers something else");
    }
    free(got);
}

static void test_cli_completion__the_build_wrote_the_script_from_the_tables(void)
{
    g_script = testutil_built_file("IMGAUDIT_COMPLETION", cli_completion_write, g_path, sizeof(g_path));
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_script);
}

static void test_cli_completion__is_valid_bash(void)
{
    char cmd[4200];

    CU_ASSERT_PTR_NOT_NULL_FATAL(g_script);
    snprintf(cmd, sizeof(cmd), "bash -n '%s'", g_path);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_cli_completion__offers_commands_and_verbs(void)
{
    char want[1024] = "";
    size_t used = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(g_script);
    for (const cli_command *const *c = cli_commands; *c; c++)
        used += (size_t)snprintf(want + used, sizeof(want) - used, "%s\n", (*c)->name);
    snprintf(want + used, sizeof(want) - used, "--help\n--version\n");
    check_offer((const char *const[]){"imgaudit", "", NULL}, want);
    check_offer((const char *const[]){"imgaudit", "aud", NULL}, "audit\n");
    for (const cli_command *const *c = cli_commands; *c; c++) {
        if (!(*c)->verbs)
            continue;
        used = 0;
        for (const cli_command *const *v = (*c)->verbs; *v; v++)
            used += (size_t)snprintf(want + used, sizeof(want) - used, "%s\n", strchr((*v)->name, ' ') + 1);
        snprintf(want + used, sizeof(want) - used, "--help\n");
        check_offer((const char *const[]){"imgaudit", (*c)->name, "", NULL}, want);
    }
    check_offer((const char *const[]){"imgaudit", "rules", "t", NULL}, "test\n");
}

/* What cmd offers for "-": each of its options' spellings, in table order. */
static void check_options(const cli_command *cmd)
{
    char name[64], want[4096] = "", *verb;
    size_t used = 0;

    snprintf(name, sizeof(name), "%s", cmd->name);
    verb = strchr(name, ' ');
    if (verb)
        *verb++ = '\0';
    for (const cli_group *g = cmd->groups; g && g->opts; g++) {
        for (const cli_opt *o = g->opts; o->store != CLI_STORE_END; o++) {
            if (o->name)
                used += (size_t)snprintf(want + used, sizeof(want) - used, "--%s\n", o->name);
            if (o->letter)
                used += (size_t)snprintf(want + used, sizeof(want) - used, "-%c\n", o->letter);
        }
    }
    CU_ASSERT_FATAL(used < sizeof(want));
    if (verb)
        check_offer((const char *const[]){"imgaudit", name, verb, "-", NULL}, want);
    else
        check_offer((const char *const[]){"imgaudit", name, "-", NULL}, want);
}

static void test_cli_completion__offers_every_option_of_every_command(void)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_script);
    for (const cli_command *const *c = cli_commands; *c; c++) {
        if (!(*c)->verbs)
            check_options(*c);
        for (const cli_command *const *v = (*c)->verbs; v && *v; v++)
            check_options(*v);
    }
    /* A prefix narrows them. */
    check_offer((const char *const[]){"imgaudit", "audit", "--fail", NULL}, "--fail-on\n--fail-on-new\n");
}

static void test_cli_completion__completes_file_names_for_files(void)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_script);
    /* Every option whose value is a FILE, in every command. */
    for (const cli_command *const *c = cli_commands; *c; c++) {
        for (const cli_group *g = (*c)->groups; g && g->opts; g++) {
            for (const cli_opt *o = g->opts; o->store != CLI_STORE_END; o++) {
                char opt[64];

                if (!o->name || !o->value_name || strcmp(o->value_name, "FILE") != 0)
                    continue;
                snprintf(opt, sizeof(opt), "--%s", o->name);
                check_offer((const char *const[]){"imgaudit", (*c)->name, opt, "", NULL}, "a b.json\n");
                check_offer((const char *const[]){"imgaudit", (*c)->name, opt, "a", NULL}, "a b.json\n");
                check_offer((const char *const[]){"imgaudit", (*c)->name, opt, "x", NULL}, "");
            }
        }
    }
    /* A short option, a PATH, --opt=VALUE (bash splits at '='), operands. */
    check_offer((const char *const[]){"imgaudit", "collect", "-o", "", NULL}, "a b.json\n");
    check_offer((const char *const[]){"imgaudit", "rules", "lint", "--rules", "", NULL}, "a b.json\n");
    check_offer((const char *const[]){"imgaudit", "audit", "--json", "=", NULL}, "a b.json\n");
    check_offer((const char *const[]){"imgaudit", "evaluate", "", NULL}, "a b.json\n");
    check_offer((const char *const[]){"imgaudit", "merge", "-o", "x", "a", NULL}, "a b.json\n");
    check_offer((const char *const[]){"imgaudit", "rules", "test", "", NULL}, "a b.json\n");
}

static void test_cli_completion__completes_choices_and_not_typed_values(void)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_script);
    check_offer((const char *const[]){"imgaudit", "audit", "--fail-on", "", NULL},
                "info\nlow\nmedium\nhigh\ncritical\nnone\n");
    check_offer((const char *const[]){"imgaudit", "evaluate", "--fail-on", "=", "c", NULL}, "critical\n");
    check_offer((const char *const[]){"imgaudit", "audit", "--junit-group-by", "", NULL}, "rule\naccount\n");
    /* A region, a profile, a number: only the user knows them. */
    check_offer((const char *const[]){"imgaudit", "audit", "--region", "", NULL}, "");
    check_offer((const char *const[]){"imgaudit", "collect", "--profile", "a", NULL}, "");
    /* whoami's --json is a flag: the word after it is not its value, and whoami takes no operands. */
    check_offer((const char *const[]){"imgaudit", "whoami", "--json", "--j", NULL}, "--json\n");
    /* A command or verb that does not exist: nothing. */
    check_offer((const char *const[]){"imgaudit", "nosuch", "-", NULL}, "");
    check_offer((const char *const[]){"imgaudit", "rules", "nosuch", "-", NULL}, "");
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"the_build_wrote_the_script_from_the_tables",
         test_cli_completion__the_build_wrote_the_script_from_the_tables},
        {"is_valid_bash", test_cli_completion__is_valid_bash},
        {"offers_commands_and_verbs", test_cli_completion__offers_commands_and_verbs},
        {"offers_every_option_of_every_command", test_cli_completion__offers_every_option_of_every_command},
        {"completes_file_names_for_files", test_cli_completion__completes_file_names_for_files},
        {"completes_choices_and_not_typed_values",
         test_cli_completion__completes_choices_and_not_typed_values},
        CU_TEST_INFO_NULL,
    };
    const char *built = getenv("IMGAUDIT_COMPLETION");
    char file[sizeof(g_dir) + 16];
    FILE *fp;
    int rc;

    if (!mkdtemp(g_dir)) {
        perror(g_dir);
        return 1;
    }
    /* One file, with a blank in its name: offered whole. */
    snprintf(file, sizeof(file), "%s/a b.json", g_dir);
    fp = fopen(file, "w");
    if (fp)
        fclose(fp);
    rc = testutil_run("cli_completion", tests);
    unlink(file);
    rmdir(g_dir);
    if (!(built && *built) && g_path[0])
        unlink(g_path);
    free(g_script);
    return rc;
}
