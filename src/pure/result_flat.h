/* SPDX-License-Identifier: Apache-2.0 */
/* result_flat.h: a result copied into one exactly-sized block, so the
 * per-process cache pays for what an answer holds and nothing more (a pool
 * per entry would cost at least 8 KiB each). The copy also carries each
 * top-level claim's environment name (mai_claim_t's env_name), made here
 * once, so the exports of an L1 hit build no names. Pure. */
#ifndef MAI_RESULT_FLAT_H
#define MAI_RESULT_FLAT_H

#include "result.h"

/** Bytes mai_result_flat_copy needs for res. */
apr_size_t mai_result_flat_size(const mai_result_t *res);

/** Deep-copy res into buf (size bytes, suitably aligned, e.g. from
 * malloc). Returns the copy, which lives at buf, or NULL (nothing
 * written) when size is less than mai_result_flat_size(res). */
mai_result_t *mai_result_flat_copy(void *buf, apr_size_t size,
                                   const mai_result_t *res);

#endif
