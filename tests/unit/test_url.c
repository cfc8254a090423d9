/* SPDX-License-Identifier: Apache-2.0 */
/* test_url.c: endpoint URL parsing and the loopback test. */
#include <arpa/inet.h>
#include <stdio.h>
#include "unit.h"
#include <apr_strings.h>
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

/* Plain http off loopback: what AuthIntrospectAllowInsecureHTTP allows. */
static void test_insecure(void **state)
{
    apr_pool_t *p = *state;
    mai_url_t u;

    assert_null(mai_url_parse(p, "http://hydra-admin:4445/x", &u));
    assert_true(mai_url_is_insecure(&u));
    assert_null(mai_url_parse(p, "http://10.0.0.1/x", &u));
    assert_true(mai_url_is_insecure(&u));
    assert_null(mai_url_parse(p, "http://127.0.0.1/x", &u));
    assert_false(mai_url_is_insecure(&u));
    assert_null(mai_url_parse(p, "http://[::1]:9/x", &u));
    assert_false(mai_url_is_insecure(&u));
    assert_null(mai_url_parse(p, "https://hydra-admin:4445/x", &u));
    assert_false(mai_url_is_insecure(&u));
}

/* What url.c should answer, from the libc parser it reimplements. */
static int ref_loopback(const char *h)
{
    unsigned char a[16];
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0,    0,
                                              0, 0, 0, 0, 0xff, 0xff };

    if (inet_pton(AF_INET, h, a) == 1) {
        return a[0] == 127;
    }
    if (inet_pton(AF_INET6, h, a) == 1) {
        return memcmp(a, in6addr_loopback.s6_addr, 16) == 0 ||
               (memcmp(a, mapped, 12) == 0 && a[12] == 127);
    }
    return strcasecmp(h, "localhost") == 0;
}

static void compare_with_libc(apr_pool_t *p, const char *s)
{
    unsigned char a[16];
    mai_url_t u;
    const char *url = apr_pstrcat(p, "https://[", s, "]/", NULL);
    int ours = mai_url_parse(p, url, &u) == NULL;
    int libc = inet_pton(AF_INET6, s, a) == 1;

    if (ours != libc) {
        fail_msg("IPv6 literal \"%s\": ours %d, inet_pton %d", s, ours, libc);
    }
    if (mai_url_is_loopback_host(s) != ref_loopback(s)) {
        fail_msg("loopback \"%s\": ours %d", s, !ref_loopback(s));
    }
}

static void test_address_parsers_match_libc(void **state)
{
    static const char *fixed[] = {
        "::",
        "::1",
        "1::",
        "1::2",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7::",
        "::2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        ":1::2",
        "1::2::3",
        "1:::2",
        "1:",
        ":",
        ":::",
        "12345::",
        "0001::",
        "::ffff",
        "::1.2.3.4",
        "::ffff:127.0.0.1",
        "1:2:3:4:5:6:1.2.3.4",
        "1:2:3:4:5:6:7:1.2.3.4",
        "::1.2.3",
        "::1.2.3.4.5",
        "::01.2.3.4",
        "::256.1.1.1",
        "::1.2.3.4:1",
        "1.2.3.4",
        "127.0.0.1",
        "127.0.0.01",
        "127.1",
        "127.0.0.1.",
        ".127.0.0.1",
        "127..0.1",
        "0.0.0.0",
        "255.255.255.255",
        "127.255.255.255",
        "0:0:0:0:0:0:0:1",
        "0:0:0:0:0:ffff:7f00:1",
        "::FFFF:7F00:0001",
        "::g",
        "",
        "localhost",
    };
    apr_pool_t *p = *state, *sub;
    unsigned seed = 12345;
    char buf[48];
    size_t i;

    apr_pool_create(&sub, p);
    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        compare_with_libc(sub, fixed[i]);
    }
    for (i = 0; i < 200000; i++) {
        unit_random_address(buf, &seed, i);
        compare_with_libc(sub, buf);
        apr_pool_clear(sub);
    }
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_basic),
    UNIT_TEST(test_default_port_and_query),
    UNIT_TEST(test_ipv6),
    UNIT_TEST(test_rejects),
    UNIT_TEST(test_bad_ports),
    UNIT_TEST(test_loopback),
    UNIT_TEST(test_insecure),
    UNIT_TEST(test_address_parsers_match_libc),
};
UNIT_MAIN(tests)
