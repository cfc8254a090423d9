/* SPDX-License-Identifier: Apache-2.0 */
/* mod_auth_introspect.c: the glue. Module record, directive table with
 * thin setters over config.c, hooks, providers and process lifecycle.
 * Everything else lives in src/{httpd,io,pure}, one concern per file
 * (docs/architecture.md). */
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_auth.h>
#define MAI_GLUE /* AP_DECLARE_MODULE below defines the log index */
#include "mai_private.h"
#include "secret.h"
#include "cache.h"
#include "tls.h"
#include "cache_l1.h"
#include "flight.h"
#include "scope_keys.h"
#include "authn.h"
#include "authz.h"
#include "deny.h"
#include "strip_spoofed.h"
#include "form_body.h"
#include "config_check.h"
#include "endpoint_setup.h"
#include "prm_handler.h"
#include "metrics_handler.h"
#include "metrics.h"
#include "purge.h"
#include "purge_journal.h"
#include "purge_scopes.h"
#include "discovery.h"
#include "cert_bound.h"
#include "jose_sign.h"
#include "replay_table.h"
#include "replay_shm.h"
#include "jwks.h"

mai_process_t mai_proc;

static void *create_dir(apr_pool_t *p, char *dir)
{
    return mai_dir_conf_create(p);
}

static void *merge_dir(apr_pool_t *p, void *base, void *add)
{
    return mai_dir_conf_merge(p, base, add);
}

static void *create_server(apr_pool_t *p, server_rec *s)
{
    return mai_server_conf_create(p);
}

static void *merge_server(apr_pool_t *p, void *base, void *add)
{
    return mai_server_conf_merge(p, base, add);
}

/* A file: path is relative to ServerRoot; env: values are remembered in
 * the process pool (see secret.h). */
static const char *resolve_secret(cmd_parms *cmd, const char *a,
                                  const char **secret)
{
    if (!strncmp(a, "file:", 5)) {
        a = apr_pstrcat(cmd->temp_pool, "file:",
                        ap_server_root_relative(cmd->temp_pool, a + 5), NULL);
    }
    return mai_secret_resolve(cmd->pool, cmd->server->process->pool, a,
                              secret);
}

/* Thin setters: parse in config.c, add nothing here. */
static const char *set_endpoint(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_endpoint(cmd->pool, dc, a);
}
static const char *set_client_id(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_client_id(cmd->pool, dc, a);
}
static const char *set_client_secret(cmd_parms *cmd, void *dc, const char *a)
{
    const char *secret, *err = resolve_secret(cmd, a, &secret);
    mai_sign_key_t *hmac;

    err = err ? err : mai_conf_set_client_secret(cmd->pool, dc, secret);
    /* client_secret_jwt's HS256 key, made once here, never per request */
    err = err ? err : mai_sign_key_hmac(cmd->pool, secret, &hmac);
    if (!err) {
        mai_conf_set_client_secret_key(dc, hmac);
    }
    return err;
}
static const char *set_client_auth(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_client_auth(dc, a);
}
/* file:CERT file:KEY, relative to ServerRoot; checked here, so httpd
 * names the file and line (and -t fails). */
static const char *set_client_cert(cmd_parms *cmd, void *dc, const char *c,
                                   const char *k)
{
    const char *cert, *key, *err;

    if (strncmp(c, "file:", 5) || strncmp(k, "file:", 5)) {
        return "takes file:CERT file:KEY (PEM files)";
    }
    cert = ap_server_root_relative(cmd->pool, c + 5);
    key = ap_server_root_relative(cmd->pool, k + 5);
    err = cert && key ? mai_tls_check_client_cert(cmd->temp_pool, cert, key)
                      : "invalid certificate or key file path";
    return err ? err : mai_conf_set_client_cert(cmd->pool, dc, cert, key);
}
static const char *set_ca_file(cmd_parms *cmd, void *dc, const char *a)
{
    /* checked here, so httpd names the file and line (and -t fails) */
    const char *path = ap_server_root_relative(cmd->pool, a);
    const char *err = path ? mai_tls_check_ca_file(cmd->temp_pool, path)
                           : "invalid CA file path";
    return err ? err : mai_conf_set_tls_ca_file(cmd->pool, dc, path);
}
static const char *set_tls_verify(cmd_parms *cmd, void *dc, int on)
{
    mai_conf_set_tls_verify(dc, on);
    return NULL;
}
static const char *set_timeout(cmd_parms *cmd, void *dc, const char *t,
                               const char *ct)
{
    return mai_conf_set_timeout(dc, t, ct);
}
static const char *set_hint(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_token_type_hint(cmd->pool, dc, a);
}
static const char *add_source(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_add_token_source(cmd->pool, dc, a);
}
static const char *add_user_claim(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_add_user_claim(cmd->pool, dc, a);
}
static const char *set_metadata_url(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_metadata_url(cmd->pool, dc, a);
}

static const char *set_metadata_refresh(cmd_parms *cmd, void *dc,
                                        const char *a)
{
    return mai_conf_set_metadata_refresh(dc, a);
}

/* Read at startup as root, checked by `apache2 -t` with file and line. */
static const char *set_client_key(cmd_parms *cmd, void *dc, const char *a,
                                  const char *kid)
{
    mai_sign_key_t *k;
    const char *path, *err;

    if (strncmp(a, "file:", 5) || !a[5]) {
        return "AuthIntrospectClientKey takes file:PATH [KID]";
    }
    path = ap_server_root_relative(cmd->temp_pool, a + 5);
    err = path ? mai_sign_key_load(cmd->pool, path, kid, &k)
               : "invalid key file path";
    if (err) {
        return apr_pstrcat(cmd->pool, "AuthIntrospectClientKey: ", err,
                           NULL);
    }
    mai_conf_set_client_key(dc, k);
    return NULL;
}
static const char *set_assertion_aud(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_assertion_aud(dc, a);
}
static const char *set_assertion_reuse(cmd_parms *cmd, void *dc,
                                       const char *a)
{
    return mai_conf_set_assertion_reuse(dc, a);
}

static const char *set_jwks(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_jwks(cmd->pool, dc, a);
}

static const char *set_jwks_refetch(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_jwks_refetch(dc, a);
}

static const char *set_response_format(cmd_parms *cmd, void *dc,
                                       const char *a)
{
    return mai_conf_set_response_format(dc, a);
}

static const char *set_issuer(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_issuer(cmd->pool, dc, a);
}
static const char *add_token_type(cmd_parms *cmd, void *dc, const char *a)
{
    /* httpd reads .htaccess with cmd->pool == cmd->temp_pool, which is what
     * ap_check_cmd_context tests: there the list may only narrow */
    int htaccess = ap_check_cmd_context(cmd, NOT_IN_HTACCESS) != NULL;
    return mai_conf_add_token_type(cmd->pool, dc, a, htaccess);
}
static const char *set_skew(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_clock_skew(dc, a);
}
static const char *set_env(cmd_parms *cmd, void *dc, int on)
{
    mai_conf_set_env(dc, on);
    return NULL;
}
static const char *set_headers(cmd_parms *cmd, void *dc, int on)
{
    mai_conf_set_headers(dc, on);
    return NULL;
}
static const char *add_export_claim(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_add_export_claim(cmd->pool, dc, a);
}
static const char *set_export_whole(cmd_parms *cmd, void *dc, int on)
{
    mai_conf_set_export_whole_header(dc, on);
    return NULL;
}
static const char *set_export_max(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_export_max_header_bytes(dc, a);
}
static const char *set_ttl(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_cache_ttl(dc, a);
}
static const char *set_negative_ttl(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_negative_ttl(dc, a);
}
static const char *set_stale(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_stale_if_error(dc, a);
}
static const char *set_resource(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_resource(cmd->pool, dc, a);
}
static const char *add_auth_server(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_add_auth_server(cmd->pool, dc, a);
}
static const char *set_resource_name(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_resource_name(cmd->pool, dc, a);
}
static const char *set_resource_doc(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_resource_doc(cmd->pool, dc, a);
}
static const char *set_resource_aud(cmd_parms *cmd, void *dc, int on)
{
    mai_conf_set_resource_audience(dc, on);
    return NULL;
}

static const char *set_dpop(cmd_parms *cmd, void *dc, const char *a)
{
    /* as AuthIntrospectTokenTypes: in .htaccess it may only narrow */
    int htaccess = ap_check_cmd_context(cmd, NOT_IN_HTACCESS) != NULL;
    return mai_conf_set_dpop(dc, a, htaccess);
}
static const char *set_dpop_window(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_dpop_window(dc, a);
}
static const char *set_dpop_nonce(cmd_parms *cmd, void *dc, int on)
{
    mai_conf_set_dpop_nonce(dc, on);
    return NULL;
}
static const char *set_local_jwt(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_local_jwt(dc, a);
}
static const char *set_local_jwt_type(cmd_parms *cmd, void *dc,
                                      const char *a)
{
    return mai_conf_set_local_jwt_type(dc, a);
}
static const char *set_local_jwt_after(cmd_parms *cmd, void *dc,
                                       const char *a)
{
    return mai_conf_set_local_jwt_introspect_after(dc, a);
}

/* Process-wide settings: main server only, so every vhost shares them. */
static mai_server_conf_t *global_conf(cmd_parms *cmd, const char **err)
{
    *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    return ap_get_module_config(cmd->server->module_config,
                                &auth_introspect_module);
}
static const char *set_l1_entries(cmd_parms *cmd, void *dc, const char *a)
{
    const char *err;
    mai_server_conf_t *sc = global_conf(cmd, &err);
    return err ? err : mai_conf_set_l1_entries(sc, a);
}
static const char *set_dpop_replay_entries(cmd_parms *cmd, void *dc,
                                           const char *a)
{
    const char *err;
    mai_server_conf_t *sc = global_conf(cmd, &err);
    return err ? err : mai_conf_set_dpop_replay_entries(sc, a);
}
static const char *set_cache(cmd_parms *cmd, void *dc, const char *a)
{
    const char *err;
    mai_server_conf_t *sc = global_conf(cmd, &err);
    return err ? err : mai_conf_set_cache(cmd->pool, sc, a);
}
static const char *set_cache_secret(cmd_parms *cmd, void *dc, const char *a)
{
    const char *secret, *err;
    mai_server_conf_t *sc = global_conf(cmd, &err);
    err = err ? err : mai_conf_cache_secret_spec(a);
    err = err ? err : resolve_secret(cmd, a, &secret);
    return err ? err : mai_conf_set_cache_secret(cmd->pool, sc, secret);
}
static const char *set_pool_size(cmd_parms *cmd, void *dc, const char *a)
{
    const char *err;
    mai_server_conf_t *sc = global_conf(cmd, &err);
    return err ? err : mai_conf_set_pool_size(sc, a);
}
static const char *set_max_inflight(cmd_parms *cmd, void *dc, const char *a)
{
    const char *err;
    mai_server_conf_t *sc = global_conf(cmd, &err);
    return err ? err : mai_conf_set_max_inflight(sc, a);
}
static const char *set_l1_recheck(cmd_parms *cmd, void *dc, const char *a)
{
    const char *err;
    mai_server_conf_t *sc = global_conf(cmd, &err);
    return err ? err : mai_conf_set_l1_recheck(sc, a);
}
static const char *set_breaker(cmd_parms *cmd, void *dc, const char *f,
                               const char *s)
{
    const char *err;
    mai_server_conf_t *sc = global_conf(cmd, &err);
    return err ? err : mai_conf_set_breaker(sc, f, s);
}
static const char *set_allow_insecure(cmd_parms *cmd, void *dc, int on)
{
    const char *err;
    mai_server_conf_t *sc = global_conf(cmd, &err);
    if (!err) {
        mai_conf_set_allow_insecure_http(sc, on);
    }
    return err;
}
/* The proxy may differ per virtual host (RSRC_CONF, not GLOBAL_ONLY). */
static mai_server_conf_t *server_conf(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config,
                                &auth_introspect_module);
}
static const char *set_cert_header(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_client_cert_header(cmd->pool, server_conf(cmd), a);
}
static const char *set_proxy(cmd_parms *cmd, void *dc, const char *a)
{
    return mai_conf_set_proxy(cmd->pool, server_conf(cmd), a);
}
static const char *set_proxy_credentials(cmd_parms *cmd, void *dc,
                                         const char *a)
{
    const char *userpass, *err = mai_conf_proxy_credentials_spec(a);
    err = err ? err : resolve_secret(cmd, a, &userpass);
    return err ? err : mai_conf_set_proxy_credentials(cmd->pool,
                                                      server_conf(cmd),
                                                      userpass);
}

/* Where tokens and credentials go is never up to .htaccess: a directory
 * owner could otherwise send the inherited client secret anywhere. */
#define SECURE_CONF (RSRC_CONF | ACCESS_CONF)
#define AUTH_CONF (RSRC_CONF | ACCESS_CONF | OR_AUTHCFG)

static const command_rec directives[] = {
    AP_INIT_TAKE1("AuthIntrospectEndpoint", set_endpoint, NULL, SECURE_CONF,
                  "RFC 7662 introspection endpoint URL"),
    AP_INIT_TAKE1("AuthIntrospectClientID", set_client_id, NULL, SECURE_CONF,
                  "client id for the introspection endpoint"),
    AP_INIT_TAKE1("AuthIntrospectClientSecret", set_client_secret, NULL,
                  SECURE_CONF, "client secret: VALUE, env:NAME or file:PATH"),
    AP_INIT_TAKE1("AuthIntrospectClientAuth", set_client_auth, NULL,
                  SECURE_CONF, "client_secret_basic, client_secret_post, "
                  "none, client_secret_jwt, private_key_jwt, "
                  "tls_client_auth or self_signed_tls_client_auth"),
    AP_INIT_TAKE1("AuthIntrospectTLSCAFile", set_ca_file, NULL, SECURE_CONF,
                  "PEM bundle that verifies the endpoint's certificate"),
    AP_INIT_FLAG("AuthIntrospectTLSVerify", set_tls_verify, NULL,
                 SECURE_CONF, "verify the endpoint's certificate and name"),
    AP_INIT_TAKE12("AuthIntrospectTimeout", set_timeout, NULL, SECURE_CONF,
                   "whole-call and connect timeouts in seconds"),
    AP_INIT_TAKE1("AuthIntrospectTokenTypeHint", set_hint, NULL, AUTH_CONF,
                  "token_type_hint sent with each call, or none"),
    AP_INIT_ITERATE("AuthIntrospectAcceptTokenIn", add_source, NULL,
                    AUTH_CONF, "header, query, form, cookie:NAME"),
    AP_INIT_ITERATE("AuthIntrospectRemoteUserClaim", add_user_claim, NULL,
                    AUTH_CONF, "claims tried in order for REMOTE_USER"),
    AP_INIT_TAKE1("AuthIntrospectIssuer", set_issuer, NULL, AUTH_CONF,
                  "required iss of the introspection response"),
    AP_INIT_ITERATE("AuthIntrospectTokenTypes", add_token_type, NULL,
                    AUTH_CONF, "token_type values accepted (any case); in "
                    ".htaccess only a subset of the inherited ones"),
    AP_INIT_TAKE1("AuthIntrospectClockSkew", set_skew, NULL, AUTH_CONF,
                  "leeway in seconds for exp and nbf"),
    AP_INIT_FLAG("AuthIntrospectSetEnv", set_env, NULL, AUTH_CONF,
                 "export claims as INTROSPECT_* environment variables"),
    AP_INIT_FLAG("AuthIntrospectSetHeaders", set_headers, NULL, AUTH_CONF,
                 "export claims as X-Introspect-* request headers"),
    AP_INIT_ITERATE("AuthIntrospectExportClaims", add_export_claim, NULL,
                    AUTH_CONF, "claims (dotted paths allowed) exported to "
                    "INTROSPECT_* / X-Introspect-*, or * for all"),
    AP_INIT_FLAG("AuthIntrospectExportClaimsHeader", set_export_whole, NULL,
                 AUTH_CONF, "send the whole answer as X-Introspect-Claims"),
    AP_INIT_TAKE1("AuthIntrospectExportMaxHeaderBytes", set_export_max, NULL,
                  AUTH_CONF, "bytes all X-Introspect-* headers may take "
                  "(0 = no cap)"),
    AP_INIT_TAKE1("AuthIntrospectCacheTTL", set_ttl, NULL, AUTH_CONF,
                  "seconds an active answer is reused (0 = never)"),
    AP_INIT_TAKE1("AuthIntrospectNegativeCacheTTL", set_negative_ttl, NULL,
                  AUTH_CONF, "seconds an inactive answer is reused"),
    AP_INIT_TAKE1("AuthIntrospectCache", set_cache, NULL, RSRC_CONF,
                  "shared cache: shmcb, redis:HOST:PORT, memcache:HOST:PORT "
                  "or none"),
    AP_INIT_TAKE1("AuthIntrospectCacheSecret", set_cache_secret, NULL,
                  RSRC_CONF, "file:PATH or env:NAME: at least 32 random "
                  "bytes keying the shared cache, the same on every server"),
    AP_INIT_TAKE1("AuthIntrospectCacheL1Entries", set_l1_entries, NULL,
                  RSRC_CONF, "answers kept per process in front of the "
                  "shared cache (0 = none)"),
    AP_INIT_TAKE1("AuthIntrospectDPoPReplayEntries", set_dpop_replay_entries,
                  NULL, RSRC_CONF, "DPoP proofs remembered server-wide "
                  "with AuthIntrospectCache shmcb or none (0 = in the "
                  "shared cache)"),
    AP_INIT_TAKE1("AuthIntrospectStaleIfError", set_stale, NULL, SECURE_CONF,
                  "seconds past the TTL an active answer may serve while the "
                  "endpoint fails (0 = never)"),
    AP_INIT_TAKE1("AuthIntrospectPoolSize", set_pool_size, NULL, RSRC_CONF,
                  "idle keep-alive connections per endpoint and process"),
    AP_INIT_TAKE1("AuthIntrospectMaxInflight", set_max_inflight, NULL,
                  RSRC_CONF, "concurrent calls per endpoint and process"),
    AP_INIT_TAKE2("AuthIntrospectBreaker", set_breaker, NULL, RSRC_CONF,
                  "failures in a row that open the circuit breaker, and "
                  "seconds it stays open"),
    AP_INIT_TAKE1("AuthIntrospectResource", set_resource, NULL, SECURE_CONF,
                  "RFC 9728 resource identifier (https URL) of this "
                  "location"),
    AP_INIT_ITERATE("AuthIntrospectAuthorizationServers", add_auth_server,
                    NULL, SECURE_CONF, "issuer URLs named in the resource "
                    "metadata"),
    AP_INIT_TAKE1("AuthIntrospectResourceName", set_resource_name, NULL,
                  SECURE_CONF, "resource_name of the resource metadata"),
    AP_INIT_TAKE1("AuthIntrospectResourceDocumentation", set_resource_doc,
                  NULL, SECURE_CONF, "resource_documentation URL of the "
                  "resource metadata"),
    AP_INIT_FLAG("AuthIntrospectResourceAudience", set_resource_aud, NULL,
                 SECURE_CONF, "refuse tokens whose aud lacks "
                 "AuthIntrospectResource (default On)"),
    AP_INIT_TAKE1("AuthIntrospectCacheL1Recheck", set_l1_recheck, NULL,
                  RSRC_CONF, "seconds after which an L1 answer is confirmed "
                  "against a redis/memcache shared cache (0 = never)"),
    AP_INIT_TAKE1("AuthIntrospectProxy", set_proxy, NULL, RSRC_CONF,
                  "http://HOST:PORT of a forward proxy for the calls to the "
                  "endpoint, or none"),
    AP_INIT_TAKE1("AuthIntrospectProxyCredentials", set_proxy_credentials,
                  NULL, RSRC_CONF, "file:PATH or env:NAME holding "
                  "user:password for the proxy (Basic)"),
    AP_INIT_FLAG("AuthIntrospectAllowInsecureHTTP", set_allow_insecure, NULL,
                 RSRC_CONF, "allow plain http endpoints off loopback "
                 "(tokens and the client secret cross the network in "
                 "clear)"),
    AP_INIT_TAKE1("AuthIntrospectMetadataURL", set_metadata_url, NULL,
                  SECURE_CONF, "RFC 8414 / OpenID Connect Discovery metadata "
                  "URL of the authorization server"),
    AP_INIT_TAKE1("AuthIntrospectMetadataRefresh", set_metadata_refresh,
                  NULL, SECURE_CONF, "hours a fetched metadata document is "
                  "used before a refresh (default 24)"),
    AP_INIT_TAKE2("AuthIntrospectClientCert", set_client_cert, NULL,
                  SECURE_CONF, "file:CERT file:KEY: PEM client certificate "
                  "and key presented to the endpoint (mutual TLS)"),
    AP_INIT_TAKE1("AuthIntrospectClientCertHeader", set_cert_header, NULL,
                  RSRC_CONF, "request header a TLS-terminating front end "
                  "puts the client certificate in, or none"),
    AP_INIT_TAKE12("AuthIntrospectClientKey", set_client_key, NULL,
                   SECURE_CONF, "private_key_jwt signing key: file:PATH "
                   "(PEM or JWK) and an optional kid"),
    AP_INIT_TAKE1("AuthIntrospectClientAssertionAudience", set_assertion_aud,
                  NULL, SECURE_CONF, "aud of client assertions: issuer "
                  "(default), endpoint or both"),
    AP_INIT_TAKE1("AuthIntrospectClientAssertionReuse", set_assertion_reuse,
                  NULL, SECURE_CONF, "seconds a client assertion may be "
                  "sent again (default 0: a fresh one per call)"),
    AP_INIT_TAKE1("AuthIntrospectDPoP", set_dpop, NULL, AUTH_CONF,
                  "off, allowed or required: DPoP proofs (RFC 9449); in "
                  ".htaccess only narrower than the inherited value"),
    AP_INIT_TAKE1("AuthIntrospectDPoPProofWindow", set_dpop_window, NULL,
                  SECURE_CONF, "seconds a DPoP proof's iat may lie in the "
                  "past, besides AuthIntrospectClockSkew (default 60)"),
    AP_INIT_FLAG("AuthIntrospectDPoPNonce", set_dpop_nonce, NULL,
                 SECURE_CONF, "require a server nonce (DPoP-Nonce) in DPoP "
                 "proofs"),
    AP_INIT_TAKE1("AuthIntrospectLocalJWT", set_local_jwt, NULL,
                  SECURE_CONF, "verify JWT access tokens (RFC 9068) with the "
                  "issuer's keys: off, on (others to the endpoint) or only"),
    AP_INIT_TAKE1("AuthIntrospectLocalJWTType", set_local_jwt_type, NULL,
                  SECURE_CONF, "strict (typ at+jwt) or lenient (also no typ, "
                  "or JWT)"),
    AP_INIT_TAKE1("AuthIntrospectLocalJWTIntrospectAfter",
                  set_local_jwt_after, NULL, SECURE_CONF, "off, or seconds "
                  "after iat past which a JWT goes to the endpoint"),
    AP_INIT_TAKE1("AuthIntrospectJWKS", set_jwks, NULL, SECURE_CONF,
                  "URL of the authorization server's JWK set (default: "
                  "the metadata document's jwks_uri)"),
    AP_INIT_TAKE1("AuthIntrospectJWKSRefetchInterval", set_jwks_refetch,
                  NULL, SECURE_CONF, "least seconds between two fetches of "
                  "the JWK set for an unknown kid (default 60)"),
    AP_INIT_TAKE1("AuthIntrospectResponseFormat", set_response_format, NULL,
                  SECURE_CONF, "json, or jwt for RFC 9701 signed "
                  "introspection responses (default json)"),
    { NULL }
};

static int pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    mai_cache_register_mutex(pconf);
    memset(&mai_proc, 0, sizeof(mai_proc));
    return OK;
}

static int post_config(apr_pool_t *pconf, apr_pool_t *plog,
                       apr_pool_t *ptemp, server_rec *s)
{
    mai_server_conf_t *sc = ap_get_module_config(s->module_config,
                                                 &auth_introspect_module);
    /* mai_config_check (check_config) has vetted all this already */
    const char *err = mai_cache_secret_setup(pconf, s,
                                             mai_conf_cache_secret(sc),
                                             &mai_proc.cache_secret);

    if (!err) {
        err = mai_cache_create(pconf, mai_conf_cache_provider(sc),
                               mai_conf_cache_args(sc), &mai_proc.cache);
    }
    if (!err && mai_proc.cache) {
        err = mai_cache_init(mai_proc.cache, pconf, ptemp, s);
    }
    if (!err) {
        /* in the process pool: children inherit it, restarts keep it */
        err = mai_replay_shm_create(
            s->process->pool, mai_conf_cache_needs_secret(sc) ? 0
            : mai_conf_dpop_replay_entries(sc), &mai_proc.dpop_replay_shm);
    }
    if (!err) {
        err = mai_endpoint_setup(pconf, ptemp, s, &mai_proc.endpoints);
    }
    if (!err) {
        err = mai_metrics_handler_setup(s, mai_proc.endpoints);
    }
    if (!err) {
        /* purge (purge.c): the scopes to remove, the journal to the L1s */
        mai_proc.purge_scopes = mai_purge_scopes_collect(pconf, ptemp, s);
        mai_proc.purge_journal = mai_purge_journal_create(pconf, &err);
        mai_proc.l1_recheck = mai_conf_cache_needs_secret(sc)
                              ? mai_conf_l1_recheck(sc) : 0;
    }
    mai_config_warn(ptemp, s);
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_ERR | APLOG_STARTUP, 0, s,
                     MAI_LOGNO(00101) "AuthIntrospectCache / configuration: "
                     "%s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static void child_init(apr_pool_t *pchild, server_rec *s)
{
    mai_server_conf_t *sc = ap_get_module_config(s->module_config,
                                                 &auth_introspect_module);

    /* Requests hold L1 entries until their pool goes. The event MPM makes
     * connection pools under pconf, not pchild, so a request still in
     * write completion when the child stops is freed only at exit, after
     * pchild: the L1 lives in the process pool, which goes after pconf. */
    mai_proc.l1 = mai_l1_create(s->process->pool, mai_conf_l1_entries(sc));
    mai_proc.flights = mai_flights_create(pchild);
    mai_proc.purge_reader = mai_proc.purge_journal && mai_proc.l1
                            ? mai_purge_reader_create(pchild,
                                                      mai_proc.purge_journal)
                            : NULL;
    mai_proc.scope_keys = mai_scope_keys_create(pchild, mai_proc.cache_secret);
    mai_cache_child_init(mai_proc.cache, pchild, s);
    /* DPoP jti seen by this process: the replay store without a shared
     * cache or table, a small stand-in while the shared cache fails */
    mai_proc.dpop_replay = mai_proc.dpop_replay_shm ? NULL
        : mai_replay_table_create(pchild, mai_proc.cache
                                  ? MAI_REPLAY_SLOTS_BACKUP
                                  : MAI_REPLAY_SLOTS);
    mai_metrics_child_init();
    /* the process pool, like L1: a request may outlive pchild */
    mai_proc.discovery = mai_discovery_create(
        s->process->pool, mai_proc.endpoints,
        mai_conf_allow_insecure_http(sc));
    mai_proc.jwks = mai_jwks_cache_create(s->process->pool);
    mai_proc.proof_keys = mai_jose_proof_keys_create(s->process->pool);
}

/* post_config after mod_proxy's: it shows us its <Proxy> sections */
static const char *const after_proxy[] = { "mod_proxy.c", NULL };

static void register_hooks(apr_pool_t *p)
{
    mai_tls_init_process();
    ap_hook_pre_config(pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(mai_config_check, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(post_config, after_proxy, NULL, APR_HOOK_MIDDLE);
    mai_endpoint_setup_register();
    ap_hook_child_init(child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_read_request(mai_strip_post_read_request, NULL, NULL,
                              APR_HOOK_REALLY_FIRST);
    ap_hook_insert_filter(mai_strip_insert_filter, NULL, NULL,
                          APR_HOOK_REALLY_LAST);
    ap_hook_check_authn(mai_authn_check, NULL, NULL, APR_HOOK_MIDDLE,
                        AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_note_auth_failure(mai_deny_note_failure, NULL, NULL,
                              APR_HOOK_MIDDLE);
    ap_hook_insert_error_filter(mai_deny_error_response, NULL, NULL,
                                APR_HOOK_MIDDLE);
    ap_hook_quick_handler(mai_prm_quick_handler, NULL, NULL,
                          APR_HOOK_MIDDLE);
    ap_hook_post_perdir_config(mai_prm_stop_lookup, NULL, NULL,
                               APR_HOOK_REALLY_FIRST);
    mai_authz_register(p);
    ap_hook_handler(mai_purge_handler, NULL, NULL, APR_HOOK_MIDDLE);
    mai_form_body_register();
    mai_strip_register();
    mai_metrics_handler_register();
    mai_cert_bound_register();
}

AP_DECLARE_MODULE(auth_introspect) = {
    STANDARD20_MODULE_STUFF,
    create_dir,
    merge_dir,
    create_server,
    merge_server,
    directives,
    register_hooks,
    AP_MODULE_FLAG_NONE
};
