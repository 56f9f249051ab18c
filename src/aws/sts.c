#include "aws/sts.h"

#include <ctype.h>
#include <libxml/dict.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "util/timefmt.h"

#define STS_VERSION "2011-06-15"

static bool only_of(const char *s, size_t min, size_t max, const char *extra)
{
    size_t n = strlen(s);

    if (n < min || n > max)
        return false;
    for (const char *p = s; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '_' && !strchr(extra, *p))
            return false;
    }
    return true;
}

bool sts_valid_session_name(const char *s)
{
    return only_of(s, 2, 64, "+=,.@-");
}

bool sts_valid_external_id(const char *s)
{
    return only_of(s, 2, 1224, "+=,.@:/-");
}

int sts_get_caller_identity(aws_client *c, creds_provider *creds, const char *region, sts_identity *out,
                            ia_err *err)
{
    aws_call call = {&AWS_STS, region, creds, 0, false, NULL};
    xmlDoc *doc = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    if (aws_query_call(c, &call, "GetCallerIdentity", STS_VERSION, NULL, 0, &doc, err) != 0)
        return -1;
    rc = sts_identity_from_answer(doc, region, out, err);
    xmlFreeDoc(doc);
    return rc;
}

int sts_identity_from_answer(xmlDoc *doc, const char *region, sts_identity *out, ia_err *err)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    char *account = aws_xml_text(root, "Account");
    char *arn = aws_xml_text(root, "Arn");
    char *user = aws_xml_text(root, "UserId");
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (!account || !arn) {
        err_set(err, IA_ERR_PROTOCOL, "sts GetCallerIdentity (%s): answer lacks Account or Arn", region);
        goto out;
    }
    str_copy(out->account, sizeof(out->account), account);
    str_copy(out->arn, sizeof(out->arn), arn);
    str_copy(out->user_id, sizeof(out->user_id), user ? user : "");
    rc = 0;
out:
    free(account);
    free(arn);
    free(user);
    return rc;
}

/* Overwrites every text node the parser allocated, so that freed memory keeps no credentials. */
static void wipe_text(xmlDoc *doc, xmlNode *node)
{
    for (xmlNode *n = node; n; n = n->next) {
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content &&
            !(doc->dict && xmlDictOwns(doc->dict, n->content)))
            memset(n->content, 0, strlen((const char *)n->content));
        wipe_text(doc, n->children);
    }
}

int sts_credentials_from_answer(xmlDoc *doc, const char *action, const char *region, aws_creds *out,
                                ia_err *err)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    char *expiration = aws_xml_text(root, "Expiration");
    int rc = -1;

    out->access_key_id = aws_xml_text(root, "AccessKeyId");
    out->secret_access_key = aws_xml_text(root, "SecretAccessKey");
    out->session_token = aws_xml_text(root, "SessionToken");
    if (!out->access_key_id || !out->secret_access_key || !out->session_token || !expiration ||
        !timefmt_parse(expiration, &out->expiration)) {
        err_set(err, IA_ERR_PROTOCOL, "sts %s (%s): answer lacks credentials or their expiration", action,
                region);
        creds_clean_up(out);
        goto out;
    }
    rc = 0;
out:
    free(expiration);
    return rc;
}

/*
 * AssumeRole or AssumeRoleWithWebIdentity: the common parameters, then the
 * one that differs (ExternalId, or the web identity token; NULL is left out).
 * creds NULL sends the request unsigned.
 */
static int assume(aws_client *c, creds_provider *creds, const char *region, const char *action,
                  const char *role_arn, const char *session_name, int duration_seconds, aws_param extra,
                  aws_creds *out, ia_err *err)
{
    aws_call call = {&AWS_STS, region, creds, 0, false, NULL};
    char duration[16];
    aws_param params[4];
    xmlDoc *doc = NULL;
    int rc;

    snprintf(duration, sizeof(duration), "%d", duration_seconds > 0 ? duration_seconds : 3600);
    params[0] = (aws_param){"RoleArn", role_arn};
    params[1] = (aws_param){"RoleSessionName", session_name && *session_name ? session_name : "imgaudit"};
    params[2] = (aws_param){"DurationSeconds", duration};
    params[3] = extra;
    if (aws_query_call(c, &call, action, STS_VERSION, params, 4, &doc, err) != 0)
        return err_prefix(err, "cannot assume %s", role_arn);
    rc = sts_credentials_from_answer(doc, action, region, out, err);
    wipe_text(doc, xmlDocGetRootElement(doc));
    xmlFreeDoc(doc);
    return rc;
}

int sts_assume_role(aws_client *c, creds_provider *source, const char *region, const char *role_arn,
                    const char *session_name, const char *external_id, int duration_seconds, aws_creds *out,
                    ia_err *err)
{
    aws_param extra = {"ExternalId", external_id && *external_id ? external_id : NULL};

    /* assume() sends a request without credentials unsigned, as AssumeRoleWithWebIdentity is: AssumeRole
     * never is. */
    if (!source)
        return err_set(err, IA_ERR_INTERNAL, "cannot assume %s: no credentials to sign AssumeRole with",
                       role_arn);
    return assume(c, source, region, "AssumeRole", role_arn, session_name, duration_seconds, extra, out, err);
}

int sts_assume_role_with_web_identity(aws_client *c, const char *region, const char *role_arn,
                                      const char *session_name, const char *token, int duration_seconds,
                                      aws_creds *out, ia_err *err)
{
    aws_param extra = {"WebIdentityToken", token};

    return assume(c, NULL, region, "AssumeRoleWithWebIdentity", role_arn, session_name, duration_seconds,
                  extra, out, err);
}
