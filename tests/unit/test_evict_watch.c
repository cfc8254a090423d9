/* SPDX-License-Identifier: Apache-2.0 */
/* test_evict_watch.c: a miss of an answer this process stored, before it
 * expires, is an eviction, reported once; a miss of one never stored, of
 * one past its expiry or of one purged is not; the log is due at most
 * once per interval. */
#include "unit.h"
#include "evict_watch.h"

#define T0 apr_time_from_sec(1700000000)

static void key_of(const char *name, unsigned char key[MAI_DIGEST_LEN])
{
    mai_digest_sha256(name, strlen(name), key);
}

static void test_eviction(void **state)
{
    mai_evict_watch_t *w = mai_evict_watch_create(*state);
    unsigned char a[MAI_DIGEST_LEN], b[MAI_DIGEST_LEN];

    key_of("a", a);
    key_of("b", b);
    mai_evict_watch_stored(w, a, T0 + apr_time_from_sec(60));
    /* never stored here: another process's, or never cached */
    assert_false(mai_evict_watch_missed(w, b, T0));
    assert_true(mai_evict_watch_missed(w, a, T0 + apr_time_from_sec(10)));
    /* reported once per store */
    assert_false(mai_evict_watch_missed(w, a, T0 + apr_time_from_sec(11)));
    mai_evict_watch_stored(w, a, T0 + apr_time_from_sec(60));
    assert_true(mai_evict_watch_missed(w, a, T0 + apr_time_from_sec(12)));
}

static void test_expired_or_purged(void **state)
{
    mai_evict_watch_t *w = mai_evict_watch_create(*state);
    unsigned char a[MAI_DIGEST_LEN];

    key_of("a", a);
    mai_evict_watch_stored(w, a, T0 + apr_time_from_sec(60));
    /* at its expiry (with the store's second of slack): gone by rule */
    assert_false(mai_evict_watch_missed(w, a, T0 + apr_time_from_sec(58)));
    mai_evict_watch_stored(w, a, T0 + apr_time_from_sec(60));
    mai_evict_watch_forget(w, a);
    assert_false(mai_evict_watch_missed(w, a, T0 + apr_time_from_sec(1)));
}

static void test_log_due(void **state)
{
    mai_evict_watch_t *w = mai_evict_watch_create(*state);
    apr_interval_time_t ten = apr_time_from_sec(10);
    int i;

    /* the third in the window is due, then nothing for 10 s */
    assert_false(mai_evict_watch_log_due(w, T0, ten, 3));
    assert_false(mai_evict_watch_log_due(w, T0, ten, 3));
    assert_true(mai_evict_watch_log_due(w, T0 + apr_time_from_sec(1), ten,
                                        3));
    for (i = 0; i < 5; i++) {
        assert_false(mai_evict_watch_log_due(w, T0 + apr_time_from_sec(9),
                                             ten, 3));
    }
    /* a new window counts from zero: two purges are not an eviction */
    assert_false(mai_evict_watch_log_due(w, T0 + apr_time_from_sec(20), ten,
                                         3));
    assert_false(mai_evict_watch_log_due(w, T0 + apr_time_from_sec(21), ten,
                                         3));
    assert_true(mai_evict_watch_log_due(w, T0 + apr_time_from_sec(22), ten,
                                        3));
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_eviction),
    UNIT_TEST(test_expired_or_purged),
    UNIT_TEST(test_log_due),
};
UNIT_MAIN(tests)
