#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws/sts.h"
#include "cli/awsopts.h"
#include "cli/cli.h"
#include "util/cancel.h"

static void usage(FILE *fp)
{
    fprintf(fp, "usage: imgaudit whoami [options]\n\n"
                "Prints the caller's account, ARN and user id (STS GetCallerIdentity).\n\n"
                "options:\n" AWSOPTS_HELP "  --json               print a JSON object\n"
                "  -h, --help           this help\n");
}

int cmd_whoami(int argc, char **argv)
{
    static const struct option longopts[] = {
        AWSOPTS_LONG_OPTIONS,
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    awsopts aws = {0};
    sts_identity id;
    bool json = false;
    ia_err err;
    int opt, rc;

    err_clear(&err);
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return CLI_EXIT_OK;
        }
        if (opt == 'j') {
            json = true;
            continue;
        }
        rc = awsopts_take(&aws, opt, optarg, &err);
        if (rc < 0)
            return cli_usage_error("whoami", "%s", err.msg);
        if (rc == 0)
            return cli_option_error("whoami", opt, argv);
    }
    if (optind < argc)
        return cli_usage_error("whoami", "unexpected argument '%s'", argv[optind]);
    cancel_install_handlers();
    /* STS answers in every region; with none configured, ask us-east-1 as the SDKs do. */
    if (awsopts_open(&aws, false, &err) != 0 ||
        sts_get_caller_identity(aws.client, aws.creds, aws.region ? aws.region : "us-east-1", &id, &err) !=
            0) {
        rc = cli_fail(&err);
        awsopts_close(&aws);
        return rc;
    }
    if (json) {
        cJSON *doc = cJSON_CreateObject();
        char *text;

        cJSON_AddStringToObject(doc, "account", id.account);
        cJSON_AddStringToObject(doc, "arn", id.arn);
        cJSON_AddStringToObject(doc, "user_id", id.user_id);
        text = cJSON_Print(doc);
        if (text)
            printf("%s\n", text);
        cJSON_free(text);
        cJSON_Delete(doc);
    } else {
        printf("account  %s\narn      %s\nuser_id  %s\n", id.account, id.arn, id.user_id);
    }
    awsopts_close(&aws);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
}
