/* SPDX-License-Identifier: Apache-2.0 */
/* challenge.h: the WWW-Authenticate value of RFC 6750 section 3. Pure. */
#ifndef MAI_CHALLENGE_H
#define MAI_CHALLENGE_H

#include <apr_pools.h>

/**
 * Build `Bearer realm="R"[, error="E"][, scope="S"]`. realm NULL omits the
 * realm attribute (then `Bearer error="E"` or plain `Bearer`). The realm
 * is taken as httpd gives it (ap_auth_name: quotes already escaped); in
 * error and scope, quotes and backslashes are escaped. Control characters
 * are dropped everywhere.
 * From p.
 */
const char *mai_challenge(apr_pool_t *p, const char *realm, const char *error,
                          const char *scope);

/**
 * The DPoP challenge of RFC 9449 section 7.1: `DPoP realm="R",
 * error="E", error_description="D", scope="S", algs="A"`, each attribute
 * only when not NULL, quoted as in mai_challenge. From p.
 */
const char *mai_challenge_dpop(apr_pool_t *p, const char *realm,
                               const char *error, const char *description,
                               const char *scope, const char *algs);

/**
 * challenge with `resource_metadata="URL"` (RFC 9728 section 5.1) added
 * as its last attribute; challenge itself when url or challenge is NULL.
 * From p.
 */
const char *mai_challenge_add_metadata(apr_pool_t *p, const char *challenge,
                                       const char *url);

#endif
