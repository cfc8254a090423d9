/* SPDX-License-Identifier: Apache-2.0 */
/* test_token.c: bearer token syntax and the three places a token hides. */
#include "unit.h"
#include "token.h"

static mai_status_t check(const char *s)
{
    return mai_token_check(s, strlen(s));
}

static mai_status_t authz(apr_pool_t *p, const char *v, const char **tok)
{
    *tok = "unset";
    return mai_token_from_authorization(p, v, tok);
}

static void test_check(void **state)
{
    assert_int_equal(check("abc"), MAI_OK);
    assert_int_equal(check("AZaz09-._~+/"), MAI_OK);
    assert_int_equal(check("abc="), MAI_OK);
    assert_int_equal(check("abc=="), MAI_OK);
    assert_int_equal(check("eyJhbGciOi.eyJzdWIi.sig_-"), MAI_OK);

    assert_int_equal(check(""), MAI_STATUS_MALFORMED);
    assert_int_equal(check("="), MAI_STATUS_MALFORMED);
    assert_int_equal(check("=abc"), MAI_STATUS_MALFORMED);
    assert_int_equal(check("ab=c"), MAI_STATUS_MALFORMED);
    assert_int_equal(check("a b"), MAI_STATUS_MALFORMED);
    assert_int_equal(check("a,b"), MAI_STATUS_MALFORMED);
    assert_int_equal(check("a\"b"), MAI_STATUS_MALFORMED);
    assert_int_equal(check("a\tb"), MAI_STATUS_MALFORMED);
    assert_int_equal(check("a%41"), MAI_STATUS_MALFORMED);
    assert_int_equal(check("\xc3\xa9"), MAI_STATUS_MALFORMED);
    assert_int_equal(mai_token_check("a\0b", 3), MAI_STATUS_MALFORMED);
    assert_int_equal(mai_token_check(NULL, 0), MAI_STATUS_MALFORMED);
    /* len, not the NUL, delimits the token */
    assert_int_equal(mai_token_check("ab cd", 2), MAI_OK);
}

/* Every byte value, against RFC 6750 2.1's b64token written out: the
 * table in token.c must agree with the grammar byte for byte. */
static void test_check_every_byte(void **state)
{
    const char *allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                          "abcdefghijklmnopqrstuvwxyz0123456789-._~+/";
    char t[3];
    int c;

    (void)state;
    for (c = 0; c < 256; c++) {
        t[0] = 'a';
        t[1] = (char)c;
        t[2] = 'a';
        assert_int_equal(mai_token_check(t, 3),
                         c != 0 && strchr(allowed, c)
                         ? MAI_OK : MAI_STATUS_MALFORMED);
    }
}

/* The same at every position of tokens long enough for token.c's
 * sixteen-byte steps (the first blocks, a block's last byte, the tail
 * after the last whole block), in mai_token_check and in the
 * Authorization header, where the run's end is also the token's. */
static void test_check_every_byte_long(void **state)
{
    apr_pool_t *p = *state;
    const char *allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                          "abcdefghijklmnopqrstuvwxyz0123456789-._~+/";
    char t[71], v[7 + 71];
    const char *tok;
    int c, pos, ok;

    for (pos = 0; pos < 70; pos++) {
        for (c = 0; c < 256; c++) {
            /* every allowed byte somewhere around the one tested */
            for (ok = 0; ok < 70; ok++) {
                t[ok] = allowed[(ok * 7 + c) % 66];
            }
            t[pos] = (char)c;
            t[70] = '\0';
            /* '=' is padding: allowed as the last byte only */
            ok = (c != 0 && strchr(allowed, c) != NULL)
                 || (c == '=' && pos == 69);
            assert_int_equal(mai_token_check(t, 70),
                             ok ? MAI_OK : MAI_STATUS_MALFORMED);
            memcpy(v, "Bearer ", 7);
            memcpy(v + 7, t, 71);
            /* a NUL ends the header: a shorter token, valid when it
             * has a byte at all; spaces before or after the token are
             * no part of it */
            ok = ok || (c == 0 && pos > 0)
                 || (c == ' ' && (pos == 0 || pos == 69));
            assert_int_equal(mai_token_from_authorization(p, v, &tok),
                             ok ? MAI_OK : MAI_STATUS_MALFORMED);
        }
    }
}

/* '=' padding and spaces after a run that fills whole blocks. */
static void test_check_padding_long(void **state)
{
    apr_pool_t *p = *state;
    char t[40];
    const char *tok;

    memset(t, 'A', sizeof(t));
    t[32] = '=';
    t[33] = '=';
    assert_int_equal(mai_token_check(t, 34), MAI_OK);
    t[34] = 'A';
    assert_int_equal(mai_token_check(t, 35), MAI_STATUS_MALFORMED);
    assert_int_equal(authz(p, "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==  ",
                           &tok), MAI_OK);
    assert_string_equal(tok, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==");
    assert_int_equal(authz(p, "Bearer AAAAAAAAAAAAAAAA=AAAAAAAAAAAAAAAA",
                           &tok), MAI_STATUS_MALFORMED);
    assert_int_equal(authz(p, "Bearer AAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAA",
                           &tok), MAI_STATUS_MALFORMED);
}

/* Equal exactly when every byte is, whatever the length and wherever
 * the one differing byte sits (both words and the tail). */
static void test_equal(void **state)
{
    char a[41] = "", b[41] = "";
    apr_size_t len, i;
    int bit;

    (void)state;
    for (len = 0; len <= 40; len++) {
        for (i = 0; i < len; i++) {
            a[i] = b[i] = (char)('a' + i % 26);
        }
        assert_true(mai_token_equal(a, b, len));
        for (i = 0; i < len; i++) {
            for (bit = 0; bit < 8; bit++) {
                b[i] ^= (char)(1 << bit);
                assert_false(mai_token_equal(a, b, len));
                assert_false(mai_token_equal(b, a, len));
                b[i] ^= (char)(1 << bit);
            }
        }
        assert_true(mai_token_equal(a, b, len));
    }
    /* only the first len bytes count */
    assert_true(mai_token_equal("abcX", "abcY", 3));
}

static void test_check_length(void **state)
{
    apr_pool_t *p = *state;
    char *t = apr_palloc(p, MAI_TOKEN_MAX_LEN + 2);

    memset(t, 'a', MAI_TOKEN_MAX_LEN + 1);
    t[MAI_TOKEN_MAX_LEN + 1] = '\0';
    assert_int_equal(mai_token_check(t, MAI_TOKEN_MAX_LEN), MAI_OK);
    assert_int_equal(mai_token_check(t, MAI_TOKEN_MAX_LEN + 1),
                     MAI_STATUS_MALFORMED);
}

static void test_authorization(void **state)
{
    apr_pool_t *p = *state;
    const char *t;

    assert_int_equal(authz(p, "Bearer abc", &t), MAI_OK);
    assert_string_equal(t, "abc");
    assert_int_equal(authz(p, "bearer abc==", &t), MAI_OK);
    assert_string_equal(t, "abc==");
    assert_int_equal(authz(p, "BEARER   abc  ", &t), MAI_OK);
    assert_string_equal(t, "abc");

    assert_int_equal(authz(p, NULL, &t), MAI_STATUS_NO_TOKEN);
    assert_null(t);
    assert_int_equal(authz(p, "Basic dXNlcjpwdw==", &t),
                     MAI_STATUS_OTHER_SCHEME);
    assert_null(t);
    assert_int_equal(authz(p, "Bearerx abc", &t), MAI_STATUS_OTHER_SCHEME);
    assert_int_equal(authz(p, "Beare abc", &t), MAI_STATUS_OTHER_SCHEME);
    assert_int_equal(authz(p, "", &t), MAI_STATUS_OTHER_SCHEME);
    assert_int_equal(authz(p, "DPoP abc", &t), MAI_STATUS_OTHER_SCHEME);
}

static void test_authorization_malformed(void **state)
{
    apr_pool_t *p = *state;
    const char *t;

    assert_int_equal(authz(p, "Bearer", &t), MAI_STATUS_MALFORMED);
    assert_null(t);
    assert_int_equal(authz(p, "Bearer ", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(authz(p, "Bearer    ", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(authz(p, "Bearer a b", &t), MAI_STATUS_MALFORMED);
    /* what httpd makes of two Authorization headers */
    assert_int_equal(authz(p, "Bearer a, Bearer b", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(authz(p, "Bearer a,b", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(authz(p, "Bearer\tabc", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(authz(p, "Bearer abc\t", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(authz(p, "Bearer,abc", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(authz(p, "Bearer a=b", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(authz(p, "Bearer \"abc\"", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(authz(p, "Bearer abc\r\n", &t), MAI_STATUS_MALFORMED);
    assert_null(t);
}

static void test_authorization_length(void **state)
{
    apr_pool_t *p = *state;
    char *v = apr_palloc(p, 7 + MAI_TOKEN_MAX_LEN + 2);
    const char *t;

    memcpy(v, "Bearer ", 7);
    memset(v + 7, 'x', MAI_TOKEN_MAX_LEN);
    v[7 + MAI_TOKEN_MAX_LEN] = '\0';
    assert_int_equal(authz(p, v, &t), MAI_OK);
    assert_int_equal(strlen(t), MAI_TOKEN_MAX_LEN);
    v[7 + MAI_TOKEN_MAX_LEN] = 'x';
    v[7 + MAI_TOKEN_MAX_LEN + 1] = '\0';
    assert_int_equal(authz(p, v, &t), MAI_STATUS_MALFORMED);
    assert_null(t);
}

static mai_status_t form(apr_pool_t *p, const char *d, const char **tok)
{
    *tok = "unset";
    return mai_token_from_urlencoded(p, d, d ? strlen(d) : 0, tok);
}

static void test_urlencoded(void **state)
{
    apr_pool_t *p = *state;
    const char *t;

    assert_int_equal(form(p, "access_token=abc", &t), MAI_OK);
    assert_string_equal(t, "abc");
    assert_int_equal(form(p, "x=1&access_token=a%2Bb%2F%3D&y=2", &t), MAI_OK);
    assert_string_equal(t, "a+b/=");
    assert_int_equal(form(p, NULL, &t), MAI_STATUS_NO_TOKEN);
    assert_null(t);
    assert_int_equal(form(p, "", &t), MAI_STATUS_NO_TOKEN);
    assert_int_equal(form(p, "access_tokenx=abc", &t), MAI_STATUS_NO_TOKEN);
    assert_int_equal(form(p, "access_token=", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(form(p, "access_token", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(form(p, "access_token=a&access_token=a", &t),
                     MAI_STATUS_MALFORMED);
    assert_int_equal(form(p, "access_token=a&access%5Ftoken=b", &t),
                     MAI_STATUS_MALFORMED);
    assert_int_equal(form(p, "access_token=%zz", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(form(p, "access_token=a+b", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(form(p, "access_token=a%00b", &t), MAI_STATUS_MALFORMED);
    assert_null(t);
}

static mai_status_t cookie(apr_pool_t *p, const char *h, const char **tok)
{
    *tok = "unset";
    return mai_token_from_cookie(p, h, "at", tok);
}

static void test_cookie(void **state)
{
    apr_pool_t *p = *state;
    const char *t;

    assert_int_equal(cookie(p, "at=abc", &t), MAI_OK);
    assert_string_equal(t, "abc");
    assert_int_equal(cookie(p, "a=1; at=xyz=; b=2", &t), MAI_OK);
    assert_string_equal(t, "xyz=");
    assert_int_equal(cookie(p, "a=1;at=\"q.t\"", &t), MAI_OK);
    assert_string_equal(t, "q.t");
    assert_int_equal(cookie(p, " at = abc ;", &t), MAI_OK);
    assert_string_equal(t, "abc");

    assert_int_equal(cookie(p, NULL, &t), MAI_STATUS_NO_TOKEN);
    assert_null(t);
    assert_int_equal(cookie(p, "", &t), MAI_STATUS_NO_TOKEN);
    assert_int_equal(cookie(p, "a=1; b=2", &t), MAI_STATUS_NO_TOKEN);
    assert_int_equal(cookie(p, "xat=1; atx=2; AT=3", &t), MAI_STATUS_NO_TOKEN);
    assert_int_equal(cookie(p, "at", &t), MAI_STATUS_NO_TOKEN);

    assert_int_equal(cookie(p, "at=a; at=a", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(cookie(p, "at=", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(cookie(p, "at=\"\"", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(cookie(p, "at=\"abc", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(cookie(p, "at=a b", &t), MAI_STATUS_MALFORMED);
    assert_int_equal(cookie(p, "at=a%41", &t), MAI_STATUS_MALFORMED);
    assert_null(t);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_check),
    UNIT_TEST(test_check_every_byte),
    UNIT_TEST(test_check_every_byte_long),
    UNIT_TEST(test_check_padding_long),
    UNIT_TEST(test_equal),
    UNIT_TEST(test_check_length),
    UNIT_TEST(test_authorization),
    UNIT_TEST(test_authorization_malformed),
    UNIT_TEST(test_authorization_length),
    UNIT_TEST(test_urlencoded),
    UNIT_TEST(test_cookie),
};
UNIT_MAIN(tests)
