/* SPDX-License-Identifier: Apache-2.0 */
/* conn_pool.h: idle keep-alive connections to one endpoint, per process. */
#ifndef MAI_CONN_POOL_H
#define MAI_CONN_POOL_H

#include <apr_pools.h>
#include <apr_network_io.h>
#include <apr_time.h>
#include <openssl/ssl.h>

/** One connection. Its own unmanaged pool holds it, so it can outlive the
 * request that opened it and be freed from any thread. */
typedef struct mai_conn {
    apr_pool_t *pool;
    apr_socket_t *sock;
    SSL *ssl;                /* NULL for http */
    apr_time_t idle_since;
    int requests;            /* calls served so far */
} mai_conn_t;

typedef struct mai_conn_pool mai_conn_pool_t;

/** A pool keeping at most max_idle connections, each at most idle_timeout
 * unused. Lives in p (a per-process pool); its cleanup closes them all. */
mai_conn_pool_t *mai_conn_pool_create(apr_pool_t *p, int max_idle,
                                      apr_interval_time_t idle_timeout);

/** A new, unconnected connection shell with its own pool. NULL on
 * allocation failure. */
mai_conn_t *mai_conn_new(void);

/** Close a connection and free everything it holds. */
void mai_conn_close(mai_conn_t *c);

/** An idle connection that still looks alive (not closed by the server,
 * not idle too long), or NULL. Thread-safe. */
mai_conn_t *mai_conn_pool_take(mai_conn_pool_t *cp, apr_time_t now);

/** Return a connection after a complete keep-alive exchange: kept if
 * there is room, closed otherwise. Thread-safe. */
void mai_conn_pool_give(mai_conn_pool_t *cp, mai_conn_t *c, apr_time_t now);

/** Idle connections held now (for tests and status). Thread-safe. */
int mai_conn_pool_count(mai_conn_pool_t *cp);

#endif
