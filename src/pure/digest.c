/* SPDX-License-Identifier: Apache-2.0 */
/* digest.c: SHA-256 of tokens for log names; HMAC and HKDF for the cache
 * keys. */
#include <stdlib.h>
#include <string.h>
/* OpenSSL 3 deprecates the SHA256_* functions, but its EVP path fetches a
 * provider and allocates a context on every call, which doubled the cost
 * of a cache hit (callgrind, bench/run --instructions). This file is their
 * only user, so moving off them later is a one-file change. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <apr_strings.h>
#include "digest.h"
#include "lex.h"

/* Changing how the key is built must change this label, so entries
 * written by an older layout can never be found under the new one. */
#define CACHE_KEY_LABEL "mai cache key v2"
#define BLOCK 64                /* SHA-256's block size */

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
    static const char hex[] = "0123456789abcdef";
    unsigned char d[MAI_DIGEST_LEN];
    char *id = apr_palloc(p, 9);
    int i;

    mai_digest_sha256(token, strlen(token), d);
    for (i = 0; i < 4; i++) {
        id[2 * i] = hex[d[i] >> 4];
        id[2 * i + 1] = hex[d[i] & 0x0f];
    }
    id[8] = '\0';
    return id;
}

/* HMAC by hand over SHA256_CTX rather than OpenSSL's HMAC/EVP_MAC: the
 * keyed states are computed once per process (per secret) and each use
 * copies them, so a cache hit pays no key set-up, no provider fetch and no
 * allocation. tests/unit/test_digest.c checks it against OpenSSL's HMAC
 * and HKDF. */
struct mai_hmac_key {
    SHA256_CTX inner;           /* after (key ^ ipad) */
    SHA256_CTX outer;           /* after (key ^ opad) */
};

static int prepare(struct mai_hmac_key *k, const void *secret,
                   apr_size_t len)
{
    unsigned char key[BLOCK], pad[BLOCK];
    int i, ok;

    memset(key, 0, sizeof(key));
    if (len > BLOCK) {
        mai_digest_sha256(secret, len, key);
    }
    else if (len) {
        memcpy(key, secret, len);
    }
    for (i = 0; i < BLOCK; i++) {
        pad[i] = key[i] ^ 0x36;
    }
    ok = SHA256_Init(&k->inner) && SHA256_Update(&k->inner, pad, BLOCK);
    for (i = 0; i < BLOCK; i++) {
        pad[i] = key[i] ^ 0x5c;
    }
    ok = ok && SHA256_Init(&k->outer) && SHA256_Update(&k->outer, pad, BLOCK);
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(pad, sizeof(pad));
    return ok;
}

static apr_status_t wipe_key(void *k)
{
    OPENSSL_cleanse(k, sizeof(struct mai_hmac_key));
    return APR_SUCCESS;
}

mai_hmac_key_t *mai_hmac_key_make(apr_pool_t *p, const void *secret,
                                  apr_size_t len)
{
    mai_hmac_key_t *k = apr_palloc(p, sizeof(*k));

    apr_pool_cleanup_register(p, k, wipe_key, apr_pool_cleanup_null);
    return prepare(k, secret, len) ? k : NULL;
}

/* The outer hash over a message already fed into c (a copy of k->inner);
 * c is wiped, since it holds a keyed state. */
static void finish(const mai_hmac_key_t *k, SHA256_CTX *c, int ok,
                   unsigned char out[MAI_DIGEST_LEN])
{
    unsigned char ih[MAI_DIGEST_LEN];
    SHA256_CTX o = k->outer;

    ok = ok && SHA256_Final(ih, c) && SHA256_Update(&o, ih, sizeof(ih))
         && SHA256_Final(out, &o);
    OPENSSL_cleanse(c, sizeof(*c));
    OPENSSL_cleanse(&o, sizeof(o));
    if (!ok) {
        unmatchable(out);
    }
}

void mai_hmac(const mai_hmac_key_t *k, const void *data, apr_size_t len,
              unsigned char out[MAI_DIGEST_LEN])
{
    SHA256_CTX c = k->inner;

    finish(k, &c, SHA256_Update(&c, data, len), out);
}

void mai_hkdf(const mai_hmac_key_t *salt, const void *ikm,
              apr_size_t ikm_len, const char *info,
              unsigned char out[MAI_DIGEST_LEN])
{
    unsigned char prk[MAI_DIGEST_LEN];
    struct mai_hmac_key pk;
    SHA256_CTX c;
    int ok;

    /* extract: PRK = HMAC(salt, IKM); expand, one block: T(1) =
     * HMAC(PRK, info || 0x01) */
    mai_hmac(salt, ikm, ikm_len, prk);
    ok = prepare(&pk, prk, sizeof(prk));
    c = pk.inner;
    ok = ok && SHA256_Update(&c, info, strlen(info))
         && SHA256_Update(&c, "\x01", 1);
    finish(&pk, &c, ok, out);
    OPENSSL_cleanse(prk, sizeof(prk));
    OPENSSL_cleanse(&pk, sizeof(pk));
}

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

int mai_cache_scope_equal(const mai_cache_scope_t *a,
                          const mai_cache_scope_t *b)
{
    return a->tls_verify == b->tls_verify
           && same_text(a->endpoint, b->endpoint)
           && same_text(a->client_id, b->client_id)
           && same_text(a->ca_file, b->ca_file)
           && same_text(a->hint, b->hint);
}

/* The key's message is gathered in a buffer and hashed in one update
 * when it fits (it nearly always does), since each SHA256_Update has a
 * fixed cost well above copying a few bytes. */
typedef struct {
    SHA256_CTX *ctx;
    unsigned char buf[256];
    apr_size_t n;
    int ok;
} feed_t;

static void feed(feed_t *f, const void *data, apr_size_t len)
{
    if (f->n + len > sizeof(f->buf)) {
        f->ok = f->ok && SHA256_Update(f->ctx, f->buf, f->n)
                && SHA256_Update(f->ctx, data, len);
        f->n = 0;
        return;
    }
    memcpy(f->buf + f->n, data, len);
    f->n += len;
}

/* One field as a presence byte, its length as 4 bytes big-endian, and its
 * bytes: without the length ("ab", "c") and ("a", "bc") would hash alike,
 * without the presence byte NULL and "" would. Configuration strings are
 * far below 4 GiB. */
static void feed_field(feed_t *f, const char *s)
{
    apr_size_t n = s ? strlen(s) : 0;
    unsigned char head[5];

    head[0] = s ? 1 : 0;
    mai_lex_put_be32(head + 1, (apr_uint32_t)n);
    feed(f, head, sizeof(head));
    feed(f, s ? s : "", n);
}

void mai_digest_cache_key_of_hash(const mai_hmac_key_t *k,
                                  const mai_cache_scope_t *scope,
                                  const unsigned char hash[MAI_DIGEST_LEN],
                                  unsigned char key[MAI_DIGEST_LEN])
{
    SHA256_CTX c = k->inner;
    feed_t f;
    unsigned char verify = scope->tls_verify ? 1 : 0;

    f.ctx = &c;
    f.n = 0;
    f.ok = 1;
    feed(&f, CACHE_KEY_LABEL, sizeof(CACHE_KEY_LABEL) - 1);
    feed(&f, &verify, 1);
    feed_field(&f, scope->endpoint);
    feed_field(&f, scope->client_id);
    feed_field(&f, scope->ca_file);
    feed_field(&f, scope->hint);
    feed(&f, hash, MAI_DIGEST_LEN);
    f.ok = f.ok && SHA256_Update(&c, f.buf, f.n);
    finish(k, &c, f.ok, key);
}

void mai_digest_cache_key(const mai_hmac_key_t *k,
                          const mai_cache_scope_t *scope, const char *token,
                          unsigned char key[MAI_DIGEST_LEN])
{
    unsigned char th[MAI_DIGEST_LEN];

    mai_digest_sha256(token, strlen(token), th);
    mai_digest_cache_key_of_hash(k, scope, th, key);
}
