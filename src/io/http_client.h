/* SPDX-License-Identifier: Apache-2.0 */
/* http_client.h: the transport: one HTTP/1.1 POST to a target over APR
 * sockets and OpenSSL, on a pooled keep-alive connection when one is idle
 * (admission, slots and breaker: endpoint.h). */
#ifndef MAI_HTTP_CLIENT_H
#define MAI_HTTP_CLIENT_H

#include <apr_pools.h>
#include <apr_time.h>
#include "status.h"
#include "url.h"
#include "log.h"
#include "tls.h"
#include "conn_pool.h"

/** Where a call goes and what it may reuse: the endpoint's URL, its TLS
 * context (NULL for http; its session slot resumes the last session) and
 * its idle connections. endpoint.c owns them; the transport only uses
 * them. */
typedef struct mai_http_target {
    mai_url_t url;
    mai_tls_ctx_t *tls;
    mai_conn_pool_t *conns;
} mai_http_target_t;

typedef struct mai_http_call {
    apr_interval_time_t timeout;          /* whole call */
    apr_interval_time_t connect_timeout;
    apr_time_t deadline;                  /* absolute end of the whole call
                                           * (time already spent waiting
                                           * counts); 0 = now + timeout */
    const char *const *headers;           /* "Name: value", NULL-ended */
    const char *body;
    apr_size_t body_len;
} mai_http_call_t;

typedef struct mai_http_reply {
    int status;
    const char *body;                     /* NUL-terminated, from p */
    apr_size_t body_len;
    int reused;                           /* went over a pooled connection */
} mai_http_reply_t;

/**
 * POST call->body to the target's path. Connect, TLS, send and receive
 * all count against call->timeout; connecting also against
 * connect_timeout. A pooled connection the server had closed is retried
 * once on a fresh one (the call is safe to repeat).
 * @return MAI_OK (any HTTP status), or ENDPOINT_UNREACHABLE, _TIMEOUT,
 * _TLS, _BAD_RESPONSE, _TOO_LARGE. Reply data from p.
 */
mai_status_t mai_http_post(const mai_http_target_t *t, apr_pool_t *p,
                           const mai_http_call_t *call,
                           const mai_log_sink_t *log, mai_http_reply_t *out);

#endif
