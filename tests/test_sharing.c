/* Cross-account sharing facts, as every report writer reads them (tests/data/reports/sharing.json). */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/sharing.h"
#include "report/tally.h"
#include "report_fixture.h"
#include "testutil.h"

/* The fixture's accounts. */
#define PROD    "111122223333" /* audited, a member, trusted; named by the snapshot and by the Organization */
#define DEV     "222233334444" /* audited, a member, trusted */
#define PARTNER "333344445555" /* not audited, a member named by the Organization only, not trusted */
#define VENDOR  "777766665555" /* not audited, not a member, trusted */
#define OUTSIDE "999988887777" /* not audited, not a member, not trusted */

/* The sharing facts evaluation kept of resource i, or NULL when it is not an image. */
static const image_facts *facts_of(const results *r, size_t i)
{
    for (size_t k = 0; k < r->n_images; k++) {
        if (r->images[k].resource == i)
            return &r->images[k];
    }
    return NULL;
}

static void test_sharing__image_facts_from_its_record(void)
{
    report_fixture f;
    const image_facts *img;

    fixture_load(&f, "sharing.json");
    /* Read from the record, which is not kept. */
    CU_ASSERT_PTR_NULL(f.r.resources[0].data);
    img = facts_of(&f.r, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    CU_ASSERT_STRING_EQUAL(img->owner, PROD);
    CU_ASSERT_TRUE(img->byol);
    CU_ASSERT_FALSE(img->shared_in);
    /* Three entries, two naming an account: a grant each. */
    CU_ASSERT_EQUAL_FATAL(img->n_grants, 2);
    CU_ASSERT_STRING_EQUAL(f.r.grants[img->first_grant].account, DEV);
    CU_ASSERT_STRING_EQUAL(f.r.grants[img->first_grant + 1].account, OUTSIDE);
    CU_ASSERT_FALSE(f.r.grants[img->first_grant].options);
    /* AppStream's grant options. */
    img = facts_of(&f.r, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    CU_ASSERT_EQUAL_FATAL(img->n_grants, 1);
    CU_ASSERT_TRUE(f.r.grants[img->first_grant].options);
    CU_ASSERT_TRUE(f.r.grants[img->first_grant].allow_fleet);
    CU_ASSERT_FALSE(f.r.grants[img->first_grant].allow_image_builder);
    /* An AppStream image names its owner in its ARN. */
    img = facts_of(&f.r, 3);
    CU_ASSERT_STRING_EQUAL(img->owner, VENDOR);
    CU_ASSERT_FALSE(img->byol);
    CU_ASSERT_TRUE(img->shared_in);
    /* Permissions live in "Permissions" only. */
    img = facts_of(&f.r, 5);
    CU_ASSERT_EQUAL(img->n_grants, 0);
    /* An account field too long to be one is not believed. */
    img = facts_of(&f.r, 6);
    CU_ASSERT_STRING_EQUAL(img->owner, "");
    /* An AppStream image shared in, as the API lists it: Visibility SHARED (its ImageType is CUSTOM). */
    img = facts_of(&f.r, 7);
    CU_ASSERT_TRUE(img->shared_in);
    CU_ASSERT_STRING_EQUAL(img->owner, PARTNER);
    /* An image builder is not an image: no facts. */
    CU_ASSERT_PTR_NULL(facts_of(&f.r, 10));
    CU_ASSERT_EQUAL(f.r.n_images, 10);
    fixture_free(&f);
}

/* Computes the sharing of a loaded fixture; the caller frees s, t and f (done). */
static void compute(report_fixture *f, tally *t, sharing *s)
{
    ia_err err;

    CU_ASSERT_EQUAL_FATAL(tally_compute(&f->r, t, &err), 0);
    CU_ASSERT_EQUAL_FATAL(sharing_compute(&f->r, t, s, &err), 0);
}

/* Loads tests/data/reports/<name> and computes its sharing. */
static void load(report_fixture *f, const char *name, tally *t, sharing *s)
{
    fixture_load(f, name);
    compute(f, t, s);
}

static void done(report_fixture *f, tally *t, sharing *s)
{
    sharing_free(s);
    tally_free(t);
    fixture_free(f);
}

static void test_sharing__one_entry_per_share_seen_from_either_side(void)
{
    report_fixture f;
    tally t;
    sharing s;
    const sharing_edge *e;

    load(&f, "sharing.json", &t, &s);
    CU_ASSERT_EQUAL_FATAL(s.n_edges, 8);
    CU_ASSERT_EQUAL(s.n_byol, 2);
    /* Sorted by owner (an unknown owner first), region, type, image, target. Images shared in by an
     * owner the record does not name: seen from the recipient only, the owner never taken as audited. */
    e = &s.edges[0];
    CU_ASSERT_PTR_EQUAL(e->res, &f.r.resources[6]);
    CU_ASSERT_STRING_EQUAL(e->owner.account, "");
    CU_ASSERT_FALSE(e->owner.audited);
    CU_ASSERT_EQUAL(e->seen_from, SHARING_SEEN_RECIPIENT);
    CU_ASSERT_EQUAL(e->grant, SHARING_GRANT_UNSEEN);
    CU_ASSERT_PTR_EQUAL(s.edges[1].res, &f.r.resources[4]);
    /* An AppStream grant says what it allows. */
    e = &s.edges[2];
    CU_ASSERT_PTR_EQUAL(e->res, &f.r.resources[1]);
    CU_ASSERT_STRING_EQUAL(e->target.account, OUTSIDE);
    CU_ASSERT_EQUAL(e->grant, SHARING_GRANT_OPTIONS);
    CU_ASSERT_TRUE(e->allow_fleet);
    CU_ASSERT_FALSE(e->allow_image_builder);
    CU_ASSERT_EQUAL(e->seen_from, SHARING_SEEN_OWNER);
    /* Owner and recipient both audited: one share, seen from both sides, with the owner's record and
     * grant (WorkSpaces: launch and copy). */
    e = &s.edges[3];
    CU_ASSERT_PTR_EQUAL(e->res, &f.r.resources[0]);
    CU_ASSERT_STRING_EQUAL(e->owner.account, PROD);
    CU_ASSERT_STRING_EQUAL(e->target.account, DEV);
    CU_ASSERT_EQUAL(e->seen_from, SHARING_SEEN_OWNER | SHARING_SEEN_RECIPIENT);
    CU_ASSERT_EQUAL(e->grant, SHARING_GRANT_LAUNCH_COPY);
    CU_ASSERT_TRUE(e->byol && e->owner.audited && e->target.audited && !e->not_audited);
    e = &s.edges[4];
    CU_ASSERT_STRING_EQUAL(e->target.account, OUTSIDE);
    CU_ASSERT_TRUE(e->byol && e->not_audited && !e->target.audited);
    /* Region comes before type: us-east-1's AppStream image after eu-west-1's WorkSpaces ones. Seen from
     * both sides; the recipient's copy of the record lists Permissions that are not its grants. */
    e = &s.edges[5];
    CU_ASSERT_PTR_EQUAL(e->res, &f.r.resources[8]);
    CU_ASSERT_EQUAL(e->seen_from, SHARING_SEEN_OWNER | SHARING_SEEN_RECIPIENT);
    CU_ASSERT_TRUE(e->allow_fleet && e->allow_image_builder);
    /* Shared in by owners that were not audited; the one read from an ARN is the image's facts'. */
    e = &s.edges[6];
    CU_ASSERT_PTR_EQUAL(e->res, &f.r.resources[7]);
    CU_ASSERT_STRING_EQUAL(e->owner.account, PARTNER);
    CU_ASSERT_STRING_EQUAL(e->target.account, DEV);
    CU_ASSERT_TRUE(e->not_audited && !e->owner.audited && e->target.audited);
    e = &s.edges[7];
    CU_ASSERT_PTR_EQUAL(e->res, &f.r.resources[3]);
    CU_ASSERT_STRING_EQUAL(e->owner.account, VENDOR);
    CU_ASSERT_PTR_EQUAL(e->owner.account, facts_of(&f.r, 3)->owner);
    /* No share to 555555555555 (a shared-in record's Permissions) nor from the image builder. */
    for (size_t i = 0; i < s.n_edges; i++) {
        CU_ASSERT_STRING_NOT_EQUAL(s.edges[i].target.account, "555555555555");
        CU_ASSERT_STRING_NOT_EQUAL(s.edges[i].res->type, "appstream_image_builder");
    }
    /* The accounts on each side, sorted, each once; unknown owners left out. */
    CU_ASSERT_EQUAL_FATAL(s.n_owners, 3);
    CU_ASSERT_STRING_EQUAL(s.owners[0]->account, PROD);
    CU_ASSERT_STRING_EQUAL(s.owners[2]->account, VENDOR);
    CU_ASSERT_EQUAL_FATAL(s.n_targets, 2);
    CU_ASSERT_STRING_EQUAL(s.targets[0]->account, DEV);
    CU_ASSERT_STRING_EQUAL(s.targets[1]->account, OUTSIDE);
    sharing_free(&s);
    CU_ASSERT_PTR_NULL(s.edges);
    sharing_free(&s);
    sharing_free(NULL);
    tally_free(&t);
    fixture_free(&f);
}

static void test_sharing__membership_trust_and_names_with_an_organization(void)
{
    report_fixture f;
    tally t;
    sharing s;
    const sharing_edge *e;

    load(&f, "sharing.json", &t, &s);
    CU_ASSERT_TRUE(s.has_organization && s.trust_known);
    /* Shared with an account outside the Organization that is not trusted. */
    e = &s.edges[2];
    CU_ASSERT_EQUAL(e->owner.in_org, SHARING_YES);
    CU_ASSERT_EQUAL(e->owner.trusted, SHARING_YES);
    CU_ASSERT_EQUAL(e->target.in_org, SHARING_NO);
    CU_ASSERT_EQUAL(e->target.trusted, SHARING_NO);
    CU_ASSERT_TRUE(e->outside_org && e->untrusted);
    /* The snapshot's name wins over the Organization's; an account neither names has none. */
    CU_ASSERT_STRING_EQUAL(e->owner.name, "desktops-prod");
    CU_ASSERT_PTR_NULL(e->target.name);
    /* Between two members, both trusted. */
    e = &s.edges[3];
    CU_ASSERT_FALSE(e->outside_org || e->untrusted);
    CU_ASSERT_STRING_EQUAL(e->target.name, "desktops-dev");
    /* A member that was not audited, named by the Organization only, and not trusted. */
    e = &s.edges[6];
    CU_ASSERT_EQUAL(e->owner.in_org, SHARING_YES);
    CU_ASSERT_EQUAL(e->owner.trusted, SHARING_NO);
    CU_ASSERT_STRING_EQUAL(e->owner.name, "partners");
    CU_ASSERT_TRUE(!e->outside_org && e->untrusted);
    /* Outside the Organization but trusted. */
    e = &s.edges[7];
    CU_ASSERT_EQUAL(e->owner.in_org, SHARING_NO);
    CU_ASSERT_EQUAL(e->owner.trusted, SHARING_YES);
    CU_ASSERT_TRUE(e->outside_org && !e->untrusted);
    /* An unknown owner is neither a member nor not one. */
    e = &s.edges[0];
    CU_ASSERT_EQUAL(e->owner.in_org, SHARING_UNKNOWN);
    CU_ASSERT_EQUAL(e->owner.trusted, SHARING_UNKNOWN);
    CU_ASSERT_FALSE(e->outside_org || e->untrusted);
    CU_ASSERT_EQUAL(s.n_outside_org, 3);
    CU_ASSERT_EQUAL(s.n_untrusted, 3);
    done(&f, &t, &s);
}

static void test_sharing__without_an_organization_or_trusted_accounts_nothing_is_claimed(void)
{
    report_fixture f;
    tally t;
    sharing s;

    fixture_load(&f, "sharing.json");
    fixture_forget_sharing_context(&f.r);
    compute(&f, &t, &s);
    CU_ASSERT_FALSE(s.has_organization || s.trust_known);
    CU_ASSERT_EQUAL_FATAL(s.n_edges, 8);
    for (size_t i = 0; i < s.n_edges; i++) {
        const sharing_edge *e = &s.edges[i];

        CU_ASSERT_TRUE(e->owner.in_org == SHARING_UNKNOWN && e->target.in_org == SHARING_UNKNOWN);
        CU_ASSERT_TRUE(e->owner.trusted == SHARING_UNKNOWN && e->target.trusted == SHARING_UNKNOWN);
        CU_ASSERT_FALSE(e->outside_org || e->untrusted);
    }
    CU_ASSERT_EQUAL(s.n_outside_org, 0);
    CU_ASSERT_EQUAL(s.n_untrusted, 0);
    /* Without the members, an account the snapshot does not name has no name. */
    CU_ASSERT_PTR_NULL(s.edges[6].owner.name);
    sharing_free(&s);
    tally_free(&t);
    /* An Organization, and a trusted list that is known to be empty: every account is untrusted. */
    f.r.org_accounts = f.org;
    f.r.n_org_accounts = 3;
    f.r.has_organization = 1;
    f.r.trust_known = 1;
    compute(&f, &t, &s);
    CU_ASSERT_EQUAL(s.edges[3].owner.trusted, SHARING_NO);
    CU_ASSERT_EQUAL(s.n_untrusted, 8); /* each share names at least one known account */
    done(&f, &t, &s);
}

static void test_sharing__nothing_shared(void)
{
    report_fixture f;
    tally t;
    sharing s;

    load(&f, "empty.json", &t, &s);
    CU_ASSERT_EQUAL(s.n_edges, 0);
    CU_ASSERT_EQUAL(s.n_byol, 0);
    CU_ASSERT_EQUAL(s.n_owners + s.n_targets, 0);
    done(&f, &t, &s);
}

/* An entry of a snapshot's accounts[]. */
static cJSON *account_item(const char *id)
{
    cJSON *a = cJSON_CreateObject();

    cJSON_AddStringToObject(a, "id", id);
    return a;
}

/*
 * 100,000 shares (10,000 images in 100 audited accounts, each shared with 10 of 20,000 accounts; 1,000 of
 * them also seen from the receiving account), 10,100 members, 5,100 trusted: every lookup a binary
 * search, and the shares sorted once.
 */
static void test_sharing__many_shares_stay_n_log_n(void)
{
    enum { N_OWNERS = 100, N_IMAGES = 10000, PER_IMAGE = 10, N_TARGETS = 20000, N_SEEN_IN = 100 };
    static char owners[N_OWNERS][13], targets[N_TARGETS][13], ids[N_IMAGES][16];
    size_t n_res = N_IMAGES + N_SEEN_IN * PER_IMAGE, k = 0, want_outside = 0, want_untrusted = 0;
    snap_resource *res = calloc(n_res, sizeof(*res));
    snap_org_account *members = calloc(N_OWNERS + N_TARGETS / 2, sizeof(*members));
    const char **trusted = calloc(N_OWNERS + N_TARGETS / 4, sizeof(*trusted));
    cJSON *snap = cJSON_CreateObject(), *accounts = cJSON_AddArrayToObject(snap, "accounts");
    cJSON *datas = cJSON_CreateArray();
    size_t n_members = 0, n_trusted = 0, both = 0;
    results r;
    tally t;
    sharing s;
    ia_err err;
    double t0, secs;

    CU_ASSERT_FATAL(res && members && trusted && snap && datas);
    for (size_t i = 0; i < N_OWNERS; i++) {
        snprintf(owners[i], sizeof(owners[i]), "1000000000%02zu", i);
        cJSON_AddItemToArray(accounts, account_item(owners[i]));
        members[n_members++] = (snap_org_account){owners[i], NULL, "ACTIVE", "o-big"};
        trusted[n_trusted++] = owners[i];
    }
    for (size_t i = 0; i < N_TARGETS; i++) {
        snprintf(targets[i], sizeof(targets[i]), "2000000%05zu", i);
        if (i < N_SEEN_IN * PER_IMAGE) /* the first 1,000 were audited too */
            cJSON_AddItemToArray(accounts, account_item(targets[i]));
        if (i % 2 == 0)
            members[n_members++] = (snap_org_account){targets[i], NULL, "ACTIVE", "o-big"};
        if (i % 4 == 0)
            trusted[n_trusted++] = targets[i];
    }
    /* Images in an order unlike the sorted one: image i in account (i * 37) % 100. */
    for (size_t i = 0; i < N_IMAGES; i++) {
        cJSON *data = cJSON_CreateObject(), *perms = cJSON_AddArrayToObject(data, "Permissions");

        snprintf(ids[i], sizeof(ids[i]), "wsi-%08zu", (i * 7919) % N_IMAGES);
        cJSON_AddStringToObject(data, "ImageType", "OWNED");
        for (size_t p = 0; p < PER_IMAGE; p++) {
            size_t target = (i * PER_IMAGE + p) % N_TARGETS;
            cJSON *perm = cJSON_CreateObject();

            cJSON_AddStringToObject(perm, "SharedAccountId", targets[target]);
            cJSON_AddItemToArray(perms, perm);
            want_outside += target % 2 != 0;
            want_untrusted += target % 4 != 0;
        }
        cJSON_AddItemToArray(datas, data);
        res[k++] =
            (snap_resource){"workspaces_image", ids[i], NULL, owners[(i * 37) % N_OWNERS], "eu-west-1", data};
    }
    /* Images 0 to 99 share with targets 0 to 999, which were audited and list them as shared in. */
    for (size_t i = 0; i < N_SEEN_IN; i++) {
        for (size_t p = 0; p < PER_IMAGE; p++) {
            cJSON *data = cJSON_CreateObject();

            cJSON_AddStringToObject(data, "ImageType", "SHARED");
            cJSON_AddStringToObject(data, "OwnerAccountId", owners[(i * 37) % N_OWNERS]);
            cJSON_AddItemToArray(datas, data);
            res[k++] = (snap_resource){"workspaces_image",         ids[i],      NULL,
                                       targets[i * PER_IMAGE + p], "eu-west-1", data};
        }
    }
    memset(&r, 0, sizeof(r));
    r.snapshot = snap;
    for (size_t i = 0; i < n_res; i++)
        CU_ASSERT_EQUAL_FATAL(results_add_resource(&r, &res[i]), 0);
    r.org_accounts = members;
    r.n_org_accounts = n_members;
    r.has_organization = 1;
    r.trusted = trusted;
    r.n_trusted = n_trusted;
    r.trust_known = 1;
    t0 = testutil_cpu_seconds();
    CU_ASSERT_EQUAL_FATAL(tally_compute(&r, &t, &err), 0);
    CU_ASSERT_EQUAL_FATAL(sharing_compute(&r, &t, &s, &err), 0);
    secs = testutil_cpu_seconds() - t0;
    fprintf(stderr, "\n  %zu shares worked out in %.2f s of CPU\n", s.n_edges, secs);
    /* About 0.15 s here, under a second with AddressSanitizer; a linear search of the members per share
     * (2 * 10^9 comparisons) takes far longer, a comparison of every share with every other, hours. */
    CU_ASSERT(secs < 5.0);
    CU_ASSERT_EQUAL(s.n_edges, (size_t)N_IMAGES * PER_IMAGE);
    CU_ASSERT_EQUAL(s.n_outside_org, want_outside);
    CU_ASSERT_EQUAL(s.n_untrusted, want_untrusted);
    CU_ASSERT_EQUAL(s.n_owners, N_OWNERS);
    CU_ASSERT_EQUAL(s.n_targets, N_TARGETS);
    for (size_t i = 0; i < s.n_edges; i++) {
        const sharing_edge *a = &s.edges[i];

        both += a->seen_from == (SHARING_SEEN_OWNER | SHARING_SEEN_RECIPIENT);
        if (i) {
            const sharing_edge *b = &s.edges[i - 1];
            int c = strcmp(b->owner.account, a->owner.account);

            if (!c)
                c = strcmp(b->res->id, a->res->id);
            if (!c)
                c = strcmp(b->target.account, a->target.account);
            CU_ASSERT(c < 0); /* strictly sorted: each share once */
        }
    }
    CU_ASSERT_EQUAL(both, N_SEEN_IN * PER_IMAGE);
    sharing_free(&s);
    tally_free(&t);
    r.org_accounts = NULL;
    r.trusted = NULL;
    results_free(&r);
    cJSON_Delete(datas);
    cJSON_Delete(snap);
    free(trusted);
    free(members);
    free(res);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"image_facts_from_its_record", test_sharing__image_facts_from_its_record},
        {"one_entry_per_share_seen_from_either_side",
         test_sharing__one_entry_per_share_seen_from_either_side},
        {"membership_trust_and_names_with_an_organization",
         test_sharing__membership_trust_and_names_with_an_organization},
        {"without_an_organization_or_trusted_accounts_nothing_is_claimed",
         test_sharing__without_an_organization_or_trusted_accounts_nothing_is_claimed},
        {"nothing_shared", test_sharing__nothing_shared},
        {"many_shares_stay_n_log_n", test_sharing__many_shares_stay_n_log_n},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("sharing", tests);
}
