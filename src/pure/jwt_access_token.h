/* SPDX-License-Identifier: Apache-2.0 */
/* jwt_access_token.h: the pure half of JWT access tokens verified locally
 * (RFC 9068, AuthIntrospectLocalJWT): which tokens look like one, the
 * header's typ, and the claims made into the parsed answer introspection
 * would give, so every rule, Require provider, export and cache reads
 * them the way it reads an endpoint's answer. The signature is jose.h's
 * (src/io), the keys jwks.c's. Pure: time is passed in. */
#ifndef MAI_JWT_ACCESS_TOKEN_H
#define MAI_JWT_ACCESS_TOKEN_H

#include <apr_pools.h>
#include "status.h"
#include "result.h"

/* AuthIntrospectLocalJWT */
typedef enum {
    MAI_LJWT_OFF = 0,   /* every token goes to the endpoint */
    MAI_LJWT_ON,        /* this issuer's JWTs locally, the rest to it */
    MAI_LJWT_ONLY       /* no endpoint: anything else is invalid_token */
} mai_ljwt_mode_t;

/** Parse off|on|only (any case). NULL or an error message. */
const char *mai_jwt_mode_parse(const char *arg, mai_ljwt_mode_t *out);

/**
 * The cheap test run before any decoding (and before the cache lookup of
 * a JWT, so on every cache hit): three dot-separated parts, none empty,
 * the header starting with "eyJ" (base64url of '{"'). Opaque tokens of
 * the usual servers fail it on their first bytes. The characters are
 * left to mai_jws_parse (base64url only), which a token passing this
 * test meets before anything of it is used.
 */
int mai_jwt_shape(const char *token, apr_size_t len);

/**
 * RFC 9068 section 2.1: the header's typ is "at+jwt" or
 * "application/at+jwt", in any case (media types are case-insensitive).
 * lenient (AuthIntrospectLocalJWTType lenient) also takes a typ that is
 * absent or "JWT", what servers predating RFC 9068 send; any other typ
 * names another kind of token (a DPoP proof, a logout token) and is
 * refused either way. MAI_OK or MAI_STATUS_JWT_TYPE.
 */
mai_status_t mai_jwt_typ_check(const char *typ, int lenient);

/**
 * The payload as an introspection answer: the same parser and limits as
 * an endpoint's JSON (result.h), with "active": true added in front, so
 * the cached form (its json) parses back to the same result. When there
 * is no "scope" but an "scp" that is a string (Entra ID) or an array of
 * strings (Okta), "scope" is added with its words joined by one space,
 * so Require oauth-scope reads it. MAI_STATUS_JWT_CLAIMS when the payload
 * is not a JSON object the parser accepts (one that carries "active"
 * itself included: a repeated member); MAI_STATUS_INTERNAL on memory.
 */
mai_status_t mai_jwt_claims_parse(apr_pool_t *p, const char *payload,
                                  apr_size_t len, const mai_result_t **out);

/**
 * RFC 9068 section 4's rules that mai_result_check does not apply to an
 * endpoint's answer: "exp" is required (MAI_STATUS_JWT_NO_EXP). The
 * issuer, exp, nbf, audience and REMOTE_USER are then checked by the
 * same code as for every answer (authn.c's judge).
 */
mai_status_t mai_jwt_claims_check(const mai_result_t *res);

/**
 * AuthIntrospectLocalJWTIntrospectAfter: true when a token's "iat" is
 * `after` seconds or more before now, or absent (nothing says it is
 * young), so it goes to the endpoint, where a revocation shows. after 0:
 * never.
 */
int mai_jwt_introspect_due(const mai_result_t *res, apr_int64_t now,
                           int after);

#endif
