/* SPDX-License-Identifier: Apache-2.0 */
/* test_client_assertion.c: RFC 7523 client assertions: the claim set
 * (client_assertion.c) and the signing keys and JWS (jose_sign.c). Every
 * signature is checked with OpenSSL directly (or HMAC recomputed), never
 * with the module's own verification code. */
#include <string.h>
#include <unistd.h>
#include <json.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <apr_strings.h>
#include "unit.h"
#include "client_assertion.h"
#include "jose_sign.h"

/* -- helpers ------------------------------------------------------------ */

static json_object *parse(const char *text)
{
    json_object *o = json_tokener_parse(text);

    assert_non_null(o);
    assert_true(json_object_is_type(o, json_type_object));
    return o;
}

static const char *str(json_object *o, const char *name)
{
    json_object *v;

    assert_true(json_object_object_get_ex(o, name, &v));
    assert_true(json_object_is_type(v, json_type_string));
    return json_object_get_string(v);
}

static int64_t num(json_object *o, const char *name)
{
    json_object *v;

    assert_true(json_object_object_get_ex(o, name, &v));
    assert_true(json_object_is_type(v, json_type_int));
    return json_object_get_int64(v);
}

/* base64url without padding, decoded (independent of mai_b64url) */
static unsigned char *unb64url(apr_pool_t *p, const char *s, apr_size_t n,
                               apr_size_t *len)
{
    char *std = apr_palloc(p, n + 4);
    unsigned char *out = apr_palloc(p, n + 4);
    apr_size_t i, m = n;
    int k;

    for (i = 0; i < n; i++) {
        assert_true(s[i] != '=' && s[i] != '+' && s[i] != '/');
        std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
    }
    while (m % 4) {
        std[m++] = '=';
    }
    std[m] = '\0';
    k = EVP_DecodeBlock(out, (unsigned char *)std, (int)m);
    assert_true(k >= 0);
    *len = (apr_size_t)k - (m - n);
    out[*len] = '\0';
    return out;
}

typedef struct {
    json_object *header, *claims;
    const char *signing_input;
    unsigned char *sig;
    apr_size_t sig_len;
} jws_parts_t;

static void split(apr_pool_t *p, const char *compact, jws_parts_t *j)
{
    const char *d1 = strchr(compact, '.'), *d2;
    apr_size_t n;

    assert_non_null(d1);
    d2 = strchr(d1 + 1, '.');
    assert_non_null(d2);
    assert_null(strchr(d2 + 1, '.'));
    j->header = parse((char *)unb64url(p, compact, d1 - compact, &n));
    j->claims = parse((char *)unb64url(p, d1 + 1, d2 - d1 - 1, &n));
    j->signing_input = apr_pstrmemdup(p, compact, d2 - compact);
    j->sig = unb64url(p, d2 + 1, strlen(d2 + 1), &j->sig_len);
}

static void release(jws_parts_t *j)
{
    json_object_put(j->header);
    json_object_put(j->claims);
}

static EVP_PKEY *keygen(const char *type, const char *arg)
{
    EVP_PKEY *k = !strcmp(type, "RSA")
                  ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)atoi(arg))
                  : !strcmp(type, "EC")
                  ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", arg)
                  : EVP_PKEY_Q_keygen(NULL, NULL, type);

    assert_non_null(k);
    return k;
}

/* The key as a PEM file (PKCS#8 or traditional), removed with p. */
static apr_status_t unlink_file(void *path)
{
    unlink(path);
    return APR_SUCCESS;
}

static const char *temp_file(apr_pool_t *p, const char *text)
{
    char *path = apr_pstrdup(p, "/tmp/mai_test_keyXXXXXX");
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    apr_pool_cleanup_register(p, path, unlink_file, apr_pool_cleanup_null);
    return path;
}

static const char *pem_file(apr_pool_t *p, EVP_PKEY *k, int traditional,
                            int encrypted)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data;
    long n;

    if (encrypted) {
        assert_true(PEM_write_bio_PrivateKey(b, k, EVP_aes_128_cbc(), NULL,
                                             0, NULL, "pass"));
    }
    else if (traditional) {
        assert_true(PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL,
                                                         0, NULL, NULL));
    }
    else {
        assert_true(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL,
                                             NULL));
    }
    n = BIO_get_mem_data(b, &data);
    data = apr_pstrmemdup(p, data, n);
    BIO_free(b);
    return temp_file(p, data);
}

/* OpenSSL checks the JWS signature with the key it was made from. */
static int openssl_verifies(EVP_PKEY *k, const jws_parts_t *j,
                            const char *alg)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    const EVP_MD *h = strstr(alg, "384") ? EVP_sha384()
                      : strstr(alg, "512") ? EVP_sha512() : EVP_sha256();
    unsigned char der[256], *dp = der;
    const unsigned char *sig = j->sig;
    size_t sig_len = j->sig_len;
    int ok;

    if (alg[0] == 'E') {
        /* JWS carries r || s (RFC 7518 3.4); OpenSSL wants DER */
        ECDSA_SIG *es = ECDSA_SIG_new();
        size_t half = j->sig_len / 2;
        ECDSA_SIG_set0(es, BN_bin2bn(j->sig, (int)half, NULL),
                       BN_bin2bn(j->sig + half, (int)half, NULL));
        sig_len = (size_t)i2d_ECDSA_SIG(es, &dp);
        sig = der;
        ECDSA_SIG_free(es);
    }
    assert_int_equal(EVP_DigestVerifyInit(md, &pctx, h, NULL, k), 1);
    if (alg[0] == 'P') {
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }
    ok = EVP_DigestVerify(md, sig, sig_len,
                          (const unsigned char *)j->signing_input,
                          strlen(j->signing_input)) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

static mai_sign_key_t *load_ok(apr_pool_t *p, const char *path,
                               const char *kid)
{
    mai_sign_key_t *k = NULL;
    const char *err = mai_sign_key_load(p, path, kid, &k);

    if (err) {
        fail_msg("key refused: %s", err);
    }
    return k;
}

static const char *load_bad(apr_pool_t *p, const char *path)
{
    mai_sign_key_t *k = NULL;
    const char *err = mai_sign_key_load(p, path, NULL, &k);

    assert_non_null(err);
    return err;
}

/* -- the claim set ------------------------------------------------------ */

static void test_b64url(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(mai_b64url(p, (const unsigned char *)"", 0), "");
    assert_string_equal(mai_b64url(p, (const unsigned char *)"f", 1), "Zg");
    assert_string_equal(mai_b64url(p, (const unsigned char *)"fo", 2),
                        "Zm8");
    assert_string_equal(mai_b64url(p, (const unsigned char *)"foo", 3),
                        "Zm9v");
    assert_string_equal(mai_b64url(p, (const unsigned char *)"foob", 4),
                        "Zm9vYg");
    assert_string_equal(mai_b64url(p, (const unsigned char *)"\xfb\xff", 2),
                        "-_8");
}

static void test_claims(void **state)
{
    apr_pool_t *p = *state;
    const char *c = mai_client_assertion_claims(
        p, "rs \"1\"/é", "https://as.example/t", NULL, "jti-1",
        1700000000, MAI_ASSERTION_LIFE);
    json_object *o = parse(c), *aud;

    assert_string_equal(str(o, "iss"), "rs \"1\"/é");
    assert_string_equal(str(o, "sub"), "rs \"1\"/é");
    assert_string_equal(str(o, "aud"), "https://as.example/t");
    assert_string_equal(str(o, "jti"), "jti-1");
    assert_int_equal(num(o, "iat"), 1700000000);
    assert_int_equal(num(o, "exp") - num(o, "iat"), 60);
    /* URLs stay readable: no escaped slashes */
    assert_non_null(strstr(c, "\"https://as.example/t\""));
    json_object_put(o);

    /* two audiences: an array */
    o = parse(mai_client_assertion_claims(p, "c", "https://iss", "https://ep",
                                          "j", 5, 10));
    assert_true(json_object_object_get_ex(o, "aud", &aud));
    assert_int_equal(json_object_array_length(aud), 2);
    assert_string_equal(json_object_get_string(
        json_object_array_get_idx(aud, 0)), "https://iss");
    assert_string_equal(json_object_get_string(
        json_object_array_get_idx(aud, 1)), "https://ep");
    assert_int_equal(num(o, "exp") - num(o, "iat"), 10);
    json_object_put(o);

    /* a life past 60 s (or none) is cut to 60 */
    o = parse(mai_client_assertion_claims(p, "c", "a", NULL, "j", 5, 3600));
    assert_int_equal(num(o, "exp") - num(o, "iat"), 60);
    json_object_put(o);
    o = parse(mai_client_assertion_claims(p, "c", "a", NULL, "j", 5, 0));
    assert_int_equal(num(o, "exp") - num(o, "iat"), 60);
    json_object_put(o);

    assert_null(mai_client_assertion_claims(p, NULL, "a", NULL, "j", 5, 60));
    assert_null(mai_client_assertion_claims(p, "c", NULL, NULL, "j", 5, 60));
    assert_null(mai_client_assertion_claims(p, "c", "a", NULL, NULL, 5, 60));
}

/* The claims are the text json-c wrote for them (plain, "/" unescaped),
 * byte for byte, whatever the strings hold. */
static const char *json_c_claims(apr_pool_t *p, const char *id,
                                 const char *aud, const char *aud2,
                                 const char *jti, apr_int64_t now, int life)
{
    json_object *o = json_object_new_object(), *a;
    const char *out;

    json_object_object_add(o, "iss", json_object_new_string(id));
    json_object_object_add(o, "sub", json_object_new_string(id));
    if (aud2) {
        a = json_object_new_array();
        json_object_array_add(a, json_object_new_string(aud));
        json_object_array_add(a, json_object_new_string(aud2));
        json_object_object_add(o, "aud", a);
    }
    else {
        json_object_object_add(o, "aud", json_object_new_string(aud));
    }
    json_object_object_add(o, "jti", json_object_new_string(jti));
    json_object_object_add(o, "iat", json_object_new_int64(now));
    json_object_object_add(o, "exp", json_object_new_int64(now + life));
    out = apr_pstrdup(p, json_object_to_json_string_ext(
                             o, JSON_C_TO_STRING_PLAIN
                                | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return out;
}

static void test_claims_text(void **state)
{
    apr_pool_t *p = *state;
    static const char *const ids[] = {
        "c", "rs \"1\"/\xc3\xa9", "a\\b\b\f\n\r\tz", "\x01\x1f\x7f\x80 ",
        "", "https://as.example/t?x=\"y\""
    };
    apr_size_t i, j;

    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        for (j = 0; j < sizeof(ids) / sizeof(ids[0]); j++) {
            assert_string_equal(
                mai_client_assertion_claims(p, ids[i], ids[j], NULL, ids[j],
                                            -5, 60),
                json_c_claims(p, ids[i], ids[j], NULL, ids[j], -5, 60));
            assert_string_equal(
                mai_client_assertion_claims(p, ids[i], ids[j], ids[i], "j",
                                            1700000000, 30),
                json_c_claims(p, ids[i], ids[j], ids[i], "j", 1700000000,
                              30));
        }
    }
}

/* -- signing keys and JWS ----------------------------------------------- */

static void sign_and_check(apr_pool_t *p, EVP_PKEY *pk, const char *path,
                           const char *want_alg)
{
    mai_sign_key_t *k = load_ok(p, path, NULL);
    mai_assertion_req_t q = { "rs-1", "https://as.example", NULL, 0 };
    const char *a1, *a2;
    jws_parts_t j1, j2;
    int64_t now = (int64_t)apr_time_sec(apr_time_now());

    assert_string_equal(mai_sign_key_alg(k), want_alg);
    assert_non_null(mai_sign_key_kid(k));
    assert_null(mai_client_assertion(p, k, &q, &a1));
    assert_null(mai_client_assertion(p, k, &q, &a2));
    split(p, a1, &j1);
    split(p, a2, &j2);
    assert_string_equal(str(j1.header, "alg"), want_alg);
    assert_string_equal(str(j1.header, "typ"), "JWT");
    assert_string_equal(str(j1.header, "kid"), mai_sign_key_kid(k));
    assert_string_equal(str(j1.claims, "iss"), "rs-1");
    assert_string_equal(str(j1.claims, "sub"), "rs-1");
    assert_string_equal(str(j1.claims, "aud"), "https://as.example");
    assert_true(num(j1.claims, "exp") - num(j1.claims, "iat") <= 60);
    assert_true(num(j1.claims, "exp") > num(j1.claims, "iat"));
    assert_true(num(j1.claims, "iat") >= now - 1
                && num(j1.claims, "iat") <= now + 5);
    /* 16 random bytes: 22 base64url characters, new every time */
    assert_int_equal(strlen(str(j1.claims, "jti")), 22);
    assert_string_not_equal(str(j1.claims, "jti"), str(j2.claims, "jti"));
    assert_true(openssl_verifies(pk, &j1, want_alg));
    assert_true(openssl_verifies(pk, &j2, want_alg));
    /* a changed payload no longer verifies */
    j1.signing_input = apr_pstrcat(p, j1.signing_input, "x", NULL);
    assert_false(openssl_verifies(pk, &j1, want_alg));
    release(&j1);
    release(&j2);
}

static void test_rsa_pem(void **state)
{
    apr_pool_t *p = *state;
    EVP_PKEY *pk = keygen("RSA", "2048");

    sign_and_check(p, pk, pem_file(p, pk, 0, 0), "RS256");
    sign_and_check(p, pk, pem_file(p, pk, 1, 0), "RS256");
    EVP_PKEY_free(pk);
}

static void test_ec_pem(void **state)
{
    apr_pool_t *p = *state;
    static const char *curves[][2] = { { "P-256", "ES256" },
                                       { "P-384", "ES384" },
                                       { "P-521", "ES512" } };
    int i;

    for (i = 0; i < 3; i++) {
        EVP_PKEY *pk = keygen("EC", curves[i][0]);
        sign_and_check(p, pk, pem_file(p, pk, 0, 0), curves[i][1]);
        sign_and_check(p, pk, pem_file(p, pk, 1, 0), curves[i][1]);
        EVP_PKEY_free(pk);
    }
}

static void test_kid(void **state)
{
    apr_pool_t *p = *state;
    EVP_PKEY *pk = keygen("EC", "P-256");
    const char *path = pem_file(p, pk, 0, 0);
    mai_sign_key_t *k1 = load_ok(p, path, NULL), *k2;
    unsigned char *x = NULL, *y = NULL;
    BIGNUM *bx = NULL, *by = NULL;
    unsigned char md[32];
    unsigned int mdlen = sizeof(md);
    const char *canonical;

    /* RFC 7638: SHA-256 of {"crv","kty","x","y"} in that order */
    assert_true(EVP_PKEY_get_bn_param(pk, "qx", &bx));
    assert_true(EVP_PKEY_get_bn_param(pk, "qy", &by));
    x = apr_palloc(p, 32);
    y = apr_palloc(p, 32);
    BN_bn2binpad(bx, x, 32);
    BN_bn2binpad(by, y, 32);
    canonical = apr_pstrcat(p, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"",
                            mai_b64url(p, x, 32), "\",\"y\":\"",
                            mai_b64url(p, y, 32), "\"}", NULL);
    EVP_Digest(canonical, strlen(canonical), md, &mdlen, EVP_sha256(), NULL);
    assert_string_equal(mai_sign_key_kid(k1), mai_b64url(p, md, mdlen));
    /* an explicit kid wins */
    k2 = load_ok(p, path, "key-2026");
    assert_string_equal(mai_sign_key_kid(k2), "key-2026");
    BN_free(bx);
    BN_free(by);
    EVP_PKEY_free(pk);
}

/* RFC 7638 section 3.1's example key (n, e; its thumbprint is in the
 * RFC) with the private exponent of a key of the same size: cjose only
 * imports it, the test signs nothing with it. */
static void test_jwk_thumbprint_rfc7638(void **state)
{
    apr_pool_t *p = *state;
    EVP_PKEY *pk = keygen("RSA", "2048");
    BIGNUM *d = NULL;
    unsigned char *db;
    const char *jwk;
    mai_sign_key_t *k;

    assert_true(EVP_PKEY_get_bn_param(pk, "d", &d));
    db = apr_palloc(p, BN_num_bytes(d));
    BN_bn2bin(d, db);
    jwk = apr_pstrcat(p, "{\"kty\":\"RSA\",\"n\":\""
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu"
        "1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4H"
        "c5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqz"
        "s8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4"
        "vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8a"
        "wapJzKnqDKgw"
        "\",\"e\":\"AQAB\",\"alg\":\"PS256\",\"d\":\"",
        mai_b64url(p, db, BN_num_bytes(d)), "\"}", NULL);
    k = load_ok(p, temp_file(p, jwk), NULL);
    assert_string_equal(mai_sign_key_kid(k),
                        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    /* the JWK's alg chooses PS256 over the default RS256 */
    assert_string_equal(mai_sign_key_alg(k), "PS256");
    BN_free(d);
    EVP_PKEY_free(pk);
}

/* A private JWK written from an OpenSSL key, its own kid kept. */
static void test_jwk_signs(void **state)
{
    apr_pool_t *p = *state;
    EVP_PKEY *pk = keygen("EC", "P-384");
    BIGNUM *bx = NULL, *by = NULL, *bd = NULL;
    unsigned char x[48], y[48], d[48];
    const char *jwk;
    mai_sign_key_t *k;
    mai_assertion_req_t q = { "rs-2", "https://iss", "https://ep/x", 0 };
    const char *a;
    jws_parts_t j;
    json_object *aud;

    assert_true(EVP_PKEY_get_bn_param(pk, "qx", &bx));
    assert_true(EVP_PKEY_get_bn_param(pk, "qy", &by));
    assert_true(EVP_PKEY_get_bn_param(pk, "priv", &bd));
    BN_bn2binpad(bx, x, 48);
    BN_bn2binpad(by, y, 48);
    BN_bn2binpad(bd, d, 48);
    jwk = apr_pstrcat(p, "  {\"kty\":\"EC\",\"crv\":\"P-384\",\"kid\":"
                      "\"mine\",\"x\":\"", mai_b64url(p, x, 48),
                      "\",\"y\":\"", mai_b64url(p, y, 48), "\",\"d\":\"",
                      mai_b64url(p, d, 48), "\"}\n", NULL);
    k = load_ok(p, temp_file(p, jwk), NULL);
    assert_string_equal(mai_sign_key_kid(k), "mine");
    assert_string_equal(mai_sign_key_alg(k), "ES384");
    assert_null(mai_client_assertion(p, k, &q, &a));
    split(p, a, &j);
    assert_true(openssl_verifies(pk, &j, "ES384"));
    assert_true(json_object_object_get_ex(j.claims, "aud", &aud));
    assert_int_equal(json_object_array_length(aud), 2);
    release(&j);
    BN_free(bx);
    BN_free(by);
    BN_clear_free(bd);
    EVP_PKEY_free(pk);
}

static void test_hmac(void **state)
{
    apr_pool_t *p = *state;
    const char *secret = "a client secret of 32 bytes or more!";
    mai_sign_key_t *k = NULL;
    mai_assertion_req_t q = { "rs-3", "https://as.example", NULL, 0 };
    const char *a;
    jws_parts_t j;
    unsigned char mac[32];
    unsigned int maclen = sizeof(mac);

    assert_null(mai_sign_key_hmac(p, secret, &k));
    assert_string_equal(mai_sign_key_alg(k), "HS256");
    assert_null(mai_sign_key_kid(k));
    assert_null(mai_client_assertion(p, k, &q, &a));
    split(p, a, &j);
    assert_string_equal(str(j.header, "alg"), "HS256");
    assert_false(json_object_object_get_ex(j.header, "kid", NULL));
    HMAC(EVP_sha256(), secret, (int)strlen(secret),
         (const unsigned char *)j.signing_input, strlen(j.signing_input),
         mac, &maclen);
    assert_int_equal(j.sig_len, 32);
    assert_memory_equal(j.sig, mac, 32);
    release(&j);
}

static void test_reuse(void **state)
{
    apr_pool_t *p = *state;
    mai_sign_key_t *k = NULL;
    mai_assertion_req_t q = { "rs-4", "https://as.example", NULL, 0 };
    const char *a1, *a2, *a3, *a4;

    assert_null(mai_sign_key_hmac(p, "another secret, long enough....", &k));
    assert_null(mai_client_assertion(p, k, &q, &a1));
    assert_null(mai_client_assertion(p, k, &q, &a2));
    assert_string_not_equal(a1, a2);        /* default: always fresh */
    q.reuse = 30;
    assert_null(mai_client_assertion(p, k, &q, &a1));
    assert_null(mai_client_assertion(p, k, &q, &a2));
    assert_string_equal(a1, a2);            /* reused within 30 s */
    q.aud = "https://other.example";        /* another audience: new */
    assert_null(mai_client_assertion(p, k, &q, &a3));
    assert_string_not_equal(a1, a3);
    q.client_id = "rs-5";                   /* another client: new */
    assert_null(mai_client_assertion(p, k, &q, &a4));
    assert_string_not_equal(a3, a4);
}

static void test_refused(void **state)
{
    apr_pool_t *p = *state;
    EVP_PKEY *pk;
    const char *err;

    pk = keygen("ED25519", NULL);
    err = load_bad(p, pem_file(p, pk, 0, 0));
    assert_non_null(strstr(err, "EdDSA"));
    assert_non_null(strstr(err, "cjose"));
    EVP_PKEY_free(pk);

    pk = keygen("RSA", "1024");
    assert_non_null(strstr(load_bad(p, pem_file(p, pk, 0, 0)), "2048"));
    EVP_PKEY_free(pk);

    pk = keygen("EC", "secp256k1");
    assert_non_null(strstr(load_bad(p, pem_file(p, pk, 0, 0)), "P-256"));
    EVP_PKEY_free(pk);

    pk = keygen("EC", "P-256");
    assert_non_null(strstr(load_bad(p, pem_file(p, pk, 0, 1)), "encrypted"));
    EVP_PKEY_free(pk);

    err = load_bad(p, temp_file(p, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
                                "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwI"
                                "aaPcHURo\",\"d\":\"nWGxne_9WmC6hEr0kuwsxER"
                                "JxWl7MmkZcDusAxyuf2A\"}"));
    assert_non_null(strstr(err, "EdDSA"));
    assert_non_null(strstr(load_bad(p, temp_file(
        p, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"MKBCTNIcKUSDii11ySs35"
           "26iDZ8AiTo7Tu6KPAqv7D4\",\"y\":\"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmW"
           "WlbbM4IFyM\"}")), "private"));
    assert_non_null(strstr(load_bad(p, temp_file(p, "{\"kty\":\"oct\","
                                                 "\"k\":\"AAAA\"}")),
                           "AuthIntrospectClientSecret"));
    assert_non_null(strstr(load_bad(p, temp_file(p, "not a key\n")),
                           "no PEM private key or JWK"));
    err = load_bad(p, "/nonexistent/mai-key.pem");
    assert_non_null(strstr(err, "/nonexistent/mai-key.pem"));
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_b64url),
    UNIT_TEST(test_claims),
    UNIT_TEST(test_claims_text),
    UNIT_TEST(test_rsa_pem),
    UNIT_TEST(test_ec_pem),
    UNIT_TEST(test_kid),
    UNIT_TEST(test_jwk_thumbprint_rfc7638),
    UNIT_TEST(test_jwk_signs),
    UNIT_TEST(test_hmac),
    UNIT_TEST(test_reuse),
    UNIT_TEST(test_refused),
};
UNIT_MAIN(tests)
