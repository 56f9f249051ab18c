#include "report/finding.h"

#include <string.h>

#include <openssl/evp.h>

int finding_hasher_init(finding_hasher *h)
{
    h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    h->ctx = EVP_MD_CTX_new();
    if (h->md && h->ctx)
        return 0;
    finding_hasher_clean_up(h);
    return -1;
}

void finding_hasher_clean_up(finding_hasher *h)
{
    EVP_MD_CTX_free(h->ctx);
    EVP_MD_free(h->md);
    h->ctx = NULL;
    h->md = NULL;
}

/* Fields that fit together in this many bytes are hashed in one EVP_DigestUpdate: each call costs as much as
 * a SHA-256 block, and a million results make five million calls. */
#define JOINED_MAX 512

int finding_id(finding_hasher *h, const char *rule, const char *account, const char *region,
               const char *resource_type, const char *resource_id, char out[FINDING_ID_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    const char *fields[] = {rule, account, region, resource_type, resource_id};
    size_t lens[sizeof(fields) / sizeof(fields[0])], total = 0;
    unsigned char md[EVP_MAX_MD_SIZE], joined[JOINED_MAX];
    unsigned md_len = 0;
    int ok = h->ctx && h->md && EVP_DigestInit_ex(h->ctx, h->md, NULL) == 1;

    /* Each field with its NUL: no field holds a NUL, so no two lists of fields hash the same bytes. */
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        fields[i] = fields[i] ? fields[i] : "";
        lens[i] = strlen(fields[i]) + 1;
        total += lens[i];
    }
    if (total <= sizeof(joined)) {
        total = 0;
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
            memcpy(joined + total, fields[i], lens[i]);
            total += lens[i];
        }
        ok = ok && EVP_DigestUpdate(h->ctx, joined, total) == 1;
    } else {
        for (size_t i = 0; ok && i < sizeof(fields) / sizeof(fields[0]); i++)
            ok = EVP_DigestUpdate(h->ctx, fields[i], lens[i]) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(h->ctx, md, &md_len) == 1 && md_len >= (FINDING_ID_SIZE - 1) / 2;
    out[0] = '\0';
    if (!ok)
        return -1;
    for (size_t i = 0; i < (FINDING_ID_SIZE - 1) / 2; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[FINDING_ID_SIZE - 1] = '\0';
    return 0;
}

int finding_id_of(finding_hasher *h, const results *r, const result *it, char out[FINDING_ID_SIZE])
{
    const snap_resource *res = &r->resources[it->resource];

    return finding_id(h, r->rules[it->rule].id, res->account, res->region, res->type, res->id, out);
}

const waiver_info *finding_waiver(const results *r, const result *it)
{
    return it->status == RESULT_WAIVED && it->waiver >= 0 && (size_t)it->waiver < r->n_waivers
               ? &r->waivers[it->waiver]
               : NULL;
}
