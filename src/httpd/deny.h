/* SPDX-License-Identifier: Apache-2.0 */
/* deny.h: the deny path, what the client is told when a Bearer request
 * is refused: check_authn's answer, note_auth_failure, the error filter's
 * 401 -> 403 rewrite. authn judges, authz records what failed, this
 * answers (the rules themselves: src/pure/deny_rules.c). */
#ifndef MAI_DENY_H
#define MAI_DENY_H

#include <httpd.h>
#include "config.h"
#include "policy.h"
#include "request_state.h"

/** check_authn refuses with s: record it as st's outcome, log it, set
 * Retry-After (503) or the challenge (400), or run note_auth_failure
 * (401). Returns the HTTP status for check_authn to return. */
int mai_deny_answer(request_rec *r, const mai_dir_conf_t *c,
                    mai_req_state_t *st, mai_status_t s);

/** A Require line was not met (authz.c): remember why, for the answer if
 * the request is finally denied (never used when another branch of
 * <RequireAny> grants it). */
void mai_deny_unmet(request_rec *r, mai_req_state_t *st,
                    const mai_policy_t *pol);

/** note_auth_failure: sets WWW-Authenticate for AuthType Bearer. */
int mai_deny_note_failure(request_rec *r, const char *auth_type);

/** insert_error_filter: a denied but authenticated request becomes 403. */
void mai_deny_error_response(request_rec *r);

#endif
