#include "cli/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "util/cancel.h"
#include "version.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"audit", cmd_audit, "collect and evaluate in one run: reports and a CI exit status"},
    {"collect", cmd_collect, "gather images, permissions and image builders into a snapshot"},
    {"evaluate", cmd_evaluate, "judge a snapshot against YAML rules and waivers (--json FILE)"},
    {"rules", cmd_rules, "lint, list or test rule files (rules lint|list|test [PATH...])"},
    {"whoami", cmd_whoami, "print the caller's account and ARN (STS GetCallerIdentity)"},
    {NULL, NULL, NULL},
};

static void print_help(FILE *fp)
{
    fprintf(fp, "usage: imgaudit <command> [options]\n\n"
                "Audits Amazon WorkSpaces images and AppStream 2.0 image builders and images\n"
                "across AWS accounts and regions.\n\ncommands:\n");
    for (const struct command *c = commands; c->name; c++)
        fprintf(fp, "  %-10s %s\n", c->name, c->summary);
    fprintf(fp, "\n'imgaudit <command> --help' describes a command's options.\n\n"
                "exit status:\n"
                "  0    done; a CI gate passed\n"
                "  1    a CI gate failed: an un-waived failure at or above --fail-on\n"
                "  2    bad command line or bad input file (rules, waivers, config, snapshot)\n"
                "  3    collection incomplete: an account, region or call could not be read\n"
                "  4    could not run: credentials, network, AWS refused the call, file I/O\n"
                "  130  interrupted by SIGINT or SIGTERM\n");
}

int cli_main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        print_help(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("imgaudit %s\n", IMGAUDIT_VERSION);
        return CLI_EXIT_OK;
    }
    for (const struct command *c = commands; c->name; c++) {
        if (strcmp(argv[1], c->name) == 0)
            return c->run(argc - 1, argv + 1);
    }
    fprintf(stderr, "imgaudit: error: unknown command '%s' (see 'imgaudit --help')\n", argv[1]);
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
        fprintf(stderr, "imgaudit: interrupted by signal %d; nothing half-written was left\n",
                cancel_signal());
        return CLI_EXIT_INTERRUPTED;
    }
    err_format(err, line, sizeof(line));
    fprintf(stderr, "imgaudit: error: %s\n", line);
    return cli_exit_for(err);
}

int cli_parse_options(const char *cmd, int argc, char **argv, const char *shortopts,
                      const struct option *longopts, cli_take_fn take, void *ud, void (*usage)(FILE *fp))
{
    ia_err err;
    int opt;

    err_clear(&err);
    optind = 1;
    opterr = 0;
    /* The leading ':' makes a missing value ':' and an unknown option '?', told apart below. */
    while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        int rc;

        if (opt == 'h') {
            usage(stdout);
            return CLI_EXIT_OK;
        }
        if (opt == ':')
            return cli_usage_error(cmd, "%s needs a value", argv[optind - 1]);
        rc = opt == '?' ? 0 : take(ud, opt, optarg, &err);
        if (rc < 0)
            return cli_usage_error(cmd, "%s", err.msg);
        if (rc == 0)
            return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
    }
    return -1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "imgaudit %s: error: %s (see 'imgaudit %s --help')\n", cmd, msg, cmd);
    return CLI_EXIT_USAGE;
}
