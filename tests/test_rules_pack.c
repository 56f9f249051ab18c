/*
 * The built-in rule pack (rules/): what the issue requires of it, its own
 * examples, and its verdicts on a hand-written snapshot
 * (tests/data/rules/snapshots/pack.json), whose expected failures are
 * listed in pack.expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/evaluate.h"
#include "testutil.h"

static char g_pack[4096];

static const char *pack_dir(void)
{
    const char *src = getenv("IMGAUDIT_SOURCE_DIR");

    snprintf(g_pack, sizeof(g_pack), "%s/rules", src && *src ? src : ".");
    return g_pack;
}

/* Loads the pack with extra vars files (paths under tests/data/rules). Owned; NULL on failure. */
static rules_set *load_pack(const char *vars_rel)
{
    char vars_path[4096];
    const char *dir = pack_dir(), *vp = vars_path;
    rules_set *set = NULL;
    rules_diags diags;
    ia_err err;

    if (vars_rel)
        snprintf(vars_path, sizeof(vars_path), "%s", testutil_data_path(vars_rel));
    rules_diags_init(&diags);
    if (rules_load(&dir, 1, &vp, vars_rel ? 1 : 0, &set, &diags, &err) != 0) {
        rules_diags_print(&diags, stderr, "    pack: ", NULL, false);
        set = NULL;
    }
    rules_diags_free(&diags);
    return set;
}

typedef struct pack_run {
    rules_set *set;
    waivers *w;
    snapshot_doc *snap;
    results res;
} pack_run;

/* Judges the fixture snapshot as if collected with --org, its Organization's members being org[0..n_org). */
static int pack_eval_org(pack_run *r, const char *vars_rel, int with_waivers, const char *const *org,
                         size_t n_org)
{
    char wpath[4096];
    const char *wp = wpath;
    rules_diags diags;
    rules_clock clock;
    ia_err err;

    memset(r, 0, sizeof(*r));
    r->set = load_pack(vars_rel);
    if (!r->set)
        return -1;
    snprintf(wpath, sizeof(wpath), "%s", testutil_data_path("rules/waivers/pack.yaml"));
    rules_diags_init(&diags);
    if (with_waivers && waivers_load(&wp, 1, &r->w, &diags, &err) != 0) {
        rules_diags_free(&diags);
        return -1;
    }
    rules_diags_free(&diags);
    if (rules_clock_init(&clock, "2026-11-25", &err) != 0 ||
        snapshot_doc_read(testutil_data_path("rules/snapshots/pack.json"), &r->snap, &err) != 0 ||
        rules_set_org_accounts(r->set, org, n_org, &err) != 0 ||
        rules_evaluate(r->set, r->w, r->snap, &clock, &r->res, &err) != 0) {
        fprintf(stderr, "\n    %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int pack_eval(pack_run *r, const char *vars_rel, int with_waivers)
{
    return pack_eval_org(r, vars_rel, with_waivers, NULL, 0);
}

static void pack_run_free(pack_run *r)
{
    results_free(&r->res);
    snapshot_doc_free(r->snap);
    waivers_free(r->w);
    rules_set_free(r->set);
}

static const result *find(const results *res, const char *rule, const char *resource)
{
    for (size_t i = 0; i < res->n_items; i++) {
        const result *it = &res->items[i];

        if (strcmp(res->rules[it->rule].id, rule) == 0 &&
            strcmp(res->resources[it->resource].id, resource) == 0)
            return it;
    }
    return NULL;
}

static result_status status_of(const results *res, const char *rule, const char *resource)
{
    const result *it = find(res, rule, resource);

    CU_ASSERT_PTR_NOT_NULL(it);
    return it ? it->status : RESULT_PASS;
}

static void test_rules_pack__required_rules(void)
{
    static const struct {
        const char *id, *resource;
        severity sev;
    } required[] = {
        {"workspaces-image-byol-shared", "workspaces_image", SEV_CRITICAL},
        {"workspaces-image-update-available", "workspaces_image", SEV_MEDIUM},
        {"workspaces-image-error-code", "workspaces_image", SEV_HIGH},
        {"workspaces-image-shared-untrusted", "workspaces_image", SEV_HIGH},
        {"workspaces-image-from-untrusted-owner", "workspaces_image", SEV_HIGH},
        {"workspaces-image-error-state", "workspaces_image", SEV_MEDIUM},
        {"workspaces-image-stale", "workspaces_image", SEV_LOW},
        {"appstream-builder-internet-access", "appstream_image_builder", SEV_MEDIUM},
        {"appstream-builder-failed", "appstream_image_builder", SEV_MEDIUM},
        {"appstream-builder-no-access-endpoints", "appstream_image_builder", SEV_LOW},
        {"appstream-image-shared-untrusted", "appstream_image", SEV_HIGH},
        {"appstream-image-from-untrusted-owner", "appstream_image", SEV_HIGH},
    };
    rules_set *set = load_pack(NULL);
    long i;

    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    for (size_t k = 0; k < sizeof(required) / sizeof(required[0]); k++) {
        i = rules_set_find(set, required[k].id);
        CU_ASSERT(i >= 0);
        if (i < 0) {
            fprintf(stderr, "\n    missing rule %s\n", required[k].id);
            continue;
        }
        CU_ASSERT_EQUAL(rules_set_info(set, (size_t)i)->sev, required[k].sev);
        CU_ASSERT_STRING_EQUAL(rules_set_info(set, (size_t)i)->resource_type, required[k].resource);
    }
    i = rules_set_find(set, "workspaces-image-update-available");
    CU_ASSERT_FATAL(i >= 0);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(rules_set_info(set, (size_t)i)->remediation, "CreateUpdatedWorkspaceImage"));
    rules_set_free(set);
}

static void test_rules_pack__every_rule_is_documented_and_named(void)
{
    rules_set *set = load_pack(NULL);
    cJSON *data = cJSON_Parse("{\"ImageId\":\"wsi-probe\",\"Name\":\"probe-name\"}");
    snap_resource ref = {"workspaces_image", "wsi-probe", NULL, "111122223333", "eu-west-1", NULL};
    rules_clock clock;
    ia_err err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    CU_ASSERT_EQUAL_FATAL(rules_clock_init(&clock, "2026-11-25", &err), 0);
    ref.data = data;
    for (size_t i = 0; i < rules_set_count(set); i++) {
        const rule_info *ri = rules_set_info(set, i);
        char *msg = rules_rule_message(set, i, &ref, &clock);

        CU_ASSERT_PTR_NOT_NULL(ri->description);
        CU_ASSERT_PTR_NOT_NULL(ri->remediation);
        /* The message names the resource and where it is. */
        CU_ASSERT_PTR_NOT_NULL(msg);
        if (msg) {
            CU_ASSERT_PTR_NOT_NULL(strstr(msg, "probe-name"));
            CU_ASSERT_PTR_NOT_NULL(strstr(msg, "111122223333/eu-west-1"));
            if (!strstr(msg, "probe-name"))
                fprintf(stderr, "\n    %s: message '%s' does not name the resource\n", ri->id, msg);
        }
        free(msg);
    }
    cJSON_Delete(data);
    rules_set_free(set);
}

static void test_rules_pack__examples_pass(void)
{
    rules_set *set = load_pack(NULL);
    rules_test_summary sum;
    rules_clock clock;
    ia_err err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    CU_ASSERT_EQUAL_FATAL(rules_clock_init(&clock, "2026-11-25", &err), 0);
    CU_ASSERT_EQUAL(rules_run_tests(set, &clock, stderr, &sum), 0);
    CU_ASSERT_EQUAL(sum.rules, rules_set_count(set));
    CU_ASSERT_EQUAL(sum.tested, sum.rules);
    CU_ASSERT_EQUAL(sum.untested, 0);
    CU_ASSERT_EQUAL(sum.failed, 0);
    /* At least one example that must fail and one that must pass per rule. */
    CU_ASSERT(sum.examples >= 2 * sum.rules);
    rules_set_free(set);
}

static void test_rules_pack__fixture_snapshot(void)
{
    char *expected = testutil_read_file(testutil_data_path("rules/snapshots/pack.expected"), NULL);
    char *line, *next;
    size_t listed = 0, non_pass = 0;
    pack_run r;

    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    if (pack_eval(&r, "rules/vars/trusted.yaml", 1) != 0) {
        CU_FAIL("evaluation failed");
        free(expected);
        return;
    }
    /* 15 resources: 9 WorkSpaces images x 7 rules, 3 builders x 3, 3 AppStream images x 2. */
    CU_ASSERT_EQUAL(r.res.n_items, 9 * 7 + 3 * 3 + 3 * 2);
    for (line = expected; line && *line; line = next) {
        char rule[128], resource[128], status[16];

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        CU_ASSERT_EQUAL_FATAL(sscanf(line, "%127s %127s %15s", rule, resource, status), 3);
        listed++;
        {
            const result *it = find(&r.res, rule, resource);

            CU_ASSERT_PTR_NOT_NULL(it);
            if (it && strcmp(result_status_name(it->status), status) != 0) {
                fprintf(stderr, "\n    %s %s: got %s, expected %s\n", rule, resource,
                        result_status_name(it->status), status);
                CU_FAIL("verdict differs from pack.expected");
            }
        }
    }
    /* Everything not listed passes. */
    for (size_t i = 0; i < r.res.n_items; i++) {
        const result *it = &r.res.items[i];

        if (it->status == RESULT_PASS) {
            CU_ASSERT_PTR_NULL(it->message);
            continue;
        }
        non_pass++;
        /* A failure's message names its resource. */
        CU_ASSERT_PTR_NOT_NULL(it->message);
        if (it->message)
            CU_ASSERT_PTR_NOT_NULL(strstr(it->message, r.res.resources[it->resource].id));
    }
    CU_ASSERT_EQUAL(listed, 11);
    CU_ASSERT_EQUAL(non_pass, listed);
    CU_ASSERT_STRING_EQUAL(find(&r.res, "workspaces-image-shared-untrusted", "wsi-00000005")->message,
                           "Image shared-out (wsi-00000005) in 111122223333/eu-west-1 is shared with "
                           "untrusted 999988887777");
    pack_run_free(&r);
    free(expected);
}

static void test_rules_pack__defaults_trust_no_account(void)
{
    pack_run r;

    /* Without a trusted_accounts list, every share and every shared-in image is reported. */
    if (pack_eval(&r, NULL, 0) != 0) {
        CU_FAIL("evaluation failed");
        return;
    }
    CU_ASSERT_EQUAL(status_of(&r.res, "workspaces-image-shared-untrusted", "wsi-00000002"), RESULT_FAIL);
    CU_ASSERT_EQUAL(status_of(&r.res, "workspaces-image-from-untrusted-owner", "wsi-00000007"), RESULT_FAIL);
    CU_ASSERT_EQUAL(status_of(&r.res, "appstream-image-shared-untrusted", "app-partner"), RESULT_FAIL);
    /* No waivers: the stale image fails. */
    CU_ASSERT_EQUAL(status_of(&r.res, "workspaces-image-stale", "wsi-00000008"), RESULT_FAIL);
    /* Images nobody shared stay clean. */
    CU_ASSERT_EQUAL(status_of(&r.res, "workspaces-image-shared-untrusted", "wsi-00000001"), RESULT_PASS);
    CU_ASSERT_EQUAL(
        status_of(&r.res, "appstream-image-shared-untrusted", "AppStream-WinServer2019-06-17-2024"),
        RESULT_PASS);
    pack_run_free(&r);
}

static void test_rules_pack__organization_members_are_trusted_unless_turned_off(void)
{
    const char *org[] = {"444455556666"};
    pack_run r;

    if (pack_eval_org(&r, NULL, 0, org, 1) != 0) {
        CU_FAIL("evaluation failed");
        return;
    }
    /* Shared with a member only: trusted. Shared with a member and an outsider: the outsider is named. */
    CU_ASSERT_EQUAL(status_of(&r.res, "workspaces-image-shared-untrusted", "wsi-00000002"), RESULT_PASS);
    CU_ASSERT_EQUAL(status_of(&r.res, "workspaces-image-from-untrusted-owner", "wsi-00000007"), RESULT_PASS);
    CU_ASSERT_EQUAL(status_of(&r.res, "appstream-image-shared-untrusted", "app-partner"), RESULT_PASS);
    CU_ASSERT_STRING_EQUAL(find(&r.res, "workspaces-image-shared-untrusted", "wsi-00000005")->message,
                           "Image shared-out (wsi-00000005) in 111122223333/eu-west-1 is shared with "
                           "untrusted 999988887777");
    /* What the reports mark as trusted. */
    CU_ASSERT_EQUAL(r.res.trust_known, 1);
    CU_ASSERT_EQUAL_FATAL(r.res.n_trusted, 1);
    CU_ASSERT_STRING_EQUAL(r.res.trusted[0], "444455556666");
    pack_run_free(&r);
    /* trust_organization: false in a vars file: members are judged like any account. */
    if (pack_eval_org(&r, "rules/vars/no_org_trust.yaml", 0, org, 1) != 0) {
        CU_FAIL("evaluation failed");
        return;
    }
    CU_ASSERT_EQUAL(status_of(&r.res, "workspaces-image-shared-untrusted", "wsi-00000002"), RESULT_FAIL);
    CU_ASSERT_EQUAL(status_of(&r.res, "workspaces-image-from-untrusted-owner", "wsi-00000007"), RESULT_FAIL);
    CU_ASSERT_EQUAL(status_of(&r.res, "appstream-image-shared-untrusted", "app-partner"), RESULT_FAIL);
    CU_ASSERT_EQUAL(r.res.trust_known, 1);
    CU_ASSERT_EQUAL(r.res.n_trusted, 0);
    pack_run_free(&r);
}

static void test_rules_pack__error_codes_come_from_a_variable(void)
{
    pack_run r;

    /* Replacing the list changes the verdicts without touching the rule. */
    if (pack_eval(&r, "rules/vars/error_codes.yaml", 0) != 0) {
        CU_FAIL("evaluation failed");
        return;
    }
    CU_ASSERT_EQUAL(status_of(&r.res, "workspaces-image-error-code", "wsi-00000009"), RESULT_FAIL);
    CU_ASSERT_EQUAL(status_of(&r.res, "workspaces-image-error-code", "wsi-00000004"), RESULT_PASS);
    pack_run_free(&r);
}

static void test_rules_pack__stale_threshold_comes_from_a_variable(void)
{
    pack_run r;

    /* 30 days before 2026-11-25: images created 2026-10-01 are now stale too. */
    if (pack_eval(&r, "rules/vars/max_age.yaml", 0) != 0) {
        CU_FAIL("evaluation failed");
        return;
    }
    CU_ASSERT_EQUAL(status_of(&r.res, "workspaces-image-stale", "wsi-00000001"), RESULT_FAIL);
    CU_ASSERT_EQUAL(status_of(&r.res, "workspaces-image-stale", "wsi-00000009"), RESULT_FAIL);
    /* No Created: not stale. */
    CU_ASSERT_EQUAL(status_of(&r.res, "workspaces-image-stale", "wsi-00000004"), RESULT_PASS);
    pack_run_free(&r);
}

/* Loads paths; the rule count, or -1 (the problems printed) if the set did not load. */
static long load_count(const char *const *paths, size_t n)
{
    rules_set *set = NULL;
    rules_diags diags;
    ia_err err;
    long count = -1;

    rules_diags_init(&diags);
    if (rules_load(paths, n, NULL, 0, &set, &diags, &err) == 0)
        count = (long)rules_set_count(set);
    else
        rules_diags_print(&diags, stderr, "    pack: ", NULL, false);
    CU_ASSERT_EQUAL(diags.n, 0);
    rules_diags_free(&diags);
    rules_set_free(set);
    return count;
}

static void test_rules_pack__a_file_named_twice_is_read_once(void)
{
    char file[4096], dir_dot[4096];
    const char *pack = pack_dir();
    const char *pack_and_file[] = {pack, file}, *dir_twice[] = {pack, dir_dot};
    long once = load_count(&pack, 1);

    snprintf(file, sizeof(file), "%s/workspaces.yaml", pack);
    snprintf(dir_dot, sizeof(dir_dot), "%s/./", pack);
    CU_ASSERT_FATAL(once > 0);
    /* The pack and one of its files again, or the pack's directory named twice under two spellings. */
    CU_ASSERT_EQUAL(load_count(pack_and_file, 2), once);
    CU_ASSERT_EQUAL(load_count(dir_twice, 2), once);
}

static void test_rules_pack__located_by_environment_or_program(void)
{
    char out[4096];
    ia_err err;

    /* IMGAUDIT_RULES_DIR first. */
    CU_ASSERT_EQUAL_FATAL(setenv("IMGAUDIT_RULES_DIR", testutil_data_path("rules/dirs/pack"), 1), 0);
    CU_ASSERT_EQUAL(rules_pack_dir(out, sizeof(out), &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "tests/data/rules/dirs/pack"));
    CU_ASSERT_EQUAL_FATAL(setenv("IMGAUDIT_RULES_DIR", testutil_data_path("rules/no-such-dir"), 1), 0);
    CU_ASSERT_EQUAL(rules_pack_dir(out, sizeof(out), &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    unsetenv("IMGAUDIT_RULES_DIR");
    /* Then beside the program: this test runs from the build directory, one level below rules/. */
    CU_ASSERT_EQUAL(rules_pack_dir(out, sizeof(out), &err), 0);
    CU_ASSERT(strlen(out) > 6 && strcmp(out + strlen(out) - 6, "/rules") == 0);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"required_rules", test_rules_pack__required_rules},
        {"every_rule_is_documented_and_named", test_rules_pack__every_rule_is_documented_and_named},
        {"examples_pass", test_rules_pack__examples_pass},
        {"fixture_snapshot", test_rules_pack__fixture_snapshot},
        {"defaults_trust_no_account", test_rules_pack__defaults_trust_no_account},
        {"organization_members_are_trusted_unless_turned_off",
         test_rules_pack__organization_members_are_trusted_unless_turned_off},
        {"error_codes_come_from_a_variable", test_rules_pack__error_codes_come_from_a_variable},
        {"stale_threshold_comes_from_a_variable", test_rules_pack__stale_threshold_comes_from_a_variable},
        {"a_file_named_twice_is_read_once", test_rules_pack__a_file_named_twice_is_read_once},
        {"located_by_environment_or_program", test_rules_pack__located_by_environment_or_program},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("rules_pack", tests);
}
