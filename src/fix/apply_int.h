#ifndef IMGAUDIT_FIX_APPLY_INT_H
#define IMGAUDIT_FIX_APPLY_INT_H

/* What the files of fix apply share: one action being carried out. Not an interface. */

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "aws/client.h"
#include "aws/endpoint.h"
#include "collect/sched.h"
#include "rules/rules.h"
#include "util/err.h"
#include "util/str.h"

typedef enum fix_kind { FIX_UNSHARE_WORKSPACES, FIX_UNSHARE_APPSTREAM, FIX_UPDATE_WORKSPACES } fix_kind;

/* Where an action stands: read, (for an update) look for its image, change, read again. */
typedef enum fix_stage { FIX_STAGE_READ, FIX_STAGE_FIND_NAMED, FIX_STAGE_CALL, FIX_STAGE_VERIFY } fix_stage;

/* What a read found. */
typedef enum fix_state {
    FIX_STATE_HOLDS, /* the change is still wanted (or, verifying: not seen yet) */
    FIX_STATE_CLEAR, /* nothing left to change (or, verifying: the change is seen) */
    FIX_STATE_GONE   /* the image is no more */
} fix_state;

typedef struct fix_job {
    sched_item item;     /* first: the scheduler hands this out */
    const cJSON *action; /* borrowed from the plan, as are the strings */
    const cJSON *params; /* the call's parameters, sent as they are */
    const char *operation, *account, *region, *resource;
    const char *target; /* unshares: the account to remove */
    const char *name;   /* updates: the new image's name */
    fix_kind kind;
    fix_stage stage;
    size_t account_ix;
    struct fix_job
        *next_same; /* the next change of this kind to the same image: started when this one ends */
    cJSON *request; /* owned: the read being paged */
    char *token;    /* owned: its last NextToken */
    int pages;
    int attempt;        /* failed attempts at the current request */
    int write_failures; /* calls that failed in a way that may have reached AWS */
    int unseen;         /* verifying reads that did not see the change yet */
    bool sent;          /* a call was sent: the change may be ours */
    bool changed;       /* a call was answered with success */
    bool verified;      /* a read after the call saw the change */
    bool ended;         /* its outcome was told */
    char request_id[AWS_REQUEST_ID_SIZE];
    char new_image_id[128];
} fix_job;

/* Fills j's view of action (borrowed). -1 when the action lacks what its kind needs. */
int fix_job_init(fix_job *j, const cJSON *action);

/* The service j calls, and the operation its reads use. */
const aws_service *fix_job_service(const fix_job *j);
const char *fix_job_read_operation(const fix_job *j);

/* The first page's request of j's read at its stage. Owned; NULL: out of memory. */
cJSON *fix_job_read_request(const fix_job *j);

/* What one page of that read says (an update's image found by name is noted in j->new_image_id). */
fix_state fix_job_read_answer(fix_job *j, const cJSON *answer);

/* Whether a read's error says the image is no more. */
bool fix_job_gone(const fix_job *j, const ia_err *err);

#endif
