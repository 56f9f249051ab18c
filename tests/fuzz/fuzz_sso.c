/*
 * IAM Identity Center's inputs (aws/creds_sso.h) over any bytes: the token
 * cache file that `aws sso login` writes, the document written back after a
 * refresh, and the answers of the portal (GetRoleCredentials) and of
 * SSO-OIDC (CreateToken).
 */
#include <stdlib.h>

#include "aws/creds_sso.h"
#include "fuzz.h"
#include "util/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    sso_token t = {0};
    aws_creds c = {0};
    char *doc = NULL;
    ia_err err;

    if (sso_token_parse(text, size, &t, &err) == 0) {
        sso_token_can_refresh(&t, t.expires_at);
        /* What a refresh answer does to the token, then the document written back with it. */
        sso_create_token_parse(text, size, t.expires_at, &t, &err);
        if (sso_token_update_doc(text, size, &t, &doc, &err) == 0)
            str_free_secret(doc);
    }
    sso_token_clean_up(&t);
    if (sso_role_credentials_parse(text, size, &c, &err) == 0)
        creds_clean_up(&c);
    free(text);
    return 0;
}
