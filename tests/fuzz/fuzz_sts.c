/*
 * The STS (Query protocol) XML decoders over any bytes: an error answer as
 * aws_parse_query_error reads it (the message it keeps is one line), and a
 * 2xx answer parsed as the calls parse it (aws_xml_answer), then read as a
 * GetCallerIdentity answer and as an AssumeRole answer (aws/sts.h).
 */
#include <stdlib.h>

#include "aws/sts.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmlDoc *doc;
    sts_identity id;
    aws_creds creds = {0};
    ia_err err;

    aws_parse_query_error(403, (const char *)data, size, "request-id", &fuzz_secrets, &err);
    fuzz_check_error(&err);
    doc = aws_xml_answer((const char *)data, size);
    if (doc && xmlDocGetRootElement(doc)) {
        sts_identity_from_answer(doc, "eu-west-1", &id, &err);
        if (sts_credentials_from_answer(doc, "AssumeRole", "eu-west-1", &creds, &err) == 0 &&
            (!creds.access_key_id || !creds.secret_access_key || !creds.session_token))
            abort();
        creds_clean_up(&creds);
    }
    xmlFreeDoc(doc);
    return 0;
}
