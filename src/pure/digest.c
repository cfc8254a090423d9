/* SPDX-License-Identifier: Apache-2.0 */
/* digest.c: SHA-256 of tokens for log names; HMAC and HKDF for the cache
 * keys. */

/* SHA-256 here runs through OpenSSL's SHA256_CTX calls, which OpenSSL 3
 * marks deprecated in favour of EVP but ships in every 3.x release. The
 * reason is the HMAC below: it is two SHA-256 states prepared once per
 * secret, and each use starts from a copy of them. A SHA256_CTX is copied
 * by assignment; EVP_MD_CTX_copy_ex frees and allocates the provider's
 * context on every copy, which was a third of each HMAC's instructions
 * (docs/performance.md). The compression function is the same OpenSSL
 * code either way. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <apr_atomic.h>
#include <apr_strings.h>
#include "digest.h"
#include "lex.h"

/* Changing how the key is built must change this label, so entries
 * written by an older layout can never be found under the new one. */
#define CACHE_KEY_LABEL "mai cache key v2"
#define BLOCK 64                /* SHA-256's block size */

void mai_digest_sha256(const void *data, apr_size_t len,
                       unsigned char out[MAI_DIGEST_LEN])
{
    SHA256_CTX c;

    /* SHA256_Init, _Update and _Final cannot fail */
    SHA256_Init(&c);
    SHA256_Update(&c, data, len);
    SHA256_Final(out, &c);
}

const char *mai_digest_id_of_hash(apr_pool_t *p,
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

const char *mai_digest_token_id(apr_pool_t *p, const char *token)
{
    unsigned char d[MAI_DIGEST_LEN];

    mai_digest_sha256(token, strlen(token), d);
    return mai_digest_id_of_hash(p, d);
}

/* HMAC (RFC 2104) from two SHA-256 states prepared once per process (per
 * secret): after (key ^ ipad) and after (key ^ opad). Each use copies
 * them, so the secret's blocks are never hashed on the request path; the
 * prepared states are only read, so threads share them. The copies live
 * on the stack and are wiped before they go. tests/unit/test_digest.c
 * checks the result against OpenSSL's HMAC and HKDF and the RFC 4231/5869
 * vectors. */
struct mai_hmac_key {
    SHA256_CTX inner;           /* after (key ^ ipad) */
    SHA256_CTX outer;           /* after (key ^ opad) */
    apr_uint32_t id;            /* see mai_hmac_key_id */
};

static volatile apr_uint32_t last_key_id;

/* c := SHA-256 state after one block of key ^ pad */
static void start_padded(SHA256_CTX *c, const unsigned char key[BLOCK],
                         unsigned char x)
{
    unsigned char pad[BLOCK];
    int i;

    for (i = 0; i < BLOCK; i++) {
        pad[i] = key[i] ^ x;
    }
    SHA256_Init(c);
    SHA256_Update(c, pad, BLOCK);
    OPENSSL_cleanse(pad, sizeof(pad));
}

/* The secret as HMAC's block-sized key: hashed when longer than a block,
 * zero-padded otherwise. */
static void block_key(unsigned char key[BLOCK], const void *secret,
                      apr_size_t len)
{
    memset(key, 0, BLOCK);
    if (len > BLOCK) {
        mai_digest_sha256(secret, len, key);
    }
    else if (len) {
        memcpy(key, secret, len);
    }
}

static apr_status_t wipe_key(void *data)
{
    OPENSSL_cleanse(data, sizeof(mai_hmac_key_t));
    return APR_SUCCESS;
}

mai_hmac_key_t *mai_hmac_key_make(apr_pool_t *p, const void *secret,
                                  apr_size_t len)
{
    mai_hmac_key_t *k = apr_pcalloc(p, sizeof(*k));
    unsigned char key[BLOCK];

    apr_pool_cleanup_register(p, k, wipe_key, apr_pool_cleanup_null);
    block_key(key, secret, len);
    start_padded(&k->inner, key, 0x36);
    start_padded(&k->outer, key, 0x5c);
    OPENSSL_cleanse(key, sizeof(key));
    k->id = apr_atomic_inc32(&last_key_id) + 1;
    return k;
}

apr_uint32_t mai_hmac_key_id(const mai_hmac_key_t *k)
{
    return k->id;
}

/* The outer hash over a message already fed into c (a copy of the inner
 * state); c then carries the outer state, and is wiped. */
static void finish(const SHA256_CTX *outer, SHA256_CTX *c,
                   unsigned char out[MAI_DIGEST_LEN])
{
    unsigned char ih[MAI_DIGEST_LEN];

    SHA256_Final(ih, c);
    *c = *outer;
    SHA256_Update(c, ih, sizeof(ih));
    SHA256_Final(out, c);
    OPENSSL_cleanse(ih, sizeof(ih));
    OPENSSL_cleanse(c, sizeof(*c));
}

void mai_hmac(const mai_hmac_key_t *k, const void *data, apr_size_t len,
              unsigned char out[MAI_DIGEST_LEN])
{
    SHA256_CTX c = k->inner;

    SHA256_Update(&c, data, len);
    finish(&k->outer, &c, out);
}

void mai_hkdf(const mai_hmac_key_t *salt, const void *ikm,
              apr_size_t ikm_len, const char *info,
              unsigned char out[MAI_DIGEST_LEN])
{
    unsigned char prk[BLOCK], t[MAI_DIGEST_LEN];
    SHA256_CTX c;

    /* extract: PRK = HMAC(salt, IKM), from the salt's prepared states;
     * expand, one block: T(1) = HMAC(PRK, info || 0x01), PRK keyed in
     * place since it serves once */
    memset(prk, 0, sizeof(prk));
    mai_hmac(salt, ikm, ikm_len, prk);
    start_padded(&c, prk, 0x36);
    SHA256_Update(&c, info, strlen(info));
    SHA256_Update(&c, "\x01", 1);
    SHA256_Final(t, &c);
    start_padded(&c, prk, 0x5c);
    SHA256_Update(&c, t, sizeof(t));
    SHA256_Final(out, &c);
    OPENSSL_cleanse(&c, sizeof(c));
    OPENSSL_cleanse(prk, sizeof(prk));
    OPENSSL_cleanse(t, sizeof(t));
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
           && same_text(a->hint, b->hint)
           && !a->signed_answer == !b->signed_answer;
}

/* The key's message is gathered in a buffer and hashed in one update
 * when it fits (it nearly always does), since each update has a fixed
 * cost above copying a few bytes. */
typedef struct {
    SHA256_CTX *ctx;
    unsigned char buf[256];
    apr_size_t n;
} feed_t;

static void feed(feed_t *f, const void *data, apr_size_t len)
{
    if (f->n + len > sizeof(f->buf)) {
        SHA256_Update(f->ctx, f->buf, f->n);
        SHA256_Update(f->ctx, data, len);
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

/* The label and the scope: the part of the key's message before the
 * token's hash. */
static void feed_scope(feed_t *f, const mai_cache_scope_t *scope)
{
    unsigned char verify = scope->tls_verify ? 1 : 0;

    feed(f, CACHE_KEY_LABEL, sizeof(CACHE_KEY_LABEL) - 1);
    feed(f, &verify, 1);
    feed_field(f, scope->endpoint);
    feed_field(f, scope->client_id);
    feed_field(f, scope->ca_file);
    feed_field(f, scope->hint);
    /* a location that demands signed answers never takes one another
     * location took unsigned; nothing is fed for json, so the keys of
     * json answers stay what they were (the token's hash, of fixed
     * length, follows: the two messages cannot collide) */
    if (scope->signed_answer) {
        feed(f, "\x01jwt", 4);
    }
}

void mai_digest_cache_key_of_hash(const mai_hmac_key_t *k,
                                  const mai_cache_scope_t *scope,
                                  const unsigned char hash[MAI_DIGEST_LEN],
                                  unsigned char key[MAI_DIGEST_LEN])
{
    SHA256_CTX c = k->inner;
    feed_t f;

    f.ctx = &c;
    f.n = 0;
    feed_scope(&f, scope);
    feed(&f, hash, MAI_DIGEST_LEN);
    SHA256_Update(&c, f.buf, f.n);
    finish(&k->outer, &c, key);
}

void mai_digest_cache_key(const mai_hmac_key_t *k,
                          const mai_cache_scope_t *scope, const char *token,
                          unsigned char key[MAI_DIGEST_LEN])
{
    unsigned char th[MAI_DIGEST_LEN];

    mai_digest_sha256(token, strlen(token), th);
    mai_digest_cache_key_of_hash(k, scope, th, key);
}

/* The HMAC's inner state after the label and the scope: its whole blocks
 * are hashed here, once, and the rest waits in the state. */
struct mai_key_prefix {
    const mai_hmac_key_t *k;
    SHA256_CTX state;
};

static apr_status_t wipe_prefix(void *data)
{
    OPENSSL_cleanse(data, sizeof(mai_key_prefix_t));
    return APR_SUCCESS;
}

mai_key_prefix_t *mai_digest_key_prefix_make(apr_pool_t *p,
                                             const mai_hmac_key_t *k,
                                             const mai_cache_scope_t *scope)
{
    mai_key_prefix_t *pre = apr_pcalloc(p, sizeof(*pre));
    feed_t f;

    apr_pool_cleanup_register(p, pre, wipe_prefix, apr_pool_cleanup_null);
    pre->k = k;
    pre->state = k->inner;
    f.ctx = &pre->state;
    f.n = 0;
    feed_scope(&f, scope);
    SHA256_Update(&pre->state, f.buf, f.n);
    OPENSSL_cleanse(&f, sizeof(f));
    return pre;
}

/* The token's hash, then the key from the prepared prefix: one state on
 * the stack serves all three hashes in turn. */
void mai_digest_cache_key_prefixed(const mai_key_prefix_t *pre,
                                   const char *token,
                                   unsigned char key[MAI_DIGEST_LEN],
                                   unsigned char th[MAI_DIGEST_LEN])
{
    SHA256_CTX c;

    SHA256_Init(&c);
    SHA256_Update(&c, token, strlen(token));
    SHA256_Final(th, &c);
    c = pre->state;
    SHA256_Update(&c, th, MAI_DIGEST_LEN);
    finish(&pre->k->outer, &c, key);
}

void mai_digest_cache_key_of_prefix(const mai_key_prefix_t *pre,
                                    const unsigned char th[MAI_DIGEST_LEN],
                                    unsigned char key[MAI_DIGEST_LEN])
{
    SHA256_CTX c = pre->state;

    SHA256_Update(&c, th, MAI_DIGEST_LEN);
    finish(&pre->k->outer, &c, key);
}
