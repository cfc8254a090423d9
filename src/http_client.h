/* http_client.h: one HTTP/1.1 POST to an endpoint over APR sockets and
 * OpenSSL, on a pooled keep-alive connection when one is idle. */
#ifndef MAI_HTTP_CLIENT_H
#define MAI_HTTP_CLIENT_H

#include <apr_pools.h>
#include <apr_time.h>
#include "status.h"
#include "url.h"
#include "log.h"

typedef struct mai_endpoint mai_endpoint_t;
typedef struct mai_endpoints mai_endpoints_t;

/** The per-process registry of endpoints, living in p (pchild). */
mai_endpoints_t *mai_endpoints_create(apr_pool_t *p);

/**
 * The endpoint for url with these TLS settings, created on first use
 * (TLS context, connection pool). Thread-safe.
 * @return NULL and *ep set, or an error message (from p).
 */
const char *mai_endpoints_get(mai_endpoints_t *reg, apr_pool_t *p,
                              const char *url_text, const mai_url_t *url,
                              const char *ca_file, int verify,
                              mai_endpoint_t **ep);

typedef struct mai_http_call {
    apr_interval_time_t timeout;          /* whole call */
    apr_interval_time_t connect_timeout;
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
 * POST call->body to the endpoint's path. Connect, TLS, send and receive
 * all count against call->timeout; connecting also against
 * connect_timeout. A pooled connection the server had closed is retried
 * once on a fresh one (the call is safe to repeat).
 * @return MAI_OK (any HTTP status), or ENDPOINT_UNREACHABLE, _TIMEOUT,
 * _TLS, _BAD_RESPONSE, _TOO_LARGE. Reply data from p.
 */
mai_status_t mai_http_post(mai_endpoint_t *ep, apr_pool_t *p,
                           const mai_http_call_t *call,
                           const mai_log_sink_t *log, mai_http_reply_t *out);

#endif
