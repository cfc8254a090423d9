/* digest.c: SHA-256 of tokens for cache keys and log names. */
#include <stdlib.h>
#include <string.h>
/* OpenSSL 3 deprecates the SHA256_* functions, but its EVP path fetches a
 * provider and allocates a context on every call, which doubled the cost
 * of a cache hit (callgrind, bench/run --instructions). This file is their
 * only user, so moving off them later is a one-file change. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <openssl/rand.h>
#include <apr_strings.h>
#include "digest.h"

/* Changing how the key is built must change this label, so entries
 * written by an older layout can never be found under the new one. */
#define CACHE_KEY_LABEL "mod_auth_introspect cache key v1"

/* SHA-256 fails only when OpenSSL cannot allocate or load its provider.
 * A fixed fallback (all zeros) would give every token the same cache key
 * and so one token's result to another; random bytes give a key nothing
 * else matches, so the request just misses the cache. Should even the
 * random generator fail, stopping the process is the only safe answer,
 * as APR does when a pool cannot allocate. */
static void unmatchable(unsigned char out[MAI_DIGEST_LEN])
{
    if (RAND_bytes(out, MAI_DIGEST_LEN) != 1) {
        abort();
    }
}

void mai_digest_sha256(const void *data, apr_size_t len,
                       unsigned char out[MAI_DIGEST_LEN])
{
    SHA256_CTX c;

    if (!SHA256_Init(&c) || !SHA256_Update(&c, data, len)
        || !SHA256_Final(out, &c)) {
        unmatchable(out);
    }
}

const char *mai_digest_token_id(apr_pool_t *p, const char *token)
{
    unsigned char d[MAI_DIGEST_LEN];

    mai_digest_sha256(token, strlen(token), d);
    return mai_digest_id_of(p, d);
}

const char *mai_digest_id_of(apr_pool_t *p,
                             const unsigned char d[MAI_DIGEST_LEN])
{
    static const char hex[] = "0123456789abcdef";
    char *id = apr_palloc(p, 9);
    int i;

    for (i = 0; i < 4; i++) {
        id[2 * i] = hex[d[i] >> 4];
        id[2 * i + 1] = hex[d[i] & 0x0f];
    }
    id[8] = '\0';
    return id;
}

/* Hash one field preceded by its length as 8 bytes big-endian: without
 * the length ("ab", "c") and ("a", "bc") would hash alike. */
static int update_field(SHA256_CTX *ctx, const char *s)
{
    apr_uint64_t n = s ? strlen(s) : 0;
    unsigned char len[8];
    int i;

    for (i = 7; i >= 0; i--) {
        len[i] = (unsigned char)(n & 0xff);
        n >>= 8;
    }
    return SHA256_Update(ctx, len, sizeof(len)) &&
           SHA256_Update(ctx, s ? s : "", s ? strlen(s) : 0);
}

void mai_digest_cache_key(const char *endpoint, const char *client_id,
                          const char *token, unsigned char key[MAI_DIGEST_LEN])
{
    SHA256_CTX ctx;
    int ok =
        SHA256_Init(&ctx) &&
        SHA256_Update(&ctx, CACHE_KEY_LABEL, sizeof(CACHE_KEY_LABEL) - 1) &&
        update_field(&ctx, endpoint) && update_field(&ctx, client_id) &&
        update_field(&ctx, token) && SHA256_Final(key, &ctx);

    if (!ok) {
        unmatchable(key);
    }
}
