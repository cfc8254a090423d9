/* SPDX-License-Identifier: Apache-2.0 */
/* endpoint_setup.h: the introspection endpoints, set up at startup. */
#ifndef MAI_ENDPOINT_SETUP_H
#define MAI_ENDPOINT_SETUP_H

#include <httpd.h>
#include "endpoint.h"
#include "config.h"

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

/** Called for each section of a server: dc is the module's settings there
 * (NULL when the section has none of its directives), defaults is 1 for
 * the server's own settings, which apply wherever no section overrides. */
typedef void mai_section_fn(void *baton, const mai_dir_conf_t *dc,
                            int defaults);

/** Call fn for every section of server s that the setup above walks
 * (after mod_proxy's post_config, so <Proxy> sections are included). */
void mai_sections_walk(apr_pool_t *pconf, server_rec *s, mai_section_fn *fn,
                       void *baton);

#endif
