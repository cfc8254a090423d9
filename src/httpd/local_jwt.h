/* SPDX-License-Identifier: Apache-2.0 */
/* local_jwt.h: AuthIntrospectLocalJWT's first sight of a token: a JWT of
 * this location's issuer verified with the issuer's keys, no endpoint.
 * lookup.c reads and fills the caches around it. */
#ifndef MAI_LOCAL_JWT_H
#define MAI_LOCAL_JWT_H

#include <httpd.h>
#include "config.h"
#include "answer.h"

/** What became of a token. */
typedef enum {
    MAI_LJWT_VERIFIED,      /* a->result holds its claims as an answer */
    MAI_LJWT_TO_ENDPOINT,   /* not this issuer's JWT (mode on), or old
                             * enough for IntrospectAfter: introspect */
    MAI_LJWT_REFUSED        /* a->status says why (401, or 503 when the
                             * keys could not be had) */
} mai_ljwt_outcome_t;

/**
 * Decode token, and if it is a JWT of the location's issuer, check its
 * typ, exp and signature (alg from the asymmetric allow-list, the key by
 * kid from the issuer's JWK Set, fetched again once for an unknown kid).
 * exp, nbf, iss, aud and REMOTE_USER are left to authn.c's judge, which
 * runs them on every answer. token_id names the token in the log.
 */
mai_ljwt_outcome_t mai_local_jwt_verify(request_rec *r,
                                        const mai_dir_conf_t *c,
                                        const char *token,
                                        const char *token_id,
                                        apr_int64_t now, mai_answer_t *a);

#endif
