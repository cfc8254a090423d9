/* SPDX-License-Identifier: Apache-2.0 */
/* test_cert_bind.c: RFC 8705 thumbprints of a real certificate in every
 * form cert_bind.h accepts, against OpenSSL's own DER and SHA-256; the
 * cnf members result.c lets through; the binding rule. */
#include "unit.h"
#include "unit_cert.h"
#include <openssl/evp.h>
#include "cert_bind.h"
#include "result.h"

/* The expected thumbprint, computed the long way: OpenSSL's DER of the
 * parsed certificate, EVP SHA-256, base64url without padding. */
static const char *want_thumb(apr_pool_t *p, X509 *x)
{
    unsigned char *der = NULL, h[32];
    unsigned int hl = 0;
    int n = i2d_X509(x, &der), i, o = 0;
    char b64[64], *out = apr_pcalloc(p, 64);

    assert_true(n > 0);
    assert_true(EVP_Digest(der, (size_t)n, h, &hl, EVP_sha256(), NULL));
    OPENSSL_free(der);
    EVP_EncodeBlock((unsigned char *)b64, h, (int)hl);
    for (i = 0; b64[i] && b64[i] != '='; i++) {
        out[o++] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
    }
    return out;
}

static const char *pem_of(apr_pool_t *p, X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data;
    long n;
    const char *out;

    assert_true(PEM_write_bio_X509(b, x));
    n = BIO_get_mem_data(b, &data);
    out = apr_pstrmemdup(p, data, (apr_size_t)n);
    BIO_free(b);
    return out;
}

/* Every byte but the base64 alphabet percent-encoded, '+' and '/' too
 * (as nginx's $ssl_client_escaped_cert does for the line breaks). */
static const char *escaped(apr_pool_t *p, const char *s, int plus)
{
    char *out = apr_palloc(p, strlen(s) * 3 + 1), *o = out;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9') || (c == '+' && plus)) {
            *o++ = (char)c;
        }
        else {
            o += sprintf(o, "%%%02X", c);
        }
    }
    *o = '\0';
    return out;
}

static char *replace_all(apr_pool_t *p, const char *s, char from, char to)
{
    char *c = apr_pstrdup(p, s), *i;
    for (i = c; *i; i++) {
        if (*i == from) {
            *i = to;
        }
    }
    return c;
}

static void test_forms(void **state)
{
    apr_pool_t *p = *state;
    cert_t c, other;
    const char *want, *pem, *b64;
    char *body;

    make_cert(&c, p, "DNS:client.example", 7);
    make_cert(&other, p, "DNS:client.example", 8);
    want = want_thumb(p, c.cert);
    pem = pem_of(p, c.cert);
    assert_string_equal(mai_cert_thumbprint(p, pem), want);
    /* mod_headers forwarding SSL_CLIENT_CERT: line breaks become spaces */
    assert_string_equal(mai_cert_thumbprint(p, replace_all(p, pem, '\n',
                                                           ' ')), want);
    /* URL-encoded, with '+' kept or encoded */
    assert_string_equal(mai_cert_thumbprint(p, escaped(p, pem, 1)), want);
    assert_string_equal(mai_cert_thumbprint(p, escaped(p, pem, 0)), want);
    /* base64 DER alone, and with the PEM line breaks */
    body = apr_pstrdup(p, strstr(pem, "\n") + 1);
    *strstr(body, "-----END") = '\0';
    assert_string_equal(mai_cert_thumbprint(p, body), want);
    b64 = apr_pstrdup(p, body);
    apr_collapse_spaces((char *)b64, body);   /* returns the end */
    assert_string_equal(mai_cert_thumbprint(p, b64), want);
    /* a chain: the first certificate counts */
    assert_string_equal(mai_cert_thumbprint(p, apr_pstrcat(
        p, pem, pem_of(p, other.cert), NULL)), want);
    /* another certificate, another thumbprint */
    assert_string_not_equal(mai_cert_thumbprint(p, pem_of(p, other.cert)),
                            want);
    X509_free(c.cert);
    EVP_PKEY_free(c.key);
    X509_free(other.cert);
    EVP_PKEY_free(other.key);
}

static void test_unreadable(void **state)
{
    apr_pool_t *p = *state;

    assert_null(mai_cert_thumbprint(p, NULL));
    assert_null(mai_cert_thumbprint(p, ""));
    assert_null(mai_cert_thumbprint(p, "   "));
    assert_null(mai_cert_thumbprint(p, "-----BEGIN CERTIFICATE-----"));
    assert_null(mai_cert_thumbprint(p, "-----BEGIN CERTIFICATE-----\n"
                                    "-----END CERTIFICATE-----"));
    assert_null(mai_cert_thumbprint(p, "not base64!"));
    assert_null(mai_cert_thumbprint(p, "QUJD"  "=QUJD"));  /* after '=' */
    assert_null(mai_cert_thumbprint(p, "QUJDR"));          /* length */
    assert_null(mai_cert_thumbprint(p, "QUJD%"));          /* bad escape */
    assert_null(mai_cert_thumbprint(p, "QU%00JD"));        /* NUL */
    assert_null(mai_cert_thumbprint(p, "QUJD-_"));         /* base64url */
    /* any canonical base64 has a thumbprint: "ABC" here */
    assert_string_equal(mai_cert_thumbprint(p, "QUJD"),
                        "tdQEXD9Gb6kf4sxqvnkjKhpXzfEE96JucW4KHieJ33g");
}

static const mai_result_t *parse(apr_pool_t *p, const char *json)
{
    const mai_result_t *r = NULL;
    assert_int_equal(mai_result_parse(p, json, strlen(json), &r), MAI_OK);
    return r;
}

static mai_status_t check(apr_pool_t *p, const char *json)
{
    return mai_result_check(parse(p, json), 100, 0, NULL, NULL);
}

/* result.c lets a string x5t#S256 through for this file to check, and
 * still refuses anything else in cnf */
static void test_cnf(void **state)
{
    apr_pool_t *p = *state;

    assert_int_equal(check(p, "{\"active\":true,\"cnf\":{\"x5t#S256\":"
                          "\"abc\"}}"), MAI_OK);
    assert_string_equal(mai_cert_bind_x5t(parse(p, "{\"active\":true,"
                        "\"cnf\":{\"x5t#S256\":\"abc\"}}")), "abc");
    assert_int_equal(check(p, "{\"active\":true,\"cnf\":{\"x5t#S256\":"
                          "\"abc\",\"jwk\":{}}}"), MAI_STATUS_BOUND_TOKEN);
    assert_int_equal(check(p, "{\"active\":true,\"cnf\":{\"x5t#S256\":"
                          "5}}"), MAI_STATUS_BOUND_TOKEN);
    assert_int_equal(check(p, "{\"active\":true,\"cnf\":{\"x5t\":"
                          "\"abc\"}}"), MAI_STATUS_BOUND_TOKEN);
    assert_int_equal(check(p, "{\"active\":true,\"cnf\":\"x\"}"),
                     MAI_STATUS_BOUND_TOKEN);
    assert_int_equal(check(p, "{\"active\":true,\"cnf\":{}}"), MAI_OK);
    assert_null(mai_cert_bind_x5t(parse(p, "{\"active\":true,"
                "\"cnf\":{\"x5t#S256\":5}}")));
    assert_null(mai_cert_bind_x5t(parse(p, "{\"active\":true}")));
}

static void test_rule(void **state)
{
    assert_int_equal(mai_cert_bind_check("abc", NULL),
                     MAI_STATUS_NO_CLIENT_CERT);
    assert_int_equal(mai_cert_bind_check("abc", "abd"),
                     MAI_STATUS_CERT_MISMATCH);
    assert_int_equal(mai_cert_bind_check("abc", "abcd"),
                     MAI_STATUS_CERT_MISMATCH);
    assert_int_equal(mai_cert_bind_check("abc", "abc"), MAI_OK);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_forms),
    UNIT_TEST(test_unreadable),
    UNIT_TEST(test_cnf),
    UNIT_TEST(test_rule),
};

UNIT_MAIN(tests)
