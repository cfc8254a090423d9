/* SPDX-License-Identifier: Apache-2.0 */
/* purge_form.c: the purge request's body, checked strictly: a purge that
 * names nothing, or two things, removes nothing and says why. */
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include "purge_form.h"
#include "form.h"
#include "lex.h"
#include "token.h"

int mai_purge_form_type_ok(const char *ct)
{
    static const char want[] = "application/x-www-form-urlencoded";
    const apr_size_t n = sizeof(want) - 1;

    if (!ct) {
        return 0;
    }
    ct = mai_lex_skip_ows(ct);
    if (strncasecmp(ct, want, n)) {
        return 0;
    }
    ct = mai_lex_skip_ows(ct + n);
    return *ct == '\0' || *ct == ';';
}

static int hex_to_hash(const char *hex, unsigned char hash[MAI_DIGEST_LEN])
{
    int i, hi, lo;

    if (strlen(hex) != 2 * MAI_DIGEST_LEN) {
        return 0;
    }
    for (i = 0; i < MAI_DIGEST_LEN; i++) {
        hi = mai_lex_hexval((unsigned char)hex[2 * i]);
        lo = mai_lex_hexval((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return 0;
        }
        hash[i] = (unsigned char)(hi << 4 | lo);
    }
    return 1;
}

mai_status_t mai_purge_form_parse(apr_pool_t *p, const char *body,
                                  apr_size_t len,
                                  unsigned char hash[MAI_DIGEST_LEN],
                                  const char **why)
{
    const char *tok, *hex;
    int ntok, nhex;

    if (len > MAI_PURGE_BODY_MAX) {
        *why = "body too large";
        return MAI_STATUS_MALFORMED;
    }
    mai_form_get(p, body, len, "token", &tok, &ntok);
    mai_form_get(p, body, len, "token_sha256", &hex, &nhex);
    if (ntok + nhex != 1) {
        *why = ntok + nhex ? "more than one of token and token_sha256"
                           : "needs token or token_sha256";
        return MAI_STATUS_MALFORMED;
    }
    if (ntok) {
        if (!tok || mai_token_check(tok, strlen(tok)) != MAI_OK) {
            *why = "token is not a valid bearer token";
            return MAI_STATUS_MALFORMED;
        }
        mai_digest_sha256(tok, strlen(tok), hash);
        return MAI_OK;
    }
    if (!hex || !hex_to_hash(hex, hash)) {
        *why = "token_sha256 must be 64 hex digits";
        return MAI_STATUS_MALFORMED;
    }
    return MAI_OK;
}
