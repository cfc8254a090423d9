/* SPDX-License-Identifier: Apache-2.0 */
/* test_conn_pool.c: the idle stack's bound and its sweep of connections
 * idle too long (no sockets needed: give never touches them). */
#include "unit.h"
#include "conn_pool.h"

#define SEC(n) apr_time_from_sec(n)

static void test_bound(void **state)
{
    apr_pool_t *p = *state;
    mai_conn_pool_t *cp = mai_conn_pool_create(p, 2, SEC(30));
    int i;

    for (i = 0; i < 5; i++) {
        mai_conn_pool_give(cp, mai_conn_new(), SEC(1));
        assert_true(mai_conn_pool_count(cp) <= 2);
    }
    assert_int_equal(mai_conn_pool_count(cp), 2);
}

static void test_idle_ones_swept_on_give(void **state)
{
    apr_pool_t *p = *state;
    mai_conn_pool_t *cp = mai_conn_pool_create(p, 8, SEC(30));

    mai_conn_pool_give(cp, mai_conn_new(), SEC(0));
    mai_conn_pool_give(cp, mai_conn_new(), SEC(10));
    mai_conn_pool_give(cp, mai_conn_new(), SEC(20));
    assert_int_equal(mai_conn_pool_count(cp), 3);
    /* at 35 s only the first has been idle 30 s: it goes, the others stay */
    mai_conn_pool_give(cp, mai_conn_new(), SEC(35));
    assert_int_equal(mai_conn_pool_count(cp), 3);
    /* at 100 s all three older ones are swept; the new one stays */
    mai_conn_pool_give(cp, mai_conn_new(), SEC(100));
    assert_int_equal(mai_conn_pool_count(cp), 1);
}

static void test_zero_keeps_nothing(void **state)
{
    apr_pool_t *p = *state;
    mai_conn_pool_t *cp = mai_conn_pool_create(p, 0, SEC(30));

    mai_conn_pool_give(cp, mai_conn_new(), SEC(1));
    assert_int_equal(mai_conn_pool_count(cp), 0);
    assert_null(mai_conn_pool_take(cp, SEC(1)));
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_bound),
    UNIT_TEST(test_idle_ones_swept_on_give),
    UNIT_TEST(test_zero_keeps_nothing),
};
UNIT_MAIN(tests)
