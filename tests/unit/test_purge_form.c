/* SPDX-License-Identifier: Apache-2.0 */
/* test_purge_form.c: the purge request body: exactly one of token or
 * token_sha256, strictly checked; the content type. */
#include <string.h>
#include "unit.h"
#include "purge_form.h"

/* SHA-256("abc") */
#define ABC_HEX "ba7816bf8f01cfea414140de5dae2223" \
                "b00361a396177a9cb410ff61f20015ad"

static mai_status_t parse(apr_pool_t *p, const char *body,
                          unsigned char hash[MAI_DIGEST_LEN],
                          const char **why)
{
    *why = NULL;
    return mai_purge_form_parse(p, body, strlen(body), hash, why);
}

static void expect_bad(apr_pool_t *p, const char *body, const char *why_is)
{
    unsigned char h[MAI_DIGEST_LEN];
    const char *why;

    assert_int_equal(parse(p, body, h, &why), MAI_STATUS_MALFORMED);
    assert_non_null(why);
    assert_string_equal(why, why_is);
}

static void test_token(void **state)
{
    apr_pool_t *p = *state;
    unsigned char h[MAI_DIGEST_LEN], want[MAI_DIGEST_LEN];
    const char *why;

    mai_digest_sha256("abc", 3, want);
    assert_int_equal(parse(p, "token=abc", h, &why), MAI_OK);
    assert_memory_equal(h, want, MAI_DIGEST_LEN);
    /* percent-encoded and with other fields around it */
    assert_int_equal(parse(p, "x=1&token=%61bc&y", h, &why), MAI_OK);
    assert_memory_equal(h, want, MAI_DIGEST_LEN);
    /* b64token characters, decoded: '+' must arrive as %2B */
    mai_digest_sha256("a+b/c==", 7, want);
    assert_int_equal(parse(p, "token=a%2Bb%2Fc%3D%3D", h, &why), MAI_OK);
    assert_memory_equal(h, want, MAI_DIGEST_LEN);
}

static void test_hash(void **state)
{
    apr_pool_t *p = *state;
    unsigned char h[MAI_DIGEST_LEN], want[MAI_DIGEST_LEN];
    const char *why;
    char upper[] = "token_sha256=" ABC_HEX;
    int i;

    mai_digest_sha256("abc", 3, want);
    assert_int_equal(parse(p, "token_sha256=" ABC_HEX, h, &why), MAI_OK);
    assert_memory_equal(h, want, MAI_DIGEST_LEN);
    for (i = 13; upper[i]; i++) {
        if (upper[i] >= 'a' && upper[i] <= 'f') {
            upper[i] = (char)(upper[i] - 'a' + 'A');
        }
    }
    memset(h, 0, sizeof(h));
    assert_int_equal(parse(p, upper, h, &why), MAI_OK);
    assert_memory_equal(h, want, MAI_DIGEST_LEN);
}

static void test_field_count(void **state)
{
    apr_pool_t *p = *state;

    expect_bad(p, "", "needs token or token_sha256");
    expect_bad(p, "tokens=abc&sha256=" ABC_HEX, "needs token or token_sha256");
    expect_bad(p, "token=abc&token_sha256=" ABC_HEX,
               "more than one of token and token_sha256");
    expect_bad(p, "token=abc&token=abd",
               "more than one of token and token_sha256");
    expect_bad(p, "token_sha256=" ABC_HEX "&token%5Fsha256=" ABC_HEX,
               "more than one of token and token_sha256");
}

static void test_bad_values(void **state)
{
    apr_pool_t *p = *state;
    const char *hexerr = "token_sha256 must be 64 hex digits";
    const char *tokerr = "token is not a valid bearer token";

    expect_bad(p, "token_sha256=", hexerr);
    expect_bad(p, "token_sha256=" ABC_HEX "0", hexerr);
    expect_bad(p, "token_sha256=" "a7816bf8f01cfea414140de5dae2223"
               "b00361a396177a9cb410ff61f20015ad", hexerr);
    expect_bad(p, "token_sha256=" "ga7816bf8f01cfea414140de5dae2223"
               "b00361a396177a9cb410ff61f20015ad", hexerr);
    expect_bad(p, "token_sha256=%zz", hexerr);
    expect_bad(p, "token_sha256=+" "a7816bf8f01cfea414140de5dae2223"
               "b00361a396177a9cb410ff61f20015ad", hexerr);
    expect_bad(p, "token=", tokerr);
    expect_bad(p, "token", tokerr);
    expect_bad(p, "token=a+b", tokerr);        /* a space */
    expect_bad(p, "token=a%00b", tokerr);
    expect_bad(p, "token=%zz", tokerr);
    expect_bad(p, "token==abc", tokerr);
}

static void test_sizes(void **state)
{
    apr_pool_t *p = *state;
    apr_size_t n = 6 + 4096;
    char *big = apr_palloc(p, MAI_PURGE_BODY_MAX + 2);
    unsigned char h[MAI_DIGEST_LEN];
    const char *why;

    /* the longest token parses; one byte more is not a token */
    memcpy(big, "token=", 6);
    memset(big + 6, 'a', 4096);
    assert_int_equal(mai_purge_form_parse(p, big, n, h, &why), MAI_OK);
    big[n] = 'a';
    assert_int_equal(mai_purge_form_parse(p, big, n + 1, h, &why),
                     MAI_STATUS_MALFORMED);
    /* past the body limit nothing is looked at */
    memset(big + 6, 'a', MAI_PURGE_BODY_MAX + 1 - 6);
    why = NULL;
    assert_int_equal(mai_purge_form_parse(p, big, MAI_PURGE_BODY_MAX + 1, h,
                                          &why), MAI_STATUS_MALFORMED);
    assert_string_equal(why, "body too large");
}

static void test_type(void **state)
{
    assert_true(mai_purge_form_type_ok("application/x-www-form-urlencoded"));
    assert_true(mai_purge_form_type_ok("Application/X-WWW-Form-URLencoded"));
    assert_true(mai_purge_form_type_ok(
        "application/x-www-form-urlencoded; charset=UTF-8"));
    assert_true(mai_purge_form_type_ok(
        " application/x-www-form-urlencoded ;charset=utf-8"));
    assert_false(mai_purge_form_type_ok(NULL));
    assert_false(mai_purge_form_type_ok(""));
    assert_false(mai_purge_form_type_ok("application/json"));
    assert_false(mai_purge_form_type_ok("multipart/form-data; boundary=x"));
    assert_false(mai_purge_form_type_ok(
        "application/x-www-form-urlencodedx"));
    assert_false(mai_purge_form_type_ok("application/x-www-form"));
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_token),
    UNIT_TEST(test_hash),
    UNIT_TEST(test_field_count),
    UNIT_TEST(test_bad_values),
    UNIT_TEST(test_sizes),
    UNIT_TEST(test_type),
};
UNIT_MAIN(tests)
