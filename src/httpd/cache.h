/* SPDX-License-Identifier: Apache-2.0 */
/* cache.h: the shared cache (APR socache: shmcb, redis, memcache, ...)
 * holding sealed introspection answers. httpd-facing: socache providers,
 * their mutex and server_rec are httpd's. */
#ifndef MAI_CACHE_H
#define MAI_CACHE_H

#include <httpd.h>
#include "status.h"
#include "log.h"
#include "digest.h"

typedef struct mai_cache mai_cache_t;

/**
 * Look up the socache provider (at config time, from the directive or the
 * default). provider "none" gives *out = NULL and no error.
 * @return NULL, or an error naming the missing LoadModule.
 */
const char *mai_cache_create(apr_pool_t *p, const char *provider,
                             const char *args, mai_cache_t **out);

/**
 * The key the caches are keyed and sealed with (post_config): the
 * configured AuthIntrospectCacheSecret, else 32 random bytes made once by
 * the parent process and kept in s->process->pool, so that graceful
 * restarts keep reading what they wrote. *out from pconf.
 * @return NULL or an error.
 */
const char *mai_cache_secret_setup(apr_pool_t *pconf, server_rec *s,
                                   const char *configured,
                                   const mai_hmac_key_t **out);

/** Register the cache mutex type (pre_config). */
void mai_cache_register_mutex(apr_pool_t *pconf);

/** Initialize (post_config): creates the shared memory or connects. */
const char *mai_cache_init(mai_cache_t *c, apr_pool_t *pconf,
                           apr_pool_t *ptemp, server_rec *s);

/** Reattach the cross-process mutex in a new child (child_init). */
void mai_cache_child_init(mai_cache_t *c, apr_pool_t *pchild, server_rec *s);

/**
 * Fetch the value stored under key: MAI_OK with *data (from p) and *len
 * set, else MAI_STATUS_CACHE_MISS. Never fails the request: a provider
 * fault is logged (at most once per 10 s) and reported as a miss. The
 * value is the sealed entry as stored; whether it opens is for
 * mai_cache_entry_open (MAI_STATUS_CACHE_CORRUPT) to say.
 */
mai_status_t mai_cache_get(mai_cache_t *c, server_rec *s, apr_pool_t *p,
                           const unsigned char *key, unsigned char **data,
                           apr_size_t *len);

/** Store data under key until expiry (apr_time_t). Faults as for get.
 * @return 1 when stored, 0 when not (too large, or a fault). */
int mai_cache_put(mai_cache_t *c, server_rec *s, apr_pool_t *p,
                  const unsigned char *key, apr_time_t expiry,
                  const unsigned char *data, apr_size_t len);

/**
 * Remove the value stored under key (a purge). @return 1 when there was
 * one, 0 when there was none, -1 when the provider failed (logged as for
 * get).
 */
int mai_cache_remove(mai_cache_t *c, server_rec *s, apr_pool_t *p,
                     const unsigned char *key);

/**
 * Store a one-byte marker under key until expiry unless a value is there
 * already (the DPoP replay store). @return 1 stored, 0 already there, -1
 * the provider failed (logged as for get). Atomic across processes for
 * providers that need the cache mutex (shmcb), not for redis/memcache.
 */
int mai_cache_add(mai_cache_t *c, server_rec *s, apr_pool_t *p,
                  const unsigned char *key, apr_time_t expiry);

/** The largest value the cache takes (a shmcb split into parts: 32 KB,
 * cache.c); bigger answers are not stored. */
#define MAI_CACHE_MAX_VALUE (64 * 1024)

#endif
