/* test_url.c: endpoint URL parsing and the loopback test. */
#include "unit.h"
#include "url.h"

static void parse_ok(apr_pool_t *p, const char *s, int tls, const char *host,
                     int port, const char *path, const char *authority)
{
    mai_url_t u;
    const char *err = mai_url_parse(p, s, &u);

    if (err) {
        fail_msg("%s: %s", s, err);
    }
    assert_int_equal(u.tls, tls);
    assert_string_equal(u.host, host);
    assert_int_equal(u.port, port);
    assert_string_equal(u.path, path);
    assert_string_equal(u.authority, authority);
}

static void parse_bad(apr_pool_t *p, const char *s)
{
    mai_url_t u;
    const char *err = mai_url_parse(p, s, &u);

    if (!err) {
        fail_msg("accepted: %s", s);
    }
    assert_true(strlen(err) > 0);
}

static void test_basic(void **state)
{
    apr_pool_t *p = *state;

    parse_ok(p, "https://as.example/introspect", 1, "as.example", 443,
             "/introspect", "as.example");
    parse_ok(p, "http://as.example/i", 0, "as.example", 80, "/i", "as.example");
    parse_ok(p, "HTTPS://AS.example:8443/a/b", 1, "AS.example", 8443, "/a/b",
             "AS.example:8443");
    parse_ok(p, "HtTp://127.0.0.1:8080", 0, "127.0.0.1", 8080, "/",
             "127.0.0.1:8080");
    parse_ok(p, "https://as", 1, "as", 443, "/", "as");
}

static void test_default_port_and_query(void **state)
{
    apr_pool_t *p = *state;

    /* an explicit default port is left out of Host, as browsers do */
    parse_ok(p, "https://as:443/i", 1, "as", 443, "/i", "as");
    parse_ok(p, "http://as:80/i", 0, "as", 80, "/i", "as");
    parse_ok(p, "http://as:443/i", 0, "as", 443, "/i", "as:443");
    parse_ok(p, "https://as/i?tenant=a&x=1", 1, "as", 443, "/i?tenant=a&x=1",
             "as");
    parse_ok(p, "https://as?x=1", 1, "as", 443, "/?x=1", "as");
    parse_ok(p, "https://as:1/", 1, "as", 1, "/", "as:1");
    parse_ok(p, "https://as:65535/", 1, "as", 65535, "/", "as:65535");
}

static void test_ipv6(void **state)
{
    apr_pool_t *p = *state;

    parse_ok(p, "https://[::1]:8443/i", 1, "::1", 8443, "/i", "[::1]:8443");
    parse_ok(p, "http://[2001:db8::7]/", 0, "2001:db8::7", 80, "/",
             "[2001:db8::7]");
    parse_bad(p, "https://[::1/i");
    parse_bad(p, "https://[::1]x/i");
    parse_bad(p, "https://[not-v6]/i");
    parse_bad(p, "https://[fe80::1%25eth0]/i");
    parse_bad(p, "https://::1/i");
    parse_bad(p, "https://[::1]:/i");
}

static void test_rejects(void **state)
{
    apr_pool_t *p = *state;
    mai_url_t u;

    parse_bad(p, "ftp://as/i");
    parse_bad(p, "as.example/i");
    parse_bad(p, "https:/as/i");
    parse_bad(p, "https://");
    parse_bad(p, "https:///i");
    parse_bad(p, "https://:8443/i");
    parse_bad(p, "https://user:pw@as/i");
    parse_bad(p, "https://as@evil/i");
    parse_bad(p, "https://as/i#frag");
    parse_bad(p, "https://as/i?x#");
    parse_bad(p, "https://as /i");
    parse_bad(p, "https://as/i x");
    parse_bad(p, "https://as/i\t");
    parse_bad(p, "https://as/i\r\nX: y");
    parse_bad(p, "https://as/\x7f");
    parse_bad(p, "https://as\xc3\xa9/");
    parse_bad(p, "https://a%73/");
    parse_bad(p, "https://as\\evil/");
    parse_bad(p, "");
    assert_non_null(mai_url_parse(p, NULL, &u));
}

static void test_bad_ports(void **state)
{
    apr_pool_t *p = *state;

    parse_bad(p, "https://as:0/i");
    parse_bad(p, "https://as:65536/i");
    parse_bad(p, "https://as:99999/i");
    parse_bad(p, "https://as:000443/i");
    parse_bad(p, "https://as:4294967297/i");
    parse_bad(p, "https://as:84a3/i");
    parse_bad(p, "https://as:-1/i");
    parse_bad(p, "https://as:+443/i");
    parse_bad(p, "https://as:/i");
    parse_bad(p, "https://as:443:443/i");
}

static void test_loopback(void **state)
{
    assert_true(mai_url_is_loopback_host("localhost"));
    assert_true(mai_url_is_loopback_host("LocalHost"));
    assert_true(mai_url_is_loopback_host("127.0.0.1"));
    assert_true(mai_url_is_loopback_host("127.255.3.4"));
    assert_true(mai_url_is_loopback_host("::1"));
    assert_true(mai_url_is_loopback_host("0:0:0:0:0:0:0:1"));
    assert_true(mai_url_is_loopback_host("0000::0001"));
    assert_true(mai_url_is_loopback_host("::ffff:127.0.0.1"));

    assert_false(mai_url_is_loopback_host(NULL));
    assert_false(mai_url_is_loopback_host(""));
    assert_false(mai_url_is_loopback_host("127.0.0.1.evil.com"));
    assert_false(mai_url_is_loopback_host("127.evil.com"));
    assert_false(mai_url_is_loopback_host("localhost.evil.com"));
    assert_false(mai_url_is_loopback_host("evil-localhost"));
    assert_false(mai_url_is_loopback_host("128.0.0.1"));
    assert_false(mai_url_is_loopback_host("10.127.0.1"));
    assert_false(mai_url_is_loopback_host("127.0.0"));
    assert_false(mai_url_is_loopback_host("127.0.0.256"));
    assert_false(mai_url_is_loopback_host("127.0.0.1 "));
    assert_false(mai_url_is_loopback_host("::2"));
    assert_false(mai_url_is_loopback_host("::"));
    assert_false(mai_url_is_loopback_host("[::1]"));
    assert_false(mai_url_is_loopback_host("::ffff:10.0.0.1"));
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_basic),     UNIT_TEST(test_default_port_and_query),
    UNIT_TEST(test_ipv6),      UNIT_TEST(test_rejects),
    UNIT_TEST(test_bad_ports), UNIT_TEST(test_loopback),
};
UNIT_MAIN(tests)
