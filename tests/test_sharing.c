/* Cross-account sharing facts, as every report writer reads them (tests/data/reports/sharing.json). */
#include <CUnit/CUnit.h>
#include <string.h>

#include "report/sharing.h"
#include "report/tally.h"
#include "report_fixture.h"
#include "testutil.h"

static void test_sharing__image_facts_from_its_record(void)
{
    report_fixture f;
    sharing_image img;

    fixture_load(&f, "sharing.json");
    sharing_image_read(&f.r.resources[0], &img);
    CU_ASSERT_STRING_EQUAL(img.owner, "111122223333");
    CU_ASSERT_TRUE(img.byol);
    CU_ASSERT_FALSE(img.shared_in);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(img.permissions), 3);
    /* An AppStream image names its owner in its ARN. */
    sharing_image_read(&f.r.resources[3], &img);
    CU_ASSERT_STRING_EQUAL(img.owner, "777766665555");
    CU_ASSERT_FALSE(img.byol);
    CU_ASSERT_TRUE(img.shared_in);
    CU_ASSERT_PTR_NULL(img.permissions);
    /* Permissions live in "Permissions" only. */
    sharing_image_read(&f.r.resources[5], &img);
    CU_ASSERT_PTR_NULL(img.permissions);
    /* An account field too long to be one is not believed. */
    sharing_image_read(&f.r.resources[6], &img);
    CU_ASSERT_STRING_EQUAL(img.owner, "");
    fixture_free(&f);
}

static void test_sharing__grants_and_images_shared_in_from_outside(void)
{
    report_fixture f;
    tally t;
    sharing s;
    ia_err err;
    const sharing_edge *e;

    fixture_load(&f, "sharing.json");
    CU_ASSERT_EQUAL_FATAL(tally_compute(&f.r, &t, &err), 0);
    CU_ASSERT_EQUAL_FATAL(sharing_compute(&f.r, &t, &s, &err), 0);
    CU_ASSERT_EQUAL_FATAL(s.n_edges, 6);
    CU_ASSERT_EQUAL(s.n_byol, 2);
    /* A WorkSpaces grant to an audited account, then one to an outside account; an entry naming no
     * account is no share. */
    e = &s.edges[0];
    CU_ASSERT_PTR_EQUAL(e->res, &f.r.resources[0]);
    CU_ASSERT_STRING_EQUAL(e->owner, "111122223333");
    CU_ASSERT_STRING_EQUAL(e->target, "222233334444");
    CU_ASSERT_TRUE(e->owner_audited && e->target_audited && e->byol && !e->shared_in);
    CU_ASSERT_EQUAL(e->grant, SHARING_GRANT_LAUNCH_COPY);
    CU_ASSERT_STRING_EQUAL(s.edges[1].target, "999988887777");
    CU_ASSERT_FALSE(s.edges[1].target_audited);
    /* An AppStream grant says what it allows. */
    e = &s.edges[2];
    CU_ASSERT_EQUAL(e->grant, SHARING_GRANT_OPTIONS);
    CU_ASSERT_TRUE(e->allow_fleet);
    CU_ASSERT_FALSE(e->allow_image_builder);
    /* Shared in by an audited owner: listed once, from the owner's side (edge 0), so next is the image
     * shared in from outside, seen from the receiving account. */
    e = &s.edges[3];
    CU_ASSERT_PTR_EQUAL(e->res, &f.r.resources[3]);
    CU_ASSERT_STRING_EQUAL(e->owner, "777766665555");
    CU_ASSERT_STRING_EQUAL(e->target, "222233334444");
    CU_ASSERT_TRUE(e->shared_in && !e->owner_audited && e->target_audited);
    CU_ASSERT_EQUAL(e->grant, SHARING_GRANT_UNSEEN);
    /* An owner the record does not name is unknown, and never taken for an audited account. */
    CU_ASSERT_STRING_EQUAL(s.edges[4].owner, "");
    CU_ASSERT_FALSE(s.edges[4].owner_audited);
    CU_ASSERT_PTR_EQUAL(s.edges[5].res, &f.r.resources[6]);
    sharing_free(&s);
    CU_ASSERT_PTR_NULL(s.edges);
    sharing_free(&s);
    sharing_free(NULL);
    tally_free(&t);
    fixture_free(&f);
}

static void test_sharing__nothing_shared(void)
{
    report_fixture f;
    tally t;
    sharing s;
    ia_err err;

    fixture_load(&f, "empty.json");
    CU_ASSERT_EQUAL_FATAL(tally_compute(&f.r, &t, &err), 0);
    CU_ASSERT_EQUAL_FATAL(sharing_compute(&f.r, &t, &s, &err), 0);
    CU_ASSERT_EQUAL(s.n_edges, 0);
    CU_ASSERT_EQUAL(s.n_byol, 0);
    sharing_free(&s);
    tally_free(&t);
    fixture_free(&f);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"image_facts_from_its_record", test_sharing__image_facts_from_its_record},
        {"grants_and_images_shared_in_from_outside", test_sharing__grants_and_images_shared_in_from_outside},
        {"nothing_shared", test_sharing__nothing_shared},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("sharing", tests);
}
