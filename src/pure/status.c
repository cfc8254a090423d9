/* SPDX-License-Identifier: Apache-2.0 */
/* status.c: the single table behind mai_status_t. */
#include <stddef.h>
#include "status.h"

typedef struct {
    const char *name;
    const char *reason;
    int http;
    const char *error;
    int level;
} status_row_t;

#define MAI_STATUS_ROW(n, reason, http, error, level) \
    { #n, reason, http, error, level },
static const status_row_t rows[] = { MAI_STATUS_LIST(MAI_STATUS_ROW) };
#undef MAI_STATUS_ROW

static const status_row_t *row(mai_status_t s)
{
    if ((unsigned)s >= MAI_STATUS_COUNT_) {
        s = MAI_STATUS_INTERNAL;
    }
    return &rows[s];
}

const char *mai_status_reason(mai_status_t s) { return row(s)->reason; }
const char *mai_status_name(mai_status_t s) { return row(s)->name; }
int mai_status_http(mai_status_t s) { return row(s)->http; }
const char *mai_status_bearer_error(mai_status_t s) { return row(s)->error; }
int mai_status_log_level(mai_status_t s) { return row(s)->level; }

int mai_status_is_endpoint_failure(mai_status_t s)
{
    /* OVERLOADED is our own in-flight cap, not the endpoint failing: a
     * flood of unknown tokens must not let StaleIfError serve a token
     * the endpoint may have revoked */
    return row(s)->http == 503 && s != MAI_STATUS_OVERLOADED;
}
