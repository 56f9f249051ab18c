#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/endpoint.h"
#include "aws/sts.h"
#include "cli/awsopts.h"
#include "cli/cli.h"
#include "cli/collectopts.h"
#include "collect/collect.h"
#include "util/cancel.h"
#include "util/log.h"

static void usage(FILE *fp)
{
    fprintf(fp, "usage: imgaudit collect [options]\n\n"
                "Gathers every WorkSpaces image (owned and shared) with its sharing permissions, and the\n"
                "AppStream 2.0 image builders and images (private and shared, with permissions), across\n"
                "accounts and regions, into one snapshot file (docs/snapshot.md).\n\n"
                "options:\n"
                "  -o, --output FILE       where the snapshot goes, written whole or not at all, mode 0600\n"
                "                          (default '-': stdout)\n" COLLECTOPTS_HELP AWSOPTS_HELP
                "  -h, --help              this help\n\n"
                "exit status: 0 complete; 3 collection incomplete (see the snapshot's errors);\n"
                "2 bad usage or accounts file; 4 could not run (credentials, network); 130 interrupted.\n");
}

typedef struct collect_cmd {
    collectopts co;
    const char *output;
} collect_cmd;

static int take(void *ud, int opt, const char *arg, ia_err *err)
{
    collect_cmd *c = ud;

    if (opt == 'o') {
        c->output = arg;
        return 1;
    }
    return collectopts_take(&c->co, opt, arg, err);
}

int cmd_collect(int argc, char **argv)
{
    static const struct option longopts[] = {
        AWSOPTS_LONG_OPTIONS,
        COLLECTOPTS_LONG_OPTIONS,
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    collect_cmd c = {.output = "-"};
    collectopts *co = &c.co;
    ia_err err;
    int rc;

    collectopts_init(co);
    err_clear(&err);
    rc = cli_parse_options("collect", argc, argv, ":ho:", longopts, take, &c, usage);
    if (rc >= 0)
        goto out;
    if (optind < argc) {
        rc = cli_usage_error("collect", "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    if (collectopts_check(co, &err) != 0) {
        rc = cli_usage_error("collect", "%s", err.msg);
        goto out;
    }
    cancel_install_handlers();
    rc = collectopts_run(co, &err);
    if (rc == 0)
        rc = collectopts_write(co, c.output, &err);
    if (rc != 0) {
        rc = cli_fail(&err);
    } else {
        collectopts_summary(co, c.output);
        rc = co->snap.n_errors ? CLI_EXIT_INCOMPLETE : CLI_EXIT_OK;
    }
out:
    collectopts_clean_up(co);
    return rc;
}
