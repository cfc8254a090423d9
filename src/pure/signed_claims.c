/* SPDX-License-Identifier: Apache-2.0 */
/* signed_claims.c: RFC 9701 section 5's claims, read from the parse
 * result.c makes of the payload (its member rules apply to the whole
 * JWT). */
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
    mai_status_t s;

    *answer = NULL;
    *answer_len = 0;
    *check = MAI_SC_OK;
    *why = NULL;
    s = mai_result_parse(p, payload, len, &r);
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
    if (e->now - iat > e->max_age + e->skew) {
        return fail(MAI_SC_IAT, apr_psprintf(
                        p, "iat is %" APR_INT64_T_FMT " s old (at most %"
                        APR_INT64_T_FMT " s and the clock skew)",
                        e->now - iat, e->max_age), check, why);
    }
    c = claim(r, "token_introspection");
    if (!c || c->kind != MAI_CLAIM_OBJECT || !c->text) {
        return fail(MAI_SC_ANSWER, "no token_introspection object", check,
                    why);
    }
    *answer = c->text;
    *answer_len = strlen(c->text);
    return MAI_OK;
}
