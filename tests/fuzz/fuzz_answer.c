/*
 * The JSON 1.1 answer decoders over any bytes: an error answer as
 * aws_parse_json_error reads it (the message it keeps is one line), and a
 * 2xx answer decoded as the calls decode it (aws_json_answer), then taken
 * apart as the collector takes each listing's pages and each owned image's
 * permissions (collect/listings.h).
 */
#include <stdlib.h>

#include "aws/client.h"
#include "collect/listings.h"
#include "fuzz.h"

typedef struct page {
    listing what;
    const cJSON *answer; /* the same answer, read again as each image's permissions page */
} page;

/* What the collector does with an owned image: its permissions read (here: from the same answer), attached.
 */
static void on_image(void *ud, const snap_resource *res, cJSON *data)
{
    const page *pg = ud;
    cJSON *copy = cJSON_Duplicate(pg->answer, 1);
    cJSON *all = cJSON_CreateArray();
    ia_err err;

    (void)res;
    if (copy && all && listing_take_permissions(pg->what, copy, all, &err) == 0) {
        listing_attach_permissions(data, all, &err);
        all = NULL;
    }
    cJSON_Delete(all);
    cJSON_Delete(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    cJSON *answer;
    ia_err err;

    json_fault fault;

    aws_parse_json_error(400, (const char *)data, size, NULL, "request-id", &fuzz_secrets, &err);
    fuzz_check_error(&err);
    aws_parse_json_error(400, (const char *)data, size, text, NULL, &fuzz_secrets, &err);
    fuzz_check_error(&err);
    if (aws_json_answer((const char *)data, size, &answer, &fault) != 0 && answer)
        abort();
    for (int what = 0; answer && what < LIST_COUNT; what++) {
        page pg = {(listing)what, answer};
        cJSON *copy = cJSON_Duplicate(answer, 1);
        snapshot snap;

        snapshot_init(&snap);
        if (copy)
            listing_take_page(pg.what, copy, &snap, "111122223333", "eu-west-1", on_image, &pg, &err);
        cJSON_Delete(copy);
        snapshot_clean_up(&snap);
    }
    cJSON_Delete(answer);
    free(text);
    return 0;
}
