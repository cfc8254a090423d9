/* SPDX-License-Identifier: Apache-2.0 */
/* authn.h: AuthType Bearer, the check_authn hook. What a refused request
 * is told is deny.h's. */
#ifndef MAI_AUTHN_H
#define MAI_AUTHN_H

#include <httpd.h>

/** check_authn: token -> cache or endpoint -> checks -> REMOTE_USER. */
int mai_authn_check(request_rec *r);

#endif
