/* SPDX-License-Identifier: Apache-2.0 */
/* scope_keys.h: per process, the cache key's prepared prefix for each
 * scope requests have used (digest.h's mai_key_prefix_t), so computing a
 * request's cache key hashes the token's part only. */
#ifndef MAI_SCOPE_KEYS_H
#define MAI_SCOPE_KEYS_H

#include <apr_pools.h>
#include "digest.h"

typedef struct mai_scope_keys mai_scope_keys_t;

/** The table for secret k, living in p (pchild). Thread-safe. */
mai_scope_keys_t *mai_scope_keys_create(apr_pool_t *p,
                                        const mai_hmac_key_t *k);

/** mai_digest_cache_key(k, scope, token), from the prefix prepared for
 * scope (prepared on its first use); th gets the token's SHA-256. t may
 * be NULL: then computed in full, as it is for a scope past the table's
 * capacity. */
void mai_scope_keys_key(mai_scope_keys_t *t, const mai_hmac_key_t *k,
                        const mai_cache_scope_t *scope, const char *token,
                        unsigned char key[MAI_DIGEST_LEN],
                        unsigned char th[MAI_DIGEST_LEN]);

/** The number of scope's slot in t (1 up; prepared on first use), or 0
 * when it has none (t NULL, another secret, or the table full). Within a
 * process a slot holds one scope for good: (slot, token's SHA-256) names
 * one scope and one token, which is how the per-process cache is keyed
 * without the HMAC. scope's strings must stay as they are, at their
 * addresses, while t lives (the configuration's do: t lives in pchild):
 * a scope given with the very strings a slot was first asked for is
 * found by their addresses, without comparing text. */
int mai_scope_keys_slot(mai_scope_keys_t *t, const mai_hmac_key_t *k,
                        const mai_cache_scope_t *scope);

/** mai_digest_cache_key(k, scope, token) from the token's SHA-256 th and
 * scope's slot (from mai_scope_keys_slot; 0 or a slot holding another
 * scope: computed in full). */
void mai_scope_keys_key_of_hash(mai_scope_keys_t *t,
                                const mai_hmac_key_t *k,
                                const mai_cache_scope_t *scope, int slot,
                                const unsigned char th[MAI_DIGEST_LEN],
                                unsigned char key[MAI_DIGEST_LEN]);

#endif
