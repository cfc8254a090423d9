/* SPDX-License-Identifier: Apache-2.0 */
/* key_cache.h: imported public keys of one process by a text key (an
 * RFC 7638 thumbprint, or a DPoP proof's whole protected header), so a
 * DPoP client's key is built once, not on every proof (building a cjose
 * EC key makes a new EC_GROUP: about a third of the proof's
 * verification), and its header is read once. Bounded, thread-safe; what
 * it holds is opaque here (jose.c stores cjose keys and gives the release
 * function), with a small fixed blob of facts beside each. */
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
 * The object stored under exactly this key, or NULL. A found
 * object is held for p (the request's pool): evicted meanwhile, it is
 * released only when p is cleared, never under a request still using it.
 */
void *mai_key_cache_get(mai_key_cache_t *c, apr_pool_t *p,
                        const char *thumbprint);

/** mai_key_cache_get that also copies the MAI_KEY_CACHE_INFO bytes
 * stored beside the object into info (when found; info may be NULL). */
void *mai_key_cache_get_info(mai_key_cache_t *c, apr_pool_t *p,
                             const char *key, void *info);

/**
 * Store obj under key; the cache (not NULL) owns it from here on
 * and holds it for p as well, so the caller may use it until p is
 * cleared. A full set
 * drops its least recently used entry (released once no pool holds it).
 * A key longer than MAI_KEY_CACHE_KEY_MAX is not stored: obj is
 * then only held for p.
 */
void mai_key_cache_put(mai_key_cache_t *c, apr_pool_t *p,
                       const char *thumbprint, void *obj);

/** mai_key_cache_put with MAI_KEY_CACHE_INFO bytes from info (NULL:
 * zeros) kept beside the object. */
void mai_key_cache_put_info(mai_key_cache_t *c, apr_pool_t *p,
                            const char *key, void *obj, const void *info);

/* A SHA-256 thumbprint in base64url without padding is 43 characters; a
 * DPoP proof header with an RSA-4096 key about 1,100. */
#define MAI_KEY_CACHE_KEY_MAX 1200
/* The blob beside each object (jose.c: thumbprint, alg, typ). */
#define MAI_KEY_CACHE_INFO 96

#endif
