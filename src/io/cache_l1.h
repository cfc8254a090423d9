/* SPDX-License-Identifier: Apache-2.0 */
/* cache_l1.h: the per-process cache of parsed introspection answers, in
 * front of the shared cache. A hit costs one shard lock and no parsing. */
#ifndef MAI_CACHE_L1_H
#define MAI_CACHE_L1_H

#include <apr_pools.h>
#include "digest.h"
#include "result.h"

typedef struct mai_l1 mai_l1_t;

/** A cache of at most max_entries answers, living in p (pchild). NULL
 * when max_entries is 0 (L1 disabled). Thread-safe. */
mai_l1_t *mai_l1_create(apr_pool_t *p, int max_entries);

/* An entry is found by (key, scope): lookup.c keys an entry by the
 * token's SHA-256 and its scope's slot number (scope_keys.h), or, for a
 * scope without a slot, by the full HMAC cache key with scope 0. Both
 * are 32-byte digests, so key[0] and key[4..7] spread them well. */

/**
 * The answer stored under (key, scope), if any. *res stays valid until
 * `owner` (a request pool) is cleared, even if the entry is evicted
 * meanwhile.
 * *fetched_at is when the endpoint gave the answer; the caller judges
 * its age against its own TTL. *stored_at is when it entered this L1
 * (when it was last confirmed against the shared cache).
 * @return 1 on a hit, 0 on a miss.
 */
int mai_l1_get(mai_l1_t *l1, const unsigned char *key, int scope,
               apr_pool_t *owner, const mai_result_t **res,
               apr_int64_t *fetched_at, apr_int64_t *stored_at);

/** Store a copy of res under (key, scope), replacing an older answer;
 * evicts the least recently used entry of its shard when full.
 * token_hash (the token's SHA-256) is kept so a purge can find every key of one token;
 * stored_at is now. */
void mai_l1_put(mai_l1_t *l1, const unsigned char *key, int scope,
                const unsigned char *token_hash, const mai_result_t *res,
                apr_int64_t fetched_at, apr_int64_t stored_at);

/** mai_l1_put, and the copy it stored (with its claims' environment
 * names, result_flat.h), held for owner as mai_l1_get's: the request
 * that fetched an answer exports from the copy, building no names.
 * NULL when nothing was stored (no room, L1 of size 0). */
const mai_result_t *mai_l1_put_held(mai_l1_t *l1, const unsigned char *key,
                                    int scope,
                                    const unsigned char *token_hash,
                                    const mai_result_t *res,
                                    apr_int64_t fetched_at,
                                    apr_int64_t stored_at,
                                    apr_pool_t *owner);

/** Drop the entry under (key, scope), if any (an answer found stale). */
void mai_l1_remove(mai_l1_t *l1, const unsigned char *key, int scope);

/** Drop every entry of the token whose SHA-256 is token_hash, whatever
 * its scope (a purge). @return how many went. */
int mai_l1_purge_hash(mai_l1_t *l1, const unsigned char *token_hash);

/** Drop every entry (a purge this process could not follow one by one).
 * @return how many went. */
int mai_l1_clear(mai_l1_t *l1);

/** Number of entries now (for tests). */
int mai_l1_count(mai_l1_t *l1);

#endif
