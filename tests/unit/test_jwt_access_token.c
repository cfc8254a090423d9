/* SPDX-License-Identifier: Apache-2.0 */
/* test_jwt_access_token.c: RFC 9068's key-free checks: the shape test
 * that keeps opaque tokens away from decoding, typ, the claims made into
 * an introspection answer (and what a cache hit parses back), exp, and
 * when AuthIntrospectLocalJWTIntrospectAfter sends a token on. */
#include "unit.h"
#include "jwt_access_token.h"

#define NOW 1700000000

static const mai_result_t *claims(apr_pool_t *p, const char *json,
                                  mai_status_t want)
{
    const mai_result_t *res = NULL;

    assert_int_equal(mai_jwt_claims_parse(p, json, strlen(json), &res),
                     want);
    if (want == MAI_OK) {
        assert_non_null(res);
    }
    else {
        assert_null(res);
    }
    return res;
}

static void test_mode(void **state)
{
    mai_ljwt_mode_t m = MAI_LJWT_ON;
    (void)state;
    assert_null(mai_jwt_mode_parse("Off", &m));
    assert_int_equal(m, MAI_LJWT_OFF);
    assert_null(mai_jwt_mode_parse("on", &m));
    assert_int_equal(m, MAI_LJWT_ON);
    assert_null(mai_jwt_mode_parse("ONLY", &m));
    assert_int_equal(m, MAI_LJWT_ONLY);
    assert_non_null(mai_jwt_mode_parse("yes", &m));
    assert_non_null(mai_jwt_mode_parse("", &m));
}

static int shape(const char *t)
{
    return mai_jwt_shape(t, strlen(t));
}

static void test_shape(void **state)
{
    (void)state;
    assert_true(shape("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"));
    assert_true(shape("eyJ.e30.A-_z"));
    /* opaque tokens of the usual servers */
    assert_false(shape("2YotnFZFEjr1zCsicMWpAA"));
    assert_false(shape("ory_at_abc.def"));
    assert_false(shape("gho_16C7e42F292c6912E7710c838347Ae178B4a"));
    /* two parts, four parts (a JWE has five), empty parts */
    assert_false(shape("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0"));
    assert_false(shape("eyJ.e30.c2ln.eA"));
    assert_false(shape("eyJ.e30.c2ln.eA.eA"));
    assert_false(shape("eyJ..c2ln"));
    assert_false(shape("eyJ.e30."));       /* alg none's empty signature */
    /* a header not opening '{"' */
    assert_false(shape("e30.e30.c2ln"));
    assert_false(shape("EYJ.e30.c2ln"));
    assert_false(shape("eyJ"));
    assert_false(shape(""));
}

static void test_typ(void **state)
{
    (void)state;
    assert_int_equal(mai_jwt_typ_check("at+jwt", 0), MAI_OK);
    assert_int_equal(mai_jwt_typ_check("AT+JWT", 0), MAI_OK);
    assert_int_equal(mai_jwt_typ_check("application/at+jwt", 0), MAI_OK);
    assert_int_equal(mai_jwt_typ_check("Application/AT+JWT", 1), MAI_OK);
    /* strict: what servers before RFC 9068 send is refused */
    assert_int_equal(mai_jwt_typ_check(NULL, 0), MAI_STATUS_JWT_TYPE);
    assert_int_equal(mai_jwt_typ_check("JWT", 0), MAI_STATUS_JWT_TYPE);
    /* lenient: absent and JWT pass */
    assert_int_equal(mai_jwt_typ_check(NULL, 1), MAI_OK);
    assert_int_equal(mai_jwt_typ_check("jwt", 1), MAI_OK);
    /* other kinds of token, either way */
    assert_int_equal(mai_jwt_typ_check("dpop+jwt", 1), MAI_STATUS_JWT_TYPE);
    assert_int_equal(mai_jwt_typ_check("logout+jwt", 1),
                     MAI_STATUS_JWT_TYPE);
    assert_int_equal(mai_jwt_typ_check("at+jwt ", 0), MAI_STATUS_JWT_TYPE);
    assert_int_equal(mai_jwt_typ_check("", 1), MAI_STATUS_JWT_TYPE);
}

/* The answer introspection would give, and its cached text parses back
 * to the same result (what an L2 hit does). */
static void test_claims_answer(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *res, *again = NULL;

    res = claims(p, " {\"iss\":\"https://as\",\"sub\":\"alice\","
                 "\"aud\":[\"https://api\",\"x\"],\"exp\":1700000600,"
                 "\"iat\":1700000000,\"scope\":\"read write\","
                 "\"client_id\":\"app\"} ", MAI_OK);
    assert_true(res->active);
    assert_string_equal(res->iss, "https://as");
    assert_string_equal(res->client_id, "app");
    assert_true(res->has_exp);
    assert_int_equal(res->exp, 1700000600);
    assert_int_equal(res->nscopes, 2);
    assert_string_equal(res->scopes[1], "write");
    assert_int_equal(res->nauds, 2);
    assert_string_equal(res->claims[0].name, "active");
    assert_int_equal(strncmp(res->json, "{\"active\":true,\"iss\"", 20), 0);
    assert_int_equal(mai_result_parse(p, res->json, strlen(res->json),
                                      &again), MAI_OK);
    assert_string_equal(again->json, res->json);
    assert_true(again->active);
    /* the same rules as any answer */
    assert_int_equal(mai_result_check(res, NOW, 30, "https://as", NULL),
                     MAI_OK);
    assert_int_equal(mai_result_check(res, NOW, 30, "https://other", NULL),
                     MAI_STATUS_WRONG_ISSUER);
    assert_int_equal(mai_result_check(res, 1700000700, 30, "https://as",
                                      NULL), MAI_STATUS_EXPIRED);
    /* an empty object takes no comma */
    res = claims(p, "{ }", MAI_OK);
    assert_string_equal(res->json, "{\"active\":true}");
    assert_int_equal(res->nclaims, 1);
}

static void test_claims_refused(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *res = (const mai_result_t *)1;

    /* a token saying active itself: a repeated member, whatever value */
    claims(p, "{\"active\":false,\"exp\":1}", MAI_STATUS_JWT_CLAIMS);
    claims(p, "{\"active\":true}", MAI_STATUS_JWT_CLAIMS);
    /* not an object; the parser's refusals become the token's */
    claims(p, "[1]", MAI_STATUS_JWT_CLAIMS);
    claims(p, "", MAI_STATUS_JWT_CLAIMS);
    claims(p, "   ", MAI_STATUS_JWT_CLAIMS);
    claims(p, "{\"exp\":\"soon\"}", MAI_STATUS_JWT_CLAIMS);
    claims(p, "{\"exp\":1.5}", MAI_STATUS_JWT_CLAIMS);
    claims(p, "{\"iss\":1}", MAI_STATUS_JWT_CLAIMS);
    claims(p, "{\"aud\":[1]}", MAI_STATUS_JWT_CLAIMS);
    claims(p, "{\"sub\":\"a\",\"sub\":\"b\"}", MAI_STATUS_JWT_CLAIMS);
    claims(p, "{\"sub\":\"a\"} x", MAI_STATUS_JWT_CLAIMS);
    claims(p, "{\"sub\":\"a\"", MAI_STATUS_JWT_CLAIMS);
    claims(p, "{\"sub\":\"a\\u0000b\"}", MAI_STATUS_JWT_CLAIMS);
    assert_int_equal(mai_jwt_claims_parse(p, NULL, 0, &res),
                     MAI_STATUS_JWT_CLAIMS);
    assert_null(res);
}

/* scp as the scope Require oauth-scope reads, and kept when cached. */
static void test_scp(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *res, *again = NULL;

    res = claims(p, "{\"scp\":\"User.Read Mail.Send\"}", MAI_OK);
    assert_int_equal(res->nscopes, 2);
    assert_string_equal(res->scopes[0], "User.Read");
    assert_non_null(mai_result_claim(res, "scp"));
    assert_int_equal(mai_result_parse(p, res->json, strlen(res->json),
                                      &again), MAI_OK);
    assert_int_equal(again->nscopes, 2);
    res = claims(p, "{\"scp\":[\"openid\",\"a\\\"b\"]}", MAI_OK);
    assert_int_equal(res->nscopes, 2);
    assert_string_equal(res->scopes[1], "a\"b");
    /* "scope" wins over scp */
    res = claims(p, "{\"scope\":\"read\",\"scp\":[\"admin\"]}", MAI_OK);
    assert_int_equal(res->nscopes, 1);
    assert_string_equal(res->scopes[0], "read");
    /* an scp that is not words maps to nothing */
    res = claims(p, "{\"scp\":{\"a\":1}}", MAI_OK);
    assert_int_equal(res->nscopes, 0);
    res = claims(p, "{\"scp\":[[\"a\"]]}", MAI_OK);
    assert_int_equal(res->nscopes, 0);
}

static void test_exp_required(void **state)
{
    apr_pool_t *p = *state;

    assert_int_equal(mai_jwt_claims_check(claims(p, "{\"exp\":5}", MAI_OK)),
                     MAI_OK);
    assert_int_equal(mai_jwt_claims_check(claims(p, "{\"iat\":5}", MAI_OK)),
                     MAI_STATUS_JWT_NO_EXP);
}

static void test_introspect_due(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *young = claims(p, "{\"iat\":1699999990}", MAI_OK);
    const mai_result_t *no_iat = claims(p, "{\"exp\":1}", MAI_OK);
    const mai_result_t *str_iat = claims(p, "{\"iat2\":1}", MAI_OK);
    const mai_result_t *low = claims(p, "{\"iat\":-9223372036854775807}",
                                     MAI_OK);

    assert_false(mai_jwt_introspect_due(young, NOW, 0));
    assert_false(mai_jwt_introspect_due(young, NOW, 11));
    assert_true(mai_jwt_introspect_due(young, NOW, 10));
    assert_true(mai_jwt_introspect_due(young, NOW, 1));
    /* nothing says it is young */
    assert_true(mai_jwt_introspect_due(no_iat, NOW, 60));
    assert_true(mai_jwt_introspect_due(str_iat, NOW, 60));
    assert_false(mai_jwt_introspect_due(no_iat, NOW, 0));
    assert_true(mai_jwt_introspect_due(low, NOW, 60));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mode),
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_typ),
        cmocka_unit_test_setup_teardown(test_claims_answer, unit_pool_setup,
                                        unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_claims_refused, unit_pool_setup,
                                        unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_scp, unit_pool_setup,
                                        unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_exp_required, unit_pool_setup,
                                        unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_introspect_due, unit_pool_setup,
                                        unit_pool_teardown),
    };
    apr_initialize();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
