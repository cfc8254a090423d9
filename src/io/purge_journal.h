/* SPDX-License-Identifier: Apache-2.0 */
/* purge_journal.h: how a purge reaches every process's L1 on this host.
 * The parent makes a small shared-memory ring of purged token hashes
 * (post_config); a purge appends to it; each process, on its next
 * lookup, sees the count move (one atomic load) and drops those tokens
 * from its own L1. */
#ifndef MAI_PURGE_JOURNAL_H
#define MAI_PURGE_JOURNAL_H

#include <apr_pools.h>
#include <apr_atomic.h>
#include "digest.h"
#include "cache_l1.h"

/** Purges a process may fall behind by and still follow one by one;
 * further behind, it empties its whole L1 instead. */
#define MAI_PURGE_RING 256

typedef struct mai_purge_journal mai_purge_journal_t;

/** One process's view: what of the journal it has applied to its L1. */
typedef struct mai_purge_reader {
    volatile apr_uint32_t *head;        /* the journal's purge count */
    volatile apr_uint32_t applied;      /* read unlocked: a hint */
    mai_purge_journal_t *journal;
    struct apr_thread_mutex_t *lock;
} mai_purge_reader_t;

/** The journal in anonymous shared memory from pconf (post_config, in the
 * parent, before the children fork). NULL and *err on failure. */
mai_purge_journal_t *mai_purge_journal_create(apr_pool_t *pconf,
                                              const char **err);

/** Record that the token with this SHA-256 was purged. Any process may
 * call it at any time; writers do not block each other. */
void mai_purge_journal_add(mai_purge_journal_t *j,
                           const unsigned char hash[MAI_DIGEST_LEN]);

/** A reader for this process (child_init), starting at the journal's
 * present: a new process has nothing in its L1 to purge. From pchild. */
mai_purge_reader_t *mai_purge_reader_create(apr_pool_t *pchild,
                                            mai_purge_journal_t *j);

/** Bring l1 up to date with the journal: drop each token purged since
 * the last call (or, if more than MAI_PURGE_RING went by, everything).
 * @return entries dropped. */
int mai_purge_reader_apply(mai_purge_reader_t *r, mai_l1_t *l1);

/** How many purges this host has seen: what the L1 path pays when
 * nothing was purged is this one atomic load. */
static APR_INLINE apr_uint32_t mai_purge_reader_head(mai_purge_reader_t *r)
{
    return apr_atomic_read32(r->head);
}

/** True when head (from mai_purge_reader_head) is ahead of what this
 * process applied: mai_purge_reader_apply has work. */
static APR_INLINE int mai_purge_reader_behind(mai_purge_reader_t *r,
                                              apr_uint32_t head)
{
    return head != r->applied;
}

#endif
