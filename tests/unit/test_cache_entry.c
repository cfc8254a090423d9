/* SPDX-License-Identifier: Apache-2.0 */
/* test_cache_entry.c: the sealed cache value opens only for its token,
 * its key and the cache secret, hides both token and claims, and refuses
 * any tampering. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <stdlib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include "unit.h"
#include "cache_entry.h"
#include "lex.h"

#define TOKEN "2YotnFZFEjr1zCsicMWpAA-unit-test-token"
#define JSON "{\"active\":true,\"sub\":\"jdoe-secret-subject\"}"
#define NOW 1700000000
#define OVERHEAD (1 + 12 + 16 + 9)

static const unsigned char key_a[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const unsigned char key_b[32] = { 1, 2, 3, 4, 5, 6, 7, 9 };

#define SECRET_A "cache-secret-a-0123456789abcdef0123456789"
#define SECRET_B "cache-secret-b-0123456789abcdef0123456789"

static mai_hmac_key_t *secret_of(apr_pool_t *p, const char *s)
{
    return mai_hmac_key_make(p, s, strlen(s));
}

/* the secret of the server under test, in the pool p of each test */
#define SK secret_of(p, SECRET_A)

typedef struct {
    unsigned char *data;
    apr_size_t len;
} sealed_t;

static mai_cache_entry_key_t ekey(apr_pool_t *p, const mai_hmac_key_t *sk,
                                  const char *token,
                                  const unsigned char *key)
{
    mai_cache_entry_key_t k;
    unsigned char *th = apr_palloc(p, MAI_DIGEST_LEN);

    mai_digest_sha256(token, strlen(token), th);
    k.secret = sk;
    k.token = token;
    k.token_hash = th;
    k.lookup_key = key;
    return k;
}

static mai_status_t seal_with(apr_pool_t *p, const mai_hmac_key_t *sk,
                              const char *token, const unsigned char *key,
                              int active, apr_int64_t fetched,
                              const char *json, sealed_t *s)
{
    mai_cache_entry_key_t k = ekey(p, sk, token, key);
    mai_cache_entry_t e;

    e.active = active;
    e.fetched_at = fetched;
    e.json = json;
    e.json_len = strlen(json);
    return mai_cache_entry_seal(p, &k, &e, &s->data, &s->len);
}

static mai_status_t open_with(apr_pool_t *p, const mai_hmac_key_t *sk,
                              const char *token, const unsigned char *key,
                              sealed_t s, mai_cache_entry_t *e)
{
    mai_cache_entry_key_t k = ekey(p, sk, token, key);

    e->active = -1;
    e->fetched_at = -1;
    e->json = NULL;
    e->json_len = 0;
    return mai_cache_entry_open(p, &k, s.data, s.len, e);
}

static sealed_t seal(apr_pool_t *p, const char *token,
                     const unsigned char *key, int active,
                     apr_int64_t expires, const char *json)
{
    sealed_t s;

    assert_int_equal(seal_with(p, SK, token, key, active, expires, json,
                               &s), MAI_OK);
    assert_non_null(s.data);
    return s;
}

static mai_status_t open_entry(apr_pool_t *p, const char *token,
                               const unsigned char *key, sealed_t s,
                               apr_int64_t now)
{
    mai_cache_entry_t e;

    (void)now;
    return open_with(p, SK, token, key, s, &e);
}

static void test_roundtrip(void **state)
{
    apr_pool_t *p = *state;
    sealed_t s = seal(p, TOKEN, key_a, 1, NOW + 60, JSON);
    mai_cache_entry_t e;

    assert_int_equal(s.len, OVERHEAD + strlen(JSON));
    assert_int_equal(s.data[0], 0x04);
    assert_int_equal(open_with(p, SK, TOKEN, key_a, s, &e), MAI_OK);
    assert_int_equal(e.active, 1);
    assert_true(e.fetched_at == NOW + 60);
    assert_int_equal(e.json_len, strlen(JSON));
    assert_string_equal(e.json, JSON);   /* NUL-terminated */

    /* an inactive answer (negative caching), empty JSON, a huge expiry */
    s = seal(p, TOKEN, key_a, 0, APR_INT64_MAX, "");
    assert_int_equal(open_with(p, SK, TOKEN, key_a, s, &e), MAI_OK);
    assert_int_equal(e.active, 0);
    assert_true(e.fetched_at == APR_INT64_MAX);
    assert_int_equal(e.json_len, 0);
    assert_string_equal(e.json, "");

    /* any non-zero active flag is stored as 1 */
    s = seal(p, TOKEN, key_a, 42, NOW + 1, JSON);
    assert_int_equal(open_with(p, SK, TOKEN, key_a, s, &e), MAI_OK);
    assert_int_equal(e.active, 1);
}

static void test_fetched_at(void **state)
{
    apr_pool_t *p = *state;
    mai_cache_entry_t e;
    /* the stamp is carried as is, also negative ones (big-endian sign) */
    sealed_t s = seal(p, TOKEN, key_a, 1, -5, JSON);

    assert_int_equal(open_with(p, SK, TOKEN, key_a, s, &e), MAI_OK);
    assert_true(e.fetched_at == -5);
    s = seal(p, TOKEN, key_a, 1, NOW, JSON);
    assert_int_equal(open_with(p, SK, TOKEN, key_a, s, &e), MAI_OK);
    assert_true(e.fetched_at == NOW);
}

static void test_every_byte_flip(void **state)
{
    static const unsigned char masks[] = { 0x01, 0x80, 0xff };
    apr_pool_t *p = *state;
    sealed_t s = seal(p, TOKEN, key_a, 1, NOW + 60, JSON);
    apr_size_t i, m;

    for (i = 0; i < s.len; i++) {
        for (m = 0; m < sizeof(masks); m++) {
            s.data[i] ^= masks[m];
            if (open_entry(p, TOKEN, key_a, s, NOW)
                != MAI_STATUS_CACHE_CORRUPT) {
                fail_msg("flipping byte %lu with 0x%02x was not detected",
                         (unsigned long)i, masks[m]);
            }
            s.data[i] ^= masks[m];
        }
    }
    assert_int_equal(open_entry(p, TOKEN, key_a, s, NOW), MAI_OK);
}

static void test_binding(void **state)
{
    apr_pool_t *p = *state;
    sealed_t s = seal(p, TOKEN, key_a, 1, NOW + 60, JSON);

    /* moved under another lookup key */
    assert_int_equal(open_entry(p, TOKEN, key_b, s, NOW),
                     MAI_STATUS_CACHE_CORRUPT);
    /* opened with another token, even one differing in the last byte */
    assert_int_equal(open_entry(p, TOKEN "x", key_a, s, NOW),
                     MAI_STATUS_CACHE_CORRUPT);
    assert_int_equal(open_entry(p, "2YotnFZFEjr1zCsicMWpAA-unit-test-tokeN",
                                key_a, s, NOW), MAI_STATUS_CACHE_CORRUPT);
    /* the corrupt check comes before the expiry check */
    assert_int_equal(open_entry(p, TOKEN "x", key_a, s, NOW + 3600),
                     MAI_STATUS_CACHE_CORRUPT);
    assert_int_equal(open_entry(p, TOKEN, key_a, s, NOW), MAI_OK);
}

/* Whoever writes the cache but lacks the secret cannot seal an entry that
 * opens, even for a token and lookup key of their own choosing; and an
 * entry of a server with another secret does not open either. */
static void test_secret(void **state)
{
    apr_pool_t *p = *state;
    sealed_t s;
    mai_cache_entry_t e;

    assert_int_equal(seal_with(p, secret_of(p, SECRET_B), TOKEN, key_a, 1,
                               NOW, JSON, &s), MAI_OK);
    assert_int_equal(open_entry(p, TOKEN, key_a, s, NOW),
                     MAI_STATUS_CACHE_CORRUPT);
    assert_int_equal(seal_with(p, secret_of(p, ""), TOKEN, key_a, 1, NOW,
                               JSON, &s), MAI_OK);
    assert_int_equal(open_entry(p, TOKEN, key_a, s, NOW),
                     MAI_STATUS_CACHE_CORRUPT);
    s = seal(p, TOKEN, key_a, 1, NOW, JSON);
    assert_int_equal(open_with(p, secret_of(p, SECRET_B), TOKEN, key_a, s,
                               &e), MAI_STATUS_CACHE_CORRUPT);
    assert_int_equal(open_entry(p, TOKEN, key_a, s, NOW), MAI_OK);
}

static void test_malformed(void **state)
{
    apr_pool_t *p = *state;
    sealed_t s = seal(p, TOKEN, key_a, 1, NOW + 60, "");
    sealed_t cut;
    apr_size_t n;

    assert_int_equal(s.len, OVERHEAD);
    for (n = 0; n < s.len; n++) {
        cut.data = s.data;
        cut.len = n;
        assert_int_equal(open_entry(p, TOKEN, key_a, cut, NOW),
                         MAI_STATUS_CACHE_CORRUPT);
    }
    /* truncating a longer entry or appending to it breaks the tag */
    s = seal(p, TOKEN, key_a, 1, NOW + 60, JSON);
    cut.data = s.data;
    cut.len = s.len - 1;
    assert_int_equal(open_entry(p, TOKEN, key_a, cut, NOW),
                     MAI_STATUS_CACHE_CORRUPT);
    cut.data = apr_palloc(p, s.len + 1);
    memcpy(cut.data, s.data, s.len);
    cut.data[s.len] = 0;
    cut.len = s.len + 1;
    assert_int_equal(open_entry(p, TOKEN, key_a, cut, NOW),
                     MAI_STATUS_CACHE_CORRUPT);
    /* another version byte is refused even with a valid rest: 1 (the
     * layout without a cache secret), 2 and 3 (HKDF, HMAC: the key and
     * the additional data differ, so a relabelled entry does not open)
     * and a future 5 */
    s.data[0] = 0x01;
    assert_int_equal(open_entry(p, TOKEN, key_a, s, NOW),
                     MAI_STATUS_CACHE_CORRUPT);
    s.data[0] = 0x02;
    assert_int_equal(open_entry(p, TOKEN, key_a, s, NOW),
                     MAI_STATUS_CACHE_CORRUPT);
    s.data[0] = 0x03;
    assert_int_equal(open_entry(p, TOKEN, key_a, s, NOW),
                     MAI_STATUS_CACHE_CORRUPT);
    s.data[0] = 0x05;
    assert_int_equal(open_entry(p, TOKEN, key_a, s, NOW),
                     MAI_STATUS_CACHE_CORRUPT);
    s.data[0] = 0x04;
    assert_int_equal(open_entry(p, TOKEN, key_a, s, NOW), MAI_OK);
    cut.data = NULL;
    cut.len = 0;
    assert_int_equal(open_entry(p, TOKEN, key_a, cut, NOW),
                     MAI_STATUS_CACHE_CORRUPT);
}

static void test_confidential(void **state)
{
    apr_pool_t *p = *state;
    sealed_t s = seal(p, TOKEN, key_a, 1, NOW + 60, JSON);

    assert_null(memmem(s.data, s.len, TOKEN, strlen(TOKEN)));
    assert_null(memmem(s.data, s.len, TOKEN, 8));
    assert_null(memmem(s.data, s.len, JSON, strlen(JSON)));
    assert_null(memmem(s.data, s.len, "jdoe-secret", 11));
    assert_null(memmem(s.data, s.len, key_a, sizeof(key_a)));
}

static void test_nonce_is_random(void **state)
{
    apr_pool_t *p = *state;
    sealed_t a = seal(p, TOKEN, key_a, 1, NOW + 60, JSON);
    sealed_t b = seal(p, TOKEN, key_a, 1, NOW + 60, JSON);

    assert_int_equal(a.len, b.len);
    assert_memory_not_equal(a.data + 1, b.data + 1, 12);
    assert_memory_not_equal(a.data + 13, b.data + 13, a.len - 13);
    assert_int_equal(open_entry(p, TOKEN, key_a, a, NOW), MAI_OK);
    assert_int_equal(open_entry(p, TOKEN, key_a, b, NOW), MAI_OK);
}

static int cmp_nonce(const void *a, const void *b)
{
    return memcmp(a, b, 12);
}

/* Counted nonces: every seal of a process has its own (here 2,000 under
 * one key), and a child's redraw leaves its siblings' sequence: the 32
 * bits above the counter change (equal again with probability 2^-32). */
static void test_nonce_unique(void **state)
{
    apr_pool_t *p = *state;
    enum { N = 2000 };
    unsigned char (*n)[12] = apr_palloc(p, N * 12);
    unsigned char before[4];
    sealed_t s;
    int i;

    for (i = 0; i < N; i++) {
        s = seal(p, TOKEN, key_a, 1, NOW + 60, JSON);
        memcpy(n[i], s.data + 1, 12);
    }
    qsort(n, N, 12, cmp_nonce);
    for (i = 1; i < N; i++) {
        assert_memory_not_equal(n[i - 1], n[i], 12);
    }
    memcpy(before, s.data + 1, 4);
    assert_int_equal(mai_cache_entry_child_init(), MAI_OK);
    s = seal(p, TOKEN, key_a, 1, NOW + 60, JSON);
    assert_memory_not_equal(before, s.data + 1, 4);
    assert_int_equal(open_entry(p, TOKEN, key_a, s, NOW), MAI_OK);
}

/* The entry keys of the layouts, written here with OpenSSL alone, so the
 * test does not lean on the code it checks. Version 2: HKDF-SHA256
 * (salt: the secret, input: the token). */
static void key_v2(const char *secret, const char *token,
                   unsigned char key[32])
{
    static const char info[] = "mod_auth_introspect entry v2 aes-256-gcm key";
    EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    size_t kl = 32;

    assert_non_null(kc);
    assert_int_equal(EVP_PKEY_derive_init(kc), 1);
    assert_int_equal(EVP_PKEY_CTX_set_hkdf_md(kc, EVP_sha256()), 1);
    assert_int_equal(EVP_PKEY_CTX_set1_hkdf_salt(kc,
                         (const unsigned char *)secret, strlen(secret)), 1);
    assert_int_equal(EVP_PKEY_CTX_set1_hkdf_key(kc,
                         (const unsigned char *)token, strlen(token)), 1);
    assert_int_equal(EVP_PKEY_CTX_add1_hkdf_info(kc,
                         (const unsigned char *)info, strlen(info)), 1);
    assert_int_equal(EVP_PKEY_derive(kc, key, &kl), 1);
    EVP_PKEY_CTX_free(kc);
}

/* Version 3: HMAC-SHA256(secret, "mai entry key v3", NUL, SHA-256(token)) */
static void key_v3(const char *secret, const char *token,
                   unsigned char key[32])
{
    unsigned char msg[17 + 32];
    unsigned int kl = 32;

    memcpy(msg, "mai entry key v3", 17);
    assert_int_equal(EVP_Digest(token, strlen(token), msg + 17, NULL,
                                EVP_sha256(), NULL), 1);
    assert_non_null(HMAC(EVP_sha256(), secret, (int)strlen(secret), msg,
                         sizeof(msg), key, &kl));
}

/* Version 4: RFC 8452's key derivation under the key-generating key
 * HMAC-SHA256(secret, "mai entry key-generating key v4"), block i being
 * i (4 bytes little-endian) and the first 12 bytes of SHA-256(token); the
 * key is the first 8 bytes of each of the four blocks' encryptions. */
static void key_v4(const char *secret, const char *token,
                   unsigned char key[32])
{
    static const char label[] = "mai entry key-generating key v4";
    unsigned char kgk[32], th[32], in[64], out[64];
    unsigned int kl = 32;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int i, n;

    assert_non_null(HMAC(EVP_sha256(), secret, (int)strlen(secret),
                         (const unsigned char *)label, strlen(label), kgk,
                         &kl));
    assert_int_equal(EVP_Digest(token, strlen(token), th, NULL,
                                EVP_sha256(), NULL), 1);
    memset(in, 0, sizeof(in));
    for (i = 0; i < 4; i++) {
        in[16 * i] = (unsigned char)i;
        memcpy(in + 16 * i + 4, th, 12);
    }
    assert_non_null(c);
    assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_256_ecb(), NULL, kgk,
                                        NULL), 1);
    assert_int_equal(EVP_CIPHER_CTX_set_padding(c, 0), 1);
    assert_int_equal(EVP_EncryptUpdate(c, out, &n, in, sizeof(in)), 1);
    assert_int_equal(n, sizeof(in));
    EVP_CIPHER_CTX_free(c);
    for (i = 0; i < 4; i++) {
        memcpy(key + 8 * i, out + 16 * i, 8);
    }
}

/* An entry of a layout VERSION under KEY: additional data the version
 * and the lookup key. */
static sealed_t seal_by_hand(apr_pool_t *p, int version,
                             const unsigned char key[32],
                             const unsigned char *lookup, const char *json)
{
    unsigned char aad[33], head[9];
    apr_size_t jl = strlen(json);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    sealed_t s;
    int n;

    s.len = OVERHEAD + jl;
    s.data = apr_pcalloc(p, s.len);
    s.data[0] = (unsigned char)version;
    memset(s.data + 1, 0x5a, 12);
    aad[0] = (unsigned char)version;
    memcpy(aad + 1, lookup, 32);
    head[0] = 1;
    mai_lex_put_be64(head + 1, (apr_uint64_t)NOW);
    assert_non_null(c);
    assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key,
                                        s.data + 1), 1);
    assert_int_equal(EVP_EncryptUpdate(c, NULL, &n, aad, sizeof(aad)), 1);
    assert_int_equal(EVP_EncryptUpdate(c, s.data + 13, &n, head, 9), 1);
    assert_int_equal(EVP_EncryptUpdate(c, s.data + 22, &n,
                                       (const unsigned char *)json,
                                       (int)jl), 1);
    assert_int_equal(EVP_EncryptFinal_ex(c, s.data + 22 + jl, &n), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16,
                                         s.data + s.len - 16), 1);
    EVP_CIPHER_CTX_free(c);
    return s;
}

/* Entries the builds before sealed (versions 2 and 3) still open, under
 * the same rules: their token, their lookup key, this secret, untouched;
 * relabelled as another version they do not. */
static void check_old_version(apr_pool_t *p, int version,
                              void (*key_of)(const char *, const char *,
                                             unsigned char *))
{
    unsigned char key[32];
    sealed_t s;
    mai_cache_entry_t e;
    apr_size_t i;
    int other;

    key_of(SECRET_A, TOKEN, key);
    s = seal_by_hand(p, version, key, key_a, JSON);
    assert_int_equal(open_with(p, SK, TOKEN, key_a, s, &e), MAI_OK);
    assert_int_equal(e.active, 1);
    assert_true(e.fetched_at == NOW);
    assert_string_equal(e.json, JSON);
    assert_int_equal(open_entry(p, TOKEN, key_b, s, NOW),
                     MAI_STATUS_CACHE_CORRUPT);
    assert_int_equal(open_entry(p, TOKEN "x", key_a, s, NOW),
                     MAI_STATUS_CACHE_CORRUPT);
    assert_int_equal(open_with(p, secret_of(p, SECRET_B), TOKEN, key_a, s,
                               &e), MAI_STATUS_CACHE_CORRUPT);
    for (i = 0; i < s.len; i++) {
        s.data[i] ^= 0x01;
        assert_int_equal(open_entry(p, TOKEN, key_a, s, NOW),
                         MAI_STATUS_CACHE_CORRUPT);
        s.data[i] ^= 0x01;
    }
    for (other = 2; other <= 4; other++) {
        if (other != version) {
            s.data[0] = (unsigned char)other;
            assert_int_equal(open_entry(p, TOKEN, key_a, s, NOW),
                             MAI_STATUS_CACHE_CORRUPT);
        }
    }
}

static void test_version2_opens(void **state)
{
    check_old_version(*state, 2, key_v2);
}

static void test_version3_opens(void **state)
{
    check_old_version(*state, 3, key_v3);
}

/* What the module seals now is version 4 under exactly the key above:
 * an entry written by hand with it opens, and the module's own seal
 * opens by hand with it. */
static void test_version4_key(void **state)
{
    apr_pool_t *p = *state;
    unsigned char key[32], pt[64];
    sealed_t s;
    mai_cache_entry_t e;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    unsigned char aad[33];
    int n;

    key_v4(SECRET_A, TOKEN, key);
    s = seal_by_hand(p, 4, key, key_a, JSON);
    assert_int_equal(open_with(p, SK, TOKEN, key_a, s, &e), MAI_OK);
    assert_string_equal(e.json, JSON);

    s = seal(p, TOKEN, key_a, 1, NOW, "{}");
    assert_int_equal(s.data[0], 4);
    aad[0] = 4;
    memcpy(aad + 1, key_a, 32);
    assert_non_null(c);
    assert_int_equal(EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key,
                                        s.data + 1), 1);
    assert_int_equal(EVP_DecryptUpdate(c, NULL, &n, aad, sizeof(aad)), 1);
    assert_int_equal(EVP_DecryptUpdate(c, pt, &n, s.data + 13,
                                       (int)(s.len - 29)), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16,
                                         s.data + s.len - 16), 1);
    assert_int_equal(EVP_DecryptFinal_ex(c, pt + n, &n), 1);
    EVP_CIPHER_CTX_free(c);
    assert_int_equal(pt[0], 1);
    assert_memory_equal(pt + 9, "{}", 2);
}

/* Each thread keeps one sealing and one opening context (cache_entry.c)
 * and only sets a key and nonce per call: interleaved seals and opens of
 * two tokens, with failed opens (wrong token, a cut tag, another
 * secret) between them, each give what a fresh context would. */
static void test_contexts_reused(void **state)
{
    apr_pool_t *p = *state;
    sealed_t a = seal(p, TOKEN, key_a, 1, NOW, JSON);
    sealed_t b = seal(p, TOKEN "-b", key_b, 0, NOW + 1, "{}");
    sealed_t cut = a;
    mai_cache_entry_t e;
    int round;

    cut.len--;
    for (round = 0; round < 3; round++) {
        assert_int_equal(open_entry(p, TOKEN "-b", key_a, a, NOW),
                         MAI_STATUS_CACHE_CORRUPT);
        assert_int_equal(open_with(p, SK, TOKEN "-b", key_b, b, &e), MAI_OK);
        assert_int_equal(e.active, 0);
        assert_string_equal(e.json, "{}");
        assert_int_equal(open_entry(p, TOKEN, key_a, cut, NOW),
                         MAI_STATUS_CACHE_CORRUPT);
        assert_int_equal(open_with(p, secret_of(p, SECRET_B), TOKEN, key_a,
                                   a, &e), MAI_STATUS_CACHE_CORRUPT);
        assert_int_equal(open_with(p, SK, TOKEN, key_a, a, &e), MAI_OK);
        assert_int_equal(e.active, 1);
        assert_string_equal(e.json, JSON);
        /* a seal between opens: its own nonce, opens like the first */
        a = seal(p, TOKEN, key_a, 1, NOW, JSON);
        cut = a;
        cut.len--;
    }
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_roundtrip),
    UNIT_TEST(test_fetched_at),
    UNIT_TEST(test_every_byte_flip),
    UNIT_TEST(test_binding),
    UNIT_TEST(test_secret),
    UNIT_TEST(test_malformed),
    UNIT_TEST(test_confidential),
    UNIT_TEST(test_nonce_is_random),
    UNIT_TEST(test_nonce_unique),
    UNIT_TEST(test_version2_opens),
    UNIT_TEST(test_version3_opens),
    UNIT_TEST(test_version4_key),
    UNIT_TEST(test_contexts_reused),
};
UNIT_MAIN(tests)
