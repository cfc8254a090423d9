/* SPDX-License-Identifier: Apache-2.0 */
/* evict_watch.c: one 64-bit word per slot: 32 bits of the key (a
 * fingerprint) and the expiry in seconds, written and read whole with
 * APR's 64-bit atomics, so threads need no lock: two stores racing for a
 * slot leave one of them, which only makes the sample smaller. The keys
 * are HMAC outputs, so their bytes pick slots evenly. */
#include <string.h>
#include <apr_atomic.h>
#include "evict_watch.h"

#define SLOTS 16384             /* 128 KiB per process */

struct mai_evict_watch {
    volatile apr_uint64_t slot[SLOTS];
    volatile apr_uint32_t last_log;     /* seconds */
    volatile apr_uint32_t window;       /* seconds: this count's start */
    volatile apr_uint32_t count;        /* evictions seen in the window */
};

mai_evict_watch_t *mai_evict_watch_create(apr_pool_t *p)
{
    return apr_pcalloc(p, sizeof(mai_evict_watch_t));
}

static volatile apr_uint64_t *slot_of(mai_evict_watch_t *w,
                                      const unsigned char *key,
                                      apr_uint32_t *fp)
{
    apr_uint32_t at;

    memcpy(&at, key + 8, sizeof(at));
    memcpy(fp, key + 12, sizeof(*fp));
    return &w->slot[at % SLOTS];
}

void mai_evict_watch_stored(mai_evict_watch_t *w, const unsigned char *key,
                            apr_time_t expiry)
{
    apr_uint32_t fp;
    volatile apr_uint64_t *s = slot_of(w, key, &fp);

    apr_atomic_set64(s, ((apr_uint64_t)fp << 32)
                        | (apr_uint32_t)apr_time_sec(expiry));
}

int mai_evict_watch_missed(mai_evict_watch_t *w, const unsigned char *key,
                           apr_time_t now)
{
    apr_uint32_t fp;
    volatile apr_uint64_t *s = slot_of(w, key, &fp);
    apr_uint64_t v = apr_atomic_read64(s);
    apr_uint32_t expires = (apr_uint32_t)(v & 0xffffffff);

    if (v == 0 || (apr_uint32_t)(v >> 32) != fp) {
        return 0;
    }
    /* once is enough for one stored answer */
    apr_atomic_cas64(s, 0, v);
    /* the second of slack given on store, and one for rounding */
    return (apr_int64_t)expires - apr_time_sec(now) > 2;
}

void mai_evict_watch_forget(mai_evict_watch_t *w, const unsigned char *key)
{
    apr_uint32_t fp;
    volatile apr_uint64_t *s = slot_of(w, key, &fp);
    apr_uint64_t v = apr_atomic_read64(s);

    if ((apr_uint32_t)(v >> 32) == fp) {
        apr_atomic_cas64(s, 0, v);
    }
}

int mai_evict_watch_log_due(mai_evict_watch_t *w, apr_time_t now,
                            apr_interval_time_t interval, int min)
{
    apr_uint32_t sec = (apr_uint32_t)apr_time_sec(now);
    apr_uint32_t span = (apr_uint32_t)apr_time_sec(interval);
    apr_uint32_t win = apr_atomic_read32(&w->window);
    apr_uint32_t last;

    /* a new window starts the count again (racing threads may lose a
     * count or two: this is a sample) */
    if ((!win || sec - win >= span)
        && apr_atomic_cas32(&w->window, sec, win) == win) {
        apr_atomic_set32(&w->count, 0);
    }
    if (apr_atomic_inc32(&w->count) + 1 < (apr_uint32_t)min) {
        return 0;
    }
    last = apr_atomic_read32(&w->last_log);
    if (last && sec - last < span) {
        return 0;
    }
    return apr_atomic_cas32(&w->last_log, sec, last) == last;
}
