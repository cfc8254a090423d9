/* SPDX-License-Identifier: Apache-2.0 */
/* jwks.h: the authorization server's JWK set, per process and JWKS URL:
 * fetched on first use, refreshed by a request past its life, fetched
 * again when a JWS names a kid the set does not hold (a key rotation), at
 * most once per refetch interval. Parsed at fetch time (jose.h), never
 * per request. Request code asks through jwks_for.h. */
#ifndef MAI_JWKS_H
#define MAI_JWKS_H

#include <apr_pools.h>
#include <apr_time.h>
#include "status.h"
#include "log.h"
#include "endpoint.h"
#include "jose.h"

typedef struct mai_jwks_cache mai_jwks_cache_t;

typedef struct mai_jwks_req {
    mai_endpoint_t *endpoint;           /* the JWKS URL's */
    apr_interval_time_t refresh;        /* a set's useful life */
    apr_interval_time_t refetch;        /* least time between two fetches
                                         * for an unknown kid */
    apr_interval_time_t timeout;
    apr_interval_time_t connect_timeout;
} mai_jwks_req_t;

/** Per process (child_init), in p (the process pool). */
mai_jwks_cache_t *mai_jwks_cache_create(apr_pool_t *p);

/**
 * The set of q->endpoint, valid until rp is cleared (a set replaced
 * meanwhile is freed only by its last holder). Concurrent first callers
 * share one fetch; a failed fetch (transport, non-200, a document with no
 * usable key) counts for the endpoint's breaker.
 * @return MAI_OK and *keys, or an endpoint failure (a 503; BREAKER_OPEN
 * with *retry_after), never a 401.
 */
mai_status_t mai_jwks_get(mai_jwks_cache_t *c, apr_pool_t *rp,
                          const mai_jwks_req_t *q, const mai_log_sink_t *log,
                          const mai_jwks_t **keys,
                          apr_interval_time_t *retry_after);

/**
 * A JWS named a kid *keys (from mai_jwks_get) does not hold: fetch the set
 * again unless that was done less than q->refetch ago, and give the set
 * now current (the caller verifies once more with it, and only once).
 * @return as mai_jwks_get.
 */
mai_status_t mai_jwks_refetch(mai_jwks_cache_t *c, apr_pool_t *rp,
                              const mai_jwks_req_t *q,
                              const mai_log_sink_t *log,
                              const mai_jwks_t **keys,
                              apr_interval_time_t *retry_after);

#endif
