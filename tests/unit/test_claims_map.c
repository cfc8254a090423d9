/* SPDX-License-Identifier: Apache-2.0 */
/* test_claims_map.c: claim names to env and header names, header hygiene. */
#include "unit.h"
#include "claims_map.h"

static void test_env_name(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(mai_claims_env_name(p, "sub"), "INTROSPECT_SUB");
    assert_string_equal(mai_claims_env_name(p, "client_id"),
                        "INTROSPECT_CLIENT_ID");
    assert_string_equal(mai_claims_env_name(p, "https://example.com/roles"),
                        "INTROSPECT_HTTPS___EXAMPLE_COM_ROLES");
    assert_string_equal(mai_claims_env_name(p, "aB9-z"),
                        "INTROSPECT_AB9_Z");
    /* every byte outside ASCII letters and digits, UTF-8 included, is one
     * '_' each: nothing the locale calls a letter gets through */
    assert_string_equal(mai_claims_env_name(p, "r\xc3\xb4le=x y\t\n"),
                        "INTROSPECT_R__LE_X_Y__");
    assert_string_equal(mai_claims_env_name(p, ""), "INTROSPECT_");
}

static void test_header_name(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(mai_claims_header_name(p, "sub"), "X-Introspect-Sub");
    assert_string_equal(mai_claims_header_name(p, "client_id"),
                        "X-Introspect-Client-Id");
    assert_string_equal(mai_claims_header_name(p, "https://example.com/roles"),
                        "X-Introspect-Https---Example-Com-Roles");
    assert_string_equal(mai_claims_header_name(p, "USER_NAME"),
                        "X-Introspect-User-Name");
    assert_string_equal(mai_claims_header_name(p, "eMail2go"),
                        "X-Introspect-Email2go");
    assert_string_equal(mai_claims_header_name(p, "9lives"),
                        "X-Introspect-9lives");
    assert_string_equal(mai_claims_header_name(p, "_x_"),
                        "X-Introspect--X-");
    /* no CR, LF, colon or space can reach a header name */
    assert_string_equal(mai_claims_header_name(p, "a\r\nB: c"),
                        "X-Introspect-A--B--C");
    assert_string_equal(mai_claims_header_name(p, "caf\xc3\xa9"),
                        "X-Introspect-Caf--");
}

static void test_header_value(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(mai_claims_header_value(p, "alice"), "alice");
    assert_string_equal(mai_claims_header_value(p, ""), "");
    /* UTF-8 "José" as one RFC 2047 encoded-word */
    assert_string_equal(mai_claims_header_value(p, "Jos\xc3\xa9"),
                        "=?UTF-8?B?Sm9zw6k=?=");
    /* a plain value that looks encoded is encoded, so decoding is safe */
    assert_string_equal(mai_claims_header_value(p, "=?x?="),
                        "=?UTF-8?B?PT94Pz0=?=");
    assert_null(mai_claims_header_value(p, "a\r\nSet-Cookie: x=1"));
    assert_null(mai_claims_header_value(p, "caf\xc3\xa9\t"));
    assert_null(mai_claims_header_value(p, NULL));
}

static void test_header_safe(void **state)
{
    assert_true(mai_claims_header_safe(""));
    assert_true(mai_claims_header_safe("jdoe@example.com, \"quoted\" ~"));
    assert_true(mai_claims_header_safe("caf\xc3\xa9 \x80\xff"));
    assert_false(mai_claims_header_safe("a\r\nSet-Cookie: x=1"));
    assert_false(mai_claims_header_safe("a\nb"));
    assert_false(mai_claims_header_safe("a\rb"));
    assert_false(mai_claims_header_safe("tab\there"));
    assert_false(mai_claims_header_safe("\x01"));
    assert_false(mai_claims_header_safe("\x1f"));
    assert_false(mai_claims_header_safe("del\x7f"));
    assert_false(mai_claims_header_safe(NULL));
}

static void test_reserved_header(void **state)
{
    assert_true(mai_claims_is_reserved_header("X-Introspect-Sub"));
    assert_true(mai_claims_is_reserved_header("x-introspect-sub"));
    assert_true(mai_claims_is_reserved_header("X-INTROSPECT-SCOPE"));
    assert_true(mai_claims_is_reserved_header("X_Introspect_Sub"));
    assert_true(mai_claims_is_reserved_header("x_introspect_"));
    assert_true(mai_claims_is_reserved_header("X-Introspect-"));
    /* mixed separators reach a CGI or proxy backend the same way */
    assert_true(mai_claims_is_reserved_header("X-Introspect_Sub"));
    assert_true(mai_claims_is_reserved_header("X_Introspect-Sub"));
    /* any other punctuation, which backends map to '_' as well */
    assert_true(mai_claims_is_reserved_header("X.Introspect-Sub"));
    assert_true(mai_claims_is_reserved_header("x~introspect.sub"));
    assert_true(mai_claims_is_reserved_header("X Introspect Sub"));
    assert_true(mai_claims_is_reserved_header("X\x80Introspect\xffSub"));
    assert_false(mai_claims_is_reserved_header("X-Introspect"));
    assert_false(mai_claims_is_reserved_header("X-IntrospectSub"));
    assert_false(mai_claims_is_reserved_header("XIntrospect-Sub"));
    assert_false(mai_claims_is_reserved_header("X-Introspect9Sub"));
    assert_false(mai_claims_is_reserved_header("X-Introspection-Sub"));
    assert_false(mai_claims_is_reserved_header("X-Introspec-Sub"));
    assert_false(mai_claims_is_reserved_header("XX-Introspect-Sub"));
    assert_false(mai_claims_is_reserved_header("Introspect-Sub"));
    assert_false(mai_claims_is_reserved_header("X-Forwarded-For"));
    assert_false(mai_claims_is_reserved_header("X"));
    assert_false(mai_claims_is_reserved_header(""));
    assert_false(mai_claims_is_reserved_header(NULL));
}

/* Every name either maps to the prefix plus [A-Za-z0-9_] or [A-Za-z0-9-],
 * whatever byte it holds: all 255 non-NUL bytes, one at a time. */
static void test_every_byte(void **state)
{
    apr_pool_t *p = *state;
    int b;

    for (b = 1; b < 256; b++) {
        char claim[3] = { 'a', (char)b, '\0' };
        const char *env = mai_claims_env_name(p, claim);
        const char *hdr = mai_claims_header_name(p, claim);
        int alnum = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z')
            || (b >= 'A' && b <= 'Z');
        char e = alnum ? (b >= 'a' && b <= 'z' ? (char)(b - 32) : (char)b)
            : '_';
        char h = alnum ? (b >= 'A' && b <= 'Z' ? (char)(b + 32) : (char)b)
            : '-';

        assert_int_equal(strlen(env), strlen(MAI_ENV_PREFIX) + 2);
        assert_int_equal(env[strlen(MAI_ENV_PREFIX) + 1], e);
        assert_int_equal(strlen(hdr), strlen(MAI_HEADER_PREFIX) + 2);
        assert_int_equal(hdr[strlen(MAI_HEADER_PREFIX) + 1], h);
        assert_true(mai_claims_is_reserved_header(hdr));
    }
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_header_value),
    UNIT_TEST(test_env_name),
    UNIT_TEST(test_header_name),
    UNIT_TEST(test_header_safe),
    UNIT_TEST(test_reserved_header),
    UNIT_TEST(test_every_byte),
};
UNIT_MAIN(tests)
