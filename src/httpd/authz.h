/* SPDX-License-Identifier: Apache-2.0 */
/* authz.h: the Require oauth-scope / oauth-aud / oauth-claim /
 * oauth-client providers. */
#ifndef MAI_AUTHZ_H
#define MAI_AUTHZ_H

#include <apr_pools.h>

/** Register the four providers (register_hooks). */
void mai_authz_register(apr_pool_t *p);

#endif
