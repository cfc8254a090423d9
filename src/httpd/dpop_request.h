/* SPDX-License-Identifier: Apache-2.0 */
/* dpop_request.h: a request's DPoP proof checked (RFC 9449 section 4.3):
 * what the proof is checked against comes from httpd (method, scheme,
 * host, port, path), the signature from jose.h, the rules from
 * src/pure/dpop.c, the replay store from the shared cache. */
#ifndef MAI_DPOP_REQUEST_H
#define MAI_DPOP_REQUEST_H

#include <httpd.h>
#include "config.h"
#include "request_state.h"

/**
 * Check the DPoP header of r against st->token: one header, a JWS with
 * typ dpop+jwt, an allowed asymmetric alg, a public jwk, a signature
 * that verifies, htm, htu, iat (AuthIntrospectDPoPProofWindow and
 * ClockSkew), ath, and a jti not seen before. Each refusal is logged
 * with its own tag (never the proof or the token). *jkt: the key's
 * thumbprint. @return MAI_OK or a DPOP_PROOF_* status.
 */
mai_status_t mai_dpop_check_request(request_rec *r, const mai_dir_conf_t *c,
                                    mai_req_state_t *st, const char **jkt);

#endif
