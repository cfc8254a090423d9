/* SPDX-License-Identifier: Apache-2.0 */
/* lookup.c: the per-process cache (L1), then the shared cache (L2), then
 * one endpoint call per token per process (single-flight). The caches hold
 * the endpoint's answer with the time it was fetched; how long an answer
 * may be reused is this location's TTL, decided on every read. */
#include <apr_strings.h>
#include <openssl/crypto.h>
#include "mai_private.h"
#include "lookup.h"
#include "httpd_log.h"
#include "digest.h"
#include "cache.h"
#include "cache_entry.h"
#include "cache_l1.h"
#include "flight.h"
#include "scope_keys.h"
#include "introspect.h"
#include "freshness.h"
#include "metrics.h"
#include "purge_journal.h"
#include "discovery.h"
#include "signed_answer.h"
#include "config_values.h"
#include "local_jwt.h"
#include "jwt_access_token.h"
#include "export.h"
#include "token.h"

/* One lookup, so the steps share their inputs without long lists. */
typedef struct {
    request_rec *r;
    const mai_dir_conf_t *c;
    mai_fresh_conf_t fresh;         /* this location's reuse rules */
    mai_req_state_t *st;            /* read for the token's log name */
    const char *token;
    apr_size_t token_len;           /* strlen(token), taken once */
    const mai_cache_scope_t *scope;
    int slot;                       /* the scope's (scope_keys.h), or 0 */
    int have_key;                   /* key computed */
    int have_hash;                  /* token_hash computed */
    int have_prf;                   /* prf_key computed */
    unsigned char key[MAI_DIGEST_LEN];         /* L2's, flights' */
    unsigned char token_hash[MAI_DIGEST_LEN];  /* SHA-256 of the token */
    unsigned char prf_key[MAI_DIGEST_LEN];     /* mai_l1_token_key's */
    const unsigned char *l1_key;    /* prf_key (else token_hash), or key
                                     * when slot 0 */
    apr_int64_t now;
    const mai_result_t *stale;      /* past its TTL, kept for StaleIfError */
    apr_int64_t stale_fetched;
    apr_uint32_t purges;            /* this host's purge count, at start */
    const unsigned char *origin;    /* the L2 value's tag, once opened */
} lookup_t;

#define TOKEN_ID(l) mai_state_token_id((l)->r, (l)->st)

/* The token's SHA-256, on first need: the shared cache's key, the flights'
 * and the purge's all start from it, and the token's log name is its
 * first 8 hex digits. An L1 hit needs none of them (l1_key_of). */
static const unsigned char *hash_of(lookup_t *l)
{
    if (!l->have_hash) {
        mai_digest_sha256(l->token, l->token_len, l->token_hash);
        l->have_hash = 1;
        if (!l->st->token_id) {
            l->st->token_id = mai_digest_id_of_hash(l->r->pool,
                                                    l->token_hash);
        }
    }
    return l->token_hash;
}

/* The HMAC cache key under the cache secret: what the shared cache and
 * the flights are keyed by. L1 never leaves this process and is keyed by
 * (slot, the token's keyed PRF: l1_key_of), so a hit does not compute
 * it: only an L1 miss or a recheck against L2 does, once per lookup. */
static const unsigned char *key_of(lookup_t *l)
{
    if (!l->have_key) {
        mai_scope_keys_key_of_hash(mai_proc.scope_keys,
                                   mai_proc.cache_secret, l->scope, l->slot,
                                   hash_of(l), l->key);
        l->have_key = 1;
    }
    return l->key;
}

/* The shared cache holds JSON (other processes and hosts read it): an L2
 * hit is parsed once here, then kept parsed in L1. */
static mai_status_t from_l2(lookup_t *l, mai_answer_t *a)
{
    mai_cache_entry_key_t k;
    mai_cache_entry_t e;
    unsigned char *data;
    apr_size_t len;
    mai_status_t s;

    s = mai_cache_get(mai_proc.cache, l->r->server, l->r->pool, key_of(l),
                      &data, &len);
    if (s != MAI_OK) {
        return s;
    }
    k.secret = mai_proc.cache_secret;
    k.token = l->token;
    k.token_hash = hash_of(l);
    k.lookup_key = key_of(l);
    s = mai_cache_entry_open(l->r->pool, &k, data, len, &e);
    if (s != MAI_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, l->r, MAI_LOGNO(00311)
                      "shared cache entry rejected (tampered, swapped or "
                      "from another key); asking the endpoint");
        mai_metrics_count(MAI_MG_REJECTED);
        return MAI_STATUS_CACHE_MISS;
    }
    a->fetched_at = e.fetched_at;
    /* opened, so len covers the tag (cache_entry.c) */
    l->origin = data + len - MAI_L1_ORIGIN_LEN;
    s = mai_result_parse(l->r->pool, e.json, e.json_len, &a->result);
    /* the sealed flag and the JSON must agree, or the entry is not ours */
    return s == MAI_OK && a->result->active == e.active
           ? MAI_OK : MAI_STATUS_CACHE_MISS;
}

/* L1 keeps the token's SHA-256 beside each answer, so a purge finds it
 * whatever its scope (purge.c); the hash was taken with the key. Returns
 * L1's copy, held for the request, which carries the claims' export
 * names (result_flat.h), else res; *exports: this location's exports of
 * the copy, prepared with it (export_plan.h), else NULL. */
static const mai_result_t *l1_put(lookup_t *l, const mai_result_t *res,
                                  apr_int64_t fetched_at,
                                  const mai_export_prepared_t **exports)
{
    const mai_result_t *held;
    mai_export_opts_t o;

    /* a purge since this lookup began may be of this very answer (read
     * from L2 just before the purge removed it), and another thread may
     * have applied it to L1 already: keep it out rather than refill */
    *exports = NULL;
    if (mai_proc.purge_reader
        && mai_purge_reader_head(mai_proc.purge_reader) != l->purges) {
        return res;
    }
    held = mai_l1_put_prepared(mai_proc.l1, l->l1_key, l->slot,
                               hash_of(l), res, fetched_at, l->now,
                               l->r->pool,
                               mai_export_opts(l->c, &o) ? &o : NULL,
                               exports);
    return held ? held : res;
}

/* How long a fresh answer (fetched now) may live in the caches here
 * (freshness.c); 0: not cached. */
static apr_int64_t cache_life(lookup_t *l, const mai_result_t *res)
{
    return mai_fresh_cache_life(&l->fresh, res, l->now);
}

/* A fresh answer into L1, before the flight lands: a request arriving
 * after the landing finds it there. */
static const mai_result_t *to_l1(lookup_t *l, const mai_result_t *res,
                                 const mai_export_prepared_t **exports)
{
    *exports = NULL;
    if (mai_proc.l1 && cache_life(l, res) > 0) {
        return l1_put(l, res, l->now, exports);
    }
    return res;
}

/* A fresh answer into L2, after the flight landed: the followers need
 * not wait for the sealing nor for the shared cache's lock. */
static void to_l2(lookup_t *l, const mai_result_t *res)
{
    apr_int64_t life = cache_life(l, res);
    mai_cache_entry_key_t k;
    mai_cache_entry_t e;
    unsigned char *sealed;
    apr_size_t sealed_len;

    if (life <= 0 || !mai_proc.cache) {
        return;
    }
    k.secret = mai_proc.cache_secret;
    k.token = l->token;
    k.token_hash = hash_of(l);
    k.lookup_key = key_of(l);
    e.active = res->active;
    e.fetched_at = l->now;
    e.json = res->json;
    e.json_len = strlen(res->json);
    if (mai_cache_entry_seal(l->r->pool, &k, &e, &sealed, &sealed_len)
        == MAI_OK) {
        /* one second of slack: redis rounds the time left down to whole
         * seconds and refuses 0; freshness is judged on read from the
         * fetch time, so the extra second is never served */
        if (mai_cache_put(mai_proc.cache, l->r->server, l->r->pool,
                          key_of(l),
                          apr_time_now() + apr_time_from_sec(life + 1),
                          sealed, sealed_len)
            && mai_proc.l1 && mai_proc.l1_recheck) {
            /* what a recheck compares with (from_caches) */
            mai_l1_set_origin(mai_proc.l1, l->l1_key, l->slot, l->now,
                              sealed + sealed_len - MAI_L1_ORIGIN_LEN);
        }
    }
}

/* Without AuthIntrospectEndpoint, the endpoint the authorization
 * server's metadata names (discovery.c): MAI_OK, or an endpoint failure
 * with a->retry_after. */
static mai_status_t discovered(lookup_t *l, mai_endpoint_t *meta,
                               mai_endpoint_t **out, mai_answer_t *a)
{
    mai_discovery_req_t q;

    q.metadata = meta;
    q.issuer = mai_conf_metadata_issuer(l->c);
    q.client_auth = mai_cv_client_auth_name(mai_conf_client_auth(l->c));
    q.refresh = mai_conf_metadata_refresh(l->c);
    q.timeout = mai_conf_timeout(l->c);
    q.connect_timeout = mai_conf_connect_timeout(l->c);
    return mai_discovery_endpoint(mai_proc.discovery, l->r->pool, &q,
                                  mai_httpd_log_request(l->r), out,
                                  &a->retry_after);
}

/* An endpoint's URL as text, for an assertion's aud. */
static const char *url_text(apr_pool_t *p, const mai_url_t *u)
{
    return apr_pstrcat(p, u->tls ? "https://" : "http://", u->authority,
                       u->path, NULL);
}

/* client_secret_jwt / private_key_jwt: the key and the assertion's aud:
 * the issuer (AuthIntrospectIssuer, else the metadata URL's), else the
 * endpoint URL (the discovered one with AuthIntrospectMetadataURL). */
static void assertion_opts(lookup_t *l, mai_introspect_opts_t *o)
{
    const char *iss, *ep;

    memset(&o->assertion, 0, sizeof(o->assertion));
    o->assertion_key = NULL;
    if (o->client_auth != MAI_AUTH_SECRET_JWT
        && o->client_auth != MAI_AUTH_PRIVATE_KEY_JWT) {
        return;
    }
    iss = mai_conf_issuer(l->c);
    ep = url_text(l->r->pool, &mai_endpoint_target(o->endpoint)->url);
    o->assertion_key = o->client_auth == MAI_AUTH_SECRET_JWT
                       ? mai_conf_client_secret_key(l->c)
                       : mai_conf_client_key(l->c);
    o->assertion.reuse = mai_conf_assertion_reuse(l->c);
    switch (mai_conf_assertion_aud(l->c)) {
    case MAI_ASSERT_AUD_ENDPOINT:
        o->assertion.aud = ep;
        break;
    case MAI_ASSERT_AUD_BOTH:
        o->assertion.aud = iss ? iss : ep;
        o->assertion.aud2 = iss ? ep : NULL;
        break;
    default:
        o->assertion.aud = iss ? iss : ep;
    }
}

/* The endpoint's answer, parsed: a->status, and a->result on MAI_OK or
 * a->retry_after on BREAKER_OPEN. */
static void call_endpoint(lookup_t *l, mai_answer_t *a)
{
    mai_introspect_opts_t o;
    mai_introspect_out_t out;
    apr_pool_t *p;
    mai_status_t s;
    /* an explicit AuthIntrospectEndpoint wins over the metadata URL */
    const char *url = mai_conf_endpoint_text(l->c)
                      ? mai_conf_endpoint_text(l->c)
                      : mai_conf_metadata_text(l->c);
    mai_client_cert_t cert;

    a->fetched_at = l->now;
    cert.cert_file = mai_conf_client_cert(l->c);
    cert.key_file = mai_conf_client_cert_key(l->c);
    /* set up at startup (endpoint_setup.c): only looked up here */
    o.endpoint = mai_endpoints_find_cert(mai_proc.endpoints, url,
                                         mai_conf_tls_ca_file(l->c),
                                         mai_conf_tls_verify(l->c),
                                         mai_conf_proxy(ap_get_module_config(
                                             l->r->server->module_config,
                                             &auth_introspect_module)),
                                         &cert);
    if (!o.endpoint) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, l->r, MAI_LOGNO(00320)
                      "no introspection endpoint was set up at startup "
                      "for %s with AuthIntrospectTLSCAFile %s and "
                      "TLSVerify %s", url,
                      mai_conf_tls_ca_file(l->c)
                      ? mai_conf_tls_ca_file(l->c) : "(system store)",
                      mai_conf_tls_verify(l->c) ? "On" : "Off");
        a->status = MAI_STATUS_INTERNAL;
        return;
    }
    /* endpoint_setup.c refuses this for each section; sections that
     * combine (a <Directory> and a <Location>) are checked here */
    if (MAI_AUTH_IS_TLS(mai_conf_client_auth(l->c))
        && (!cert.cert_file || !mai_endpoint_target(o.endpoint)->tls)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, l->r, MAI_LOGNO(01800)
                      "AuthIntrospectClientAuth %s needs "
                      "AuthIntrospectClientCert and an https endpoint (%s)",
                      mai_cv_client_auth_name(mai_conf_client_auth(l->c)),
                      url);
        a->status = MAI_STATUS_INTERNAL;
        return;
    }
    if (!mai_conf_endpoint_text(l->c)) {
        a->status = discovered(l, o.endpoint, &o.endpoint, a);
        if (a->status != MAI_OK) {
            return;
        }
    }
    o.client_id = mai_conf_client_id(l->c);
    o.client_secret = mai_conf_client_secret(l->c);
    o.client_auth = mai_conf_client_auth(l->c);
    o.token_type_hint = mai_conf_token_type_hint(l->c);
    o.timeout = mai_conf_timeout(l->c);
    o.connect_timeout = mai_conf_connect_timeout(l->c);
    assertion_opts(l, &o);
    o.signed_answer = mai_conf_response_jwt(l->c);
    /* the wire buffers die with the call; only the result outlives it */
    apr_pool_create(&p, l->r->pool);
    s = mai_introspect(p, &o, l->token, TOKEN_ID(l),
                       mai_httpd_log_request(l->r), &out);
    a->retry_after = out.retry_after;
    if (s == MAI_OK && o.signed_answer) {
        /* RFC 9701: what is parsed (and cached) is the verified answer
         * inside the JWS */
        s = mai_signed_answer_open(l->r, l->c, p, &out, TOKEN_ID(l), l->now,
                                   &out.json, &out.json_len,
                                   &a->retry_after);
    }
    if (s == MAI_OK) {
        s = mai_result_parse(l->r->pool, out.json, out.json_len, &a->result);
        if (s != MAI_OK) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, l->r, MAI_LOGNO(00313)
                          "token %s: unusable introspection response: %s",
                          TOKEN_ID(l), mai_status_reason(s));
        }
    }
    apr_pool_destroy(p);
    mai_metrics_call(mai_endpoint_metrics_id(o.endpoint), s, out.elapsed);
    a->status = s;
}

/* Fresh for this location (freshness.c); an active answer past its TTL
 * but within StaleIfError is kept aside, the first one found. */
static int usable(lookup_t *l, const mai_result_t *res, apr_int64_t fetched)
{
    mai_freshness_t f = mai_fresh_judge(&l->fresh, res, fetched, l->now);

    if (f == MAI_FRESH_STALE && !l->stale) {
        l->stale = res;
        l->stale_fetched = fetched;
    }
    return f == MAI_FRESH_YES;
}

/* A purge on this host (purge.c) reaches this process's L1 here. */
static void purge_l1(lookup_t *l)
{
    int n = mai_purge_reader_apply(mai_proc.purge_reader, mai_proc.l1);

    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, l->r, MAI_LOGNO(01003)
                  "purge journal applied: %d entries dropped from this "
                  "process's cache", n);
}

/* Whether the shared cache still holds the very value this process's
 * L1 entry came from or went into (its tag: cache_l1.h); the entry then
 * counts as stored now. Nothing is opened: the value is the one already
 * opened or sealed here. */
static int confirmed(lookup_t *l)
{
    unsigned char *data;
    apr_size_t len;

    return mai_proc.cache
           && mai_cache_get(mai_proc.cache, l->r->server, l->r->pool,
                            key_of(l), &data, &len) == MAI_OK
           && len >= MAI_L1_ORIGIN_LEN
           && mai_l1_confirm(mai_proc.l1, l->l1_key, l->slot,
                             data + len - MAI_L1_ORIGIN_LEN, l->now);
}

/* An L1 hit costs no allocation and no copy: a->result is L1's entry,
 * held for r->pool. */
static mai_status_t from_caches(lookup_t *l, mai_answer_t *a)
{
    apr_int64_t stored_at;

    /* one atomic load, unless a purge happened on this host */
    if (mai_proc.purge_reader) {
        l->purges = mai_purge_reader_head(mai_proc.purge_reader);
        if (mai_purge_reader_behind(mai_proc.purge_reader, l->purges)) {
            purge_l1(l);
        }
    }
    if (mai_proc.l1
        && mai_l1_get_prepared(mai_proc.l1, l->l1_key, l->slot, l->r->pool,
                               &a->result, &a->fetched_at, &stored_at,
                               &a->exports)) {
        if (mai_proc.l1_recheck
            && l->now - stored_at >= mai_proc.l1_recheck) {
            /* a purge on another host shows only in the shared cache:
             * past the recheck, the answer serves again only if L2 still
             * holds it: the same value, confirmed here without opening
             * it again, or another, which from_l2 below opens and puts
             * back */
            if (confirmed(l) && usable(l, a->result, a->fetched_at)) {
                ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, l->r,
                              MAI_LOGNO(02140) "token %s: the shared cache "
                              "still holds the value this process's answer "
                              "came from: confirmed, not opened again",
                              TOKEN_ID(l));
                mai_metrics_count(MAI_MG_L2_HITS);
                return MAI_OK;
            }
            mai_l1_remove(mai_proc.l1, l->l1_key, l->slot);
        }
        else if (usable(l, a->result, a->fetched_at)) {
            mai_metrics_count(MAI_MG_L1_HITS);
            return MAI_OK;
        }
        else if (l->stale != a->result
                 && !mai_fresh_ttl_zero(&l->fresh, a->result)) {
            /* neither fresh nor kept for StaleIfError: free its slot */
            mai_l1_remove(mai_proc.l1, l->l1_key, l->slot);
        }
    }
    if (mai_proc.cache && from_l2(l, a) == MAI_OK
        && usable(l, a->result, a->fetched_at)) {
        if (mai_proc.l1) {
            a->result = l1_put(l, a->result, a->fetched_at, &a->exports);
            if (mai_proc.l1_recheck) {
                mai_l1_set_origin(mai_proc.l1, l->l1_key, l->slot,
                                  a->fetched_at, l->origin);
            }
        }
        mai_metrics_count(MAI_MG_L2_HITS);
        return MAI_OK;
    }
    mai_metrics_count(MAI_MG_MISSES);
    return MAI_STATUS_CACHE_MISS;
}

/* One call per token per process at a time; the followers take a copy of
 * the leader's parsed answer. */
static void fetch_shared(lookup_t *l, mai_answer_t *a)
{
    apr_time_t deadline = apr_time_now() + mai_conf_timeout(l->c);
    mai_flight_t *fl;
    int rc;

    rc = mai_flight_join(mai_proc.flights, key_of(l), deadline, l->r->pool,
                         &fl, a);
    if (rc < 0) {
        a->status = MAI_STATUS_ENDPOINT_TIMEOUT;
        return;
    }
    if (rc == 0) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, l->r, MAI_LOGNO(00315)
                      "token %s: shared another request's endpoint call",
                      TOKEN_ID(l));
        mai_metrics_count(MAI_MG_JOINS);
        return;
    }
    /* a leader that landed between our cache miss and our join has just
     * filled L1: take its answer instead of making a second call */
    if (mai_proc.l1
        && mai_l1_get_prepared(mai_proc.l1, l->l1_key, l->slot, l->r->pool,
                               &a->result, &a->fetched_at,
                               &(apr_int64_t){0}, &a->exports)
        && usable(l, a->result, a->fetched_at)) {
        a->status = MAI_OK;
        mai_flight_land(mai_proc.flights, fl, a);
        return;
    }
    call_endpoint(l, a);
    if (a->status == MAI_OK) {
        a->result = to_l1(l, a->result, &a->exports);
    }
    mai_flight_land(mai_proc.flights, fl, a);
    if (a->status == MAI_OK) {
        to_l2(l, a->result);
    }
}

/* The last token a connection presented and its keyed PRF under this
 * process's L1 (conn_config): a client on a keep-alive connection sends
 * the same token on each request, and the PRF through EVP_MAC is about a
 * thousand instructions, a quarter of a hit. Only one thread serves a
 * connection (an HTTP/2 stream's is its own secondary connection) at a
 * time, so the memo needs no lock. The token is compared in constant
 * time (another client behind the same proxy connection learns nothing
 * of the one before from the timing; mai_token_equal, a word at a time:
 * OpenSSL's CRYPTO_memcmp takes a byte at a time, over 4,000
 * instructions for an 800-byte JWT) and wiped when the connection
 * ends. docs/security.md, "The per-process cache's key". */
typedef struct {
    const mai_l1_t *l1;         /* the L1 whose key made prf */
    apr_size_t len;             /* of token; 0: empty */
    apr_size_t cap;             /* token's room */
    char *token;
    unsigned char prf[MAI_DIGEST_LEN];
} prf_memo_t;

static apr_status_t wipe_memo(void *data)
{
    prf_memo_t *m = data;

    if (m->token) {
        OPENSSL_cleanse(m->token, m->cap);
    }
    OPENSSL_cleanse(m->prf, sizeof(m->prf));
    return APR_SUCCESS;
}

static prf_memo_t *memo_of(conn_rec *c)
{
    prf_memo_t *m = ap_get_module_config(c->conn_config,
                                         &auth_introspect_module);

    if (!m) {
        m = apr_pcalloc(c->pool, sizeof(*m));
        apr_pool_cleanup_register(c->pool, m, wipe_memo,
                                  apr_pool_cleanup_null);
        ap_set_module_config(c->conn_config, &auth_introspect_module, m);
    }
    return m;
}

static void memo_keep(prf_memo_t *m, conn_rec *c, const char *token,
                      apr_size_t len, const unsigned char *prf)
{
    if (len > m->cap) {
        if (m->token) {
            OPENSSL_cleanse(m->token, m->cap);
        }
        /* grows by doubling: a connection's memo takes at most about
         * twice the longest token it sent */
        m->cap = len > 2 * m->cap ? len : 2 * m->cap;
        m->token = apr_palloc(c->pool, m->cap);
    }
    memcpy(m->token, token, len);
    m->len = len;
    m->l1 = mai_proc.l1;
    memcpy(m->prf, prf, MAI_DIGEST_LEN);
}

/* L1's key for a scope with a slot: the keyed PRF of the token
 * (token_prf.h), made once per lookup whatever the scope (once per
 * connection while its token stays the same: prf_memo_t); else (no PRF
 * in this OpenSSL, or it failed) the token's SHA-256, as before. The two
 * never meet: a PRF key ends in 16 zero bytes. Why a keyed PRF is as
 * safe an index as SHA-256 here: docs/security.md, "The per-process
 * cache's key". */
static const unsigned char *l1_key_of(lookup_t *l)
{
    apr_size_t len;
    prf_memo_t *m;

    if (!l->have_prf) {
        len = l->token_len;
        m = mai_proc.l1 ? memo_of(l->r->connection) : NULL;
        if (m && m->l1 == mai_proc.l1 && m->len == len && len > 0
            && mai_token_equal(m->token, l->token, len)) {
            memcpy(l->prf_key, m->prf, MAI_DIGEST_LEN);
            l->have_prf = 1;
        }
        else {
            l->have_prf = mai_proc.l1
                          && mai_l1_token_key(mai_proc.l1, l->token, len,
                                              l->prf_key)
                          ? 1 : -1;
            if (l->have_prf > 0) {
                memo_keep(m, l->r->connection, l->token, len, l->prf_key);
            }
        }
    }
    return l->have_prf > 0 ? l->prf_key : hash_of(l);
}

/* The caches' keys for this scope (the endpoint's, or local JWTs'). */
static void use_scope(lookup_t *l, const mai_cache_scope_t *scope)
{
    l->scope = scope;
    l->have_key = 0;
    l->slot = mai_scope_keys_slot(mai_proc.scope_keys, mai_proc.cache_secret,
                                  scope);
    l->l1_key = l->slot ? l1_key_of(l) : key_of(l);
    /* an answer of the other scope is never kept for StaleIfError */
    l->stale = NULL;
}

/* AuthIntrospectLocalJWT: a JWT-shaped token's answer from the caches
 * under the local JWTs' scope (mai_conf_local_jwt_scope, never an
 * endpoint's), else verified by local_jwt.c and cached like an
 * endpoint's answer, for min(exp - now, CacheTTL). 1 when *a is the
 * outcome; 0 to go on to the endpoint (the caller then takes the
 * endpoint's scope: a JWT settled here never pays for it). */
static int local_jwt(lookup_t *l, mai_answer_t *a)
{
    int mode = mai_conf_local_jwt(l->c);
    int after = mode == MAI_LJWT_ON
                ? mai_conf_local_jwt_introspect_after(l->c) : 0;
    mai_cache_scope_t scope;

    if (mode == MAI_LJWT_OFF) {
        return 0;
    }
    if (!mai_jwt_shape(l->token, l->token_len)) {
        if (mode != MAI_LJWT_ONLY) {
            return 0;
        }
        a->status = MAI_STATUS_JWT_OPAQUE;
        return 1;
    }
    scope = mai_conf_local_jwt_scope(l->c);
    use_scope(l, &scope);
    if (mai_fresh_reuses(&l->fresh)) {
        a->status = from_caches(l, a);
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, l->r, MAI_LOGNO(02008)
                      "token %s: local JWT cache %s", TOKEN_ID(l),
                      a->status == MAI_OK ? "hit" : "miss");
        if (a->status == MAI_OK
            && !mai_jwt_introspect_due(a->result, l->now, after)) {
            return 1;
        }
    }
    switch (mai_local_jwt_verify(l->r, l->c, l->token, TOKEN_ID(l), l->now,
                                 a)) {
    case MAI_LJWT_VERIFIED:
        a->result = to_l1(l, a->result, &a->exports);
        to_l2(l, a->result);
        return 1;
    case MAI_LJWT_REFUSED:
        return 1;
    default:
        a->result = NULL;
        return 0;
    }
}

mai_answer_t mai_lookup(request_rec *r, const mai_dir_conf_t *c,
                        mai_req_state_t *st, apr_int64_t now)
{
    lookup_t l = { 0 };
    mai_answer_t a = { 0 };
    mai_cache_scope_t scope;

    l.r = r;
    l.c = c;
    l.st = st;
    l.token = st->token;
    l.token_len = strlen(st->token);
    l.now = now;
    l.fresh.ttl = mai_conf_cache_ttl(c);
    l.fresh.negative_ttl = mai_conf_negative_ttl(c);
    l.fresh.stale_if_error = mai_conf_stale_if_error(c);
    if (local_jwt(&l, &a)) {
        return a;
    }
    /* L1 is keyed by the token's keyed PRF (l1_key_of: what an L1 hit
     * costs) and the scope's slot, unique in this process, so two scopes
     * never share an entry. A scope without a slot (more scopes than
     * slots) is keyed in L1 by the full HMAC key under slot 0. The
     * token's SHA-256 (L2's key, its log name, its purge) is taken only
     * when needed (hash_of). What decides an answer or how far it is
     * trusted is in the key: a TLSVerify Off location never fills what
     * verifying ones read. */
    scope = mai_conf_cache_scope(c);
    use_scope(&l, &scope);
    /* both TTLs 0: every request asks the endpoint; CacheTTL 0 alone
     * still reuses inactive answers for NegativeCacheTTL (freshness.c) */
    if (mai_fresh_reuses(&l.fresh)) {
        a.status = from_caches(&l, &a);
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(00314)
                      "token %s: cache %s", TOKEN_ID(&l),
                      a.status == MAI_OK ? "hit" : "miss");
        if (a.status == MAI_OK) {
            return a;
        }
    }
    fetch_shared(&l, &a);
    if (mai_status_is_endpoint_failure(a.status) && l.stale) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, MAI_LOGNO(00316)
                      "token %s: endpoint failed (%s); using the answer "
                      "cached %" APR_INT64_T_FMT " s ago "
                      "(AuthIntrospectStaleIfError)", TOKEN_ID(&l),
                      mai_status_name(a.status), now - l.stale_fetched);
        mai_metrics_count(MAI_MG_STALE);
        a.status = MAI_OK;
        a.result = l.stale;
        a.fetched_at = l.stale_fetched;
        a.retry_after = 0;
        return a;
    }
    if (a.status != MAI_OK) {
        a.result = NULL;     /* what a cache held but this location
                              * may not use */
    }
    return a;
}
