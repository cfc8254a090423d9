/* SPDX-License-Identifier: Apache-2.0 */
/* signed_answer.c: RFC 9701 in the order that costs least for what is
 * refused most: the content type, the shape (a JWE is told apart), the
 * alg before any key is fetched, the signature, then the claims. A
 * refusal is the endpoint failing (503), never the token (401). */
#include "mai_private.h"
#include <apr_strings.h>
#include "signed_answer.h"
#include "signed_claims.h"
#include "jwks_for.h"
#include "jose.h"

#define MEDIA_TYPE "application/token-introspection+jwt"
#define TYP "token-introspection+jwt"

/* The media type without parameters, any case (RFC 9110 8.3.1). */
static int is_jwt_type(const char *ct)
{
    apr_size_t n = sizeof(MEDIA_TYPE) - 1;

    if (!ct || strncasecmp(ct, MEDIA_TYPE, n)) {
        return 0;
    }
    ct += n;
    while (*ct == ' ' || *ct == '\t') {
        ct++;
    }
    return *ct == '\0' || *ct == ';';
}

/* typ, with or without "application/" (RFC 7515 4.1.9), any case. */
static int is_typ(const char *typ)
{
    return typ && (!strcasecmp(typ, TYP) || !strcasecmp(typ, MEDIA_TYPE));
}

/* The JWS verified with the location's JWK set; an unknown kid fetches
 * the set once more (rate-limited) and verifies once more. */
static mai_status_t verify(request_rec *r, const mai_dir_conf_t *c,
                           const mai_jws_t *jws, const char *token_id,
                           apr_interval_time_t *retry_after)
{
    const mai_jwks_t *keys;
    mai_jose_result_t v;
    mai_status_t s;

    s = mai_jwks_for(r, c, &keys, retry_after);
    if (s != MAI_OK) {
        return s;
    }
    v = mai_jws_verify(jws, keys, MAI_JOSE_ASYMMETRIC);
    if (v == MAI_JOSE_UNKNOWN_KID) {
        s = mai_jwks_unknown_kid(r, c, &keys, retry_after);
        if (s != MAI_OK) {
            return s;
        }
        v = mai_jws_verify(jws, keys, MAI_JOSE_ASYMMETRIC);
    }
    switch (v) {
    case MAI_JOSE_OK:
        return MAI_OK;
    case MAI_JOSE_UNKNOWN_KID:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01614)
                      "token %s: signed introspection response refused: "
                      "kid \"%s\" is not in the authorization server's JWK "
                      "set (fetched again at most once per "
                      "AuthIntrospectJWKSRefetchInterval)", token_id,
                      jws->kid);
        break;
    case MAI_JOSE_ALG:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01613)
                      "token %s: signed introspection response refused: "
                      "alg %s does not fit %s", token_id, jws->alg,
                      jws->kid ? "the key of its kid" : "any key of the "
                      "JWK set");
        break;
    default:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01615)
                      "token %s: signed introspection response refused: "
                      "the signature does not verify (%s%s%s)", token_id,
                      jws->alg, jws->kid ? ", kid " : "",
                      jws->kid ? jws->kid : "");
        break;
    }
    return MAI_STATUS_ENDPOINT_BAD_SIGNATURE;
}

static mai_status_t claims(request_rec *r, const mai_dir_conf_t *c,
                           apr_pool_t *p, const mai_jws_t *jws,
                           const char *token_id, apr_int64_t now,
                           const char **json, apr_size_t *json_len)
{
    mai_signed_expect_t e;
    mai_sc_check_t which;
    const char *why;
    mai_status_t s;

    e.issuer = mai_conf_issuer(c);
    e.audience = mai_conf_client_id(c);
    e.now = now;
    e.skew = mai_conf_clock_skew(c);
    e.max_age = MAI_SIGNED_MAX_AGE;
    s = mai_signed_claims(p, jws->payload, jws->payload_len, &e, json,
                          json_len, &which, &why);
    switch (which) {
    case MAI_SC_OK:
        break;
    case MAI_SC_PAYLOAD:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01621)
                      "token %s: signed introspection response refused: "
                      "its payload %s", token_id, why);
        break;
    case MAI_SC_ISS:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01617)
                      "token %s: signed introspection response refused: "
                      "%s", token_id, why);
        break;
    case MAI_SC_AUD:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01618)
                      "token %s: signed introspection response refused: "
                      "%s", token_id, why);
        break;
    case MAI_SC_IAT:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01619)
                      "token %s: signed introspection response refused: "
                      "%s", token_id, why);
        break;
    case MAI_SC_ANSWER:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01620)
                      "token %s: signed introspection response refused: "
                      "%s", token_id, why);
        break;
    }
    return s;
}

mai_status_t mai_signed_answer_open(request_rec *r, const mai_dir_conf_t *c,
                                    apr_pool_t *p,
                                    const mai_introspect_out_t *out,
                                    const char *token_id, apr_int64_t now,
                                    const char **json, apr_size_t *json_len,
                                    apr_interval_time_t *retry_after)
{
    /* json may point into out (the caller's answer is replaced) */
    const char *body = out->json;
    apr_size_t len = out->json_len;
    mai_jose_result_t v;
    mai_jws_t jws;
    mai_status_t s;

    *json = NULL;
    *json_len = 0;
    if (!is_jwt_type(out->content_type)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01610)
                      "token %s: introspection response has Content-Type "
                      "%s, not " MEDIA_TYPE " (AuthIntrospectResponseFormat "
                      "jwt): an unsigned answer is refused", token_id,
                      out->content_type ? out->content_type : "(none)");
        return MAI_STATUS_ENDPOINT_NOT_SIGNED;
    }
    /* a line end after the compact form is not part of it */
    while (len && (body[len - 1] == '\n' || body[len - 1] == '\r'
                   || body[len - 1] == ' ')) {
        len--;
    }
    v = mai_jws_parse(p, body, len, &jws);
    if (v == MAI_JOSE_ENCRYPTED) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01611)
                      "token %s: the introspection response is a JWE: "
                      "encrypted introspection responses are not "
                      "supported (register the client without "
                      "introspection_encrypted_response_alg)", token_id);
        return MAI_STATUS_ENDPOINT_ENCRYPTED;
    }
    if (v != MAI_JOSE_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01612)
                      "token %s: signed introspection response refused: "
                      "%s", token_id, mai_jose_reason(v));
        return MAI_STATUS_ENDPOINT_NOT_SIGNED;
    }
    /* "none" and HMAC never reach the JWK set: no fetch for them */
    if (!mai_jose_alg_bit(jws.alg)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01609)
                      "token %s: signed introspection response refused: "
                      "alg \"%s\" is not accepted (RS256/384/512, "
                      "PS256/384/512, ES256/384/512 only)", token_id,
                      jws.alg);
        return MAI_STATUS_ENDPOINT_BAD_SIGNATURE;
    }
    s = verify(r, c, &jws, token_id, retry_after);
    if (s != MAI_OK) {
        return s;
    }
    if (!is_typ(jws.typ)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01616)
                      "token %s: signed introspection response refused: "
                      "typ %s is not " TYP, token_id,
                      jws.typ ? jws.typ : "(missing)");
        return MAI_STATUS_ENDPOINT_BAD_CLAIMS;
    }
    s = claims(r, c, p, &jws, token_id, now, json, json_len);
    if (s == MAI_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(01607)
                      "token %s: signed introspection response verified "
                      "(%s%s%s)", token_id, jws.alg,
                      jws.kid ? ", kid " : "", jws.kid ? jws.kid : "");
    }
    return s;
}
