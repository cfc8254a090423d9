/* SPDX-License-Identifier: Apache-2.0 */
/* test_breaker.c: the breaker's state machine, with time passed in. */
#include "unit.h"
#include "breaker.h"

#define SEC(n) apr_time_from_sec(n)

static void test_opens_after_threshold(void **state)
{
    mai_breaker_t b;
    apr_interval_time_t retry = 0;
    int i;

    mai_breaker_init(&b, 3, SEC(10));
    for (i = 0; i < 2; i++) {
        assert_true(mai_breaker_allow(&b, SEC(100), &retry));
        assert_false(mai_breaker_record(&b, 0, SEC(100)));
    }
    /* a success in between resets the count */
    assert_false(mai_breaker_record(&b, 1, SEC(100)));
    for (i = 0; i < 2; i++) {
        assert_false(mai_breaker_record(&b, 0, SEC(101)));
    }
    assert_int_equal(b.state, MAI_BREAKER_CLOSED);
    assert_true(mai_breaker_record(&b, 0, SEC(101)));
    assert_int_equal(b.state, MAI_BREAKER_OPEN);
    assert_false(mai_breaker_allow(&b, SEC(105), &retry));
    assert_true(retry == SEC(6));
}

static void test_one_probe_then_close(void **state)
{
    mai_breaker_t b;
    apr_interval_time_t retry = 0;

    mai_breaker_init(&b, 1, SEC(10));
    mai_breaker_record(&b, 0, SEC(0));
    assert_false(mai_breaker_allow(&b, SEC(9), &retry));
    /* time is up: exactly one caller probes */
    assert_true(mai_breaker_allow(&b, SEC(10), &retry));
    assert_int_equal(b.state, MAI_BREAKER_PROBING);
    assert_false(mai_breaker_allow(&b, SEC(10), &retry));
    assert_true(retry >= SEC(1));
    assert_true(mai_breaker_record(&b, 1, SEC(11)));
    assert_int_equal(b.state, MAI_BREAKER_CLOSED);
    assert_true(mai_breaker_allow(&b, SEC(11), &retry));
}

static void test_failed_probe_reopens(void **state)
{
    mai_breaker_t b;
    apr_interval_time_t retry = 0;

    mai_breaker_init(&b, 2, SEC(5));
    mai_breaker_record(&b, 0, SEC(0));
    mai_breaker_record(&b, 0, SEC(0));
    assert_true(mai_breaker_allow(&b, SEC(5), &retry));
    assert_true(mai_breaker_record(&b, 0, SEC(6)));
    assert_int_equal(b.state, MAI_BREAKER_OPEN);
    /* a new full open period from the failed probe */
    assert_false(mai_breaker_allow(&b, SEC(10), &retry));
    assert_true(retry == SEC(1));
    assert_true(mai_breaker_allow(&b, SEC(11), &retry));
}

static void test_threshold_zero_never_opens(void **state)
{
    mai_breaker_t b;
    apr_interval_time_t retry = 0;
    int i;

    mai_breaker_init(&b, 0, SEC(5));
    for (i = 0; i < 100; i++) {
        mai_breaker_record(&b, 0, SEC(i));
    }
    assert_int_equal(b.state, MAI_BREAKER_CLOSED);
    assert_true(mai_breaker_allow(&b, SEC(100), &retry));
}

static void test_unsent_probe_passes_on(void **state)
{
    mai_breaker_t b;
    apr_interval_time_t retry = 0;

    mai_breaker_init(&b, 1, SEC(10));
    mai_breaker_record(&b, 0, SEC(0));
    assert_true(mai_breaker_allow(&b, SEC(10), &retry));
    /* the probe found no call slot: the next caller probes at once */
    mai_breaker_probe_not_sent(&b);
    assert_int_equal(b.state, MAI_BREAKER_OPEN);
    assert_true(mai_breaker_allow(&b, SEC(10), &retry));
    assert_int_equal(b.state, MAI_BREAKER_PROBING);
    /* outside probing it changes nothing */
    mai_breaker_record(&b, 1, SEC(11));
    mai_breaker_probe_not_sent(&b);
    assert_int_equal(b.state, MAI_BREAKER_CLOSED);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_unsent_probe_passes_on),
    UNIT_TEST(test_opens_after_threshold),
    UNIT_TEST(test_one_probe_then_close),
    UNIT_TEST(test_failed_probe_reopens),
    UNIT_TEST(test_threshold_zero_never_opens),
};
UNIT_MAIN(tests)
