/* SPDX-License-Identifier: Apache-2.0 */
/* status.h: one enum for every outcome, and one table that maps it. */
#ifndef MAI_STATUS_H
#define MAI_STATUS_H

/* Log levels, numerically equal to httpd's APLOG_* (syslog) levels, so the
 * pure layer can name a level without including httpd headers
 * (httpd_log.c fails the build if they ever differ). */
#define MAI_LOG_ERR     3
#define MAI_LOG_WARNING 4
#define MAI_LOG_NOTICE  5
#define MAI_LOG_INFO    6
#define MAI_LOG_DEBUG   7
#define MAI_LOG_TRACE1  8

/* X(name, reason, http status, RFC 6750 error attribute or NULL, log level)
 * The http status is the one the client finally sees; 0 = not a failure. */
#define MAI_STATUS_LIST(X) \
    X(OK, "ok", 0, NULL, MAI_LOG_DEBUG) \
    X(NO_TOKEN, "no bearer token in the request", 401, NULL, MAI_LOG_INFO) \
    X(OTHER_SCHEME, "Authorization header uses another scheme", 401, NULL, \
      MAI_LOG_INFO) \
    X(MALFORMED, "malformed bearer token request", 400, "invalid_request", \
      MAI_LOG_INFO) \
    X(INACTIVE, "token is not active", 401, "invalid_token", MAI_LOG_INFO) \
    X(EXPIRED, "token has expired", 401, "invalid_token", MAI_LOG_INFO) \
    X(NOT_YET_VALID, "token is not valid yet (nbf)", 401, "invalid_token", \
      MAI_LOG_INFO) \
    X(WRONG_ISSUER, "token issuer does not match AuthIntrospectIssuer", 401, \
      "invalid_token", MAI_LOG_INFO) \
    X(REFRESH_TOKEN, "token is a refresh token (token_type or typ)", 401, \
      "invalid_token", MAI_LOG_INFO) \
    X(DPOP_TOKEN, "token is a DPoP token (token_type DPoP); this location " \
      "cannot check DPoP proofs", 401, "invalid_token", MAI_LOG_INFO) \
    X(BOUND_TOKEN, "token is bound to a key (cnf) this location cannot " \
      "check", 401, "invalid_token", MAI_LOG_INFO) \
    X(WRONG_TOKEN_TYPE, "token_type is missing or not one of " \
      "AuthIntrospectTokenTypes", 401, "invalid_token", MAI_LOG_INFO) \
    X(NO_USER, "no claim for REMOTE_USER in the response", 401, \
      "invalid_token", MAI_LOG_INFO) \
    X(WRONG_AUDIENCE, "token aud does not contain AuthIntrospectResource " \
      "(RFC 8707)", 401, "invalid_token", MAI_LOG_INFO) \
    X(NO_CLIENT_CERT, "token is bound to a client certificate (cnf " \
      "x5t#S256) and the request came without one", 401, "invalid_token", \
      MAI_LOG_INFO) \
    X(CERT_MISMATCH, "token is bound to another client certificate (cnf " \
      "x5t#S256) than the one the request came with", 401, \
      "invalid_token", MAI_LOG_INFO) \
    X(DPOP_REQUIRED, "a Bearer token where AuthIntrospectDPoP required " \
      "accepts DPoP only", 401, "invalid_token", MAI_LOG_INFO) \
    X(DPOP_AS_BEARER, "a DPoP-bound token (cnf.jkt or token_type DPoP) " \
      "sent with the Bearer scheme", 401, "invalid_token", MAI_LOG_INFO) \
    X(DPOP_UNBOUND, "token sent with the DPoP scheme is not DPoP-bound " \
      "(no cnf.jkt)", 401, "invalid_token", MAI_LOG_INFO) \
    X(DPOP_KEY_MISMATCH, "the DPoP proof's key is not the one the token " \
      "is bound to (cnf.jkt)", 401, "invalid_token", MAI_LOG_INFO) \
    X(DPOP_PROOF_MISSING, "no DPoP proof header", 401, \
      "invalid_dpop_proof", MAI_LOG_INFO) \
    X(DPOP_PROOF_MULTIPLE, "more than one DPoP proof header", 401, \
      "invalid_dpop_proof", MAI_LOG_INFO) \
    X(DPOP_PROOF_MALFORMED, "DPoP proof is not a JWS with the claims " \
      "htm, htu, iat, jti and ath", 401, "invalid_dpop_proof", \
      MAI_LOG_INFO) \
    X(DPOP_PROOF_TYP, "DPoP proof typ is not dpop+jwt", 401, \
      "invalid_dpop_proof", MAI_LOG_INFO) \
    X(DPOP_PROOF_ALG, "DPoP proof alg is not an allowed asymmetric one", \
      401, "invalid_dpop_proof", MAI_LOG_INFO) \
    X(DPOP_PROOF_KEY, "DPoP proof jwk is missing, private or unusable", \
      401, "invalid_dpop_proof", MAI_LOG_INFO) \
    X(DPOP_PROOF_SIGNATURE, "DPoP proof signature does not verify", 401, \
      "invalid_dpop_proof", MAI_LOG_INFO) \
    X(DPOP_PROOF_HTM, "DPoP proof htm is not the request method", 401, \
      "invalid_dpop_proof", MAI_LOG_INFO) \
    X(DPOP_PROOF_HTU, "DPoP proof htu is not the request URI", 401, \
      "invalid_dpop_proof", MAI_LOG_INFO) \
    X(DPOP_PROOF_IAT, "DPoP proof iat is outside the accepted window", \
      401, "invalid_dpop_proof", MAI_LOG_INFO) \
    X(DPOP_PROOF_ATH, "DPoP proof ath is not the token's hash", 401, \
      "invalid_dpop_proof", MAI_LOG_INFO) \
    X(DPOP_PROOF_REPLAY, "DPoP proof jti was used before", 401, \
      "invalid_dpop_proof", MAI_LOG_INFO) \
    X(DPOP_PROOF_NONCE, "DPoP proof lacks a current server nonce " \
      "(AuthIntrospectDPoPNonce)", 401, "use_dpop_nonce", MAI_LOG_INFO) \
    X(ENDPOINT_UNREACHABLE, "introspection endpoint unreachable", 503, NULL, \
      MAI_LOG_ERR) \
    X(ENDPOINT_TIMEOUT, "introspection endpoint timed out", 503, NULL, \
      MAI_LOG_ERR) \
    X(ENDPOINT_TLS, "TLS failure talking to the introspection endpoint", 503, \
      NULL, MAI_LOG_ERR) \
    X(ENDPOINT_HTTP, "introspection endpoint answered a non-200 status", 503, \
      NULL, MAI_LOG_ERR) \
    X(ENDPOINT_CLIENT_AUTH, \
      "introspection endpoint rejected our client credentials", 503, NULL, \
      MAI_LOG_ERR) \
    X(ENDPOINT_PROXY, "the HTTP proxy (AuthIntrospectProxy) refused or " \
      "failed the call", 503, NULL, MAI_LOG_ERR) \
    X(ENDPOINT_BAD_RESPONSE, "malformed HTTP response from the endpoint", 503, \
      NULL, MAI_LOG_ERR) \
    X(ENDPOINT_TOO_LARGE, "endpoint response exceeds a limit", 503, NULL, \
      MAI_LOG_ERR) \
    X(ENDPOINT_BAD_JSON, "endpoint response is not an introspection JSON " \
      "object", 503, NULL, MAI_LOG_ERR) \
    X(ENDPOINT_DUPLICATE_MEMBER, "endpoint response repeats a member name " \
      "(readers may disagree on which one counts)", 503, NULL, MAI_LOG_ERR) \
    X(ENDPOINT_BAD_JWKS, "the authorization server's JWK set is not usable " \
      "(no public signature key this module accepts)", 503, NULL, \
      MAI_LOG_ERR) \
    X(ENDPOINT_NOT_SIGNED, "introspection response is not a signed JWT " \
      "(AuthIntrospectResponseFormat jwt)", 503, NULL, MAI_LOG_ERR) \
    X(ENDPOINT_ENCRYPTED, "encrypted introspection responses are not " \
      "supported", 503, NULL, MAI_LOG_ERR) \
    X(ENDPOINT_BAD_SIGNATURE, "signed introspection response does not " \
      "verify (alg, key or signature)", 503, NULL, MAI_LOG_ERR) \
    X(ENDPOINT_BAD_CLAIMS, "signed introspection response fails a check " \
      "(typ, iss, aud, iat or token_introspection)", 503, NULL, \
      MAI_LOG_ERR) \
    X(BREAKER_OPEN, "circuit breaker open: the endpoint failed repeatedly", \
      503, NULL, MAI_LOG_INFO) \
    X(OVERLOADED, "too many introspection calls in flight", 503, NULL, \
      MAI_LOG_ERR) \
    X(CACHE_MISS, "not in the cache", 0, NULL, MAI_LOG_DEBUG) \
    X(CACHE_CORRUPT, "cache entry rejected", 0, NULL, MAI_LOG_WARNING) \
    X(INTERNAL, "internal error", 500, NULL, MAI_LOG_ERR) \
    X(JWT_OPAQUE, "not a JWT, and AuthIntrospectLocalJWT only has no " \
      "endpoint to ask", 401, "invalid_token", MAI_LOG_INFO) \
    X(JWT_MALFORMED, "JWT access token is not a compact signed JWT " \
      "(parts, base64url, header JSON; or encrypted)", 401, \
      "invalid_token", MAI_LOG_INFO) \
    X(JWT_CLAIMS, "JWT access token claims are not a usable JSON object " \
      "(types, limits, a member repeated, or an \"active\" member)", 401, \
      "invalid_token", MAI_LOG_INFO) \
    X(JWT_TYPE, "JWT typ is not at+jwt (RFC 9068; see " \
      "AuthIntrospectLocalJWTType)", 401, "invalid_token", MAI_LOG_INFO) \
    X(JWT_NO_EXP, "JWT access token has no exp (RFC 9068 requires it)", \
      401, "invalid_token", MAI_LOG_INFO) \
    X(JWT_ALG, "JWT alg is not an allowed asymmetric algorithm for the " \
      "issuer's key", 401, "invalid_token", MAI_LOG_INFO) \
    X(JWT_UNKNOWN_KEY, "no key of the issuer's JWKS has the JWT's kid, " \
      "even after fetching the set again", 401, "invalid_token", \
      MAI_LOG_INFO) \
    X(JWT_SIGNATURE, "JWT signature does not verify with the issuer's key", \
      401, "invalid_token", MAI_LOG_INFO)

#define MAI_STATUS_ENUM(name, reason, http, error, level) MAI_STATUS_##name,
typedef enum { MAI_STATUS_LIST(MAI_STATUS_ENUM) MAI_STATUS_COUNT_ } mai_status_t;
#undef MAI_STATUS_ENUM
#define MAI_OK MAI_STATUS_OK

/** Short human reason, for log lines (never sent to the client). */
const char *mai_status_reason(mai_status_t s);
/** Symbolic name ("EXPIRED"), for logs and tests. */
const char *mai_status_name(mai_status_t s);
/** HTTP status the client gets for this outcome; 0 when it is not a failure. */
int mai_status_http(mai_status_t s);
/** RFC 6750 error attribute for WWW-Authenticate, or NULL for none. */
const char *mai_status_bearer_error(mai_status_t s);
/** Log level (MAI_LOG_*) at which this outcome is reported. */
int mai_status_log_level(mai_status_t s);
/** True for failures of the authorization server itself (connect,
 * timeout, TLS, non-200, bad response, open breaker): every 503 but
 * OVERLOADED, our own cap. AuthIntrospectStaleIfError covers these. */
int mai_status_is_endpoint_failure(mai_status_t s);

#endif
