/* SPDX-License-Identifier: Apache-2.0 */
/* test_lex.c: the shared character classes against their RFC sets, the
 * address parsers against glibc's inet_pton, the byte orders. */
#include <arpa/inet.h>
#include <stdio.h>
#include "unit.h"
#include "lex.h"

static void test_hexval(void **state)
{
    int c, want;

    for (c = 0; c < 256; c++) {
        want = c >= '0' && c <= '9'   ? c - '0'
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                      : -1;
        if (mai_lex_hexval((unsigned char)c) != want) {
            fail_msg("mai_lex_hexval(0x%02x) = %d, want %d", c,
                     mai_lex_hexval((unsigned char)c), want);
        }
    }
}

/* RFC 9110 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+"
 * / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
static void test_tchar(void **state)
{
    static const char specials[] = "!#$%&'*+-.^_`|~";
    int c;

    for (c = 0; c < 256; c++) {
        int want = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')
                   || (c >= 'a' && c <= 'z')
                   || (c && memchr(specials, c, sizeof(specials) - 1));

        if (!mai_lex_is_tchar((unsigned char)c) != !want) {
            fail_msg("mai_lex_is_tchar(0x%02x) = %d", c,
                     mai_lex_is_tchar((unsigned char)c));
        }
    }
    assert_false(mai_lex_is_tchar('\0'));
    assert_false(mai_lex_is_tchar(':'));
    assert_false(mai_lex_is_tchar(' '));
}

static void trimmed(const char *s, const char *want)
{
    const char *b = s, *e = s + strlen(s);

    mai_lex_trim_ows(&b, &e);
    assert_int_equal(e - b, strlen(want));
    assert_memory_equal(b, want, e - b);
}

static void test_ows(void **state)
{
    int c;

    for (c = 0; c < 256; c++) {
        assert_int_equal(!!mai_lex_is_ows((unsigned char)c),
                         c == ' ' || c == '\t');
    }
    trimmed("  a b\t ", "a b");
    trimmed("\t\tx", "x");
    trimmed("x \t", "x");
    trimmed(" \t \t", "");
    trimmed("", "");
    /* OWS is SP and HTAB only: CR, LF, VT and FF stay */
    trimmed("\r\nx\x0b\x0c", "\r\nx\x0b\x0c");
    assert_string_equal(mai_lex_skip_ows(" \t ;x "), ";x ");
    assert_string_equal(mai_lex_skip_ows("\r x"), "\r x");
    assert_string_equal(mai_lex_skip_ows(""), "");
}

/* Trimming stays inside [b, e), even when OWS lies around it. */
static void test_trim_stays_inside(void **state)
{
    const char s[] = "  key  =  value  ";
    const char *b = s + 7, *e = s + 7; /* empty, between two spaces */

    mai_lex_trim_ows(&b, &e);
    assert_ptr_equal(b, s + 7);
    assert_ptr_equal(e, s + 7);
    b = s;
    e = s + 7;
    mai_lex_trim_ows(&b, &e);
    assert_ptr_equal(b, s + 2);
    assert_ptr_equal(e, s + 5);
}

/* ours must take exactly what glibc takes, with the same bytes */
static void compare(const char *s)
{
    unsigned char ours[16], libc[16];
    int o4 = mai_lex_ipv4(s, ours);
    int l4 = inet_pton(AF_INET, s, libc) == 1;

    if (o4 != l4 || (o4 && memcmp(ours, libc, 4) != 0)) {
        fail_msg("IPv4 \"%s\": ours %d, inet_pton %d", s, o4, l4);
    }
    {
        int o6 = mai_lex_ipv6(s, ours);
        int l6 = inet_pton(AF_INET6, s, libc) == 1;

        if (o6 != l6 || (o6 && memcmp(ours, libc, 16) != 0)) {
            fail_msg("IPv6 \"%s\": ours %d, inet_pton %d", s, o6, l6);
        }
        if (mai_lex_is_ip_literal(s) != (l4 || l6)) {
            fail_msg("mai_lex_is_ip_literal(\"%s\") = %d", s,
                     mai_lex_is_ip_literal(s));
        }
    }
}

static void test_addresses_match_libc(void **state)
{
    static const char *fixed[] = {
        "::", "::1", "1::", "1::2", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::",
        "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1::2",
        "1::2::3", "1:::2", "1:", ":", ":::", "12345::", "0001::",
        "::ffff", "::1.2.3.4", "::ffff:127.0.0.1", "1:2:3:4:5:6:1.2.3.4",
        "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::1.2.3.4.5", "::01.2.3.4",
        "::256.1.1.1", "::1.2.3.4:1", "fe80::1%eth0", "[::1]",
        "1.2.3.4", "127.0.0.1", "127.0.0.01", "127.1", "127.0.0.1.",
        ".127.0.0.1", "127..0.1", "0.0.0.0", "255.255.255.255",
        "256.0.0.1", "0x7f.0.0.1", "1.2.3.4 ", "0:0:0:0:0:ffff:7f00:1",
        "::FFFF:7F00:0001", "::g", "", "localhost", "as.example",
        "2001:db8::8a2e:370:7334",
    };
    unsigned seed = 4242;
    char buf[48];
    size_t i;

    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        compare(fixed[i]);
    }
    for (i = 0; i < 200000; i++) {
        unit_random_address(buf, &seed, i);
        compare(buf);
    }
}

static void test_big_endian(void **state)
{
    static const unsigned char be64[8] = { 0x01, 0x23, 0x45, 0x67,
                                           0x89, 0xab, 0xcd, 0xef };
    static const unsigned char be32[4] = { 0xde, 0xad, 0xbe, 0xef };
    unsigned char b[9];

    memset(b, 0x55, sizeof(b));
    mai_lex_put_be64(b, APR_UINT64_C(0x0123456789abcdef));
    assert_memory_equal(b, be64, 8);
    assert_int_equal(b[8], 0x55); /* not a byte more */
    assert_true(mai_lex_get_be64(be64) == APR_UINT64_C(0x0123456789abcdef));

    memset(b, 0x55, sizeof(b));
    mai_lex_put_be32(b, 0xdeadbeef);
    assert_memory_equal(b, be32, 4);
    assert_int_equal(b[4], 0x55);

    /* a signed time before 1970 survives the round trip, as the cache
     * entry's fetched_at must */
    mai_lex_put_be64(b, (apr_uint64_t)(apr_int64_t)-2);
    assert_true((apr_int64_t)mai_lex_get_be64(b) == -2);
    assert_int_equal(b[0], 0xff);
    assert_int_equal(b[7], 0xfe);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_hexval),
    UNIT_TEST(test_tchar),
    UNIT_TEST(test_ows),
    UNIT_TEST(test_trim_stays_inside),
    UNIT_TEST(test_addresses_match_libc),
    UNIT_TEST(test_big_endian),
};

UNIT_MAIN(tests)
