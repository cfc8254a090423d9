/* SPDX-License-Identifier: Apache-2.0 */
/* config_check.h: startup checks that span directives or need the
 * loaded modules, run in check_config so `apachectl -t` finds them all. */
#ifndef MAI_CONFIG_CHECK_H
#define MAI_CONFIG_CHECK_H

#include <httpd.h>

/**
 * The check_config hook. Refuses (each problem logged, naming the file
 * and line or the directive):
 * - an `AuthType Bearer` without an AuthIntrospectEndpoint in its own
 *   section, an enclosing one, or a sibling section of the same kind
 *   whose path is a prefix of its path;
 * - an AuthIntrospectCache provider that is not loaded or refuses its
 *   arguments;
 * - a cache reachable beyond this httpd (mai_conf_cache_needs_secret)
 *   without AuthIntrospectCacheSecret.
 * Under `apachectl -t`, also the warnings of mai_config_warn.
 * @return OK or HTTP_INTERNAL_SERVER_ERROR
 */
int mai_config_check(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                     server_rec *s);

/** Warn (post_config, where the error log is open) about each
 * AuthIntrospectClientSecret given inline: it shows in mod_info and in
 * copies of the configuration. */
void mai_config_warn(apr_pool_t *ptemp, server_rec *s);

#endif
