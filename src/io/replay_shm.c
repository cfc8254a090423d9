/* SPDX-License-Identifier: Apache-2.0 */
/* replay_shm.c: the server-wide DPoP replay table: sets of
 * MAI_REPLAY_SHM_WAYS slots in anonymous shared memory, each set under a
 * process-shared robust mutex of its own. A slot is free once its entry
 * expired; a set with no free slot refuses rather than forgets (fail
 * closed: a jti within its window is never dropped to make room).
 *
 * A slot keeps 16 bytes of the key (an HMAC-SHA-256 under the cache
 * secret; the set is picked by the next 4): two different jti share
 * them only by chance (2^-128 a pair) or for someone who knows the
 * secret, and the only effect would be a refusal, never an accepted
 * replay: one jti always makes the same key. */
#include <pthread.h>
#include <string.h>
#include <apr_shm.h>
#include <apr_strings.h>
#include "replay_shm.h"
#include "robust_mutex.h"

#define WAYS MAI_REPLAY_SHM_WAYS
#define KEY_BYTES 16
#define USERDATA "mai-replay-shm"

typedef struct {
    pthread_mutex_t lock;
    apr_time_t expiry[WAYS];            /* 0: never used */
    unsigned char key[WAYS][KEY_BYTES];
} set_t;

struct mai_replay_shm {
    apr_shm_t *shm;
    set_t *sets;
    apr_uint32_t nsets;                 /* a power of two */
};

static apr_uint32_t sets_for(int entries)
{
    apr_uint32_t n = 1;

    /* bounded: the directive allows at most 2^26 entries */
    while ((apr_uint64_t)n * WAYS < (apr_uint64_t)entries && n < (1u << 24)) {
        n <<= 1;
    }
    return n;
}

apr_size_t mai_replay_shm_bytes(int entries)
{
    return entries > 0 ? (apr_size_t)sets_for(entries) * sizeof(set_t) : 0;
}

const char *mai_replay_shm_create(apr_pool_t *p, int entries,
                                  mai_replay_shm_t **out)
{
    mai_replay_shm_t *t = NULL;
    apr_size_t bytes = mai_replay_shm_bytes(entries);
    apr_status_t rv;
    const char *err;
    void *data = NULL;

    *out = NULL;
    apr_pool_userdata_get(&data, USERDATA, p);
    t = data;
    if (t != NULL && apr_shm_size_get(t->shm) == bytes) {
        /* a restart with the same size: the children of both
         * generations share the one table */
        *out = t;
        return NULL;
    }
    if (t != NULL) {
        /* resized: children of the old generation keep their mapping */
        apr_shm_destroy(t->shm);
        apr_pool_userdata_set(NULL, USERDATA, apr_pool_cleanup_null, p);
    }
    if (bytes == 0) {
        return NULL;
    }
    t = apr_pcalloc(p, sizeof(*t));
    rv = apr_shm_create(&t->shm, bytes, NULL, p);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "cannot make the DPoP replay table (%"
                            APR_SIZE_T_FMT " bytes of anonymous shared "
                            "memory): %pm", bytes, &rv);
    }
    t->sets = apr_shm_baseaddr_get(t->shm);
    t->nsets = (apr_uint32_t)(bytes / sizeof(set_t));
    memset(t->sets, 0, bytes);
    /* one lock a set, so proofs in different sets never wait */
    err = mai_robust_mutex_init(p, &t->sets[0].lock, sizeof(set_t),
                                t->nsets);
    if (err != NULL) {
        apr_shm_destroy(t->shm);
        return apr_pstrcat(p, "cannot make the DPoP replay table: ", err,
                           NULL);
    }
    apr_pool_userdata_set(t, USERDATA, apr_pool_cleanup_null, p);
    *out = t;
    return NULL;
}

/* A set whose last holder died is taken over as it is (robust_mutex.h):
 * a slot is claimed by writing its key before its expiry, and a slot
 * being claimed was expired, so a write cut short leaves an expired
 * (free) slot, never a live entry that is wrong. */
mai_replay_t mai_replay_shm_add(mai_replay_shm_t *t,
                                const unsigned char *key,
                                apr_time_t expiry, apr_time_t now)
{
    apr_uint32_t h;
    set_t *s;
    int i, free_slot = -1;
    mai_replay_t r = MAI_REPLAY_FULL;

    memcpy(&h, key + KEY_BYTES, sizeof(h));
    s = &t->sets[h & (t->nsets - 1)];
    if (mai_robust_mutex_lock(&s->lock) != 0) {
        return MAI_REPLAY_FAULT;
    }
    for (i = 0; i < WAYS; i++) {
        if (s->expiry[i] > now) {
            if (memcmp(s->key[i], key, KEY_BYTES) == 0) {
                r = MAI_REPLAY_SEEN;
                break;
            }
        }
        else if (free_slot < 0) {
            free_slot = i;
        }
    }
    if (r != MAI_REPLAY_SEEN && free_slot >= 0) {
        memcpy(s->key[free_slot], key, KEY_BYTES);
        s->expiry[free_slot] = expiry;
        r = MAI_REPLAY_NEW;
    }
    pthread_mutex_unlock(&s->lock);
    return r;
}
