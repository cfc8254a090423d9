/* SPDX-License-Identifier: Apache-2.0 */
/* cache_entry.h: the sealed value stored in the shared cache. Pure. */
#ifndef MAI_CACHE_ENTRY_H
#define MAI_CACHE_ENTRY_H

#include <apr_pools.h>
#include "status.h"
#include "digest.h"

/**
 * Seal an introspection response for the shared cache: a version byte, a
 * random 96-bit nonce, AES-256-GCM ciphertext of (active flag, the time
 * the answer was fetched, JSON) and its tag. Each reader decides from
 * fetched_at whether the answer is young enough for its own TTL. The key
 * is HKDF-SHA256 of the token salted with the cache secret: a cache dump
 * is useless without the token, and no one without the secret can seal an
 * entry that opens. `lookup_key` (the 32-byte cache key) is bound as
 * additional data so an entry moved to another key fails to open.
 * @return MAI_OK or MAI_STATUS_INTERNAL; *out (from p) and *out_len set.
 */
mai_status_t mai_cache_entry_seal(apr_pool_t *p,
                                  const mai_hmac_key_t *secret,
                                  const char *token,
                                  const unsigned char *lookup_key,
                                  int active, apr_int64_t fetched_at,
                                  const char *json, apr_size_t json_len,
                                  unsigned char **out, apr_size_t *out_len);

/**
 * Open a sealed entry. MAI_STATUS_CACHE_CORRUPT when the version, length,
 * tag or binding does not verify (tampered, swapped, or sealed by someone
 * without this secret).
 * On MAI_OK, *json is a NUL-terminated copy in p.
 */
mai_status_t mai_cache_entry_open(apr_pool_t *p,
                                  const mai_hmac_key_t *secret,
                                  const char *token,
                                  const unsigned char *lookup_key,
                                  const unsigned char *data, apr_size_t len,
                                  int *active, apr_int64_t *fetched_at,
                                  const char **json, apr_size_t *json_len);

#endif
