/* SPDX-License-Identifier: Apache-2.0 */
/* freshness.h: how long a cached introspection answer may be reused, for
 * one location. Pure: the time and the location's TTLs are passed in. */
#ifndef MAI_FRESHNESS_H
#define MAI_FRESHNESS_H

#include <apr.h>
#include "result.h"

/* A location's reuse settings, in seconds (AuthIntrospectCacheTTL,
 * NegativeCacheTTL, StaleIfError), copied from its configuration. */
typedef struct mai_fresh_conf {
    apr_int64_t ttl;             /* active answers; 0 = never reused */
    apr_int64_t negative_ttl;    /* inactive answers; 0 = never reused */
    apr_int64_t stale_if_error;  /* active answers past ttl, kept for an
                                  * endpoint failure */
} mai_fresh_conf_t;

typedef enum {
    MAI_FRESH_NO = 0,            /* not to be reused here */
    MAI_FRESH_YES,               /* reuse it */
    MAI_FRESH_STALE              /* past its TTL but within StaleIfError:
                                  * only if the endpoint fails */
} mai_freshness_t;

/** True when the location reuses any answer at all (either TTL above 0):
 * otherwise every request asks the endpoint and the caches are skipped. */
int mai_fresh_reuses(const mai_fresh_conf_t *f);

/**
 * Seconds an answer fetched at `now` may live in the caches: the
 * NegativeCacheTTL for an inactive one; for an active one its TTL, never
 * past exp, plus the StaleIfError window. 0 or less = do not cache.
 */
apr_int64_t mai_fresh_cache_life(const mai_fresh_conf_t *f,
                                 const mai_result_t *res, apr_int64_t now);

/**
 * Whether an answer fetched at `fetched` may be reused at `now`: younger
 * than its TTL (NegativeCacheTTL when inactive) and before exp. A TTL of 0
 * reuses nothing, not even stale; an answer dated more than 60 s ahead
 * (another node's clock, or ours gone backwards) is not reused. An active
 * answer past its TTL but within StaleIfError is MAI_FRESH_STALE.
 */
mai_freshness_t mai_fresh_judge(const mai_fresh_conf_t *f,
                                const mai_result_t *res,
                                apr_int64_t fetched, apr_int64_t now);

/** True when this location never reuses this kind of answer (its TTL is
 * 0): a cached copy may still be fresh for other locations. */
int mai_fresh_ttl_zero(const mai_fresh_conf_t *f, const mai_result_t *res);

#endif
