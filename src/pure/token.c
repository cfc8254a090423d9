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

mai_status_t mai_token_check(const char *tok, apr_size_t len)
{
    apr_size_t i = 0;

    if (!tok || len == 0 || len > MAI_TOKEN_MAX_LEN) {
        return MAI_STATUS_MALFORMED;
    }
    while (i < len && b64token[(unsigned char)tok[i]]) {
        i++;
    }
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
        || mai_lex_is_tchar((unsigned char)s[want_len])) {
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
    while (b64token[(unsigned char)*s]) {
        s++;
    }
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
