/* SPDX-License-Identifier: Apache-2.0 */
/* signed_claims.c: RFC 9701 section 5's claims, read from the parse
 * result.c makes of the payload (its member rules apply to the whole
 * JWT). The answer inside is parsed once, by the caller: its bytes are
 * found in the payload and handed on as they are (see split()). */
#include <string.h>
#include <apr_strings.h>
#include "signed_claims.h"
#include "result.h"

static const mai_claim_t *claim(const mai_result_t *r, const char *name)
{
    int i;

    for (i = 0; i < r->nclaims; i++) {
        if (!strcmp(r->claims[i].name, name)) {
            return &r->claims[i];
        }
    }
    return NULL;
}

static int has_audience(const mai_result_t *r, const char *aud)
{
    int i;

    for (i = 0; aud && i < r->nauds; i++) {
        if (!strcmp(r->auds[i], aud)) {
            return 1;
        }
    }
    return 0;
}

/* Above these the payload takes the slow path (one parse of the whole
 * payload, the answer re-serialised): far below result.c's limits
 * (depth 32, 10000 nested members, 64 KiB per claim text), so whatever
 * could reach them is judged exactly as one parse of the whole payload
 * judges it. */
#define FAST_DEPTH 16
#define FAST_NESTED 1000
#define FAST_ANSWER 16384

static const char ANSWER_NAME[] = "token_introspection";

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Where the answer's object sits in the payload: [*start, *end) is the
 * value of the one top-level member spelled exactly
 * "token_introspection" when that value is an object. Strings are
 * skipped as JSON lexes them (a backslash escapes the next byte), so on
 * any text that is JSON the depth and the member names seen here are
 * JSON's. 0 (the slow path) for anything else: no such member, a second
 * one, a value that is not an object, an escaped name, nesting or sizes
 * past the FAST_ limits. Nothing is decided here: the caller parses the
 * payload with the answer replaced by {} and the answer on its own, both
 * with result.c, and a text whose two parts are both JSON is JSON. */
static int split(const char *s, apr_size_t len, apr_size_t *start,
                 apr_size_t *end)
{
    apr_size_t i = 0, name = 0, name_len = 0, nested = 0;
    int depth = 0, found = 0, in_answer = 0;

    while (i < len && is_ws(s[i])) {
        i++;
    }
    if (i == len || s[i] != '{') {
        return 0;
    }
    for (; i < len; i++) {
        char c = s[i];

        if (c == '"') {
            name = ++i;
            while (i < len && s[i] != '"') {
                i += s[i] == '\\' ? 2 : 1;
            }
            if (i >= len) {
                return 0;
            }
            name_len = i - name;
            continue;
        }
        if (c == '{' || c == '[') {
            if (++depth > FAST_DEPTH) {
                return 0;
            }
            continue;
        }
        if (c == '}' || c == ']') {
            if (--depth == 1 && in_answer) {
                *end = i + 1;
                in_answer = 0;
            }
            continue;
        }
        if (c != ':') {
            continue;
        }
        if (depth >= 2 && ++nested > FAST_NESTED) {
            return 0;
        }
        /* a name at the top level: the string just before this colon */
        if (depth != 1 || name_len != sizeof(ANSWER_NAME) - 1
            || memcmp(s + name, ANSWER_NAME, name_len) != 0) {
            continue;
        }
        name_len = 0;
        if (found++) {
            return 0;
        }
        for (i++; i < len && is_ws(s[i]); i++) {
        }
        if (i == len || s[i] != '{') {
            return 0;
        }
        *start = i;
        in_answer = 1;
        depth++;
    }
    /* a NUL would end the answer's C string early: the slow path refuses
     * it where JSON has it (in a string), and outside strings no JSON has
     * one */
    return found == 1 && !in_answer && depth == 0
           && *end - *start <= FAST_ANSWER
           && !memchr(s + *start, '\0', *end - *start);
}

static mai_status_t fail(mai_sc_check_t which, const char *why,
                         mai_sc_check_t *check, const char **why_out)
{
    *check = which;
    *why_out = why;
    return MAI_STATUS_ENDPOINT_BAD_CLAIMS;
}

mai_status_t mai_signed_claims(apr_pool_t *p, const char *payload,
                               apr_size_t len, const mai_signed_expect_t *e,
                               const char **answer, apr_size_t *answer_len,
                               mai_sc_check_t *check, const char **why)
{
    const mai_result_t *r;
    const mai_claim_t *c;
    apr_int64_t iat;
    apr_size_t start = 0, end = 0;
    mai_status_t s;
    char *holed = NULL;

    *answer = NULL;
    *answer_len = 0;
    *check = MAI_SC_OK;
    *why = NULL;
    if (payload && split(payload, len, &start, &end)) {
        /* the claims around the answer, the answer itself left to the
         * caller's one parse of it */
        holed = apr_palloc(p, len - (end - start) + 3);
        memcpy(holed, payload, start);
        memcpy(holed + start, "{}", 2);
        memcpy(holed + start + 2, payload + end, len - end);
        holed[len - (end - start) + 2] = '\0';
        s = mai_result_parse(p, holed, len - (end - start) + 2, &r);
    }
    else {
        s = mai_result_parse(p, payload, len, &r);
    }
    if (s != MAI_OK) {
        *check = MAI_SC_PAYLOAD;
        *why = mai_status_reason(s);
        return s;
    }
    if (!e->issuer || !r->iss || strcmp(r->iss, e->issuer)) {
        return fail(MAI_SC_ISS, apr_psprintf(
                        p, "iss %s%s%s is not the issuer \"%s\"",
                        r->iss ? "\"" : "", r->iss ? r->iss : "missing",
                        r->iss ? "\"" : "",
                        e->issuer ? e->issuer : "(none configured)"),
                    check, why);
    }
    if (!has_audience(r, e->audience)) {
        return fail(MAI_SC_AUD, apr_psprintf(
                        p, "aud does not name our client id \"%s\"",
                        e->audience ? e->audience : "(none configured)"),
                    check, why);
    }
    /* result.c made sure an iat is an integer */
    c = claim(r, "iat");
    if (!c || c->kind != MAI_CLAIM_NUMBER) {
        return fail(MAI_SC_IAT, "no iat", check, why);
    }
    iat = apr_atoi64(c->text);
    if (iat > e->now + e->skew) {
        return fail(MAI_SC_IAT, apr_psprintf(
                        p, "iat is %" APR_INT64_T_FMT " s in the future",
                        iat - e->now), check, why);
    }
    /* written as now - bound: an iat near INT64_MIN (a huge negative
     * number saturates there) cannot overflow, nor the age in the line */
    if (iat < e->now - e->max_age - e->skew) {
        return fail(MAI_SC_IAT, apr_psprintf(
                        p, "iat %" APR_INT64_T_FMT " is more than %"
                        APR_INT64_T_FMT " s and the clock skew before now (%"
                        APR_INT64_T_FMT ")", iat, e->max_age, e->now),
                    check, why);
    }
    c = claim(r, "token_introspection");
    if (!c || c->kind != MAI_CLAIM_OBJECT || !c->text) {
        return fail(MAI_SC_ANSWER, "no token_introspection object", check,
                    why);
    }
    if (holed) {
        /* a copy only to end it with a NUL like the slow path's text */
        *answer = apr_pstrmemdup(p, payload + start, end - start);
        *answer_len = end - start;
    }
    else {
        *answer = c->text;
        *answer_len = strlen(c->text);
    }
    return MAI_OK;
}
