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
#include "proxy.h"

/** Where a call goes and what it may reuse: the endpoint's URL, its TLS
 * context (NULL for http; its session slot resumes the last session),
 * its idle connections and the proxy it is reached through (NULL:
 * direct). endpoint.c owns them; the transport only uses them. The idle
 * connections are this target's alone, so a connection opened through a
 * proxy (a CONNECT tunnel, or one that carries absolute-form requests)
 * only ever carries calls to this endpoint. */
typedef struct mai_http_target {
    mai_url_t url;
    mai_tls_ctx_t *tls;
    mai_conn_pool_t *conns;
    const mai_proxy_t *proxy;
} mai_http_target_t;

typedef struct mai_http_call {
    const char *method;                   /* NULL: POST */
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
    const char *content_type;             /* the header's value, or NULL */
} mai_http_reply_t;

/**
 * POST call->body to the target's path (or call->method: a GET of a
 * metadata document sends no body). Connect, TLS, send and receive
 * all count against call->timeout; connecting also against
 * connect_timeout. A pooled connection the server had closed is retried
 * once on a fresh one (the call is safe to repeat).
 * Through a proxy: https runs TLS with the endpoint inside a CONNECT
 * tunnel (the connect timeout covers reaching the proxy and its answer
 * to CONNECT); http sends absolute-form requests to the proxy.
 * @return MAI_OK (any HTTP status), or ENDPOINT_UNREACHABLE, _TIMEOUT,
 * _TLS, _BAD_RESPONSE, _TOO_LARGE, _PROXY (the proxy refused: a non-2xx
 * answer to CONNECT, or 407). Reply data from p.
 */
mai_status_t mai_http_post(const mai_http_target_t *t, apr_pool_t *p,
                           const mai_http_call_t *call,
                           const mai_log_sink_t *log, mai_http_reply_t *out);

#endif
