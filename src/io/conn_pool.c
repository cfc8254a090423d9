/* SPDX-License-Identifier: Apache-2.0 */
/* conn_pool.c: a LIFO of idle connections under one mutex. LIFO keeps the
 * warmest connection in use and lets the coldest age out. The mutex is
 * held only to push or pop a pointer, never during IO. */
#include <apr_thread_mutex.h>
#include <apr_poll.h>
#include "conn_pool.h"

struct mai_conn_pool {
    apr_thread_mutex_t *lock;
    mai_conn_t **idle;
    int nidle, max_idle;
    apr_interval_time_t idle_timeout;
};

static apr_status_t ssl_free(void *data)
{
    SSL_free(data);
    return APR_SUCCESS;
}

mai_conn_t *mai_conn_new(void)
{
    apr_pool_t *p;
    mai_conn_t *c;

    if (apr_pool_create_unmanaged_ex(&p, NULL, NULL) != APR_SUCCESS) {
        return NULL;
    }
    c = apr_pcalloc(p, sizeof(*c));
    c->pool = p;
    return c;
}

void mai_conn_close(mai_conn_t *c)
{
    if (!c) {
        return;
    }
    if (c->ssl) {
        /* a quiet shutdown: the peer may be gone, and we never wait */
        SSL_set_quiet_shutdown(c->ssl, 1);
        SSL_shutdown(c->ssl);
        ssl_free(c->ssl);
        c->ssl = NULL;
    }
    /* destroying the pool closes the socket */
    apr_pool_destroy(c->pool);
}

static apr_status_t close_all(void *data)
{
    mai_conn_pool_t *cp = data;
    while (cp->nidle > 0) {
        mai_conn_close(cp->idle[--cp->nidle]);
    }
    return APR_SUCCESS;
}

mai_conn_pool_t *mai_conn_pool_create(apr_pool_t *p, int max_idle,
                                      apr_interval_time_t idle_timeout)
{
    mai_conn_pool_t *cp = apr_pcalloc(p, sizeof(*cp));
    apr_thread_mutex_create(&cp->lock, APR_THREAD_MUTEX_DEFAULT, p);
    cp->max_idle = max_idle;
    cp->idle = apr_pcalloc(p, sizeof(mai_conn_t *) * (max_idle + 1));
    cp->idle_timeout = idle_timeout;
    apr_pool_cleanup_register(p, cp, close_all, apr_pool_cleanup_null);
    return cp;
}

/* A healthy idle connection has nothing to read: readability means the
 * server closed it (EOF) or sent something we did not ask for. */
static int looks_alive(mai_conn_t *c)
{
    apr_pollfd_t pfd = { 0 };
    apr_int32_t n = 0;

    pfd.p = c->pool;
    pfd.desc_type = APR_POLL_SOCKET;
    pfd.reqevents = APR_POLLIN;
    pfd.desc.s = c->sock;
    return apr_poll(&pfd, 1, &n, 0) == APR_TIMEUP || n == 0;
}

mai_conn_t *mai_conn_pool_take(mai_conn_pool_t *cp, apr_time_t now)
{
    mai_conn_t *c;

    for (;;) {
        apr_thread_mutex_lock(cp->lock);
        c = cp->nidle > 0 ? cp->idle[--cp->nidle] : NULL;
        apr_thread_mutex_unlock(cp->lock);
        if (!c) {
            return NULL;
        }
        if (now - c->idle_since < cp->idle_timeout && looks_alive(c)) {
            return c;
        }
        mai_conn_close(c);
    }
}

/* The oldest idle connections sit at the bottom of the stack: close the
 * ones idle too long, so they do not linger until the next miss. */
static int sweep_expired(mai_conn_pool_t *cp, apr_time_t now,
                         mai_conn_t **out, int max)
{
    int n = 0, i;

    while (n < cp->nidle && n < max
           && now - cp->idle[n]->idle_since >= cp->idle_timeout) {
        out[n] = cp->idle[n];
        n++;
    }
    for (i = n; i < cp->nidle; i++) {
        cp->idle[i - n] = cp->idle[i];
    }
    cp->nidle -= n;
    return n;
}

void mai_conn_pool_give(mai_conn_pool_t *cp, mai_conn_t *c, apr_time_t now)
{
    mai_conn_t *expired[8];
    int n, i;

    c->idle_since = now;
    apr_thread_mutex_lock(cp->lock);
    n = sweep_expired(cp, now, expired, 8);
    if (cp->nidle < cp->max_idle) {
        cp->idle[cp->nidle++] = c;
        c = NULL;
    }
    apr_thread_mutex_unlock(cp->lock);
    /* closing (a TLS shutdown, a socket close) happens outside the lock */
    for (i = 0; i < n; i++) {
        mai_conn_close(expired[i]);
    }
    mai_conn_close(c);
}

int mai_conn_pool_count(mai_conn_pool_t *cp)
{
    int n;
    apr_thread_mutex_lock(cp->lock);
    n = cp->nidle;
    apr_thread_mutex_unlock(cp->lock);
    return n;
}
