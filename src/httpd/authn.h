/* SPDX-License-Identifier: Apache-2.0 */
/* authn.h: AuthType Bearer, the check_authn hook and its failure side. */
#ifndef MAI_AUTHN_H
#define MAI_AUTHN_H

#include <httpd.h>

/** check_authn: token -> cache or endpoint -> checks -> REMOTE_USER. */
int mai_authn_check(request_rec *r);

/** note_auth_failure: sets WWW-Authenticate for AuthType Bearer. */
int mai_authn_note_failure(request_rec *r, const char *auth_type);

/** insert_error_filter: a denied but authenticated request becomes 403. */
void mai_authn_error_response(request_rec *r);

#endif
