/* SPDX-License-Identifier: Apache-2.0 */
/* replay_table.c: a per-process replay store: open addressing over a
 * fixed array, a slot free once its entry expired. The keys are HMACs
 * under the cache secret, so an attacker cannot crowd one neighbourhood;
 * a full neighbourhood refuses rather than forgets (fail closed). */
#include <string.h>
#include <apr_thread_mutex.h>
#include "replay_table.h"

/* slots looked at from the key's own: a bounded walk per request */
#define PROBES 16

typedef struct {
    unsigned char key[MAI_DIGEST_LEN];
    apr_time_t expiry;               /* 0: never used */
} slot_t;

struct mai_replay_table {
    apr_thread_mutex_t *lock;
    slot_t *slots;
    apr_uint32_t mask;
};

mai_replay_table_t *mai_replay_table_create(apr_pool_t *p, int slots)
{
    mai_replay_table_t *t;
    apr_uint32_t n = 1;

    if (slots <= 0) {
        return NULL;
    }
    while (n < (apr_uint32_t)slots && n < (1u << 24)) {
        n <<= 1;
    }
    t = apr_pcalloc(p, sizeof(*t));
    if (apr_thread_mutex_create(&t->lock, APR_THREAD_MUTEX_DEFAULT, p)
        != APR_SUCCESS) {
        return NULL;
    }
    t->slots = apr_pcalloc(p, n * sizeof(slot_t));
    t->mask = n - 1;
    return t;
}

mai_replay_t mai_replay_table_add(mai_replay_table_t *t,
                                  const unsigned char *key,
                                  apr_time_t expiry, apr_time_t now)
{
    apr_uint32_t h, i;
    slot_t *s, *free_slot = NULL;
    mai_replay_t r = MAI_REPLAY_FULL;

    memcpy(&h, key, sizeof(h));
    apr_thread_mutex_lock(t->lock);
    for (i = 0; i < PROBES; i++) {
        s = &t->slots[(h + i) & t->mask];
        if (s->expiry > now) {
            if (!memcmp(s->key, key, MAI_DIGEST_LEN)) {
                r = MAI_REPLAY_SEEN;
                break;
            }
        }
        else if (!free_slot) {
            free_slot = s;
        }
    }
    if (r != MAI_REPLAY_SEEN && free_slot) {
        memcpy(free_slot->key, key, MAI_DIGEST_LEN);
        free_slot->expiry = expiry;
        r = MAI_REPLAY_NEW;
    }
    apr_thread_mutex_unlock(t->lock);
    return r;
}
