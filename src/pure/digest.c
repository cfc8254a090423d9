/* SPDX-License-Identifier: Apache-2.0 */
/* digest.c: SHA-256 of tokens for log names; HMAC and HKDF for the cache
 * keys. */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <apr_strings.h>
#include "digest.h"
#include "lex.h"

/* Changing how the key is built must change this label, so entries
 * written by an older layout can never be found under the new one. */
#define CACHE_KEY_LABEL "mai cache key v2"
#define BLOCK 64                /* SHA-256's block size */

/* SHA-256 is fetched from its provider once per process, on first use
 * (the parent's post_config, before the children fork): a request never
 * looks a provider up. EVP_MD objects are read-only once fetched, so
 * threads share it. */
static CRYPTO_ONCE fetch_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_MD *sha256_md;

static void fetch_sha256(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256(void)
{
    return CRYPTO_THREAD_run_once(&fetch_once, fetch_sha256) ? sha256_md
                                                             : NULL;
}

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

/* One digest context per thread, made on the thread's first hash and
 * freed when the thread ends (OpenSSL's thread-local key runs the
 * destructor): re-initialising a context for the same digest keeps its
 * provider state, where EVP_Digest allocates, sets up and frees a
 * context per call (about 450 instructions of a 3,400-instruction token
 * hash under callgrind). After a hash the context holds only that
 * hash's final state (the token's SHA-256, which L1 keeps anyway). */
static CRYPTO_ONCE local_once = CRYPTO_ONCE_STATIC_INIT;
static CRYPTO_THREAD_LOCAL local_ctx;
static int local_ok;

static void free_local(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void make_local(void)
{
    local_ok = CRYPTO_THREAD_init_local(&local_ctx, free_local);
}

static EVP_MD_CTX *thread_ctx(void)
{
    EVP_MD_CTX *c;

    if (!CRYPTO_THREAD_run_once(&local_once, make_local) || !local_ok) {
        return NULL;
    }
    c = CRYPTO_THREAD_get_local(&local_ctx);
    if (c == NULL) {
        c = EVP_MD_CTX_new();
        if (c && !CRYPTO_THREAD_set_local(&local_ctx, c)) {
            EVP_MD_CTX_free(c);
            c = NULL;
        }
    }
    return c;
}

void mai_digest_sha256(const void *data, apr_size_t len,
                       unsigned char out[MAI_DIGEST_LEN])
{
    const EVP_MD *md = sha256();
    EVP_MD_CTX *c = thread_ctx();
    int ok;

    if (c) {
        ok = md && EVP_DigestInit_ex2(c, md, NULL)
             && EVP_DigestUpdate(c, data, len)
             && EVP_DigestFinal_ex(c, out, NULL);
    }
    else {
        ok = md && EVP_Digest(data, len, out, NULL, md, NULL) == 1;
    }
    if (!ok) {
        unmatchable(out);
    }
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

/* HMAC (RFC 2104) from two digest states prepared once per process (per
 * secret): SHA-256 after (key ^ ipad) and after (key ^ opad). Each use
 * copies them (EVP_MD_CTX_copy_ex: the provider duplicates the state,
 * no fetch, no key set-up), so the secret's blocks are never hashed on
 * the request path; the prepared states are only read, so threads share
 * them. EVP_MAC's HMAC would duplicate three digest contexts per use.
 * tests/unit/test_digest.c checks the result against OpenSSL's HMAC and
 * HKDF and the RFC 4231/5869 vectors. */
struct mai_hmac_key {
    EVP_MD_CTX *inner;          /* after (key ^ ipad) */
    EVP_MD_CTX *outer;          /* after (key ^ opad) */
};

/* c := SHA-256 state after one block of key ^ pad */
static int start_padded(EVP_MD_CTX *c, const unsigned char key[BLOCK],
                        unsigned char x)
{
    unsigned char pad[BLOCK];
    int i, ok;

    for (i = 0; i < BLOCK; i++) {
        pad[i] = key[i] ^ x;
    }
    ok = EVP_DigestInit_ex2(c, sha256(), NULL)
         && EVP_DigestUpdate(c, pad, BLOCK);
    OPENSSL_cleanse(pad, sizeof(pad));
    return ok;
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

static apr_status_t free_key(void *data)
{
    mai_hmac_key_t *k = data;

    /* the provider wipes a state as it frees it */
    EVP_MD_CTX_free(k->inner);
    EVP_MD_CTX_free(k->outer);
    k->inner = k->outer = NULL;
    return APR_SUCCESS;
}

mai_hmac_key_t *mai_hmac_key_make(apr_pool_t *p, const void *secret,
                                  apr_size_t len)
{
    mai_hmac_key_t *k = apr_pcalloc(p, sizeof(*k));
    unsigned char key[BLOCK];
    int ok;

    apr_pool_cleanup_register(p, k, free_key, apr_pool_cleanup_null);
    k->inner = EVP_MD_CTX_new();
    k->outer = EVP_MD_CTX_new();
    block_key(key, secret, len);
    ok = k->inner && k->outer && sha256()
         && start_padded(k->inner, key, 0x36)
         && start_padded(k->outer, key, 0x5c);
    OPENSSL_cleanse(key, sizeof(key));
    return ok ? k : NULL;
}

/* A new context holding k's inner state, ready for the message; NULL
 * when OpenSSL cannot allocate. */
static EVP_MD_CTX *begin(const mai_hmac_key_t *k)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();

    if (c && !EVP_MD_CTX_copy_ex(c, k->inner)) {
        EVP_MD_CTX_free(c);
        c = NULL;
    }
    return c;
}

/* The outer hash over a message already fed into c (from begin); the
 * same context carries the outer state, and is freed (and so wiped). */
static void finish(const EVP_MD_CTX *outer, EVP_MD_CTX *c, int ok,
                   unsigned char out[MAI_DIGEST_LEN])
{
    unsigned char ih[MAI_DIGEST_LEN];

    ok = ok && c && EVP_DigestFinal_ex(c, ih, NULL)
         && EVP_MD_CTX_copy_ex(c, outer)
         && EVP_DigestUpdate(c, ih, sizeof(ih))
         && EVP_DigestFinal_ex(c, out, NULL);
    EVP_MD_CTX_free(c);
    OPENSSL_cleanse(ih, sizeof(ih));
    if (!ok) {
        unmatchable(out);
    }
}

void mai_hmac(const mai_hmac_key_t *k, const void *data, apr_size_t len,
              unsigned char out[MAI_DIGEST_LEN])
{
    EVP_MD_CTX *c = begin(k);

    finish(k->outer, c, c && EVP_DigestUpdate(c, data, len), out);
}

void mai_hkdf(const mai_hmac_key_t *salt, const void *ikm,
              apr_size_t ikm_len, const char *info,
              unsigned char out[MAI_DIGEST_LEN])
{
    unsigned char prk[BLOCK], t[MAI_DIGEST_LEN];
    EVP_MD_CTX *c;
    int ok;

    /* extract: PRK = HMAC(salt, IKM), from the salt's prepared states;
     * expand, one block: T(1) = HMAC(PRK, info || 0x01), PRK keyed in
     * place since it serves once */
    memset(prk, 0, sizeof(prk));
    mai_hmac(salt, ikm, ikm_len, prk);
    c = EVP_MD_CTX_new();
    ok = c && start_padded(c, prk, 0x36)
         && EVP_DigestUpdate(c, info, strlen(info))
         && EVP_DigestUpdate(c, "\x01", 1)
         && EVP_DigestFinal_ex(c, t, NULL)
         && start_padded(c, prk, 0x5c)
         && EVP_DigestUpdate(c, t, sizeof(t))
         && EVP_DigestFinal_ex(c, out, NULL);
    EVP_MD_CTX_free(c);
    OPENSSL_cleanse(prk, sizeof(prk));
    OPENSSL_cleanse(t, sizeof(t));
    if (!ok) {
        unmatchable(out);
    }
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
 * when it fits (it nearly always does), since each EVP_DigestUpdate has a
 * fixed cost well above copying a few bytes. */
typedef struct {
    EVP_MD_CTX *ctx;
    unsigned char buf[256];
    apr_size_t n;
    int ok;
} feed_t;

static void feed(feed_t *f, const void *data, apr_size_t len)
{
    if (f->n + len > sizeof(f->buf)) {
        f->ok = f->ok && EVP_DigestUpdate(f->ctx, f->buf, f->n)
                && EVP_DigestUpdate(f->ctx, data, len);
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
    feed_t f;

    f.ctx = begin(k);
    f.n = 0;
    f.ok = f.ctx != NULL;
    feed_scope(&f, scope);
    feed(&f, hash, MAI_DIGEST_LEN);
    f.ok = f.ok && EVP_DigestUpdate(f.ctx, f.buf, f.n);
    finish(k->outer, f.ctx, f.ok, key);
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
    EVP_MD_CTX *state;
};

static apr_status_t free_prefix(void *data)
{
    mai_key_prefix_t *pre = data;

    EVP_MD_CTX_free(pre->state);
    pre->state = NULL;
    return APR_SUCCESS;
}

mai_key_prefix_t *mai_digest_key_prefix_make(apr_pool_t *p,
                                             const mai_hmac_key_t *k,
                                             const mai_cache_scope_t *scope)
{
    mai_key_prefix_t *pre = apr_pcalloc(p, sizeof(*pre));
    feed_t f;

    f.ctx = begin(k);
    f.n = 0;
    f.ok = f.ctx != NULL;
    feed_scope(&f, scope);
    f.ok = f.ok && EVP_DigestUpdate(f.ctx, f.buf, f.n);
    if (!f.ok) {
        EVP_MD_CTX_free(f.ctx);
        return NULL;
    }
    pre->k = k;
    pre->state = f.ctx;
    apr_pool_cleanup_register(p, pre, free_prefix, apr_pool_cleanup_null);
    return pre;
}

/* One context serves the token's hash, the inner and the outer HMAC
 * states in turn: one allocation per key. */
void mai_digest_cache_key_prefixed(const mai_key_prefix_t *pre,
                                   const char *token,
                                   unsigned char key[MAI_DIGEST_LEN],
                                   unsigned char th[MAI_DIGEST_LEN])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok;

    ok = c && EVP_DigestInit_ex2(c, sha256(), NULL)
         && EVP_DigestUpdate(c, token, strlen(token))
         && EVP_DigestFinal_ex(c, th, NULL)
         && EVP_MD_CTX_copy_ex(c, pre->state)
         && EVP_DigestUpdate(c, th, MAI_DIGEST_LEN);
    if (!ok) {
        unmatchable(th);
    }
    finish(pre->k->outer, c, ok, key);
}

void mai_digest_cache_key_of_prefix(const mai_key_prefix_t *pre,
                                    const unsigned char th[MAI_DIGEST_LEN],
                                    unsigned char key[MAI_DIGEST_LEN])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok;

    ok = c && EVP_MD_CTX_copy_ex(c, pre->state)
         && EVP_DigestUpdate(c, th, MAI_DIGEST_LEN);
    finish(pre->k->outer, c, ok, key);
}
