/* SPDX-License-Identifier: Apache-2.0 */
/* test_digest.c: SHA-256, token names in logs, HMAC and HKDF against
 * OpenSSL's own, and the cache key layout. */
#include "unit.h"
#include <apr_strings.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include "digest.h"

#define SECRET "0123456789abcdef0123456789abcdef"

static const char *hex(apr_pool_t *p, const unsigned char *d)
{
    static const char x[] = "0123456789abcdef";
    char *s = apr_palloc(p, 2 * MAI_DIGEST_LEN + 1);
    int i;

    for (i = 0; i < MAI_DIGEST_LEN; i++) {
        s[2 * i] = x[d[i] >> 4];
        s[2 * i + 1] = x[d[i] & 0x0f];
    }
    s[2 * MAI_DIGEST_LEN] = '\0';
    return s;
}

static mai_hmac_key_t *secret_key(apr_pool_t *p, const char *s)
{
    mai_hmac_key_t *k = mai_hmac_key_make(p, s, strlen(s));
    assert_non_null(k);
    return k;
}

static const char *key_hex(apr_pool_t *p, const char *secret,
                           const mai_cache_scope_t *scope, const char *t)
{
    unsigned char k[MAI_DIGEST_LEN];

    mai_digest_cache_key(secret_key(p, secret), scope, t, k);
    return hex(p, k);
}

static void test_sha256_vectors(void **state)
{
    apr_pool_t *p = *state;
    unsigned char d[MAI_DIGEST_LEN];

    mai_digest_sha256("abc", 3, d);
    assert_string_equal(hex(p, d), "ba7816bf8f01cfea414140de5dae2223"
                                   "b00361a396177a9cb410ff61f20015ad");
    mai_digest_sha256("", 0, d);
    assert_string_equal(hex(p, d), "e3b0c44298fc1c149afbf4c8996fb924"
                                   "27ae41e4649b934ca495991b7852b855");
    /* len, not a NUL, ends the input */
    mai_digest_sha256("abcdef", 3, d);
    assert_string_equal(hex(p, d), "ba7816bf8f01cfea414140de5dae2223"
                                   "b00361a396177a9cb410ff61f20015ad");
}

static void test_token_id(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(mai_digest_token_id(p, "abc"), "ba7816bf");
    assert_string_equal(mai_digest_token_id(p, "tok"), "1a7674eb");
    assert_int_equal(strlen(mai_digest_token_id(p, "")), 8);
}

static void test_hmac_matches_openssl(void **state)
{
    static const apr_size_t key_lens[] = { 0, 1, 31, 32, 63, 64, 65, 200 };
    static const apr_size_t msg_lens[] = { 0, 1, 55, 56, 64, 119, 1000 };
    apr_pool_t *p = *state;
    unsigned char key[200], msg[1000], ours[32], theirs[32];
    unsigned int n;
    apr_size_t i, j;

    for (i = 0; i < sizeof(key); i++) {
        key[i] = (unsigned char)(i * 7 + 3);
    }
    for (i = 0; i < sizeof(msg); i++) {
        msg[i] = (unsigned char)(i * 13 + 1);
    }
    for (i = 0; i < sizeof(key_lens) / sizeof(key_lens[0]); i++) {
        mai_hmac_key_t *k = mai_hmac_key_make(p, key, key_lens[i]);
        assert_non_null(k);
        for (j = 0; j < sizeof(msg_lens) / sizeof(msg_lens[0]); j++) {
            mai_hmac(k, msg, msg_lens[j], ours);
            assert_non_null(HMAC(EVP_sha256(), key, (int)key_lens[i], msg,
                                 msg_lens[j], theirs, &n));
            assert_int_equal(n, 32);
            assert_memory_equal(ours, theirs, 32);
        }
    }
}

static void test_hmac_rfc4231(void **state)
{
    apr_pool_t *p = *state;
    unsigned char key[20], out[32];
    mai_hmac_key_t *k;

    /* test case 1 */
    memset(key, 0x0b, sizeof(key));
    k = mai_hmac_key_make(p, key, sizeof(key));
    mai_hmac(k, "Hi There", 8, out);
    assert_string_equal(hex(p, out), "b0344c61d8db38535ca8afceaf0bf12b"
                                     "881dc200c9833da726e9376c2e32cff7");
    /* test case 2: a key shorter than the block */
    k = mai_hmac_key_make(p, "Jefe", 4);
    mai_hmac(k, "what do ya want for nothing?", 28, out);
    assert_string_equal(hex(p, out), "5bdcc146bf60754e6a042426089575c7"
                                     "5a003f089d2739839dec58b964ec3843");
}

static void hkdf_openssl(const void *salt, size_t salt_len, const void *ikm,
                         size_t ikm_len, const char *info,
                         unsigned char *out)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
    OSSL_PARAM params[5];

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                                 (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                  (void *)ikm, ikm_len);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                  (void *)salt, salt_len);
    params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                  (void *)info,
                                                  strlen(info));
    params[4] = OSSL_PARAM_construct_end();
    assert_int_equal(EVP_KDF_derive(kctx, out, 32, params), 1);
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
}

static void test_hkdf(void **state)
{
    apr_pool_t *p = *state;
    unsigned char ikm[22], salt[13], out[32], theirs[32];
    char info[11];
    int i;

    /* RFC 5869 test case 1: the first 32 bytes of its OKM */
    memset(ikm, 0x0b, sizeof(ikm));
    for (i = 0; i < 13; i++) {
        salt[i] = (unsigned char)i;
    }
    for (i = 0; i < 10; i++) {
        info[i] = (char)(0xf0 + i);
    }
    info[10] = '\0';
    mai_hkdf(mai_hmac_key_make(p, salt, sizeof(salt)), ikm, sizeof(ikm),
             info, out);
    assert_string_equal(hex(p, out), "3cb25f25faacd57a90434f64d0362f2a"
                                     "2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
    /* and as OpenSSL's HKDF for the salt and label the cache uses */
    mai_hkdf(secret_key(p, SECRET), "a-token", 7, "some label", out);
    hkdf_openssl(SECRET, strlen(SECRET), "a-token", 7, "some label", theirs);
    assert_memory_equal(out, theirs, 32);
}

static void test_cache_key_vector(void **state)
{
    apr_pool_t *p = *state;
    mai_cache_scope_t a = { "https://as/i", "client", 1, NULL,
                            "access_token", 0 };
    mai_cache_scope_t b = { "https://as/i", "client", 0, "/etc/ca.pem",
                            NULL, 0 };

    /* HMAC-SHA256(secret, "mai cache key v2" || TLSVerify (1 byte) || for
     * endpoint, client id, CA file, hint: present (1) or NULL (0), 4-byte
     * big-endian length, bytes || SHA-256(token)), computed independently
     * with Python's hmac (tests/integration/harness/forge.py) */
    assert_string_equal(key_hex(p, SECRET, &a, "tok"),
                        "dbf24b60f8ace9cabad500bbaac75852"
                        "32e5a2133da14a610716a136844a51bd");
    assert_string_equal(key_hex(p, SECRET, &b, "tok"),
                        "9089732d4bb94c600edbbbf0e1edd331"
                        "54e98aa6c165232b451f9de50c9d48a1");
}

static void test_cache_key_separates(void **state)
{
    apr_pool_t *p = *state;
    mai_cache_scope_t s = { "ab", "c", 1, "/ca", "access_token", 0 };
    mai_cache_scope_t t;
    const char *base = key_hex(p, SECRET, &s, "t"), *none;

    /* the length prefixes keep the field boundaries in the hash */
    t = s;
    t.endpoint = "a";
    t.client_id = "bc";
    assert_string_not_equal(base, key_hex(p, SECRET, &t, "t"));
    /* every field counts: endpoint, client id, TLSVerify, CA, hint */
    t = s;
    t.endpoint = "ac";
    assert_string_not_equal(base, key_hex(p, SECRET, &t, "t"));
    t = s;
    t.client_id = "d";
    assert_string_not_equal(base, key_hex(p, SECRET, &t, "t"));
    t = s;
    t.tls_verify = 0;
    assert_string_not_equal(base, key_hex(p, SECRET, &t, "t"));
    t = s;
    t.ca_file = "/cb";
    assert_string_not_equal(base, key_hex(p, SECRET, &t, "t"));
    t.ca_file = NULL;
    assert_string_not_equal(base, key_hex(p, SECRET, &t, "t"));
    t = s;
    t.hint = NULL;
    assert_string_not_equal(base, key_hex(p, SECRET, &t, "t"));
    /* a location that wants signed answers (RFC 9701) has keys of its
     * own: an unsigned answer cached by another never reaches it */
    t = s;
    t.signed_answer = 1;
    assert_string_not_equal(base, key_hex(p, SECRET, &t, "t"));
    assert_false(mai_cache_scope_equal(&s, &t));
    /* NULL (not set) is not the empty string */
    none = key_hex(p, SECRET, &t, "t");
    t.hint = "";
    assert_string_not_equal(none, key_hex(p, SECRET, &t, "t"));
    assert_string_not_equal(base, key_hex(p, SECRET, &s, "u"));
    /* another secret, another key: without it no key can be computed */
    assert_string_not_equal(base, key_hex(p, SECRET "x", &s, "t"));
    /* deterministic */
    assert_string_equal(base, key_hex(p, SECRET, &s, "t"));
}

/* Scope strings longer than the gathering buffer take the streaming path
 * and give the same key as HMAC over the whole message at once. */
static void test_cache_key_long_fields(void **state)
{
    apr_pool_t *p = *state;
    char *ep = apr_palloc(p, 301), *ca = apr_palloc(p, 1001);
    mai_cache_scope_t s = { NULL, "client", 1, NULL, NULL, 0 };
    unsigned char msg[2000], th[32], want[32], got[32];
    apr_size_t n = 0;

    memset(ep, 'e', 300);
    ep[300] = '\0';
    memset(ca, 'c', 1000);
    ca[1000] = '\0';
    s.endpoint = ep;
    s.ca_file = ca;
    mai_digest_sha256("tok", 3, th);
    memcpy(msg, "mai cache key v2\x01", 17);
    n = 17;
    memcpy(msg + n, "\x01\x00\x00\x01\x2c", 5);
    memcpy(msg + n + 5, ep, 300);
    n += 305;
    memcpy(msg + n, "\x01\x00\x00\x00\x06" "client", 11);
    n += 11;
    memcpy(msg + n, "\x01\x00\x00\x03\xe8", 5);
    memcpy(msg + n + 5, ca, 1000);
    n += 1005;
    memcpy(msg + n, "\x00\x00\x00\x00\x00", 5);
    n += 5;
    memcpy(msg + n, th, 32);
    n += 32;
    mai_hmac(secret_key(p, SECRET), msg, n, want);
    mai_digest_cache_key(secret_key(p, SECRET), &s, "tok", got);
    assert_memory_equal(want, got, 32);
}

/* The key depends on the token only through its SHA-256, so whoever has
 * only the hash (a purge by hash) finds the same key. */
static void test_cache_key_of_hash(void **state)
{
    apr_pool_t *p = *state;
    mai_cache_scope_t s = { "https://as/i", "client", 1, NULL, "x", 0 };
    mai_hmac_key_t *k = secret_key(p, SECRET);
    unsigned char th[MAI_DIGEST_LEN], a[MAI_DIGEST_LEN], b[MAI_DIGEST_LEN];

    mai_digest_sha256("a-token", 7, th);
    mai_digest_cache_key(k, &s, "a-token", a);
    mai_digest_cache_key_of_hash(k, &s, th, b);
    assert_memory_equal(a, b, MAI_DIGEST_LEN);
}

/* Equal scopes are the ones whose keys are equal: a subrequest reuses its
 * parent's answer exactly when they would share a cache entry. */
static void test_scope_equal(void **state)
{
    char ep[] = "https://as/i";
    mai_cache_scope_t s = { "https://as/i", "client", 1, "/ca", "x", 0 };
    mai_cache_scope_t t = s;

    (void)state;
    assert_true(mai_cache_scope_equal(&s, &t));
    t.endpoint = ep;                /* equal text, another pointer */
    assert_true(mai_cache_scope_equal(&s, &t));
    t = s;
    t.endpoint = "https://as/j";
    assert_false(mai_cache_scope_equal(&s, &t));
    t = s;
    t.client_id = NULL;
    assert_false(mai_cache_scope_equal(&s, &t));
    t = s;
    t.tls_verify = 0;
    assert_false(mai_cache_scope_equal(&s, &t));
    t = s;
    t.ca_file = NULL;
    assert_false(mai_cache_scope_equal(&s, &t));
    t = s;
    t.hint = "";
    assert_false(mai_cache_scope_equal(&s, &t));
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_sha256_vectors),
    UNIT_TEST(test_token_id),
    UNIT_TEST(test_hmac_matches_openssl),
    UNIT_TEST(test_hmac_rfc4231),
    UNIT_TEST(test_hkdf),
    UNIT_TEST(test_cache_key_vector),
    UNIT_TEST(test_cache_key_separates),
    UNIT_TEST(test_cache_key_long_fields),
    UNIT_TEST(test_cache_key_of_hash),
    UNIT_TEST(test_scope_equal),
};
UNIT_MAIN(tests)
