/* SPDX-License-Identifier: Apache-2.0 */
/* test_signed_claims.c: the claims of an RFC 9701 signed answer: each
 * check refuses on its own, and the answer inside comes out whole. */
#include "unit.h"
#include "signed_claims.h"
#include "result.h"

#define NOW 1700000000

static mai_signed_expect_t expect(void)
{
    mai_signed_expect_t e;

    e.issuer = "https://as";
    e.audience = "rs";
    e.now = NOW;
    e.skew = 30;
    e.max_age = MAI_SIGNED_MAX_AGE;
    return e;
}

static mai_status_t run(apr_pool_t *p, const char *payload,
                        mai_sc_check_t *which, const char **answer)
{
    mai_signed_expect_t e = expect();
    apr_size_t len;
    const char *why;

    return mai_signed_claims(p, payload, strlen(payload), &e, answer, &len,
                             which, &why);
}

static void test_accepted(void **state)
{
    apr_pool_t *p = *state;
    mai_sc_check_t which;
    const char *answer;

    assert_int_equal(run(p, "{\"iss\":\"https://as\",\"aud\":\"rs\","
                         "\"iat\":1700000000,\"token_introspection\":"
                         "{\"active\":true,\"sub\":\"a\"}}", &which,
                         &answer), MAI_OK);
    assert_int_equal(which, MAI_SC_OK);
    assert_non_null(strstr(answer, "\"active\""));
    assert_non_null(strstr(answer, "\"sub\""));
    /* aud as an array; iat within the skew either way */
    assert_int_equal(run(p, "{\"iss\":\"https://as\",\"aud\":[\"x\",\"rs\"],"
                         "\"iat\":1700000029,\"token_introspection\":{}}",
                         &which, &answer), MAI_OK);
    assert_int_equal(run(p, "{\"iss\":\"https://as\",\"aud\":\"rs\","
                         "\"iat\":1699999910,\"token_introspection\":{}}",
                         &which, &answer), MAI_OK);
}

static void test_each_check(void **state)
{
    apr_pool_t *p = *state;
    static const struct {
        const char *payload;
        mai_sc_check_t which;
    } cases[] = {
        { "{\"aud\":\"rs\",\"iat\":1700000000,\"token_introspection\":{}}",
          MAI_SC_ISS },
        { "{\"iss\":\"https://evil\",\"aud\":\"rs\",\"iat\":1700000000,"
          "\"token_introspection\":{}}", MAI_SC_ISS },
        { "{\"iss\":\"https://as\",\"iat\":1700000000,"
          "\"token_introspection\":{}}", MAI_SC_AUD },
        { "{\"iss\":\"https://as\",\"aud\":[\"x\"],\"iat\":1700000000,"
          "\"token_introspection\":{}}", MAI_SC_AUD },
        { "{\"iss\":\"https://as\",\"aud\":\"rs\","
          "\"token_introspection\":{}}", MAI_SC_IAT },
        { "{\"iss\":\"https://as\",\"aud\":\"rs\",\"iat\":1700000031,"
          "\"token_introspection\":{}}", MAI_SC_IAT },
        { "{\"iss\":\"https://as\",\"aud\":\"rs\",\"iat\":1699999909,"
          "\"token_introspection\":{}}", MAI_SC_IAT },
        /* below int64 (the parse saturates at INT64_MIN): now - iat
         * overflowed and, wrapped, passed as fresh; fuzz_jose found it */
        { "{\"iss\":\"https://as\",\"aud\":\"rs\","
          "\"iat\":-17000000005555555555,\"token_introspection\":{}}",
          MAI_SC_IAT },
        { "{\"iss\":\"https://as\",\"aud\":\"rs\",\"iat\":1700000000}",
          MAI_SC_ANSWER },
        { "{\"iss\":\"https://as\",\"aud\":\"rs\",\"iat\":1700000000,"
          "\"token_introspection\":\"active\"}", MAI_SC_ANSWER },
        { "{\"iss\":\"https://as\",\"aud\":\"rs\",\"iat\":1700000000,"
          "\"token_introspection\":[{}]}", MAI_SC_ANSWER },
    };
    mai_sc_check_t which;
    const char *answer;
    apr_size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(run(p, cases[i].payload, &which, &answer),
                         MAI_STATUS_ENDPOINT_BAD_CLAIMS);
        assert_int_equal(which, cases[i].which);
        assert_null(answer);
    }
}

static void test_payload_rules(void **state)
{
    apr_pool_t *p = *state;
    mai_sc_check_t which;
    const char *answer;

    const mai_result_t *res;

    /* a repeated member inside the answer is left to the one parse of
     * the answer, which refuses it */
    assert_int_equal(run(p, "{\"iss\":\"https://as\",\"aud\":\"rs\","
                         "\"iat\":1700000000,\"token_introspection\":"
                         "{\"sub\":\"a\",\"sub\":\"b\"}}", &which, &answer),
                     MAI_OK);
    assert_int_equal(mai_result_parse(p, answer, strlen(answer), &res),
                     MAI_STATUS_ENDPOINT_DUPLICATE_MEMBER);
    /* one outside the answer, at any depth, is refused here */
    assert_int_equal(run(p, "{\"iss\":\"https://as\",\"aud\":\"rs\","
                         "\"x\":{\"a\":1,\"\\u0061\":2},"
                         "\"iat\":1700000000,\"token_introspection\":{}}",
                         &which, &answer),
                     MAI_STATUS_ENDPOINT_DUPLICATE_MEMBER);
    assert_int_equal(which, MAI_SC_PAYLOAD);
    /* and so is a second answer, however its name is spelled */
    assert_int_equal(run(p, "{\"iss\":\"https://as\",\"aud\":\"rs\","
                         "\"iat\":1700000000,\"token_introspection\":{},"
                         "\"token_introspection\":{\"active\":true}}",
                         &which, &answer),
                     MAI_STATUS_ENDPOINT_DUPLICATE_MEMBER);
    assert_int_equal(run(p, "{\"iss\":\"https://as\",\"aud\":\"rs\","
                         "\"iat\":1700000000,\"token_introspection\":{},"
                         "\"token\\u005fintrospection\":{\"active\":true}}",
                         &which, &answer),
                     MAI_STATUS_ENDPOINT_DUPLICATE_MEMBER);
    assert_int_equal(which, MAI_SC_PAYLOAD);
    /* trailing bytes after the payload's object */
    assert_int_equal(run(p, "{\"iss\":\"https://as\",\"aud\":\"rs\","
                         "\"iat\":1700000000,\"token_introspection\":{}} x",
                         &which, &answer), MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_int_equal(run(p, "not json", &which, &answer),
                     MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_int_equal(which, MAI_SC_PAYLOAD);
    /* an iat that is not an integer */
    assert_int_equal(run(p, "{\"iss\":\"https://as\",\"aud\":\"rs\","
                         "\"iat\":\"1700000000\",\"token_introspection\":{}}",
                         &which, &answer), MAI_STATUS_ENDPOINT_BAD_JSON);
}

/* The answer comes out as the server wrote it (one parse of it later,
 * by the caller), wherever it sits among the claims and whatever the
 * strings around it hold; a name that cannot be found in the raw text
 * (escaped) and deep nesting take the slow path: the whole payload
 * parsed, the answer as compact JSON. */
static void test_answer_bytes(void **state)
{
    apr_pool_t *p = *state;
    static const struct {
        const char *payload;
        const char *answer;
    } cases[] = {
        { "{\"iss\":\"https://as\",\"aud\":\"rs\",\"iat\":1700000000,"
          "\"token_introspection\": {\"active\" : true, \"sub\":\"a\\/b\","
          "\"o\":{\"p\":[1,{\"q\":\"}\"}]}}}",
          "{\"active\" : true, \"sub\":\"a\\/b\",\"o\":{\"p\":[1,"
          "{\"q\":\"}\"}]}}" },
        { " {\"token_introspection\":{\"active\":true},\"iss\":\"https://as\","
          "\"x\":\"\\\"token_introspection\\\":{\",\"aud\":[\"rs\"],"
          "\"iat\":1700000000} ",
          "{\"active\":true}" },
        { "{\"iss\":\"https://as\",\"aud\":\"rs\",\"iat\":1700000000,"
          "\"token\\u005fintrospection\": {\"active\" : true}}",
          "{\"active\":true}" },
        { "{\"iss\":\"https://as\",\"aud\":\"rs\",\"iat\":1700000000,"
          "\"token_introspection\": {\"a\" : [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}}",
          "{\"a\":[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}" },
    };
    mai_sc_check_t which;
    const char *answer;
    apr_size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(run(p, cases[i].payload, &which, &answer), MAI_OK);
        assert_string_equal(answer, cases[i].answer);
    }
}

static void test_nothing_configured(void **state)
{
    apr_pool_t *p = *state;
    mai_signed_expect_t e = expect();
    const char *payload = "{\"iss\":\"https://as\",\"aud\":\"rs\","
                          "\"iat\":1700000000,\"token_introspection\":{}}";
    mai_sc_check_t which;
    const char *answer, *why;
    apr_size_t len;

    e.issuer = NULL;
    assert_int_equal(mai_signed_claims(p, payload, strlen(payload), &e,
                                       &answer, &len, &which, &why),
                     MAI_STATUS_ENDPOINT_BAD_CLAIMS);
    assert_int_equal(which, MAI_SC_ISS);
    e = expect();
    e.audience = NULL;
    assert_int_equal(mai_signed_claims(p, payload, strlen(payload), &e,
                                       &answer, &len, &which, &why),
                     MAI_STATUS_ENDPOINT_BAD_CLAIMS);
    assert_int_equal(which, MAI_SC_AUD);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_accepted),
    UNIT_TEST(test_each_check),
    UNIT_TEST(test_payload_rules),
    UNIT_TEST(test_answer_bytes),
    UNIT_TEST(test_nothing_configured),
};
UNIT_MAIN(tests)
