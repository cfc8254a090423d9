/* SPDX-License-Identifier: Apache-2.0 */
/* discovery.h: the introspection endpoint an authorization server's
 * metadata document names (RFC 8414), fetched lazily per process. */
#ifndef MAI_DISCOVERY_H
#define MAI_DISCOVERY_H

#include <apr_pools.h>
#include <apr_time.h>
#include "status.h"
#include "log.h"
#include "endpoint.h"

typedef struct mai_discovery mai_discovery_t;

/** What one request asks of discovery. */
typedef struct mai_discovery_req {
    mai_endpoint_t *metadata;       /* the metadata URL's endpoint, set up
                                     * at startup like any other */
    const char *issuer;             /* the metadata URL's issuer */
    const char *client_auth;        /* our method's RFC 8414 name */
    apr_interval_time_t refresh;    /* a document's useful life */
    apr_interval_time_t timeout;
    apr_interval_time_t connect_timeout;
} mai_discovery_req_t;

/** Per process (child_init): the documents and the endpoints they name
 * live in p. allow_insecure: AuthIntrospectAllowInsecureHTTP. */
mai_discovery_t *mai_discovery_create(apr_pool_t *p,
                                      const mai_endpoints_t *reg,
                                      int allow_insecure);

/**
 * The introspection endpoint of q->metadata's document. The first call in
 * a process fetches the document; concurrent first calls wait for that
 * one fetch and share its outcome, failure included. Past q->refresh, one
 * request fetches it again while the others go on with the old one, which
 * also stays when the refresh fails. A failed fetch counts for the
 * metadata endpoint's breaker.
 * @return MAI_OK and *out, or an endpoint failure status (BREAKER_OPEN
 * with *retry_after): a 503, never a 401.
 */
mai_status_t mai_discovery_endpoint(mai_discovery_t *d, apr_pool_t *p,
                                    const mai_discovery_req_t *q,
                                    const mai_log_sink_t *log,
                                    mai_endpoint_t **out,
                                    apr_interval_time_t *retry_after);

/**
 * The endpoint of the JWK set q->metadata's document names (jwks_uri,
 * under the same rules as its introspection_endpoint), from the same
 * document as mai_discovery_endpoint.
 * @return as mai_discovery_endpoint; ENDPOINT_BAD_JSON (logged) when the
 * document names no jwks_uri or an unusable one.
 */
mai_status_t mai_discovery_jwks(mai_discovery_t *d, apr_pool_t *p,
                                const mai_discovery_req_t *q,
                                const mai_log_sink_t *log,
                                mai_endpoint_t **out,
                                apr_interval_time_t *retry_after);

/** Make the next request refresh the document of this metadata endpoint
 * (the hook for a JWS whose kid is not in the JWKS: a key rotation). */
void mai_discovery_expire(mai_discovery_t *d, const mai_endpoint_t *metadata);

#endif
