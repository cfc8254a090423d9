/* SPDX-License-Identifier: Apache-2.0 */
/* secret.h: AuthIntrospectClientSecret and AuthIntrospectCacheSecret
 * values, resolved once at startup. */
#ifndef MAI_SECRET_H
#define MAI_SECRET_H

#include <apr_pools.h>

/**
 * Resolve a secret spec: "env:NAME" reads the environment variable NAME,
 * "file:PATH" the first line of PATH (without its line end; PATH already
 * made absolute by the caller), anything else is the secret itself.
 * An env: value is then removed from the process environment (and its
 * bytes wiped, which /proc/PID/environ would still show) and remembered
 * in `keep` (the process pool), where the next reading of the
 * configuration (httpd reads it twice at startup and again on every
 * restart) finds it.
 * @return NULL with *secret set (from p), or an error message that never
 * contains the secret.
 */
const char *mai_secret_resolve(apr_pool_t *p, apr_pool_t *keep,
                               const char *spec, const char **secret);

#endif
