/* SPDX-License-Identifier: Apache-2.0 */
/* jwt_access_token.c: RFC 9068 access tokens, the checks that need no
 * key. The claims go through result.c's parser unchanged but for an
 * "active": true in front: one parser, one set of limits, one cached
 * form for both kinds of answer. */
#include <string.h>
#include <apr_cstr.h>
#include <apr_strings.h>
#include <json.h>
#include "jwt_access_token.h"

const char *mai_jwt_mode_parse(const char *arg, mai_ljwt_mode_t *out)
{
    if (!apr_cstr_casecmp(arg, "off")) {
        *out = MAI_LJWT_OFF;
    }
    else if (!apr_cstr_casecmp(arg, "on")) {
        *out = MAI_LJWT_ON;
    }
    else if (!apr_cstr_casecmp(arg, "only")) {
        *out = MAI_LJWT_ONLY;
    }
    else {
        return "must be off, on or only";
    }
    return NULL;
}

int mai_jwt_shape(const char *token, apr_size_t len)
{
    const char *end = token + len, *d1, *d2;

    if (len < 5 || memcmp(token, "eyJ", 3) != 0) {
        return 0;
    }
    /* memchr, not a loop over every byte: a cache hit pays for this test
     * on a token of hundreds of bytes */
    d1 = memchr(token, '.', len);
    d2 = d1 ? memchr(d1 + 1, '.', (apr_size_t)(end - d1 - 1)) : NULL;
    /* the payload is never empty, and an empty signature is alg "none":
     * never ours; a fourth part (a JWE has five) is not a JWS */
    return d2 && d2 > d1 + 1 && d2 + 1 < end
           && !memchr(d2 + 1, '.', (apr_size_t)(end - d2 - 1));
}

mai_status_t mai_jwt_typ_check(const char *typ, int lenient)
{
    if (typ && (!apr_cstr_casecmp(typ, "at+jwt")
                || !apr_cstr_casecmp(typ, "application/at+jwt"))) {
        return MAI_OK;
    }
    if (lenient && (!typ || !apr_cstr_casecmp(typ, "JWT"))) {
        return MAI_OK;
    }
    return MAI_STATUS_JWT_TYPE;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* payload with `members` (JSON members, no braces) put first in its
 * object; NULL when the payload does not open an object. */
static const char *prefixed(apr_pool_t *p, const char *payload,
                            apr_size_t len, const char *members,
                            apr_size_t *out_len)
{
    apr_size_t i = 0, j, mlen = strlen(members);
    char *out;

    while (i < len && is_ws(payload[i])) {
        i++;
    }
    if (i == len || payload[i] != '{') {
        return NULL;
    }
    i++;
    /* "{}" takes no comma after the new members */
    for (j = i; j < len && is_ws(payload[j]); j++) {
    }
    out = apr_palloc(p, mlen + len - i + 3);
    out[0] = '{';
    memcpy(out + 1, members, mlen);
    *out_len = 1 + mlen;
    if (j < len && payload[j] != '}') {
        out[(*out_len)++] = ',';
    }
    memcpy(out + *out_len, payload + i, len - i);
    *out_len += len - i;
    out[*out_len] = '\0';
    return out;
}

/* "scp" (Entra ID: a string; Okta: an array of strings) as the text of
 * an RFC 7662 "scope", JSON-quoted; NULL when there is none to map. */
static const char *scp_as_scope(apr_pool_t *p, const mai_result_t *res)
{
    const mai_claim_t *scp = mai_result_claim(res, "scp");
    json_object *s;
    const char *quoted;

    if (mai_result_claim(res, "scope") || !scp || !scp->items
        || (scp->kind != MAI_CLAIM_STRING && scp->kind != MAI_CLAIM_ARRAY)) {
        return NULL;
    }
    s = json_object_new_string(scp->text);
    if (!s) {
        return NULL;
    }
    quoted = apr_pstrdup(p, json_object_to_json_string_ext(
                             s, JSON_C_TO_STRING_PLAIN
                                | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(s);
    return quoted;
}

/* The parser's refusals are an endpoint's faults (503) for an
 * introspection answer; for a token they are the token's (401). */
static mai_status_t as_token_status(mai_status_t s)
{
    return s == MAI_OK || s == MAI_STATUS_INTERNAL ? s
                                                   : MAI_STATUS_JWT_CLAIMS;
}

mai_status_t mai_jwt_claims_parse(apr_pool_t *p, const char *payload,
                                  apr_size_t len, const mai_result_t **out)
{
    static const char active[] = "\"active\":true";
    const char *json, *scope;
    apr_size_t json_len;
    mai_status_t s;

    *out = NULL;
    json = payload ? prefixed(p, payload, len, active, &json_len) : NULL;
    if (!json) {
        return MAI_STATUS_JWT_CLAIMS;
    }
    s = as_token_status(mai_result_parse(p, json, json_len, out));
    if (s != MAI_OK || !(scope = scp_as_scope(p, *out))) {
        return s;
    }
    /* a second parse, for scp tokens' first sight only: the cached text
     * then carries the scope, and a hit reads it without mapping */
    json = prefixed(p, payload, len,
                    apr_pstrcat(p, active, ",\"scope\":", scope, NULL),
                    &json_len);
    return as_token_status(mai_result_parse(p, json, json_len, out));
}

mai_status_t mai_jwt_claims_check(const mai_result_t *res)
{
    return res->has_exp ? MAI_OK : MAI_STATUS_JWT_NO_EXP;
}

int mai_jwt_introspect_due(const mai_result_t *res, apr_int64_t now,
                           int after)
{
    const mai_claim_t *iat;
    apr_int64_t t;

    if (after <= 0) {
        return 0;
    }
    iat = mai_result_claim(res, "iat");
    /* the parser took iat only as an integer; its text is that number */
    if (!iat || iat->kind != MAI_CLAIM_NUMBER) {
        return 1;
    }
    t = apr_strtoi64(iat->text, NULL, 10);
    /* written as a difference: iat comes from the token and may sit next
     * to INT64_MIN, where iat + after would overflow */
    return t <= now - after;
}
