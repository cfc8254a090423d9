/* SPDX-License-Identifier: Apache-2.0 */
/* flight.c: one mutex and one condition variable per process. They are
 * only touched on a cache miss, where an endpoint round trip dwarfs them.
 * The leader's parsed answer is kept as a flat copy (result_flat.c), and
 * each waiter copies it into its own pool under the lock: a copy, never a
 * second parse. The last one out frees the flight (plain malloc, like the
 * L1 entries: it outlives the leader's request). */
#include <stdlib.h>
#include <string.h>
#include <apr_thread_mutex.h>
#include <apr_thread_cond.h>
#include "flight.h"
#include "result_flat.h"

struct mai_flight {
    unsigned char key[MAI_DIGEST_LEN];
    int landed;
    int refs;                  /* leader + waiters still to read */
    mai_status_t status;
    mai_result_t *result;      /* flat copy, on MAI_OK */
    apr_size_t result_size;
    apr_int64_t fetched_at;
    mai_flight_t *next;
};

struct mai_flights {
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *landed;
    mai_flight_t *active;      /* flights not landed yet */
};

mai_flights_t *mai_flights_create(apr_pool_t *p)
{
    mai_flights_t *f = apr_pcalloc(p, sizeof(*f));
    apr_thread_mutex_create(&f->lock, APR_THREAD_MUTEX_DEFAULT, p);
    apr_thread_cond_create(&f->landed, p);
    return f;
}

static void unref(mai_flight_t *fl)
{
    if (--fl->refs == 0) {
        free(fl->result);
        free(fl);
    }
}

static mai_flight_t *find(mai_flights_t *f, const unsigned char *key)
{
    mai_flight_t *fl = f->active;
    while (fl && memcmp(fl->key, key, MAI_DIGEST_LEN)) {
        fl = fl->next;
    }
    return fl;
}

/* Wait for fl to land; lock held on entry and exit. */
static int wait_landing(mai_flights_t *f, mai_flight_t *fl,
                        apr_time_t deadline)
{
    while (!fl->landed) {
        apr_interval_time_t left = deadline - apr_time_now();
        if (left <= 0) {
            return 0;
        }
        apr_thread_cond_timedwait(f->landed, f->lock, left);
    }
    return 1;
}

int mai_flight_join(mai_flights_t *f, const unsigned char *key,
                    apr_time_t deadline, apr_pool_t *p, mai_flight_t **out,
                    mai_answer_t *a)
{
    mai_flight_t *fl;
    int rc;

    apr_thread_mutex_lock(f->lock);
    fl = find(f, key);
    if (!fl) {
        fl = calloc(1, sizeof(*fl));
        if (!fl) {
            apr_thread_mutex_unlock(f->lock);
            *out = NULL;
            return 1;     /* lead alone: correctness over sharing */
        }
        memcpy(fl->key, key, MAI_DIGEST_LEN);
        fl->refs = 1;
        fl->next = f->active;
        f->active = fl;
        apr_thread_mutex_unlock(f->lock);
        *out = fl;
        return 1;
    }
    fl->refs++;
    rc = wait_landing(f, fl, deadline) ? 0 : -1;
    /* a landed flight never changes and our ref keeps it: copy without
     * the lock, so a burst of waiters does not copy one after another */
    apr_thread_mutex_unlock(f->lock);
    if (rc == 0) {
        a->status = fl->status;
        a->fetched_at = fl->fetched_at;
        a->retry_after = 0;
        a->result = NULL;
        if (fl->result) {
            /* apr_palloc aligns as result_flat.c does */
            a->result = mai_result_flat_copy(apr_palloc(p, fl->result_size),
                                             fl->result_size, fl->result);
        }
    }
    apr_thread_mutex_lock(f->lock);
    unref(fl);
    apr_thread_mutex_unlock(f->lock);
    *out = NULL;
    return rc;
}

void mai_flight_land(mai_flights_t *f, mai_flight_t *fl,
                     const mai_answer_t *a)
{
    mai_flight_t **pp;
    apr_size_t size;
    void *buf;

    if (!fl) {
        return;
    }
    apr_thread_mutex_lock(f->lock);
    for (pp = &f->active; *pp && *pp != fl; pp = &(*pp)->next) {
    }
    if (*pp) {
        *pp = fl->next;
    }
    fl->status = a->status;
    fl->fetched_at = a->fetched_at;
    /* only waiters read the answer: with none, nothing to copy */
    if (a->status == MAI_OK && a->result && fl->refs > 1) {
        size = mai_result_flat_size(a->result);
        buf = malloc(size);
        fl->result = buf ? mai_result_flat_copy(buf, size, a->result) : NULL;
        if (fl->result) {
            fl->result_size = size;
        }
        else {
            free(buf);
        }
    }
    if (a->status == MAI_OK && !fl->result && fl->refs > 1) {
        /* no answer to hand over: never success without one */
        fl->status = MAI_STATUS_INTERNAL;
    }
    fl->landed = 1;
    apr_thread_cond_broadcast(f->landed);
    unref(fl);
    apr_thread_mutex_unlock(f->lock);
}

int mai_flight_waiters(mai_flights_t *f, const unsigned char *key)
{
    mai_flight_t *fl;
    int n;

    apr_thread_mutex_lock(f->lock);
    fl = find(f, key);
    n = fl ? fl->refs - 1 : 0;     /* refs: the leader + its waiters */
    apr_thread_mutex_unlock(f->lock);
    return n;
}
