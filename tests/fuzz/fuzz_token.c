/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_token.c: the three places a bearer token is read from a request
 * (Authorization header, query string or form body, Cookie header).
 *
 * Input: any bytes. mai_token_check must judge them as a byte-by-byte
 * reading of the grammar does. Every reader gets them; a token it returns
 * must pass mai_token_check and appear in the input. When the input itself is a
 * valid token, each reader must also find it in a well-formed request. */
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include "fuzz.h"
#include "token.h"

/* What every reader promises: a status from its documented set, a token
 * exactly when MAI_OK, and that token valid. */
static void check_token(mai_status_t st, const char *tok, int may_be_absent)
{
    MAI_FUZZ_ASSERT(st == MAI_OK || st == MAI_STATUS_MALFORMED ||
                    st == MAI_STATUS_OTHER_SCHEME ||
                    (may_be_absent && st == MAI_STATUS_NO_TOKEN));
    MAI_FUZZ_ASSERT((st == MAI_OK) == (tok != NULL));
    if (tok) {
        MAI_FUZZ_ASSERT(mai_token_check(tok, strlen(tok)) == MAI_OK);
    }
}

static void authorization(apr_pool_t *p, const char *s)
{
    const char *tok, *b = s;
    mai_status_t st = mai_token_from_authorization(p, s, &tok);

    check_token(st, tok, 0);
    MAI_FUZZ_ASSERT(st != MAI_STATUS_NO_TOKEN);
    if (st == MAI_OK) {
        while (*b == ' ') {
            b++;
        }
        MAI_FUZZ_ASSERT(strncasecmp(b, "Bearer ", 7) == 0);
        MAI_FUZZ_ASSERT(strstr(b + 7, tok) != NULL);
    }
}

static void urlencoded(apr_pool_t *p, const char *raw, size_t n)
{
    const char *tok;
    mai_status_t st = mai_token_from_urlencoded(p, raw, n, &tok);

    check_token(st, tok, 1);
    MAI_FUZZ_ASSERT(st != MAI_STATUS_OTHER_SCHEME);
}

static void cookie(apr_pool_t *p, const char *s, const char *name)
{
    const char *tok;
    mai_status_t st = mai_token_from_cookie(p, s, name, &tok);

    check_token(st, tok, 1);
    MAI_FUZZ_ASSERT(st != MAI_STATUS_OTHER_SCHEME);
    if (st == MAI_OK) {
        MAI_FUZZ_ASSERT(strstr(s, tok) != NULL);
    }
}

/* The input is a valid token: each reader must return it unchanged. */
static void valid_token(apr_pool_t *p, const char *t)
{
    const char *tok;

    MAI_FUZZ_ASSERT(mai_token_from_authorization(
                        p, apr_pstrcat(p, "Bearer ", t, NULL), &tok) ==
                    MAI_OK);
    MAI_FUZZ_ASSERT(strcmp(tok, t) == 0);
    MAI_FUZZ_ASSERT(mai_token_from_authorization(
                        p, apr_pstrcat(p, "  bEaReR   ", t, "  ", NULL),
                        &tok) == MAI_OK);
    MAI_FUZZ_ASSERT(strcmp(tok, t) == 0);
    MAI_FUZZ_ASSERT(mai_token_from_cookie(
                        p, apr_pstrcat(p, "a=b; mai=\"", t, "\"; c=d", NULL),
                        "mai", &tok) == MAI_OK);
    MAI_FUZZ_ASSERT(strcmp(tok, t) == 0);
    /* '+' means a space in a form, so only '+'-free tokens survive it */
    if (!strchr(t, '+')) {
        const char *q = apr_pstrcat(p, "x=1&access_token=", t, "&y", NULL);
        MAI_FUZZ_ASSERT(mai_token_from_urlencoded(p, q, strlen(q), &tok) ==
                        MAI_OK);
        MAI_FUZZ_ASSERT(strcmp(tok, t) == 0);
    }
}

/* RFC 6750 2.1's b64token, a byte at a time with no table and no
 * blocks: the oracle for token.c's sixteen-byte scan. */
static int reference_check(const unsigned char *t, size_t n)
{
    size_t i = 0;

    if (n == 0 || n > MAI_TOKEN_MAX_LEN) {
        return 0;
    }
    while (i < n && ((t[i] >= 'A' && t[i] <= 'Z')
                     || (t[i] >= 'a' && t[i] <= 'z')
                     || (t[i] >= '0' && t[i] <= '9')
                     || (t[i] && strchr("-._~+/", t[i])))) {
        i++;
    }
    if (i == 0) {
        return 0;
    }
    while (i < n && t[i] == '=') {
        i++;
    }
    return i == n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = mai_fuzz_pool();
    char *raw = mai_fuzz_dup(data, size, 0); /* no NUL: length-bounded */
    char *s = mai_fuzz_dup(data, size, 1);

    MAI_FUZZ_ASSERT((mai_token_check(raw, size) == MAI_OK)
                    == reference_check(data, size));
    authorization(p, s);
    urlencoded(p, raw, size);
    cookie(p, s, "access_token");
    cookie(p, s, "t");
    if (mai_token_check(raw, size) == MAI_OK) {
        valid_token(p, s);
    }
    free(raw);
    free(s);
    mai_fuzz_pool_free(p);
    return 0;
}
