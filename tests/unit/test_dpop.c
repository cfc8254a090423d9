/* SPDX-License-Identifier: Apache-2.0 */
/* test_dpop.c: the pure DPoP checks (src/pure/dpop.c), the DPoP binding
 * rule of result.c, the DPoP challenges of deny_rules.c and the
 * AuthIntrospectDPoP merge of config.c. */
#include "unit.h"
#include <apr_strings.h>
#include "dpop.h"
#include "result.h"
#include "deny_rules.h"
#include "config.h"

static void test_mode(void **state)
{
    unsigned m = 0;

    assert_null(mai_dpop_parse_mode("off", &m));
    assert_int_equal(m, MAI_DPOP_SCHEME_BEARER);
    assert_null(mai_dpop_parse_mode("Allowed", &m));
    assert_int_equal(m, MAI_DPOP_SCHEME_BEARER | MAI_DPOP_SCHEME_DPOP);
    assert_null(mai_dpop_parse_mode("REQUIRED", &m));
    assert_int_equal(m, MAI_DPOP_SCHEME_DPOP);
    assert_non_null(mai_dpop_parse_mode("on", &m));
    assert_non_null(mai_dpop_parse_mode("", &m));
}

static void test_scheme(void **state)
{
    apr_pool_t *p = *state;
    const char *t;

    assert_int_equal(mai_dpop_token_from_authorization(p, "DPoP abc.def",
                                                       &t), MAI_OK);
    assert_string_equal(t, "abc.def");
    assert_int_equal(mai_dpop_token_from_authorization(p, "dpop  x ", &t),
                     MAI_OK);
    assert_string_equal(t, "x");
    assert_int_equal(mai_dpop_token_from_authorization(p, NULL, &t),
                     MAI_STATUS_NO_TOKEN);
    assert_int_equal(mai_dpop_token_from_authorization(p, "Bearer x", &t),
                     MAI_STATUS_OTHER_SCHEME);
    assert_int_equal(mai_dpop_token_from_authorization(p, "DPoPx y", &t),
                     MAI_STATUS_OTHER_SCHEME);
    assert_int_equal(mai_dpop_token_from_authorization(p, "DPoP", &t),
                     MAI_STATUS_MALFORMED);
    assert_int_equal(mai_dpop_token_from_authorization(p, "DPoP a, DPoP b",
                                                       &t),
                     MAI_STATUS_MALFORMED);
    assert_null(t);
}

static void test_proof_header(void **state)
{
    char big[MAI_DPOP_PROOF_MAX_LEN + 2];

    assert_int_equal(mai_dpop_proof_header("aa.bb.cc"), MAI_OK);
    assert_int_equal(mai_dpop_proof_header(NULL),
                     MAI_STATUS_DPOP_PROOF_MISSING);
    /* two DPoP headers reach a module joined by ", " */
    assert_int_equal(mai_dpop_proof_header("aa.bb.cc, dd.ee.ff"),
                     MAI_STATUS_DPOP_PROOF_MULTIPLE);
    assert_int_equal(mai_dpop_proof_header(""),
                     MAI_STATUS_DPOP_PROOF_MALFORMED);
    assert_int_equal(mai_dpop_proof_header("aa.b b.cc"),
                     MAI_STATUS_DPOP_PROOF_MALFORMED);
    assert_int_equal(mai_dpop_proof_header("aa.b+/.cc"),
                     MAI_STATUS_DPOP_PROOF_MALFORMED);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(mai_dpop_proof_header(big),
                     MAI_STATUS_DPOP_PROOF_MALFORMED);
    big[MAI_DPOP_PROOF_MAX_LEN] = '\0';
    assert_int_equal(mai_dpop_proof_header(big), MAI_OK);
    assert_true(mai_dpop_typ_ok("dpop+jwt"));
    assert_true(mai_dpop_typ_ok("DPoP+JWT"));
    assert_false(mai_dpop_typ_ok("JWT"));
    assert_false(mai_dpop_typ_ok(NULL));
}

#define CLAIMS(extra) \
    "{\"htm\":\"GET\",\"htu\":\"https://rs.example/r\",\"iat\":1000," \
    "\"jti\":\"j1\",\"ath\":\"x\"" extra "}"

static mai_status_t claims(apr_pool_t *p, const char *json,
                           mai_dpop_claims_t *cl)
{
    return mai_dpop_claims_parse(p, json, strlen(json), cl);
}

static void test_claims_parse(void **state)
{
    apr_pool_t *p = *state;
    mai_dpop_claims_t cl;
    static const char *const bad[] = {
        "{\"htu\":\"https://a/\",\"iat\":1,\"jti\":\"j\",\"ath\":\"x\"}",
        "{\"htm\":\"GET\",\"iat\":1,\"jti\":\"j\",\"ath\":\"x\"}",
        "{\"htm\":\"GET\",\"htu\":\"https://a/\",\"jti\":\"j\",\"ath\":\"x\"}",
        "{\"htm\":\"GET\",\"htu\":\"https://a/\",\"iat\":1,\"ath\":\"x\"}",
        "{\"htm\":\"GET\",\"htu\":\"https://a/\",\"iat\":1,\"jti\":\"j\"}",
        "{\"htm\":\"GET\",\"htu\":\"https://a/\",\"iat\":1,\"jti\":\"\","
        "\"ath\":\"x\"}",
        "{\"htm\":1,\"htu\":\"https://a/\",\"iat\":1,\"jti\":\"j\","
        "\"ath\":\"x\"}",
        "{\"htm\":\"GET\",\"htu\":\"https://a/\",\"iat\":\"1\","
        "\"jti\":\"j\",\"ath\":\"x\"}",
        "{\"htm\":\"GET\",\"htu\":\"https://a/\",\"iat\":1,"
        "\"jti\":\"j\\u0000k\",\"ath\":\"x\"}",
        CLAIMS(",\"nonce\":5"), CLAIMS("") "x", "[]", "", "{",
    };
    apr_size_t i;

    assert_int_equal(claims(p, CLAIMS(""), &cl), MAI_OK);
    assert_string_equal(cl.htm, "GET");
    assert_string_equal(cl.htu, "https://rs.example/r");
    assert_string_equal(cl.jti, "j1");
    assert_string_equal(cl.ath, "x");
    assert_int_equal(cl.iat, 1000);
    assert_null(cl.nonce);
    assert_int_equal(claims(p, CLAIMS(",\"nonce\":\"n\""), &cl), MAI_OK);
    assert_string_equal(cl.nonce, "n");
    assert_int_equal(claims(p, "{\"htm\":\"GET\",\"htu\":\"https://a/\","
                            "\"iat\":1000.9,\"jti\":\"j\",\"ath\":\"x\"}",
                            &cl), MAI_OK);
    assert_int_equal(cl.iat, 1000);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (claims(p, bad[i], &cl) != MAI_STATUS_DPOP_PROOF_MALFORMED) {
            fail_msg("accepted: %s", bad[i]);
        }
    }
}

static void test_htu(void **state)
{
    apr_pool_t *p = *state;
    static const char *const same[][2] = {
        { "https://rs.example/r", "https://rs.example/r" },
        { "HTTPS://RS.Example:443/r?q=1#f", "https://rs.example/r" },
        { "http://rs.example:80", "http://rs.example/" },
        { "http://rs.example:", "http://rs.example/" },
        { "https://rs.example:8443/a%2fb%7E",
          "https://rs.example:8443/a%2Fb~" },
        { "http://[::1]:8080/x", "http://[::1]:8080/x" },
        { "https://rs.example/a%41", "https://rs.example/aA" },
    };
    static const char *const bad[] = {
        "ftp://rs.example/", "https://u@rs.example/", "https:///x",
        "https://rs.example:99999/", "https://rs.example:8a/",
        "https://rs.example/%4", "https://rs.example/%zz", "rs.example/x",
        "https://rs.example/a b", "https://[::1/", "https://[::1]x/",
        "https://r\xcd.example/", "https://rs.example/\xff",
    };
    apr_size_t i;
    const char *n;

    for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        n = mai_dpop_htu_normalize(p, same[i][0]);
        if (!n || strcmp(n, same[i][1])) {
            fail_msg("%s -> %s", same[i][0], n ? n : "NULL");
        }
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (mai_dpop_htu_normalize(p, bad[i])) {
            fail_msg("accepted: %s", bad[i]);
        }
    }
    assert_null(mai_dpop_htu_normalize(p, NULL));
    assert_string_equal(mai_dpop_request_htu(p, "https", "RS.example", 443,
                                             "/r"), "https://rs.example/r");
    assert_string_equal(mai_dpop_request_htu(p, "http", "rs.example", 8080,
                                             NULL), "http://rs.example:8080/");
    assert_string_equal(mai_dpop_request_htu(p, "http", "[::1]", 80,
                                             "/a%7e"), "http://[::1]/a~");
}

/* RFC 9449 section 7.1's example: the token and its ath */
#define RFC_TOKEN "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
#define RFC_ATH "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"

static void test_check_claims(void **state)
{
    apr_pool_t *p = *state;
    mai_dpop_claims_t cl = { "GET", "https://rs.example/r?x=1", "j1",
                             RFC_ATH, NULL, 1000 };
    const char *htu = "https://rs.example/r";

    assert_string_equal(mai_dpop_ath(p, RFC_TOKEN), RFC_ATH);
    assert_int_equal(mai_dpop_check_claims(p, &cl, "GET", htu, RFC_TOKEN,
                                           1000, 60, 30), MAI_OK);
    assert_int_equal(mai_dpop_check_claims(p, &cl, "POST", htu, RFC_TOKEN,
                                           1000, 60, 30),
                     MAI_STATUS_DPOP_PROOF_HTM);
    assert_int_equal(mai_dpop_check_claims(p, &cl, "get", htu, RFC_TOKEN,
                                           1000, 60, 30),
                     MAI_STATUS_DPOP_PROOF_HTM);
    assert_int_equal(mai_dpop_check_claims(p, &cl, "GET",
                                           "https://rs.example/s",
                                           RFC_TOKEN, 1000, 60, 30),
                     MAI_STATUS_DPOP_PROOF_HTU);
    assert_int_equal(mai_dpop_check_claims(p, &cl, "GET",
                                           "http://rs.example/r",
                                           RFC_TOKEN, 1000, 60, 30),
                     MAI_STATUS_DPOP_PROOF_HTU);
    /* iat: window + skew into the past, skew into the future */
    assert_int_equal(mai_dpop_check_claims(p, &cl, "GET", htu, RFC_TOKEN,
                                           1090, 60, 30), MAI_OK);
    assert_int_equal(mai_dpop_check_claims(p, &cl, "GET", htu, RFC_TOKEN,
                                           1091, 60, 30),
                     MAI_STATUS_DPOP_PROOF_IAT);
    assert_int_equal(mai_dpop_check_claims(p, &cl, "GET", htu, RFC_TOKEN,
                                           970, 60, 30), MAI_OK);
    assert_int_equal(mai_dpop_check_claims(p, &cl, "GET", htu, RFC_TOKEN,
                                           969, 60, 30),
                     MAI_STATUS_DPOP_PROOF_IAT);
    assert_int_equal(mai_dpop_check_claims(p, &cl, "GET", htu, "other",
                                           1000, 60, 30),
                     MAI_STATUS_DPOP_PROOF_ATH);
    cl.htu = "https://u@rs.example/r";
    assert_int_equal(mai_dpop_check_claims(p, &cl, "GET", htu, RFC_TOKEN,
                                           1000, 60, 30),
                     MAI_STATUS_DPOP_PROOF_HTU);
    assert_int_equal(mai_dpop_replay_ttl(60, 30), 120);
}

static void test_replay_key(void **state)
{
    apr_pool_t *p = *state;
    mai_hmac_key_t *k1 = mai_hmac_key_make(p, "secret-one", 10);
    mai_hmac_key_t *k2 = mai_hmac_key_make(p, "secret-two", 10);
    unsigned char a[MAI_DIGEST_LEN], b[MAI_DIGEST_LEN];

    mai_dpop_replay_key(p, k1, "jkt", "jti", a);
    mai_dpop_replay_key(p, k1, "jkt", "jti", b);
    assert_memory_equal(a, b, MAI_DIGEST_LEN);
    /* the same jti under another key is another proof */
    mai_dpop_replay_key(p, k1, "jkt2", "jti", b);
    assert_memory_not_equal(a, b, MAI_DIGEST_LEN);
    /* the split between thumbprint and jti is part of the key */
    mai_dpop_replay_key(p, k1, "jk", "tjti", b);
    assert_memory_not_equal(a, b, MAI_DIGEST_LEN);
    /* another secret, another key: no one can aim at a slot */
    mai_dpop_replay_key(p, k2, "jkt", "jti", b);
    assert_memory_not_equal(a, b, MAI_DIGEST_LEN);
}

static void test_nonce(void **state)
{
    apr_pool_t *p = *state;
    mai_hmac_key_t *k1 = mai_hmac_key_make(p, "secret-one", 10);
    mai_hmac_key_t *k2 = mai_hmac_key_make(p, "secret-two", 10);
    apr_int64_t t = 1000 * MAI_DPOP_NONCE_PERIOD;
    const char *n = mai_dpop_nonce(p, k1, t);

    assert_int_equal(strlen(n), 22);
    assert_string_equal(n, mai_dpop_nonce(p, k1,
                                          t + MAI_DPOP_NONCE_PERIOD - 1));
    /* taken in its period and the next one, not after, not before */
    assert_true(mai_dpop_nonce_ok(p, k1, n, t));
    assert_true(mai_dpop_nonce_ok(p, k1, n, t + 2 * MAI_DPOP_NONCE_PERIOD
                                  - 1));
    assert_false(mai_dpop_nonce_ok(p, k1, n, t + 2 * MAI_DPOP_NONCE_PERIOD));
    assert_false(mai_dpop_nonce_ok(p, k1, n, t - 1));
    /* another secret's nonce, none, or anything else: no */
    assert_false(mai_dpop_nonce_ok(p, k2, n, t));
    assert_false(mai_dpop_nonce_ok(p, k1, NULL, t));
    assert_false(mai_dpop_nonce_ok(p, k1, "", t));
    assert_int_equal(mai_status_http(MAI_STATUS_DPOP_PROOF_NONCE), 401);
    assert_string_equal(mai_status_bearer_error(MAI_STATUS_DPOP_PROOF_NONCE),
                        "use_dpop_nonce");
}

static const mai_result_t *answer(apr_pool_t *p, const char *json)
{
    const mai_result_t *r = NULL;

    assert_int_equal(mai_result_parse(p, json, strlen(json), &r), MAI_OK);
    return r;
}

static void test_binding(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *jkt = answer(p, "{\"active\":true,\"token_type\":"
                                     "\"DPoP\",\"cnf\":{\"jkt\":\"T1\"}}");
    const mai_result_t *both = answer(p, "{\"active\":true,\"cnf\":{\"jkt\":"
                                      "\"T1\",\"jwk\":{}}}");
    const mai_result_t *cert = answer(p, "{\"active\":true,\"cnf\":{\"jkt\":"
                                      "\"T1\",\"x5t#S256\":\"X\"}}");
    const mai_result_t *type = answer(p, "{\"active\":true,"
                                      "\"token_type\":\"dpop\"}");
    const mai_result_t *plain = answer(p, "{\"active\":true,"
                                       "\"token_type\":\"Bearer\"}");
    const mai_result_t *odd = answer(p, "{\"active\":true,"
                                     "\"cnf\":{\"jkt\":5}}");
    apr_array_header_t *bearer = apr_array_make(p, 1, sizeof(char *));

    APR_ARRAY_PUSH(bearer, const char *) = "Bearer";
    assert_string_equal(mai_dpop_result_jkt(jkt), "T1");
    assert_null(mai_dpop_result_jkt(type));
    assert_null(mai_dpop_result_jkt(odd));
    assert_true(mai_dpop_result_bound(jkt));
    assert_true(mai_dpop_result_bound(type));
    assert_false(mai_dpop_result_bound(plain));
    assert_false(mai_dpop_result_bound(odd));

    /* without a proof: the blanket refusal stands */
    assert_int_equal(mai_result_check(jkt, 0, 0, NULL, NULL),
                     MAI_STATUS_DPOP_TOKEN);
    assert_int_equal(mai_result_check_proven(jkt, 0, 0, NULL, NULL, 0),
                     MAI_STATUS_DPOP_TOKEN);
    /* with one: DPoP and cnf.jkt pass, even past a Bearer-only list */
    assert_int_equal(mai_result_check_proven(jkt, 0, 0, NULL, NULL, 1),
                     MAI_OK);
    assert_int_equal(mai_result_check_proven(jkt, 0, 0, NULL, bearer, 1),
                     MAI_OK);
    /* another binding besides jkt is still unchecked */
    assert_int_equal(mai_result_check_proven(both, 0, 0, NULL, NULL, 1),
                     MAI_STATUS_BOUND_TOKEN);
    /* a certificate thumbprint beside it is authn.c's to check next
     * (cert_bound.c): this rule lets it through with the proven jkt */
    assert_int_equal(mai_result_check_proven(cert, 0, 0, NULL, NULL, 1),
                     MAI_OK);
    assert_int_equal(mai_result_check_proven(cert, 0, 0, NULL, NULL, 0),
                     MAI_STATUS_BOUND_TOKEN);
    /* the other checks still run */
    assert_int_equal(mai_result_check_proven(jkt, 0, 0, "https://as", NULL,
                                             1), MAI_STATUS_WRONG_ISSUER);
}

static void test_challenges(void **state)
{
    apr_pool_t *p = *state;
    mai_deny_facts_t f;

    /* Bearer only (no DPoP facts): as before */
    memset(&f, 0, sizeof(f));
    assert_string_equal(mai_deny_note(p, "api", MAI_STATUS_EXPIRED, &f),
                        "Bearer realm=\"api\", error=\"invalid_token\"");
    assert_null(mai_deny_other_challenge(p, "api", &f));

    /* both schemes, a Bearer request: the error on Bearer, a plain DPoP */
    f.schemes = MAI_DPOP_ALLOWED;
    assert_string_equal(mai_deny_note(p, "api", MAI_STATUS_DPOP_AS_BEARER,
                                      &f),
                        "Bearer realm=\"api\", error=\"invalid_token\"");
    assert_string_equal(mai_deny_other_challenge(p, "api", &f),
                        "DPoP realm=\"api\", algs=\"" MAI_DPOP_ALGS "\"");
    assert_string_equal(mai_deny_note(p, "api", MAI_STATUS_NO_TOKEN, &f),
                        "Bearer realm=\"api\"");

    /* a DPoP request: the error on DPoP, a plain Bearer */
    f.dpop_used = 1;
    assert_string_equal(mai_deny_note(p, "api", MAI_STATUS_DPOP_PROOF_HTM,
                                      &f),
                        "DPoP realm=\"api\", error=\"invalid_dpop_proof\", "
                        "error_description=\"DPoP proof htm mismatch\", "
                        "algs=\"" MAI_DPOP_ALGS "\"");
    assert_string_equal(mai_deny_other_challenge(p, "api", &f),
                        "Bearer realm=\"api\"");
    assert_string_equal(mai_deny_note(p, "api",
                                      MAI_STATUS_DPOP_KEY_MISMATCH, &f),
                        "DPoP realm=\"api\", error=\"invalid_token\", "
                        "error_description=\"invalid DPoP key binding\", "
                        "algs=\"" MAI_DPOP_ALGS "\"");

    /* required: DPoP alone, for a Bearer request too */
    memset(&f, 0, sizeof(f));
    f.schemes = MAI_DPOP_REQUIRED;
    assert_string_equal(mai_deny_note(p, NULL, MAI_STATUS_DPOP_REQUIRED, &f),
                        "DPoP error=\"invalid_token\", error_description="
                        "\"DPoP required\", algs=\"" MAI_DPOP_ALGS "\"");
    assert_null(mai_deny_other_challenge(p, NULL, &f));
    assert_null(mai_dpop_error_description(MAI_STATUS_EXPIRED));
}

static unsigned merged(apr_pool_t *p, const char *server, const char *ht)
{
    mai_dir_conf_t *base = mai_dir_conf_create(p);
    mai_dir_conf_t *add = mai_dir_conf_create(p);

    if (server) {
        assert_null(mai_conf_set_dpop(base, server, 0));
    }
    if (ht) {
        assert_null(mai_conf_set_dpop(add, ht, 1));
    }
    return mai_conf_dpop(mai_dir_conf_merge(p, base, add));
}

static void test_config(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *c = mai_dir_conf_create(p), *s;

    assert_int_equal(mai_conf_dpop(c), MAI_DPOP_ALLOWED);
    assert_int_equal(mai_conf_dpop_window(c), 60);
    assert_non_null(mai_conf_set_dpop(c, "maybe", 0));
    assert_non_null(mai_conf_set_dpop_window(c, "0"));
    assert_non_null(mai_conf_set_dpop_window(c, "3601"));
    assert_null(mai_conf_set_dpop_window(c, "30"));
    assert_int_equal(mai_conf_dpop_window(c), 30);

    /* .htaccess only narrows */
    assert_int_equal(merged(p, NULL, "required"), MAI_DPOP_REQUIRED);
    assert_int_equal(merged(p, "required", "allowed"), MAI_DPOP_REQUIRED);
    assert_int_equal(merged(p, "off", "allowed"), MAI_DPOP_OFF);
    assert_int_equal(merged(p, "allowed", "off"), MAI_DPOP_OFF);
    assert_int_equal(merged(p, "off", "required"), 0);
    /* a server section replaces */
    s = mai_dir_conf_create(p);
    assert_null(mai_conf_set_dpop(s, "required", 0));
    assert_null(mai_conf_set_dpop(c, "off", 0));
    assert_int_equal(mai_conf_dpop(mai_dir_conf_merge(p, s, c)),
                     MAI_DPOP_OFF);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_mode),
    UNIT_TEST(test_scheme),
    UNIT_TEST(test_proof_header),
    UNIT_TEST(test_claims_parse),
    UNIT_TEST(test_htu),
    UNIT_TEST(test_check_claims),
    UNIT_TEST(test_replay_key),
    UNIT_TEST(test_nonce),
    UNIT_TEST(test_binding),
    UNIT_TEST(test_challenges),
    UNIT_TEST(test_config),
};
UNIT_MAIN(tests)
