/* SPDX-License-Identifier: Apache-2.0 */
/* purge_scopes.h: every cache scope (endpoint, client id, TLS settings,
 * hint) a request could be looked up under, gathered at startup, so a
 * purge can compute each key one token has in the shared cache. */
#ifndef MAI_PURGE_SCOPES_H
#define MAI_PURGE_SCOPES_H

#include <httpd.h>
#include "digest.h"

typedef struct mai_purge_scopes {
    const mai_cache_scope_t *scope;     /* distinct, nelts of them */
    int nelts;
} mai_purge_scopes_t;

/**
 * In post_config (after mod_proxy's): walk every section of every server
 * (as endpoint setup does) and keep, from pconf, each combination of the
 * endpoints, client ids, TLSVerify values, CA files and hints one server
 * names: a section's settings are merged from several, so any of them
 * may meet. Settings made only in .htaccess (a hint) are not seen.
 */
mai_purge_scopes_t *mai_purge_scopes_collect(apr_pool_t *pconf,
                                             apr_pool_t *ptemp,
                                             server_rec *main_s);

#endif
