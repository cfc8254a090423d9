/* digest.c: SHA-256 of tokens for cache keys and log names. */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
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
    if (!EVP_Digest(data, len, out, NULL, EVP_sha256(), NULL)) {
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
static int update_field(EVP_MD_CTX *ctx, const char *s)
{
    apr_uint64_t n = s ? strlen(s) : 0;
    unsigned char len[8];
    int i;

    for (i = 7; i >= 0; i--) {
        len[i] = (unsigned char)(n & 0xff);
        n >>= 8;
    }
    return EVP_DigestUpdate(ctx, len, sizeof(len)) &&
           EVP_DigestUpdate(ctx, s ? s : "", s ? strlen(s) : 0);
}

void mai_digest_cache_key(const char *endpoint, const char *client_id,
                          const char *token, unsigned char key[MAI_DIGEST_LEN])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok =
        ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
        EVP_DigestUpdate(ctx, CACHE_KEY_LABEL, sizeof(CACHE_KEY_LABEL) - 1) &&
        update_field(ctx, endpoint) && update_field(ctx, client_id) &&
        update_field(ctx, token) && EVP_DigestFinal_ex(ctx, key, NULL);

    EVP_MD_CTX_free(ctx);
    if (!ok) {
        unmatchable(key);
    }
}

#define CACHE_KEY_OF_LABEL "mod_auth_introspect cache key v2 (token hash)"

/* Write n as 8 bytes big-endian, then the n bytes of s. */
static unsigned char *put_field(unsigned char *d, const void *s,
                                apr_uint64_t n)
{
    apr_uint64_t v = n;
    int i;

    for (i = 7; i >= 0; i--) {
        d[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
    if (n) {
        memcpy(d + 8, s, n);
    }
    return d + 8 + n;
}

void mai_digest_cache_key_of(apr_pool_t *p, const char *endpoint,
                             const char *client_id,
                             const unsigned char hash[MAI_DIGEST_LEN],
                             unsigned char key[MAI_DIGEST_LEN])
{
    apr_size_t le = endpoint ? strlen(endpoint) : 0;
    apr_size_t lc = client_id ? strlen(client_id) : 0;
    apr_size_t lab = sizeof(CACHE_KEY_OF_LABEL) - 1;
    apr_size_t total = lab + 3 * 8 + le + lc + MAI_DIGEST_LEN;
    unsigned char stack[512], *buf = total <= sizeof(stack)
                                     ? stack : apr_palloc(p, total);
    unsigned char *d = buf;

    /* one contiguous buffer: a single one-shot digest on the hit path */
    memcpy(d, CACHE_KEY_OF_LABEL, lab);
    d += lab;
    d = put_field(d, endpoint, le);
    d = put_field(d, client_id, lc);
    put_field(d, hash, MAI_DIGEST_LEN);
    mai_digest_sha256(buf, total, key);
}
