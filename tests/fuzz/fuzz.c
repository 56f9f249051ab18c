#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

static rules_set *g_pack;
static snapshot_doc *g_snapshot;
static rules_clock g_clock;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_QUIET);
    return 0;
}

char *fuzz_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);

    if (!text)
        abort();
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

const redact_secrets fuzz_secrets = {
    .secret_access_key = "fUzZsEcReTkEy/0+1=",
    .session_token = "FuzzSessionToken+AbC/123=",
    .signature = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
};

/* Aborts when text holds a whole secret of fuzz_secrets. */
static void check_no_secret(const char *text)
{
    if (strstr(text, fuzz_secrets.secret_access_key) || strstr(text, fuzz_secrets.session_token) ||
        strstr(text, fuzz_secrets.signature))
        abort();
}

void fuzz_check_error(const ia_err *err)
{
    /* The message is one line; the code and request id are as sent (escaped where printed: termtext). */
    for (const char *p = err->msg; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            abort();
    }
    check_no_secret(err->msg);
    check_no_secret(err->aws_code);
    check_no_secret(err->request_id);
}

/* The path of rel under IMGAUDIT_SOURCE_DIR into out, or an abort: the harness is run wrongly. */
static void source_path(char *out, size_t size, const char *rel)
{
    const char *src = getenv("IMGAUDIT_SOURCE_DIR");

    if (!src || !*src) {
        fprintf(stderr, "fuzz: IMGAUDIT_SOURCE_DIR must name the source tree (scripts/fuzz.sh sets it)\n");
        abort();
    }
    snprintf(out, size, "%s/%s", src, rel);
}

static void give_up(const char *what, const ia_err *err)
{
    fprintf(stderr, "fuzz: cannot load %s: %s\n", what, err->msg);
    abort();
}

const rules_set *fuzz_pack(void)
{
    char dir[4096];
    const char *paths[1] = {dir};
    rules_diags diags;
    ia_err err;

    if (g_pack)
        return g_pack;
    source_path(dir, sizeof(dir), "rules");
    rules_diags_init(&diags);
    if (rules_load(paths, 1, NULL, 0, &g_pack, &diags, &err) != 0)
        give_up(dir, &err);
    rules_diags_free(&diags);
    return g_pack;
}

const snapshot_doc *fuzz_snapshot(void)
{
    char path[4096];
    ia_err err;

    if (g_snapshot)
        return g_snapshot;
    source_path(path, sizeof(path), "tests/data/rules/snapshots/pack.json");
    if (snapshot_doc_read(path, &g_snapshot, &err) != 0)
        give_up(path, &err);
    return g_snapshot;
}

const rules_clock *fuzz_clock(void)
{
    ia_err err;

    if (!g_clock.today && rules_clock_init(&g_clock, "2026-11-25", &err) != 0)
        give_up("the clock", &err);
    return &g_clock;
}
