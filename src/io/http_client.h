/* SPDX-License-Identifier: Apache-2.0 */
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

typedef struct mai_endpoint_limits {
    int max_idle;                   /* pooled idle connections */
    apr_interval_time_t idle_timeout;
    int max_inflight;               /* concurrent calls */
    int breaker_failures;           /* failures in a row that open it */
    apr_interval_time_t breaker_open;
} mai_endpoint_limits_t;

/** The registry of endpoints, living in p. Filled at startup in the
 * parent (as root: CA files are read there), inherited by the children,
 * which only look endpoints up; each child keeps its own connections,
 * call slots and breaker in its copy. The limits (config.c's defaults
 * or directives) apply to every endpoint. */
mai_endpoints_t *mai_endpoints_create(apr_pool_t *p,
                                      const mai_endpoint_limits_t *limits);

/**
 * Set up the endpoint for url with these TLS settings, unless there is
 * one: its TLS context (the CA file is read now, once per file and
 * setting, shared by every endpoint using it) and connection pool. For
 * startup only: not thread-safe.
 * @return NULL, or an error message for the operator (from p).
 */
const char *mai_endpoints_add(mai_endpoints_t *reg, apr_pool_t *p,
                              const char *url_text, const mai_url_t *url,
                              const char *ca_file, int verify);

/** The endpoint set up for these settings, or NULL. Allocates nothing,
 * takes no lock (the registry no longer changes). */
mai_endpoint_t *mai_endpoints_find(const mai_endpoints_t *reg,
                                   const char *url_text, const char *ca_file,
                                   int verify);

/**
 * Before a call: the circuit breaker must allow it (else
 * MAI_STATUS_BREAKER_OPEN and *retry_after set) and a call slot must free
 * up before the deadline (else MAI_STATUS_OVERLOADED). On MAI_OK the
 * caller must call mai_endpoint_leave.
 */
mai_status_t mai_endpoint_enter(mai_endpoint_t *ep, apr_time_t deadline,
                                apr_interval_time_t *retry_after);

/** After a call: frees the slot and tells the breaker how it went
 * (`failed`: the endpoint gave no usable answer). */
void mai_endpoint_leave(mai_endpoint_t *ep, int failed,
                        const mai_log_sink_t *log);

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
