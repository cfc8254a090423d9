/* test_digest.c: SHA-256, token names in logs, and the cache key layout. */
#include "unit.h"
#include <apr_strings.h>
#include "digest.h"

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

static const char *key_hex(apr_pool_t *p, const char *e, const char *c,
                           const char *t)
{
    unsigned char k[MAI_DIGEST_LEN];

    mai_digest_cache_key(e, c, t, k);
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

static void test_cache_key_vector(void **state)
{
    apr_pool_t *p = *state;

    /* SHA-256("mod_auth_introspect cache key v1" || for each field:
     * 8-byte big-endian length || bytes), computed independently */
    assert_string_equal(key_hex(p, "https://as/i", "client", "tok"),
                        "5d5fb0bbfa00c43f74491a329861209b"
                        "d013ed77e528028f1849e82e7eb5255e");
    assert_string_equal(key_hex(p, "", "", ""),
                        "537d668ec43148cb3561c72acfd4ea17"
                        "098aed6afb7f462b79d663f39bb7d255");
}

static void test_cache_key_separates(void **state)
{
    apr_pool_t *p = *state;
    const char *base = key_hex(p, "ab", "c", "t");

    /* the length prefixes keep the field boundaries in the hash */
    assert_string_not_equal(base, key_hex(p, "a", "bc", "t"));
    assert_string_not_equal(key_hex(p, "e", "ab", "c"),
                            key_hex(p, "e", "a", "bc"));
    assert_string_not_equal(key_hex(p, "e", "", "ct"),
                            key_hex(p, "e", "c", "t"));
    assert_string_not_equal(base, key_hex(p, "ab", "c", "u"));
    assert_string_not_equal(base, key_hex(p, "ab", "d", "t"));
    assert_string_not_equal(base, key_hex(p, "ac", "c", "t"));
    /* the key is not the plain hash of the token */
    assert_string_not_equal(key_hex(p, "", "", "abc"),
                            "ba7816bf8f01cfea414140de5dae2223"
                            "b00361a396177a9cb410ff61f20015ad");
    /* deterministic, and NULL client id is the empty client id */
    assert_string_equal(base, key_hex(p, "ab", "c", "t"));
    assert_string_equal(key_hex(p, "e", NULL, "t"), key_hex(p, "e", "", "t"));
}

/* mai_digest_id_of names a token from its hash without hashing again */
static void test_id_of(void **state)
{
    apr_pool_t *p = *state;
    unsigned char th[MAI_DIGEST_LEN];

    mai_digest_sha256("abc", 3, th);
    assert_string_equal(mai_digest_id_of(p, th), "ba7816bf");
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_id_of),
    UNIT_TEST(test_sha256_vectors),
    UNIT_TEST(test_token_id),
    UNIT_TEST(test_cache_key_vector),
    UNIT_TEST(test_cache_key_separates),
};
UNIT_MAIN(tests)
