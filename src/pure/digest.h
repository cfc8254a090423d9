/* SPDX-License-Identifier: Apache-2.0 */
/* digest.h: SHA-256 of tokens for log names, and the keyed hashes behind
 * the cache: HMAC-SHA256 under the cache secret for lookup keys, HKDF for
 * the entry keys. Pure. */
#ifndef MAI_DIGEST_H
#define MAI_DIGEST_H

#include <apr_pools.h>

#define MAI_DIGEST_LEN 32

/** SHA-256 of len bytes. */
void mai_digest_sha256(const void *data, apr_size_t len,
                       unsigned char out[MAI_DIGEST_LEN]);

/** The name a token has in logs: the first 8 hex digits of its SHA-256.
 * From p. */
const char *mai_digest_token_id(apr_pool_t *p, const char *token);

/** The same name from the token's SHA-256. From p. */
const char *mai_digest_id_of_hash(apr_pool_t *p,
                                  const unsigned char d[MAI_DIGEST_LEN]);

/** A secret made ready for HMAC-SHA256: its two padded key blocks are
 * hashed once, so each use costs only the message. */
typedef struct mai_hmac_key mai_hmac_key_t;

/** Prepare len bytes of secret (any length). From p; wiped when p is
 * cleared. */
mai_hmac_key_t *mai_hmac_key_make(apr_pool_t *p, const void *secret,
                                  apr_size_t len);

/** A number no other key made by this process has had (from 1): lets a
 * per-thread cache of something derived from k know whose it is, where
 * a freed key's address could be reused. */
apr_uint32_t mai_hmac_key_id(const mai_hmac_key_t *k);

/** HMAC-SHA256 (RFC 2104) of len bytes under k. */
void mai_hmac(const mai_hmac_key_t *k, const void *data, apr_size_t len,
              unsigned char out[MAI_DIGEST_LEN]);

/** HKDF-SHA256 (RFC 5869) giving 32 bytes: k's secret is the salt, ikm
 * the input keying material, info the context label. */
void mai_hkdf(const mai_hmac_key_t *salt, const void *ikm,
              apr_size_t ikm_len, const char *info,
              unsigned char out[MAI_DIGEST_LEN]);

/** Everything besides the token that changes an answer or how far it is
 * trusted: two locations share cache entries only when all of it agrees.
 * NULL pointers are "not set", distinct from any string. */
typedef struct {
    const char *endpoint;
    const char *client_id;
    int tls_verify;
    const char *ca_file;
    const char *hint;          /* token_type_hint sent, NULL for none */
    int signed_answer;         /* AuthIntrospectResponseFormat jwt: only
                                * answers verified as RFC 9701 JWTs */
} mai_cache_scope_t;

/** True when a and b are the same scope: an answer fetched under one may
 * serve the other (a subrequest reuses its parent's only then). */
int mai_cache_scope_equal(const mai_cache_scope_t *a,
                          const mai_cache_scope_t *b);

/**
 * The cache lookup key: HMAC-SHA256 under the cache secret over a domain
 * label, the TLS verification flag, the length-prefixed scope strings and
 * the token's SHA-256. Without the secret no one can compute it; it
 * reveals nothing of its inputs.
 */
void mai_digest_cache_key(const mai_hmac_key_t *k,
                          const mai_cache_scope_t *scope, const char *token,
                          unsigned char key[MAI_DIGEST_LEN]);

/** The same key from the token's SHA-256 alone (what a purge by hash
 * has). */
void mai_digest_cache_key_of_hash(const mai_hmac_key_t *k,
                                  const mai_cache_scope_t *scope,
                                  const unsigned char hash[MAI_DIGEST_LEN],
                                  unsigned char key[MAI_DIGEST_LEN]);

/** A secret and a scope made ready for cache keys: the key's message up
 * to the token's hash is hashed once (what a cache hit would otherwise
 * hash on every request). */
typedef struct mai_key_prefix mai_key_prefix_t;

/** Prepare k and scope (its strings need not outlive the call). From p;
 * freed (wiped) when p is cleared. NULL when SHA-256 fails. */
mai_key_prefix_t *mai_digest_key_prefix_make(apr_pool_t *p,
                                             const mai_hmac_key_t *k,
                                             const mai_cache_scope_t *scope);

/** mai_digest_cache_key(k, scope, token), bit for bit, from pre; th
 * gets the token's SHA-256, which the key is made from (the token's log
 * name is its first 4 bytes: no second hash of the token). */
void mai_digest_cache_key_prefixed(const mai_key_prefix_t *pre,
                                   const char *token,
                                   unsigned char key[MAI_DIGEST_LEN],
                                   unsigned char th[MAI_DIGEST_LEN]);

/** The same key from pre and the token's SHA-256 th (taken before, for
 * the per-process cache, which is keyed by th and needs no HMAC). */
void mai_digest_cache_key_of_prefix(const mai_key_prefix_t *pre,
                                    const unsigned char th[MAI_DIGEST_LEN],
                                    unsigned char key[MAI_DIGEST_LEN]);

#endif
