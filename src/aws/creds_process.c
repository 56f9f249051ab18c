/*
 * Credentials from a profile's credential_process: the command runs with the
 * shell and prints a JSON credential document on its standard output
 * (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html).
 */
#include "aws/creds_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "util/buf.h"
#include "util/str.h"

static int process_fetch(void *ctx, aws_creds *out, ia_err *err)
{
    const char *command = ctx;
    char chunk[4096];
    buf output;
    FILE *fp;
    size_t n;
    int status, rc = -1;

    buf_init(&output, 64 * 1024);
    fflush(NULL);
    fp = popen(command, "r");
    if (!fp)
        return err_set(err, IA_ERR_CREDS, "credential_process could not be started");
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        if (buf_append(&output, chunk, n) != 0)
            break;
    }
    memset(chunk, 0, sizeof(chunk));
    status = pclose(fp);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        err_set(err, IA_ERR_CREDS, "credential_process exited with status %d",
                status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        goto out;
    }
    if (output.len >= output.max) {
        err_set(err, IA_ERR_CREDS, "credential_process wrote more than %zu bytes", output.max);
        goto out;
    }
    rc = creds_from_json(buf_str(&output), output.len, "credential_process", out, err);
out:
    buf_free_secret(&output);
    return rc;
}

int creds_process_new(creds_provider **out, const char *command, const char *profile, ia_err *err)
{
    char *copy = str_dup(command);
    char desc[300];

    if (!copy)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    snprintf(desc, sizeof(desc), "credential_process of profile '%s'", profile);
    return creds_provider_new(out, desc, process_fetch, copy, free, err);
}
