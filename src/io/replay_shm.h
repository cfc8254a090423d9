/* SPDX-License-Identifier: Apache-2.0 */
/* replay_shm.h: the DPoP replay store of one server (every process of
 * this httpd), when the shared cache is shmcb or none: a fixed table in
 * anonymous shared memory, made by the parent before the children fork,
 * in sets of slots each under a lock of its own, so proofs landing in
 * different sets never wait for each other (shmcb serialises every
 * look-up of every process on one mutex). Look-up and insert are one
 * step under the set's lock: two processes cannot both accept one jti.
 * Keys are HMACs under the cache secret, so no one can aim at a set. */
#ifndef MAI_REPLAY_SHM_H
#define MAI_REPLAY_SHM_H

#include <apr_pools.h>
#include <apr_time.h>
#include "digest.h"
#include "replay_table.h"

typedef struct mai_replay_shm mai_replay_shm_t;

/* Slots per set: a key may sit in any slot of its set. 32 make a full
 * set rare until the table is well past half full (docs/dpop.md). */
#define MAI_REPLAY_SHM_WAYS 32

/* Bytes of a table of this many entries (rounded up to whole sets, a
 * power of two of them). */
apr_size_t mai_replay_shm_bytes(int entries);

/**
 * A table of at least entries slots in p (the process pool in the
 * parent, so children inherit it and it outlives restarts): *out, or an
 * error string from p. entries 0 makes no table (*out NULL, no error).
 * A table already in p with the same size is reused, so a graceful
 * restart keeps every remembered jti.
 */
const char *mai_replay_shm_create(apr_pool_t *p, int entries,
                                  mai_replay_shm_t **out);

/** Remember key until expiry unless it is there already and unexpired:
 * MAI_REPLAY_NEW, MAI_REPLAY_SEEN, MAI_REPLAY_FULL (every slot of its set
 * holds an unexpired key: not remembered, to be refused) or
 * MAI_REPLAY_FAULT (the set's lock failed). */
mai_replay_t mai_replay_shm_add(mai_replay_shm_t *t,
                                const unsigned char *key,
                                apr_time_t expiry, apr_time_t now);

#endif
