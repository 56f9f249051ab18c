/* finding_id (report/finding.h). */
#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "report/finding.h"
#include "report_fixture.h"
#include "testutil.h"

/* Computed apart from imgaudit: python3 -c 'import hashlib; print(hashlib.sha256(b"".join(f.encode() + b"\0"
 * for f in FIELDS)).hexdigest()[:32])' with the fields of the first test. */
#define STALE_ID "7adc35517405208173b02f547c3f4777"

static void id_of(const char *rule, const char *account, const char *region, const char *type, const char *id,
                  char out[FINDING_ID_SIZE])
{
    finding_hasher h;

    CU_ASSERT_EQUAL_FATAL(finding_hasher_init(&h), 0);
    CU_ASSERT_EQUAL(finding_id(&h, rule, account, region, type, id, out), 0);
    finding_hasher_clean_up(&h);
    CU_ASSERT_EQUAL(strlen(out), 32);
    CU_ASSERT_EQUAL(strspn(out, "0123456789abcdef"), 32);
}

static void test_finding__id_is_the_documented_recipe(void)
{
    /* Separate literals: "\0" followed by a digit would be read as one octal escape. */
    static const char bytes[] = "workspaces-image-stale\0"
                                "111122223333\0"
                                "eu-west-1\0"
                                "workspaces_image\0"
                                "wsi-0123456789";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned md_len = 0;
    char got[FINDING_ID_SIZE], want[FINDING_ID_SIZE];

    id_of("workspaces-image-stale", "111122223333", "eu-west-1", "workspaces_image", "wsi-0123456789", got);
    CU_ASSERT_STRING_EQUAL(got, STALE_ID);
    /* The same bytes hashed here, with the last field's NUL (sizeof counts the literal's own). */
    CU_ASSERT_EQUAL_FATAL(EVP_Digest(bytes, sizeof(bytes), md, &md_len, EVP_sha256(), NULL), 1);
    for (size_t i = 0; i < 16; i++)
        snprintf(want + 2 * i, 3, "%02x", md[i]);
    CU_ASSERT_STRING_EQUAL(got, want);
}

static void test_finding__each_field_changes_the_id_and_boundaries_count(void)
{
    const char *base[5] = {"r", "111122223333", "eu-west-1", "workspaces_image", "wsi-1"};
    char ref[FINDING_ID_SIZE], got[FINDING_ID_SIZE], again[FINDING_ID_SIZE];

    id_of(base[0], base[1], base[2], base[3], base[4], ref);
    id_of(base[0], base[1], base[2], base[3], base[4], again);
    CU_ASSERT_STRING_EQUAL(ref, again);
    for (int i = 0; i < 5; i++) {
        const char *f[5] = {base[0], base[1], base[2], base[3], base[4]};

        f[i] = "other";
        id_of(f[0], f[1], f[2], f[3], f[4], got);
        CU_ASSERT_STRING_NOT_EQUAL(got, ref);
    }
    /* A byte moved from one field to the next is another finding. */
    id_of("ab", "c", "", "", "", ref);
    id_of("a", "bc", "", "", "", got);
    CU_ASSERT_STRING_NOT_EQUAL(got, ref);
    /* A missing field hashes as an empty one. */
    id_of(NULL, NULL, NULL, NULL, NULL, got);
    CU_ASSERT_STRING_EQUAL(got, "8855508aade16ec573d21e6a485dfd0a");
}

static void test_finding__result_id_follows_the_resource_not_its_place_in_the_results(void)
{
    report_fixture f;
    finding_hasher h;
    char first[4][FINDING_ID_SIZE], moved[FINDING_ID_SIZE];
    snap_resource tmp;

    CU_ASSERT_EQUAL_FATAL(finding_hasher_init(&h), 0);
    fixture_load(&f, "same_ids.json");
    /* The same image id in two accounts and two regions: four findings of one rule. */
    for (size_t i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(finding_id_of(&h, &f.r, &f.r.items[i], first[i]), 0);
        for (size_t k = 0; k < i; k++)
            CU_ASSERT_STRING_NOT_EQUAL(first[i], first[k]);
    }
    /* Resources read in another order: each result keeps its resource's id. */
    tmp = f.r.resources[0];
    f.r.resources[0] = f.r.resources[3];
    f.r.resources[3] = tmp;
    f.r.items[0].resource = 3;
    f.r.items[3].resource = 0;
    CU_ASSERT_EQUAL(finding_id_of(&h, &f.r, &f.r.items[0], moved), 0);
    CU_ASSERT_STRING_EQUAL(moved, first[0]);
    CU_ASSERT_EQUAL(finding_id_of(&h, &f.r, &f.r.items[3], moved), 0);
    CU_ASSERT_STRING_EQUAL(moved, first[3]);
    /* The second rule's findings of the same resources are others. */
    CU_ASSERT_EQUAL(finding_id_of(&h, &f.r, &f.r.items[4], moved), 0);
    CU_ASSERT_STRING_NOT_EQUAL(moved, first[3]);
    finding_hasher_clean_up(&h);
    fixture_free(&f);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"id_is_the_documented_recipe", test_finding__id_is_the_documented_recipe},
        {"each_field_changes_the_id_and_boundaries_count",
         test_finding__each_field_changes_the_id_and_boundaries_count},
        {"result_id_follows_the_resource_not_its_place_in_the_results",
         test_finding__result_id_follows_the_resource_not_its_place_in_the_results},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("finding", tests);
}
