/* SPDX-License-Identifier: Apache-2.0 */
/* discovery.c: RFC 8414 metadata per process. Startup never waits on the
 * network: the document is fetched by the first request that needs it,
 * through the metadata URL's endpoint (its TLS context, connections and
 * breaker were set up at startup), and refreshed by a request when it is
 * older than AuthIntrospectMetadataRefresh. */
#include <apr_strings.h>
#include <apr_hash.h>
#include <apr_thread_mutex.h>
#include "discovery.h"
#include "as_metadata.h"
#include "http_client.h"

/* A refresh that failed is tried again after this, not on every request:
 * the old document serves meanwhile. */
#ifndef MAI_VERSION
#define MAI_VERSION "0"
#endif

#define RETRY_REFRESH apr_time_from_sec(60)

/* One metadata endpoint's document, in this process. */
typedef struct {
    /* held through a first fetch: concurrent first requests wait on it
     * and share the outcome (one fetch); a refresh runs outside it */
    apr_thread_mutex_t *lock;
    apr_pool_t *pool;             /* derived endpoints; never cleared */
    apr_hash_t *derived;          /* URL text -> mai_endpoint_t */
    mai_endpoint_t *introspect;   /* NULL until a fetch succeeded */
    apr_time_t fetched_at;        /* of introspect's document */
    apr_time_t tried_at;          /* last fetch, successful or not */
    mai_status_t failed;          /* its outcome when it failed */
    apr_interval_time_t failed_retry;
    int refreshing;
    int warned;                   /* auth method warning given */
} doc_t;

struct mai_discovery {
    apr_thread_mutex_t *lock;     /* guards docs */
    apr_pool_t *pool;
    apr_hash_t *docs;             /* metadata endpoint -> doc_t */
    const mai_endpoints_t *reg;
    int allow_insecure;
};

mai_discovery_t *mai_discovery_create(apr_pool_t *p,
                                      const mai_endpoints_t *reg,
                                      int allow_insecure)
{
    mai_discovery_t *d = apr_pcalloc(p, sizeof(*d));

    apr_thread_mutex_create(&d->lock, APR_THREAD_MUTEX_DEFAULT, p);
    d->pool = p;
    d->docs = apr_hash_make(p);
    d->reg = reg;
    d->allow_insecure = allow_insecure;
    return d;
}

static doc_t *doc_of(mai_discovery_t *d, const mai_endpoint_t *meta)
{
    doc_t *doc;

    apr_thread_mutex_lock(d->lock);
    doc = apr_hash_get(d->docs, &meta, sizeof(meta));
    if (!doc) {
        const mai_endpoint_t **key = apr_palloc(d->pool, sizeof(*key));
        *key = meta;
        doc = apr_pcalloc(d->pool, sizeof(*doc));
        apr_pool_create(&doc->pool, d->pool);
        apr_thread_mutex_create(&doc->lock, APR_THREAD_MUTEX_DEFAULT,
                                doc->pool);
        doc->derived = apr_hash_make(doc->pool);
        apr_hash_set(d->docs, key, sizeof(*key), doc);
    }
    apr_thread_mutex_unlock(d->lock);
    return doc;
}

/* The rules AuthIntrospectEndpoint follows at startup (config_check.c):
 * plain http only to loopback, and not through a proxy elsewhere. */
static const char *insecure(const mai_discovery_t *d, const mai_url_t *u,
                            const mai_endpoint_t *meta)
{
    const mai_proxy_t *px = mai_endpoint_target(meta)->proxy;

    if (u->tls || d->allow_insecure) {
        return NULL;
    }
    if (!mai_url_is_loopback_host(u->host)) {
        return "plain http off loopback (use https:// or set "
               "AuthIntrospectAllowInsecureHTTP On)";
    }
    if (px && !mai_url_is_loopback_host(px->url->host)) {
        return "plain http through a proxy off loopback";
    }
    return NULL;
}

/* GET the document and vet it: the issuer RFC 8414 section 3.3 binds,
 * an introspection endpoint under the endpoint rules. *url from p. */
/* RFC 8705 section 5: a client that presents a certificate uses the
 * server's mutual-TLS alias of the endpoint when it names one (it may be
 * another host, the one that asks for certificates). A step of fetch's
 * checks: it only replaces md's endpoint, and gives 0. */
static int take_mtls_alias(const mai_discovery_req_t *q,
                           mai_as_metadata_t *md)
{
    if (md->mtls_introspection_endpoint
        && mai_endpoint_client_cert(q->metadata)->cert_file) {
        md->introspection_endpoint = md->mtls_introspection_endpoint;
    }
    return 0;
}

static mai_status_t fetch(mai_discovery_t *d, apr_pool_t *p,
                          const mai_discovery_req_t *q,
                          const mai_log_sink_t *log, mai_as_metadata_t *md,
                          mai_url_t *url, apr_interval_time_t *retry_after)
{
    static const char *const headers[] = {
        "Accept: application/json",
        "User-Agent: mod_auth_introspect/" MAI_VERSION, NULL
    };
    const mai_http_target_t *t = mai_endpoint_target(q->metadata);
    mai_http_call_t call = { 0 };
    mai_http_reply_t reply = { 0 };
    const char *err;
    mai_status_t s;

    call.method = "GET";
    call.headers = headers;
    call.timeout = q->timeout;
    call.connect_timeout = q->connect_timeout;
    call.deadline = apr_time_now() + q->timeout;
    s = mai_endpoint_enter(q->metadata, call.deadline, retry_after);
    if (s != MAI_OK) {
        return s;
    }
    s = mai_http_post(t, p, &call, log, &reply);
    if (s == MAI_OK && reply.status != 200) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01500)
                "authorization server metadata %s%s: HTTP status %d",
                t->url.authority, t->url.path, reply.status);
        s = MAI_STATUS_ENDPOINT_HTTP;
    }
    else if (s != MAI_OK) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01501)
                "authorization server metadata %s%s: %s", t->url.authority,
                t->url.path, mai_status_reason(s));
    }
    else if ((s = mai_as_metadata_parse(p, reply.body, reply.body_len, md))
             != MAI_OK) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01502)
                "authorization server metadata %s%s: not a metadata "
                "document (%s)", t->url.authority, t->url.path,
                mai_status_reason(s));
    }
    else if (strcmp(md->issuer, q->issuer)) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01503)
                "authorization server metadata %s%s names issuer \"%s\", "
                "not \"%s\" (RFC 8414 section 3.3): refused",
                t->url.authority, t->url.path, md->issuer, q->issuer);
        s = MAI_STATUS_ENDPOINT_BAD_JSON;
    }
    else if (!take_mtls_alias(q, md) && !md->introspection_endpoint) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01504)
                "authorization server metadata %s%s names no "
                "introspection_endpoint", t->url.authority, t->url.path);
        s = MAI_STATUS_ENDPOINT_BAD_JSON;
    }
    else if ((err = mai_url_parse(p, md->introspection_endpoint, url))
             || (err = insecure(d, url, q->metadata))) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01505)
                "authorization server metadata %s%s: introspection_endpoint "
                "%s refused: %s", t->url.authority, t->url.path,
                md->introspection_endpoint, err);
        s = MAI_STATUS_ENDPOINT_BAD_JSON;
    }
    /* a document that cannot be used is the server failing, as a bad
     * introspection answer is: it counts for the breaker */
    mai_endpoint_leave(q->metadata, s != MAI_OK, log);
    return s;
}

/* The endpoint for the document's URL: one set up at startup for the
 * same URL, TLS settings and proxy, else one made here once. Under
 * doc->lock or the only thread using doc (a first fetch). */
static mai_status_t resolve(mai_discovery_t *d, doc_t *doc,
                            const mai_discovery_req_t *q,
                            const mai_log_sink_t *log,
                            const mai_as_metadata_t *md, const mai_url_t *url)
{
    const mai_endpoint_t *meta = q->metadata;
    mai_endpoint_t *ep;
    const char *err;

    /* the same client certificate as the metadata URL's endpoint: it is
     * the location's (AuthIntrospectClientCert) */
    ep = mai_endpoints_find_cert(d->reg, md->introspection_endpoint,
                                 mai_endpoint_ca_file(meta),
                                 mai_endpoint_verify(meta),
                                 mai_endpoint_target(meta)->proxy,
                                 mai_endpoint_client_cert(meta));
    if (!ep) {
        ep = apr_hash_get(doc->derived, md->introspection_endpoint,
                          APR_HASH_KEY_STRING);
    }
    if (!ep) {
        err = mai_endpoints_derive(d->reg, doc->pool, meta, url, &ep);
        if (err) {
            mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01506)
                    "introspection endpoint %s from authorization server "
                    "metadata: %s", md->introspection_endpoint, err);
            return MAI_STATUS_ENDPOINT_TLS;
        }
        apr_hash_set(doc->derived,
                     apr_pstrdup(doc->pool, md->introspection_endpoint),
                     APR_HASH_KEY_STRING, ep);
    }
    if (!doc->warned && q->client_auth
        && !mai_as_metadata_lists(md->auth_methods, q->client_auth)) {
        doc->warned = 1;
        mai_log(log, MAI_LOG_WARNING, MAI_LOGNO(01507)
                "authorization server %s does not list %s in "
                "introspection_endpoint_auth_methods_supported; "
                "AuthIntrospectClientAuth may need changing", q->issuer,
                q->client_auth);
    }
    mai_log(log, MAI_LOG_DEBUG, MAI_LOGNO(01508)
            "authorization server metadata of %s fetched: introspection "
            "endpoint %s", q->issuer, md->introspection_endpoint);
    doc->introspect = ep;
    doc->fetched_at = apr_time_now();
    return MAI_OK;
}

/* Fetch and resolve; a failure is kept for the requests that waited. */
static mai_status_t fetch_into(mai_discovery_t *d, doc_t *doc,
                               apr_pool_t *p, const mai_discovery_req_t *q,
                               const mai_log_sink_t *log,
                               apr_interval_time_t *retry_after,
                               int locked)
{
    mai_as_metadata_t md;
    mai_url_t url;
    mai_status_t s;

    s = fetch(d, p, q, log, &md, &url, retry_after);
    if (!locked) {
        apr_thread_mutex_lock(doc->lock);
    }
    if (s == MAI_OK) {
        s = resolve(d, doc, q, log, &md, &url);
    }
    doc->tried_at = apr_time_now();
    doc->failed = s;
    doc->failed_retry = *retry_after;
    if (!locked) {
        apr_thread_mutex_unlock(doc->lock);
    }
    return s;
}

mai_status_t mai_discovery_endpoint(mai_discovery_t *d, apr_pool_t *p,
                                    const mai_discovery_req_t *q,
                                    const mai_log_sink_t *log,
                                    mai_endpoint_t **out,
                                    apr_interval_time_t *retry_after)
{
    doc_t *doc = doc_of(d, q->metadata);
    apr_time_t start = apr_time_now();
    mai_status_t s = MAI_OK;
    int refresh = 0;

    *retry_after = 0;
    apr_thread_mutex_lock(doc->lock);
    if (doc->introspect) {
        /* the old document serves while one request refreshes it */
        refresh = !doc->refreshing
                  && start - doc->fetched_at >= q->refresh
                  && start - doc->tried_at >= RETRY_REFRESH;
        doc->refreshing |= refresh;
        *out = doc->introspect;
    }
    else if (doc->tried_at >= start) {
        /* a first fetch ended while this request waited: its outcome */
        s = doc->failed;
        *retry_after = doc->failed_retry;
    }
    else {
        s = fetch_into(d, doc, p, q, log, retry_after, 1);
        *out = doc->introspect;
    }
    apr_thread_mutex_unlock(doc->lock);
    if (refresh) {
        if (fetch_into(d, doc, p, q, log, retry_after, 0) != MAI_OK) {
            mai_log(log, MAI_LOG_WARNING, MAI_LOGNO(01509)
                    "authorization server metadata of %s: refresh failed; "
                    "the document fetched before stays in use", q->issuer);
        }
        apr_thread_mutex_lock(doc->lock);
        doc->refreshing = 0;
        *out = doc->introspect;
        apr_thread_mutex_unlock(doc->lock);
        *retry_after = 0;
    }
    return s;
}

void mai_discovery_expire(mai_discovery_t *d, const mai_endpoint_t *metadata)
{
    doc_t *doc = doc_of(d, metadata);

    apr_thread_mutex_lock(doc->lock);
    doc->fetched_at = 0;
    doc->tried_at = 0;
    apr_thread_mutex_unlock(doc->lock);
}
