/* SPDX-License-Identifier: Apache-2.0 */
/* client_assertion.h: the claim set of an RFC 7523 client assertion
 * (client_secret_jwt, private_key_jwt). Pure: the caller brings the time
 * and the random bytes; jose_sign.c signs the result. */
#ifndef MAI_CLIENT_ASSERTION_H
#define MAI_CLIENT_ASSERTION_H

#include <apr_pools.h>

/* RFC 7523 section 3 asks for a short life; servers refuse long ones. */
#define MAI_ASSERTION_LIFE 60
/* random bytes in a jti: 128 bits, never repeated in practice */
#define MAI_ASSERTION_JTI_BYTES 16

/** The value of client_assertion_type (RFC 7523 section 2.2). */
#define MAI_ASSERTION_TYPE \
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

/** base64url without padding (RFC 7515 section 2) of n bytes, from p. */
const char *mai_b64url(apr_pool_t *p, const unsigned char *bytes,
                       apr_size_t n);

/**
 * The claims as compact JSON (from p): iss and sub the client id, aud a
 * string (aud2 NULL) or the array [aud, aud2], jti, iat = now (seconds
 * since the epoch) and exp = now + life, life clamped to 1 ..
 * MAI_ASSERTION_LIFE. NULL when client_id, aud or jti is missing.
 */
const char *mai_client_assertion_claims(apr_pool_t *p, const char *client_id,
                                        const char *aud, const char *aud2,
                                        const char *jti, apr_int64_t now,
                                        int life);

#endif
