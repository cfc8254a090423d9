/* SPDX-License-Identifier: Apache-2.0 */
/* test_jose.c: jose.c against JWS made here with cjose's own signing:
 * round trips per algorithm, and every way a token must be refused. */
#include "unit.h"
#include <apr_strings.h>
#include <cjose/cjose.h>
#include "jose.h"

static const uint8_t E65537[] = { 0x01, 0x00, 0x01 };

/* Keys made once: RSA generation is slow. */
static cjose_jwk_t *rsa2048, *rsa1024, *ec256, *ec384, *ec521;

static int keys_setup(void **state)
{
    cjose_err err;

    (void)state;
    rsa2048 = cjose_jwk_create_RSA_random(2048, E65537, 3, &err);
    rsa1024 = cjose_jwk_create_RSA_random(1024, E65537, 3, &err);
    ec256 = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err);
    ec384 = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_384, &err);
    ec521 = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_521, &err);
    if (!rsa2048 || !rsa1024 || !ec256 || !ec384 || !ec521) {
        return -1;
    }
    cjose_jwk_set_kid(rsa2048, "rsa", 3, &err);
    cjose_jwk_set_kid(rsa1024, "small", 5, &err);
    cjose_jwk_set_kid(ec256, "p256", 4, &err);
    cjose_jwk_set_kid(ec384, "p384", 4, &err);
    cjose_jwk_set_kid(ec521, "p521", 4, &err);
    return 0;
}

static int keys_teardown(void **state)
{
    (void)state;
    cjose_jwk_release(rsa2048);
    cjose_jwk_release(rsa1024);
    cjose_jwk_release(ec256);
    cjose_jwk_release(ec384);
    cjose_jwk_release(ec521);
    return 0;
}

/* The public JWK as JSON text, from p. */
static const char *public_json(apr_pool_t *p, const cjose_jwk_t *k)
{
    cjose_err err;
    char *s = cjose_jwk_to_json(k, false, &err);
    const char *copy;

    assert_non_null(s);
    copy = apr_pstrdup(p, s);
    cjose_get_dealloc()(s);
    return copy;
}

static const char *private_json(apr_pool_t *p, const cjose_jwk_t *k)
{
    cjose_err err;
    char *s = cjose_jwk_to_json(k, true, &err);
    const char *copy;

    assert_non_null(s);
    copy = apr_pstrdup(p, s);
    cjose_get_dealloc()(s);
    return copy;
}

/* A compact JWS over payload, signed by k with alg; kid and typ when not
 * NULL; jwk_json (raw) as the header's jwk when not NULL. */
static const char *sign_ex(apr_pool_t *p, const cjose_jwk_t *k,
                           const char *alg, const char *kid,
                           const char *jwk_json, const char *payload)
{
    cjose_err err;
    cjose_header_t *h = cjose_header_new(&err);
    cjose_jws_t *jws;
    const char *ser = NULL, *copy;

    assert_true(cjose_header_set(h, CJOSE_HDR_ALG, alg, &err));
    assert_true(cjose_header_set(h, "typ", "test+jwt", &err));
    if (kid) {
        assert_true(cjose_header_set(h, CJOSE_HDR_KID, kid, &err));
    }
    if (jwk_json) {
        assert_true(cjose_header_set_raw(h, "jwk", jwk_json, &err));
    }
    jws = cjose_jws_sign(k, h, (const uint8_t *)payload, strlen(payload),
                         &err);
    assert_non_null(jws);
    assert_true(cjose_jws_export(jws, &ser, &err));
    copy = apr_pstrdup(p, ser);
    cjose_jws_release(jws);
    cjose_header_release(h);
    return copy;
}

static const char *sign(apr_pool_t *p, const cjose_jwk_t *k,
                        const char *alg, const char *kid)
{
    return sign_ex(p, k, alg, kid, NULL, "{\"active\":true}");
}

/* A set of the given keys' public halves. */
static const mai_jwks_t *set_of(apr_pool_t *p, const cjose_jwk_t *a,
                                const cjose_jwk_t *b)
{
    const char *why, *json;
    mai_jwks_t *set;

    json = apr_pstrcat(p, "{\"keys\":[", public_json(p, a),
                       b ? "," : "", b ? public_json(p, b) : "", "]}",
                       NULL);
    set = mai_jwks_parse(p, json, strlen(json), &why);
    assert_non_null(set);
    return set;
}

static mai_jose_result_t check(apr_pool_t *p, const char *compact,
                               const mai_jwks_t *set, unsigned algs)
{
    mai_jws_t jws;
    mai_jose_result_t r = mai_jws_parse(p, compact, strlen(compact), &jws);

    return r != MAI_JOSE_OK ? r : mai_jws_verify(&jws, set, algs);
}

static void test_round_trips(void **state)
{
    apr_pool_t *p = *state;
    const mai_jwks_t *set = set_of(p, rsa2048, ec256);
    const mai_jwks_t *set2 = set_of(p, ec384, ec521);
    mai_jws_t jws;
    const char *c = sign(p, rsa2048, "RS256", "rsa");

    assert_int_equal(mai_jwks_count(set), 2);
    assert_int_equal(mai_jws_parse(p, c, strlen(c), &jws), MAI_JOSE_OK);
    assert_string_equal(jws.alg, "RS256");
    assert_string_equal(jws.kid, "rsa");
    assert_string_equal(jws.typ, "test+jwt");
    assert_null(jws.jwk_json);
    assert_string_equal(jws.payload, "{\"active\":true}");
    assert_int_equal(jws.payload_len, 15);
    assert_int_equal(mai_jws_verify(&jws, set, MAI_JOSE_RS256), MAI_JOSE_OK);

    assert_int_equal(check(p, sign(p, rsa2048, "PS256", "rsa"), set,
                           MAI_JOSE_ASYMMETRIC), MAI_JOSE_OK);
    assert_int_equal(check(p, sign(p, rsa2048, "RS512", NULL), set,
                           MAI_JOSE_ASYMMETRIC), MAI_JOSE_OK);
    assert_int_equal(check(p, sign(p, ec256, "ES256", "p256"), set,
                           MAI_JOSE_ES256), MAI_JOSE_OK);
    /* no kid: the keys that fit the alg are tried */
    assert_int_equal(check(p, sign(p, ec256, "ES256", NULL), set,
                           MAI_JOSE_ES256), MAI_JOSE_OK);
    assert_int_equal(check(p, sign(p, ec384, "ES384", "p384"), set2,
                           MAI_JOSE_ASYMMETRIC), MAI_JOSE_OK);
    assert_int_equal(check(p, sign(p, ec521, "ES512", "p521"), set2,
                           MAI_JOSE_ASYMMETRIC), MAI_JOSE_OK);
}

static void test_allow_list(void **state)
{
    apr_pool_t *p = *state;
    const mai_jwks_t *set = set_of(p, rsa2048, ec256);

    /* an alg outside the caller's list */
    assert_int_equal(check(p, sign(p, rsa2048, "PS256", "rsa"), set,
                           MAI_JOSE_RS256), MAI_JOSE_ALG);
    /* an alg that does not fit the key named by kid */
    assert_int_equal(check(p, sign(p, ec256, "ES256", "rsa"), set,
                           MAI_JOSE_ASYMMETRIC), MAI_JOSE_ALG);
    /* a P-384 key cannot make ES256 signatures acceptable */
    assert_int_equal(check(p, sign(p, ec384, "ES256", "p384"),
                           set_of(p, ec384, NULL), MAI_JOSE_ASYMMETRIC),
                     MAI_JOSE_ALG);
    assert_int_equal(mai_jose_alg_bit("none"), 0);
    assert_int_equal(mai_jose_alg_bit("HS256"), 0);
    assert_int_equal(mai_jose_alg_bit("EdDSA"), 0);
    assert_int_equal(mai_jose_alg_bit(NULL), 0);
    assert_int_equal(mai_jose_alg_bit("ES384"), MAI_JOSE_ES384);
}

static void test_key_alg_member(void **state)
{
    apr_pool_t *p = *state;
    const char *why, *json;
    mai_jwks_t *set;
    const char *pub = public_json(p, rsa2048);

    /* the JWK's own "alg" narrows what the key verifies */
    json = apr_pstrcat(p, "{\"keys\":[", apr_pstrndup(p, pub,
                       strlen(pub) - 1), ",\"alg\":\"RS256\"}]}", NULL);
    set = mai_jwks_parse(p, json, strlen(json), &why);
    assert_non_null(set);
    assert_int_equal(check(p, sign(p, rsa2048, "RS256", "rsa"), set,
                           MAI_JOSE_ASYMMETRIC), MAI_JOSE_OK);
    assert_int_equal(check(p, sign(p, rsa2048, "PS256", "rsa"), set,
                           MAI_JOSE_ASYMMETRIC), MAI_JOSE_ALG);
}

static const char *b64(apr_pool_t *p, const char *s)
{
    cjose_err err;
    char *out = NULL;
    size_t len = 0;
    const char *copy;

    assert_true(cjose_base64url_encode((const uint8_t *)s, strlen(s), &out,
                                       &len, &err));
    copy = apr_pstrmemdup(p, out, len);
    cjose_get_dealloc()(out);
    return copy;
}

static void test_none_refused(void **state)
{
    apr_pool_t *p = *state;
    const mai_jwks_t *set = set_of(p, rsa2048, ec256);
    const char *body = b64(p, "{\"active\":true}");
    const char *none = apr_pstrcat(p, b64(p, "{\"alg\":\"none\"}"), ".",
                                   body, ".", NULL);
    const char *none_sig = apr_pstrcat(p, b64(p, "{\"alg\":\"none\"}"), ".",
                                       body, ".AAAA", NULL);
    const char *none_kid = apr_pstrcat(
        p, b64(p, "{\"alg\":\"none\",\"kid\":\"rsa\"}"), ".", body, ".AAAA",
        NULL);
    /* a repeated alg: json-c and jansson both keep the last one */
    const char *twice = apr_pstrcat(
        p, b64(p, "{\"alg\":\"RS256\",\"alg\":\"none\"}"), ".", body,
        ".AAAA", NULL);
    mai_jws_t jws;

    /* an empty signature fails the shape test already */
    assert_int_equal(check(p, none, set, 0xffffffffu), MAI_JOSE_MALFORMED);
    assert_int_equal(mai_jws_parse(p, none_sig, strlen(none_sig), &jws),
                     MAI_JOSE_OK);
    assert_string_equal(jws.alg, "none");
    assert_string_equal(jws.payload, "{\"active\":true}");
    assert_int_equal(mai_jws_verify(&jws, set, 0xffffffffu), MAI_JOSE_ALG);
    assert_int_equal(check(p, none_kid, set, 0xffffffffu), MAI_JOSE_ALG);
    assert_int_equal(check(p, twice, set, 0xffffffffu), MAI_JOSE_ALG);
}

static void test_hmac_confusion(void **state)
{
    apr_pool_t *p = *state;
    const mai_jwks_t *set = set_of(p, rsa2048, NULL);
    const char *pub = public_json(p, rsa2048);
    cjose_err err;
    /* the attacker's HMAC secret: the server's public key, as published */
    cjose_jwk_t *oct = cjose_jwk_create_oct_spec((const uint8_t *)pub,
                                                 strlen(pub), &err);
    const char *c;

    assert_non_null(oct);
    c = sign(p, oct, "HS256", "rsa");
    assert_int_equal(check(p, c, set, 0xffffffffu), MAI_JOSE_ALG);
    assert_int_equal(check(p, sign(p, oct, "HS256", NULL), set,
                           0xffffffffu), MAI_JOSE_ALG);
    assert_int_equal(check(p, sign(p, oct, "HS512", "rsa"), set,
                           0xffffffffu), MAI_JOSE_ALG);
    cjose_jwk_release(oct);
}

static void test_unknown_kid(void **state)
{
    apr_pool_t *p = *state;
    const mai_jwks_t *set = set_of(p, rsa2048, ec256);

    assert_int_equal(check(p, sign(p, rsa2048, "RS256", "rotated"), set,
                           MAI_JOSE_ASYMMETRIC), MAI_JOSE_UNKNOWN_KID);
    /* without a kid, a set with no key for ES256 */
    assert_int_equal(check(p, sign(p, ec256, "ES256", NULL),
                           set_of(p, rsa2048, NULL), MAI_JOSE_ASYMMETRIC),
                     MAI_JOSE_ALG);
}

/* Flip one character of part n (0 header, 1 payload, 2 signature). */
static char *tamper(apr_pool_t *p, const char *c, int part)
{
    char *t = apr_pstrdup(p, c), *s = t;
    int i;

    for (i = 0; i < part; i++) {
        s = strchr(s, '.') + 1;
    }
    s[2] = s[2] == 'A' ? 'B' : 'A';
    return t;
}

static void test_tampered(void **state)
{
    apr_pool_t *p = *state;
    const mai_jwks_t *set = set_of(p, rsa2048, ec256);
    const char *rs = sign(p, rsa2048, "RS256", "rsa");
    const char *es = sign(p, ec256, "ES256", "p256");
    const char *other_payload = apr_pstrcat(
        p, apr_pstrndup(p, rs, strchr(rs, '.') - rs), ".",
        b64(p, "{\"active\":true,\"sub\":\"admin\"}"), strrchr(rs, '.'),
        NULL);
    cjose_jwk_t *other;
    cjose_err err;

    assert_int_equal(check(p, tamper(p, rs, 2), set, MAI_JOSE_ASYMMETRIC),
                     MAI_JOSE_SIGNATURE);
    assert_int_equal(check(p, tamper(p, rs, 1), set, MAI_JOSE_ASYMMETRIC),
                     MAI_JOSE_SIGNATURE);
    assert_int_equal(check(p, other_payload, set, MAI_JOSE_ASYMMETRIC),
                     MAI_JOSE_SIGNATURE);
    assert_int_equal(check(p, tamper(p, es, 2), set, MAI_JOSE_ASYMMETRIC),
                     MAI_JOSE_SIGNATURE);
    /* the signature of another key under the same kid */
    other = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err);
    assert_non_null(other);
    cjose_jwk_set_kid(other, "p256", 4, &err);
    assert_int_equal(check(p, sign(p, other, "ES256", "p256"), set,
                           MAI_JOSE_ASYMMETRIC), MAI_JOSE_SIGNATURE);
    assert_int_equal(check(p, sign(p, other, "ES256", NULL), set,
                           MAI_JOSE_ASYMMETRIC), MAI_JOSE_SIGNATURE);
    cjose_jwk_release(other);
}

static void test_malformed(void **state)
{
    apr_pool_t *p = *state;
    static const char *const bad[] = {
        "", "opaque-token-value", "a.b", "a.b.c.d", "a..c", ".b.c", "a.b.",
        "eyJ.eyJ.sig=", "a b.c.d", "a.b.c.d.e.f",
        "e30.e30.AAAA",                          /* {} : no alg */
        "eyJhbGciOjF9.e30.AAAA",                 /* alg 1 */
        "W10.e30.AAAA",                          /* [] */
        "bm90IGpzb24.e30.AAAA",                  /* not json */
    };
    const char *crit = apr_pstrcat(
        p, b64(p, "{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1}"),
        ".e30.AAAA", NULL);
    const char *b64false = apr_pstrcat(
        p, b64(p, "{\"alg\":\"RS256\",\"b64\":false}"), ".e30.AAAA", NULL);
    const char *nul_kid = apr_pstrcat(
        p, b64(p, "{\"alg\":\"RS256\",\"kid\":\"rsa\\u0000x\"}"),
        ".e30.AAAA", NULL);
    mai_jws_t jws;
    apr_size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(mai_jws_parse(p, bad[i], strlen(bad[i]), &jws),
                         MAI_JOSE_MALFORMED);
    }
    assert_int_equal(mai_jws_parse(p, NULL, 0, &jws), MAI_JOSE_MALFORMED);
    assert_int_equal(mai_jws_parse(p, crit, strlen(crit), &jws),
                     MAI_JOSE_MALFORMED);
    assert_int_equal(mai_jws_parse(p, b64false, strlen(b64false), &jws),
                     MAI_JOSE_MALFORMED);
    assert_int_equal(mai_jws_parse(p, nul_kid, strlen(nul_kid), &jws),
                     MAI_JOSE_MALFORMED);
}

static void test_jwe(void **state)
{
    apr_pool_t *p = *state;
    cjose_err err;
    cjose_header_t *h = cjose_header_new(&err);
    cjose_jwe_t *jwe;
    char *ser;
    mai_jws_t jws;

    cjose_header_set(h, CJOSE_HDR_ALG, CJOSE_HDR_ALG_RSA_OAEP, &err);
    cjose_header_set(h, CJOSE_HDR_ENC, CJOSE_HDR_ENC_A256GCM, &err);
    jwe = cjose_jwe_encrypt(rsa2048, h, (const uint8_t *)"{}", 2, &err);
    assert_non_null(jwe);
    ser = cjose_jwe_export(jwe, &err);
    assert_non_null(ser);
    assert_int_equal(mai_jws_parse(p, ser, strlen(ser), &jws),
                     MAI_JOSE_ENCRYPTED);
    cjose_get_dealloc()(ser);
    cjose_jwe_release(jwe);
    cjose_header_release(h);
    assert_string_equal(mai_jose_reason(MAI_JOSE_ENCRYPTED),
                        "a JWE (encrypted), which is not supported");
}

static void test_embedded(void **state)
{
    apr_pool_t *p = *state;
    const char *pub = public_json(p, ec256), *tp, *c;
    mai_jws_t jws;

    c = sign_ex(p, ec256, "ES256", NULL, pub, "{\"htm\":\"GET\"}");
    assert_int_equal(mai_jws_parse(p, c, strlen(c), &jws), MAI_JOSE_OK);
    assert_non_null(jws.jwk_json);
    assert_int_equal(mai_jws_verify_embedded(p, &jws, MAI_JOSE_ASYMMETRIC,
                                             &tp), MAI_JOSE_OK);
    assert_non_null(tp);
    assert_string_equal(tp, mai_jwk_thumbprint(p, pub));
    assert_int_equal(strlen(tp), 43);

    /* signed by another key than the one in the header */
    c = sign_ex(p, ec384, "ES256", NULL, pub, "{}");
    assert_int_equal(mai_jws_parse(p, c, strlen(c), &jws), MAI_JOSE_OK);
    assert_int_equal(mai_jws_verify_embedded(p, &jws, MAI_JOSE_ASYMMETRIC,
                                             &tp), MAI_JOSE_SIGNATURE);
    assert_null(tp);

    /* RSA, and an alg the caller does not allow */
    c = sign_ex(p, rsa2048, "PS256", NULL, public_json(p, rsa2048), "{}");
    assert_int_equal(mai_jws_parse(p, c, strlen(c), &jws), MAI_JOSE_OK);
    assert_int_equal(mai_jws_verify_embedded(p, &jws, MAI_JOSE_PS256, &tp),
                     MAI_JOSE_OK);
    assert_int_equal(mai_jws_verify_embedded(p, &jws, MAI_JOSE_ES256, &tp),
                     MAI_JOSE_ALG);

    /* no jwk at all */
    c = sign(p, ec256, "ES256", NULL);
    assert_int_equal(mai_jws_parse(p, c, strlen(c), &jws), MAI_JOSE_OK);
    assert_int_equal(mai_jws_verify_embedded(p, &jws, MAI_JOSE_ASYMMETRIC,
                                             &tp), MAI_JOSE_BAD_KEY);
}

static void test_embedded_private(void **state)
{
    apr_pool_t *p = *state;
    const char *c, *tp;
    mai_jws_t jws;

    c = sign_ex(p, ec256, "ES256", NULL, private_json(p, ec256), "{}");
    assert_int_equal(mai_jws_parse(p, c, strlen(c), &jws), MAI_JOSE_OK);
    assert_int_equal(mai_jws_verify_embedded(p, &jws, MAI_JOSE_ASYMMETRIC,
                                             &tp), MAI_JOSE_BAD_KEY);
    c = sign_ex(p, rsa2048, "RS256", NULL, private_json(p, rsa2048), "{}");
    assert_int_equal(mai_jws_parse(p, c, strlen(c), &jws), MAI_JOSE_OK);
    assert_int_equal(mai_jws_verify_embedded(p, &jws, MAI_JOSE_ASYMMETRIC,
                                             &tp), MAI_JOSE_BAD_KEY);
    /* a symmetric key is never a DPoP key */
    c = sign_ex(p, rsa2048, "RS256", NULL,
                "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}", "{}");
    assert_int_equal(mai_jws_parse(p, c, strlen(c), &jws), MAI_JOSE_OK);
    assert_int_equal(mai_jws_verify_embedded(p, &jws, MAI_JOSE_ASYMMETRIC,
                                             &tp), MAI_JOSE_BAD_KEY);
}

/* RFC 7638 section 3.1: the example RSA key and its thumbprint. */
static void test_thumbprint_rfc7638(void **state)
{
    apr_pool_t *p = *state;
    const char *key =
        "{\"kty\":\"RSA\",\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAF"
        "bWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n"
        "3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR"
        "0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91Cb"
        "OpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniI"
        "qbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw\",\"e\":\"AQAB\","
        "\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}";

    assert_string_equal(mai_jwk_thumbprint(p, key),
                        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    assert_null(mai_jwk_thumbprint(p, "{\"kty\":\"oct\",\"k\":\"AA\"}"));
    assert_null(mai_jwk_thumbprint(p, "{\"kty\":\"EC\",\"crv\":\"P-256\","
                                   "\"x\":\"a\\\"b\",\"y\":\"AA\"}"));
    assert_null(mai_jwk_thumbprint(p, "not json"));
}

static void test_set_skips(void **state)
{
    apr_pool_t *p = *state;
    const char *pub_rsa = public_json(p, rsa2048);
    const char *pub_ec = public_json(p, ec256);
    const char *why, *json;
    mai_jwks_t *set;

    json = apr_pstrcat(
        p, "{\"keys\":[",
        /* an encryption key, by use and by alg */
        apr_pstrndup(p, pub_rsa, strlen(pub_rsa) - 1), ",\"use\":\"enc\"},",
        apr_pstrndup(p, pub_rsa, strlen(pub_rsa) - 1),
        ",\"alg\":\"RSA-OAEP\"},",
        /* key types cjose 0.6 cannot verify with, or never here */
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7"
        "hcvPapiMlrwIaaPcHURo\",\"kid\":\"ed\"},",
        "{\"kty\":\"oct\",\"k\":\"c2VjcmV0c2VjcmV0\",\"kid\":\"hs\"},",
        "{\"kty\":\"RSA\"}, 42, \"x\",",
        /* a private key is never taken from a set */
        private_json(p, ec384), ",",
        pub_ec, "]}", NULL);
    set = mai_jwks_parse(p, json, strlen(json), &why);
    assert_non_null(set);
    assert_int_equal(mai_jwks_count(set), 1);
    assert_int_equal(check(p, sign(p, ec256, "ES256", "p256"), set,
                           MAI_JOSE_ASYMMETRIC), MAI_JOSE_OK);
    assert_int_equal(check(p, sign(p, rsa2048, "RS256", "rsa"), set,
                           MAI_JOSE_ASYMMETRIC), MAI_JOSE_UNKNOWN_KID);
}

static void test_set_errors(void **state)
{
    apr_pool_t *p = *state;
    static const char *const bad[] = {
        "{\"keys\":[]}", "{}", "[]", "{\"keys\":{}}", "not json",
        "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\"}]}",
        "{\"keys\":[]} x",
    };
    const char *why;
    apr_size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        assert_null(mai_jwks_parse(p, bad[i], strlen(bad[i]), &why));
        assert_non_null(why);
    }
    assert_null(mai_jwks_parse(p, NULL, 0, &why));
    assert_int_equal(mai_jwks_count(NULL), 0);
}

static void test_small_rsa(void **state)
{
    apr_pool_t *p = *state;
    const char *json = apr_pstrcat(p, "{\"keys\":[", public_json(p, rsa1024),
                                   "]}", NULL);
    const char *why, *c, *tp;
    mai_jws_t jws;

    assert_null(mai_jwks_parse(p, json, strlen(json), &why));
    assert_non_null(why);
    /* beside a good key it is skipped: its kid is unknown */
    assert_int_equal(check(p, sign(p, rsa1024, "RS256", "small"),
                           set_of(p, rsa1024, rsa2048), MAI_JOSE_ASYMMETRIC),
                     MAI_JOSE_UNKNOWN_KID);
    c = sign_ex(p, rsa1024, "RS256", NULL, public_json(p, rsa1024), "{}");
    assert_int_equal(mai_jws_parse(p, c, strlen(c), &jws), MAI_JOSE_OK);
    assert_int_equal(mai_jws_verify_embedded(p, &jws, MAI_JOSE_ASYMMETRIC,
                                             &tp), MAI_JOSE_BAD_KEY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trips, unit_pool_setup,
                                        unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_allow_list, unit_pool_setup,
                                        unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_key_alg_member,
                                        unit_pool_setup, unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_none_refused, unit_pool_setup,
                                        unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_hmac_confusion,
                                        unit_pool_setup, unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_kid, unit_pool_setup,
                                        unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_tampered, unit_pool_setup,
                                        unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_malformed, unit_pool_setup,
                                        unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_jwe, unit_pool_setup,
                                        unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_embedded, unit_pool_setup,
                                        unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_embedded_private,
                                        unit_pool_setup, unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_thumbprint_rfc7638,
                                        unit_pool_setup, unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_set_skips, unit_pool_setup,
                                        unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_set_errors, unit_pool_setup,
                                        unit_pool_teardown),
        cmocka_unit_test_setup_teardown(test_small_rsa, unit_pool_setup,
                                        unit_pool_teardown),
    };

    apr_initialize();
    return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
