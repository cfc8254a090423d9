/* SPDX-License-Identifier: Apache-2.0 */
/* scope_keys.c: a configuration has a handful of scopes (endpoint,
 * client id, TLS settings, hint), and each request's cache key starts
 * with its scope's. The prepared prefixes sit in a fixed array of slots,
 * each written once under the lock and never changed after, so a reader
 * takes a published slot with one atomic read and no lock. A scope past
 * the last slot (a configuration with more than SLOTS of them) is keyed
 * in full: slower, never wrong. */
#include <string.h>
#include <apr_atomic.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include "scope_keys.h"

#define SLOTS 64

typedef struct {
    mai_cache_scope_t scope;    /* copies of the strings */
    mai_cache_scope_t given;    /* the strings as first asked for: their
                                 * addresses (see same_addresses) */
    const mai_key_prefix_t *prefix;
} slot_t;

struct mai_scope_keys {
    const mai_hmac_key_t *k;
    apr_pool_t *pool;           /* allocated from under the lock only */
    apr_thread_mutex_t *lock;   /* serialises filling */
    void *slots[SLOTS];         /* slot_t *, NULL until filled */
};

mai_scope_keys_t *mai_scope_keys_create(apr_pool_t *p,
                                        const mai_hmac_key_t *k)
{
    mai_scope_keys_t *t = apr_pcalloc(p, sizeof(*t));

    t->k = k;
    /* a pool of its own: p is shared, and threads fill slots later */
    if (!k || apr_pool_create(&t->pool, p) != APR_SUCCESS
        || apr_thread_mutex_create(&t->lock, APR_THREAD_MUTEX_DEFAULT, p)
           != APR_SUCCESS) {
        return NULL;
    }
    return t;
}

/* A filled slot, with the barrier that makes its contents visible. */
static const slot_t *slot_at(mai_scope_keys_t *t, int i)
{
    return apr_atomic_casptr((volatile void **)&t->slots[i], NULL, NULL);
}

/* The very strings a slot was first asked for: the configuration's,
 * which live as long as the table (pchild is a child of pconf), so the
 * same addresses hold the same text, and a request finds its scope's
 * slot without comparing text (about 130 instructions a slot, on every
 * lookup: the merged per-directory configuration of a request is new,
 * but its strings are the sections'). scope_keys.h asks this of every
 * caller. */
static int same_addresses(const mai_cache_scope_t *a,
                          const mai_cache_scope_t *b)
{
    return a->endpoint == b->endpoint && a->client_id == b->client_id
           && a->ca_file == b->ca_file && a->hint == b->hint
           && a->tls_verify == b->tls_verify
           && !a->signed_answer == !b->signed_answer;
}

/* The index of scope's slot, or of the first empty one (-1: full). */
static int find(mai_scope_keys_t *t, const mai_cache_scope_t *scope,
                const slot_t **found)
{
    const slot_t *s;
    int i;

    *found = NULL;
    for (i = 0; i < SLOTS; i++) {
        s = slot_at(t, i);
        if (!s) {
            return i;
        }
        if (mai_cache_scope_equal(&s->scope, scope)) {
            *found = s;
            return i;
        }
    }
    return -1;
}

static const char *copy_str(apr_pool_t *p, const char *s)
{
    return s ? apr_pstrdup(p, s) : NULL;
}

/* Prepare scope's prefix in slot i, unless another thread filled it
 * first (with this scope or another). */
static const slot_t *fill(mai_scope_keys_t *t,
                          const mai_cache_scope_t *scope)
{
    const slot_t *found;
    slot_t *s;
    int i;

    apr_thread_mutex_lock(t->lock);
    i = find(t, scope, &found);
    if (!found && i >= 0) {
        s = apr_pcalloc(t->pool, sizeof(*s));
        s->scope.endpoint = copy_str(t->pool, scope->endpoint);
        s->scope.client_id = copy_str(t->pool, scope->client_id);
        s->scope.tls_verify = scope->tls_verify;
        s->scope.ca_file = copy_str(t->pool, scope->ca_file);
        s->scope.hint = copy_str(t->pool, scope->hint);
        s->scope.signed_answer = scope->signed_answer;
        s->given = *scope;
        s->prefix = mai_digest_key_prefix_make(t->pool, t->k, scope);
        apr_atomic_casptr((volatile void **)&t->slots[i], s, NULL);
        found = s;
    }
    apr_thread_mutex_unlock(t->lock);
    return found;
}

/* The filled slot of scope and its index, or NULL (no table, another
 * secret, or every slot taken by other scopes). */
static const slot_t *slot_of(mai_scope_keys_t *t, const mai_hmac_key_t *k,
                             const mai_cache_scope_t *scope, int *index)
{
    const slot_t *s = NULL;
    int i = -1;

    if (t && t->k == k) {
        for (i = 0; i < SLOTS && (s = slot_at(t, i)) != NULL; i++) {
            if (same_addresses(&s->given, scope)) {
                *index = i;
                return s;
            }
        }
        i = find(t, scope, &s);
        if (i >= 0 && !s) {
            s = fill(t, scope);
            /* another thread may have put another scope in slot i:
             * look again, ours is then further on (or nowhere) */
            i = s ? find(t, scope, &s) : -1;
        }
    }
    *index = i;
    return i >= 0 ? s : NULL;
}

int mai_scope_keys_slot(mai_scope_keys_t *t, const mai_hmac_key_t *k,
                        const mai_cache_scope_t *scope)
{
    int i;

    return slot_of(t, k, scope, &i) ? i + 1 : 0;
}

void mai_scope_keys_key_of_hash(mai_scope_keys_t *t,
                                const mai_hmac_key_t *k,
                                const mai_cache_scope_t *scope, int slot,
                                const unsigned char th[MAI_DIGEST_LEN],
                                unsigned char key[MAI_DIGEST_LEN])
{
    const slot_t *s = NULL;

    if (t && t->k == k && slot > 0 && slot <= SLOTS) {
        s = slot_at(t, slot - 1);
    }
    if (s && s->prefix && (same_addresses(&s->given, scope)
                           || mai_cache_scope_equal(&s->scope, scope))) {
        mai_digest_cache_key_of_prefix(s->prefix, th, key);
    }
    else {
        mai_digest_cache_key_of_hash(k, scope, th, key);
    }
}

void mai_scope_keys_key(mai_scope_keys_t *t, const mai_hmac_key_t *k,
                        const mai_cache_scope_t *scope, const char *token,
                        unsigned char key[MAI_DIGEST_LEN],
                        unsigned char th[MAI_DIGEST_LEN])
{
    int i;
    const slot_t *s = slot_of(t, k, scope, &i);

    if (s && s->prefix) {
        mai_digest_cache_key_prefixed(s->prefix, token, key, th);
    }
    else {
        mai_digest_sha256(token, strlen(token), th);
        mai_digest_cache_key_of_hash(k, scope, th, key);
    }
}
