/* SPDX-License-Identifier: Apache-2.0 */
/* metrics.h: the module's counters, in one anonymous shared memory
 * segment that every child process adds to. Each process adds to a slot
 * of its own (chosen by its pid), so a cache hit costs a relaxed atomic
 * add on a line no other process writes; a reading sums the slots. The
 * layout and the text forms are src/pure/metrics_format.c's. */
#ifndef MAI_METRICS_H
#define MAI_METRICS_H

#include <apr_pools.h>
#include <apr_time.h>
#include "status.h"
#include "metrics_format.h"

struct mai_endpoints;

/* This process's slot; NULL until mai_metrics_child_init (the parent
 * counts nothing). Read by the inline counters below. */
extern apr_uint64_t *mai_metrics_here;

/**
 * At startup, in the parent (post_config): the segment, made on the
 * first call and kept in `keep` (the process pool) afterwards, so the
 * counts survive graceful and plain restarts; and an id for each
 * endpoint of `eps`, by its label (URL without query). An endpoint keeps
 * its id across restarts. When a restart names more endpoints than the
 * segment has room for, a larger one takes over with the counts so far
 * (what old processes still add to the old one after that is lost).
 * `nslots`: slots to spread the processes over (1 or more).
 * @return NULL or an error message (from keep).
 */
const char *mai_metrics_setup(apr_pool_t *keep, int nslots,
                              struct mai_endpoints *eps);

/** In each child (child_init): take this process's slot. */
void mai_metrics_child_init(void);

/** The figures summed over every slot, read now (allocated from p). */
void mai_metrics_read(apr_pool_t *p, apr_time_t now,
                      mai_metrics_view_t *out);

/** Add n to counter i (MAI_MG_*) of this process. */
static APR_INLINE void mai_metrics_add(int i, apr_uint64_t n)
{
    apr_uint64_t *c = mai_metrics_here;

    if (c) {
        __atomic_fetch_add(c + i, n, __ATOMIC_RELAXED);
    }
}

/** One Bearer check ended with s. */
static APR_INLINE void mai_metrics_request(mai_status_t s)
{
    mai_metrics_add(MAI_MG_REQUESTS + (int)s, 1);
}

/** One more of MAI_MG_L1_HITS, MAI_MG_MISSES, ... */
static APR_INLINE void mai_metrics_count(int what)
{
    mai_metrics_add(what, 1);
}

/** A call to endpoint ep (mai_endpoint_metrics_id) ended with s after
 * `elapsed`; elapsed < 0: no call went out (nothing counted). */
void mai_metrics_call(int ep, mai_status_t s, apr_interval_time_t elapsed);

/** Endpoint ep's admission: whether the caller waited for a call slot,
 * and its outcome (MAI_STATUS_OVERLOADED counts a 503 for the cap). */
void mai_metrics_admission(int ep, int waited, mai_status_t s);

/** Endpoint ep's breaker opened in this process for open_for. */
void mai_metrics_breaker_opened(int ep, apr_interval_time_t open_for);

/** A purge request removed n cache entries (mai_purges_total and
 * mai_purged_entries_total). */
void mai_metrics_purged(apr_uint32_t n);

#endif
