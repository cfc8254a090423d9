/* SPDX-License-Identifier: Apache-2.0 */
/* local_jwt.c: a JWT access token (RFC 9068) verified with its issuer's
 * keys. The order is the cheapest refusal first and the signature last:
 * decode (jose.c), claims into an answer (jwt_access_token.c), is it our
 * issuer's (else, with "on", the endpoint's business), IntrospectAfter,
 * typ, exp, then the keys and the signature. The claims are read before
 * the signature only to route the token; nothing in them is trusted
 * until it verifies. */
#include "mai_private.h"
#include "local_jwt.h"
#include "httpd_log.h"
#include "jose.h"
#include "jwks_for.h"
#include "jwt_access_token.h"

static mai_status_t jose_status(mai_jose_result_t j)
{
    switch (j) {
    case MAI_JOSE_OK:
        return MAI_OK;
    case MAI_JOSE_ALG:
        return MAI_STATUS_JWT_ALG;
    case MAI_JOSE_UNKNOWN_KID:
        return MAI_STATUS_JWT_UNKNOWN_KEY;
    case MAI_JOSE_SIGNATURE:
    case MAI_JOSE_BAD_KEY:
        return MAI_STATUS_JWT_SIGNATURE;
    default:
        return MAI_STATUS_JWT_MALFORMED;
    }
}

/* The signature, with the issuer's keys; an unknown kid may be a key
 * the issuer has just rotated in: its set is fetched again (jwks.c,
 * at most once per AuthIntrospectJWKSRefetchInterval) and the check
 * made once more. */
static mai_status_t signature(request_rec *r, const mai_dir_conf_t *c,
                              const mai_jws_t *jws, const char *token_id,
                              mai_answer_t *a)
{
    const mai_jwks_t *keys;
    mai_jose_result_t j = MAI_JOSE_ALG;
    mai_status_t s;

    /* none, HS* and the unknown never cost a fetch of the keys */
    if (mai_jose_alg_bit(jws->alg) & MAI_JOSE_ASYMMETRIC) {
        s = mai_jwks_for(r, c, &keys, &a->retry_after);
        if (s != MAI_OK) {
            return s;
        }
        j = mai_jws_verify(jws, keys, MAI_JOSE_ASYMMETRIC);
    }
    if (j == MAI_JOSE_UNKNOWN_KID) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(02007)
                      "token %s: its kid is not in the issuer's JWK Set",
                      token_id);
        s = mai_jwks_unknown_kid(r, c, &keys, &a->retry_after);
        if (s != MAI_OK) {
            return s;
        }
        j = mai_jws_verify(jws, keys, MAI_JOSE_ASYMMETRIC);
    }
    if (j != MAI_JOSE_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(02004)
                      "token %s: JWT not verified with the issuer's keys: "
                      "%s", token_id, mai_jose_reason(j));
    }
    return jose_status(j);
}

mai_ljwt_outcome_t mai_local_jwt_verify(request_rec *r,
                                        const mai_dir_conf_t *c,
                                        const char *token,
                                        const char *token_id,
                                        apr_int64_t now, mai_answer_t *a)
{
    int only = mai_conf_local_jwt(c) == MAI_LJWT_ONLY;
    const char *issuer = mai_conf_issuer(c);
    mai_jws_t jws;
    mai_jose_result_t j;
    mai_status_t s;

    a->fetched_at = now;
    if (!issuer) {
        /* config_check.c refuses this at startup; .htaccess aside */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(02006)
                      "AuthIntrospectLocalJWT for %s without "
                      "AuthIntrospectIssuer nor AuthIntrospectMetadataURL",
                      r->uri);
        a->status = MAI_STATUS_INTERNAL;
        return MAI_LJWT_REFUSED;
    }
    j = mai_jws_parse(r->pool, token, strlen(token), &jws);
    s = j == MAI_JOSE_OK
        ? mai_jwt_claims_parse(r->pool, jws.payload, jws.payload_len,
                               &a->result)
        : MAI_STATUS_JWT_MALFORMED;
    /* with "on", whatever is not plainly this issuer's JWT is the
     * endpoint's to judge (an encrypted one, another issuer's) */
    if (!only && (s != MAI_OK || !a->result->iss
                  || strcmp(a->result->iss, issuer) != 0)) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(02002)
                      "token %s: not a JWT of %s: asking the endpoint",
                      token_id, issuer);
        return MAI_LJWT_TO_ENDPOINT;
    }
    if (s == MAI_OK && (!a->result->iss
                        || strcmp(a->result->iss, issuer) != 0)) {
        s = MAI_STATUS_WRONG_ISSUER;    /* no key of ours would verify it */
    }
    if (s != MAI_OK) {
        if (j != MAI_JOSE_OK) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(02001)
                          "token %s: not a usable JWS: %s", token_id,
                          mai_jose_reason(j));
        }
        a->status = s;
        a->result = NULL;
        return MAI_LJWT_REFUSED;
    }
    if (!only && mai_jwt_introspect_due(
                     a->result, now, mai_conf_local_jwt_introspect_after(c))) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(02003)
                      "token %s: JWT issued longer ago than "
                      "AuthIntrospectLocalJWTIntrospectAfter (or without "
                      "iat): asking the endpoint", token_id);
        return MAI_LJWT_TO_ENDPOINT;
    }
    s = mai_jwt_typ_check(jws.typ, mai_conf_local_jwt_lenient(c));
    if (s == MAI_OK) {
        s = mai_jwt_claims_check(a->result);
    }
    if (s == MAI_OK) {
        s = signature(r, c, &jws, token_id, a);
    }
    a->status = s;
    if (s != MAI_OK) {
        a->result = NULL;
        return MAI_LJWT_REFUSED;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(02005)
                  "token %s: JWT verified with the issuer's keys (alg %s)",
                  token_id, jws.alg);
    return MAI_LJWT_VERIFIED;
}
