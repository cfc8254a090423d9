/* SPDX-License-Identifier: Apache-2.0 */
/* cache_entry.h: the sealed value stored in the shared cache. Pure. */
#ifndef MAI_CACHE_ENTRY_H
#define MAI_CACHE_ENTRY_H

#include <apr_pools.h>
#include "status.h"
#include "digest.h"

/* Whose entry it is: only the same secret, token and lookup key open
 * what they sealed. */
typedef struct mai_cache_entry_key {
    const mai_hmac_key_t *secret;       /* AuthIntrospectCacheSecret */
    const char *token;                  /* the raw token (version 2) */
    const unsigned char *token_hash;    /* its SHA-256 (versions 3, 4) */
    const unsigned char *lookup_key;    /* the 32-byte cache key */
} mai_cache_entry_key_t;

/* What an entry holds. */
typedef struct mai_cache_entry {
    int active;                 /* the answer's "active", 0 or 1 */
    apr_int64_t fetched_at;     /* when the endpoint gave it (s) */
    const char *json;           /* the answer; NUL-terminated when opened */
    apr_size_t json_len;
} mai_cache_entry_t;

/**
 * Seal an introspection response for the shared cache: a version byte, a
 * 96-bit nonce unique to this seal (see cache_entry.c), AES-256-GCM
 * ciphertext of (active flag, the time the answer was fetched, JSON) and
 * its tag. Each reader decides from
 * fetched_at whether the answer is young enough for its own TTL. The key
 * is a pseudo-random function, under the cache secret, of the token's
 * SHA-256 (version 4, see cache_entry.c): a cache dump is useless
 * without the token, and no one without the secret can seal an entry
 * that opens. The lookup key is bound as
 * additional data so an entry moved to another key fails to open.
 * @return MAI_OK or MAI_STATUS_INTERNAL; *out (from p) and *out_len set.
 */
mai_status_t mai_cache_entry_seal(apr_pool_t *p,
                                  const mai_cache_entry_key_t *k,
                                  const mai_cache_entry_t *e,
                                  unsigned char **out, apr_size_t *out_len);

/** Per process, before any seal (child_init): a new random nonce base,
 * so no two processes count from the same one; fetches AES-256-GCM.
 * MAI_STATUS_INTERNAL when the random generator or the cipher fails. */
mai_status_t mai_cache_entry_child_init(void);

/**
 * Open a sealed entry (version 4, or those the builds before sealed: 3,
 * keyed by HMAC-SHA256, or 2, by HKDF-SHA256 of the token salted with
 * the secret). MAI_STATUS_CACHE_CORRUPT when the
 * version, length,
 * tag or binding does not verify (tampered, swapped, or sealed by someone
 * without this secret).
 * On MAI_OK, *e is the entry; e->json is a NUL-terminated copy in p.
 */
mai_status_t mai_cache_entry_open(apr_pool_t *p,
                                  const mai_cache_entry_key_t *k,
                                  const unsigned char *data, apr_size_t len,
                                  mai_cache_entry_t *e);

#endif
