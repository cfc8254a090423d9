/* SPDX-License-Identifier: Apache-2.0 */
/* jose.h: JWS verification and JWK sets through cjose, the one place the
 * module checks a signature (signed introspection answers, JWT access
 * tokens, DPoP proofs). Never alg "none", never an HMAC where a public key
 * is expected: algorithms come from an allow-list and must fit the key. */
#ifndef MAI_JOSE_H
#define MAI_JOSE_H

#include <apr_pools.h>
#include "key_cache.h"

/* The allow-list: one bit per signature algorithm we ever accept. EdDSA
 * is not here: cjose 0.6 (Debian 12) does not implement it. */
#define MAI_JOSE_RS256 (1u << 0)
#define MAI_JOSE_RS384 (1u << 1)
#define MAI_JOSE_RS512 (1u << 2)
#define MAI_JOSE_PS256 (1u << 3)
#define MAI_JOSE_PS384 (1u << 4)
#define MAI_JOSE_PS512 (1u << 5)
#define MAI_JOSE_ES256 (1u << 6)
#define MAI_JOSE_ES384 (1u << 7)
#define MAI_JOSE_ES512 (1u << 8)
#define MAI_JOSE_ASYMMETRIC 0x1ffu

/** The bit of an algorithm name ("RS256"), or 0 for anything we never
 * accept as a signature by a public key ("none", "HS256", unknown). */
unsigned mai_jose_alg_bit(const char *name);

/** Outcomes of a verification; each caller maps them to its own status
 * (a bad signed answer is an endpoint failure, a bad JWT access token or
 * DPoP proof a 401). */
typedef enum {
    MAI_JOSE_OK = 0,
    MAI_JOSE_MALFORMED,     /* not a compact JWS: parts, base64url, JSON */
    MAI_JOSE_ENCRYPTED,     /* a JWE (five parts): not supported */
    MAI_JOSE_ALG,           /* alg missing, not allowed or not the key's */
    MAI_JOSE_UNKNOWN_KID,   /* no key in the set has this kid: a rotation? */
    MAI_JOSE_BAD_KEY,       /* an embedded jwk that is private or unusable */
    MAI_JOSE_SIGNATURE      /* the signature does not verify */
} mai_jose_result_t;

/** A short phrase for the log ("signature does not verify"). */
const char *mai_jose_reason(mai_jose_result_t r);

/** A JWK Set's public signature keys (kty RSA or EC, use absent or
 * "sig"), parsed once at fetch time, never per request. */
typedef struct mai_jwks mai_jwks_t;

/**
 * Parse a JWK Set document. Keys the module cannot use (other kty, use
 * "enc", unknown alg) are skipped; an empty result is an error. The cjose
 * keys are released when p is cleared.
 * @return the set, or NULL with *why (from p) for the log.
 */
mai_jwks_t *mai_jwks_parse(apr_pool_t *p, const char *json, apr_size_t len,
                           const char **why);

/** How many usable keys the set holds. */
int mai_jwks_count(const mai_jwks_t *keys);

/** A compact JWS split and decoded; nothing verified yet. Strings are
 * NUL-terminated copies in the pool given to mai_jws_parse, NULL when the
 * protected header lacks the member. */
typedef struct mai_jws {
    const char *alg;
    const char *kid;
    const char *typ;
    const char *jwk_json;       /* the header's "jwk" as JSON text (DPoP) */
    const char *payload;        /* decoded payload, NUL-terminated */
    apr_size_t payload_len;
    void *impl;                 /* cjose's object, released with the pool */
    void *jwk_impl;             /* the "jwk" as read from the header (json-c,
                                 * with the pool), so a proof's key is not
                                 * parsed twice */
    void *proof_key;            /* mai_jws_parse_proof, header seen: the
                                 * key imported then (held for the pool) */
    const char *proof_tp;       /* and its thumbprint */
    const char *proof_hdr;      /* header not seen: its cache key */
} mai_jws_t;

/** Split and decode a compact JWS (header.payload.signature, base64url
 * without padding, a JSON object header with "alg"). A cheap test that
 * rejects opaque tokens before any decoding comes first.
 * @return MAI_JOSE_OK, MAI_JOSE_MALFORMED or MAI_JOSE_ENCRYPTED. */
mai_jose_result_t mai_jws_parse(apr_pool_t *p, const char *compact,
                                apr_size_t len, mai_jws_t *out);

/** mai_jws_parse for a DPoP proof with the proof-key cache (or NULL):
 * a protected header byte for byte the same as one whose proof verified
 * before (a client signs every proof with one key, so its headers are
 * all the same) is not decoded or read again; alg and typ are what it
 * gave then, kid and jwk_json stay NULL and mai_jws_verify_proof uses
 * the key imported then. cjose still imports the whole JWS, for this
 * proof's signature and payload. The outcome of parse and verification
 * is the same with or without the cache. */
mai_jose_result_t mai_jws_parse_proof(apr_pool_t *p, const char *compact,
                                      apr_size_t len, mai_key_cache_t *keys,
                                      mai_jws_t *out);

/** 1 when the header has a "jwk" (read now, or by an earlier proof with
 * the same header). */
int mai_jws_has_jwk(const mai_jws_t *jws);

/** Verify with the key set: alg must be in algs and fit the key's type
 * and size; the header's kid picks the key (without a kid, the keys that
 * fit alg are tried in order). */
mai_jose_result_t mai_jws_verify(const mai_jws_t *jws,
                                 const mai_jwks_t *keys, unsigned algs);

/** Verify with the public key in the header's "jwk" (DPoP, RFC 9449):
 * a key with private members is MAI_JOSE_BAD_KEY. *thumbprint gets the
 * key's RFC 7638 SHA-256 thumbprint, base64url without padding (from p).
 */
mai_jose_result_t mai_jws_verify_embedded(apr_pool_t *p,
                                          const mai_jws_t *jws,
                                          unsigned algs,
                                          const char **thumbprint);

/** mai_jws_verify_embedded with a proof-key cache (from
 * mai_jose_proof_keys_create, or NULL): keys that verified a proof are
 * kept by thumbprint, so the next proof of the same key skips cjose's
 * import. The outcome is the same with or without the cache. */
mai_jose_result_t mai_jws_verify_proof(apr_pool_t *p, const mai_jws_t *jws,
                                       unsigned algs, mai_key_cache_t *keys,
                                       const char **thumbprint);

/* Proof keys kept per process: a client signs its proofs with one key
 * for as long as it uses a token, so 256 covers that many clients busy
 * at once; an imported P-256 key is about 2 KiB with its EC_GROUP (an
 * RSA-2048 one less), and each entry's slot 1.3 KiB (the header it is
 * kept under), so under a MiB a process. More clients than
 * that cost the import they cost without the cache, never a refusal. */
#define MAI_JOSE_PROOF_KEYS 256

/** A proof-key cache for mai_jws_verify_proof, in p (the process
 * pool); NULL when it cannot be made (then nothing is kept). */
mai_key_cache_t *mai_jose_proof_keys_create(apr_pool_t *p);

/** The RFC 7638 SHA-256 thumbprint of a public JWK given as JSON text
 * (RSA: e, kty, n; EC: crv, kty, x, y), base64url without padding, from
 * p; NULL when the key is not an RSA or EC key with those members. */
const char *mai_jwk_thumbprint(apr_pool_t *p, const char *jwk_json);

#endif
