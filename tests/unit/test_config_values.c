/* SPDX-License-Identifier: Apache-2.0 */
/* test_config_values.c: the directive argument parsers take exactly the
 * documented forms and reject everything else, leaving outputs alone. */
#include <limits.h>
#include "unit.h"
#include "config_values.h"

static void interval_ok(const char *arg, apr_interval_time_t want)
{
    apr_interval_time_t t = -7;
    const char *err = mai_cv_interval(arg, &t);

    if (err) {
        fail_msg("rejected \"%s\": %s", arg, err);
    }
    assert_int_equal(t, want);
}

static void interval_bad(const char *arg)
{
    apr_interval_time_t t = -7;
    const char *err = mai_cv_interval(arg, &t);

    if (!err) {
        fail_msg("accepted \"%s\" as %" APR_INT64_T_FMT, arg, (apr_int64_t)t);
    }
    assert_true(strlen(err) > 0);
}

static void test_interval_valid(void **state)
{
    interval_ok("5", apr_time_from_sec(5));
    interval_ok("0.5", 500000);
    interval_ok("1.25", 1250000);
    interval_ok("3600", apr_time_from_sec(3600));
    interval_ok("3600.000000", apr_time_from_sec(3600));
    interval_ok("0.000001", 1);
    interval_ok(".5", 500000);
    interval_ok("5.", apr_time_from_sec(5));
    interval_ok("007", apr_time_from_sec(7));
    /* digits past microseconds are dropped, not rounded */
    interval_ok("1.2345679", 1234567);
    interval_ok("3600.0000009", apr_time_from_sec(3600));
}

static void test_interval_range(void **state)
{
    interval_bad("0");
    interval_bad("0.0");
    interval_bad("000");
    /* below one microsecond truncates to zero, which is not > 0 */
    interval_bad("0.0000009");
    interval_bad("3600.000001");
    interval_bad("3600.5");
    interval_bad("3601");
    interval_bad("36000");
    /* far too many digits fails cleanly instead of overflowing */
    interval_bad("99999999999999999999999999999999");
    interval_bad("18446744073709551617");
}

static void test_interval_syntax(void **state)
{
    interval_bad("");
    interval_bad(".");
    interval_bad("abc");
    interval_bad("1e3");
    interval_bad("-1");
    interval_bad("-0.5");
    interval_bad("+1");
    interval_bad(" 5");
    interval_bad("5 ");
    interval_bad("5s");
    interval_bad("1.5.2");
    interval_bad("1,5");
    interval_bad("0x10");
    interval_bad("..5");
    interval_bad("5\n");
}

typedef const char *(*whole_fn)(const char *arg, int max, int *out);

static void whole_ok(whole_fn parse, const char *arg, int max, int want)
{
    int v = -7;
    const char *err = parse(arg, max, &v);

    if (err) {
        fail_msg("rejected \"%s\" (max %d): %s", arg, max, err);
    }
    assert_int_equal(v, want);
}

static const char *whole_bad(whole_fn parse, const char *arg, int max)
{
    int v = -7;
    const char *err = parse(arg, max, &v);

    if (!err) {
        fail_msg("accepted \"%s\" (max %d) as %d", arg, max, v);
    }
    assert_true(strlen(err) > 0);
    /* config.c hands its own field as the output: a rejected value must
     * not leave a half-parsed number behind */
    assert_int_equal(v, -7);
    return err;
}

/* Seconds and counts share one syntax: digits only, 0 to max. */
static void check_whole_numbers(whole_fn parse)
{
    whole_ok(parse, "0", 10, 0);
    whole_ok(parse, "000", 10, 0);
    whole_ok(parse, "7", 10, 7);
    whole_ok(parse, "10", 10, 10);
    whole_ok(parse, "0", 0, 0);
    whole_ok(parse, "31536000", 365 * 24 * 3600, 31536000);
    whole_ok(parse, "2147483647", INT_MAX, INT_MAX);
    whole_bad(parse, "11", 10);
    whole_bad(parse, "100", 10);
    whole_bad(parse, "1", 0);
    whole_bad(parse, "31536001", 365 * 24 * 3600);
    whole_bad(parse, "2147483648", INT_MAX);
    whole_bad(parse, "99999999999999999999999999999999", INT_MAX);
    whole_bad(parse, "", 10);
    whole_bad(parse, "-1", 10);
    whole_bad(parse, "+1", 10);
    whole_bad(parse, "1.0", 10);
    whole_bad(parse, "1.5", 10);
    whole_bad(parse, " 1", 10);
    whole_bad(parse, "1 ", 10);
    whole_bad(parse, "1s", 10);
    whole_bad(parse, "abc", 10);
    whole_bad(parse, "1e1", 10);
    whole_bad(parse, "0x1", 10);
}

static void test_seconds(void **state)
{
    check_whole_numbers(mai_cv_seconds);
    assert_non_null(strstr(whole_bad(mai_cv_seconds, "x", 10), "seconds"));
}

/* A count's error does not call it seconds. */
static void test_count(void **state)
{
    check_whole_numbers(mai_cv_count);
    assert_null(strstr(whole_bad(mai_cv_count, "x", 10), "seconds"));
    assert_null(strstr(whole_bad(mai_cv_count, "11", 10), "seconds"));
}

static void auth_ok(const char *arg, mai_client_auth_t want)
{
    mai_client_auth_t a = (mai_client_auth_t)0;
    const char *err = mai_cv_client_auth(arg, &a);

    if (err) {
        fail_msg("rejected \"%s\": %s", arg, err);
    }
    assert_int_equal(a, want);
}

static void auth_bad(const char *arg)
{
    mai_client_auth_t a = (mai_client_auth_t)0;
    const char *err = mai_cv_client_auth(arg, &a);

    if (!err) {
        fail_msg("accepted \"%s\"", arg);
    }
    assert_true(strlen(err) > 0);
    assert_int_equal(a, 0);
}

static void test_client_auth(void **state)
{
    auth_ok("client_secret_basic", MAI_AUTH_BASIC);
    auth_ok("client_secret_post", MAI_AUTH_POST);
    auth_ok("none", MAI_AUTH_NONE);
    auth_ok("CLIENT_SECRET_BASIC", MAI_AUTH_BASIC);
    auth_ok("Client_Secret_Post", MAI_AUTH_POST);
    auth_ok("NoNe", MAI_AUTH_NONE);
    auth_ok("tls_client_auth", MAI_AUTH_TLS);
    auth_ok("Self_Signed_TLS_Client_Auth", MAI_AUTH_SELF_SIGNED_TLS);
    assert_string_equal(mai_cv_client_auth_name(MAI_AUTH_TLS),
                        "tls_client_auth");
    assert_string_equal(mai_cv_client_auth_name(MAI_AUTH_SELF_SIGNED_TLS),
                        "self_signed_tls_client_auth");
    assert_true(MAI_AUTH_IS_TLS(MAI_AUTH_TLS));
    assert_false(MAI_AUTH_IS_TLS(MAI_AUTH_NONE));
    auth_bad("");
    auth_bad("basic");
    auth_bad("post");
    auth_ok("client_secret_jwt", MAI_AUTH_SECRET_JWT);
    auth_ok("Private_Key_JWT", MAI_AUTH_PRIVATE_KEY_JWT);
    assert_string_equal(mai_cv_client_auth_name(MAI_AUTH_SECRET_JWT),
                        "client_secret_jwt");
    assert_string_equal(mai_cv_client_auth_name(MAI_AUTH_PRIVATE_KEY_JWT),
                        "private_key_jwt");
    auth_bad("client_secret_jwt ");
    auth_bad("private_key");
    auth_bad("client_secret_basic ");
    auth_bad(" none");
    auth_bad("client_secret_basicx");
    auth_bad("client-secret-basic");
    auth_bad("nonex");
    auth_bad("tls_client_auth_");
    auth_bad("tls");
}

static void test_assertion_aud(void **state)
{
    mai_assertion_aud_t a = (mai_assertion_aud_t)0;

    assert_null(mai_cv_assertion_aud("issuer", &a));
    assert_int_equal(a, MAI_ASSERT_AUD_ISSUER);
    assert_null(mai_cv_assertion_aud("Endpoint", &a));
    assert_int_equal(a, MAI_ASSERT_AUD_ENDPOINT);
    assert_null(mai_cv_assertion_aud("BOTH", &a));
    assert_int_equal(a, MAI_ASSERT_AUD_BOTH);
    assert_non_null(mai_cv_assertion_aud("token", &a));
    assert_non_null(mai_cv_assertion_aud("", &a));
    assert_int_equal(a, MAI_ASSERT_AUD_BOTH);
}

static void test_token_source_words(void **state)
{
    apr_pool_t *p = *state;
    int s = 0;
    const char *cookie = NULL;

    assert_null(mai_cv_token_source(p, "header", &s, &cookie));
    assert_int_equal(s, MAI_SRC_HEADER);
    assert_null(mai_cv_token_source(p, "query", &s, &cookie));
    assert_int_equal(s, MAI_SRC_HEADER | MAI_SRC_QUERY);
    assert_null(mai_cv_token_source(p, "form", &s, &cookie));
    assert_int_equal(s, MAI_SRC_HEADER | MAI_SRC_QUERY | MAI_SRC_FORM);
    assert_null(cookie);
    /* a word given twice is harmless */
    assert_null(mai_cv_token_source(p, "query", &s, &cookie));
    assert_int_equal(s, MAI_SRC_HEADER | MAI_SRC_QUERY | MAI_SRC_FORM);

    s = 0;
    assert_null(mai_cv_token_source(p, "HEADER", &s, &cookie));
    assert_null(mai_cv_token_source(p, "Query", &s, &cookie));
    assert_null(mai_cv_token_source(p, "fOrM", &s, &cookie));
    assert_int_equal(s, MAI_SRC_HEADER | MAI_SRC_QUERY | MAI_SRC_FORM);
    assert_null(cookie);
}

static void test_token_source_cookie(void **state)
{
    apr_pool_t *p = *state;
    int s = MAI_SRC_QUERY;
    const char *cookie = NULL;
    char name[] = "access_token";
    char arg[] = "cookie:sess";

    assert_null(mai_cv_token_source(p, "cookie:access_token", &s, &cookie));
    assert_int_equal(s, MAI_SRC_QUERY | MAI_SRC_COOKIE);
    assert_string_equal(cookie, name);

    /* the prefix is case-insensitive, the name keeps its case, and the
     * name is a copy, not a pointer into the caller's argument */
    s = 0;
    cookie = NULL;
    arg[0] = 'C';
    arg[1] = 'O';
    arg[7] = 'S';
    assert_null(mai_cv_token_source(p, arg, &s, &cookie));
    assert_int_equal(s, MAI_SRC_COOKIE);
    assert_string_equal(cookie, "Sess");
    assert_ptr_not_equal(cookie, arg + 7);
    arg[7] = 'X';
    assert_string_equal(cookie, "Sess");

    /* every RFC 6265 token character is allowed */
    s = 0;
    assert_null(mai_cv_token_source(p, "cookie:__Host-a!#$%&'*+-.^_`|~9",
                                    &s, &cookie));
    assert_string_equal(cookie, "__Host-a!#$%&'*+-.^_`|~9");
}

static void source_bad(apr_pool_t *p, const char *arg)
{
    int s = MAI_SRC_FORM;
    const char *cookie = "keep";
    const char *err = mai_cv_token_source(p, arg, &s, &cookie);

    if (!err) {
        fail_msg("accepted \"%s\"", arg);
    }
    assert_true(strlen(err) > 0);
    assert_int_equal(s, MAI_SRC_FORM);
    assert_string_equal(cookie, "keep");
}

static void test_token_source_bad(void **state)
{
    apr_pool_t *p = *state;
    int s = 0;
    const char *cookie = NULL;
    const char *err;

    source_bad(p, "");
    source_bad(p, "headers");
    source_bad(p, "bearer");
    source_bad(p, "body");
    source_bad(p, "header ");
    source_bad(p, "header,query");
    source_bad(p, "cookie");
    source_bad(p, "cookie:");
    source_bad(p, "cookie=name");
    source_bad(p, "cookies:name");
    source_bad(p, "cookie:a;b");
    source_bad(p, "cookie:a=b");
    source_bad(p, "cookie:a b");
    source_bad(p, "cookie:a\tb");
    source_bad(p, "cookie:a,b");
    source_bad(p, "cookie:a:b");
    source_bad(p, "cookie:\"a\"");
    source_bad(p, "cookie:a/b");
    source_bad(p, "cookie:a\\b");
    source_bad(p, "cookie:(a)");
    source_bad(p, "cookie:a@b");
    source_bad(p, "cookie:[a]");
    source_bad(p, "cookie:{a}");
    source_bad(p, "cookie:a?");
    source_bad(p, "cookie:<a>");
    source_bad(p, "cookie:a\x7f");
    source_bad(p, "cookie:a\r\nSet-Cookie");
    source_bad(p, "cookie:caf\xc3\xa9");

    /* one cookie source per list: a second one is an error, not a
     * silent replacement, and the first stays */
    assert_null(mai_cv_token_source(p, "cookie:one", &s, &cookie));
    err = mai_cv_token_source(p, "cookie:two", &s, &cookie);
    assert_non_null(err);
    assert_int_equal(s, MAI_SRC_COOKIE);
    assert_string_equal(cookie, "one");
    assert_non_null(mai_cv_token_source(p, "cookie:one", &s, &cookie));
    assert_string_equal(cookie, "one");
}

static void claim_ok(const char *arg)
{
    const char *err = mai_cv_claim_name(arg);

    if (err) {
        fail_msg("rejected \"%s\": %s", arg, err);
    }
}

static void claim_bad(const char *arg)
{
    const char *err = mai_cv_claim_name(arg);

    if (!err) {
        fail_msg("accepted a claim name with %u bytes",
                 (unsigned)strlen(arg));
    }
    assert_true(strlen(err) > 0);
}

static void test_claim_name(void **state)
{
    claim_ok("sub");
    claim_ok("client_id");
    claim_ok("preferred_username");
    claim_ok("https://example.com/claims/user");
    claim_ok("x");
    claim_ok("name with spaces");
    claim_ok("r\xc3\xb4le");
    claim_ok("~!@#$%^&*()");
    claim_bad("");
    claim_bad("a\tb");
    claim_bad("a\nb");
    claim_bad("a\rb");
    claim_bad("\x01");
    claim_bad("sub\x1f");
    claim_bad("sub\x7f");
    claim_bad("\x1b[31m");
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_interval_valid),
    UNIT_TEST(test_interval_range),
    UNIT_TEST(test_interval_syntax),
    UNIT_TEST(test_seconds),
    UNIT_TEST(test_count),
    UNIT_TEST(test_client_auth),
    UNIT_TEST(test_assertion_aud),
    UNIT_TEST(test_token_source_words),
    UNIT_TEST(test_token_source_cookie),
    UNIT_TEST(test_token_source_bad),
    UNIT_TEST(test_claim_name),
};
UNIT_MAIN(tests)
