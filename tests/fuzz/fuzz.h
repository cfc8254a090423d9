/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz.h: what the fuzz targets, the pool tracker and the replayer share.
 * Test code, not part of the module. */
#ifndef MAI_FUZZ_H
#define MAI_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <apr_pools.h>

/** The libFuzzer entry point each fuzz_<parser>.c defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** A fresh pool for one input (APR is initialized on the first call).
 * Every allocation from it is a separate malloc block, so AddressSanitizer
 * sees each one's exact bounds; release it with mai_fuzz_pool_free. */
apr_pool_t *mai_fuzz_pool(void);

/** Destroy p and free what was allocated from it: a pointer still held
 * into p is dangling from here on, and ASan reports any use of it. */
void mai_fuzz_pool_free(apr_pool_t *p);

/** An exactly sized malloc copy of data (not NUL-terminated, so reading
 * past size is an ASan report), or a NUL-terminated one when nul is set
 * (the string stops at the first NUL byte of data). Free with free(). */
char *mai_fuzz_dup(const uint8_t *data, size_t size, int nul);

/** Report a broken invariant and abort, so libFuzzer keeps the input. */
void mai_fuzz_fail(const char *what, const char *file, int line);

#define MAI_FUZZ_ASSERT(cond) \
    ((cond) ? (void)0 : mai_fuzz_fail(#cond, __FILE__, __LINE__))

#endif
