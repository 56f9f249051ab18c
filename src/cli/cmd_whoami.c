/* `imgaudit whoami`: the caller's account, ARN and user id (STS GetCallerIdentity). */
#include "cli/commands.h"

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "aws/sts.h"
#include "cli/awsopts.h"
#include "cli/cli.h"
#include "util/cancel.h"
#include "util/termtext.h"

typedef struct whoami_cmd {
    awsopts aws;
    bool json;
} whoami_cmd;

static const cli_opt whoami_options[] = {
    {"json", 0, NULL, CLI_BOOL(whoami_cmd, json), 0, "print a JSON object"},
    {0},
};

static const cli_group whoami_groups[] = {
    {"options", awsopts_options, offsetof(whoami_cmd, aws)},
    {NULL, whoami_options, 0},
    {NULL, cli_help_options, 0},
    {0},
};

static void print_identity(const sts_identity *id, bool json)
{
    cJSON *doc;
    char *text;

    if (!json) {
        /* One line each, so that a line break inside a value is escaped, not taken as the line's end. */
        termtext_printf(stdout, "account  %s\n", id->account);
        termtext_printf(stdout, "arn      %s\n", id->arn);
        termtext_printf(stdout, "user_id  %s\n", id->user_id);
        return;
    }
    doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "account", id->account);
    cJSON_AddStringToObject(doc, "arn", id->arn);
    cJSON_AddStringToObject(doc, "user_id", id->user_id);
    text = cJSON_Print(doc);
    if (text)
        printf("%s\n", text);
    cJSON_free(text);
    cJSON_Delete(doc);
}

static int run(int argc, char **argv)
{
    whoami_cmd c = {0};
    sts_identity id;
    ia_err err;
    int rc;

    err_clear(&err);
    rc = cli_parse(&cmd_whoami, &c, argc, argv);
    if (rc >= 0)
        return rc;
    cancel_install_handlers();
    /* STS answers in every region; with none configured, ask us-east-1 as the SDKs do. */
    if (awsopts_open(&c.aws, false, &err) != 0 ||
        sts_get_caller_identity(c.aws.client, c.aws.creds, c.aws.region ? c.aws.region : "us-east-1", &id,
                                &err) != 0) {
        rc = cli_fail(&err);
        goto out;
    }
    print_identity(&id, c.json);
    rc = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
out:
    awsopts_close(&c.aws);
    return rc;
}

const cli_command cmd_whoami = {
    .name = "whoami",
    .summary = "print the caller's account and ARN (STS GetCallerIdentity)",
    .synopsis = "[options]",
    .description = "Prints the caller's account, ARN and user id (STS GetCallerIdentity): a check of the\n"
                   "credentials that collect and audit would use. For an IAM Identity Center (SSO)\n"
                   "profile, run 'aws sso login --profile NAME' first.\n",
    .groups = whoami_groups,
    .run = run,
};
