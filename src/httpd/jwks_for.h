/* SPDX-License-Identifier: Apache-2.0 */
/* jwks_for.h: the one call request code makes for the authorization
 * server's JWK set (signed introspection answers, JWT access tokens). */
#ifndef MAI_JWKS_FOR_H
#define MAI_JWKS_FOR_H

#include <httpd.h>
#include "config.h"
#include "jose.h"

/**
 * The JWK set for this location: AuthIntrospectJWKS, else the jwks_uri
 * of AuthIntrospectMetadataURL's document (discovery.h). Valid until
 * r->pool is cleared. Fetched by the first request of a process that
 * needs it, refreshed past AuthIntrospectMetadataRefresh; never at
 * startup.
 * @return MAI_OK and *keys; an endpoint failure status (503, with
 * *retry_after on BREAKER_OPEN) when the set cannot be had; INTERNAL
 * (logged) when the location names no JWK set at all.
 */
mai_status_t mai_jwks_for(request_rec *r, const mai_dir_conf_t *c,
                          const mai_jwks_t **keys,
                          apr_interval_time_t *retry_after);

/**
 * mai_jws_verify said MAI_JOSE_UNKNOWN_KID with the set from mai_jwks_for:
 * the set is fetched again (at most once per
 * AuthIntrospectJWKSRefetchInterval per process; concurrent callers share
 * the fetch) and *keys is the set now current. Verify once more with it;
 * an unknown kid then is final.
 * @return as mai_jwks_for.
 */
mai_status_t mai_jwks_unknown_kid(request_rec *r, const mai_dir_conf_t *c,
                                  const mai_jwks_t **keys,
                                  apr_interval_time_t *retry_after);

#endif
