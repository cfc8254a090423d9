/* SPDX-License-Identifier: Apache-2.0 */
/* remote_doc.h: JSON documents an authorization server publishes (its
 * RFC 8414 metadata, its JWK set), fetched and kept per process. One
 * place for what each of them needs: a GET through an endpoint set up at
 * startup (its TLS rules, breaker and call slots), the first fetch shared
 * by concurrent first callers, a refresh by one request while the others
 * go on with the old document, and a forced refetch at a bounded rate.
 * Startup never waits on the network: the first request fetches. */
#ifndef MAI_REMOTE_DOC_H
#define MAI_REMOTE_DOC_H

#include <apr_pools.h>
#include <apr_time.h>
#include "status.h"
#include "log.h"
#include "endpoint.h"

typedef struct mai_rdocs mai_rdocs_t;

/** Turn a 200 answer's body into the document's value, allocated from vp
 * (the value's own pool, destroyed when the last holder lets go). On
 * failure: log why (the caller's tag) and return an endpoint failure
 * status; it counts for the breaker. */
typedef mai_status_t mai_rdoc_parse_fn(void *baton, apr_pool_t *vp,
                                       const char *body, apr_size_t len,
                                       const mai_log_sink_t *log,
                                       const void **value);

/** What one request asks for. */
typedef struct mai_rdoc_req {
    mai_endpoint_t *endpoint;       /* the document's URL */
    const char *what;               /* "JWK set", for log lines */
    const char *accept;             /* the Accept header line */
    mai_rdoc_parse_fn *parse;
    void *baton;                    /* parse's, for this request only */
    apr_interval_time_t refresh;    /* a document's useful life */
    apr_interval_time_t retry;      /* after a failed refresh, the old
                                     * document serves this long before
                                     * the next try */
    apr_interval_time_t timeout;
    apr_interval_time_t connect_timeout;
} mai_rdoc_req_t;

/** Per process: the documents of every endpoint asked for, in p (the
 * process pool: requests may outlive the child's pool). */
mai_rdocs_t *mai_rdocs_create(apr_pool_t *p);

/**
 * The value of q->endpoint's document, held until rp is cleared: a
 * document replaced meanwhile stays valid for whoever still holds it, and
 * is freed by the last one. The first call in a process fetches; callers
 * arriving during that fetch wait for it and share its outcome, failure
 * included. Past q->refresh, the request that notices fetches again and
 * gets the new document (or the old one when the fetch fails: it stays
 * and the next try is q->retry later); the others use the old meanwhile.
 * @return MAI_OK and *value, or an endpoint failure status (BREAKER_OPEN
 * with *retry_after): a 503, never a 401.
 */
mai_status_t mai_rdoc_get(mai_rdocs_t *d, apr_pool_t *rp,
                          const mai_rdoc_req_t *q, const mai_log_sink_t *log,
                          const void **value,
                          apr_interval_time_t *retry_after);

/** Make the next mai_rdoc_get of this endpoint's document fetch it. */
void mai_rdoc_expire(mai_rdocs_t *d, const mai_endpoint_t *ep);

/**
 * Fetch the document now (a JWS named a kid the set does not hold: keys
 * rotated), unless a refetch of it was made less than min_interval ago:
 * then the current document, which that refetch brought. Concurrent
 * callers share one fetch. The value is held as by mai_rdoc_get.
 * @return as mai_rdoc_get; on a failed refetch the status of the fetch
 * (the old document stays for mai_rdoc_get).
 */
mai_status_t mai_rdoc_refetch(mai_rdocs_t *d, apr_pool_t *rp,
                              const mai_rdoc_req_t *q,
                              apr_interval_time_t min_interval,
                              const mai_log_sink_t *log, const void **value,
                              apr_interval_time_t *retry_after);

#endif
