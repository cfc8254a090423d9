/* SPDX-License-Identifier: Apache-2.0 */
/* evict_watch.h: notices when the shared cache drops answers before they
 * expire (it is too small for the tokens in use). socache has no eviction
 * callback, so each process remembers, in a fixed table, when the answers
 * it stored expire; a lookup that misses one of them before then is an
 * eviction. A sample, not a count: a later store may take a slot. */
#ifndef MAI_EVICT_WATCH_H
#define MAI_EVICT_WATCH_H

#include <apr_pools.h>
#include <apr_time.h>
#include "digest.h"

typedef struct mai_evict_watch mai_evict_watch_t;

/** The table, in p (pchild); thread-safe. */
mai_evict_watch_t *mai_evict_watch_create(apr_pool_t *p);

/** This process stored key, to expire at expiry. */
void mai_evict_watch_stored(mai_evict_watch_t *w, const unsigned char *key,
                            apr_time_t expiry);

/** A lookup of key missed at now: 1 when this process stored it and it
 * had more than a second left (it was evicted), else 0. */
int mai_evict_watch_missed(mai_evict_watch_t *w, const unsigned char *key,
                           apr_time_t now);

/** The entry under key is gone on purpose (a purge): its miss is no
 * eviction. */
void mai_evict_watch_forget(mai_evict_watch_t *w, const unsigned char *key);

/** Count an eviction seen at now; 1 when it is the min-th within the
 * current interval and nothing was logged for an interval (at most once
 * per interval per process, whichever thread gets there first): whether
 * to log now. A few purged entries (which another process cannot tell
 * from evicted ones) stay under min; a cache too small for its tokens
 * does not. */
int mai_evict_watch_log_due(mai_evict_watch_t *w, apr_time_t now,
                            apr_interval_time_t interval, int min);

#endif
