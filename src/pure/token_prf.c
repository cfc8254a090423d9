/* SPDX-License-Identifier: Apache-2.0 */
/* token_prf.c: SipHash-2-4 with 128-bit output (Aumasson and Bernstein,
 * "SipHash: a fast short-input PRF") through OpenSSL's EVP_MAC "SIPHASH",
 * the library's implementation rather than our own. The MAC is fetched
 * once per process and each thread keeps one context, set to 16 bytes of
 * output once; a call sets the key and hashes: no provider lookup and no
 * allocation per token. test_token_prf holds it to the reference vectors.
 * The key comes from OpenSSL's RAND_bytes. */
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <apr_strings.h>
#include "token_prf.h"

#define KEY_LEN 16              /* SipHash's key */

struct mai_token_prf {
    unsigned char key[KEY_LEN];
};

static CRYPTO_ONCE mac_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_MAC *siphash;        /* fetched once, shared by the threads */
static CRYPTO_THREAD_LOCAL local_ctx;
static int local_ok;

static void free_local(void *ctx)
{
    EVP_MAC_CTX_free(ctx);
}

static void fetch_mac(void)
{
    siphash = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_SIPHASH, NULL);
    local_ok = siphash && CRYPTO_THREAD_init_local(&local_ctx, free_local);
}

/* This thread's context, made on its first hash and freed when the
 * thread ends (OpenSSL's thread-local key runs the destructor). It holds
 * the last key it was given between calls, as the caller's key object
 * does. */
static EVP_MAC_CTX *thread_ctx(void)
{
    size_t size = MAI_PRF_LEN;
    OSSL_PARAM params[2];
    EVP_MAC_CTX *c;

    if (!CRYPTO_THREAD_run_once(&mac_once, fetch_mac) || !local_ok) {
        return NULL;
    }
    c = CRYPTO_THREAD_get_local(&local_ctx);
    if (c == NULL) {
        params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size);
        params[1] = OSSL_PARAM_construct_end();
        c = EVP_MAC_CTX_new(siphash);
        if (c && (!EVP_MAC_CTX_set_params(c, params)
                  || !CRYPTO_THREAD_set_local(&local_ctx, c))) {
            EVP_MAC_CTX_free(c);
            c = NULL;
        }
    }
    return c;
}

static apr_status_t forget_key(void *data)
{
    OPENSSL_cleanse(data, KEY_LEN);
    return APR_SUCCESS;
}

mai_token_prf_t *mai_token_prf_create_key(apr_pool_t *p,
                                          const unsigned char key[KEY_LEN])
{
    mai_token_prf_t *k = apr_palloc(p, sizeof(*k));

    memcpy(k->key, key, KEY_LEN);
    apr_pool_cleanup_register(p, k->key, forget_key,
                              apr_pool_cleanup_null);
    return k;
}

mai_token_prf_t *mai_token_prf_create(apr_pool_t *p)
{
    unsigned char key[KEY_LEN];
    mai_token_prf_t *k;

    if (RAND_bytes(key, KEY_LEN) != 1) {
        return NULL;
    }
    k = mai_token_prf_create_key(p, key);
    /* the key lives on only in k */
    OPENSSL_cleanse(key, KEY_LEN);
    return k;
}

int mai_token_prf(const mai_token_prf_t *k, const void *data,
                  apr_size_t len, unsigned char out[MAI_PRF_LEN])
{
    EVP_MAC_CTX *c = thread_ctx();
    size_t n = 0;

    return c && EVP_MAC_init(c, k->key, KEY_LEN, NULL)
           && EVP_MAC_update(c, data, len)
           && EVP_MAC_final(c, out, &n, MAI_PRF_LEN) && n == MAI_PRF_LEN;
}
