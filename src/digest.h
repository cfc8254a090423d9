/* digest.h: SHA-256 of tokens for cache keys and log names. Pure. */
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

/**
 * The cache lookup key: SHA-256 over a domain label and the
 * length-prefixed endpoint, client id (NULL = empty) and token, so no two
 * different triples share a key and the key reveals none of them.
 */
void mai_digest_cache_key(const char *endpoint, const char *client_id,
                          const char *token,
                          unsigned char key[MAI_DIGEST_LEN]);

/** The log name from a token's SHA-256 (as mai_digest_token_id, without
 * hashing the token again). From p. */
const char *mai_digest_id_of(apr_pool_t *p,
                             const unsigned char hash[MAI_DIGEST_LEN]);

#endif
