/* SPDX-License-Identifier: Apache-2.0 */
/* jose_sign.h: the module's one place that signs a JWS (RFC 7523 client
 * assertions), through cjose. Keys are loaded at startup, never per
 * request; no error message carries key material. Verification lives in
 * jose.h. */
#ifndef MAI_JOSE_SIGN_H
#define MAI_JOSE_SIGN_H

#include <apr_pools.h>

typedef struct mai_sign_key mai_sign_key_t;

/**
 * Load a private key for private_key_jwt from path: PEM (PKCS#8 or
 * traditional; RSA of 2048 bits or more, EC P-256, P-384 or P-521) or a
 * private JWK (a JSON object). Ed25519/Ed448 and encrypted PEM keys are
 * refused with a message saying why. The algorithm: ES256/384/512 by
 * curve; RS256 for RSA, or PS256 when a JWK says "alg": "PS256". The
 * kid: `kid` if given, else the JWK's "kid", else the RFC 7638 SHA-256
 * thumbprint of the public key. cjose's key is released with p.
 * @return NULL and *out, or an error message (from p).
 */
const char *mai_sign_key_load(apr_pool_t *p, const char *path,
                              const char *kid, mai_sign_key_t **out);

/** An HS256 key for client_secret_jwt made from the client secret. */
const char *mai_sign_key_hmac(apr_pool_t *p, const char *secret,
                              mai_sign_key_t **out);

/** The JWS alg the key signs with ("RS256", "ES384", "HS256"...). */
const char *mai_sign_key_alg(const mai_sign_key_t *k);
/** The kid put in the header, or NULL (HMAC keys have none). */
const char *mai_sign_key_kid(const mai_sign_key_t *k);

/**
 * Sign payload as a compact JWS with header {alg, kid, typ "JWT"}.
 * @return NULL and *compact (from p), or a reason for the log.
 */
const char *mai_sign_compact(apr_pool_t *p, const mai_sign_key_t *k,
                             const char *payload, apr_size_t len,
                             const char **compact);

/** What a client assertion is made of, besides the key. */
typedef struct mai_assertion_req {
    const char *client_id;
    const char *aud;            /* the audience ... */
    const char *aud2;           /* ... and a second one, or NULL */
    int reuse;                  /* seconds one assertion may be sent again
                                 * from this process (0: never) */
} mai_assertion_req_t;

/**
 * An RFC 7523 client assertion signed with k: a fresh jti (16 random
 * bytes), iat now, exp 60 s later. With q->reuse, the last one this
 * process made with k for the same client id and audience is sent again
 * while younger than q->reuse seconds (thread-safe).
 * @return NULL and *out (from p), or a reason for the log.
 */
const char *mai_client_assertion(apr_pool_t *p, const mai_sign_key_t *k,
                                 const mai_assertion_req_t *q,
                                 const char **out);

#endif
