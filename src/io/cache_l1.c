/* SPDX-License-Identifier: Apache-2.0 */
/* cache_l1.c: 16 shards, each a small chained hash with an LRU list under
 * its own mutex, so threads looking up different tokens rarely meet.
 * Entries are reference-counted: a request holding a result keeps it
 * alive past eviction, and the last holder frees it.
 *
 * The bound is one budget for the whole table, not a share per shard: a
 * shard's share of N tokens varies by a few percent, so per-shard shares
 * of N could not hold N tokens, and the overflowing shards' tokens would
 * keep evicting each other. When the table is full, the entry that goes
 * is the oldest of the shard whose oldest was used longest ago, measured
 * on a clock that ticks once per insert (so a hit reads it, never writes
 * it).
 *
 * Each entry is one malloc'd block (entry + flat copy of the result), the
 * one deliberate exception to "pools, not malloc": a pool per entry costs
 * at least 8 KiB, which would make the default 10,000 entries cost 80 MB
 * per process instead of about the size of the answers. */
#include <stdlib.h>
#include <string.h>
#include <apr_atomic.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include "cache_l1.h"
#include "result_flat.h"
#include "token_prf.h"

#define SHARDS 16

typedef struct entry entry_t;
struct entry {
    unsigned char key[MAI_DIGEST_LEN];
    int scope;                        /* with key, what a lookup matches */
    unsigned char token_hash[MAI_DIGEST_LEN];  /* for purges by token */
    const mai_result_t *res;
    const mai_export_prepared_t *exports;  /* its own malloc'd block, or
                                            * NULL */
    apr_int64_t fetched_at;
    apr_int64_t stored_at;
    unsigned char origin[MAI_L1_ORIGIN_LEN];  /* see mai_l1_set_origin */
    int has_origin;
    volatile apr_uint32_t refs;       /* the table's 1 + holders:
                                       * apr_atomic, see release */
    apr_uint32_t used_at;             /* the clock when last put or hit */
    entry_t *chain;                   /* next in bucket */
    entry_t *newer, *older;           /* LRU list */
};

typedef struct {
    apr_thread_mutex_t *lock;
    entry_t **buckets;
    int nbuckets;
    entry_t *newest, *oldest;
    /* written under the lock, read without it when choosing a shard to
     * evict from (a stale read only picks a less good victim) */
    volatile apr_uint32_t count, oldest_used_at;
} shard_t;

struct mai_l1 {
    shard_t shards[SHARDS];
    volatile apr_uint32_t count;    /* entries in all shards */
    volatile apr_uint32_t clock;    /* ticks once per insert */
    apr_uint32_t max;
    mai_token_prf_t *prf;           /* this process's key, or NULL */
};

static apr_status_t free_all(void *data);

mai_l1_t *mai_l1_create(apr_pool_t *p, int max_entries)
{
    mai_l1_t *l1;
    int i;

    if (max_entries <= 0) {
        return NULL;
    }
    l1 = apr_pcalloc(p, sizeof(*l1));
    l1->max = (apr_uint32_t)max_entries;
    for (i = 0; i < SHARDS; i++) {
        shard_t *s = &l1->shards[i];
        apr_thread_mutex_create(&s->lock, APR_THREAD_MUTEX_DEFAULT, p);
        /* a bucket per entry of a fair share when full */
        s->nbuckets = max_entries / SHARDS < 8 ? 8 : max_entries / SHARDS;
        s->buckets = apr_pcalloc(p, sizeof(entry_t *) * s->nbuckets);
    }
    /* drawn here, in child_init: each process its own, never shared */
    l1->prf = mai_token_prf_create(p);
    apr_pool_cleanup_register(p, l1, free_all, apr_pool_cleanup_null);
    return l1;
}

int mai_l1_token_key(mai_l1_t *l1, const char *token, apr_size_t len,
                     unsigned char key[MAI_DIGEST_LEN])
{
    memset(key, 0, MAI_DIGEST_LEN);
    return l1->prf && mai_token_prf(l1->prf, token, len, key);
}

/* The key is a PRF's output or a SHA-256 (or an HMAC): its first bytes
 * are uniformly spread. */
static shard_t *shard_of(mai_l1_t *l1, const unsigned char *key)
{
    return &l1->shards[key[0] % SHARDS];
}

static entry_t **bucket_of(shard_t *s, const unsigned char *key)
{
    apr_uint32_t h;
    memcpy(&h, key + 4, sizeof(h));
    return &s->buckets[h % (apr_uint32_t)s->nbuckets];
}

/* The last reference frees e. Taking one needs the shard lock (find and
 * refs up in one step); letting one go does not: refs is atomic, and the
 * table's own reference goes (under the lock) when e leaves the table,
 * so a count that reaches 0 is of an entry no lookup can find any more.
 * A hit's hold is let go without the lock (about 60 instructions). */
static void release(entry_t *e)
{
    if (apr_atomic_dec32(&e->refs) == 0) {
        free((void *)e->exports);
        free(e);
    }
}

static apr_status_t drop_hold(void *data)
{
    release(data);
    return APR_SUCCESS;
}

static void lru_unlink(shard_t *s, entry_t *e)
{
    if (e->newer) {
        e->newer->older = e->older;
    }
    else {
        s->newest = e->older;
    }
    if (e->older) {
        e->older->newer = e->newer;
    }
    else {
        s->oldest = e->newer;
        if (s->oldest) {
            s->oldest_used_at = s->oldest->used_at;
        }
    }
    e->newer = e->older = NULL;
}

static void lru_push(shard_t *s, entry_t *e)
{
    e->older = s->newest;
    e->newer = NULL;
    if (s->newest) {
        s->newest->newer = e;
    }
    s->newest = e;
    if (!s->oldest) {
        s->oldest = e;
        s->oldest_used_at = e->used_at;
    }
}

/* Take e out of the table; holders keep it alive until they let go. */
static void unlink_entry(mai_l1_t *l1, shard_t *s, entry_t *e)
{
    entry_t **pp = bucket_of(s, e->key);

    while (*pp && *pp != e) {
        pp = &(*pp)->chain;
    }
    if (*pp) {
        *pp = e->chain;
    }
    lru_unlink(s, e);
    s->count--;
    apr_atomic_dec32(&l1->count);
    release(e);
}

static entry_t *find(shard_t *s, const unsigned char *key, int scope)
{
    entry_t *e = *bucket_of(s, key);
    while (e && (e->scope != scope || memcmp(e->key, key, MAI_DIGEST_LEN))) {
        e = e->chain;
    }
    return e;
}

/* At process end every request is gone: the table holds the last refs. */
static apr_status_t free_all(void *data)
{
    mai_l1_t *l1 = data;
    int i;

    for (i = 0; i < SHARDS; i++) {
        shard_t *s = &l1->shards[i];
        while (s->oldest) {
            unlink_entry(l1, s, s->oldest);
        }
    }
    return APR_SUCCESS;
}

/* e, already ours (refs up), is let go when owner is cleared */
static void hold_for(apr_pool_t *owner, entry_t *e)
{
    apr_pool_cleanup_register(owner, e, drop_hold, apr_pool_cleanup_null);
}

int mai_l1_get(mai_l1_t *l1, const unsigned char *key, int scope,
               apr_pool_t *owner,
               const mai_result_t **res, apr_int64_t *fetched_at,
               apr_int64_t *stored_at)
{
    const mai_export_prepared_t *x;

    return mai_l1_get_prepared(l1, key, scope, owner, res, fetched_at,
                               stored_at, &x);
}

int mai_l1_get_prepared(mai_l1_t *l1, const unsigned char *key, int scope,
                        apr_pool_t *owner, const mai_result_t **res,
                        apr_int64_t *fetched_at, apr_int64_t *stored_at,
                        const mai_export_prepared_t **exports)
{
    shard_t *s = shard_of(l1, key);
    entry_t *e;

    apr_thread_mutex_lock(s->lock);
    e = find(s, key, scope);
    if (e) {
        apr_atomic_inc32(&e->refs);
        e->used_at = l1->clock;     /* volatile: read, never written */
        if (s->newest != e) {       /* a token used again and again */
            lru_unlink(s, e);
            lru_push(s, e);
        }
        else if (s->oldest == e) {  /* the shard's only entry */
            s->oldest_used_at = e->used_at;
        }
        *res = e->res;
        *exports = e->exports;
        *fetched_at = e->fetched_at;
        *stored_at = e->stored_at;
    }
    apr_thread_mutex_unlock(s->lock);
    if (!e) {
        return 0;
    }
    hold_for(owner, e);
    return 1;
}

/* The exports of e's copy for opts, in a block of their own (its size
 * is known only once the copy exists); NULL when there are none. */
static const mai_export_prepared_t *prepare(entry_t *e, apr_size_t size,
                                            const mai_export_opts_t *opts,
                                            apr_pool_t *tmp)
{
    const char *lo = (const char *)e, *hi;
    const mai_export_prepared_t *x, *y;
    apr_size_t n;
    void *block;

    hi = lo + APR_ALIGN_DEFAULT(sizeof(entry_t)) + size;
    x = mai_export_prepare(tmp, e->res, opts);
    if (!x) {
        return NULL;
    }
    n = mai_export_prepared_size(x, lo, hi);
    block = malloc(n);
    if (!block) {
        return NULL;
    }
    y = mai_export_prepared_copy(block, n, x, lo, hi);
    if (!y) {
        free(block);
    }
    return y;
}

const mai_result_t *mai_l1_put_held(mai_l1_t *l1, const unsigned char *key,
                                    int scope,
                                    const unsigned char *token_hash,
                                    const mai_result_t *res,
                                    apr_int64_t fetched_at,
                                    apr_int64_t stored_at,
                                    apr_pool_t *owner)
{
    const mai_export_prepared_t *x;

    return mai_l1_put_prepared(l1, key, scope, token_hash, res, fetched_at,
                               stored_at, owner, NULL, &x);
}

/* The shard whose oldest entry was used longest ago, or NULL if all are
 * empty; read without the shards' locks, so only a good guess. */
static shard_t *stalest_shard(mai_l1_t *l1)
{
    /* plain reads of volatile words (apr_atomic_read32 is a call into
     * libapr, 16 of them on every insert into a full table) */
    apr_uint32_t now = l1->clock, age, best = 0;
    shard_t *v = NULL;
    int i;

    for (i = 0; i < SHARDS; i++) {
        shard_t *s = &l1->shards[i];
        if (!s->count) {
            continue;
        }
        /* unsigned: right across the clock's wrap */
        age = now - s->oldest_used_at;
        if (!v || age > best) {
            v = s;
            best = age;
        }
    }
    return v;
}

/* One more entry may go into s, whose lock is held: a place in the budget,
 * made by evicting when the table is full. Other shards are only tried
 * (a busy one is passed over for s's own oldest), so two inserts never
 * wait for each other's shard. 0 when no place could be made. */
static int take_place(mai_l1_t *l1, shard_t *s)
{
    int tries;

    for (tries = 0; tries < 4 * SHARDS; tries++) {
        apr_uint32_t n = apr_atomic_read32(&l1->count);
        shard_t *v;

        if (n < l1->max) {
            if (apr_atomic_cas32(&l1->count, n + 1, n) == n) {
                return 1;
            }
            continue;
        }
        v = stalest_shard(l1);
        if (v && v != s
            && apr_thread_mutex_trylock(v->lock) == APR_SUCCESS) {
            if (v->oldest) {
                unlink_entry(l1, v, v->oldest);
            }
            apr_thread_mutex_unlock(v->lock);
        }
        else if (s->oldest) {
            unlink_entry(l1, s, s->oldest);
        }
    }
    return 0;
}

const mai_result_t *mai_l1_put_prepared(mai_l1_t *l1,
                                        const unsigned char *key, int scope,
                                        const unsigned char *token_hash,
                                        const mai_result_t *res,
                                        apr_int64_t fetched_at,
                                        apr_int64_t stored_at,
                                        apr_pool_t *owner,
                                        const mai_export_opts_t *opts,
                                        const mai_export_prepared_t **exports)
{
    shard_t *s = shard_of(l1, key);
    apr_size_t head = APR_ALIGN_DEFAULT(sizeof(entry_t));
    apr_size_t size;
    entry_t *e, *old, **b;

    *exports = NULL;
    /* copy outside the lock: the copy is the expensive part */
    size = mai_result_flat_size(res);
    e = calloc(1, head + size);
    if (!e) {
        return NULL;
    }
    memcpy(e->key, key, MAI_DIGEST_LEN);
    e->scope = scope;
    memcpy(e->token_hash, token_hash, MAI_DIGEST_LEN);
    e->res = mai_result_flat_copy((char *)e + head, size, res);
    if (!e->res) {
        free(e);
        return NULL;
    }
    /* prepared from the copy, so its values point into it */
    e->exports = opts && owner ? prepare(e, size, opts, owner) : NULL;
    e->fetched_at = fetched_at;
    e->stored_at = stored_at;
    /* the table's reference, and the owner's until it is cleared */
    e->refs = owner ? 2 : 1;

    apr_thread_mutex_lock(s->lock);
    old = find(s, key, scope);
    if (old) {
        unlink_entry(l1, s, old);
    }
    if (!take_place(l1, s)) {
        apr_thread_mutex_unlock(s->lock);
        free((void *)e->exports);
        free(e);
        return NULL;
    }
    e->used_at = apr_atomic_inc32(&l1->clock) + 1;
    b = bucket_of(s, key);
    e->chain = *b;
    *b = e;
    lru_push(s, e);
    s->count++;
    apr_thread_mutex_unlock(s->lock);
    if (!owner) {
        /* only the table holds e now: another thread may evict and free
         * it at once, so nothing of it may be read after the unlock */
        return NULL;
    }
    hold_for(owner, e);
    *exports = e->exports;
    return e->res;
}

void mai_l1_put(mai_l1_t *l1, const unsigned char *key, int scope,
                const unsigned char *token_hash, const mai_result_t *res,
                apr_int64_t fetched_at, apr_int64_t stored_at)
{
    mai_l1_put_held(l1, key, scope, token_hash, res, fetched_at, stored_at,
                    NULL);
}

void mai_l1_remove(mai_l1_t *l1, const unsigned char *key, int scope)
{
    shard_t *s = shard_of(l1, key);
    entry_t *e;

    apr_thread_mutex_lock(s->lock);
    e = find(s, key, scope);
    if (e) {
        unlink_entry(l1, s, e);
    }
    apr_thread_mutex_unlock(s->lock);
}

/* A purge is rare and an L1 holds at most a few ten thousand entries: a
 * walk of each shard's LRU list under its lock is simpler than a second
 * index by token, and costs the hit path nothing. */
static int drop_matching(mai_l1_t *l1, const unsigned char *token_hash)
{
    int i, n = 0;

    for (i = 0; i < SHARDS; i++) {
        shard_t *s = &l1->shards[i];
        entry_t *e, *next;

        apr_thread_mutex_lock(s->lock);
        for (e = s->newest; e; e = next) {
            next = e->older;
            if (!token_hash
                || !memcmp(e->token_hash, token_hash, MAI_DIGEST_LEN)) {
                unlink_entry(l1, s, e);
                n++;
            }
        }
        apr_thread_mutex_unlock(s->lock);
    }
    return n;
}

int mai_l1_purge_hash(mai_l1_t *l1, const unsigned char *token_hash)
{
    return drop_matching(l1, token_hash);
}

int mai_l1_clear(mai_l1_t *l1)
{
    return drop_matching(l1, NULL);
}

int mai_l1_count(mai_l1_t *l1)
{
    return (int)apr_atomic_read32(&l1->count);
}

void mai_l1_set_origin(mai_l1_t *l1, const unsigned char *key, int scope,
                       apr_int64_t fetched_at, const unsigned char *origin)
{
    shard_t *s = shard_of(l1, key);
    entry_t *e;

    apr_thread_mutex_lock(s->lock);
    e = find(s, key, scope);
    /* only the answer that value holds: another thread may have put a
     * newer one under the key meanwhile */
    if (e && e->fetched_at == fetched_at) {
        memcpy(e->origin, origin, MAI_L1_ORIGIN_LEN);
        e->has_origin = 1;
    }
    apr_thread_mutex_unlock(s->lock);
}

int mai_l1_confirm(mai_l1_t *l1, const unsigned char *key, int scope,
                   const unsigned char *origin, apr_int64_t now)
{
    shard_t *s = shard_of(l1, key);
    entry_t *e;
    int same;

    apr_thread_mutex_lock(s->lock);
    e = find(s, key, scope);
    same = e && e->has_origin
           && !memcmp(e->origin, origin, MAI_L1_ORIGIN_LEN);
    if (same) {
        e->stored_at = now;
    }
    apr_thread_mutex_unlock(s->lock);
    return same;
}
