/* secret.h: AuthIntrospectClientSecret values, resolved once at startup. */
#ifndef MAI_SECRET_H
#define MAI_SECRET_H

#include <apr_pools.h>

/**
 * Resolve a secret spec: "env:NAME" reads the environment variable NAME,
 * "file:PATH" the first line of PATH (without its line end; PATH already
 * made absolute by the caller), anything else is the secret itself.
 * @return NULL with *secret set (from p), or an error message that never
 * contains the secret.
 */
const char *mai_secret_resolve(apr_pool_t *p, const char *spec,
                               const char **secret);

#endif
