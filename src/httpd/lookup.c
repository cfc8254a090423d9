/* SPDX-License-Identifier: Apache-2.0 */
/* lookup.c: the per-process cache (L1), then the shared cache (L2), then
 * one endpoint call per token per process (single-flight). The caches hold
 * the endpoint's answer with the time it was fetched; how long an answer
 * may be reused is this location's TTL, decided on every read. */
#include <apr_strings.h>
#include "mai_private.h"
#include "lookup.h"
#include "httpd_log.h"
#include "digest.h"
#include "cache.h"
#include "cache_entry.h"
#include "cache_l1.h"
#include "flight.h"
#include "introspect.h"
#include "freshness.h"

/* One lookup, so the steps share their inputs without long lists. */
typedef struct {
    request_rec *r;
    const mai_dir_conf_t *c;
    mai_fresh_conf_t fresh;         /* this location's reuse rules */
    mai_req_state_t *st;
    const char *token;
    unsigned char key[MAI_DIGEST_LEN];
    apr_int64_t now;
    const mai_result_t *stale;      /* past its TTL, kept for StaleIfError */
    apr_int64_t stale_fetched;
    apr_interval_time_t retry_after;
} lookup_t;

#define TOKEN_ID(l) mai_state_token_id((l)->r, (l)->st)

static mai_status_t from_l2(lookup_t *l, const mai_result_t **res,
                            apr_int64_t *fetched)
{
    unsigned char *data;
    apr_size_t len, json_len;
    const char *json;
    int active;
    mai_status_t s;

    s = mai_cache_get(mai_proc.cache, l->r->server, l->r->pool, l->key,
                      &data, &len);
    if (s != MAI_OK) {
        return s;
    }
    s = mai_cache_entry_open(l->r->pool, mai_proc.cache_secret, l->token,
                             l->key, data, len, &active, fetched, &json,
                             &json_len);
    if (s != MAI_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, l->r, MAI_LOGNO(00311)
                      "shared cache entry rejected (tampered, swapped or "
                      "from another key); asking the endpoint");
        return MAI_STATUS_CACHE_MISS;
    }
    s = mai_result_parse(l->r->pool, json, json_len, res);
    /* the sealed flag and the JSON must agree, or the entry is not ours */
    return s == MAI_OK && (*res)->active == active ? MAI_OK
                                                    : MAI_STATUS_CACHE_MISS;
}

static void to_caches(lookup_t *l, const mai_result_t *res)
{
    apr_int64_t life = mai_fresh_cache_life(&l->fresh, res, l->now);
    unsigned char *sealed;
    apr_size_t sealed_len;

    if (life <= 0) {
        return;
    }
    if (mai_proc.l1) {
        mai_l1_put(mai_proc.l1, l->key, res, l->now);
    }
    if (mai_proc.cache
        && mai_cache_entry_seal(l->r->pool, mai_proc.cache_secret, l->token,
                                l->key, res->active, l->now, res->json,
                                strlen(res->json), &sealed,
                                &sealed_len) == MAI_OK) {
        /* one second of slack: redis rounds the time left down to whole
         * seconds and refuses 0; freshness is judged on read from the
         * fetch time, so the extra second is never served */
        mai_cache_put(mai_proc.cache, l->r->server, l->r->pool, l->key,
                      apr_time_now() + apr_time_from_sec(life + 1), sealed,
                      sealed_len);
    }
}

static mai_status_t call_endpoint(lookup_t *l, const mai_result_t **res)
{
    mai_introspect_opts_t o;
    const char *json;
    apr_size_t json_len;
    apr_pool_t *p;
    mai_status_t s;

    /* set up at startup (endpoint_setup.c): only looked up here */
    o.endpoint = mai_endpoints_find(mai_proc.endpoints,
                                    mai_conf_endpoint_text(l->c),
                                    mai_conf_tls_ca_file(l->c),
                                    mai_conf_tls_verify(l->c));
    if (!o.endpoint) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, l->r, MAI_LOGNO(00320)
                      "no introspection endpoint was set up at startup "
                      "for %s with AuthIntrospectTLSCAFile %s and "
                      "TLSVerify %s", mai_conf_endpoint_text(l->c),
                      mai_conf_tls_ca_file(l->c)
                      ? mai_conf_tls_ca_file(l->c) : "(system store)",
                      mai_conf_tls_verify(l->c) ? "On" : "Off");
        return MAI_STATUS_INTERNAL;
    }
    o.client_id = mai_conf_client_id(l->c);
    o.client_secret = mai_conf_client_secret(l->c);
    o.client_auth = mai_conf_client_auth(l->c);
    o.token_type_hint = mai_conf_token_type_hint(l->c);
    o.timeout = mai_conf_timeout(l->c);
    o.connect_timeout = mai_conf_connect_timeout(l->c);
    /* the wire buffers die with the call; only the result outlives it */
    apr_pool_create(&p, l->r->pool);
    s = mai_introspect(p, &o, l->token, TOKEN_ID(l),
                       mai_httpd_log_request(l->r), &json, &json_len,
                       &l->retry_after);
    if (s == MAI_OK) {
        s = mai_result_parse(l->r->pool, json, json_len, res);
        if (s != MAI_OK) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, l->r, MAI_LOGNO(00313)
                          "token %s: unusable introspection response: %s",
                          TOKEN_ID(l), mai_status_reason(s));
        }
    }
    apr_pool_destroy(p);
    return s;
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

static mai_status_t from_caches(lookup_t *l, const mai_result_t **res)
{
    apr_int64_t fetched;

    if (mai_proc.l1
        && mai_l1_get(mai_proc.l1, l->key, l->r->pool, res, &fetched)) {
        if (usable(l, *res, fetched)) {
            return MAI_OK;
        }
        if (l->stale != *res && !mai_fresh_ttl_zero(&l->fresh, *res)) {
            /* neither fresh nor kept for StaleIfError: free its slot */
            mai_l1_remove(mai_proc.l1, l->key);
        }
    }
    if (mai_proc.cache && from_l2(l, res, &fetched) == MAI_OK
        && usable(l, *res, fetched)) {
        if (mai_proc.l1) {
            mai_l1_put(mai_proc.l1, l->key, *res, fetched);
        }
        return MAI_OK;
    }
    return MAI_STATUS_CACHE_MISS;
}

/* One call per token per process at a time; the followers take the
 * leader's answer. */
static mai_status_t fetch_shared(lookup_t *l, const mai_result_t **res)
{
    apr_time_t deadline = apr_time_now() + mai_conf_timeout(l->c);
    mai_flight_t *fl;
    mai_status_t s = MAI_OK;
    const char *json = NULL;
    apr_size_t json_len = 0;
    apr_int64_t fetched = l->now;
    int rc;

    rc = mai_flight_join(mai_proc.flights, l->key, deadline, l->r->pool, &fl,
                         &s, &json, &json_len, &fetched);
    if (rc < 0) {
        return MAI_STATUS_ENDPOINT_TIMEOUT;
    }
    if (rc == 0) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, l->r, MAI_LOGNO(00315)
                      "token %s: shared another request's endpoint call",
                      TOKEN_ID(l));
        return s == MAI_OK ? mai_result_parse(l->r->pool, json, json_len,
                                              res)
                           : s;
    }
    /* a leader that landed between our cache miss and our join has just
     * filled L1: take its answer instead of making a second call */
    if (mai_proc.l1
        && mai_l1_get(mai_proc.l1, l->key, l->r->pool, res, &fetched)
        && usable(l, *res, fetched)) {
        mai_flight_land(mai_proc.flights, fl, MAI_OK, (*res)->json,
                        strlen((*res)->json), fetched);
        return MAI_OK;
    }
    s = call_endpoint(l, res);
    if (s == MAI_OK) {
        to_caches(l, *res);
    }
    mai_flight_land(mai_proc.flights, fl, s, s == MAI_OK ? (*res)->json : NULL,
                    s == MAI_OK ? strlen((*res)->json) : 0, l->now);
    return s;
}

mai_status_t mai_lookup(request_rec *r, const mai_dir_conf_t *c,
                        mai_req_state_t *st, apr_int64_t now)
{
    lookup_t l = { 0 };
    /* what decides an answer or how far it is trusted is in the key: a
     * TLSVerify Off location never fills what verifying ones read */
    const mai_cache_scope_t scope = mai_conf_cache_scope(c);
    const mai_result_t **res = &st->result;
    mai_status_t s;

    l.r = r;
    l.c = c;
    l.st = st;
    l.token = st->token;
    l.now = now;
    l.fresh.ttl = mai_conf_cache_ttl(c);
    l.fresh.negative_ttl = mai_conf_negative_ttl(c);
    l.fresh.stale_if_error = mai_conf_stale_if_error(c);
    /* a SHA-256 and an HMAC are what a cache hit costs */
    mai_digest_cache_key(mai_proc.cache_secret, &scope, st->token, l.key);
    /* both TTLs 0: every request asks the endpoint; CacheTTL 0 alone
     * still reuses inactive answers for NegativeCacheTTL (usable) */
    if (mai_fresh_reuses(&l.fresh)) {
        s = from_caches(&l, res);
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(00314)
                      "token %s: cache %s", TOKEN_ID(&l),
                      s == MAI_OK ? "hit" : "miss");
        if (s == MAI_OK) {
            return MAI_OK;
        }
    }
    s = fetch_shared(&l, res);
    if (mai_status_is_endpoint_failure(s) && l.stale) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, MAI_LOGNO(00316)
                      "token %s: endpoint failed (%s); using the answer "
                      "cached %" APR_INT64_T_FMT " s ago "
                      "(AuthIntrospectStaleIfError)", TOKEN_ID(&l),
                      mai_status_name(s), now - l.stale_fetched);
        *res = l.stale;
        return MAI_OK;
    }
    st->retry_after = l.retry_after;
    return s;
}
