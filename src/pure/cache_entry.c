/* SPDX-License-Identifier: Apache-2.0 */
/* cache_entry.c: the AES-256-GCM envelope around a cached response.
 *
 * Layout: version (1) | nonce (12) | ciphertext | tag (16), where the
 * plaintext is active (1) | fetched_at (8, big-endian seconds) | JSON.
 * The key of a version 4 entry is a pseudo-random function, under the
 * cache secret, of the token's SHA-256: whoever reads the shared cache
 * (another tenant of redis, a memcached dump) learns nothing without
 * the token (or its SHA-256, which never leaves the httpd processes),
 * and whoever writes it cannot seal an entry that opens without the
 * secret, even for a token of their own choosing. The lookup key is
 * authenticated as additional data so an entry copied under another key
 * does not open.
 *
 * Version 4 derives the key as AES-GCM-SIV does its per-nonce keys (RFC
 * 8452 section 4), with the token's hash in the nonce's place: block i
 * (i = 0..3) is i as 4 bytes little-endian and the first 12 bytes of the
 * token's SHA-256; the key is the first 8 bytes of each block's AES-256
 * encryption under a key-generating key, HMAC-SHA256(secret, "mai entry
 * key-generating key v4"), made once per thread. Taking half of each
 * block makes AES, a permutation, serve as a random function. Four AES
 * blocks cost about 300 instructions where version 3's HMAC cost 4,700
 * (two SHA-256 blocks; docs/performance.md). Two tokens whose hashes
 * share 12 bytes would share a key; that takes about 2^48 tokens, and
 * the nonces below never repeat whatever the keys, so it would cost
 * nothing.
 *
 * Version 3 keyed an entry by HMAC-SHA256(secret, "mai entry key v3",
 * NUL, the token's SHA-256); version 2 by HKDF-SHA256 (salt: the secret,
 * input: the token). All three are a PRF of the secret over the token,
 * so what an entry protects is unchanged. Entries of versions 2 and 3
 * still open (written by the builds before, they stay good until they
 * expire); new ones are version 4.
 *
 * The same secret keys the lookup key's HMAC (digest.c), version 2's
 * HKDF extract and the key-generating key; none of their messages meet:
 * a lookup-key message starts with "mai cache key v2", version 3's with
 * "mai entry key v3" and a NUL, version 4's is its own label with no
 * token in it, HKDF's input is a bare token (no space, no NUL). */
#include <limits.h>
#include <string.h>
#include <apr_atomic.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "cache_entry.h"
#include "lex.h"

/* 4: key from AES under a key-generating key (above); 3: key =
 * HMAC(secret, label || SHA-256(token)) and 2: HKDF of the token salted
 * with the cache secret (both still opened); 1 had a fixed salt */
#define VERSION 0x04
#define VERSION_HMAC 0x03
#define VERSION_HKDF 0x02
#define KEY_LEN 32
#define LOOKUP_LEN 32
#define NONCE_LEN 12
#define TAG_LEN 16
#define HEAD_LEN 9              /* active flag and fetched_at */
#define AAD_LEN (1 + LOOKUP_LEN)
#define OVERHEAD (1 + NONCE_LEN + TAG_LEN)

static const char info[] = "mod_auth_introspect entry v2 aes-256-gcm key";
/* with its NUL: 16 + 1 + 32 bytes, one SHA-256 block with the padding */
static const char entry_label[] = "mai entry key v3";
static const char kgk_label[] = "mai entry key-generating key v4";
#define KDF_BLOCKS 4            /* 8 bytes of the key from each */
#define KDF_HASH_BYTES 12       /* of the token's SHA-256 in each block */

/* AES-256-GCM is fetched from its provider once per process, on first
 * use; EVP_CIPHER objects are read-only once fetched, so threads share
 * it. */
static CRYPTO_ONCE fetch_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_CIPHER *aes_gcm, *aes_ecb;

static void fetch_cipher(void)
{
    aes_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    aes_ecb = EVP_CIPHER_fetch(NULL, "AES-256-ECB", NULL);
}

static const EVP_CIPHER *cipher(void)
{
    return CRYPTO_THREAD_run_once(&fetch_once, fetch_cipher) && aes_ecb
           ? aes_gcm : NULL;
}

/* Two cipher contexts per thread, one sealing and one opening, made with
 * the cipher on the thread's first use and freed when the thread ends
 * (OpenSSL's thread-local key runs the destructor). Each seal or open
 * sets only its key and nonce (EVP_*Init_ex2 with a NULL cipher): the
 * key is the token's, so the key schedule is still per call, but the
 * context's allocation and the provider's set-up are not (about 3,400
 * of a 6,300-instruction seal under callgrind, where a context was made
 * and freed per call). A key and nonce always come together, and the
 * provider resets GCM's state (counters, GHASH, lengths) with them, so
 * nothing of one entry carries into the next; an open still sets the
 * tag it checks before the final call. Between calls a context holds
 * the last entry key's schedule: the process holds the cache secret
 * that derives every entry key anyway. */
enum { CTX_SEAL, CTX_OPEN, CTX_N };

/* Version 4's key-generating key, as an AES-256-ECB context per thread:
 * keyed on the thread's first entry for a secret, again only when the
 * secret changes (by its id: an address can be reused). */
typedef struct {
    EVP_CIPHER_CTX *ecb;
    apr_uint32_t key_id;        /* whose key-generating key; 0: none */
} kdf_slot_t;

static CRYPTO_ONCE local_once = CRYPTO_ONCE_STATIC_INIT;
static CRYPTO_THREAD_LOCAL local_ctx[CTX_N], local_kdf;
static int local_ok;

static void free_local(void *ctx)
{
    EVP_CIPHER_CTX_free(ctx);
}

static void free_kdf(void *data)
{
    kdf_slot_t *s = data;

    /* the context wipes the key schedule as it frees it */
    EVP_CIPHER_CTX_free(s->ecb);
    OPENSSL_free(s);
}

static void make_local(void)
{
    local_ok = CRYPTO_THREAD_init_local(&local_ctx[CTX_SEAL], free_local)
               && CRYPTO_THREAD_init_local(&local_ctx[CTX_OPEN], free_local)
               && CRYPTO_THREAD_init_local(&local_kdf, free_kdf);
}

/* This thread's context for which, with the cipher set (its direction
 * is set again by each call's init); NULL when OpenSSL cannot allocate. */
static EVP_CIPHER_CTX *thread_ctx(int which)
{
    EVP_CIPHER_CTX *c;
    int ok;

    if (!CRYPTO_THREAD_run_once(&local_once, make_local) || !local_ok
        || cipher() == NULL) {
        return NULL;
    }
    c = CRYPTO_THREAD_get_local(&local_ctx[which]);
    if (c == NULL) {
        c = EVP_CIPHER_CTX_new();
        ok = c != NULL
             && (which == CTX_SEAL
                 ? EVP_EncryptInit_ex2(c, cipher(), NULL, NULL, NULL)
                 : EVP_DecryptInit_ex2(c, cipher(), NULL, NULL, NULL)) == 1
             && CRYPTO_THREAD_set_local(&local_ctx[which], c);
        if (!ok) {
            EVP_CIPHER_CTX_free(c);
            c = NULL;
        }
    }
    return c;
}

/* Nonces: GCM needs a nonce never used twice under one key. A key here
 * is one token's (derived from the token under the cache secret), shared by
 * every process and host that seals that token. Each process draws a
 * random 96-bit base (mai_cache_entry_child_init, in every child) and
 * its n-th seal uses base XOR n in the low 64 bits, n from an atomic
 * counter:
 * - within a process, two seals have different n, so different nonces,
 *   whatever their keys (2^64 seals do not happen);
 * - across processes and hosts, the bases are independent and uniform,
 *   so a nonce of one process equals one of another with probability
 *   at most (seals of one) x (seals of the other) / 2^96 over all their
 *   seals, keys or not: the bound random nonces give (NIST SP 800-38D
 *   8.2.2), for one RAND_bytes per process instead of one per seal.
 * A child that forgot to redraw would share its parent's base with its
 * siblings, hence the call in child_init. */
static unsigned char nonce_base[NONCE_LEN];
static volatile apr_uint64_t nonce_count;
static CRYPTO_ONCE base_once = CRYPTO_ONCE_STATIC_INIT;
static int base_ok;

static void draw_base(void)
{
    base_ok = RAND_bytes(nonce_base, NONCE_LEN) == 1;
}

mai_status_t mai_cache_entry_child_init(void)
{
    /* once done here, seals never draw again in this process */
    CRYPTO_THREAD_run_once(&base_once, draw_base);
    draw_base();
    return base_ok && cipher() ? MAI_OK : MAI_STATUS_INTERNAL;
}

static int next_nonce(unsigned char nonce[NONCE_LEN])
{
    apr_uint64_t n;
    int i;

    /* a process that never ran child_init (a unit test) draws here */
    if (!CRYPTO_THREAD_run_once(&base_once, draw_base) || !base_ok) {
        return 0;
    }
    n = apr_atomic_inc64(&nonce_count);
    memcpy(nonce, nonce_base, NONCE_LEN);
    for (i = NONCE_LEN - 1; i >= NONCE_LEN - 8; i--) {
        nonce[i] ^= (unsigned char)(n & 0xff);
        n >>= 8;
    }
    return 1;
}

/* This thread's AES-256-ECB context under secret's key-generating key;
 * NULL when OpenSSL cannot allocate. */
static EVP_CIPHER_CTX *kdf_ctx(const mai_hmac_key_t *secret)
{
    kdf_slot_t *s;
    unsigned char kgk[MAI_DIGEST_LEN];
    int ok;

    /* the thread-local keys made and the ciphers fetched, as for the
     * GCM contexts (an opening thread needs no sealing context) */
    if (!CRYPTO_THREAD_run_once(&local_once, make_local) || !local_ok
        || cipher() == NULL) {
        return NULL;
    }
    s = CRYPTO_THREAD_get_local(&local_kdf);
    if (s == NULL) {
        s = OPENSSL_zalloc(sizeof(*s));
        if (s == NULL || (s->ecb = EVP_CIPHER_CTX_new()) == NULL
            || !CRYPTO_THREAD_set_local(&local_kdf, s)) {
            if (s) {
                EVP_CIPHER_CTX_free(s->ecb);
            }
            OPENSSL_free(s);
            return NULL;
        }
    }
    if (s->key_id != mai_hmac_key_id(secret)) {
        s->key_id = 0;
        mai_hmac(secret, kgk_label, sizeof(kgk_label) - 1, kgk);
        ok = EVP_EncryptInit_ex2(s->ecb, aes_ecb, kgk, NULL, NULL) == 1
             && EVP_CIPHER_CTX_set_padding(s->ecb, 0) == 1;
        OPENSSL_cleanse(kgk, sizeof(kgk));
        if (!ok) {
            return NULL;
        }
        s->key_id = mai_hmac_key_id(secret);
    }
    return s->ecb;
}

/* Version 4's key (see the top of this file). */
static int derive_v4(const mai_cache_entry_key_t *k, unsigned char *key)
{
    unsigned char in[KDF_BLOCKS * 16], out[KDF_BLOCKS * 16];
    EVP_CIPHER_CTX *ecb = kdf_ctx(k->secret);
    int i, n = 0, ok;

    for (i = 0; i < KDF_BLOCKS; i++) {
        /* i as 4 bytes little-endian */
        in[16 * i] = (unsigned char)i;
        memset(in + 16 * i + 1, 0, 3);
        memcpy(in + 16 * i + 4, k->token_hash, KDF_HASH_BYTES);
    }
    ok = ecb != NULL
         && EVP_EncryptUpdate(ecb, out, &n, in, (int)sizeof(in)) == 1
         && n == (int)sizeof(in);
    for (i = 0; ok && i < KDF_BLOCKS; i++) {
        memcpy(key + 8 * i, out + 16 * i, 8);
    }
    OPENSSL_cleanse(in, sizeof(in));
    OPENSSL_cleanse(out, sizeof(out));
    return ok;
}

/* The entry key of an entry of this version; 0 when OpenSSL fails. */
static int derive_key(const mai_cache_entry_key_t *k, unsigned char version,
                      unsigned char *key)
{
    unsigned char msg[sizeof(entry_label) + MAI_DIGEST_LEN];

    if (version == VERSION) {
        return derive_v4(k, key);
    }
    if (version == VERSION_HKDF) {
        mai_hkdf(k->secret, k->token, strlen(k->token), info, key);
        return 1;
    }
    memcpy(msg, entry_label, sizeof(entry_label));
    memcpy(msg + sizeof(entry_label), k->token_hash, MAI_DIGEST_LEN);
    mai_hmac(k->secret, msg, sizeof(msg), key);
    return 1;
}

static void make_aad(unsigned char *aad, unsigned char version,
                     const unsigned char *lookup_key)
{
    aad[0] = version;
    memcpy(aad + 1, lookup_key, LOOKUP_LEN);
}

/* Encrypts the len plaintext bytes at buf in place (head and JSON are
 * gathered there first: one update instead of two, each with a fixed
 * cost well above copying the JSON). GCM is a stream mode, so the update
 * writes exactly as many bytes as it reads. */
static int gcm_seal(const unsigned char *key, const unsigned char *nonce,
                    const unsigned char *aad, unsigned char *buf, int len,
                    unsigned char *tag)
{
    EVP_CIPHER_CTX *ctx = thread_ctx(CTX_SEAL);
    int n;

    return ctx != NULL
           && EVP_EncryptInit_ex2(ctx, NULL, key, nonce, NULL) == 1
           && EVP_EncryptUpdate(ctx, NULL, &n, aad, AAD_LEN) == 1
           && EVP_EncryptUpdate(ctx, buf, &n, buf, len) == 1
           && n == len
           && EVP_EncryptFinal_ex(ctx, buf + len, &n) == 1
           && n == 0
           && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag)
              == 1;
}

/* 1 only when the tag verifies; pt then holds ct_len plaintext bytes. */
static int gcm_open(const unsigned char *key, const unsigned char *nonce,
                    const unsigned char *aad, const unsigned char *ct,
                    int ct_len, const unsigned char *tag, unsigned char *pt)
{
    EVP_CIPHER_CTX *ctx = thread_ctx(CTX_OPEN);
    int n;

    if (ctx == NULL) {
        return 0;
    }
    if (EVP_DecryptInit_ex2(ctx, NULL, key, nonce, NULL) != 1
        || EVP_DecryptUpdate(ctx, NULL, &n, aad, AAD_LEN) != 1
        || EVP_DecryptUpdate(ctx, pt, &n, ct, ct_len) != 1
        || n != ct_len
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
                               (void *)tag) != 1) {
        return 0;
    }
    return EVP_DecryptFinal_ex(ctx, pt + ct_len, &n) == 1 && n == 0;
}

mai_status_t mai_cache_entry_seal(apr_pool_t *p,
                                  const mai_cache_entry_key_t *k,
                                  const mai_cache_entry_t *e,
                                  unsigned char **out, apr_size_t *out_len)
{
    unsigned char key[KEY_LEN], aad[AAD_LEN];
    unsigned char *buf, *pt;
    apr_size_t total;
    int ok;

    *out = NULL;
    *out_len = 0;
    /* EVP counts in int */
    if (e->json_len > (apr_size_t)INT_MAX - HEAD_LEN - OVERHEAD) {
        return MAI_STATUS_INTERNAL;
    }
    total = OVERHEAD + HEAD_LEN + e->json_len;
    buf = apr_palloc(p, total);
    buf[0] = VERSION;
    if (!next_nonce(buf + 1)) {
        return MAI_STATUS_INTERNAL;
    }
    if (!derive_key(k, VERSION, key)) {
        return MAI_STATUS_INTERNAL;
    }
    pt = buf + 1 + NONCE_LEN;
    pt[0] = e->active ? 1 : 0;
    mai_lex_put_be64(pt + 1, (apr_uint64_t)e->fetched_at);
    if (e->json_len) {
        memcpy(pt + HEAD_LEN, e->json, e->json_len);
    }
    make_aad(aad, VERSION, k->lookup_key);
    ok = gcm_seal(key, buf + 1, aad, pt, (int)(HEAD_LEN + e->json_len),
                  buf + total - TAG_LEN);
    OPENSSL_cleanse(key, sizeof(key));
    if (!ok) {
        /* no plaintext claims left behind in the pool */
        OPENSSL_cleanse(pt, HEAD_LEN + e->json_len);
        return MAI_STATUS_INTERNAL;
    }
    *out = buf;
    *out_len = total;
    return MAI_OK;
}

mai_status_t mai_cache_entry_open(apr_pool_t *p,
                                  const mai_cache_entry_key_t *k,
                                  const unsigned char *data, apr_size_t len,
                                  mai_cache_entry_t *e)
{
    unsigned char key[KEY_LEN], aad[AAD_LEN];
    unsigned char *pt;
    apr_size_t ct_len;
    apr_int64_t exp;
    int ok;

    if (data == NULL || len < OVERHEAD + HEAD_LEN
        || (data[0] != VERSION && data[0] != VERSION_HMAC
            && data[0] != VERSION_HKDF)
        || len - OVERHEAD > (apr_size_t)INT_MAX) {
        return MAI_STATUS_CACHE_CORRUPT;
    }
    ct_len = len - OVERHEAD;
    pt = apr_palloc(p, ct_len + 1);
    make_aad(aad, data[0], k->lookup_key);
    ok = derive_key(k, data[0], key) && gcm_open(key, data + 1, aad, data + 1 + NONCE_LEN, (int)ct_len,
                  data + len - TAG_LEN, pt);
    OPENSSL_cleanse(key, sizeof(key));
    /* A sealer of ours only ever writes 0 or 1 as the flag. */
    if (!ok || pt[0] > 1) {
        OPENSSL_cleanse(pt, ct_len);
        return MAI_STATUS_CACHE_CORRUPT;
    }
    exp = (apr_int64_t)mai_lex_get_be64(pt + 1);
    pt[ct_len] = '\0';
    e->active = pt[0];
    e->fetched_at = exp;
    e->json = (const char *)pt + HEAD_LEN;
    e->json_len = ct_len - HEAD_LEN;
    return MAI_OK;
}
