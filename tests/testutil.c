#include "testutil.h"

#include <CUnit/Basic.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int testutil_run(const char *suite, CU_TestInfo *tests)
{
    CU_SuiteInfo suites[] = {
        {suite, NULL, NULL, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    unsigned failed;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    if (CU_register_suites(suites) != CUE_SUCCESS) {
        CU_cleanup_registry();
        return 1;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    if (CU_get_number_of_tests_run() == 0)
        failed = 1;
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);

    return v && *v ? v : fallback;
}

double testutil_cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *testutil_data_path(const char *rel)
{
    static char path[4096];

    snprintf(path, sizeof(path), "%s/tests/data/%s", env_or("IMGAUDIT_SOURCE_DIR", "."), rel);
    return path;
}

char *testutil_read_file(const char *path, size_t *len_out)
{
    FILE *fp = fopen(path, "rb");
    char *data = NULL;
    long size;

    if (!fp)
        return NULL;
    if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0)
        goto out;
    data = malloc((size_t)size + 1);
    if (!data)
        goto out;
    if (fread(data, 1, (size_t)size, fp) != (size_t)size) {
        free(data);
        data = NULL;
        goto out;
    }
    data[size] = '\0';
    if (len_out)
        *len_out = (size_t)size;
out:
    fclose(fp);
    return data;
}

char *testutil_write_temp(const char *text)
{
    char tmpl[] = "/tmp/imgaudit-test-XXXXXX";
    int fd = mkstemp(tmpl);
    size_t len = strlen(text);

    if (fd < 0)
        return NULL;
    if (write(fd, text, len) != (ssize_t)len) {
        close(fd);
        unlink(tmpl);
        return NULL;
    }
    close(fd);
    return strdup(tmpl);
}

char *testutil_command_output(const char *cmd, int *status)
{
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    FILE *p = popen(cmd, "r");
    char chunk[512];
    size_t n;

    if (!mem || !p) {
        if (mem)
            fclose(mem);
        free(out);
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
        fwrite(chunk, 1, n, mem);
    *status = pclose(p);
    fclose(mem);
    return out;
}

/* What write writes, owned; NULL when it fails. */
static char *written_by(int (*write)(FILE *fp, ia_err *err))
{
    testutil_mem m;
    FILE *fp = testutil_mem_open(&m);
    char *text;
    ia_err err;
    int rc;

    err_clear(&err);
    rc = write(fp, &err);
    text = testutil_mem_close(&m, NULL);
    if (rc != 0) {
        fprintf(stderr, "generator failed: %s\n", err.msg);
        free(text);
        return NULL;
    }
    return text;
}

FILE *testutil_mem_open(testutil_mem *m)
{
    m->text = NULL;
    m->len = 0;
    m->fp = open_memstream(&m->text, &m->len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m->fp);
    return m->fp;
}

char *testutil_mem_close(testutil_mem *m, size_t *len)
{
    fclose(m->fp);
    m->fp = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(m->text);
    if (len)
        *len = m->len;
    return m->text;
}

FILE *testutil_dev_full(void)
{
    FILE *fp = fopen("/dev/full", "w");

    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    return fp;
}

char *testutil_built_file(const char *env, int (*write)(FILE *fp, ia_err *err), char *path, size_t size)
{
    const char *built = getenv(env);
    char *now = written_by(write), *text, *tmp;

    if (!now)
        return NULL;
    if (built && *built) {
        snprintf(path, size, "%s", built);
        text = testutil_read_file(built, NULL);
        CU_ASSERT_PTR_NOT_NULL(text);
        if (text)
            CU_ASSERT_STRING_EQUAL(text, now);
        free(now);
        return text;
    }
    tmp = testutil_write_temp(now);
    if (!tmp) {
        free(now);
        return NULL;
    }
    snprintf(path, size, "%s", tmp);
    free(tmp);
    return now;
}

double testutil_xpath_num(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr obj = ctx ? xmlXPathEvalExpression((const xmlChar *)expr, ctx) : NULL;
    double v = obj ? xmlXPathCastToNumber(obj) : -1;

    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    return v;
}

char *testutil_xpath_str(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr obj = ctx ? xmlXPathEvalExpression((const xmlChar *)expr, ctx) : NULL;
    xmlChar *s = obj ? xmlXPathCastToString(obj) : NULL;
    char *out = strdup(s ? (const char *)s : "");

    xmlFree(s);
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    return out;
}

void testutil_assert_xpath_str(xmlDocPtr doc, const char *expr, const char *want)
{
    char *got = testutil_xpath_str(doc, expr);

    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n  %s: got '%s', want '%s'\n", expr, got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    free(got);
}

void testutil_diags_errors_only(rules_diags *diags)
{
    size_t kept = 0;

    for (size_t i = 0; i < diags->n; i++) {
        if (diags->items[i].level != RULES_DIAG_ERROR) {
            free(diags->items[i].file);
            free(diags->items[i].msg);
            continue;
        }
        diags->items[kept++] = diags->items[i];
    }
    diags->n = kept;
    diags->n_warnings = 0;
}

const char *testutil_untimed(const char *s)
{
    return strlen(s) > 21 && s[4] == '-' && s[10] == 'T' && s[19] == 'Z' && s[20] == ' ' ? s + 21 : s;
}
