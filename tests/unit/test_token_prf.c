/* SPDX-License-Identifier: Apache-2.0 */
/* test_token_prf.c: L1's keyed PRF is SipHash-2-4 with 128-bit output
 * (the reference vectors, and OpenSSL's own on every length up to a few
 * blocks), its key random per instance, and threads share a key. */
#include "unit.h"
#include <apr_thread_proc.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include "token_prf.h"

/* SipHash reference vectors (vectors.h, 128-bit output): key 00..0f,
 * message 00 .. len-1, for len 0, 3 and 15. */
static const unsigned char vec0[16] = {
    0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25, 0xa8, 0xe6,
    0x6d, 0xf6, 0x72, 0x14, 0xc7, 0x55, 0x02, 0x93 };
static const unsigned char vec3[16] = {
    0x9c, 0x70, 0xb6, 0x0c, 0x52, 0x67, 0xa9, 0x4e,
    0x5f, 0x33, 0xb6, 0xb0, 0x29, 0x85, 0xed, 0x51 };

static const mai_token_prf_t *reference(apr_pool_t *p)
{
    unsigned char key[16];
    int i;

    for (i = 0; i < 16; i++) {
        key[i] = (unsigned char)i;
    }
    return mai_token_prf_create_key(p, key);
}

static void test_vectors(void **state)
{
    apr_pool_t *p = *state;
    const mai_token_prf_t *k = reference(p);
    const unsigned char msg[3] = { 0, 1, 2 };
    unsigned char out[MAI_PRF_LEN];

    assert_non_null(k);
    assert_int_equal(mai_token_prf(k, msg, 0, out), 1);
    assert_memory_equal(out, vec0, 16);
    assert_int_equal(mai_token_prf(k, msg, 3, out), 1);
    assert_memory_equal(out, vec3, 16);
    /* the context is reused: the same input again, the same output */
    assert_int_equal(mai_token_prf(k, msg, 0, out), 1);
    assert_memory_equal(out, vec0, 16);
}

/* OpenSSL's SipHash with a 16-byte output, as an independent check. */
static void openssl_siphash(const unsigned char key[16],
                            const unsigned char *in, size_t len,
                            unsigned char out[16])
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_SIPHASH, NULL);
    EVP_MAC_CTX *c;
    OSSL_PARAM params[2];
    size_t size = 16, n = 0;

    assert_non_null(mac);
    c = EVP_MAC_CTX_new(mac);
    assert_non_null(c);
    params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size);
    params[1] = OSSL_PARAM_construct_end();
    assert_int_equal(EVP_MAC_CTX_set_params(c, params), 1);
    assert_int_equal(EVP_MAC_init(c, key, 16, NULL), 1);
    assert_int_equal(EVP_MAC_update(c, in, len), 1);
    assert_int_equal(EVP_MAC_final(c, out, &n, 16), 1);
    assert_int_equal(n, 16);
    EVP_MAC_CTX_free(c);
    EVP_MAC_free(mac);
}

static void test_as_openssl(void **state)
{
    apr_pool_t *p = *state;
    unsigned char key[16], in[80], want[16], got[16];
    const mai_token_prf_t *k;
    size_t len;
    int round;

    for (round = 0; round < 4; round++) {
        assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
        assert_int_equal(RAND_bytes(in, sizeof(in)), 1);
        k = mai_token_prf_create_key(p, key);
        for (len = 0; len <= sizeof(in); len++) {
            openssl_siphash(key, in, len, want);
            assert_int_equal(mai_token_prf(k, in, len, got), 1);
            assert_memory_equal(got, want, 16);
        }
    }
}

static void test_random_keys(void **state)
{
    apr_pool_t *p = *state;
    const mai_token_prf_t *a = mai_token_prf_create(p);
    const mai_token_prf_t *b = mai_token_prf_create(p);
    unsigned char x[MAI_PRF_LEN], y[MAI_PRF_LEN], z[MAI_PRF_LEN];

    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(mai_token_prf(a, "token-1", 7, x), 1);
    assert_int_equal(mai_token_prf(b, "token-1", 7, y), 1);
    assert_int_equal(mai_token_prf(a, "token-2", 7, z), 1);
    /* another key, another index; another token, another index */
    assert_memory_not_equal(x, y, 16);
    assert_memory_not_equal(x, z, 16);
    assert_int_equal(mai_token_prf(a, "token-1", 7, y), 1);
    assert_memory_equal(x, y, 16);
}

typedef struct {
    const mai_token_prf_t *k;
    int ok;
} job_t;

static void *APR_THREAD_FUNC run(apr_thread_t *t, void *data)
{
    job_t *j = data;
    unsigned char out[MAI_PRF_LEN];
    int i;

    j->ok = 1;
    for (i = 0; i < 200; i++) {
        if (!mai_token_prf(j->k, "", 0, out) || memcmp(out, vec0, 16)) {
            j->ok = 0;
        }
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static void test_threads(void **state)
{
    apr_pool_t *p = *state;
    apr_thread_t *t[4];
    job_t j[4];
    apr_status_t rv;
    int i;

    for (i = 0; i < 4; i++) {
        j[i].k = reference(p);
        assert_int_equal(apr_thread_create(&t[i], NULL, run, &j[i], p),
                         APR_SUCCESS);
    }
    for (i = 0; i < 4; i++) {
        apr_thread_join(&rv, t[i]);
        assert_int_equal(j[i].ok, 1);
    }
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_vectors),
    UNIT_TEST(test_as_openssl),
    UNIT_TEST(test_random_keys),
    UNIT_TEST(test_threads),
};

UNIT_MAIN(tests)
