/*
 * arm.h - ARM GET list calls: the child lists Resource Graph does not hold
 * (diagnostic settings, private DNS zone groups, ...), the management-group
 * and subscription lists, each followed through nextLink / @nextLink.
 *
 * Calls run concurrently through the scheduler (sched.h), paced by the
 * subscription's token bucket. A nextLink is followed only if it points at
 * the ARM endpoint itself: the token is never sent anywhere else.
 */
#ifndef LIVE_ARM_H
#define LIVE_ARM_H

#include <stdbool.h>

#include "page.h"
#include "sched.h"

typedef struct arm_result {
    bool ok;
    long status;            /* of the last response; 0 if none arrived */
    const char *error_code; /* error.code of the body, or NULL */
    const char *error;      /* "GET /path: HTTP 403 ..." when !ok */
    size_t pages, rows;
} arm_result;

typedef struct arm_list_cb {
    live_row_fn row; /* each element of value[] */
    /* once, after the last page or the first failure */
    void (*done)(live_ctx *L, const arm_result *r, void *ctx);
    void *ctx;
} arm_list_cb;

/* GET {arm}{path}?api-version=V and every following page. path starts with
 * '/' and is percent-encoded here; bucket is the subscription GUID ("" for
 * tenant-level calls). cb is copied. */
void arm_list(live_ctx *L, const char *arm, const char *path, const char *api_version, const char *bucket,
              const arm_list_cb *cb);

/* Percent-encodes the characters of an ARM id that are not allowed in a URL
 * path ('/' kept). Caller frees. */
char *arm_escape_path(const char *path);

/* True when url has the same scheme, host and port as base. */
bool arm_same_origin(const char *base, const char *url);

#endif
