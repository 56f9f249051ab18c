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

typedef struct whoami_opts {
    awsopts aws;
    bool json;
} whoami_opts;

static int take(void *ud, int opt, const char *arg, ia_err *err)
{
    whoami_opts *o = ud;

    if (opt == 'j') {
        o->json = true;
        return 1;
    }
    return awsopts_take(&o->aws, opt, arg, err);
}

int cmd_whoami(int argc, char **argv)
{
    static const struct option longopts[] = {
        AWSOPTS_LONG_OPTIONS,
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    whoami_opts o = {0};
    sts_identity id;
    ia_err err;
    int rc;

    err_clear(&err);
    rc = cli_parse_options("whoami", argc, argv, ":h", longopts, take, &o, usage);
    if (rc >= 0)
        return rc;
    if (optind < argc)
        return cli_usage_error("whoami", "unexpected argument '%s'", argv[optind]);
    cancel_install_handlers();
    /* STS answers in every region; with none configured, ask us-east-1 as the SDKs do. */
    if (awsopts_open(&o.aws, false, &err) != 0 ||
        sts_get_caller_identity(o.aws.client, o.aws.creds, o.aws.region ? o.aws.region : "us-east-1", &id,
                                &err) != 0) {
        rc = cli_fail(&err);
        awsopts_close(&o.aws);
        return rc;
    }
    if (o.json) {
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
    awsopts_close(&o.aws);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
}
