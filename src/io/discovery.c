/* SPDX-License-Identifier: Apache-2.0 */
/* discovery.c: RFC 8414 metadata per process. Startup never waits on the
 * network: the document is fetched by the first request that needs it,
 * through the metadata URL's endpoint (its TLS context, connections and
 * breaker were set up at startup), and refreshed by a request when it is
 * older than AuthIntrospectMetadataRefresh (remote_doc.c does the fetching
 * and keeping, for the JWK set too). */
#include <apr_strings.h>
#include <apr_hash.h>
#include <apr_thread_mutex.h>
#include "discovery.h"
#include "as_metadata.h"
#include "remote_doc.h"

/* A refresh that failed is tried again after this, not on every request:
 * the old document serves meanwhile. */
#define RETRY_REFRESH apr_time_from_sec(60)

/* What one metadata document gives: endpoints, kept for as long as the
 * process (bounded: one per URL a document names). */
typedef struct {
    mai_endpoint_t *introspect;
    mai_endpoint_t *jwks;         /* NULL: jwks_uri absent or refused */
    const char *jwks_uri;         /* as named, NULL when absent */
} found_t;

/* Per metadata endpoint: the endpoints its documents named. */
typedef struct {
    apr_pool_t *pool;             /* derived endpoints; never cleared */
    apr_hash_t *derived;          /* URL text -> mai_endpoint_t */
    int warned;                   /* auth method warning given */
} meta_t;

struct mai_discovery {
    apr_thread_mutex_t *lock;     /* guards metas and what they hold */
    apr_pool_t *pool;
    apr_hash_t *metas;            /* metadata endpoint -> meta_t */
    mai_rdocs_t *docs;
    const mai_endpoints_t *reg;
    int allow_insecure;
};

/* parse's baton: this request's view. */
typedef struct {
    mai_discovery_t *d;
    const mai_discovery_req_t *q;
} parse_ctx_t;

mai_discovery_t *mai_discovery_create(apr_pool_t *p,
                                      const mai_endpoints_t *reg,
                                      int allow_insecure)
{
    mai_discovery_t *d = apr_pcalloc(p, sizeof(*d));

    apr_thread_mutex_create(&d->lock, APR_THREAD_MUTEX_DEFAULT, p);
    d->pool = p;
    d->metas = apr_hash_make(p);
    d->docs = mai_rdocs_create(p);
    d->reg = reg;
    d->allow_insecure = allow_insecure;
    return d;
}

/* Under d->lock. */
static meta_t *meta_of(mai_discovery_t *d, const mai_endpoint_t *ep)
{
    meta_t *m = apr_hash_get(d->metas, &ep, sizeof(ep));

    if (!m) {
        const mai_endpoint_t **key = apr_palloc(d->pool, sizeof(*key));
        *key = ep;
        m = apr_pcalloc(d->pool, sizeof(*m));
        apr_pool_create(&m->pool, d->pool);
        m->derived = apr_hash_make(m->pool);
        apr_hash_set(d->metas, key, sizeof(*key), m);
    }
    return m;
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

/* The endpoint for a URL the document names: one set up at startup for
 * the same URL, TLS settings and proxy, else one made here once. */
static const char *resolve(mai_discovery_t *d, const mai_endpoint_t *meta,
                           const char *text, const mai_url_t *url,
                           mai_endpoint_t **out)
{
    const char *err = NULL;
    meta_t *m;

    *out = mai_endpoints_find(d->reg, text, mai_endpoint_ca_file(meta),
                              mai_endpoint_verify(meta),
                              mai_endpoint_target(meta)->proxy);
    if (*out) {
        return NULL;
    }
    apr_thread_mutex_lock(d->lock);
    m = meta_of(d, meta);
    *out = apr_hash_get(m->derived, text, APR_HASH_KEY_STRING);
    if (!*out) {
        err = mai_endpoints_derive(d->reg, m->pool, meta, url, out);
        if (!err) {
            apr_hash_set(m->derived, apr_pstrdup(m->pool, text),
                         APR_HASH_KEY_STRING, *out);
        }
    }
    apr_thread_mutex_unlock(d->lock);
    return err;
}

/* Once per metadata endpoint and process. */
static int first_warning(mai_discovery_t *d, const mai_endpoint_t *meta)
{
    meta_t *m;
    int first;

    apr_thread_mutex_lock(d->lock);
    m = meta_of(d, meta);
    first = !m->warned;
    m->warned = 1;
    apr_thread_mutex_unlock(d->lock);
    return first;
}

/* jwks_uri, under the endpoint rules; a refusal is logged and leaves
 * only the JWK set unusable (introspection goes on). */
static void take_jwks(mai_discovery_t *d, apr_pool_t *vp,
                      const mai_discovery_req_t *q,
                      const mai_log_sink_t *log, const char *where,
                      const mai_as_metadata_t *md, found_t *f)
{
    mai_url_t *url = apr_pcalloc(vp, sizeof(*url));
    const char *err;

    if (!md->jwks_uri) {
        return;
    }
    f->jwks_uri = md->jwks_uri;
    if ((err = mai_url_parse(vp, md->jwks_uri, url))
        || (err = insecure(d, url, q->metadata))
        || (err = resolve(d, q->metadata, md->jwks_uri, url, &f->jwks))) {
        f->jwks = NULL;
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01602)
                "authorization server metadata %s: jwks_uri %s refused: %s",
                where, md->jwks_uri, err);
    }
}

/* Vet the document: the issuer RFC 8414 section 3.3 binds, an
 * introspection endpoint under the endpoint rules; then the endpoints it
 * names. */
static mai_status_t parse(void *baton, apr_pool_t *vp, const char *body,
                          apr_size_t len, const mai_log_sink_t *log,
                          const void **value)
{
    parse_ctx_t *ctx = baton;
    mai_discovery_t *d = ctx->d;
    const mai_discovery_req_t *q = ctx->q;
    const mai_http_target_t *t = mai_endpoint_target(q->metadata);
    const char *where = apr_pstrcat(vp, t->url.authority, t->url.path,
                                    NULL);
    mai_as_metadata_t md;
    mai_url_t url;
    found_t *f = apr_pcalloc(vp, sizeof(*f));
    const char *err;
    mai_status_t s;

    if ((s = mai_as_metadata_parse(vp, body, len, &md)) != MAI_OK) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01502)
                "authorization server metadata %s: not a metadata "
                "document (%s)", where, mai_status_reason(s));
        return s;
    }
    if (strcmp(md.issuer, q->issuer)) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01503)
                "authorization server metadata %s names issuer \"%s\", "
                "not \"%s\" (RFC 8414 section 3.3): refused", where,
                md.issuer, q->issuer);
        return MAI_STATUS_ENDPOINT_BAD_JSON;
    }
    if (!md.introspection_endpoint) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01504)
                "authorization server metadata %s names no "
                "introspection_endpoint", where);
        return MAI_STATUS_ENDPOINT_BAD_JSON;
    }
    if ((err = mai_url_parse(vp, md.introspection_endpoint, &url))
        || (err = insecure(d, &url, q->metadata))) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01505)
                "authorization server metadata %s: introspection_endpoint "
                "%s refused: %s", where, md.introspection_endpoint, err);
        return MAI_STATUS_ENDPOINT_BAD_JSON;
    }
    err = resolve(d, q->metadata, md.introspection_endpoint, &url,
                  &f->introspect);
    if (err) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01506)
                "introspection endpoint %s from authorization server "
                "metadata: %s", md.introspection_endpoint, err);
        return MAI_STATUS_ENDPOINT_TLS;
    }
    take_jwks(d, vp, q, log, where, &md, f);
    if (q->client_auth
        && !mai_as_metadata_lists(md.auth_methods, q->client_auth)
        && first_warning(d, q->metadata)) {
        mai_log(log, MAI_LOG_WARNING, MAI_LOGNO(01507)
                "authorization server %s does not list %s in "
                "introspection_endpoint_auth_methods_supported; "
                "AuthIntrospectClientAuth may need changing", q->issuer,
                q->client_auth);
    }
    mai_log(log, MAI_LOG_DEBUG, MAI_LOGNO(01508)
            "authorization server metadata of %s fetched: introspection "
            "endpoint %s", q->issuer, md.introspection_endpoint);
    *value = f;
    return MAI_OK;
}

/* This request's document. */
static mai_status_t found(mai_discovery_t *d, apr_pool_t *p,
                          const mai_discovery_req_t *q,
                          const mai_log_sink_t *log, const found_t **f,
                          apr_interval_time_t *retry_after)
{
    parse_ctx_t ctx;
    mai_rdoc_req_t rq;
    const void *v;
    mai_status_t s;

    ctx.d = d;
    ctx.q = q;
    rq.endpoint = q->metadata;
    rq.what = "authorization server metadata";
    rq.accept = "Accept: application/json";
    rq.parse = parse;
    rq.baton = &ctx;
    rq.refresh = q->refresh;
    rq.retry = RETRY_REFRESH;
    rq.timeout = q->timeout;
    rq.connect_timeout = q->connect_timeout;
    s = mai_rdoc_get(d->docs, p, &rq, log, &v, retry_after);
    *f = v;
    return s;
}

mai_status_t mai_discovery_endpoint(mai_discovery_t *d, apr_pool_t *p,
                                    const mai_discovery_req_t *q,
                                    const mai_log_sink_t *log,
                                    mai_endpoint_t **out,
                                    apr_interval_time_t *retry_after)
{
    const found_t *f;
    mai_status_t s = found(d, p, q, log, &f, retry_after);

    *out = s == MAI_OK ? f->introspect : NULL;
    return s;
}

mai_status_t mai_discovery_jwks(mai_discovery_t *d, apr_pool_t *p,
                                const mai_discovery_req_t *q,
                                const mai_log_sink_t *log,
                                mai_endpoint_t **out,
                                apr_interval_time_t *retry_after)
{
    const found_t *f;
    mai_status_t s = found(d, p, q, log, &f, retry_after);

    *out = NULL;
    if (s != MAI_OK) {
        return s;
    }
    if (!f->jwks) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01603)
                "authorization server metadata of %s: %s; the JWK set "
                "cannot be fetched (set AuthIntrospectJWKS)", q->issuer,
                f->jwks_uri ? "its jwks_uri was refused when the document was read"
                            : "no jwks_uri");
        return MAI_STATUS_ENDPOINT_BAD_JSON;
    }
    *out = f->jwks;
    return MAI_OK;
}

void mai_discovery_expire(mai_discovery_t *d, const mai_endpoint_t *metadata)
{
    mai_rdoc_expire(d->docs, metadata);
}
