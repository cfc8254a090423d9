/* SPDX-License-Identifier: Apache-2.0 */
/* test_freshness.c: the cache reuse rules, with the clock passed in: what
 * the sleeping integration tests (test_090, test_180, test_035) see at
 * the edges, decided here to the second. */
#include "unit.h"
#include "freshness.h"

#define NOW 1700000000

static mai_result_t active(void)
{
    mai_result_t r;
    memset(&r, 0, sizeof(r));
    r.active = 1;
    return r;
}

static mai_result_t active_exp(apr_int64_t exp)
{
    mai_result_t r = active();
    r.has_exp = 1;
    r.exp = exp;
    return r;
}

static mai_result_t inactive(void)
{
    mai_result_t r;
    memset(&r, 0, sizeof(r));
    return r;
}

static mai_fresh_conf_t conf(apr_int64_t ttl, apr_int64_t neg,
                             apr_int64_t stale)
{
    mai_fresh_conf_t f;
    f.ttl = ttl;
    f.negative_ttl = neg;
    f.stale_if_error = stale;
    return f;
}

/* Fetched `age` seconds before NOW. */
static mai_freshness_t judge(const mai_fresh_conf_t *f,
                             const mai_result_t *r, apr_int64_t age)
{
    return mai_fresh_judge(f, r, NOW - age, NOW);
}

static void test_reuses(void **state)
{
    mai_fresh_conf_t f;
    (void)state;
    f = conf(0, 0, 300);
    assert_false(mai_fresh_reuses(&f));
    f = conf(60, 0, 0);
    assert_true(mai_fresh_reuses(&f));
    /* CacheTTL 0 with NegativeCacheTTL: the caches are still read */
    f = conf(0, 5, 0);
    assert_true(mai_fresh_reuses(&f));
}

static void test_active_within_ttl(void **state)
{
    mai_fresh_conf_t f = conf(60, 10, 0);
    mai_result_t r = active();
    (void)state;
    assert_int_equal(judge(&f, &r, 0), MAI_FRESH_YES);
    assert_int_equal(judge(&f, &r, 59), MAI_FRESH_YES);
    /* the TTL is a strict bound: 60 s old is too old for TTL 60 */
    assert_int_equal(judge(&f, &r, 60), MAI_FRESH_NO);
    assert_int_equal(judge(&f, &r, 61), MAI_FRESH_NO);
}

static void test_ttl_zero_reuses_nothing(void **state)
{
    /* CacheTTL 0: no active answer, not even within StaleIfError */
    mai_fresh_conf_t f = conf(0, 10, 300);
    mai_result_t a = active(), i = inactive();
    (void)state;
    assert_int_equal(judge(&f, &a, 0), MAI_FRESH_NO);
    assert_int_equal(judge(&f, &a, 100), MAI_FRESH_NO);
    assert_true(mai_fresh_ttl_zero(&f, &a));
    /* but inactive answers still for NegativeCacheTTL (test_035) */
    assert_int_equal(judge(&f, &i, 9), MAI_FRESH_YES);
    assert_int_equal(judge(&f, &i, 10), MAI_FRESH_NO);
    assert_false(mai_fresh_ttl_zero(&f, &i));
    assert_int_equal(mai_fresh_cache_life(&f, &i, NOW), 10);
}

static void test_negative_ttl(void **state)
{
    mai_fresh_conf_t f = conf(60, 2, 300);
    mai_result_t i = inactive();
    (void)state;
    assert_int_equal(judge(&f, &i, 1), MAI_FRESH_YES);
    assert_int_equal(judge(&f, &i, 2), MAI_FRESH_NO);
    /* never stale: StaleIfError is for active answers only */
    assert_int_equal(judge(&f, &i, 3), MAI_FRESH_NO);
    /* NegativeCacheTTL 0: inactive answers are not reused or cached */
    f = conf(60, 0, 300);
    assert_int_equal(judge(&f, &i, 0), MAI_FRESH_NO);
    assert_true(mai_fresh_ttl_zero(&f, &i));
    assert_int_equal(mai_fresh_cache_life(&f, &i, NOW), 0);
}

static void test_never_past_exp(void **state)
{
    mai_fresh_conf_t f = conf(60, 10, 300);
    mai_result_t r = active_exp(NOW + 2);
    (void)state;
    assert_int_equal(mai_fresh_judge(&f, &r, NOW, NOW + 1), MAI_FRESH_YES);
    /* at exp and after: not even stale, whatever StaleIfError says */
    assert_int_equal(mai_fresh_judge(&f, &r, NOW, NOW + 2), MAI_FRESH_NO);
    assert_int_equal(mai_fresh_judge(&f, &r, NOW, NOW + 100),
                     MAI_FRESH_NO);
    r = active_exp(NOW);
    assert_int_equal(judge(&f, &r, 0), MAI_FRESH_NO);
}

static void test_stale_if_error_window(void **state)
{
    /* CacheTTL 1, StaleIfError 2 (test_180) */
    mai_fresh_conf_t f = conf(1, 10, 2);
    mai_result_t r = active();
    (void)state;
    assert_int_equal(judge(&f, &r, 0), MAI_FRESH_YES);
    assert_int_equal(judge(&f, &r, 1), MAI_FRESH_STALE);
    assert_int_equal(judge(&f, &r, 2), MAI_FRESH_STALE);
    assert_int_equal(judge(&f, &r, 3), MAI_FRESH_NO);
    f = conf(1, 10, 0);
    assert_int_equal(judge(&f, &r, 1), MAI_FRESH_NO);
}

static void test_clock_backwards(void **state)
{
    mai_fresh_conf_t f = conf(60, 60, 0);
    mai_result_t a = active(), i = inactive();
    (void)state;
    /* dated up to a minute ahead: another node's clock, still fresh */
    assert_int_equal(judge(&f, &a, -1), MAI_FRESH_YES);
    assert_int_equal(judge(&f, &a, -60), MAI_FRESH_YES);
    /* further ahead: our clock stepped back or theirs is wrong */
    assert_int_equal(judge(&f, &a, -61), MAI_FRESH_NO);
    assert_int_equal(judge(&f, &i, -61), MAI_FRESH_NO);
    f = conf(60, 60, 300);
    assert_int_equal(judge(&f, &a, -3600), MAI_FRESH_NO);
}

static void test_cache_life(void **state)
{
    mai_fresh_conf_t f = conf(60, 10, 0);
    mai_result_t r = active();
    (void)state;
    assert_int_equal(mai_fresh_cache_life(&f, &r, NOW), 60);
    /* never past exp */
    r = active_exp(NOW + 2);
    assert_int_equal(mai_fresh_cache_life(&f, &r, NOW), 2);
    r = active_exp(NOW + 600);
    assert_int_equal(mai_fresh_cache_life(&f, &r, NOW), 60);
    /* expired or expiring now: not cached, StaleIfError or not */
    f = conf(60, 10, 300);
    r = active_exp(NOW);
    assert_int_equal(mai_fresh_cache_life(&f, &r, NOW), 0);
    r = active_exp(NOW - 5);
    assert_int_equal(mai_fresh_cache_life(&f, &r, NOW), 0);
    /* an exp from the wire at the end of int64 either way */
    r = active_exp(INT64_MIN);
    assert_int_equal(mai_fresh_cache_life(&f, &r, NOW), 0);
    r = active_exp(INT64_MAX);
    assert_int_equal(mai_fresh_cache_life(&f, &r, NOW), 360);
    /* kept for the StaleIfError window beyond its TTL */
    r = active_exp(NOW + 2);
    assert_int_equal(mai_fresh_cache_life(&f, &r, NOW), 302);
    r = active();
    assert_int_equal(mai_fresh_cache_life(&f, &r, NOW), 360);
    /* CacheTTL 0: an active answer is not cached */
    f = conf(0, 10, 300);
    assert_int_equal(mai_fresh_cache_life(&f, &r, NOW), 0);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_reuses),
    UNIT_TEST(test_active_within_ttl),
    UNIT_TEST(test_ttl_zero_reuses_nothing),
    UNIT_TEST(test_negative_ttl),
    UNIT_TEST(test_never_past_exp),
    UNIT_TEST(test_stale_if_error_window),
    UNIT_TEST(test_clock_backwards),
    UNIT_TEST(test_cache_life),
};
UNIT_MAIN(tests)
