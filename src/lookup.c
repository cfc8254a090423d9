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
#include "introspect.h"
#include "cache_l1.h"
#include "flight.h"

static mai_status_t from_cache(request_rec *r, const mai_dir_conf_t *c,
                               const char *token, const unsigned char *key,
                               apr_int64_t now, const mai_result_t **res,
                               apr_int64_t *fetched)
{
    unsigned char *data;
    apr_size_t len, json_len;
    const char *json;
    int active;
    mai_status_t s;

    s = mai_cache_get(mai_proc.cache, r->server, r->pool, key, &data, &len);
    if (s != MAI_OK) {
        return s;
    }
    s = mai_cache_entry_open(r->pool, token, key, data, len, &active,
                             fetched, &json, &json_len);
    if (s != MAI_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, MAI_LOGNO(00311)
                      "shared cache entry rejected (tampered, swapped or "
                      "from another key); asking the endpoint");
        return MAI_STATUS_CACHE_MISS;
    }
    s = mai_result_parse(r->pool, json, json_len, res);
    /* the sealed flag and the JSON must agree, or the entry is not ours */
    return s == MAI_OK && (*res)->active == active ? MAI_OK
                                                    : MAI_STATUS_CACHE_MISS;
}

static void to_caches(request_rec *r, const mai_dir_conf_t *c,
                      const char *token, const unsigned char *key,
                      apr_int64_t now, const mai_result_t *res)
{
    apr_int64_t life;
    unsigned char *sealed;
    apr_size_t sealed_len;

    if (res->active) {
        life = mai_conf_cache_ttl(c);
        /* nothing outlives the token's own expiry */
        if (res->has_exp && res->exp - now < life) {
            life = res->exp - now;
        }
    }
    else {
        life = mai_conf_negative_ttl(c);
    }
    if (life <= 0) {
        return;
    }
    if (mai_proc.l1) {
        mai_l1_put(mai_proc.l1, key, res, now);
    }
    if (!mai_proc.cache
        || mai_cache_entry_seal(r->pool, token, key, res->active, now,
                                res->json, strlen(res->json), &sealed,
                                &sealed_len) != MAI_OK) {
        return;
    }
    mai_cache_put(mai_proc.cache, r->server, r->pool, key,
                  apr_time_from_sec(now + life), sealed, sealed_len);
}

static mai_status_t call_endpoint(request_rec *r, const mai_dir_conf_t *c,
                                  const char *token, const char *token_id,
                                  const mai_result_t **res)
{
    mai_introspect_opts_t o;
    const char *err, *json;
    apr_size_t json_len;
    apr_pool_t *p;
    mai_status_t s;

    err = mai_endpoints_get(mai_proc.endpoints, r->pool,
                            mai_conf_endpoint_text(c), mai_conf_endpoint(c),
                            mai_conf_tls_ca_file(c), mai_conf_tls_verify(c),
                            &o.endpoint);
    if (err) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(00312)
                      "cannot set up the introspection endpoint: %s", err);
        return MAI_STATUS_ENDPOINT_TLS;
    }
    o.client_id = mai_conf_client_id(c);
    o.client_secret = mai_conf_client_secret(c);
    o.client_auth = mai_conf_client_auth(c);
    o.token_type_hint = mai_conf_token_type_hint(c);
    o.timeout = mai_conf_timeout(c);
    o.connect_timeout = mai_conf_connect_timeout(c);
    /* the wire buffers die with the call; only the result outlives it */
    apr_pool_create(&p, r->pool);
    s = mai_introspect(p, &o, token, token_id, mai_httpd_log_request(r),
                       &json, &json_len);
    if (s == MAI_OK) {
        s = mai_result_parse(r->pool, json, json_len, res);
        if (s != MAI_OK) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(00313)
                          "token %s: unusable introspection response: %s",
                          token_id, mai_status_reason(s));
        }
    }
    apr_pool_destroy(p);
    return s;
}

/* Is an answer fetched at `fetched` still good for this location? */
static int fresh(const mai_dir_conf_t *c, const mai_result_t *res,
                 apr_int64_t fetched, apr_int64_t now)
{
    int limit = res->active ? mai_conf_cache_ttl(c)
                            : mai_conf_negative_ttl(c);
    /* nothing outlives the token's own expiry */
    return now - fetched < limit && now >= fetched - 60
           && !(res->has_exp && res->exp <= now);
}

static mai_status_t from_caches(request_rec *r, const mai_dir_conf_t *c,
                                const char *token, const unsigned char *key,
                                apr_int64_t now, const mai_result_t **res)
{
    apr_int64_t fetched;

    if (mai_proc.l1 && mai_l1_get(mai_proc.l1, key, r->pool, res, &fetched)) {
        if (fresh(c, *res, fetched, now)) {
            return MAI_OK;
        }
        mai_l1_remove(mai_proc.l1, key);
    }
    if (mai_proc.cache
        && from_cache(r, c, token, key, now, res, &fetched) == MAI_OK
        && fresh(c, *res, fetched, now)) {
        if (mai_proc.l1) {
            mai_l1_put(mai_proc.l1, key, *res, fetched);
        }
        return MAI_OK;
    }
    return MAI_STATUS_CACHE_MISS;
}

/* One call per token per process at a time; the followers take the
 * leader's answer. */
static mai_status_t fetch_shared(request_rec *r, const mai_dir_conf_t *c,
                                 const char *token, const char *token_id,
                                 const unsigned char *key, apr_int64_t now,
                                 const mai_result_t **res)
{
    apr_time_t deadline = apr_time_now() + mai_conf_timeout(c);
    mai_flight_t *fl;
    mai_status_t s = MAI_OK;
    const char *json = NULL;
    apr_size_t json_len = 0;
    apr_int64_t fetched = now;
    int rc;

    rc = mai_flight_join(mai_proc.flights, key, deadline, r->pool, &fl, &s,
                         &json, &json_len, &fetched);
    if (rc < 0) {
        return MAI_STATUS_ENDPOINT_TIMEOUT;
    }
    if (rc == 0) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(00315)
                      "token %s: shared another request's endpoint call",
                      token_id);
        return s == MAI_OK ? mai_result_parse(r->pool, json, json_len, res)
                           : s;
    }
    s = call_endpoint(r, c, token, token_id, res);
    if (s == MAI_OK) {
        to_caches(r, c, token, key, now, *res);
    }
    mai_flight_land(mai_proc.flights, fl, s, s == MAI_OK ? (*res)->json : NULL,
                    s == MAI_OK ? strlen((*res)->json) : 0, now);
    return s;
}

mai_status_t mai_lookup(request_rec *r, const mai_dir_conf_t *c,
                        const char *token, const char *token_id,
                        apr_int64_t now, const mai_result_t **res)
{
    unsigned char key[MAI_DIGEST_LEN];
    mai_status_t s;

    mai_digest_cache_key(mai_conf_endpoint_text(c), mai_conf_client_id(c),
                         token, key);
    /* CacheTTL 0: every request asks the endpoint */
    if (mai_conf_cache_ttl(c) > 0) {
        s = from_caches(r, c, token, key, now, res);
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(00314)
                      "token %s: cache %s", token_id,
                      s == MAI_OK ? "hit" : "miss");
        if (s == MAI_OK) {
            return MAI_OK;
        }
    }
    return fetch_shared(r, c, token, token_id, key, now, res);
}
