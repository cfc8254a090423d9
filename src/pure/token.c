/* SPDX-License-Identifier: Apache-2.0 */
/* token.c: bearer token extraction and RFC 6750 syntax. */
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include "form.h"
#include "lex.h"
#include "token.h"

/* RFC 6750 2.1 b64token characters (ALPHA DIGIT "-" "." "_" "~" "+" "/"):
 * one table load a byte, where a chain of comparisons cost about 11
 * instructions a byte (a 600-byte JWT checked on every request). */
static const unsigned char b64token[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0,
    /* 0x80..0xff: none */
};

#if defined(__GNUC__)
/* Sixteen bytes as one value (GCC's and clang's vector extension: SSE2
 * on x86-64, NEON on arm64, plain words elsewhere; no intrinsics
 * header), unsigned to add, signed to compare. */
typedef unsigned char b64_ublock_t __attribute__((vector_size(16)));
typedef signed char b64_sblock_t __attribute__((vector_size(16)));

/* Each byte of u in lo..hi (lo <= hi < 0x80): u - lo + 0x80 (wrapping)
 * is then below 0x80 + hi - lo + 1 read as signed, and every other byte,
 * one of 0x80 or more included, is not: one add, one compare. */
#define B64_IN(u, lo, hi) \
    ((b64_sblock_t)((u) + (unsigned char)(0x80 - (lo))) \
     < (signed char)(-0x80 + (hi) - (lo) + 1))

/* The length of the run of b64token bytes that starts s[0..n), sixteen
 * bytes a step: a JWT access token is hundreds of bytes, checked on every
 * request, cache hits included; the table loop costs about 4
 * instructions a byte, this under 2. It stops at the first block holding
 * any other byte (NUL included) and leaves that block to the table,
 * which decides every byte it is given: a byte this test turned away
 * wrongly would cost time, never change the outcome; one it let through
 * wrongly would (the unit tests and fuzz_token check every byte at every
 * place in a block). Reads stay within s[0..n). */
static apr_size_t b64token_blocks(const char *s, apr_size_t n)
{
    apr_size_t i;
    b64_ublock_t u;
    b64_sblock_t ok;
    apr_uint64_t half[2];

    for (i = 0; i + 16 <= n; i += 16) {
        memcpy(&u, s + i, sizeof(u));
        /* setting bit 5 maps A-Z onto a-z and nothing else into it */
        ok = B64_IN(u | 0x20, 'a', 'z');
        ok |= B64_IN(u, '-', '9');              /* "-./0-9" */
        ok |= (b64_sblock_t)((u == '+') | (u == '_') | (u == '~'));
        memcpy(half, &ok, sizeof(half));
        if ((half[0] & half[1]) != ~(apr_uint64_t)0) {
            break;
        }
    }
    return i;
}
#else
static apr_size_t b64token_blocks(const char *s, apr_size_t n)
{
    return 0;
}
#endif

/* The length of the run of b64token bytes that starts s[0..n). */
static apr_size_t b64token_run(const char *s, apr_size_t n)
{
    apr_size_t i = b64token_blocks(s, n);

    while (i < n && b64token[(unsigned char)s[i]]) {
        i++;
    }
    return i;
}

mai_status_t mai_token_check(const char *tok, apr_size_t len)
{
    apr_size_t i;

    if (!tok || len == 0 || len > MAI_TOKEN_MAX_LEN) {
        return MAI_STATUS_MALFORMED;
    }
    i = b64token_run(tok, len);
    if (i == 0) {
        return MAI_STATUS_MALFORMED;
    }
    /* '=' is only padding: allowed at the end, never inside */
    while (i < len && tok[i] == '=') {
        i++;
    }
    return i == len ? MAI_OK : MAI_STATUS_MALFORMED;
}

mai_status_t mai_token_from_scheme(apr_pool_t *p, const char *value,
                                   const char *want, const char **token)
{
    const char *s = value, *t, *end;
    apr_size_t want_len = strlen(want);

    *token = NULL;
    if (!value) {
        return MAI_STATUS_NO_TOKEN;
    }
    while (*s == ' ') {
        s++;
    }
    /* the scheme is the longest run of tchars; want is made of tchars,
     * so the scheme is want exactly when it starts with want and no
     * tchar follows (one pass, no loop over the scheme first) */
    if (strncasecmp(s, want, want_len) != 0
        || (s[want_len] != ' '      /* the usual case: no tchar */
            && mai_lex_is_tchar((unsigned char)s[want_len]))) {
        return MAI_STATUS_OTHER_SCHEME;
    }
    s += want_len;
    /* RFC 6750 2.1 separates scheme and token by SP only (RFC 9449 7.1
     * takes the same syntax for DPoP): a tab, a comma or nothing at all
     * after the scheme is a broken request */
    if (*s != ' ') {
        return MAI_STATUS_MALFORMED;
    }
    while (*s == ' ') {
        s++;
    }
    /* mai_token_check's grammar in the same pass that finds the end:
     * b64token chars, '=' padding, then only trailing spaces. Two
     * Authorization headers reach us joined as "a, Bearer b": the
     * comma fails it. */
    t = s;
    s += b64token_run(s, strlen(s));
    if (s == t) {
        return MAI_STATUS_MALFORMED;
    }
    while (*s == '=') {
        s++;
    }
    end = s;
    while (*s == ' ') {
        s++;
    }
    if (*s != '\0' || (apr_size_t)(end - t) > MAI_TOKEN_MAX_LEN) {
        return MAI_STATUS_MALFORMED;
    }
    /* nothing after the token (the usual header): it is value's own
     * tail, already NUL-terminated and living as long as value */
    *token = *end == '\0' ? t : apr_pstrmemdup(p, t, end - t);
    return MAI_OK;
}

mai_status_t mai_token_from_authorization(apr_pool_t *p, const char *value,
                                          const char **token)
{
    return mai_token_from_scheme(p, value, "Bearer", token);
}

mai_status_t mai_token_from_urlencoded(apr_pool_t *p, const char *data,
                                       apr_size_t len, const char **token)
{
    const char *v;
    int count;

    *token = NULL;
    if (!data) {
        return MAI_STATUS_NO_TOKEN;
    }
    mai_form_get(p, data, len, "access_token", &v, &count);
    if (count == 0) {
        return MAI_STATUS_NO_TOKEN;
    }
    if (count > 1 || !v || mai_token_check(v, strlen(v)) != MAI_OK) {
        return MAI_STATUS_MALFORMED;
    }
    *token = v;
    return MAI_OK;
}

mai_status_t mai_token_from_cookie(apr_pool_t *p, const char *cookie_header,
                                   const char *name, const char **token)
{
    const char *s = cookie_header, *vb = NULL, *ve = NULL;
    apr_size_t nlen = strlen(name);
    int count = 0;

    *token = NULL;
    while (s && *s) {
        const char *semi = strchr(s, ';');
        const char *pe = semi ? semi : s + strlen(s);
        const char *eq = memchr(s, '=', pe - s);

        if (eq) {
            const char *nb = s, *ne = eq, *b = eq + 1, *e = pe;
            /* RFC 6265 5.2 trims SP and HTAB around name and value */
            mai_lex_trim_ows(&nb, &ne);
            mai_lex_trim_ows(&b, &e);
            /* cookie names are case-sensitive (RFC 6265 5.3) */
            if ((apr_size_t)(ne - nb) == nlen && memcmp(nb, name, nlen) == 0 &&
                ++count == 1) {
                vb = b;
                ve = e;
            }
        }
        s = semi ? semi + 1 : NULL;
    }
    if (count == 0) {
        return MAI_STATUS_NO_TOKEN;
    }
    if (count > 1) {
        return MAI_STATUS_MALFORMED;
    }
    if (ve - vb >= 2 && *vb == '"' && ve[-1] == '"') {
        vb++;
        ve--;
    }
    if (mai_token_check(vb, ve - vb) != MAI_OK) {
        return MAI_STATUS_MALFORMED;
    }
    *token = apr_pstrmemdup(p, vb, ve - vb);
    return MAI_OK;
}

/* A word at a time, every byte of both read whatever they hold, no branch
 * on what they hold: the time depends on len alone. */
int mai_token_equal(const char *a, const char *b, apr_size_t len)
{
    apr_uint64_t x, y, diff = 0;
    apr_size_t i;

    for (i = 0; i + 8 <= len; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        diff |= x ^ y;
    }
    for (; i < len; i++) {
        diff |= (unsigned char)(a[i] ^ b[i]);
    }
    return diff == 0;
}
