/* SPDX-License-Identifier: Apache-2.0 */
/* metrics.c: the counters' shared memory. One anonymous segment, made in
 * the parent at startup and inherited by every child:
 *
 *   open_until[cap]          per endpoint: until when some process's
 *                            breaker refuses calls (apr_time_t)
 *   slot[0] .. slot[n-1]     MAI_MG_COUNT module counters, then
 *                            MAI_ME_COUNT per endpoint (cap of them)
 *
 * A process adds only to its own slot (pid modulo the slot count; two
 * processes that share one still count right, the adds are atomic), each
 * slot a whole number of cache lines, so the hit path never writes a line
 * another process writes. No lock and no allocation when counting.
 *
 * The segment and the endpoint names live in the process pool, which
 * httpd keeps across restarts: the counts survive them (docs/metrics.md).
 */
#include <unistd.h>
#include <apr_strings.h>
#include <apr_shm.h>
#include "metrics.h"
#include "endpoint.h"

#define KEEP_TAG "mai_metrics"
#define LINE 8                  /* apr_uint64_t per 64-byte cache line */
#define ROOM_MIN 8              /* endpoints a first segment has room for */

typedef struct {
    apr_shm_t *shm;
    apr_uint64_t *open_until;   /* cap; the segment, cache-line aligned */
    apr_uint64_t *slots;
    apr_size_t stride;          /* apr_uint64_t per slot */
    int nslots, cap, n;
    const char **names;         /* cap; n named */
} registry_t;

apr_uint64_t *mai_metrics_here;
static registry_t *reg;

static apr_size_t round_line(apr_size_t n)
{
    return (n + LINE - 1) / LINE * LINE;
}

static apr_uint64_t *slot(const registry_t *r, int i)
{
    return r->slots + (apr_size_t)i * r->stride;
}

static apr_uint64_t load(const apr_uint64_t *c)
{
    return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* A segment with room for cap endpoints and nslots processes. */
static const char *make(apr_pool_t *keep, int nslots, int cap,
                        registry_t *r)
{
    apr_size_t head = round_line((apr_size_t)cap);
    apr_size_t stride = round_line(MAI_MG_COUNT
                                   + (apr_size_t)cap * MAI_ME_COUNT);
    apr_size_t words = head + stride * (apr_size_t)nslots;
    apr_status_t rv;
    char *base;

    /* a line more, to start on a line boundary */
    rv = apr_shm_create(&r->shm, (words + LINE) * sizeof(apr_uint64_t), NULL,
                        keep);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(keep, "cannot create the metrics shared memory "
                            "(%" APR_SIZE_T_FMT " bytes): %pm",
                            (words + LINE) * sizeof(apr_uint64_t), &rv);
    }
    base = apr_shm_baseaddr_get(r->shm);
    base += (64 - ((apr_uintptr_t)base & 63)) & 63;
    memset(base, 0, words * sizeof(apr_uint64_t));
    r->open_until = (apr_uint64_t *)base;
    r->slots = r->open_until + head;
    r->stride = stride;
    r->nslots = nslots;
    r->cap = cap;
    return NULL;
}

/* A restart named more endpoints than there is room for: a larger
 * segment takes over, with every count so far in its first slot. */
static const char *grow(apr_pool_t *keep, registry_t *r, int need)
{
    registry_t old = *r;
    const char **names;
    const char *err;
    apr_size_t k;
    int i;

    err = make(keep, old.nslots, need * 2, r);
    if (err) {
        *r = old;
        return err;
    }
    names = apr_pcalloc(keep, sizeof(*names) * (apr_size_t)r->cap);
    memcpy(names, old.names, sizeof(*names) * (apr_size_t)old.n);
    r->names = names;
    r->n = old.n;
    for (i = 0; i < old.cap; i++) {
        r->open_until[i] = load(old.open_until + i);
    }
    for (i = 0; i < old.nslots; i++) {
        for (k = 0; k < MAI_MG_COUNT + (apr_size_t)old.cap * MAI_ME_COUNT;
             k++) {
            slot(r, 0)[k] += load(slot(&old, i) + k);
        }
    }
    /* old processes of a graceful restart still hold the old segment */
    return NULL;
}

/* The label: scheme, authority and path; never user info (url.c refuses
 * it) nor the query, where a careless URL could carry a credential. */
static const char *label(apr_pool_t *p, const mai_endpoint_t *ep)
{
    const mai_url_t *u = &mai_endpoint_target(ep)->url;
    apr_size_t path_len = strcspn(u->path, "?");

    return apr_psprintf(p, "%s://%s%.*s", u->tls ? "https" : "http",
                        u->authority, (int)path_len, u->path);
}

static int find(const registry_t *r, const char *name)
{
    int i;

    for (i = 0; i < r->n; i++) {
        if (!strcmp(r->names[i], name)) {
            return i;
        }
    }
    return -1;
}

typedef struct {
    apr_pool_t *keep;
    registry_t *r;
    int wanted;                 /* names not yet in the registry */
    const char *err;
} naming_t;

/* Pass 1: how many new names. */
static void count_new(void *baton, mai_endpoint_t *ep)
{
    naming_t *nm = baton;
    apr_pool_t *tmp;
    const char *name;

    apr_pool_create(&tmp, nm->keep);
    name = label(tmp, ep);
    if (find(nm->r, name) < 0) {
        /* an upper bound: two endpoints may share a label */
        nm->wanted++;
    }
    apr_pool_destroy(tmp);
}

/* Pass 2: each endpoint's id, new names appended. */
static void name_one(void *baton, mai_endpoint_t *ep)
{
    naming_t *nm = baton;
    registry_t *r = nm->r;
    apr_pool_t *tmp;
    const char *name;
    int id;

    apr_pool_create(&tmp, nm->keep);
    name = label(tmp, ep);
    id = find(r, name);
    if (id < 0 && r->n < r->cap) {
        id = r->n++;
        r->names[id] = apr_pstrdup(nm->keep, name);
    }
    mai_endpoint_set_metrics_id(ep, id);
    apr_pool_destroy(tmp);
}

const char *mai_metrics_setup(apr_pool_t *keep, int nslots,
                              struct mai_endpoints *eps)
{
    registry_t *r = NULL;
    naming_t nm = { 0 };
    const char *err;

    apr_pool_userdata_get((void **)&r, KEEP_TAG, keep);
    if (!r) {
        r = apr_pcalloc(keep, sizeof(*r));
        err = make(keep, nslots > 0 ? nslots : 1, ROOM_MIN, r);
        if (err) {
            return err;
        }
        r->names = apr_pcalloc(keep, sizeof(*r->names) * (apr_size_t)r->cap);
        apr_pool_userdata_set(r, KEEP_TAG, apr_pool_cleanup_null, keep);
    }
    nm.keep = keep;
    nm.r = r;
    if (eps) {
        mai_endpoints_each(eps, count_new, &nm);
    }
    if (r->n + nm.wanted > r->cap) {
        err = grow(keep, r, r->n + nm.wanted);
        if (err) {
            return err;
        }
    }
    if (eps) {
        mai_endpoints_each(eps, name_one, &nm);
    }
    reg = r;
    return NULL;
}

void mai_metrics_child_init(void)
{
    if (reg) {
        mai_metrics_here = slot(reg, (int)(getpid() % reg->nslots));
    }
}

/* The counter of endpoint ep in this process's slot, or NULL. */
static apr_uint64_t *ep_counters(int ep)
{
    apr_uint64_t *c = mai_metrics_here;

    return c && ep >= 0 ? c + MAI_MG_COUNT + (apr_size_t)ep * MAI_ME_COUNT
                        : NULL;
}

static void add(apr_uint64_t *c, apr_uint64_t n)
{
    __atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

void mai_metrics_call(int ep, mai_status_t s, apr_interval_time_t elapsed)
{
    apr_uint64_t *c = ep_counters(ep);

    if (!c || elapsed < 0) {
        return;
    }
    add(c + MAI_ME_CALLS + s, 1);
    add(c + MAI_ME_BUCKETS + mai_metrics_bucket(elapsed), 1);
    add(c + MAI_ME_SUM_US, (apr_uint64_t)elapsed);
}

void mai_metrics_admission(int ep, int waited, mai_status_t s)
{
    apr_uint64_t *c = ep_counters(ep);

    if (c && waited) {
        add(c + MAI_ME_WAITS, 1);
    }
    if (c && s == MAI_STATUS_OVERLOADED) {
        add(c + MAI_ME_OVERLOADED, 1);
    }
}

void mai_metrics_breaker_opened(int ep, apr_interval_time_t open_for)
{
    apr_uint64_t *c = ep_counters(ep);
    apr_uint64_t until, seen;

    if (!c) {
        return;
    }
    add(c + MAI_ME_OPENINGS, 1);
    /* the latest end of any process's open time */
    until = (apr_uint64_t)(apr_time_now() + open_for);
    seen = load(reg->open_until + ep);
    while (seen < until
           && !__atomic_compare_exchange_n(reg->open_until + ep, &seen,
                                           until, 0, __ATOMIC_RELAXED,
                                           __ATOMIC_RELAXED)) {
    }
}

void mai_metrics_purged(apr_uint32_t n)
{
    mai_metrics_add(MAI_MG_PURGES, 1);
    mai_metrics_add(MAI_MG_PURGED, n);
}

void mai_metrics_read(apr_pool_t *p, apr_time_t now,
                      mai_metrics_view_t *out)
{
    apr_size_t words, k;
    apr_uint64_t *sum;
    int *open, i;

    memset(out, 0, sizeof(*out));
    if (!reg) {
        out->global = apr_pcalloc(p, MAI_MG_COUNT * sizeof(apr_uint64_t));
        return;
    }
    words = MAI_MG_COUNT + (apr_size_t)reg->n * MAI_ME_COUNT;
    sum = apr_pcalloc(p, words * sizeof(*sum));
    for (i = 0; i < reg->nslots; i++) {
        for (k = 0; k < words; k++) {
            sum[k] += load(slot(reg, i) + k);
        }
    }
    open = apr_pcalloc(p, sizeof(*open) * (apr_size_t)(reg->n + 1));
    for (i = 0; i < reg->n; i++) {
        open[i] = load(reg->open_until + i) > (apr_uint64_t)now;
    }
    out->global = sum;
    out->n_endpoints = reg->n;
    out->endpoint_names = reg->names;
    out->endpoints = sum + MAI_MG_COUNT;
    out->breaker_open = open;
}
