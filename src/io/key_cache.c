/* SPDX-License-Identifier: Apache-2.0 */
/* key_cache.c: a set-associative table of thumbprints and the objects
 * imported for them, under one mutex. Each object sits in a holder with a
 * reference count of our own, changed only under the mutex (cjose's own
 * counts are plain integers, not atomic): one reference for the table
 * slot, one per request pool using it. Eviction drops the slot's
 * reference; the object is released when the last one goes, so a request
 * never has its key freed under it. Holders are recycled from a free list
 * in the cache's pool: memory stays bounded by the table plus the
 * requests in flight, and nothing is malloc'ed per request. */
#include <string.h>
#include <apr_allocator.h>
#include <apr_thread_mutex.h>
#include "key_cache.h"

/* Entries per set: a thumbprint may live in any of these slots, the least
 * recently used one is replaced. */
#define WAYS 4

typedef struct holder {
    void *obj;
    int refs;                   /* under the cache's mutex only */
    struct holder *next_free;
} holder_t;

typedef struct {
    char tp[MAI_KEY_CACHE_KEY_MAX + 1];
    unsigned char info[MAI_KEY_CACHE_INFO];
    holder_t *h;                /* NULL: free slot */
    apr_uint64_t used;          /* tick of the last get or put */
} slot_t;

struct mai_key_cache {
    apr_thread_mutex_t *lock;
    apr_pool_t *pool;
    mai_key_release_fn release;
    slot_t *slots;
    apr_uint32_t sets;          /* a power of two */
    apr_uint64_t tick;
    holder_t *free_holders;
};

/* A pool's hold on one holder. */
typedef struct {
    mai_key_cache_t *c;
    holder_t *h;
} hold_t;

/* FNV-1a: thumbprints are SHA-256 output and proof headers hold a key,
 * so any mixing spreads them; someone grinding keys to share one set only
 * costs the other keys of that set a new import, never a wrong key (the
 * whole key text is compared). */
static apr_uint32_t set_of(const mai_key_cache_t *c, const char *tp)
{
    apr_uint32_t h = 2166136261u;

    for (; *tp; tp++) {
        h = (h ^ (unsigned char)*tp) * 16777619u;
    }
    return h & (c->sets - 1);
}

/* Under the lock: one reference less; the object to release (outside
 * the lock) when it was the last. */
static void *unref(mai_key_cache_t *c, holder_t *h)
{
    void *obj = NULL;

    if (--h->refs == 0) {
        obj = h->obj;
        h->obj = NULL;
        h->next_free = c->free_holders;
        c->free_holders = h;
    }
    return obj;
}

static apr_status_t unhold(void *data)
{
    hold_t *hold = data;
    mai_key_cache_t *c = hold->c;
    void *obj;

    apr_thread_mutex_lock(c->lock);
    obj = unref(c, hold->h);
    apr_thread_mutex_unlock(c->lock);
    if (obj != NULL) {
        c->release(obj);
    }
    return APR_SUCCESS;
}

/* Under the lock: one reference more, for p. */
static void hold_for(mai_key_cache_t *c, apr_pool_t *p, holder_t *h)
{
    hold_t *hold = apr_palloc(p, sizeof(*hold));

    hold->c = c;
    hold->h = h;
    h->refs++;
    apr_pool_cleanup_register(p, hold, unhold, apr_pool_cleanup_null);
}

/* The process pool goes: the table's references go with it. Request
 * pools are gone by then (the cache lives in the process pool, which
 * httpd destroys last). */
static apr_status_t drop_all(void *data)
{
    mai_key_cache_t *c = data;
    apr_uint32_t i;
    void *obj;

    for (i = 0; i < c->sets * WAYS; i++) {
        if (c->slots[i].h != NULL) {
            obj = unref(c, c->slots[i].h);
            c->slots[i].h = NULL;
            if (obj != NULL) {
                c->release(obj);
            }
        }
    }
    return APR_SUCCESS;
}

mai_key_cache_t *mai_key_cache_create(apr_pool_t *p, int entries,
                                      mai_key_release_fn release)
{
    mai_key_cache_t *c;
    apr_allocator_t *a;
    apr_pool_t *pool;
    apr_uint32_t sets = 1;

    if (entries <= 0 || release == NULL) {
        return NULL;
    }
    while (sets * WAYS < (apr_uint32_t)entries && sets < (1u << 16)) {
        sets <<= 1;
    }
    /* a pool of its own with its own allocator, under p: holders are
     * allocated at run time under this cache's mutex, which guards no
     * other pool */
    if (apr_allocator_create(&a) != APR_SUCCESS) {
        return NULL;
    }
    if (apr_pool_create_ex(&pool, p, NULL, a) != APR_SUCCESS) {
        apr_allocator_destroy(a);
        return NULL;
    }
    apr_allocator_owner_set(a, pool);
    c = apr_pcalloc(pool, sizeof(*c));
    if (apr_thread_mutex_create(&c->lock, APR_THREAD_MUTEX_DEFAULT, pool)
        != APR_SUCCESS) {
        apr_pool_destroy(pool);
        return NULL;
    }
    c->pool = pool;
    c->release = release;
    c->sets = sets;
    c->slots = apr_pcalloc(pool, sets * WAYS * sizeof(slot_t));
    /* registered after the mutex: runs before the mutex is destroyed */
    apr_pool_cleanup_register(pool, c, drop_all, apr_pool_cleanup_null);
    return c;
}

void *mai_key_cache_get(mai_key_cache_t *c, apr_pool_t *p,
                        const char *thumbprint)
{
    return mai_key_cache_get_info(c, p, thumbprint, NULL);
}

void *mai_key_cache_get_info(mai_key_cache_t *c, apr_pool_t *p,
                             const char *thumbprint, void *info)
{
    slot_t *set;
    void *obj = NULL;
    int i;

    if (c == NULL || thumbprint == NULL
        || strlen(thumbprint) > MAI_KEY_CACHE_KEY_MAX) {
        return NULL;
    }
    set = &c->slots[set_of(c, thumbprint) * WAYS];
    apr_thread_mutex_lock(c->lock);
    for (i = 0; i < WAYS; i++) {
        /* the whole key, never a prefix or a hash of it */
        if (set[i].h != NULL && strcmp(set[i].tp, thumbprint) == 0) {
            set[i].used = ++c->tick;
            hold_for(c, p, set[i].h);
            obj = set[i].h->obj;
            if (info != NULL) {
                /* under the lock: the facts of this very object */
                memcpy(info, set[i].info, MAI_KEY_CACHE_INFO);
            }
            break;
        }
    }
    apr_thread_mutex_unlock(c->lock);
    return obj;
}

void mai_key_cache_put(mai_key_cache_t *c, apr_pool_t *p,
                       const char *thumbprint, void *obj)
{
    mai_key_cache_put_info(c, p, thumbprint, obj, NULL);
}

void mai_key_cache_put_info(mai_key_cache_t *c, apr_pool_t *p,
                            const char *thumbprint, void *obj,
                            const void *info)
{
    slot_t *set, *victim;
    holder_t *h;
    void *old = NULL;
    int i;

    if (c == NULL) {
        return;
    }
    apr_thread_mutex_lock(c->lock);
    h = c->free_holders;
    if (h != NULL) {
        c->free_holders = h->next_free;
    }
    else {
        /* the cache's own pool, only ever used under the lock; bounded
         * by the table plus the requests in flight, since holders come
         * back to the free list */
        h = apr_palloc(c->pool, sizeof(*h));
    }
    h->obj = obj;
    h->refs = 0;
    h->next_free = NULL;
    hold_for(c, p, h);
    if (thumbprint != NULL && strlen(thumbprint) <= MAI_KEY_CACHE_KEY_MAX) {
        set = &c->slots[set_of(c, thumbprint) * WAYS];
        victim = &set[0];
        for (i = 0; i < WAYS; i++) {
            if (set[i].h != NULL && strcmp(set[i].tp, thumbprint) == 0) {
                /* another request imported the same key meanwhile */
                victim = &set[i];
                break;
            }
            if (set[i].h == NULL
                || (victim->h != NULL && set[i].used < victim->used)) {
                victim = &set[i];
            }
        }
        if (victim->h != NULL) {
            old = unref(c, victim->h);
        }
        strcpy(victim->tp, thumbprint);
        if (info != NULL) {
            memcpy(victim->info, info, MAI_KEY_CACHE_INFO);
        }
        else {
            memset(victim->info, 0, MAI_KEY_CACHE_INFO);
        }
        victim->h = h;
        victim->used = ++c->tick;
        h->refs++;
    }
    apr_thread_mutex_unlock(c->lock);
    if (old != NULL) {
        c->release(old);
    }
}
