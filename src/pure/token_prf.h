/* SPDX-License-Identifier: Apache-2.0 */
/* token_prf.h: a keyed 128-bit pseudo-random function of a token
 * (SipHash-2-4 with 128-bit output, token_prf.c), under a key
 * drawn at random for one process and never leaving it: the per-process
 * cache (L1) finds a token's entry by it, where a token's SHA-256 costs
 * several times more (docs/security.md, "The per-process cache's key"). */
#ifndef MAI_TOKEN_PRF_H
#define MAI_TOKEN_PRF_H

#include <apr_pools.h>

#define MAI_PRF_LEN 16

typedef struct mai_token_prf mai_token_prf_t;

/** A new random key (RAND_bytes), from p; NULL when there are no random
 * bytes (the caller then keys by SHA-256). */
mai_token_prf_t *mai_token_prf_create(apr_pool_t *p);

/** The same with a given key (the test vectors'). */
mai_token_prf_t *mai_token_prf_create_key(apr_pool_t *p,
                                          const unsigned char key[16]);

/** out = SipHash-2-4-128 under k's key of data. @return 1. Thread-safe
 * (k is only read). */
int mai_token_prf(const mai_token_prf_t *k, const void *data,
                  apr_size_t len, unsigned char out[MAI_PRF_LEN]);

#endif
