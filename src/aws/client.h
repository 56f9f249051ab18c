#ifndef IMGAUDIT_AWS_CLIENT_H
#define IMGAUDIT_AWS_CLIENT_H

/*
 * Calls to AWS: the JSON 1.1 protocol (WorkSpaces, AppStream,
 * Organizations) and the Query protocol (STS), each signed with SigV4,
 * retried by the standard-mode policy (aws/retry.h), with AWS errors turned
 * into one ia_err (aws_code, message, http_status, request_id, retryable).
 *
 * One aws_client serves every thread: it holds the connection pool, the
 * shared config and the counters. Calls are thread-safe.
 */

#include <libxml/tree.h>
#include <stdbool.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "aws/creds.h"
#include "aws/endpoint.h"
#include "aws/http.h"
#include "aws/redact.h"
#include "util/err.h"
#include "util/jsonfile.h"

typedef struct awscfg awscfg;

/*
 * The most an answer may be. A page of these listings (25 images, 500
 * grants) is some hundreds of KiB at most; a longer answer is an error
 * (IA_ERR_PROTOCOL, not retried), and so is one nested deeper than
 * JSON_MAX_DEPTH or over the parse budget (util/jsonfile.h): parsed, an
 * answer takes at most JSON_PARSE_RATIO times this.
 */
#define AWS_ANSWER_MAX_BYTES ((size_t)8 * 1024 * 1024)

/* The client's counters at one moment, for progress lines and tests. */
typedef struct aws_client_stats {
    long requests;  /* HTTP attempts made */
    long retries;   /* attempts that were retries */
    long throttles; /* attempts answered with a throttling error */
} aws_client_stats;

typedef struct aws_client_options {
    const awscfg *cfg;       /* borrowed; shared config (endpoint_url); may be NULL */
    const char *profile;     /* profile whose endpoint_url applies; may be NULL */
    int max_attempts;        /* >= 1 */
    long retry_base_ms;      /* 0: RETRY_DEFAULT_BASE_MS */
    long connect_timeout_ms; /* 0: 10 s */
    long timeout_ms;         /* 0: 60 s */
    time_t (*clock)(void);   /* NULL: time() */
} aws_client_options;

typedef struct aws_client aws_client;

/* Where and as whom a call goes. */
typedef struct aws_call {
    const aws_service *svc;
    const char *region;    /* the request's region; a global service signs for its partition's region */
    creds_provider *creds; /* NULL: send unsigned (AssumeRoleWithWebIdentity) */
    /*
     * 0: the client retries as its policy says. n >= 1: this is the caller's
     * attempt number n, made once; the caller decides about retries (the
     * collector's scheduler does, so that no worker sleeps in a backoff) and
     * err->retryable tells it whether one is worth it.
     */
    int attempt;
    /*
     * A call that changes something (fix apply's writes): once sent, it is
     * not cut off by SIGINT/SIGTERM but runs to its answer (or time-out), so
     * that whether the change was made is known. Not sent after a stop.
     */
    bool change;
    char *request_id; /* or NULL: where a 2xx answer's request id goes (AWS_REQUEST_ID_SIZE bytes) */
} aws_call;

/* The room for a request id (x-amzn-RequestId). */
#define AWS_REQUEST_ID_SIZE 96

typedef struct aws_param {
    const char *name;
    const char *value;
} aws_param;

/* Makes a client (owned: aws_client_free). */
int aws_client_new(aws_client **out, const aws_client_options *opt, ia_err *err);

/* Frees the client. Accepts NULL. */
void aws_client_free(aws_client *c);

/* The attempts per call and the backoff base the client was made with (a caller that retries uses them). */
int aws_client_max_attempts(const aws_client *c);
long aws_client_retry_base_ms(const aws_client *c);

/*
 * Copies the counters into *out. Safe while other threads make calls; each
 * counter is read atomically, the three not at one instant.
 */
void aws_client_stats_get(const aws_client *c, aws_client_stats *out);

/*
 * The client's connection pool, borrowed (valid until aws_client_free): for
 * plain HTTP requests that should share its connections and time-outs, such
 * as the credentials endpoints of containers and instance metadata.
 */
http_pool *aws_client_http_pool(aws_client *c);

/*
 * A JSON 1.1 call: POSTs input (NULL: {}) as operation, returns the answer
 * in *out (owned: cJSON_Delete). Retries as the policy says.
 */
int aws_json_call(aws_client *c, const aws_call *call, const char *operation, const cJSON *input, cJSON **out,
                  ia_err *err);

/*
 * A Query call: POSTs Action=action&Version=version&params (form-encoded),
 * returns the XML answer in *out (owned: xmlFreeDoc).
 */
int aws_query_call(aws_client *c, const aws_call *call, const char *action, const char *version,
                   const aws_param *params, size_t n_params, xmlDoc **out, ia_err *err);

/*
 * Turns an error answer into err (kind IA_ERR_AWS): for JSON 1.1 the code is
 * __type after any '#' (and before any ':'), or the x-amzn-ErrorType header;
 * the message is "message" or "Message". Message, code and request id are
 * redacted (aws/redact.h) with secrets, the values the request was signed
 * with (NULL: none), before anything is cut to err's sizes. Exposed for tests.
 */
void aws_parse_json_error(long status, const char *body, size_t len, const char *error_type_header,
                          const char *request_id, const redact_secrets *secrets, ia_err *err);

/* The same for the Query protocol's <ErrorResponse><Error><Code/><Message/></Error><RequestId/>. */
void aws_parse_query_error(long status, const char *body, size_t len, const char *request_id,
                           const redact_secrets *secrets, ia_err *err);

/*
 * A 2xx answer's body decoded as the calls decode it, exposed for the
 * fuzzers. aws_json_answer: 0 with *out the JSON 1.1 object (an empty body is
 * {}; owned: cJSON_Delete), or -1 with *out NULL and *fault saying why (not
 * an object, or past the parse bounds of util/jsonfile.h). aws_xml_answer:
 * the Query protocol's XML document (network and entities off; owned:
 * xmlFreeDoc), NULL when the body is not one (or out of memory).
 */
int aws_json_answer(const char *body, size_t len, cJSON **out, json_fault *fault);
xmlDoc *aws_xml_answer(const char *body, size_t len);

/* Text of the first element named name (any namespace) under node, borrowed from a static-free copy:
 * owned result (free()), NULL if absent. */
char *aws_xml_text(xmlNode *node, const char *name);

#endif
