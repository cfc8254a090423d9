/* SPDX-License-Identifier: Apache-2.0 */
/* purge_journal.c: a ring of purged token hashes in shared memory, with
 * one sequence number per slot so readers never take a lock a writer
 * holds: a writer claims the next number (atomic increment), writes its
 * hash, then publishes the slot's number. A reader that finds a slot not
 * yet published stops there and tries again on its next lookup; one that
 * finds it overwritten (the ring went round) empties its L1. Either way
 * no purged answer is served again. */
#include <string.h>
#include <apr_shm.h>
#include <apr_thread_mutex.h>
#include "purge_journal.h"

typedef struct {
    volatile apr_uint32_t seq;          /* n + 1 once purge n is written */
    unsigned char hash[MAI_DIGEST_LEN];
} slot_t;

typedef struct {
    volatile apr_uint32_t head;         /* purges claimed so far */
    slot_t slots[MAI_PURGE_RING];
} shared_t;

struct mai_purge_journal {
    shared_t *sh;
};

mai_purge_journal_t *mai_purge_journal_create(apr_pool_t *pconf,
                                              const char **err)
{
    mai_purge_journal_t *j = apr_pcalloc(pconf, sizeof(*j));
    apr_shm_t *shm;

    /* anonymous: inherited by the children, gone with pconf (a restart
     * makes new children, with new, empty L1s) */
    if (apr_shm_create(&shm, sizeof(shared_t), NULL, pconf)
        != APR_SUCCESS) {
        *err = "cannot create the purge journal (anonymous shared memory)";
        return NULL;
    }
    j->sh = apr_shm_baseaddr_get(shm);
    memset(j->sh, 0, sizeof(shared_t));
    return j;
}

void mai_purge_journal_add(mai_purge_journal_t *j,
                           const unsigned char hash[MAI_DIGEST_LEN])
{
    apr_uint32_t n = apr_atomic_inc32(&j->sh->head);
    slot_t *s = &j->sh->slots[n % MAI_PURGE_RING];

    apr_atomic_set32(&s->seq, 0);       /* being written */
    memcpy(s->hash, hash, MAI_DIGEST_LEN);
    apr_atomic_set32(&s->seq, n + 1);
}

mai_purge_reader_t *mai_purge_reader_create(apr_pool_t *pchild,
                                            mai_purge_journal_t *j)
{
    mai_purge_reader_t *r = apr_pcalloc(pchild, sizeof(*r));

    r->journal = j;
    r->head = &j->sh->head;
    r->applied = apr_atomic_read32(&j->sh->head);
    apr_thread_mutex_create(&r->lock, APR_THREAD_MUTEX_DEFAULT, pchild);
    return r;
}

/* Slot of purge n: 1 read (hash copied), 0 not written yet, -1 lost. */
static int read_slot(shared_t *sh, apr_uint32_t n,
                     unsigned char hash[MAI_DIGEST_LEN])
{
    slot_t *s = &sh->slots[n % MAI_PURGE_RING];
    apr_uint32_t before = apr_atomic_read32(&s->seq);

    if (before != n + 1) {
        /* an older number (or 0 while written): purge n is on its way;
         * a newer one: the ring went round past it */
        return before == 0 || (apr_int32_t)(before - (n + 1)) < 0 ? 0 : -1;
    }
    memcpy(hash, s->hash, MAI_DIGEST_LEN);
    return apr_atomic_read32(&s->seq) == before ? 1 : -1;
}

int mai_purge_reader_apply(mai_purge_reader_t *r, mai_l1_t *l1)
{
    shared_t *sh = r->journal->sh;
    unsigned char hash[MAI_DIGEST_LEN];
    apr_uint32_t head;
    int dropped = 0, got = 1, i;

    apr_thread_mutex_lock(r->lock);
    head = apr_atomic_read32(&sh->head);
    if (head - r->applied > MAI_PURGE_RING) {
        got = -1;
    }
    /* at most one ring's worth: bounded whatever the counters say */
    for (i = 0; got == 1 && r->applied != head && i < MAI_PURGE_RING; i++) {
        got = read_slot(sh, r->applied, hash);
        if (got == 1) {
            dropped += l1 ? mai_l1_purge_hash(l1, hash) : 0;
            r->applied++;
        }
    }
    if (got < 0) {
        dropped += l1 ? mai_l1_clear(l1) : 0;
        r->applied = head;
    }
    apr_thread_mutex_unlock(r->lock);
    return dropped;
}
