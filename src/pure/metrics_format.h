/* SPDX-License-Identifier: Apache-2.0 */
/* metrics_format.h: the counters' layout and their text forms (Prometheus
 * exposition 0.0.4, mod_status's ?auto lines and HTML table). Pure: the
 * figures are read elsewhere (src/io/metrics.c) and handed in. */
#ifndef MAI_METRICS_FORMAT_H
#define MAI_METRICS_FORMAT_H

#include <apr_pools.h>
#include <apr_time.h>
#include "status.h"

/* The module's own counters: one array of apr_uint64_t, indexed so. */
enum {
    MAI_MG_REQUESTS = 0,        /* + mai_status_t: authn outcomes */
    MAI_MG_L1_HITS = MAI_MG_REQUESTS + MAI_STATUS_COUNT_,
    MAI_MG_L2_HITS,
    MAI_MG_MISSES,
    MAI_MG_JOINS,               /* single-flight: shared a leader's call */
    MAI_MG_STALE,               /* StaleIfError answers served */
    MAI_MG_FAULT_LOOKUP,        /* shared cache lookup failed */
    MAI_MG_FAULT_STORE,         /* shared cache store failed */
    MAI_MG_REJECTED,            /* shared cache entry refused (seal) */
    MAI_MG_PURGES,              /* purge requests */
    MAI_MG_PURGED,              /* entries they removed */
    MAI_MG_COUNT
};

/* Endpoint call latency buckets; the last one is +Inf. */
#define MAI_METRICS_BUCKETS 12

/* One endpoint's counters, indexed so. */
enum {
    MAI_ME_CALLS = 0,           /* + mai_status_t: calls by result */
    MAI_ME_BUCKETS = MAI_ME_CALLS + MAI_STATUS_COUNT_,   /* + bucket, not
                                                          * cumulative */
    MAI_ME_SUM_US = MAI_ME_BUCKETS + MAI_METRICS_BUCKETS,
    MAI_ME_WAITS,               /* waited for a MaxInflight slot */
    MAI_ME_OVERLOADED,          /* found none in time: 503 */
    MAI_ME_OPENINGS,            /* breaker openings */
    MAI_ME_COUNT
};

/** The bucket a call of `us` microseconds falls in (upper bounds
 * inclusive, as Prometheus's `le`). */
int mai_metrics_bucket(apr_interval_time_t us);

/** What is formatted: summed figures, read at one moment. */
typedef struct mai_metrics_view {
    const apr_uint64_t *global;        /* MAI_MG_COUNT */
    int n_endpoints;
    const char *const *endpoint_names; /* labels: URLs, no credentials */
    const apr_uint64_t *endpoints;     /* n_endpoints * MAI_ME_COUNT */
    const int *breaker_open;           /* n_endpoints: 1 open, 0 not */
} mai_metrics_view_t;

typedef enum {
    MAI_METRICS_PROMETHEUS,     /* text exposition format 0.0.4 */
    MAI_METRICS_STATUS_AUTO,    /* mod_status ?auto: "Key: value" lines */
    MAI_METRICS_STATUS_HTML     /* mod_status page: a table */
} mai_metrics_style_t;

/** The view as text in `style`, allocated from p. */
char *mai_metrics_format(apr_pool_t *p, const mai_metrics_view_t *v,
                         mai_metrics_style_t style);

#endif
