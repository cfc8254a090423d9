/* SPDX-License-Identifier: Apache-2.0 */
/* unit.h: what every cmocka test shares: a fresh pool per test. */
#ifndef MAI_UNIT_H
#define MAI_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <apr_general.h>
#include <apr_pools.h>

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
