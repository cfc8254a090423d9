/* SPDX-License-Identifier: Apache-2.0 */
/* dpop.h: the pure half of DPoP at the resource (RFC 9449 sections 4.3
 * and 7): the DPoP authorization scheme, the proof header, the proof's
 * claims against the request (htm, htu, iat, ath), the token's binding
 * (cnf.jkt) and the replay key. The signature is jose.h's; the replay
 * store and the request's own URI are src/httpd/dpop_request.c's. Pure. */
#ifndef MAI_DPOP_H
#define MAI_DPOP_H

#include <apr_pools.h>
#include "status.h"
#include "digest.h"
#include "result.h"

/* AuthIntrospectDPoP as the schemes a location accepts: an .htaccess
 * value keeps only what both it and the inherited value accept. */
#define MAI_DPOP_SCHEME_BEARER 1u
#define MAI_DPOP_SCHEME_DPOP   2u
#define MAI_DPOP_OFF           MAI_DPOP_SCHEME_BEARER
#define MAI_DPOP_ALLOWED       (MAI_DPOP_SCHEME_BEARER | MAI_DPOP_SCHEME_DPOP)
#define MAI_DPOP_REQUIRED      MAI_DPOP_SCHEME_DPOP

/* The algs attribute of the DPoP challenge: jose.h's MAI_JOSE_ASYMMETRIC
 * by name (no EdDSA: cjose 0.6 lacks it). */
#define MAI_DPOP_ALGS "ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512"

/* A proof longer than this is refused before any decoding: an RSA 4096
 * key and the claims take about 1.5 KiB. */
#define MAI_DPOP_PROOF_MAX_LEN 8192

/** "off", "allowed" or "required" (any case) into *schemes. NULL or an
 * error. */
const char *mai_dpop_parse_mode(const char *arg, unsigned *schemes);

/**
 * Token from an Authorization header value with the DPoP scheme (RFC
 * 9449 section 7.1): NO_TOKEN when absent, OTHER_SCHEME for another
 * scheme, MALFORMED when the scheme is DPoP but the rest is not one
 * token (the same syntax as Bearer, token.h). *token is a copy in p.
 */
mai_status_t mai_dpop_token_from_authorization(apr_pool_t *p,
                                               const char *value,
                                               const char **token);

/**
 * The DPoP request header as httpd hands it (several headers arrive
 * joined by ", "): DPOP_PROOF_MISSING when NULL, DPOP_PROOF_MULTIPLE
 * when it holds a comma (a compact JWS never does), DPOP_PROOF_MALFORMED
 * when empty, too long or not base64url and dots; MAI_OK else.
 */
mai_status_t mai_dpop_proof_header(const char *value);

/** typ of a proof's protected header: "dpop+jwt" (media types compare
 * in any case). */
int mai_dpop_typ_ok(const char *typ);

/** The payload claims the resource checks (RFC 9449 section 4.2). */
typedef struct {
    const char *htm;
    const char *htu;
    const char *jti;
    const char *ath;
    const char *nonce;      /* NULL when absent */
    apr_int64_t iat;
} mai_dpop_claims_t;

/** Parse a proof's payload: a JSON object with htm, htu, jti, ath
 * strings (jti non-empty, no NUL) and a numeric iat; nonce a string when
 * present. DPOP_PROOF_MALFORMED otherwise. Strings from p. */
mai_status_t mai_dpop_claims_parse(apr_pool_t *p, const char *json,
                                   apr_size_t len, mai_dpop_claims_t *out);

/**
 * An http(s) URI as htu compares it (RFC 9449 section 4.3, RFC 3986
 * section 6.2.2): scheme and host in lower case, the scheme's default
 * port dropped, an empty path as "/", percent-encodings in upper case
 * and unreserved characters decoded, query and fragment dropped. NULL
 * for anything else (another scheme, user info, a bad port or escape).
 * From p.
 */
const char *mai_dpop_htu_normalize(apr_pool_t *p, const char *uri);

/** The request's own htu, normalized as above, from the scheme, host
 * (an IPv6 address in brackets), port and raw path httpd reports. */
const char *mai_dpop_request_htu(apr_pool_t *p, const char *scheme,
                                 const char *host, unsigned port,
                                 const char *path);

/** base64url(SHA-256(token)), no padding: the ath a proof must carry.
 * From p. */
const char *mai_dpop_ath(apr_pool_t *p, const char *token);

/**
 * The claims against the request, in this order: htm equals method
 * (case-sensitive), htu normalizes to request_htu, iat within
 * [now - window - skew, now + skew], ath equals mai_dpop_ath(token).
 * DPOP_PROOF_HTM, _HTU, _IAT, _ATH or MAI_OK.
 */
mai_status_t mai_dpop_check_claims(apr_pool_t *p,
                                   const mai_dpop_claims_t *cl,
                                   const char *method,
                                   const char *request_htu,
                                   const char *token, apr_int64_t now,
                                   apr_int64_t window, apr_int64_t skew);

/** Seconds a jti must be remembered: as long as its proof could still
 * pass the iat check at any location with this window and skew. */
apr_int64_t mai_dpop_replay_ttl(apr_int64_t window, apr_int64_t skew);

/** The replay store's key for a proof: HMAC-SHA256 under the cache
 * secret over a label, the key's thumbprint and the jti, so no one can
 * choose where an entry lands or tell a jti from its key. */
void mai_dpop_replay_key(apr_pool_t *p, const mai_hmac_key_t *k,
                         const char *jkt, const char *jti,
                         unsigned char key[MAI_DIGEST_LEN]);

/* AuthIntrospectDPoPNonce: a nonce stands for a period of this many
 * seconds and is taken during it and the next one. */
#define MAI_DPOP_NONCE_PERIOD 300

/** The server nonce (RFC 9449 section 9) of the period holding now:
 * base64url of an HMAC under the cache secret over the period's number,
 * so every server sharing the secret makes and takes the same nonces
 * and none needs to remember them. From p. */
const char *mai_dpop_nonce(apr_pool_t *p, const mai_hmac_key_t *k,
                           apr_int64_t now);

/** True when nonce is the one of now's period or of the one before. */
int mai_dpop_nonce_ok(apr_pool_t *p, const mai_hmac_key_t *k,
                      const char *nonce, apr_int64_t now);

/** The answer's cnf.jkt (RFC 9449 section 6.2) when it is a non-empty
 * string, else NULL. */
const char *mai_dpop_result_jkt(const mai_result_t *res);

/** True when the answer says the token is DPoP-bound: a cnf.jkt, or
 * token_type DPoP (any case). */
int mai_dpop_result_bound(const mai_result_t *res);

/** error_description for a DPoP refusal (what the client may learn: which
 * check its proof failed), or NULL for any other status. */
const char *mai_dpop_error_description(mai_status_t s);

#endif
