/* SPDX-License-Identifier: Apache-2.0 */
/* config.h: per-directory and server configuration. The structs are
 * private to config.c: every field has an explicit "unset" state, every
 * default is stated once (in the getters), and merging is field by field.
 * Pure: the glue's directive setters call these with cmd->pool. */
#ifndef MAI_CONFIG_H
#define MAI_CONFIG_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>
#include "config_values.h"
#include "url.h"
#include "digest.h"
#include "proxy.h"

typedef struct mai_dir_conf mai_dir_conf_t;
typedef struct mai_server_conf mai_server_conf_t;

mai_dir_conf_t *mai_dir_conf_create(apr_pool_t *p);
/** Field by field: a field set in add wins, else base's. */
mai_dir_conf_t *mai_dir_conf_merge(apr_pool_t *p, const mai_dir_conf_t *base,
                                   const mai_dir_conf_t *add);

/* Setters: NULL or an error message. `p` is the config pool. */
const char *mai_conf_set_endpoint(apr_pool_t *p, mai_dir_conf_t *c,
                                  const char *url);
const char *mai_conf_set_client_id(apr_pool_t *p, mai_dir_conf_t *c,
                                   const char *id);
/** The secret itself, already resolved from env:/file: by the caller. */
const char *mai_conf_set_client_secret(apr_pool_t *p, mai_dir_conf_t *c,
                                       const char *secret);
const char *mai_conf_set_client_auth(mai_dir_conf_t *c, const char *arg);
const char *mai_conf_set_tls_ca_file(apr_pool_t *p, mai_dir_conf_t *c,
                                     const char *path);
void mai_conf_set_tls_verify(mai_dir_conf_t *c, int on);
const char *mai_conf_set_timeout(mai_dir_conf_t *c, const char *total,
                                 const char *connect);
const char *mai_conf_set_token_type_hint(apr_pool_t *p, mai_dir_conf_t *c,
                                         const char *hint);
/** One word of AcceptTokenIn; the first word in a section replaces the
 * inherited list, later ones add to it. */
const char *mai_conf_add_token_source(apr_pool_t *p, mai_dir_conf_t *c,
                                      const char *word);
/** One word of RemoteUserClaim, same list rule as token sources. */
const char *mai_conf_add_user_claim(apr_pool_t *p, mai_dir_conf_t *c,
                                    const char *claim);
const char *mai_conf_set_issuer(apr_pool_t *p, mai_dir_conf_t *c,
                                const char *iss);
/** One word of AuthIntrospectTokenTypes; same list rule as token sources.
 * htaccess: the list comes from an .htaccess file, so on merge it only
 * narrows the inherited list (keeps the types both allow) instead of
 * replacing it. */
const char *mai_conf_add_token_type(apr_pool_t *p, mai_dir_conf_t *c,
                                    const char *type, int htaccess);
const char *mai_conf_set_clock_skew(mai_dir_conf_t *c, const char *arg);
void mai_conf_set_env(mai_dir_conf_t *c, int on);
void mai_conf_set_headers(mai_dir_conf_t *c, int on);
const char *mai_conf_set_cache_ttl(mai_dir_conf_t *c, const char *arg);
const char *mai_conf_set_negative_ttl(mai_dir_conf_t *c, const char *arg);
const char *mai_conf_set_stale_if_error(mai_dir_conf_t *c, const char *arg);

/* Getters: the effective value, defaults applied. */
const mai_url_t *mai_conf_endpoint(const mai_dir_conf_t *c); /* or NULL */
const char *mai_conf_endpoint_text(const mai_dir_conf_t *c);   /* or NULL */
const char *mai_conf_client_id(const mai_dir_conf_t *c);       /* or NULL */
const char *mai_conf_client_secret(const mai_dir_conf_t *c);   /* or NULL */
mai_client_auth_t mai_conf_client_auth(const mai_dir_conf_t *c);
const char *mai_conf_tls_ca_file(const mai_dir_conf_t *c);     /* or NULL */
int mai_conf_tls_verify(const mai_dir_conf_t *c);
/** TLSVerify as this section itself sets it: 1, 0, or -1 when it leaves
 * it to enclosing ones (the start-up walk of sections needs to know). */
int mai_conf_tls_verify_own(const mai_dir_conf_t *c);
apr_interval_time_t mai_conf_timeout(const mai_dir_conf_t *c);
apr_interval_time_t mai_conf_connect_timeout(const mai_dir_conf_t *c);
const char *mai_conf_token_type_hint(const mai_dir_conf_t *c); /* or NULL */
/** What, besides the token, decides this location's answer and how far it
 * is trusted: endpoint, client id, TLSVerify, CA file, TokenTypeHint. */
mai_cache_scope_t mai_conf_cache_scope(const mai_dir_conf_t *c);
int mai_conf_token_sources(const mai_dir_conf_t *c);
const char *mai_conf_token_cookie(const mai_dir_conf_t *c);
const apr_array_header_t *mai_conf_user_claims(const mai_dir_conf_t *c);
/** AuthIntrospectIssuer, else the metadata URL's issuer, else NULL. */
const char *mai_conf_issuer(const mai_dir_conf_t *c);
/** The accepted token_type values (char*), or NULL: any, or none. */
const apr_array_header_t *mai_conf_token_types(const mai_dir_conf_t *c);
int mai_conf_clock_skew(const mai_dir_conf_t *c);
/** AuthIntrospectSetEnv / SetHeaders: export the claims as INTROSPECT_*
 * variables / X-Introspect-* request headers. */
int mai_conf_export_env(const mai_dir_conf_t *c);
int mai_conf_export_headers(const mai_dir_conf_t *c);
int mai_conf_cache_ttl(const mai_dir_conf_t *c);
int mai_conf_negative_ttl(const mai_dir_conf_t *c);
int mai_conf_stale_if_error(const mai_dir_conf_t *c);

/** One word of AuthIntrospectExportClaims: a claim path (claim_path.h),
 * or "*" alone (every top-level claim, the default). Same list rule as
 * token sources. */
const char *mai_conf_add_export_claim(apr_pool_t *p, mai_dir_conf_t *c,
                                      const char *word);
/** The claims to export (const mai_claim_path_t *, in priority order), or
 * NULL: every top-level claim, in the answer's order. */
const apr_array_header_t *mai_conf_export_claims(const mai_dir_conf_t *c);
/** AuthIntrospectExportClaimsHeader: X-Introspect-Claims, the whole
 * answer as one header (with SetHeaders On). */
void mai_conf_set_export_whole_header(mai_dir_conf_t *c, int on);
int mai_conf_export_whole_header(const mai_dir_conf_t *c);
/** AuthIntrospectExportMaxHeaderBytes: bytes the exported headers may
 * take in all (0 = no cap). */
const char *mai_conf_set_export_max_header_bytes(mai_dir_conf_t *c,
                                                 const char *arg);
int mai_conf_export_max_header_bytes(const mai_dir_conf_t *c);

/* Server (process-wide) settings. */
mai_server_conf_t *mai_server_conf_create(apr_pool_t *p);
mai_server_conf_t *mai_server_conf_merge(apr_pool_t *p,
                                         const mai_server_conf_t *base,
                                         const mai_server_conf_t *add);
/** AuthIntrospectCache: "none", "shmcb[:ARGS]", "redis:HOST:PORT",
 * "memcache:HOST:PORT" or any socache provider name with its arguments. */
const char *mai_conf_set_cache(apr_pool_t *p, mai_server_conf_t *c,
                               const char *spec);
/** The socache provider name ("shmcb" default; "none" = no shared cache)
 * and its argument string (NULL for the provider's default). */
const char *mai_conf_cache_provider(const mai_server_conf_t *c);
const char *mai_conf_cache_args(const mai_server_conf_t *c);

/** AuthIntrospectCacheSecret takes only env:NAME or file:PATH, so the
 * secret never sits in the config text (or mod_info). */
const char *mai_conf_cache_secret_spec(const char *spec);
/** The secret itself, already resolved by the caller: at least
 * MAI_CACHE_SECRET_MIN bytes. */
const char *mai_conf_set_cache_secret(apr_pool_t *p, mai_server_conf_t *c,
                                      const char *secret);
/** The cache secret, or NULL when none is configured. */
const char *mai_conf_cache_secret(const mai_server_conf_t *c);
/** True when the provider may be reached from beyond this httpd (anything
 * but shmcb and none): such a cache needs AuthIntrospectCacheSecret. */
int mai_conf_cache_needs_secret(const mai_server_conf_t *c);
#define MAI_CACHE_SECRET_MIN 32

/** AuthIntrospectCacheL1Entries: answers kept per process (0 = no L1). */
const char *mai_conf_set_l1_entries(mai_server_conf_t *c, const char *arg);
int mai_conf_l1_entries(const mai_server_conf_t *c);
/* AuthIntrospectDPoPReplayEntries: slots of the server-wide DPoP replay
 * table (shmcb or none); 0 = none, the jti go to the shared cache */
const char *mai_conf_set_dpop_replay_entries(mai_server_conf_t *c,
                                             const char *arg);
int mai_conf_dpop_replay_entries(const mai_server_conf_t *c);

/** AuthIntrospectPoolSize: idle keep-alive connections per endpoint and
 * process (0 = a new connection per call). */
const char *mai_conf_set_pool_size(mai_server_conf_t *c, const char *arg);
int mai_conf_pool_size(const mai_server_conf_t *c);
/** AuthIntrospectMaxInflight: concurrent calls per endpoint and process. */
const char *mai_conf_set_max_inflight(mai_server_conf_t *c, const char *arg);
int mai_conf_max_inflight(const mai_server_conf_t *c);
/** AuthIntrospectBreaker FAILURES SECONDS (FAILURES 0 = no breaker). */
const char *mai_conf_set_breaker(mai_server_conf_t *c, const char *failures,
                                 const char *seconds);
int mai_conf_breaker_failures(const mai_server_conf_t *c);
int mai_conf_breaker_seconds(const mai_server_conf_t *c);
/** Seconds a pooled connection may stay idle (no directive yet). */
int mai_conf_pool_idle_seconds(const mai_server_conf_t *c);

/* RFC 9728 protected-resource metadata (prm.h), directory context. */
struct mai_prm_resource;
/** AuthIntrospectResource URL: the resource identifier. */
const char *mai_conf_set_resource(apr_pool_t *p, mai_dir_conf_t *c,
                                  const char *url);
/** One URL of AuthIntrospectAuthorizationServers (a section's list
 * replaces the inherited one). */
const char *mai_conf_add_auth_server(apr_pool_t *p, mai_dir_conf_t *c,
                                     const char *url);
const char *mai_conf_set_resource_name(apr_pool_t *p, mai_dir_conf_t *c,
                                       const char *name);
const char *mai_conf_set_resource_doc(apr_pool_t *p, mai_dir_conf_t *c,
                                      const char *url);
/** AuthIntrospectResourceAudience On|Off. */
void mai_conf_set_resource_audience(mai_dir_conf_t *c, int on);
/** The scopes of a section's Require oauth-scope lines (space separated),
 * for scopes_supported; a section that has any replaces the inherited. */
void mai_conf_add_required_scopes(apr_pool_t *p, mai_dir_conf_t *c,
                                  const char *scopes);
const struct mai_prm_resource *mai_conf_resource(const mai_dir_conf_t *c);
const apr_array_header_t *mai_conf_auth_servers(const mai_dir_conf_t *c);
const char *mai_conf_resource_name(const mai_dir_conf_t *c);
const char *mai_conf_resource_doc(const mai_dir_conf_t *c);
const apr_array_header_t *mai_conf_required_scopes(const mai_dir_conf_t *c);
/** The identifier every token's aud must contain, or NULL: no resource,
 * or AuthIntrospectResourceAudience Off. */
const char *mai_conf_resource_audience(const mai_dir_conf_t *c);
/** The absolute URL of the metadata document, or NULL. */
const char *mai_conf_resource_metadata_url(const mai_dir_conf_t *c);
/** AuthIntrospectCacheL1Recheck: seconds after which an L1 answer is
 * confirmed against a shared cache other hosts reach before it serves
 * again (0 = never), so a purge on another host reaches this one. */
const char *mai_conf_set_l1_recheck(mai_server_conf_t *c, const char *arg);
int mai_conf_l1_recheck(const mai_server_conf_t *c);
/** AuthIntrospectProxy http://HOST:PORT, or none (the default: direct).
 * A virtual host that names its own proxy does not inherit the
 * credentials of the enclosing server's proxy. */
const char *mai_conf_set_proxy(apr_pool_t *p, mai_server_conf_t *c,
                               const char *text);
/** AuthIntrospectProxyCredentials takes only env:NAME or file:PATH. */
const char *mai_conf_proxy_credentials_spec(const char *spec);
/** user:password, already resolved by the caller. */
const char *mai_conf_set_proxy_credentials(apr_pool_t *p,
                                           mai_server_conf_t *c,
                                           const char *userpass);
/** The proxy calls go through, or NULL for a direct connection. */
const mai_proxy_t *mai_conf_proxy(const mai_server_conf_t *c);
/** Credentials set (in this server or inherited) but no proxy to send
 * them to: a configuration mistake check_config reports. */
int mai_conf_proxy_credentials_unused(const mai_server_conf_t *c);
/** AuthIntrospectAllowInsecureHTTP: plain http endpoints off loopback. */
void mai_conf_set_allow_insecure_http(mai_server_conf_t *c, int on);
int mai_conf_allow_insecure_http(const mai_server_conf_t *c);

/** AuthIntrospectMetadataURL: an RFC 8414 / OpenID Connect Discovery
 * metadata URL; also fixes the issuer it belongs to (as_metadata.h). */
const char *mai_conf_set_metadata_url(apr_pool_t *p, mai_dir_conf_t *c,
                                      const char *url);
/** AuthIntrospectMetadataRefresh HOURS (1 at least). */
const char *mai_conf_set_metadata_refresh(mai_dir_conf_t *c, const char *arg);
const char *mai_conf_metadata_text(const mai_dir_conf_t *c);   /* or NULL */
const mai_url_t *mai_conf_metadata_url(const mai_dir_conf_t *c); /* or NULL */
/** The issuer the metadata URL stands for (RFC 8414 section 3.3). */
const char *mai_conf_metadata_issuer(const mai_dir_conf_t *c); /* or NULL */
/** How long a fetched metadata document is used before a refresh. */
apr_interval_time_t mai_conf_metadata_refresh(const mai_dir_conf_t *c);

/** AuthIntrospectClientCert: the PEM certificate (chain) and key files
 * presented on the TLS connection to the endpoint (RFC 8705 section 2),
 * already checked by the caller. The getters give NULL when unset. */
const char *mai_conf_set_client_cert(apr_pool_t *p, mai_dir_conf_t *c,
                                     const char *cert, const char *key);
const char *mai_conf_client_cert(const mai_dir_conf_t *c);
const char *mai_conf_client_cert_key(const mai_dir_conf_t *c);
/** AuthIntrospectClientCertHeader NAME | none: the request header a
 * TLS-terminating front end puts the client certificate in (RFC 8705
 * section 3 behind a proxy). NULL: take it from mod_ssl only. */
const char *mai_conf_set_client_cert_header(apr_pool_t *p,
                                            mai_server_conf_t *c,
                                            const char *name);
const char *mai_conf_client_cert_header(const mai_server_conf_t *c);
/* RFC 7523 client assertions (client_secret_jwt, private_key_jwt). The
 * keys are jose_sign.h's, loaded at startup by the glue; opaque here. */
struct mai_sign_key;
/** AuthIntrospectClientKey: the private_key_jwt signing key. */
void mai_conf_set_client_key(mai_dir_conf_t *c, const struct mai_sign_key *k);
const struct mai_sign_key *mai_conf_client_key(const mai_dir_conf_t *c);
/** The client_secret_jwt HMAC key made from AuthIntrospectClientSecret;
 * merged with the secret it was made from. */
void mai_conf_set_client_secret_key(mai_dir_conf_t *c,
                                    const struct mai_sign_key *k);
const struct mai_sign_key *mai_conf_client_secret_key(
    const mai_dir_conf_t *c);
/** AuthIntrospectClientAssertionAudience issuer|endpoint|both. */
const char *mai_conf_set_assertion_aud(mai_dir_conf_t *c, const char *arg);
mai_assertion_aud_t mai_conf_assertion_aud(const mai_dir_conf_t *c);
/** AuthIntrospectClientAssertionReuse SECONDS (0 to 30; 0: a fresh
 * assertion for every call). */
const char *mai_conf_set_assertion_reuse(mai_dir_conf_t *c, const char *arg);
int mai_conf_assertion_reuse(const mai_dir_conf_t *c);
/** AuthIntrospectDPoP off|allowed|required (dpop.h); htaccess: from an
 * .htaccess file, so merging keeps only the schemes both accept. */
const char *mai_conf_set_dpop(mai_dir_conf_t *c, const char *arg,
                              int htaccess);
/** The schemes the location accepts (MAI_DPOP_SCHEME_* bits; 0 after an
 * .htaccess took away all: every token is refused). */
unsigned mai_conf_dpop(const mai_dir_conf_t *c);
/** AuthIntrospectDPoPProofWindow SECONDS (1 to 3600): how old a proof's
 * iat may be, besides AuthIntrospectClockSkew. */
const char *mai_conf_set_dpop_window(mai_dir_conf_t *c, const char *arg);
int mai_conf_dpop_window(const mai_dir_conf_t *c);
/** AuthIntrospectDPoPNonce On|Off: proofs must carry a current server
 * nonce (dpop.h). */
void mai_conf_set_dpop_nonce(mai_dir_conf_t *c, int on);
int mai_conf_dpop_nonce(const mai_dir_conf_t *c);
/* JWT access tokens verified locally (RFC 9068, jwt_access_token.h). */
/** AuthIntrospectLocalJWT off|on|only. */
const char *mai_conf_set_local_jwt(mai_dir_conf_t *c, const char *arg);
/** AuthIntrospectLocalJWTType strict|lenient. */
const char *mai_conf_set_local_jwt_type(mai_dir_conf_t *c, const char *arg);
/** AuthIntrospectLocalJWTIntrospectAfter off|SECONDS. */
const char *mai_conf_set_local_jwt_introspect_after(mai_dir_conf_t *c,
                                                    const char *arg);
/** The mode, a mai_ljwt_mode_t (default MAI_LJWT_OFF). */
int mai_conf_local_jwt(const mai_dir_conf_t *c);
/** 1 when typ may also be absent or JWT. */
int mai_conf_local_jwt_lenient(const mai_dir_conf_t *c);
/** Seconds after iat past which a JWT is introspected (0 = never). */
int mai_conf_local_jwt_introspect_after(const mai_dir_conf_t *c);
/** The cache scope of answers verified locally: never equal to any
 * endpoint's (mai_conf_cache_scope), so the two kinds never serve for
 * each other. */
mai_cache_scope_t mai_conf_local_jwt_scope(const mai_dir_conf_t *c);
/** AuthIntrospectJWKS URL: the authorization server's JWK set (else the
 * metadata document's jwks_uri). Its useful life is the metadata
 * refresh interval. */
const char *mai_conf_set_jwks(apr_pool_t *p, mai_dir_conf_t *c,
                              const char *url);
/** AuthIntrospectJWKSRefetchInterval SECONDS: the least time between two
 * fetches of the set for a kid it does not hold. */
const char *mai_conf_set_jwks_refetch(mai_dir_conf_t *c, const char *arg);
const char *mai_conf_jwks_text(const mai_dir_conf_t *c);       /* or NULL */
const mai_url_t *mai_conf_jwks_url(const mai_dir_conf_t *c);   /* or NULL */
apr_interval_time_t mai_conf_jwks_refetch(const mai_dir_conf_t *c);

/** AuthIntrospectResponseFormat json|jwt: with jwt, the endpoint must
 * answer with an RFC 9701 signed JWT (signed_answer.c). */
const char *mai_conf_set_response_format(mai_dir_conf_t *c, const char *arg);
int mai_conf_response_jwt(const mai_dir_conf_t *c);

#endif
