/* SPDX-License-Identifier: Apache-2.0 */
/* signed_claims.h: the claims of an RFC 9701 signed introspection
 * response, checked once its signature verified (signed_answer.c): iss,
 * aud, a fresh iat, and the answer itself in "token_introspection". Pure. */
#ifndef MAI_SIGNED_CLAIMS_H
#define MAI_SIGNED_CLAIMS_H

#include <apr_pools.h>
#include "status.h"

/* How old a signed answer's iat may be, beside AuthIntrospectClockSkew:
 * an answer is made for the call that asked, so anything older is a
 * replay or a clock gone wrong. */
#define MAI_SIGNED_MAX_AGE 60

typedef struct mai_signed_expect {
    const char *issuer;         /* iss must equal it */
    const char *audience;       /* aud (string or array) must hold it */
    apr_int64_t now;            /* seconds since the epoch */
    apr_int64_t skew;           /* AuthIntrospectClockSkew, seconds */
    apr_int64_t max_age;        /* seconds */
} mai_signed_expect_t;

/** Which check failed. */
typedef enum {
    MAI_SC_OK = 0,
    MAI_SC_PAYLOAD,             /* not an acceptable JSON object */
    MAI_SC_ISS,
    MAI_SC_AUD,
    MAI_SC_IAT,                 /* missing, in the future or too old */
    MAI_SC_ANSWER               /* token_introspection missing or not an
                                 * object */
} mai_sc_check_t;

/**
 * Check the JWT claims of a verified signed answer and give the answer
 * (the "token_introspection" object, NUL-terminated, from p) for
 * mai_result_parse. The answer is not parsed here: its bytes are taken
 * from the payload as they are, and the rest of the payload (the answer
 * replaced by {}) goes through mai_result_parse, so a repeated member at
 * any depth outside the answer is refused before anything is read, and
 * the caller's one parse of the answer refuses one inside it. A payload
 * where the answer cannot be told apart that way (its member name
 * escaped, deep nesting, a large answer) is parsed whole as before and
 * the answer given as compact JSON.
 * @return MAI_OK; the parser's status (ENDPOINT_BAD_JSON,
 * _DUPLICATE_MEMBER, _TOO_LARGE) with *check MAI_SC_PAYLOAD; or
 * ENDPOINT_BAD_CLAIMS with *check and *why (from p) saying which.
 */
mai_status_t mai_signed_claims(apr_pool_t *p, const char *payload,
                               apr_size_t len, const mai_signed_expect_t *e,
                               const char **answer, apr_size_t *answer_len,
                               mai_sc_check_t *check, const char **why);

#endif
