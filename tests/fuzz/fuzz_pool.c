/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_pool.c: APR pools that AddressSanitizer can see into.
 *
 * A pool carves its allocations out of 8 KiB blocks and recycles the
 * blocks, so a write past the end of one apr_palloc() result usually
 * lands in the same block and ASan stays silent. Debian's libapr has no
 * pool-debug build, so this file interposes apr_palloc (the executable's
 * definition wins over libapr's, for libapr's own callers too): while
 * the harness runs, every allocation is its own malloc block, filled
 * with 0xa5, remembered with its pool and freed when that pool is
 * released. apr_psprintf and a
 * few other libapr internals still use the real pool blocks; they are not
 * what the parsers under test write into. Test code only, never linked
 * into the module. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include "fuzz.h"

typedef struct {
    apr_pool_t *pool;
    void *mem;
} block_t;

static apr_pool_t *root;
static int tracking;
static block_t *blocks;
static size_t nblocks, capblocks;

static void *real_palloc(apr_pool_t *p, apr_size_t n)
{
    static void *(*real)(apr_pool_t *, apr_size_t);

    if (!real) {
        *(void **)&real = dlsym(RTLD_NEXT, "apr_palloc");
        if (!real) {
            mai_fuzz_fail("dlsym(apr_palloc)", __FILE__, __LINE__);
        }
    }
    return real(p, n);
}

/* The interposers: the names are APR's, which is the point. */
void *apr_palloc(apr_pool_t *p, apr_size_t n)
{
    void *m;

    if (!tracking) {
        return real_palloc(p, n);
    }
    if (nblocks == capblocks) {
        capblocks = capblocks ? capblocks * 2 : 1024;
        blocks = realloc(blocks, capblocks * sizeof(*blocks));
        if (!blocks) {
            abort();
        }
    }
    m = malloc(n ? n : 1);
    if (!m) {
        abort();
    }
    /* never zero by luck: a read of a byte nobody wrote shows, even in
     * the replayers built without sanitizers */
    memset(m, 0xa5, n);
    blocks[nblocks].pool = p;
    blocks[nblocks++].mem = m;
    return m;
}

#undef apr_pcalloc
void *apr_pcalloc(apr_pool_t *p, apr_size_t n);
void *apr_pcalloc(apr_pool_t *p, apr_size_t n)
{
    return memset(apr_palloc(p, n), 0, n);
}

apr_pool_t *mai_fuzz_pool(void)
{
    apr_pool_t *p;

    if (!root) {
        if (apr_initialize() != APR_SUCCESS ||
            apr_pool_create(&root, NULL) != APR_SUCCESS) {
            mai_fuzz_fail("apr_initialize", __FILE__, __LINE__);
        }
        atexit(apr_terminate);
        tracking = 1;
    }
    if (apr_pool_create(&p, root) != APR_SUCCESS) {
        mai_fuzz_fail("apr_pool_create", __FILE__, __LINE__);
    }
    return p;
}

void mai_fuzz_pool_free(apr_pool_t *p)
{
    size_t i, kept = 0;

    /* cleanups run first and may still read the pool's blocks */
    apr_pool_destroy(p);
    for (i = 0; i < nblocks; i++) {
        if (blocks[i].pool == p) {
            free(blocks[i].mem);
        } else {
            blocks[kept++] = blocks[i];
        }
    }
    nblocks = kept;
}

char *mai_fuzz_dup(const uint8_t *data, size_t size, int nul)
{
    char *s = malloc(size + (nul ? 1 : 0) + (size || nul ? 0 : 1));

    if (!s) {
        abort();
    }
    if (size) {
        memcpy(s, data, size);
    }
    if (nul) {
        s[size] = '\0';
    }
    return s;
}

void mai_fuzz_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
    abort();
}
