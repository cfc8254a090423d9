/* SPDX-License-Identifier: Apache-2.0 */
/* test_form.c: form encoding, decoding, field lookup, Basic credentials. */
#include "unit.h"
#include "form.h"

static void test_encode(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(mai_form_encode(p, ""), "");
    assert_string_equal(mai_form_encode(p, "AZaz09-._~"), "AZaz09-._~");
    assert_string_equal(mai_form_encode(p, "a b"), "a+b");
    assert_string_equal(mai_form_encode(p, "a+b&c=d/e%"),
                        "a%2Bb%26c%3Dd%2Fe%25");
    assert_string_equal(mai_form_encode(p, "\xc3\xa9\x01\x7f\xff"),
                        "%C3%A9%01%7F%FF");
    assert_string_equal(mai_form_encode(p, "tok:en"), "tok%3Aen");
}

static void test_decode(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(mai_form_decode(p, "a+b%20c", 7), "a b c");
    assert_string_equal(mai_form_decode(p, "%c3%A9", 6), "\xc3\xa9");
    assert_string_equal(mai_form_decode(p, "%2B%26", 6), "+&");
    assert_string_equal(mai_form_decode(p, "", 0), "");
    /* len bounds the input, not the NUL */
    assert_string_equal(mai_form_decode(p, "abcdef", 3), "abc");
    assert_string_equal(mai_form_decode(p, "a%41zz", 4), "aA");
    assert_null(mai_form_decode(p, "a%4", 3));
    assert_null(mai_form_decode(p, "%", 1));
    assert_null(mai_form_decode(p, "a%4142", 3));
    assert_null(mai_form_decode(p, "%zz", 3));
    assert_null(mai_form_decode(p, "%4g", 3));
    assert_null(mai_form_decode(p, "a%00b", 5));
    assert_null(mai_form_decode(p, "a\0b", 3));
}

static void test_roundtrip(void **state)
{
    apr_pool_t *p = *state;
    const char *s = "x y+z&=%\"'\t\xe2\x82\xac~";
    const char *e = mai_form_encode(p, s);

    assert_string_equal(mai_form_decode(p, e, strlen(e)), s);
}

static void get(apr_pool_t *p, const char *data, const char *name,
                const char *want, int want_count)
{
    const char *v = "unset";
    int n = -1;

    mai_form_get(p, data, data ? strlen(data) : 0, name, &v, &n);
    assert_int_equal(n, want_count);
    if (want) {
        assert_non_null(v);
        assert_string_equal(v, want);
    } else {
        assert_null(v);
    }
}

static void test_get(void **state)
{
    apr_pool_t *p = *state;

    get(p, "a=1&b=2", "b", "2", 1);
    get(p, "a=1&b=2", "a", "1", 1);
    get(p, "a=1&b=2", "c", NULL, 0);
    get(p, "", "a", NULL, 0);
    get(p, NULL, "a", NULL, 0);
    get(p, "a=1&a=2", "a", "1", 2);
    get(p, "a=x+y%21", "a", "x y!", 1);
    get(p, "a=", "a", "", 1);
    get(p, "a", "a", "", 1);
    get(p, "&&a=1&&", "a", "1", 1);
    get(p, "ab=1&a=2", "a", "2", 1);
    get(p, "xa=1&a=2", "a", "2", 1);
    get(p, "a=1=2", "a", "1=2", 1);
    get(p, "a=%zz", "a", NULL, 1);
    /* an encoded name is the same field, so it counts as a repeat */
    get(p, "access_token=x&access%5Ftoken=y", "access_token", "x", 2);
    get(p, "a%zz=1&a=2", "a", "2", 1);
}

static void test_get_len_bounds(void **state)
{
    apr_pool_t *p = *state;
    const char *v;
    int n;

    /* the data is not NUL-terminated where len ends */
    mai_form_get(p, "a=12&b=3", 3, "a", &v, &n);
    assert_int_equal(n, 1);
    assert_string_equal(v, "1");
    mai_form_get(p, "a=12&b=3", 4, "b", &v, &n);
    assert_int_equal(n, 0);
    assert_null(v);
}

static void test_basic_auth(void **state)
{
    apr_pool_t *p = *state;

    /* base64("client:secret") */
    assert_string_equal(mai_form_basic_auth(p, "", "client", "secret"),
                        "Basic Y2xpZW50OnNlY3JldA==");
    /* the whole header field in one piece, as the endpoint call sends it */
    assert_string_equal(mai_form_basic_auth(p, "Authorization: ", "client",
                                            "secret"),
                        "Authorization: Basic Y2xpZW50OnNlY3JldA==");
    /* RFC 6749 2.3.1: both parts form-encoded first, so a ':' in the id
     * cannot move the split: base64("a%3Ab:c+d") */
    assert_string_equal(mai_form_basic_auth(p, "", "a:b", "c d"),
                        "Basic YSUzQWI6Yytk");
    assert_string_equal(mai_form_basic_auth(p, "", "", ""), "Basic Og==");
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_encode),
    UNIT_TEST(test_decode),
    UNIT_TEST(test_roundtrip),
    UNIT_TEST(test_get),
    UNIT_TEST(test_get_len_bounds),
    UNIT_TEST(test_basic_auth),
};
UNIT_MAIN(tests)
