#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "util/cancel.h"
#include "util/log.h"
#include "version.h"

const cli_exit_doc cli_exit_docs[] = {
    {CLI_EXIT_OK, "done; a CI gate passed"},
    {CLI_EXIT_GATE, "a CI gate failed: an un-waived failure at or above --fail-on"},
    {CLI_EXIT_USAGE, "bad command line or bad input file (rules, waivers, config, snapshot)"},
    {CLI_EXIT_INCOMPLETE, "collection incomplete: an account, region or call could not be read"},
    {CLI_EXIT_RUNTIME, "could not run: credentials, network, AWS refused the call, file I/O"},
    {CLI_EXIT_INTERRUPTED, "interrupted by SIGINT or SIGTERM"},
    {0, NULL},
};

const char cli_description[] = "Audits Amazon WorkSpaces images and AppStream 2.0 image builders and images\n"
                               "across AWS accounts and regions.\n";

const cli_command *const cli_commands[] = {
    &cmd_audit, &cmd_collect, &cmd_evaluate, &cmd_fix, &cmd_merge, &cmd_rules, &cmd_whoami, NULL,
};

void cli_help(FILE *fp)
{
    fprintf(fp, "usage: imgaudit <command> [options]\n\n%s\ncommands:\n", cli_description);
    cli_opt_print_names(cli_commands, fp);
    fprintf(fp, "\n'imgaudit <command> --help' describes a command's options; 'imgaudit --version' (-v)\n"
                "prints the version.\n\nexit status:\n");
    for (const cli_exit_doc *d = cli_exit_docs; d->meaning; d++)
        fprintf(fp, "  %-4d %s\n", d->code, d->meaning);
}

int cli_main(int argc, char **argv)
{
    if (argc < 2) {
        cli_help(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        cli_help(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "version") == 0) {
        printf("imgaudit %s\n", IMGAUDIT_VERSION);
        return CLI_EXIT_OK;
    }
    for (const cli_command *const *c = cli_commands; *c; c++) {
        if (strcmp(argv[1], (*c)->name) == 0)
            return (*c)->run(argc - 1, argv + 1);
    }
    log_line("imgaudit: error: unknown command '%s' (see 'imgaudit --help')", argv[1]);
    return CLI_EXIT_USAGE;
}

int cli_exit_for(const ia_err *err)
{
    /* Whatever failed after a stop was asked for (a temporary file already removed, say) failed because of
     * it. */
    if (cancel_requested())
        return CLI_EXIT_INTERRUPTED;
    switch (err->kind) {
    case IA_ERR_NONE: return CLI_EXIT_OK;
    case IA_ERR_USAGE:
    case IA_ERR_INPUT: return CLI_EXIT_USAGE;
    case IA_ERR_CANCELLED: return CLI_EXIT_INTERRUPTED;
    default: return CLI_EXIT_RUNTIME;
    }
}

int cli_fail(const ia_err *err)
{
    char line[1536];

    if (cancel_requested()) {
        log_line("imgaudit: interrupted by signal %d; nothing half-written was left", cancel_signal());
        return CLI_EXIT_INTERRUPTED;
    }
    err_format(err, line, sizeof(line));
    log_line("imgaudit: error: %s", line);
    return cli_exit_for(err);
}

int cli_fail_in(const char *cmd, const ia_err *err)
{
    return err->kind == IA_ERR_USAGE ? cli_usage_error(cmd, "%s", err->msg) : cli_fail(err);
}

int cli_parse(const cli_command *cmd, void *obj, int argc, char **argv)
{
    ia_err err;

    err_clear(&err);
    switch (cli_opt_parse(cmd, obj, argc, argv, &err)) {
    case CLI_OPT_DONE: return -1;
    case CLI_OPT_HELP: cli_opt_help(cmd, stdout); return CLI_EXIT_OK;
    default: return cli_fail_in(cmd->name, &err);
    }
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_line("imgaudit %s: error: %s (see 'imgaudit %s --help')", cmd, msg, cmd);
    return CLI_EXIT_USAGE;
}
