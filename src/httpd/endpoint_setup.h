/* SPDX-License-Identifier: Apache-2.0 */
/* endpoint_setup.h: the introspection endpoints, set up at startup. */
#ifndef MAI_ENDPOINT_SETUP_H
#define MAI_ENDPOINT_SETUP_H

#include <httpd.h>
#include "endpoint.h"

/** In register_hooks: have mod_proxy (when loaded) show us its <Proxy>
 * sections, which core's section lists do not hold. */
void mai_endpoint_setup_register(void);

/**
 * In post_config (after mod_proxy's): walk every section of every server
 * and set up, in pconf, each endpoint a request could use, with the
 * limits of the main server's directives; the children inherit it.
 * @return NULL, or an error for the operator (from ptemp).
 */
const char *mai_endpoint_setup(apr_pool_t *pconf, apr_pool_t *ptemp,
                               server_rec *main_s, mai_endpoints_t **out);

#endif
