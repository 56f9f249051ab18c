/*
 * Which files a command line may not name twice (src/cli/paths.c), the
 * report list every output check walks (reportopts_outputs), and the
 * closest-name search behind "did you mean" (src/util/nearest.c).
 */
/* realpath, mkdtemp */
#define _DEFAULT_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/paths.h"
#include "cli/reportopts.h"
#include "testutil.h"
#include "util/nearest.h"

static char g_dir[PATH_MAX];

/* Checks outputs (what, path pairs up to a NULL) against inputs; returns cli_paths_check's result. */
static int check(const char *const *outs, const char *const *ins, ia_err *err)
{
    cli_paths o = {0}, i = {0};
    int rc;

    for (size_t k = 0; outs[k]; k += 2)
        CU_ASSERT_EQUAL_FATAL(cli_paths_add(&o, outs[k], outs[k + 1], err), 0);
    for (size_t k = 0; ins && ins[k]; k += 2)
        CU_ASSERT_EQUAL_FATAL(cli_paths_add(&i, ins[k], ins[k + 1], err), 0);
    err_clear(err);
    rc = cli_paths_check(&o, &i, err);
    cli_paths_free(&o);
    cli_paths_free(&i);
    return rc;
}

static void touch(const char *name)
{
    FILE *fp = fopen(name, "w");

    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fclose(fp);
}

static void test_cli_paths__an_output_over_an_input(void)
{
    ia_err err;

    touch("s.json");
    CU_ASSERT_EQUAL(check((const char *[]){"--json", "s.json", NULL},
                          (const char *[]){"the snapshot", "s.json", NULL}, &err),
                    -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_USAGE);
    CU_ASSERT_STRING_EQUAL(err.msg, "--json and the snapshot name the same file 's.json'");
    /* Another name for the same file: ./x, a symlink, an absolute path. */
    CU_ASSERT_EQUAL(check((const char *[]){"--html", "./s.json", NULL},
                          (const char *[]){"--rules", "r.yaml", "the snapshot", "s.json", NULL}, &err),
                    -1);
    CU_ASSERT_STRING_EQUAL(err.msg, "--html and the snapshot name the same file 's.json'");
    CU_ASSERT_EQUAL(symlink("s.json", "link.json"), 0);
    CU_ASSERT_EQUAL(check((const char *[]){"--json", "link.json", NULL},
                          (const char *[]){"--baseline", "s.json", NULL}, &err),
                    -1);
    CU_ASSERT_STRING_EQUAL(err.msg, "--json and --baseline name the same file 's.json'");
    /* Different files are fine, and inputs may share one. */
    touch("other.json");
    CU_ASSERT_EQUAL(check((const char *[]){"--json", "other.json", NULL},
                          (const char *[]){"the snapshot", "s.json", "--baseline", "link.json", NULL}, &err),
                    0);
}

static void test_cli_paths__two_outputs_not_written_yet(void)
{
    char abs[PATH_MAX + 16];
    ia_err err;

    CU_ASSERT_EQUAL(check((const char *[]){"--json", "new.json", "--junit", "./new.json", NULL}, NULL, &err),
                    -1);
    CU_ASSERT_STRING_EQUAL(err.msg, "--json and --junit name the same file './new.json'");
    snprintf(abs, sizeof(abs), "%s/new.json", g_dir);
    CU_ASSERT_EQUAL(check((const char *[]){"--json", abs, "--snapshot-out", "new.json", NULL}, NULL, &err),
                    -1);
    CU_ASSERT_EQUAL(mkdir("sub", 0700), 0);
    CU_ASSERT_EQUAL(
        check((const char *[]){"--json", "sub/../new.json", "--html", "new.json", NULL}, NULL, &err), -1);
    CU_ASSERT_EQUAL(check((const char *[]){"--json", "sub/new.json", "--html", "new.json", NULL}, NULL, &err),
                    0);
    CU_ASSERT_PTR_NULL(strstr(err.msg, "same file"));
}

static void test_cli_paths__stdout_and_devices_name_no_file(void)
{
    ia_err err;

    CU_ASSERT_EQUAL(check((const char *[]){"--json", "-", "--output", "-", NULL},
                          (const char *[]){"the snapshot", "-", NULL}, &err),
                    0);
    CU_ASSERT_EQUAL(check((const char *[]){"--json", "/dev/null", "--junit", "/dev/null", NULL}, NULL, &err),
                    0);
    /* Nothing given, nothing to compare. */
    CU_ASSERT_EQUAL(
        check((const char *[]){"--json", NULL, NULL}, (const char *[]){"--baseline", NULL, NULL}, &err), 0);
}

static void test_cli_paths__reports_are_listed_once_for_every_check(void)
{
    reportopts ro;
    cli_path out[REPORTOPTS_OUTPUTS_MAX];
    ia_err err;

    reportopts_init(&ro);
    ro.json = "r.json";
    ro.html = "-";
    CU_ASSERT_EQUAL_FATAL(reportopts_outputs(&ro, out), 2);
    CU_ASSERT_STRING_EQUAL(out[0].what, "--json");
    CU_ASSERT_STRING_EQUAL(out[1].what, "--html");
    CU_ASSERT(reportopts_report_on_stdout(&ro));
    err_clear(&err);
    CU_ASSERT_EQUAL(reportopts_check(&ro, &err), 0);
    ro.junit = "-";
    CU_ASSERT_EQUAL(reportopts_check(&ro, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.msg, "only one report can go to stdout ('-'): --junit and --html both do");
    reportopts_clean_up(&ro);
}

static void test_cli_paths__nearest_name(void)
{
    static const char *const names[] = {"rules", "region", "regions", "concurrency", "output", "n"};
    static const struct {
        const char *word, *want;
    } cases[] = {
        {"rule", "rules"},     {"regoins", "regions"},
        {"regin", "region"},   {"conc", "concurrency"},
        {"outptu", "output"},  {"q", NULL},
        {"colour", NULL},      {"", NULL},
        {"eu-centrl-1", NULL}, {"re", NULL},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        nearest near;

        nearest_init(&near, cases[i].word, strlen(cases[i].word));
        for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++)
            nearest_offer(&near, names[j]);
        if (cases[i].want) {
            CU_ASSERT(nearest_found(&near) && strcmp(nearest_found(&near), cases[i].want) == 0);
        } else {
            CU_ASSERT_PTR_NULL(nearest_found(&near));
        }
    }
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"an_output_over_an_input", test_cli_paths__an_output_over_an_input},
        {"two_outputs_not_written_yet", test_cli_paths__two_outputs_not_written_yet},
        {"stdout_and_devices_name_no_file", test_cli_paths__stdout_and_devices_name_no_file},
        {"reports_are_listed_once_for_every_check", test_cli_paths__reports_are_listed_once_for_every_check},
        {"nearest_name", test_cli_paths__nearest_name},
        CU_TEST_INFO_NULL,
    };
    static const char *const made[] = {"s.json", "link.json", "other.json"};
    char tmpl[] = "/tmp/imgaudit-test-paths-XXXXXX";
    int rc;

    /* The files are made in a private directory, which is the working directory while the tests run. */
    if (!mkdtemp(tmpl) || !realpath(tmpl, g_dir) || chdir(g_dir) != 0)
        return 1;
    rc = testutil_run("cli_paths", tests);
    for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
        unlink(made[i]);
    rmdir("sub");
    if (chdir("/") != 0 || rmdir(g_dir) != 0)
        return 1;
    return rc;
}
