/* SPDX-License-Identifier: Apache-2.0 */
/* config.c: the configuration structs, their merge and their defaults.
 * Unset is always distinguishable from "set to the default", so an inner
 * section can set a value back to the default over an outer one. */
#include <apr_strings.h>
#include "config.h"
#include "result.h"
#include "claim_path.h"
#include "prm.h"
#include "as_metadata.h"
#include "lex.h"
#include "dpop.h"
#include "jwt_access_token.h"

/* Defaults, each stated once; the getters are their only readers. */
#define DEF_CLIENT_AUTH     MAI_AUTH_BASIC
#define DEF_TLS_VERIFY      1
#define DEF_TIMEOUT         apr_time_from_sec(5)
#define DEF_CONNECT_TIMEOUT apr_time_from_sec(2)
#define DEF_HINT            "access_token"
#define DEF_SOURCES         MAI_SRC_HEADER
#define DEF_CLOCK_SKEW      30
#define DEF_SET_ENV         1
#define DEF_SET_HEADERS     0
#define DEF_CACHE_TTL       60
#define DEF_NEGATIVE_TTL    5
#define DEF_CACHE_PROVIDER  "shmcb"
#define DEF_L1_ENTRIES      10000
#define DEF_DPOP_REPLAY_ENTRIES 1048576
#define DEF_STALE_IF_ERROR  0
#define DEF_TOKEN_TYPES     NULL    /* any token_type, or none */
#define DEF_POOL_SIZE       16
#define DEF_MAX_INFLIGHT    32
#define DEF_BREAKER_FAILS   5
#define DEF_BREAKER_SECONDS 10
#define DEF_POOL_IDLE_SECS  30
#define DEF_EXPORT_CLAIMS   NULL    /* every top-level claim */
#define DEF_EXPORT_WHOLE_HEADER 1
/* A backend with an 8 KiB header limit (Tomcat, Jetty, older Node) keeps
 * 2 KiB for the request line and the client's and proxy's own headers. */
#define DEF_EXPORT_MAX_HEADER_BYTES 6144
#define MAX_EXPORT_HEADER_BYTES (1024 * 1024)
#define DEF_RESOURCE_AUDIENCE 1
#define DEF_L1_RECHECK      5
#define DEF_PROXY           NULL    /* direct */
#define DEF_ALLOW_INSECURE  0
#define DEF_METADATA_REFRESH_HOURS 24
#define MAX_METADATA_REFRESH_HOURS (24 * 365)
#define DEF_CLIENT_CERT     NULL    /* no certificate to the endpoint */
#define DEF_CLIENT_CERT_HEADER NULL /* mod_ssl's own connection only */
#define DEF_ASSERTION_AUD   MAI_ASSERT_AUD_ISSUER
#define DEF_ASSERTION_REUSE 0       /* a fresh assertion for every call */
/* below the assertion's 60 s life, so a reused one is never stale */
#define MAX_ASSERTION_REUSE 30
#define DEF_DPOP            MAI_DPOP_ALLOWED
#define DEF_DPOP_WINDOW     60
#define MAX_DPOP_WINDOW     3600
#define DEF_DPOP_NONCE      0
#define DEF_JWKS_REFETCH_SECONDS 60
#define DEF_RESPONSE_JWT    0       /* json */
#define MAX_JWKS_REFETCH_SECONDS (24 * 3600)
#define DEF_LOCAL_JWT       MAI_LJWT_OFF
#define DEF_LOCAL_JWT_LENIENT 0     /* typ at+jwt required */
#define DEF_LOCAL_JWT_AFTER 0       /* never introspected for its age */

#define UNSET (-1)
/* token_types_set: how a section's AuthIntrospectTokenTypes applies */
#define TYPES_REPLACE 1     /* replaces the inherited list */
#define TYPES_NARROW  2     /* .htaccess: keeps only what both allow */
#define MAX_TTL (365 * 24 * 3600)

struct mai_dir_conf {
    /* pointer fields: NULL = unset */
    const char *endpoint_text;
    const mai_url_t *endpoint;
    const char *client_id;
    const char *client_secret;
    const char *tls_ca_file;
    const char *hint;
    int hint_set;                  /* "none" sets hint to NULL */
    const char *issuer;
    const char *cookie;
    apr_array_header_t *user_claims;
    apr_array_header_t *token_types;
    int token_types_set;           /* 0 = unset, TYPES_REPLACE, _NARROW */
    /* numeric fields: UNSET until a directive sets them */
    int client_auth;
    int tls_verify;
    apr_interval_time_t timeout;
    apr_interval_time_t connect_timeout;
    int sources;                   /* 0 = unset */
    int clock_skew;
    int set_env;
    int set_headers;
    int cache_ttl;
    int negative_ttl;
    int stale_if_error;
    /* AuthIntrospectExportClaims: NULL = unset; "*" = an empty list with
     * export_all set (all claims, the default, over an inherited list) */
    apr_array_header_t *export_claims;
    int export_all;
    int export_whole_header;
    int export_max_header_bytes;
    /* RFC 9728 protected-resource metadata (prm.h); pointers NULL = unset */
    const mai_prm_resource_t *resource;
    apr_array_header_t *auth_servers;
    const char *resource_name;
    const char *resource_doc;
    apr_array_header_t *required_scopes; /* from Require oauth-scope */
    int resource_audience;
    /* AuthIntrospectMetadataURL (RFC 8414): text, parsed URL and the
     * issuer it stands for travel together; NULL = unset */
    const char *metadata_text;
    const mai_url_t *metadata;
    const char *metadata_issuer;
    int metadata_refresh;          /* hours */
    /* AuthIntrospectClientCert (RFC 8705 section 2): PEM files, the pair
     * travels together; NULL = unset */
    const char *client_cert;
    const char *client_cert_key;
    /* RFC 7523 client assertions: the keys are loaded at startup
     * (jose_sign.h); the HMAC key travels with client_secret */
    const struct mai_sign_key *client_key;
    const struct mai_sign_key *client_secret_key;
    int assertion_aud;
    int assertion_reuse;
    /* AuthIntrospectDPoP as the schemes accepted (dpop.h), which may be
     * none; dpop_set: 0 = unset, TYPES_REPLACE, or TYPES_NARROW (from
     * .htaccess: merging keeps only what both accept, the rule of
     * AuthIntrospectTokenTypes) */
    unsigned dpop;
    int dpop_set;
    int dpop_window;               /* AuthIntrospectDPoPProofWindow */
    int dpop_nonce;                /* AuthIntrospectDPoPNonce */
    /* AuthIntrospectJWKS: text and parsed URL together; NULL = unset */
    const char *jwks_text;
    const mai_url_t *jwks;
    int jwks_refetch;              /* seconds */
    int response_jwt;              /* AuthIntrospectResponseFormat jwt */
    /* AuthIntrospectLocalJWT, ...Type, ...IntrospectAfter: UNSET */
    int local_jwt;
    int local_jwt_lenient;
    int local_jwt_after;           /* seconds; 0 = off */
};

struct mai_server_conf {
    const char *cache_provider;    /* NULL = unset */
    const char *cache_args;
    const char *cache_secret;      /* NULL = unset (a random one is used) */
    int l1_entries;                /* UNSET until set, like the rest */
    int dpop_replay_entries;       /* AuthIntrospectDPoPReplayEntries */
    int pool_size;
    int max_inflight;
    int breaker_failures;
    int breaker_seconds;
    int l1_recheck;
    mai_proxy_t proxy;             /* url NULL: direct (or unset) */
    int proxy_set;                 /* AuthIntrospectProxy given, none too */
    int allow_insecure_http;
    /* AuthIntrospectClientCertHeader: NULL = unset or none */
    const char *client_cert_header;
    int client_cert_header_set;    /* given, none too */
};

mai_dir_conf_t *mai_dir_conf_create(apr_pool_t *p)
{
    /* apr_pcalloc made every pointer NULL (unset) and sources 0 (unset) */
    mai_dir_conf_t *c = apr_pcalloc(p, sizeof(*c));
    c->client_auth = UNSET;
    c->tls_verify = UNSET;
    c->timeout = UNSET;
    c->connect_timeout = UNSET;
    c->clock_skew = UNSET;
    c->set_env = UNSET;
    c->set_headers = UNSET;
    c->cache_ttl = UNSET;
    c->negative_ttl = UNSET;
    c->stale_if_error = UNSET;
    c->export_whole_header = UNSET;
    c->export_max_header_bytes = UNSET;
    c->resource_audience = UNSET;
    c->metadata_refresh = UNSET;
    c->assertion_aud = UNSET;
    c->assertion_reuse = UNSET;
    c->dpop_window = UNSET;
    c->dpop_nonce = UNSET;
    c->jwks_refetch = UNSET;
    c->response_jwt = UNSET;
    c->local_jwt = UNSET;
    c->local_jwt_lenient = UNSET;
    c->local_jwt_after = UNSET;
    return c;
}

#define PICK_PTR(f) m->f = add->f ? add->f : base->f
#define PICK_NUM(f) m->f = add->f != UNSET ? add->f : base->f

/* The types of base that add also lists, in base's order and spelling. */
static apr_array_header_t *common_types(apr_pool_t *p,
                                        const apr_array_header_t *base,
                                        const apr_array_header_t *add)
{
    apr_array_header_t *both = apr_array_make(p, base->nelts,
                                              sizeof(const char *));
    int i, j;

    for (i = 0; i < base->nelts; i++) {
        const char *t = APR_ARRAY_IDX(base, i, const char *);
        for (j = 0; j < add->nelts; j++) {
            if (!strcasecmp(t, APR_ARRAY_IDX(add, j, const char *))) {
                APR_ARRAY_PUSH(both, const char *) = t;
                break;
            }
        }
    }
    return both;
}

/* An .htaccess list may only narrow: the owner of a directory must not
 * let in token types the server configuration keeps out. Narrowing a
 * list keeps that list's kind (replace or narrow) with the common types,
 * so the result is the same however httpd groups the merges (it merges
 * merged configurations too). An empty common list refuses every token. */
static void merge_token_types(apr_pool_t *p, mai_dir_conf_t *m,
                              const mai_dir_conf_t *base,
                              const mai_dir_conf_t *add)
{
    if (!add->token_types_set) {
        m->token_types = base->token_types;
        m->token_types_set = base->token_types_set;
    }
    else if (add->token_types_set == TYPES_REPLACE
             || !base->token_types_set) {
        m->token_types = add->token_types;
        m->token_types_set = add->token_types_set;
    }
    else {
        m->token_types = common_types(p, base->token_types,
                                      add->token_types);
        m->token_types_set = base->token_types_set;
    }
}

/* AuthIntrospectDPoP in .htaccess may only take away: a directory owner
 * must not accept plain Bearer tokens where the server requires DPoP,
 * nor DPoP tokens where the server turned the check off. As with token
 * types, narrowing keeps the narrowed value's kind. */
static void merge_dpop(mai_dir_conf_t *m, const mai_dir_conf_t *base,
                       const mai_dir_conf_t *add)
{
    if (!add->dpop_set) {
        m->dpop = base->dpop;
        m->dpop_set = base->dpop_set;
    }
    else if (add->dpop_set == TYPES_REPLACE || !base->dpop_set) {
        m->dpop = add->dpop;
        m->dpop_set = add->dpop_set;
    }
    else {
        m->dpop = base->dpop & add->dpop;
        m->dpop_set = base->dpop_set;
    }
}

mai_dir_conf_t *mai_dir_conf_merge(apr_pool_t *p, const mai_dir_conf_t *base,
                                   const mai_dir_conf_t *add)
{
    mai_dir_conf_t *m = apr_pcalloc(p, sizeof(*m));

    /* endpoint text and parsed URL travel together */
    PICK_PTR(endpoint_text);
    PICK_PTR(endpoint);
    PICK_PTR(client_id);
    PICK_PTR(client_secret);
    PICK_PTR(tls_ca_file);
    m->hint_set = add->hint_set || base->hint_set;
    m->hint = add->hint_set ? add->hint : base->hint;
    PICK_PTR(issuer);
    PICK_PTR(user_claims);
    merge_token_types(p, m, base, add);
    PICK_NUM(client_auth);
    PICK_NUM(tls_verify);
    PICK_NUM(timeout);
    PICK_NUM(connect_timeout);
    /* the token source list and its cookie name travel together */
    m->sources = add->sources ? add->sources : base->sources;
    m->cookie = add->sources ? add->cookie : base->cookie;
    PICK_NUM(clock_skew);
    PICK_NUM(set_env);
    PICK_NUM(set_headers);
    PICK_NUM(cache_ttl);
    PICK_NUM(negative_ttl);
    PICK_NUM(stale_if_error);
    /* the list and its "*" travel together */
    m->export_claims = add->export_claims ? add->export_claims
                                          : base->export_claims;
    m->export_all = add->export_claims ? add->export_all : base->export_all;
    PICK_NUM(export_whole_header);
    PICK_NUM(export_max_header_bytes);
    PICK_PTR(resource);
    PICK_PTR(auth_servers);
    PICK_PTR(resource_name);
    PICK_PTR(resource_doc);
    PICK_PTR(required_scopes);
    PICK_NUM(resource_audience);
    PICK_PTR(metadata_text);
    PICK_PTR(metadata);
    PICK_PTR(metadata_issuer);
    PICK_NUM(metadata_refresh);
    PICK_PTR(client_cert);
    m->client_cert_key = add->client_cert ? add->client_cert_key
                                          : base->client_cert_key;
    PICK_PTR(client_key);
    m->client_secret_key = add->client_secret ? add->client_secret_key
                                              : base->client_secret_key;
    PICK_NUM(assertion_aud);
    PICK_NUM(assertion_reuse);
    merge_dpop(m, base, add);
    PICK_NUM(dpop_window);
    PICK_NUM(dpop_nonce);
    PICK_PTR(jwks_text);
    PICK_PTR(jwks);
    PICK_NUM(jwks_refetch);
    PICK_NUM(response_jwt);
    PICK_NUM(local_jwt);
    PICK_NUM(local_jwt_lenient);
    PICK_NUM(local_jwt_after);
    return m;
}

const char *mai_conf_set_endpoint(apr_pool_t *p, mai_dir_conf_t *c,
                                  const char *url)
{
    mai_url_t *u = apr_pcalloc(p, sizeof(*u));
    const char *err = mai_url_parse(p, url, u);

    if (err) {
        return err;
    }
    /* plain http off loopback needs AuthIntrospectAllowInsecureHTTP On,
     * a server-wide setting that may come later in the file: checked at
     * startup (config_check.c, mai_url_is_insecure) */
    c->endpoint_text = apr_pstrdup(p, url);
    c->endpoint = u;
    return NULL;
}

const char *mai_conf_set_client_id(apr_pool_t *p, mai_dir_conf_t *c,
                                   const char *id)
{
    if (!*id) {
        return "client id must not be empty";
    }
    c->client_id = apr_pstrdup(p, id);
    return NULL;
}

const char *mai_conf_set_client_secret(apr_pool_t *p, mai_dir_conf_t *c,
                                       const char *secret)
{
    if (!*secret) {
        return "client secret must not be empty";
    }
    c->client_secret = apr_pstrdup(p, secret);
    return NULL;
}

const char *mai_conf_set_client_auth(mai_dir_conf_t *c, const char *arg)
{
    mai_client_auth_t a;
    const char *err = mai_cv_client_auth(arg, &a);

    if (!err) {
        c->client_auth = a;
    }
    return err;
}

const char *mai_conf_set_tls_ca_file(apr_pool_t *p, mai_dir_conf_t *c,
                                     const char *path)
{
    c->tls_ca_file = apr_pstrdup(p, path);
    return NULL;
}

void mai_conf_set_tls_verify(mai_dir_conf_t *c, int on)
{
    c->tls_verify = on ? 1 : 0;
}

const char *mai_conf_set_timeout(mai_dir_conf_t *c, const char *total,
                                 const char *connect)
{
    apr_interval_time_t t, ct = UNSET;
    const char *err = mai_cv_interval(total, &t);

    if (!err && connect) {
        err = mai_cv_interval(connect, &ct);
    }
    if (err) {
        return err;
    }
    if (ct != UNSET && ct > t) {
        return "the connect timeout cannot exceed the whole-call timeout";
    }
    c->timeout = t;
    c->connect_timeout = ct;
    return NULL;
}

const char *mai_conf_set_token_type_hint(apr_pool_t *p, mai_dir_conf_t *c,
                                         const char *hint)
{
    if (!*hint) {
        return "hint must not be empty (use none to send no hint)";
    }
    c->hint_set = 1;
    c->hint = strcasecmp(hint, "none") ? apr_pstrdup(p, hint) : NULL;
    return NULL;
}

const char *mai_conf_add_token_source(apr_pool_t *p, mai_dir_conf_t *c,
                                      const char *word)
{
    return mai_cv_token_source(p, word, &c->sources, &c->cookie);
}

const char *mai_conf_add_user_claim(apr_pool_t *p, mai_dir_conf_t *c,
                                    const char *claim)
{
    const char *err = mai_cv_claim_name(claim);

    if (err) {
        return err;
    }
    if (!c->user_claims) {
        c->user_claims = apr_array_make(p, 2, sizeof(const char *));
    }
    APR_ARRAY_PUSH(c->user_claims, const char *) = apr_pstrdup(p, claim);
    return NULL;
}

const char *mai_conf_set_issuer(apr_pool_t *p, mai_dir_conf_t *c,
                                const char *iss)
{
    if (!*iss) {
        return "issuer must not be empty";
    }
    c->issuer = apr_pstrdup(p, iss);
    return NULL;
}

const char *mai_conf_add_token_type(apr_pool_t *p, mai_dir_conf_t *c,
                                    const char *type, int htaccess)
{
    const char *err = mai_cv_claim_name(type);

    if (err) {
        return "needs token_type values such as Bearer (no empty value, "
               "no control characters)";
    }
    if (mai_result_type_refusal(type) != MAI_OK) {
        return apr_pstrcat(p, type, " tokens are always refused (refresh "
                           "tokens, and DPoP tokens whose proof this module "
                           "cannot check yet); list the access token "
                           "types, such as Bearer", NULL);
    }
    if (!c->token_types) {
        c->token_types = apr_array_make(p, 2, sizeof(const char *));
    }
    APR_ARRAY_PUSH(c->token_types, const char *) = apr_pstrdup(p, type);
    c->token_types_set = htaccess ? TYPES_NARROW : TYPES_REPLACE;
    return NULL;
}

const char *mai_conf_set_clock_skew(mai_dir_conf_t *c, const char *arg)
{
    return mai_cv_seconds(arg, 3600, &c->clock_skew);
}

void mai_conf_set_env(mai_dir_conf_t *c, int on) { c->set_env = on ? 1 : 0; }

void mai_conf_set_headers(mai_dir_conf_t *c, int on)
{
    c->set_headers = on ? 1 : 0;
}

const char *mai_conf_set_cache_ttl(mai_dir_conf_t *c, const char *arg)
{
    return mai_cv_seconds(arg, MAX_TTL, &c->cache_ttl);
}

const char *mai_conf_set_negative_ttl(mai_dir_conf_t *c, const char *arg)
{
    return mai_cv_seconds(arg, MAX_TTL, &c->negative_ttl);
}

const char *mai_conf_set_stale_if_error(mai_dir_conf_t *c, const char *arg)
{
    return mai_cv_seconds(arg, MAX_TTL, &c->stale_if_error);
}

const char *mai_conf_add_export_claim(apr_pool_t *p, mai_dir_conf_t *c,
                                      const char *word)
{
    const mai_claim_path_t *path;
    const char *err;

    if (!strcmp(word, "*") || c->export_all) {
        if (c->export_claims) {
            return "* (all claims) stands alone; write \\* for a claim "
                   "called *";
        }
        c->export_claims = apr_array_make(p, 1, sizeof(path));
        c->export_all = 1;
        return NULL;
    }
    if ((err = mai_claim_path_parse(p, word, &path)) != NULL) {
        return err;
    }
    if (!c->export_claims) {
        c->export_claims = apr_array_make(p, 4, sizeof(path));
    }
    APR_ARRAY_PUSH(c->export_claims, const mai_claim_path_t *) = path;
    return NULL;
}

void mai_conf_set_export_whole_header(mai_dir_conf_t *c, int on)
{
    c->export_whole_header = on ? 1 : 0;
}

const char *mai_conf_set_export_max_header_bytes(mai_dir_conf_t *c,
                                                 const char *arg)
{
    return mai_cv_count(arg, MAX_EXPORT_HEADER_BYTES,
                        &c->export_max_header_bytes)
           ? "must be a whole number of bytes from 0 (no cap) to 1048576"
           : NULL;
}

#define GET_NUM(f, def) (c->f != UNSET ? c->f : (def))

const mai_url_t *mai_conf_endpoint(const mai_dir_conf_t *c)
{
    return c->endpoint;
}
const char *mai_conf_endpoint_text(const mai_dir_conf_t *c)
{
    return c->endpoint_text;
}
const char *mai_conf_client_id(const mai_dir_conf_t *c)
{
    return c->client_id;
}
const char *mai_conf_client_secret(const mai_dir_conf_t *c)
{
    return c->client_secret;
}
mai_client_auth_t mai_conf_client_auth(const mai_dir_conf_t *c)
{
    return GET_NUM(client_auth, DEF_CLIENT_AUTH);
}
const char *mai_conf_tls_ca_file(const mai_dir_conf_t *c)
{
    return c->tls_ca_file;
}
int mai_conf_tls_verify(const mai_dir_conf_t *c)
{
    return GET_NUM(tls_verify, DEF_TLS_VERIFY);
}
int mai_conf_tls_verify_own(const mai_dir_conf_t *c)
{
    return c->tls_verify;
}
apr_interval_time_t mai_conf_timeout(const mai_dir_conf_t *c)
{
    return GET_NUM(timeout, DEF_TIMEOUT);
}
apr_interval_time_t mai_conf_connect_timeout(const mai_dir_conf_t *c)
{
    apr_interval_time_t t = mai_conf_timeout(c);
    apr_interval_time_t ct = GET_NUM(connect_timeout, DEF_CONNECT_TIMEOUT);
    /* a short whole-call limit also bounds the connect */
    return ct < t ? ct : t;
}
const char *mai_conf_token_type_hint(const mai_dir_conf_t *c)
{
    return c->hint_set ? c->hint : DEF_HINT;
}
mai_cache_scope_t mai_conf_cache_scope(const mai_dir_conf_t *c)
{
    mai_cache_scope_t s;

    /* a discovered endpoint is named by its metadata URL */
    s.endpoint = mai_conf_endpoint_text(c) ? mai_conf_endpoint_text(c)
                                           : mai_conf_metadata_text(c);
    /* The client is named by its id alone, as with a client secret:
     * AuthIntrospectClientCert is left out on purpose. The server binds a
     * client id to its certificate (subject DN or registered key), so a
     * certificate either authenticates that client, and the answer is
     * the one that client gets, or is refused (401, never cached). Two
     * locations with one client id and two certificates the server both
     * accepts are one client to it. */
    s.client_id = mai_conf_client_id(c);
    s.tls_verify = mai_conf_tls_verify(c);
    s.ca_file = mai_conf_tls_ca_file(c);
    s.hint = mai_conf_token_type_hint(c);
    s.signed_answer = mai_conf_response_jwt(c);
    return s;
}
int mai_conf_token_sources(const mai_dir_conf_t *c)
{
    return c->sources ? c->sources : DEF_SOURCES;
}
const char *mai_conf_token_cookie(const mai_dir_conf_t *c)
{
    return c->sources ? c->cookie : NULL;
}
const apr_array_header_t *mai_conf_user_claims(const mai_dir_conf_t *c)
{
    static const char *def[] = { "sub", "client_id" };
    static const apr_array_header_t def_array = {
        NULL, sizeof(const char *), 2, 2, (char *)def
    };
    return c->user_claims ? c->user_claims : &def_array;
}
const char *mai_conf_issuer(const mai_dir_conf_t *c)
{
    /* the metadata URL names the issuer (RFC 8414 section 3.3) */
    return c->issuer ? c->issuer : c->metadata_issuer;
}
const apr_array_header_t *mai_conf_token_types(const mai_dir_conf_t *c)
{
    return c->token_types_set ? c->token_types : DEF_TOKEN_TYPES;
}
int mai_conf_clock_skew(const mai_dir_conf_t *c)
{
    return GET_NUM(clock_skew, DEF_CLOCK_SKEW);
}
int mai_conf_export_env(const mai_dir_conf_t *c)
{
    return GET_NUM(set_env, DEF_SET_ENV);
}
int mai_conf_export_headers(const mai_dir_conf_t *c)
{
    return GET_NUM(set_headers, DEF_SET_HEADERS);
}
int mai_conf_cache_ttl(const mai_dir_conf_t *c)
{
    return GET_NUM(cache_ttl, DEF_CACHE_TTL);
}
int mai_conf_negative_ttl(const mai_dir_conf_t *c)
{
    return GET_NUM(negative_ttl, DEF_NEGATIVE_TTL);
}
int mai_conf_stale_if_error(const mai_dir_conf_t *c)
{
    return GET_NUM(stale_if_error, DEF_STALE_IF_ERROR);
}
const apr_array_header_t *mai_conf_export_claims(const mai_dir_conf_t *c)
{
    return c->export_claims && !c->export_all ? c->export_claims
                                              : DEF_EXPORT_CLAIMS;
}
int mai_conf_export_whole_header(const mai_dir_conf_t *c)
{
    return GET_NUM(export_whole_header, DEF_EXPORT_WHOLE_HEADER);
}
int mai_conf_export_max_header_bytes(const mai_dir_conf_t *c)
{
    return GET_NUM(export_max_header_bytes, DEF_EXPORT_MAX_HEADER_BYTES);
}

mai_server_conf_t *mai_server_conf_create(apr_pool_t *p)
{
    mai_server_conf_t *c = apr_pcalloc(p, sizeof(*c));
    c->l1_entries = UNSET;
    c->dpop_replay_entries = UNSET;
    c->pool_size = UNSET;
    c->max_inflight = UNSET;
    c->breaker_failures = UNSET;
    c->breaker_seconds = UNSET;
    c->l1_recheck = UNSET;
    c->allow_insecure_http = UNSET;
    return c;
}

mai_server_conf_t *mai_server_conf_merge(apr_pool_t *p,
                                         const mai_server_conf_t *base,
                                         const mai_server_conf_t *add)
{
    mai_server_conf_t *m = apr_pcalloc(p, sizeof(*m));
    m->cache_provider = add->cache_provider ? add->cache_provider
                                            : base->cache_provider;
    m->cache_args = add->cache_provider ? add->cache_args : base->cache_args;
    PICK_PTR(cache_secret);
    PICK_NUM(l1_entries);
    PICK_NUM(dpop_replay_entries);
    PICK_NUM(pool_size);
    PICK_NUM(max_inflight);
    /* the two breaker numbers are one directive: they travel together */
    m->breaker_failures = add->breaker_failures != UNSET
                          ? add->breaker_failures : base->breaker_failures;
    m->breaker_seconds = add->breaker_failures != UNSET
                         ? add->breaker_seconds : base->breaker_seconds;
    PICK_NUM(l1_recheck);
    /* a proxy named here takes only credentials named here: another
     * server's credentials are never sent to this server's proxy */
    m->proxy_set = add->proxy_set || base->proxy_set;
    m->proxy.url = add->proxy_set ? add->proxy.url : base->proxy.url;
    m->proxy.auth = add->proxy_set || add->proxy.auth ? add->proxy.auth
                                                      : base->proxy.auth;
    PICK_NUM(allow_insecure_http);
    m->client_cert_header_set = add->client_cert_header_set
                                || base->client_cert_header_set;
    m->client_cert_header = add->client_cert_header_set
                            ? add->client_cert_header
                            : base->client_cert_header;
    return m;
}

const char *mai_conf_set_cache(apr_pool_t *p, mai_server_conf_t *c,
                               const char *spec)
{
    const char *colon = strchr(spec, ':');

    if (!*spec || colon == spec) {
        return "needs a cache provider name such as shmcb, redis, memcache "
               "or none";
    }
    if (!strncasecmp(spec, "none:", 5) && spec[5]) {
        return "none takes no arguments";
    }
    c->cache_provider = colon ? apr_pstrmemdup(p, spec, colon - spec)
                              : apr_pstrdup(p, spec);
    c->cache_args = colon && colon[1] ? apr_pstrdup(p, colon + 1) : NULL;
    return NULL;
}

const char *mai_conf_cache_provider(const mai_server_conf_t *c)
{
    return c->cache_provider ? c->cache_provider : DEF_CACHE_PROVIDER;
}

const char *mai_conf_cache_args(const mai_server_conf_t *c)
{
    return c->cache_args;
}

const char *mai_conf_cache_secret_spec(const char *spec)
{
    if (strncmp(spec, "env:", 4) && strncmp(spec, "file:", 5)) {
        return "AuthIntrospectCacheSecret takes file:PATH or env:NAME, not "
               "the secret itself";
    }
    return NULL;
}

const char *mai_conf_set_cache_secret(apr_pool_t *p, mai_server_conf_t *c,
                                      const char *secret)
{
    apr_size_t n = strlen(secret);

    if (n < MAI_CACHE_SECRET_MIN) {
        /* the length only: the secret itself is never shown */
        return apr_psprintf(p, "AuthIntrospectCacheSecret: the secret is "
                            "%" APR_SIZE_T_FMT " bytes, at least %d are "
                            "needed; make one with: openssl rand -hex 32 > "
                            "/etc/apache2/introspect-cache.secret", n,
                            MAI_CACHE_SECRET_MIN);
    }
    c->cache_secret = apr_pstrdup(p, secret);
    return NULL;
}

const char *mai_conf_cache_secret(const mai_server_conf_t *c)
{
    return c->cache_secret;
}

int mai_conf_cache_needs_secret(const mai_server_conf_t *c)
{
    const char *name = mai_conf_cache_provider(c);
    return strcasecmp(name, "shmcb") && strcasecmp(name, "none");
}

const char *mai_conf_set_l1_entries(mai_server_conf_t *c, const char *arg)
{
    return mai_cv_count(arg, 10000000, &c->l1_entries)
           ? "must be a whole number from 0 to 10000000" : NULL;
}

int mai_conf_l1_entries(const mai_server_conf_t *c)
{
    return GET_NUM(l1_entries, DEF_L1_ENTRIES);
}

const char *mai_conf_set_dpop_replay_entries(mai_server_conf_t *c,
                                             const char *arg)
{
    /* 2^26 entries: about 1.6 GB of shared memory */
    return mai_cv_count(arg, 67108864, &c->dpop_replay_entries)
           ? "must be a whole number from 0 to 67108864" : NULL;
}

int mai_conf_dpop_replay_entries(const mai_server_conf_t *c)
{
    return GET_NUM(dpop_replay_entries, DEF_DPOP_REPLAY_ENTRIES);
}

const char *mai_conf_set_pool_size(mai_server_conf_t *c, const char *arg)
{
    const char *err = mai_cv_count(arg, 1024, &c->pool_size);
    return err ? "must be a whole number from 0 to 1024" : NULL;
}

const char *mai_conf_set_max_inflight(mai_server_conf_t *c, const char *arg)
{
    const char *err = mai_cv_count(arg, 100000, &c->max_inflight);
    if (!err && c->max_inflight == 0) {
        return "must be at least 1";
    }
    return err ? "must be a whole number from 1 to 100000" : NULL;
}

const char *mai_conf_set_breaker(mai_server_conf_t *c, const char *failures,
                                 const char *seconds)
{
    int f, s;
    if (mai_cv_count(failures, 100000, &f)
        || mai_cv_seconds(seconds, 3600, &s) || (f > 0 && s == 0)) {
        return "needs FAILURES (0 = off) and SECONDS (1 to 3600)";
    }
    c->breaker_failures = f;
    c->breaker_seconds = s;
    return NULL;
}

int mai_conf_pool_size(const mai_server_conf_t *c)
{
    return GET_NUM(pool_size, DEF_POOL_SIZE);
}
int mai_conf_max_inflight(const mai_server_conf_t *c)
{
    return GET_NUM(max_inflight, DEF_MAX_INFLIGHT);
}
int mai_conf_breaker_failures(const mai_server_conf_t *c)
{
    return GET_NUM(breaker_failures, DEF_BREAKER_FAILS);
}
int mai_conf_breaker_seconds(const mai_server_conf_t *c)
{
    return c->breaker_failures != UNSET ? c->breaker_seconds
                                        : DEF_BREAKER_SECONDS;
}
int mai_conf_pool_idle_seconds(const mai_server_conf_t *c)
{
    return DEF_POOL_IDLE_SECS;
}

/* ---- RFC 9728 protected-resource metadata ---- */

const char *mai_conf_set_resource(apr_pool_t *p, mai_dir_conf_t *c,
                                  const char *url)
{
    return mai_prm_resource_parse(p, url, &c->resource);
}

const char *mai_conf_add_auth_server(apr_pool_t *p, mai_dir_conf_t *c,
                                     const char *url)
{
    mai_url_t u;
    const char *err = mai_url_parse(p, url, &u);

    if (err) {
        return err;
    }
    if (!c->auth_servers) {
        c->auth_servers = apr_array_make(p, 2, sizeof(const char *));
    }
    APR_ARRAY_PUSH(c->auth_servers, const char *) = apr_pstrdup(p, url);
    return NULL;
}

const char *mai_conf_set_resource_name(apr_pool_t *p, mai_dir_conf_t *c,
                                       const char *name)
{
    if (!*name) {
        return "the resource name must not be empty";
    }
    c->resource_name = apr_pstrdup(p, name);
    return NULL;
}

const char *mai_conf_set_resource_doc(apr_pool_t *p, mai_dir_conf_t *c,
                                      const char *url)
{
    mai_url_t u;
    const char *err = mai_url_parse(p, url, &u);

    if (!err) {
        c->resource_doc = apr_pstrdup(p, url);
    }
    return err;
}

void mai_conf_set_resource_audience(mai_dir_conf_t *c, int on)
{
    c->resource_audience = on ? 1 : 0;
}

void mai_conf_add_required_scopes(apr_pool_t *p, mai_dir_conf_t *c,
                                  const char *scopes)
{
    char *list = apr_pstrdup(p, scopes), *last, *w;
    int i;

    if (!c->required_scopes) {
        c->required_scopes = apr_array_make(p, 4, sizeof(const char *));
    }
    for (w = apr_strtok(list, " \t", &last); w;
         w = apr_strtok(NULL, " \t", &last)) {
        for (i = 0; i < c->required_scopes->nelts; i++) {
            if (!strcmp(w, APR_ARRAY_IDX(c->required_scopes, i, char *))) {
                break;
            }
        }
        if (i == c->required_scopes->nelts) {
            APR_ARRAY_PUSH(c->required_scopes, const char *) = w;
        }
    }
}

const mai_prm_resource_t *mai_conf_resource(const mai_dir_conf_t *c)
{
    return c->resource;
}
const apr_array_header_t *mai_conf_auth_servers(const mai_dir_conf_t *c)
{
    return c->auth_servers;
}
const char *mai_conf_resource_name(const mai_dir_conf_t *c)
{
    return c->resource_name;
}
const char *mai_conf_resource_doc(const mai_dir_conf_t *c)
{
    return c->resource_doc;
}
const apr_array_header_t *mai_conf_required_scopes(const mai_dir_conf_t *c)
{
    return c->required_scopes;
}
const char *mai_conf_resource_audience(const mai_dir_conf_t *c)
{
    int on = c->resource_audience != UNSET ? c->resource_audience
                                           : DEF_RESOURCE_AUDIENCE;
    return on && c->resource ? c->resource->id : NULL;
}
const char *mai_conf_resource_metadata_url(const mai_dir_conf_t *c)
{
    return c->resource ? c->resource->metadata_url : NULL;
}

const char *mai_conf_set_l1_recheck(mai_server_conf_t *c, const char *arg)
{
    return mai_cv_seconds(arg, 3600, &c->l1_recheck)
           ? "must be a whole number of seconds from 0 (never) to 3600"
           : NULL;
}

int mai_conf_l1_recheck(const mai_server_conf_t *c)
{
    return GET_NUM(l1_recheck, DEF_L1_RECHECK);
}

const char *mai_conf_set_proxy(apr_pool_t *p, mai_server_conf_t *c,
                               const char *text)
{
    mai_url_t *u;
    const char *err;

    if (!strcasecmp(text, "none")) {
        c->proxy.url = NULL;
        c->proxy_set = 1;
        return NULL;
    }
    u = apr_pcalloc(p, sizeof(*u));
    err = mai_proxy_parse(p, text, u);
    if (err) {
        return err;
    }
    c->proxy.url = u;
    c->proxy_set = 1;
    return NULL;
}

const char *mai_conf_proxy_credentials_spec(const char *spec)
{
    if (strncmp(spec, "env:", 4) && strncmp(spec, "file:", 5)) {
        return "AuthIntrospectProxyCredentials takes file:PATH or "
               "env:NAME (holding user:password), not the credentials "
               "themselves";
    }
    return NULL;
}

const char *mai_conf_set_proxy_credentials(apr_pool_t *p,
                                           mai_server_conf_t *c,
                                           const char *userpass)
{
    return mai_proxy_basic(p, userpass, &c->proxy.auth);
}

const mai_proxy_t *mai_conf_proxy(const mai_server_conf_t *c)
{
    return c->proxy.url ? &c->proxy : DEF_PROXY;
}

int mai_conf_proxy_credentials_unused(const mai_server_conf_t *c)
{
    return c->proxy.auth && !c->proxy.url;
}

void mai_conf_set_allow_insecure_http(mai_server_conf_t *c, int on)
{
    c->allow_insecure_http = on ? 1 : 0;
}

int mai_conf_allow_insecure_http(const mai_server_conf_t *c)
{
    return GET_NUM(allow_insecure_http, DEF_ALLOW_INSECURE);
}

const char *mai_conf_set_metadata_url(apr_pool_t *p, mai_dir_conf_t *c,
                                      const char *url)
{
    mai_url_t *u = apr_pcalloc(p, sizeof(*u));
    const char *err = mai_url_parse(p, url, u), *iss = NULL;

    if (!err) {
        err = mai_as_issuer_of(p, url, &iss);
    }
    if (err) {
        return err;
    }
    /* plain http off loopback: checked at startup, as for the endpoint */
    c->metadata_text = apr_pstrdup(p, url);
    c->metadata = u;
    c->metadata_issuer = iss;
    return NULL;
}

const char *mai_conf_set_metadata_refresh(mai_dir_conf_t *c, const char *arg)
{
    int h;
    const char *err = mai_cv_count(arg, MAX_METADATA_REFRESH_HOURS, &h);

    if (err) {
        return err;
    }
    if (h < 1) {
        return "the metadata refresh interval is at least 1 hour";
    }
    c->metadata_refresh = h;
    return NULL;
}

const char *mai_conf_metadata_text(const mai_dir_conf_t *c)
{
    return c->metadata_text;
}

const char *mai_conf_metadata_issuer(const mai_dir_conf_t *c)
{
    return c->metadata_issuer;
}

const mai_url_t *mai_conf_metadata_url(const mai_dir_conf_t *c)
{
    return c->metadata;
}

apr_interval_time_t mai_conf_metadata_refresh(const mai_dir_conf_t *c)
{
    return apr_time_from_sec((apr_interval_time_t)3600
                             * GET_NUM(metadata_refresh,
                                       DEF_METADATA_REFRESH_HOURS));
}

/* The caller (the glue) has checked the files: readable, PEM, the key
 * the certificate's. Both are kept as paths: endpoint_setup.c loads them
 * into the endpoint's TLS context in the parent, as root. */
const char *mai_conf_set_client_cert(apr_pool_t *p, mai_dir_conf_t *c,
                                     const char *cert, const char *key)
{
    c->client_cert = apr_pstrdup(p, cert);
    c->client_cert_key = apr_pstrdup(p, key);
    return NULL;
}

const char *mai_conf_client_cert(const mai_dir_conf_t *c)
{
    return c->client_cert ? c->client_cert : DEF_CLIENT_CERT;
}

const char *mai_conf_client_cert_key(const mai_dir_conf_t *c)
{
    return c->client_cert ? c->client_cert_key : DEF_CLIENT_CERT;
}

const char *mai_conf_set_client_cert_header(apr_pool_t *p,
                                            mai_server_conf_t *c,
                                            const char *name)
{
    const char *n;

    c->client_cert_header_set = 1;
    if (!strcasecmp(name, "none")) {
        c->client_cert_header = NULL;
        return NULL;
    }
    for (n = name; *n; n++) {
        if (!mai_lex_is_tchar((unsigned char)*n)) {
            break;
        }
    }
    if (!*name || *n) {
        return "must be a header field name (RFC 9110 token) or none";
    }
    c->client_cert_header = apr_pstrdup(p, name);
    return NULL;
}

const char *mai_conf_client_cert_header(const mai_server_conf_t *c)
{
    return c->client_cert_header_set ? c->client_cert_header
                                     : DEF_CLIENT_CERT_HEADER;
}

void mai_conf_set_client_key(mai_dir_conf_t *c, const struct mai_sign_key *k)
{
    c->client_key = k;
}

void mai_conf_set_client_secret_key(mai_dir_conf_t *c,
                                    const struct mai_sign_key *k)
{
    c->client_secret_key = k;
}

const struct mai_sign_key *mai_conf_client_key(const mai_dir_conf_t *c)
{
    return c->client_key;
}

const struct mai_sign_key *mai_conf_client_secret_key(
    const mai_dir_conf_t *c)
{
    return c->client_secret_key;
}

const char *mai_conf_set_assertion_aud(mai_dir_conf_t *c, const char *arg)
{
    mai_assertion_aud_t a;
    const char *err = mai_cv_assertion_aud(arg, &a);

    if (!err) {
        c->assertion_aud = a;
    }
    return err;
}

mai_assertion_aud_t mai_conf_assertion_aud(const mai_dir_conf_t *c)
{
    return GET_NUM(assertion_aud, DEF_ASSERTION_AUD);
}

const char *mai_conf_set_assertion_reuse(mai_dir_conf_t *c, const char *arg)
{
    int v;
    const char *err = mai_cv_seconds(arg, MAX_ASSERTION_REUSE, &v);

    if (!err) {
        c->assertion_reuse = v;
    }
    return err;
}

int mai_conf_assertion_reuse(const mai_dir_conf_t *c)
{
    return GET_NUM(assertion_reuse, DEF_ASSERTION_REUSE);
}

const char *mai_conf_set_dpop(mai_dir_conf_t *c, const char *arg,
                              int htaccess)
{
    unsigned schemes;
    const char *err = mai_dpop_parse_mode(arg, &schemes);

    if (err) {
        return err;
    }
    /* .htaccess narrows the default (allowed: both schemes) as well */
    c->dpop = schemes;
    c->dpop_set = htaccess ? TYPES_NARROW : TYPES_REPLACE;
    return NULL;
}

unsigned mai_conf_dpop(const mai_dir_conf_t *c)
{
    /* an empty intersection (off in one, required in the other) stays
     * empty: every token is refused */
    return c->dpop_set ? c->dpop : DEF_DPOP;
}

const char *mai_conf_set_dpop_window(mai_dir_conf_t *c, const char *arg)
{
    int w;
    const char *err = mai_cv_seconds(arg, MAX_DPOP_WINDOW, &w);

    if (err) {
        return err;
    }
    if (w < 1) {
        return "the DPoP proof window is at least 1 second";
    }
    c->dpop_window = w;
    return NULL;
}

int mai_conf_dpop_window(const mai_dir_conf_t *c)
{
    return GET_NUM(dpop_window, DEF_DPOP_WINDOW);
}

void mai_conf_set_dpop_nonce(mai_dir_conf_t *c, int on)
{
    c->dpop_nonce = on ? 1 : 0;
}

int mai_conf_dpop_nonce(const mai_dir_conf_t *c)
{
    return GET_NUM(dpop_nonce, DEF_DPOP_NONCE);
}

const char *mai_conf_set_jwks(apr_pool_t *p, mai_dir_conf_t *c,
                              const char *url)
{
    mai_url_t *u = apr_pcalloc(p, sizeof(*u));
    const char *err = mai_url_parse(p, url, u);

    if (err) {
        return err;
    }
    /* plain http off loopback: checked at startup, as for the endpoint */
    c->jwks_text = apr_pstrdup(p, url);
    c->jwks = u;
    return NULL;
}

const char *mai_conf_set_jwks_refetch(mai_dir_conf_t *c, const char *arg)
{
    return mai_cv_count(arg, MAX_JWKS_REFETCH_SECONDS, &c->jwks_refetch);
}

const char *mai_conf_jwks_text(const mai_dir_conf_t *c)
{
    return c->jwks_text;
}

const mai_url_t *mai_conf_jwks_url(const mai_dir_conf_t *c)
{
    return c->jwks;
}

apr_interval_time_t mai_conf_jwks_refetch(const mai_dir_conf_t *c)
{
    return apr_time_from_sec(GET_NUM(jwks_refetch, DEF_JWKS_REFETCH_SECONDS));
}

const char *mai_conf_set_response_format(mai_dir_conf_t *c, const char *arg)
{
    if (!strcasecmp(arg, "json")) {
        c->response_jwt = 0;
    }
    else if (!strcasecmp(arg, "jwt")) {
        c->response_jwt = 1;
    }
    else {
        return "AuthIntrospectResponseFormat takes json or jwt";
    }
    return NULL;
}

int mai_conf_response_jwt(const mai_dir_conf_t *c)
{
    return GET_NUM(response_jwt, DEF_RESPONSE_JWT);
}

/* ---- JWT access tokens verified locally (RFC 9068) ---- */

const char *mai_conf_set_local_jwt(mai_dir_conf_t *c, const char *arg)
{
    mai_ljwt_mode_t m;
    const char *err = mai_jwt_mode_parse(arg, &m);

    if (!err) {
        c->local_jwt = m;
    }
    return err;
}

const char *mai_conf_set_local_jwt_type(mai_dir_conf_t *c, const char *arg)
{
    if (!strcasecmp(arg, "strict")) {
        c->local_jwt_lenient = 0;
    }
    else if (!strcasecmp(arg, "lenient")) {
        c->local_jwt_lenient = 1;
    }
    else {
        return "must be strict (typ at+jwt) or lenient (also no typ, or "
               "JWT)";
    }
    return NULL;
}

const char *mai_conf_set_local_jwt_introspect_after(mai_dir_conf_t *c,
                                                    const char *arg)
{
    int n;

    if (!strcasecmp(arg, "off")) {
        c->local_jwt_after = 0;
        return NULL;
    }
    if (mai_cv_seconds(arg, MAX_TTL, &n) || n < 1) {
        return "must be off or a whole number of seconds from 1 to "
               "31536000";
    }
    c->local_jwt_after = n;
    return NULL;
}

int mai_conf_local_jwt(const mai_dir_conf_t *c)
{
    return GET_NUM(local_jwt, DEF_LOCAL_JWT);
}

int mai_conf_local_jwt_lenient(const mai_dir_conf_t *c)
{
    return GET_NUM(local_jwt_lenient, DEF_LOCAL_JWT_LENIENT);
}

int mai_conf_local_jwt_introspect_after(const mai_dir_conf_t *c)
{
    return GET_NUM(local_jwt_after, DEF_LOCAL_JWT_AFTER);
}

mai_cache_scope_t mai_conf_local_jwt_scope(const mai_dir_conf_t *c)
{
    mai_cache_scope_t s;

    /* where the keys come from and how far that fetch is trusted, the
     * issuer, and how strict typ was: what a verified token's answer
     * depends on. The hint holds a newline, which no directive argument
     * can, so no endpoint's scope is ever equal to this one. */
    s.endpoint = mai_conf_jwks_text(c) ? mai_conf_jwks_text(c)
                                       : mai_conf_metadata_text(c);
    s.client_id = mai_conf_issuer(c);
    s.tls_verify = mai_conf_tls_verify(c);
    s.ca_file = mai_conf_tls_ca_file(c);
    s.hint = mai_conf_local_jwt_lenient(c) ? "\nlocal-jwt lenient"
                                           : "\nlocal-jwt at+jwt";
    s.signed_answer = 0;
    return s;
}
