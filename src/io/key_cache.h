/* SPDX-License-Identifier: Apache-2.0 */
/* key_cache.h: imported public keys of one process by their RFC 7638
 * thumbprint, so a DPoP client's key is built once, not on every proof
 * (building a cjose EC key makes a new EC_GROUP: about a third of the
 * proof's verification). Bounded, thread-safe; what it holds is opaque
 * here (jose.c stores cjose keys and gives the release function). */
#ifndef MAI_KEY_CACHE_H
#define MAI_KEY_CACHE_H

#include <apr_pools.h>

typedef struct mai_key_cache mai_key_cache_t;

/** Release function of what the cache holds (cjose_jwk_release). */
typedef void (*mai_key_release_fn)(void *obj);

/**
 * A cache of at most entries objects (rounded up to a multiple of its
 * set size) in p, the process pool: every object still held is released
 * when p is cleared. NULL when entries is 0 or no mutex can be made.
 */
mai_key_cache_t *mai_key_cache_create(apr_pool_t *p, int entries,
                                      mai_key_release_fn release);

/**
 * The object stored under exactly this thumbprint, or NULL. A found
 * object is held for p (the request's pool): evicted meanwhile, it is
 * released only when p is cleared, never under a request still using it.
 */
void *mai_key_cache_get(mai_key_cache_t *c, apr_pool_t *p,
                        const char *thumbprint);

/**
 * Store obj under thumbprint; the cache (not NULL) owns it from here on
 * and holds it for p as well, so the caller may use it until p is
 * cleared. A full set
 * drops its least recently used entry (released once no pool holds it).
 * A thumbprint longer than MAI_KEY_CACHE_TP_MAX is not stored: obj is
 * then only held for p.
 */
void mai_key_cache_put(mai_key_cache_t *c, apr_pool_t *p,
                       const char *thumbprint, void *obj);

/* A SHA-256 thumbprint in base64url without padding is 43 characters. */
#define MAI_KEY_CACHE_TP_MAX 64

#endif
