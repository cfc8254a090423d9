/* SPDX-License-Identifier: Apache-2.0 */
/* purge.h: SetHandler auth-introspect-purge: push revocation. */
#ifndef MAI_PURGE_H
#define MAI_PURGE_H

#include <httpd.h>

#define MAI_PURGE_HANDLER "auth-introspect-purge"

/** The handler hook: POST token=... or token_sha256=<64 hex> removes that
 * token's answers from the shared cache and every L1 of this host. */
int mai_purge_handler(request_rec *r);

#endif
