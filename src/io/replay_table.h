/* SPDX-License-Identifier: Apache-2.0 */
/* replay_table.h: the DPoP replay store of one process, for when there
 * is no shared cache (AuthIntrospectCache none) or it fails: a fixed
 * table of keys (HMACs, so no one can aim at a slot) and their expiry.
 * It sees only this process's requests: docs/dpop.md says what that
 * means. */
#ifndef MAI_REPLAY_TABLE_H
#define MAI_REPLAY_TABLE_H

#include <apr_pools.h>
#include <apr_time.h>
#include "digest.h"

typedef struct mai_replay_table mai_replay_table_t;

/* Slots per process: without a shared cache (40 bytes each: 640 KiB, a
 * few thousand proofs a second over a 120 s window), and as the stand-in
 * while the shared cache fails. */
#define MAI_REPLAY_SLOTS        16384
#define MAI_REPLAY_SLOTS_BACKUP 1024

/** A table of slots entries (rounded up to a power of two), in p
 * (pchild); thread-safe. NULL when slots is 0. */
mai_replay_table_t *mai_replay_table_create(apr_pool_t *p, int slots);

typedef enum {
    MAI_REPLAY_NEW,      /* not seen: now remembered until expiry */
    MAI_REPLAY_SEEN,     /* seen and not expired: a replay */
    MAI_REPLAY_FULL,     /* no free slot near the key's: not remembered */
    MAI_REPLAY_FAULT     /* the store failed (replay_shm.c's lock) */
} mai_replay_t;

/** Remember key until expiry unless it is there already. */
mai_replay_t mai_replay_table_add(mai_replay_table_t *t,
                                  const unsigned char *key,
                                  apr_time_t expiry, apr_time_t now);

#endif
