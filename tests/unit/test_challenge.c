/* SPDX-License-Identifier: Apache-2.0 */
/* test_challenge.c: the exact WWW-Authenticate strings we send. */
#include "unit.h"
#include "challenge.h"

static void test_attributes(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(mai_challenge(p, "api", NULL, NULL),
                        "Bearer realm=\"api\"");
    assert_string_equal(mai_challenge(p, "api", "invalid_token", NULL),
                        "Bearer realm=\"api\", error=\"invalid_token\"");
    assert_string_equal(
        mai_challenge(p, "api", "insufficient_scope", "read write"),
        "Bearer realm=\"api\", error=\"insufficient_scope\", "
        "scope=\"read write\"");
    assert_string_equal(mai_challenge(p, "api", NULL, "read"),
                        "Bearer realm=\"api\", scope=\"read\"");
}

static void test_no_realm(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(mai_challenge(p, NULL, NULL, NULL), "Bearer");
    assert_string_equal(mai_challenge(p, NULL, "invalid_request", NULL),
                        "Bearer error=\"invalid_request\"");
    assert_string_equal(mai_challenge(p, NULL, NULL, "a"),
                        "Bearer scope=\"a\"");
    assert_string_equal(mai_challenge(p, NULL, "insufficient_scope", "a b"),
                        "Bearer error=\"insufficient_scope\", scope=\"a b\"");
    /* an empty realm is still a realm */
    assert_string_equal(mai_challenge(p, "", NULL, NULL), "Bearer realm=\"\"");
}

static void test_escaping(void **state)
{
    apr_pool_t *p = *state;

    /* the realm comes from httpd already escaped (AuthName "a\"b" gives
     * a\"b): kept as is, not escaped twice */
    assert_string_equal(mai_challenge(p, "a\\\"b", NULL, NULL),
                        "Bearer realm=\"a\\\"b\"");
    /* scope and error values are escaped here */
    assert_string_equal(mai_challenge(p, NULL, NULL, "a\"b\\c"),
                        "Bearer scope=\"a\\\"b\\\\c\"");
    /* a CR LF in a configured realm must not split the response header */
    assert_string_equal(mai_challenge(p, "api\r\nSet-Cookie: x=1", NULL, NULL),
                        "Bearer realm=\"apiSet-Cookie: x=1\"");
    assert_string_equal(mai_challenge(p, "\t\x01r\x7f", "e\n", "s\"\r"),
                        "Bearer realm=\"r\", error=\"e\", scope=\"s\\\"\"");
    /* bytes above 0x7f are obs-text, allowed in a quoted-string */
    assert_string_equal(mai_challenge(p, "r\xc3\xa9", NULL, NULL),
                        "Bearer realm=\"r\xc3\xa9\"");
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_attributes),
    UNIT_TEST(test_no_realm),
    UNIT_TEST(test_escaping),
};
UNIT_MAIN(tests)
