/* SPDX-License-Identifier: Apache-2.0 */
/* signed_answer.h: RFC 9701 signed introspection responses
 * (AuthIntrospectResponseFormat jwt): the JWS verified with the issuer's
 * JWK set, its claims checked, the answer inside handed on. */
#ifndef MAI_SIGNED_ANSWER_H
#define MAI_SIGNED_ANSWER_H

#include <httpd.h>
#include "config.h"
#include "introspect.h"

/**
 * Open the endpoint's 200 answer `out`: Content-Type
 * application/token-introspection+jwt, a compact JWS (a JWE is refused:
 * not supported), an allow-listed asymmetric alg, a key of the issuer's
 * JWK set (an unknown kid refetches the set once, jwks_for.h), typ
 * token-introspection+jwt, then signed_claims.h. Every refusal is one
 * log line naming the check. *json (from p) is the answer for
 * mai_result_parse. now: seconds since the epoch.
 * @return MAI_OK; ENDPOINT_NOT_SIGNED, _ENCRYPTED, _BAD_SIGNATURE,
 * _BAD_CLAIMS or the payload parser's status; or the JWK set's fetch
 * failure (with *retry_after on BREAKER_OPEN): all 503s.
 */
mai_status_t mai_signed_answer_open(request_rec *r, const mai_dir_conf_t *c,
                                    apr_pool_t *p,
                                    const mai_introspect_out_t *out,
                                    const char *token_id, apr_int64_t now,
                                    const char **json, apr_size_t *json_len,
                                    apr_interval_time_t *retry_after);

#endif
