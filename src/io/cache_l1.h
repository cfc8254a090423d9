/* SPDX-License-Identifier: Apache-2.0 */
/* cache_l1.h: the per-process cache of parsed introspection answers, in
 * front of the shared cache. A hit costs one shard lock and no parsing. */
#ifndef MAI_CACHE_L1_H
#define MAI_CACHE_L1_H

#include <apr_pools.h>
#include "digest.h"
#include "result.h"
#include "export_plan.h"

typedef struct mai_l1 mai_l1_t;

/** A cache of at most max_entries answers, living in p (pchild). NULL
 * when max_entries is 0 (L1 disabled). Thread-safe. */
mai_l1_t *mai_l1_create(apr_pool_t *p, int max_entries);

/* An entry is found by (key, scope): lookup.c keys an entry by
 * mai_l1_token_key (else the token's SHA-256) and its scope's slot
 * number (scope_keys.h), or, for a scope without a slot, by the full HMAC
 * cache key with scope 0. Each is pseudo-random, so key[0] and key[4..7]
 * spread them well. */

/** key = the keyed 128-bit PRF of the token under this process's random
 * key (token_prf.h), zero-padded to MAI_DIGEST_LEN. @return 0 when there
 * is no PRF (OpenSSL without SipHash): key by the token's SHA-256. */
int mai_l1_token_key(mai_l1_t *l1, const char *token, apr_size_t len,
                     unsigned char key[MAI_DIGEST_LEN]);

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

/** mai_l1_get, and the exports prepared with the answer when it was
 * stored (mai_l1_put_prepared), held as long as *res; NULL if none. */
int mai_l1_get_prepared(mai_l1_t *l1, const unsigned char *key, int scope,
                        apr_pool_t *owner, const mai_result_t **res,
                        apr_int64_t *fetched_at, apr_int64_t *stored_at,
                        const mai_export_prepared_t **exports);

/** Store a copy of res under (key, scope), replacing an older answer;
 * when the table is full, evicts about the least recently used entry
 * (the oldest of the shard whose oldest was used longest ago).
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

/** mai_l1_put_held, and with the copy the exports of opts
 * (mai_export_prepare; opts NULL: none) prepared from it, so every hit
 * of the location that stored it only adds table entries. *exports: the
 * prepared exports, held as the copy is; NULL if none or not stored. */
const mai_result_t *mai_l1_put_prepared(mai_l1_t *l1,
                                        const unsigned char *key, int scope,
                                        const unsigned char *token_hash,
                                        const mai_result_t *res,
                                        apr_int64_t fetched_at,
                                        apr_int64_t stored_at,
                                        apr_pool_t *owner,
                                        const mai_export_opts_t *opts,
                                        const mai_export_prepared_t **exports);

/** Drop the entry under (key, scope), if any (an answer found stale). */
void mai_l1_remove(mai_l1_t *l1, const unsigned char *key, int scope);

/* What names the shared cache's value an entry came from or went into:
 * its last bytes, the AES-GCM tag (cache_entry.h), which no other value
 * shares. */
#define MAI_L1_ORIGIN_LEN 16

/** Note the shared-cache value the entry under key and scope came from
 * or was stored as (origin: MAI_L1_ORIGIN_LEN bytes), if the entry is
 * still the answer fetched at fetched_at. */
void mai_l1_set_origin(mai_l1_t *l1, const unsigned char *key, int scope,
                       apr_int64_t fetched_at, const unsigned char *origin);

/** A recheck (AuthIntrospectCacheL1Recheck) that found origin in the
 * shared cache: when it is the very value the entry came from, the entry
 * counts as stored now and 1 is returned; 0 otherwise (no entry, no
 * origin noted, or another value: the caller opens that one). */
int mai_l1_confirm(mai_l1_t *l1, const unsigned char *key, int scope,
                   const unsigned char *origin, apr_int64_t now);

/** Drop every entry of the token whose SHA-256 is token_hash, whatever
 * its scope (a purge). @return how many went. */
int mai_l1_purge_hash(mai_l1_t *l1, const unsigned char *token_hash);

/** Drop every entry (a purge this process could not follow one by one).
 * @return how many went. */
int mai_l1_clear(mai_l1_t *l1);

/** Number of entries now (for tests). */
int mai_l1_count(mai_l1_t *l1);

#endif
