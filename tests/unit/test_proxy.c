/* SPDX-License-Identifier: Apache-2.0 */
/* test_proxy.c: the outgoing proxy's URL, credentials, CONNECT request
 * and the head of its answer. */
#include "unit.h"
#include <apr_strings.h>
#include "proxy.h"

static void test_parse(void **state)
{
    apr_pool_t *p = *state;
    mai_url_t u;

    assert_null(mai_proxy_parse(p, "http://proxy.example:3128", &u));
    assert_string_equal(u.host, "proxy.example");
    assert_int_equal(u.port, 3128);
    assert_null(mai_proxy_parse(p, "HTTP://[::1]:8080/", &u));
    assert_string_equal(u.host, "::1");
    assert_null(mai_proxy_parse(p, "http://proxy", &u));
    assert_int_equal(u.port, 80);
    assert_non_null(mai_proxy_parse(p, "https://proxy:3128", &u));
    assert_non_null(mai_proxy_parse(p, "http://user:pw@proxy:3128", &u));
    assert_non_null(mai_proxy_parse(p, "http://proxy:3128/path", &u));
    assert_non_null(mai_proxy_parse(p, "http://proxy:3128?x", &u));
    assert_non_null(mai_proxy_parse(p, "socks5://proxy:1080", &u));
    assert_non_null(mai_proxy_parse(p, "http://proxy:0", &u));
    assert_non_null(mai_proxy_parse(p, "", &u));
}

static void test_basic(void **state)
{
    apr_pool_t *p = *state;
    const char *out = NULL, *err;

    assert_null(mai_proxy_basic(p, "Aladdin:open sesame", &out));
    /* RFC 7617 section 2's example */
    assert_string_equal(out, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    /* the bytes as given: no form encoding, colons after the first kept */
    assert_null(mai_proxy_basic(p, "u:p:a%20ss", &out));
    assert_string_equal(out, "Basic dTpwOmElMjBzcw==");
    assert_null(mai_proxy_basic(p, "u:", &out));
    assert_string_equal(out, "Basic dTo=");
    out = NULL;
    err = mai_proxy_basic(p, "sesame-no-colon", &out);
    assert_non_null(err);
    assert_null(strstr(err, "sesame"));
    assert_null(out);
    assert_non_null(mai_proxy_basic(p, ":pw", &out));
    assert_non_null(mai_proxy_basic(p, "u:p\r\nX: y", &out));
    assert_non_null(mai_proxy_basic(p, "u:p\x7f", &out));
    assert_non_null(mai_proxy_basic(p, "", &out));
}

static void test_same(void **state)
{
    apr_pool_t *p = *state;
    mai_url_t u1, u2, u3;
    mai_proxy_t a = { &u1, NULL }, b = { &u2, NULL }, c = { &u3, NULL };

    assert_null(mai_proxy_parse(p, "http://Proxy:3128", &u1));
    assert_null(mai_proxy_parse(p, "http://proxy:3128/", &u2));
    assert_null(mai_proxy_parse(p, "http://proxy:3129", &u3));
    assert_true(mai_proxy_same(NULL, NULL));
    assert_false(mai_proxy_same(&a, NULL));
    assert_false(mai_proxy_same(NULL, &a));
    assert_true(mai_proxy_same(&a, &b));
    assert_false(mai_proxy_same(&a, &c));
    /* other credentials: another endpoint, other connections */
    b.auth = "Basic dTpw";
    assert_false(mai_proxy_same(&a, &b));
    a.auth = apr_pstrdup(p, "Basic dTpw");
    assert_true(mai_proxy_same(&a, &b));
}

static void test_connect_request(void **state)
{
    apr_pool_t *p = *state;
    mai_url_t u;
    apr_size_t n;
    const char *r;

    assert_null(mai_url_parse(p, "https://as.example/introspect", &u));
    r = mai_proxy_connect_request(p, &u, NULL, &n);
    /* the port always given, though it is https's default */
    assert_string_equal(r, "CONNECT as.example:443 HTTP/1.1\r\n"
                        "Host: as.example:443\r\n\r\n");
    assert_int_equal(n, strlen(r));
    assert_null(mai_url_parse(p, "https://[2001:db8::1]:8443/i", &u));
    r = mai_proxy_connect_request(p, &u, "Basic dTpw", &n);
    assert_string_equal(r, "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\n"
                        "Host: [2001:db8::1]:8443\r\n"
                        "Proxy-Authorization: Basic dTpw\r\n\r\n");
    assert_null(mai_proxy_connect_request(p, &u, "Basic x\r\nX: y", &n));
}

static void test_absolute_target(void **state)
{
    apr_pool_t *p = *state;
    mai_url_t u;

    assert_null(mai_url_parse(p, "http://hydra-admin:4445/admin/oauth2/"
                              "introspect?x=1", &u));
    assert_string_equal(mai_proxy_absolute_target(p, &u),
                        "http://hydra-admin:4445/admin/oauth2/introspect"
                        "?x=1");
    assert_null(mai_url_parse(p, "http://as", &u));
    assert_string_equal(mai_proxy_absolute_target(p, &u), "http://as/");
}

static mai_proxy_reply_t reply(const char *s, int *status, apr_size_t *len)
{
    return mai_proxy_connect_reply(s, strlen(s), status, len);
}

static void test_connect_reply(void **state)
{
    int status = 0;
    apr_size_t len = 0;
    const char *ok = "HTTP/1.1 200 Connection established\r\n"
                     "Proxy-agent: tinyproxy/1.11.1\r\n\r\n";
    char big[MAI_PROXY_REPLY_MAX + 10];
    apr_size_t i;

    assert_int_equal(reply(ok, &status, &len), MAI_PROXY_REPLY_DONE);
    assert_int_equal(status, 200);
    assert_int_equal(len, strlen(ok));
    /* bytes after the head are not part of it */
    assert_int_equal(mai_proxy_connect_reply("HTTP/1.0 200 OK\r\n\r\nxyz",
                                             22, &status, &len),
                     MAI_PROXY_REPLY_DONE);
    assert_int_equal(len, 19);
    assert_int_equal(reply("HTTP/1.1 407 Proxy Authentication Required\r\n"
                           "Content-Length: 5\r\n\r\nhello", &status, &len),
                     MAI_PROXY_REPLY_DONE);
    assert_int_equal(status, 407);
    assert_int_equal(reply("HTTP/1.1 502\n\n", &status, &len),
                     MAI_PROXY_REPLY_DONE);
    assert_int_equal(status, 502);
    /* every prefix of a good head asks for more */
    for (i = 0; i < strlen(ok); i++) {
        assert_int_equal(mai_proxy_connect_reply(ok, i, &status, &len),
                         MAI_PROXY_REPLY_MORE);
    }
    assert_int_equal(reply("SSH-2.0-OpenSSH\r\n\r\n", &status, &len),
                     MAI_PROXY_REPLY_BAD);
    assert_int_equal(reply("HTTP/2 200\r\n\r\n", &status, &len),
                     MAI_PROXY_REPLY_BAD);
    assert_int_equal(reply("HTTP/1.1 20 OK\r\n\r\n", &status, &len),
                     MAI_PROXY_REPLY_BAD);
    assert_int_equal(reply("HTTP/1.1 600 x\r\n\r\n", &status, &len),
                     MAI_PROXY_REPLY_BAD);
    assert_int_equal(reply("HTTP/1.1 2000\r\n\r\n", &status, &len),
                     MAI_PROXY_REPLY_BAD);
    memset(big, 'a', sizeof(big));
    memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
    assert_int_equal(mai_proxy_connect_reply(big, sizeof(big), &status,
                                             &len),
                     MAI_PROXY_REPLY_TOO_LARGE);
    assert_int_equal(mai_proxy_connect_reply(big, MAI_PROXY_REPLY_MAX - 1,
                                             &status, &len),
                     MAI_PROXY_REPLY_MORE);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_parse),
    UNIT_TEST(test_basic),
    UNIT_TEST(test_same),
    UNIT_TEST(test_connect_request),
    UNIT_TEST(test_absolute_target),
    UNIT_TEST(test_connect_reply),
};
UNIT_MAIN(tests)
