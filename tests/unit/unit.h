/* SPDX-License-Identifier: Apache-2.0 */
/* unit.h: what every cmocka test shares: a fresh pool per test, and a
 * barrier for the tests with threads. */
#ifndef MAI_UNIT_H
#define MAI_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <stdio.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>

/* A fresh pool for each test, destroyed after it: use as cmocka
 * setup/teardown and read the pool from *state. */
static int unit_pool_setup(void **state)
{
    apr_pool_t *p;
    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        return -1;
    }
    *state = p;
    return 0;
}

static int unit_pool_teardown(void **state)
{
    apr_pool_destroy((apr_pool_t *)*state);
    return 0;
}

/* A barrier for tests with threads: unit_barrier_wait returns once n
 * threads have called it, so a test orders its threads by what they did,
 * never by sleeping. Lives in the pool it is created in. */
typedef struct {
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *all_in;
    unsigned int n, arrived;
} unit_barrier_t;

static inline void unit_barrier_init(unit_barrier_t *b, unsigned int n,
                                     apr_pool_t *p)
{
    apr_thread_mutex_create(&b->lock, APR_THREAD_MUTEX_DEFAULT, p);
    apr_thread_cond_create(&b->all_in, p);
    b->n = n;
    b->arrived = 0;
}

static inline void unit_barrier_wait(unit_barrier_t *b)
{
    apr_thread_mutex_lock(b->lock);
    if (++b->arrived >= b->n) {
        apr_thread_cond_broadcast(b->all_in);
    }
    while (b->arrived < b->n) {
        apr_thread_cond_wait(b->all_in, b->lock);
    }
    apr_thread_mutex_unlock(b->lock);
}

/* The i-th of a stream of random address-like strings (at most 47 bytes
 * and a NUL) for comparing a parser with inet_pton: the characters and
 * shapes that matter ("::ffff:", "127." prefixes, digits, colons, dots,
 * hex) are over-represented. *seed carries the stream. */
static inline void unit_random_address(char buf[48], unsigned *seed,
                                       size_t i)
{
    static const char alpha[] = "0127f:.:.:9aF";
    int j = 0, n;

    *seed = *seed * 1103515245 + 12345;
    n = (int)((*seed >> 16) % 24);
    if (i % 3 == 0) {
        j = sprintf(buf, i % 2 ? "::ffff:" : "127.");
    }
    for (; j < n + 4; j++) {
        *seed = *seed * 1103515245 + 12345;
        buf[j] = alpha[(*seed >> 16) % (sizeof(alpha) - 1)];
    }
    buf[j] = '\0';
}

/* A log sink that appends "LEVEL message\n" to a fixed buffer (the
 * baton), for tests that assert what the IO layer logged. */
typedef struct {
    char text[8192];
} unit_log_t;

static inline void unit_log_capture(void *baton, const char *file, int line,
                                    int level, const char *msg)
{
    unit_log_t *log = baton;
    size_t used = strlen(log->text);

    snprintf(log->text + used, sizeof(log->text) - used, "%d %s\n", level,
             msg);
}

static inline int unit_log_all_levels(void *baton, int level)
{
    return 1;
}

#define UNIT_TEST(f) cmocka_unit_test_setup_teardown(f, unit_pool_setup, \
                                                     unit_pool_teardown)

/* main() for a test file: APR up, run the group, APR down. */
#define UNIT_MAIN(tests)                                            \
    int main(void)                                                  \
    {                                                               \
        int rc;                                                     \
        apr_initialize();                                           \
        rc = cmocka_run_group_tests(tests, NULL, NULL);             \
        apr_terminate();                                            \
        return rc;                                                  \
    }

#endif
