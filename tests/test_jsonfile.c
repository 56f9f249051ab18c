/* Reading JSON within bounds: nesting, a parse budget counted before parsing, and bytes refused as they
 * arrive. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "util/buf.h"
#include "util/jsonfile.h"

/* {"a":[ITEM,ITEM,...]} of about size bytes. Owned (free). */
static char *repeated(const char *item, size_t size, size_t *len)
{
    buf b;

    buf_init(&b, size + 1024);
    CU_ASSERT_EQUAL_FATAL(buf_puts(&b, "{\"a\":["), 0);
    while (b.len < size && buf_puts(&b, item) == 0 && buf_putc(&b, ',') == 0)
        ;
    CU_ASSERT_EQUAL_FATAL(buf_puts(&b, item), 0);
    CU_ASSERT_EQUAL_FATAL(buf_puts(&b, "]}"), 0);
    *len = b.len;
    return buf_detach(&b);
}

/* count arrays nested in each other: [[[...]]]. Owned (free). */
static char *nested(int count)
{
    char *text = malloc((size_t)count * 2 + 1);

    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    memset(text, '[', (size_t)count);
    memset(text + count, ']', (size_t)count);
    text[count * 2] = '\0';
    return text;
}

static void test_jsonfile__dense_text_is_refused_before_parsing(void)
{
    /* Small numbers cost cJSON 80 bytes each for 2 bytes of text: 40 times; refused before a byte is
     * allocated. */
    size_t len;
    char *dense = repeated("0", 4 << 20, &len);
    char *names =
        repeated("{\"ImageId\":\"wsi-0123456789\",\"State\":\"AVAILABLE\",\"Owner\":null}", 4 << 20, &len);
    cJSON *root = NULL;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL(json_parse_text("dense.json", dense, strlen(dense), "a snapshot", &root, &err), -1);
    CU_ASSERT_PTR_NULL(root);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_STRING_EQUAL(err.file, "dense.json");
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "too many values to parse (limit 33 MiB in memory: 8 times the"));
    /* The same size of what images look like parses (about 5 times its size). */
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(json_parse_text("names.json", names, len, "a snapshot", &root, &err), 0);
    CU_ASSERT_TRUE(cJSON_GetArraySize(cJSON_GetObjectItem(root, "a")) > 50000);
    cJSON_Delete(root);
    free(dense);
    free(names);
}

static void test_jsonfile__budget_counts_as_cjson_allocates(void)
{
    /* A string value is a node (80 bytes) and a chunk (32 bytes up to 23 characters): "abcdefghij", is 13
     * bytes for 112 (8.6 times), "abcdefghijkl", 15 bytes for 112 (7.5 times). */
    size_t len;
    char *over = repeated("\"abcdefghij\"", 8 << 20, &len);
    char *under = repeated("\"abcdefghijkl\"", 8 << 20, &len);
    char *keys = repeated("{\"abcdefghijkl\":0,\"abcdefghijkl\":0,\"abcdefghijkl\":0,\"abcdefghijkl\":0,"
                          "\"abcdefghijkl\":0,\"abcdefghijkl\":0}",
                          8 << 20, &len);
    char *bad = strdup("{\"a\": [1, 2,, 3]}");
    json_fault fault;
    cJSON *root = NULL;

    CU_ASSERT_EQUAL(json_parse_bounded(over, strlen(over), JSON_MAX_DEPTH, &root, &fault), -1);
    CU_ASSERT_EQUAL(fault.status, JSON_TOO_LARGE);
    CU_ASSERT_PTR_NULL(root);
    CU_ASSERT_EQUAL_FATAL(json_parse_bounded(under, strlen(under), JSON_MAX_DEPTH, &root, &fault), 0);
    cJSON_Delete(root);
    /* A key lives in its value's node: six "abcdefghijkl":0 in an object are 104 bytes for 80 + 6 * 112
     * (7.2 times; 11.8 if keys were nodes of their own). */
    CU_ASSERT_EQUAL_FATAL(json_parse_bounded(keys, strlen(keys), JSON_MAX_DEPTH, &root, &fault), 0);
    cJSON_Delete(root);
    root = NULL;
    /* Small texts have the floor: 16 KiB of small numbers parse to 640 KiB, under 128 KiB + 1 MiB. */
    free(over);
    over = repeated("0", 16 << 10, &len);
    CU_ASSERT_EQUAL(json_parse_bounded(over, len, JSON_MAX_DEPTH, &root, &fault), 0);
    cJSON_Delete(root);
    root = NULL;
    /* A syntax error is told apart, with where it is. */
    CU_ASSERT_EQUAL(json_parse_bounded(bad, strlen(bad), JSON_MAX_DEPTH, &root, &fault), -1);
    CU_ASSERT_EQUAL(fault.status, JSON_INVALID);
    CU_ASSERT_EQUAL(fault.offset, 12);
    CU_ASSERT_STRING_EQUAL(fault.msg, "invalid JSON");
    free(over);
    free(under);
    free(keys);
    free(bad);
}

static void test_jsonfile__nesting_is_bounded(void)
{
    char *deepest = nested(JSON_MAX_DEPTH), *deeper = nested(JSON_MAX_DEPTH + 1);
    cJSON *root = NULL;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(json_parse_text("deep.json", deepest, strlen(deepest), "a snapshot", &root, &err),
                          0);
    cJSON_Delete(root);
    root = NULL;
    CU_ASSERT_EQUAL(json_parse_text("deep.json", deeper, strlen(deeper), "a snapshot", &root, &err), -1);
    CU_ASSERT_PTR_NULL(root);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_EQUAL(err.line, 1);
    CU_ASSERT_EQUAL(err.column, JSON_MAX_DEPTH + 1);
    CU_ASSERT_STRING_EQUAL(err.msg, "nesting deeper than 512 levels");
    free(deepest);
    free(deeper);
}

static void test_jsonfile__reading_stops_at_bytes_that_are_not_json(void)
{
    char *array = testutil_write_temp("  \n [1, 2]");
    char *bom = testutil_write_temp("\xef\xbb\xbf {\"a\": 1}");
    time_t started = time(NULL);
    cJSON *root = NULL;
    ia_err err;

    /* An endless stream of NUL bytes is refused at its first byte, not buffered to the limit. */
    err_clear(&err);
    CU_ASSERT_EQUAL(json_read_file("/dev/zero", (size_t)1 << 30, "a snapshot", &root, &err), -1);
    CU_ASSERT_TRUE(time(NULL) - started < 5);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_STRING_EQUAL(err.file, "/dev/zero");
    CU_ASSERT_EQUAL(err.line, 1);
    CU_ASSERT_EQUAL(err.column, 1);
    CU_ASSERT_STRING_EQUAL(err.msg, "invalid JSON (a NUL byte): not a snapshot");
    err_clear(&err);
    CU_ASSERT_EQUAL(json_read_file(array, 1024, "a results document", &root, &err), -1);
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_EQUAL(err.column, 2);
    CU_ASSERT_STRING_EQUAL(err.msg, "invalid JSON (it does not start with '{'): not a results document");
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(json_read_file(bom, 1024, "a snapshot", &root, &err), 0);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(root, "a")->valueint, 1);
    cJSON_Delete(root);
    unlink(array);
    unlink(bom);
    free(array);
    free(bom);
}

static void test_jsonfile__values_that_fit_read_back(void)
{
    cJSON *strings = cJSON_CreateArray(), *numbers = cJSON_CreateArray(), *deep;
    json_fault fault;
    cJSON *back = NULL;
    char *text, *levels, long_name[8192];

    CU_ASSERT_PTR_NOT_NULL_FATAL(strings);
    CU_ASSERT_PTR_NOT_NULL_FATAL(numbers);
    for (int i = 0; i < 400000; i++) {
        cJSON_AddItemToArray(strings, cJSON_CreateString("abcdefghijkl"));
        cJSON_AddItemToArray(numbers, cJSON_CreateNumber(0));
    }
    /* What fits prints as text that parses within the budget even without its floor (1 MiB of the 49). */
    CU_ASSERT_EQUAL(json_value_fits(strings, 1), JSON_OK);
    text = cJSON_PrintUnformatted(strings);
    CU_ASSERT_EQUAL(json_parse_bounded(text, strlen(text), JSON_MAX_DEPTH, &back, &fault), 0);
    cJSON_Delete(back);
    cJSON_free(text);
    /* What does not fit is refused, and so would its text be. */
    CU_ASSERT_EQUAL(json_value_fits(numbers, 1), JSON_TOO_LARGE);
    text = cJSON_PrintUnformatted(numbers);
    CU_ASSERT_EQUAL(json_parse_bounded(text, strlen(text), JSON_MAX_DEPTH, &back, &fault), -1);
    CU_ASSERT_EQUAL(fault.status, JSON_TOO_LARGE);
    cJSON_free(text);
    /* Depth counts the value itself as one level (a long string inside, so that depth alone decides). */
    levels = nested(40);
    deep = cJSON_Parse(levels);
    for (cJSON *inner = deep; inner; inner = inner->child) {
        if (!inner->child) {
            memset(long_name, 'x', sizeof(long_name) - 1);
            long_name[sizeof(long_name) - 1] = '\0';
            cJSON_AddItemToArray(inner, cJSON_CreateString(long_name));
            break;
        }
    }
    CU_ASSERT_EQUAL(json_value_fits(deep, 40), JSON_OK);
    CU_ASSERT_EQUAL(json_value_fits(deep, 39), JSON_TOO_DEEP);
    cJSON_Delete(deep);
    free(levels);
    cJSON_Delete(strings);
    cJSON_Delete(numbers);
}

/* A parse in an arena told the text's nesting (as a jsonscan walk counts it) fails as json_parse_bounded
 * does, at the same place: short and long texts, too deep, a NUL byte, too dense, broken. */
static void test_jsonfile__arena_parse_told_its_depth_fails_the_same(void)
{
    size_t dense_len, short_len;
    char *deeper = nested(JSON_MAX_DEPTH + 1), *deepest = nested(JSON_MAX_DEPTH);
    char *dense = repeated("0", 4 << 20, &dense_len), *shortest = repeated("0", 6000, &short_len);
    static const char nul[] = "{\"a\": [1, \"x\0y\", [2]]}";
    static const char broken[] = "{\"a\": [1, 2,, [3]]}";
    const struct {
        const char *text;
        size_t len, depth;
    } cases[] = {
        {deeper, strlen(deeper), JSON_MAX_DEPTH + 1},
        {deepest, strlen(deepest), JSON_MAX_DEPTH},
        {dense, dense_len, 2},
        {shortest, short_len, 2},
        {nul, sizeof(nul) - 1, 2},
        {broken, sizeof(broken) - 1, 2},
    };
    json_arena arena = {NULL};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_fault told, counted, whole;
        cJSON *a = NULL, *b = NULL, *c = NULL;
        int rc_told =
            json_parse_in(&arena, cases[i].text, cases[i].len, JSON_MAX_DEPTH, cases[i].depth, &a, &told);
        int rc_counted = json_parse_in(&arena, cases[i].text, cases[i].len, JSON_MAX_DEPTH,
                                       JSON_DEPTH_UNKNOWN, &b, &counted);
        int rc_whole = json_parse_bounded(cases[i].text, cases[i].len, JSON_MAX_DEPTH, &c, &whole);

        CU_ASSERT_EQUAL(rc_told, rc_whole);
        CU_ASSERT_EQUAL(rc_counted, rc_whole);
        CU_ASSERT_EQUAL(a != NULL, c != NULL);
        if (rc_whole != 0) {
            CU_ASSERT_EQUAL(told.status, whole.status);
            CU_ASSERT_EQUAL(told.offset, whole.offset);
            CU_ASSERT_STRING_EQUAL(told.msg, whole.msg);
            CU_ASSERT_EQUAL(counted.status, whole.status);
            CU_ASSERT_EQUAL(counted.offset, whole.offset);
        }
        cJSON_Delete(c);
    }
    json_arena_free(&arena);
    free(deeper);
    free(deepest);
    free(dense);
    free(shortest);
}

static void test_jsonfile__members_are_found_as_cjson_finds_them(void)
{
    static const char *const keys[] = {"id", "type", "absent", "data", ""};
    const char *texts[] = {"{\"type\": 1, \"id\": \"a\", \"id\": \"b\", \"data\": {}, \"\": 0, \"i\": 2}",
                           "{}", "[1, 2]"};

    for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
        cJSON *obj = cJSON_Parse(texts[t]);
        const cJSON *found[sizeof(keys) / sizeof(keys[0])];

        CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
        json_members(obj, keys, found, sizeof(keys) / sizeof(keys[0]));
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
            CU_ASSERT_PTR_EQUAL(found[k], cJSON_GetObjectItemCaseSensitive(obj, keys[k]));
        cJSON_Delete(obj);
    }
}

static CU_TestInfo tests[] = {
    {"dense text is refused before it is parsed", test_jsonfile__dense_text_is_refused_before_parsing},
    {"the budget counts as cJSON allocates; syntax errors are told apart",
     test_jsonfile__budget_counts_as_cjson_allocates},
    {"nesting is bounded, with the place", test_jsonfile__nesting_is_bounded},
    {"reading stops at bytes that cannot be JSON", test_jsonfile__reading_stops_at_bytes_that_are_not_json},
    {"values that fit read back within the budget", test_jsonfile__values_that_fit_read_back},
    {"a parse told its nesting fails as one that counts it",
     test_jsonfile__arena_parse_told_its_depth_fails_the_same},
    {"members are found as cJSON finds them, the first of a name",
     test_jsonfile__members_are_found_as_cjson_finds_them},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return testutil_run("jsonfile", tests);
}
