/* SPDX-License-Identifier: Apache-2.0 */
/* endpoint.c: per-endpoint state, set up once at startup: the registry,
 * each endpoint's TLS context and idle connections (handed to the
 * transport as its target), its call slots and its circuit breaker. */
#include <apr_strings.h>
#include <apr_hash.h>
#include <apr_thread_mutex.h>
#include <apr_thread_cond.h>
#include "endpoint.h"
#include "form.h"
#include "conn_pool.h"
#include "tls.h"
#include "breaker.h"
#include "metrics.h"

struct mai_endpoint {
    mai_http_target_t target;     /* URL, TLS context, idle connections */
    const char *ca_file;          /* NULL: the system store */
    int verify;
    mai_client_cert_t cert;       /* AuthIntrospectClientCert: part of
                                   * the endpoint's identity, like the
                                   * CA file (NULLs: none) */
    mai_endpoint_t *next;         /* same URL, other TLS settings or
                                   * proxy */
    apr_thread_mutex_t *lock;     /* guards inflight and breaker */
    apr_thread_cond_t *slot_free;
    int inflight, max_inflight;
    mai_breaker_t breaker;
    int metrics_id;               /* metrics.c's; -1 until it names it */
    const apr_hash_t *basic;      /* the registry's Basic headers */
};

/* Filled at startup, read-only afterwards: lookups need no lock. */
struct mai_endpoints {
    apr_pool_t *pool;
    apr_hash_t *by_url;           /* URL text -> mai_endpoint_t list */
    apr_hash_t *tls;              /* "verify\nCA file\ncert\nkey" ->
                                   * mai_tls_ctx_t */
    mai_endpoint_limits_t limits;
    apr_hash_t *basic;            /* credentials_t -> "Authorization:
                                   * Basic ..." line, made at startup */
};

/* The configuration's own strings, by address: a request's merged
 * settings hold the very pointers its sections do. */
typedef struct {
    const char *id;
    const char *secret;
} credentials_t;

void mai_endpoint_limits_from_conf(const mai_server_conf_t *sc,
                                   mai_endpoint_limits_t *out)
{
    out->max_idle = mai_conf_pool_size(sc);
    out->idle_timeout = apr_time_from_sec(mai_conf_pool_idle_seconds(sc));
    out->max_inflight = mai_conf_max_inflight(sc);
    out->breaker_failures = mai_conf_breaker_failures(sc);
    out->breaker_open = apr_time_from_sec(mai_conf_breaker_seconds(sc));
}

mai_endpoints_t *mai_endpoints_create(apr_pool_t *p,
                                      const mai_endpoint_limits_t *limits)
{
    mai_endpoints_t *reg = apr_pcalloc(p, sizeof(*reg));
    reg->pool = p;
    reg->by_url = apr_hash_make(p);
    reg->tls = apr_hash_make(p);
    reg->limits = *limits;
    reg->basic = apr_hash_make(p);
    return reg;
}

/* Without verification the CA file plays no part. */
static const char *ca_key(const char *ca_file, int verify)
{
    return verify && ca_file ? ca_file : "";
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static const char *tls_key(apr_pool_t *p, const char *ca_file, int verify,
                           const mai_client_cert_t *cert)
{
    return apr_psprintf(p, "%d\n%s\n%s\n%s", verify ? 1 : 0,
                        ca_key(ca_file, verify),
                        cert && cert->cert_file ? cert->cert_file : "",
                        cert && cert->cert_file ? cert->key_file : "");
}

/* A new context for these settings in p: the CA file, and the client
 * certificate and key when there is one (read now: at startup, as root). */
static const char *tls_new(apr_pool_t *p, const char *ca_file, int verify,
                           const mai_client_cert_t *cert,
                           mai_tls_ctx_t **out)
{
    const char *err = mai_tls_ctx_create(p, verify ? ca_file : NULL, verify,
                                         out);

    if (!err && cert && cert->cert_file) {
        err = mai_tls_ctx_use_cert(p, *out, cert->cert_file,
                                   cert->key_file);
    }
    return err;
}

/* One SSL_CTX (one read of the CA file) per TLS setting and client
 * certificate, shared by the endpoints that use it, each with its own
 * session slot. Another certificate is another context: a session is
 * resumed only by the identity that made it (RFC 8705 section 2). */
static const char *tls_for(mai_endpoints_t *reg, apr_pool_t *p,
                           const char *ca_file, int verify,
                           const mai_client_cert_t *cert,
                           mai_tls_ctx_t **out)
{
    const char *key = tls_key(p, ca_file, verify, cert);
    mai_tls_ctx_t *base = apr_hash_get(reg->tls, key, APR_HASH_KEY_STRING);
    const char *err;

    if (!base) {
        err = tls_new(reg->pool, ca_file, verify, cert, &base);
        if (err) {
            return apr_pstrdup(p, err);
        }
        apr_hash_set(reg->tls, apr_pstrdup(reg->pool, key),
                     APR_HASH_KEY_STRING, base);
    }
    *out = mai_tls_ctx_share(reg->pool, base);
    return NULL;
}

/* A copy that lives as long as the registry. */
static const mai_proxy_t *proxy_copy(apr_pool_t *p, const mai_proxy_t *px)
{
    mai_proxy_t *c;
    mai_url_t *u;

    if (!px) {
        return NULL;
    }
    c = apr_pcalloc(p, sizeof(*c));
    u = apr_pmemdup(p, px->url, sizeof(*u));
    u->host = apr_pstrdup(p, u->host);
    u->path = apr_pstrdup(p, u->path);
    u->authority = apr_pstrdup(p, u->authority);
    c->url = u;
    c->auth = px->auth ? apr_pstrdup(p, px->auth) : NULL;
    return c;
}

const char *mai_endpoints_add(mai_endpoints_t *reg, apr_pool_t *p,
                              const char *url_text, const mai_url_t *url,
                              const char *ca_file, int verify,
                              const mai_proxy_t *proxy)
{
    return mai_endpoints_add_cert(reg, p, url_text, url, ca_file, verify,
                                  proxy, NULL);
}

const char *mai_endpoints_add_cert(mai_endpoints_t *reg, apr_pool_t *p,
                                   const char *url_text,
                                   const mai_url_t *url,
                                   const char *ca_file, int verify,
                                   const mai_proxy_t *proxy,
                                   const mai_client_cert_t *cert)
{
    const mai_endpoint_limits_t *lim = &reg->limits;
    mai_endpoint_t *ep, *first;
    const char *err;

    if (cert && !cert->cert_file) {
        cert = NULL;
    }
    if (mai_endpoints_find_cert(reg, url_text, ca_file, verify, proxy,
                                cert)) {
        return NULL;
    }
    ep = apr_pcalloc(reg->pool, sizeof(*ep));
    if (url->tls) {
        err = tls_for(reg, p, ca_file, verify, cert, &ep->target.tls);
        if (err) {
            return err;
        }
    }
    apr_thread_mutex_create(&ep->lock, APR_THREAD_MUTEX_DEFAULT, reg->pool);
    apr_thread_cond_create(&ep->slot_free, reg->pool);
    ep->max_inflight = lim->max_inflight;
    ep->metrics_id = -1;
    ep->basic = reg->basic;
    mai_breaker_init(&ep->breaker, lim->breaker_failures, lim->breaker_open);
    ep->target.url = *url;
    ep->target.url.host = apr_pstrdup(reg->pool, url->host);
    ep->target.url.path = apr_pstrdup(reg->pool, url->path);
    ep->target.url.authority = apr_pstrdup(reg->pool, url->authority);
    ep->ca_file = ca_file ? apr_pstrdup(reg->pool, ca_file) : NULL;
    ep->verify = verify ? 1 : 0;
    if (cert && url->tls) {
        ep->cert.cert_file = apr_pstrdup(reg->pool, cert->cert_file);
        ep->cert.key_file = apr_pstrdup(reg->pool, cert->key_file);
    }
    ep->target.proxy = proxy_copy(reg->pool, proxy);
    ep->target.conns = mai_conn_pool_create(reg->pool, lim->max_idle,
                                            lim->idle_timeout);
    first = apr_hash_get(reg->by_url, url_text, APR_HASH_KEY_STRING);
    ep->next = first;
    apr_hash_set(reg->by_url, apr_pstrdup(reg->pool, url_text),
                 APR_HASH_KEY_STRING, ep);
    return NULL;
}

mai_endpoint_t *mai_endpoints_find(const mai_endpoints_t *reg,
                                   const char *url_text, const char *ca_file,
                                   int verify, const mai_proxy_t *proxy)
{
    return mai_endpoints_find_cert(reg, url_text, ca_file, verify, proxy,
                                   NULL);
}

mai_endpoint_t *mai_endpoints_find_cert(const mai_endpoints_t *reg,
                                        const char *url_text,
                                        const char *ca_file, int verify,
                                        const mai_proxy_t *proxy,
                                        const mai_client_cert_t *cert)
{
    mai_endpoint_t *ep = url_text ? apr_hash_get(reg->by_url, url_text,
                                                 APR_HASH_KEY_STRING)
                                  : NULL;
    const char *want = ca_key(ca_file, verify);
    const char *cert_file = cert ? cert->cert_file : NULL;
    const char *key_file = cert_file ? cert->key_file : NULL;

    for (; ep; ep = ep->next) {
        /* never a connection (or breaker) shared across proxies */
        if (!mai_proxy_same(ep->target.proxy, proxy)) {
            continue;
        }
        /* plain http: TLS settings play no part, one endpoint serves */
        if (!ep->target.tls || (ep->verify == (verify ? 1 : 0)
            && !strcmp(ca_key(ep->ca_file, ep->verify), want)
            && same_str(ep->cert.cert_file, cert_file)
            && same_str(ep->cert.key_file, key_file))) {
            return ep;
        }
    }
    return NULL;
}

mai_status_t mai_endpoint_enter(mai_endpoint_t *ep, apr_time_t deadline,
                                apr_interval_time_t *retry_after)
{
    mai_status_t st = MAI_OK;
    /* a slot taken with under a tenth of the call's time left cannot
     * finish a call: it would only add load to a server at the cap */
    apr_interval_time_t min_left = (deadline - apr_time_now()) / 10;
    int waited = 0;

    apr_thread_mutex_lock(ep->lock);
    if (!mai_breaker_allow(&ep->breaker, apr_time_now(), retry_after)) {
        st = MAI_STATUS_BREAKER_OPEN;
    }
    /* a flood of unknown tokens must not become a flood on the server */
    while (st == MAI_OK && ep->max_inflight > 0
           && ep->inflight >= ep->max_inflight) {
        apr_interval_time_t left = deadline - apr_time_now();
        if (left <= min_left) {
            st = MAI_STATUS_OVERLOADED;
            break;
        }
        waited = 1;
        apr_thread_cond_timedwait(ep->slot_free, ep->lock, left - min_left);
    }
    if (st == MAI_OK && waited && deadline - apr_time_now() <= min_left) {
        st = MAI_STATUS_OVERLOADED;
    }
    mai_metrics_admission(ep->metrics_id, waited, st);
    if (st == MAI_OK) {
        ep->inflight++;
    }
    else if (st == MAI_STATUS_OVERLOADED) {
        mai_breaker_probe_not_sent(&ep->breaker);
    }
    apr_thread_mutex_unlock(ep->lock);
    return st;
}

void mai_endpoint_leave(mai_endpoint_t *ep, int failed,
                        const mai_log_sink_t *log)
{
    int changed;
    mai_breaker_state_t now_state;

    apr_thread_mutex_lock(ep->lock);
    ep->inflight--;
    apr_thread_cond_signal(ep->slot_free);
    changed = mai_breaker_record(&ep->breaker, !failed, apr_time_now());
    now_state = ep->breaker.state;
    apr_thread_mutex_unlock(ep->lock);
    if (changed && now_state == MAI_BREAKER_OPEN) {
        mai_metrics_breaker_opened(ep->metrics_id, ep->breaker.open_for);
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(00706)
                "circuit breaker for %s opened: %d failures in a row; "
                "uncached tokens get 503 for %" APR_TIME_T_FMT " s, then "
                "one probe call decides", ep->target.url.authority,
                ep->breaker.threshold, apr_time_sec(ep->breaker.open_for));
    }
    else if (changed && now_state == MAI_BREAKER_CLOSED) {
        mai_log(log, MAI_LOG_NOTICE, MAI_LOGNO(00707)
                "circuit breaker for %s closed: the endpoint answers again",
                ep->target.url.authority);
    }
}

const mai_http_target_t *mai_endpoint_target(const mai_endpoint_t *ep)
{
    return &ep->target;
}

void mai_endpoints_each(mai_endpoints_t *reg,
                       void (*fn)(void *baton, mai_endpoint_t *ep),
                       void *baton)
{
    apr_hash_index_t *i;
    mai_endpoint_t *ep;

    for (i = apr_hash_first(NULL, reg->by_url); i; i = apr_hash_next(i)) {
        for (ep = apr_hash_this_val(i); ep; ep = ep->next) {
            fn(baton, ep);
        }
    }
}

void mai_endpoint_set_metrics_id(mai_endpoint_t *ep, int id)
{
    ep->metrics_id = id;
}

int mai_endpoint_metrics_id(const mai_endpoint_t *ep)
{
    return ep->metrics_id;
}

/* Like mai_endpoints_add, for one process: the registry's TLS contexts
 * are only read (apr_hash reads are safe while nothing writes). */
const char *mai_endpoints_derive(const mai_endpoints_t *reg, apr_pool_t *p,
                                 const mai_endpoint_t *base,
                                 const mai_url_t *url, mai_endpoint_t **out)
{
    const mai_endpoint_limits_t *lim = &reg->limits;
    mai_endpoint_t *ep = apr_pcalloc(p, sizeof(*ep));
    mai_tls_ctx_t *tls;
    const char *err;

    if (url->tls) {
        tls = apr_hash_get(reg->tls, tls_key(p, base->ca_file, base->verify,
                                             &base->cert),
                           APR_HASH_KEY_STRING);
        if (tls) {
            ep->target.tls = mai_tls_ctx_share(p, tls);
        }
        else {
            /* base is plain http: its certificate is read here, in the
             * child (endpoint_setup.c refuses a client certificate for a
             * plain http URL, so only a metadata URL gets here with one) */
            err = tls_new(p, base->ca_file, base->verify, &base->cert,
                          &ep->target.tls);
            if (err) {
                return apr_pstrdup(p, err);
            }
        }
    }
    apr_thread_mutex_create(&ep->lock, APR_THREAD_MUTEX_DEFAULT, p);
    apr_thread_cond_create(&ep->slot_free, p);
    ep->max_inflight = lim->max_inflight;
    ep->metrics_id = -1;
    ep->basic = reg->basic;
    mai_breaker_init(&ep->breaker, lim->breaker_failures, lim->breaker_open);
    ep->target.url = *url;
    ep->target.url.host = apr_pstrdup(p, url->host);
    ep->target.url.path = apr_pstrdup(p, url->path);
    ep->target.url.authority = apr_pstrdup(p, url->authority);
    ep->ca_file = base->ca_file;
    ep->verify = base->verify;
    ep->cert = base->cert;
    ep->target.proxy = base->target.proxy;
    ep->target.conns = mai_conn_pool_create(p, lim->max_idle,
                                            lim->idle_timeout);
    *out = ep;
    return NULL;
}

const char *mai_endpoint_ca_file(const mai_endpoint_t *ep)
{
    return ep->ca_file;
}

int mai_endpoint_verify(const mai_endpoint_t *ep)
{
    return ep->verify;
}

const mai_client_cert_t *mai_endpoint_client_cert(const mai_endpoint_t *ep)
{
    return &ep->cert;
}

void mai_endpoints_add_basic(mai_endpoints_t *reg, const char *id,
                             const char *secret)
{
    credentials_t *k = apr_pcalloc(reg->pool, sizeof(*k));

    k->id = id;
    k->secret = secret;
    if (!apr_hash_get(reg->basic, k, sizeof(*k))) {
        apr_hash_set(reg->basic, k, sizeof(*k),
                     mai_form_basic_auth(reg->pool, "Authorization: ", id,
                                         secret ? secret : ""));
    }
}

const char *mai_endpoint_basic_header(const mai_endpoint_t *ep,
                                      const char *id, const char *secret)
{
    credentials_t k;

    memset(&k, 0, sizeof(k));
    k.id = id;
    k.secret = secret;
    return ep->basic ? apr_hash_get((apr_hash_t *)ep->basic, &k, sizeof(k))
                     : NULL;
}
