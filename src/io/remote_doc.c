/* SPDX-License-Identifier: Apache-2.0 */
/* remote_doc.c: documents fetched per process (remote_doc.h). Each value
 * lives in a pool of its own with a count of its holders: the current
 * document is one holder, each request that took it another, so a
 * refresh replaces it without freeing what a request is still reading,
 * and the last holder frees it (no growth: at most the current document
 * and those requests still hold). */
#include <apr_atomic.h>
#include <apr_strings.h>
#include <apr_hash.h>
#include <apr_thread_mutex.h>
#include "remote_doc.h"
#include "http_client.h"

#ifndef MAI_VERSION
#define MAI_VERSION "0"
#endif

typedef struct doc doc_t;

/* One fetched value and its holders. */
typedef struct {
    apr_pool_t *pool;       /* unmanaged: its own allocator, so it is made
                             * and destroyed by any thread without a lock
                             * on a parent */
    const void *value;
    int refs;               /* under doc->lock */
    doc_t *doc;
} held_t;

/* One endpoint's document, in this process. */
struct doc {
    /* guards what follows, and is held through a first fetch: concurrent
     * first requests wait on it and share the outcome (one fetch); a
     * refresh or refetch runs outside it */
    apr_thread_mutex_t *lock;
    apr_thread_mutex_t *refetch;  /* one forced refetch at a time */
    held_t *cur;                  /* NULL until a fetch succeeded */
    apr_time_t fetched_at;        /* of cur */
    apr_time_t tried_at;          /* last fetch, successful or not */
    apr_time_t forced_at;         /* last refetch, 0: none yet */
    /* fetches ended: a request that saw another count before it got the
     * lock waited through a fetch (times cannot tell: a fetch may end
     * in the microsecond the next request starts) */
    volatile apr_uint32_t fetches;
    mai_status_t failed;          /* last fetch's outcome */
    apr_interval_time_t failed_retry;
    int refreshing;
};

struct mai_rdocs {
    apr_thread_mutex_t *lock;     /* guards docs */
    apr_pool_t *pool;
    apr_hash_t *docs;             /* endpoint -> doc_t */
};

/* The pool a held value dies with once nobody holds it; under doc->lock
 * (the caller destroys it after unlocking). */
static apr_pool_t *unhold(held_t *h)
{
    return --h->refs == 0 ? h->pool : NULL;
}

static apr_status_t release(void *data)
{
    held_t *h = data;
    apr_pool_t *gone;

    apr_thread_mutex_lock(h->doc->lock);
    gone = unhold(h);
    apr_thread_mutex_unlock(h->doc->lock);
    if (gone) {
        apr_pool_destroy(gone);
    }
    return APR_SUCCESS;
}

/* The process pool goes: the current documents go with it. */
static apr_status_t drop_all(void *data)
{
    mai_rdocs_t *d = data;
    apr_hash_index_t *i;

    for (i = apr_hash_first(NULL, d->docs); i; i = apr_hash_next(i)) {
        doc_t *doc = apr_hash_this_val(i);
        if (doc->cur && unhold(doc->cur)) {
            apr_pool_destroy(doc->cur->pool);
        }
        doc->cur = NULL;
    }
    return APR_SUCCESS;
}

mai_rdocs_t *mai_rdocs_create(apr_pool_t *p)
{
    mai_rdocs_t *d = apr_pcalloc(p, sizeof(*d));

    apr_thread_mutex_create(&d->lock, APR_THREAD_MUTEX_DEFAULT, p);
    d->pool = p;
    d->docs = apr_hash_make(p);
    apr_pool_cleanup_register(p, d, drop_all, apr_pool_cleanup_null);
    return d;
}

static doc_t *doc_of(mai_rdocs_t *d, const mai_endpoint_t *ep)
{
    doc_t *doc;

    apr_thread_mutex_lock(d->lock);
    doc = apr_hash_get(d->docs, &ep, sizeof(ep));
    if (!doc) {
        const mai_endpoint_t **key = apr_palloc(d->pool, sizeof(*key));
        *key = ep;
        doc = apr_pcalloc(d->pool, sizeof(*doc));
        apr_thread_mutex_create(&doc->lock, APR_THREAD_MUTEX_DEFAULT,
                                d->pool);
        apr_thread_mutex_create(&doc->refetch, APR_THREAD_MUTEX_DEFAULT,
                                d->pool);
        apr_hash_set(d->docs, key, sizeof(*key), doc);
    }
    apr_thread_mutex_unlock(d->lock);
    return doc;
}

/* GET the document and parse it into a new held value (refs 0). */
static mai_status_t fetch(doc_t *doc, const mai_rdoc_req_t *q,
                          const mai_log_sink_t *log, held_t **out,
                          apr_interval_time_t *retry_after)
{
    const char *headers[3];
    const mai_http_target_t *t = mai_endpoint_target(q->endpoint);
    mai_http_call_t call = { 0 };
    mai_http_reply_t reply = { 0 };
    apr_pool_t *vp, *scratch;
    const void *value = NULL;
    mai_status_t s;

    *out = NULL;
    headers[0] = q->accept;
    headers[1] = "User-Agent: mod_auth_introspect/" MAI_VERSION;
    headers[2] = NULL;
    call.method = "GET";
    call.headers = headers;
    call.timeout = q->timeout;
    call.connect_timeout = q->connect_timeout;
    call.deadline = apr_time_now() + q->timeout;
    s = mai_endpoint_enter(q->endpoint, call.deadline, retry_after);
    if (s != MAI_OK) {
        return s;
    }
    if (apr_pool_create_unmanaged_ex(&vp, NULL, NULL) != APR_SUCCESS) {
        mai_endpoint_leave(q->endpoint, 0, log);
        return MAI_STATUS_INTERNAL;
    }
    /* the answer's bytes die with the parse; only the value stays */
    apr_pool_create(&scratch, vp);
    s = mai_http_post(t, scratch, &call, log, &reply);
    if (s == MAI_OK && reply.status != 200) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01500)
                "%s %s%s: HTTP status %d", q->what, t->url.authority,
                t->url.path, reply.status);
        s = MAI_STATUS_ENDPOINT_HTTP;
    }
    else if (s != MAI_OK) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01501)
                "%s %s%s: %s", q->what, t->url.authority, t->url.path,
                mai_status_reason(s));
    }
    else {
        s = q->parse(q->baton, vp, reply.body, reply.body_len, log, &value);
    }
    /* a document that cannot be used is the server failing, as a bad
     * introspection answer is: it counts for the breaker */
    mai_endpoint_leave(q->endpoint, s != MAI_OK, log);
    apr_pool_destroy(scratch);
    if (s != MAI_OK) {
        apr_pool_destroy(vp);
        return s;
    }
    *out = apr_pcalloc(vp, sizeof(**out));
    (*out)->pool = vp;
    (*out)->value = value;
    (*out)->doc = doc;
    return MAI_OK;
}

/* Fetch and install; the outcome is kept for the requests that waited.
 * locked: the caller holds doc->lock. */
static mai_status_t fetch_into(doc_t *doc, const mai_rdoc_req_t *q,
                               const mai_log_sink_t *log,
                               apr_interval_time_t *retry_after, int locked)
{
    held_t *h;
    apr_pool_t *gone = NULL;
    mai_status_t s = fetch(doc, q, log, &h, retry_after);

    if (!locked) {
        apr_thread_mutex_lock(doc->lock);
    }
    if (s == MAI_OK) {
        if (doc->cur) {
            gone = unhold(doc->cur);
        }
        h->refs = 1;
        doc->cur = h;
        doc->fetched_at = apr_time_now();
    }
    doc->tried_at = apr_time_now();
    doc->failed = s;
    doc->failed_retry = *retry_after;
    apr_atomic_inc32(&doc->fetches);
    if (!locked) {
        apr_thread_mutex_unlock(doc->lock);
    }
    if (gone) {
        apr_pool_destroy(gone);
    }
    return s;
}

/* The current value for rp: one more holder until rp is cleared. Under
 * doc->lock. */
static const void *hold(doc_t *doc, apr_pool_t *rp)
{
    held_t *h = doc->cur;

    if (!h) {
        return NULL;
    }
    h->refs++;
    apr_pool_cleanup_register(rp, h, release, apr_pool_cleanup_null);
    return h->value;
}

mai_status_t mai_rdoc_get(mai_rdocs_t *d, apr_pool_t *rp,
                          const mai_rdoc_req_t *q, const mai_log_sink_t *log,
                          const void **value,
                          apr_interval_time_t *retry_after)
{
    doc_t *doc = doc_of(d, q->endpoint);
    apr_time_t start = apr_time_now();
    apr_uint32_t seen = apr_atomic_read32(&doc->fetches);
    mai_status_t s = MAI_OK;
    int refresh = 0;

    *retry_after = 0;
    *value = NULL;
    apr_thread_mutex_lock(doc->lock);
    if (doc->cur) {
        /* the old document serves while one request refreshes it */
        refresh = !doc->refreshing
                  && start - doc->fetched_at >= q->refresh
                  && start - doc->tried_at >= q->retry;
        doc->refreshing |= refresh;
        if (!refresh) {
            *value = hold(doc, rp);
        }
    }
    else if (apr_atomic_read32(&doc->fetches) != seen) {
        /* a first fetch ended while this request waited: its outcome */
        s = doc->failed;
        *retry_after = doc->failed_retry;
    }
    else {
        s = fetch_into(doc, q, log, retry_after, 1);
        *value = hold(doc, rp);
    }
    apr_thread_mutex_unlock(doc->lock);
    if (refresh) {
        if (fetch_into(doc, q, log, retry_after, 0) != MAI_OK) {
            const mai_http_target_t *t = mai_endpoint_target(q->endpoint);
            mai_log(log, MAI_LOG_WARNING, MAI_LOGNO(01509)
                    "%s %s%s: refresh failed; the document fetched before "
                    "stays in use", q->what, t->url.authority, t->url.path);
        }
        apr_thread_mutex_lock(doc->lock);
        doc->refreshing = 0;
        *value = hold(doc, rp);
        apr_thread_mutex_unlock(doc->lock);
        *retry_after = 0;
    }
    return s;
}

void mai_rdoc_expire(mai_rdocs_t *d, const mai_endpoint_t *ep)
{
    doc_t *doc = doc_of(d, ep);

    apr_thread_mutex_lock(doc->lock);
    doc->fetched_at = 0;
    doc->tried_at = 0;
    apr_thread_mutex_unlock(doc->lock);
}

mai_status_t mai_rdoc_refetch(mai_rdocs_t *d, apr_pool_t *rp,
                              const mai_rdoc_req_t *q,
                              apr_interval_time_t min_interval,
                              const mai_log_sink_t *log, const void **value,
                              apr_interval_time_t *retry_after)
{
    doc_t *doc = doc_of(d, q->endpoint);
    apr_time_t start = apr_time_now();
    mai_status_t s = MAI_OK;
    int go;

    *retry_after = 0;
    *value = NULL;
    /* those who queue here behind a refetch find it recent when their
     * turn comes, and take what it brought */
    apr_thread_mutex_lock(doc->refetch);
    apr_thread_mutex_lock(doc->lock);
    go = doc->cur != NULL
         && (doc->forced_at == 0 || start - doc->forced_at >= min_interval);
    if (go) {
        doc->forced_at = start;
    }
    apr_thread_mutex_unlock(doc->lock);
    if (go) {
        s = fetch_into(doc, q, log, retry_after, 0);
    }
    apr_thread_mutex_unlock(doc->refetch);
    if (s != MAI_OK) {
        return s;
    }
    if (!go) {
        /* nothing fetched yet (the first fetch is mai_rdoc_get's), or
         * refetched a moment ago */
        return mai_rdoc_get(d, rp, q, log, value, retry_after);
    }
    apr_thread_mutex_lock(doc->lock);
    *value = hold(doc, rp);
    apr_thread_mutex_unlock(doc->lock);
    return MAI_OK;
}
