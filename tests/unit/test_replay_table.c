/* SPDX-License-Identifier: Apache-2.0 */
/* test_replay_table.c: the per-process DPoP replay store. */
#include "unit.h"
#include "replay_table.h"

static void key_of(unsigned char k[MAI_DIGEST_LEN], apr_uint32_t slot,
                   unsigned char tag)
{
    memset(k, tag, MAI_DIGEST_LEN);
    memcpy(k, &slot, sizeof(slot));
}

static void test_seen_until_expiry(void **state)
{
    apr_pool_t *p = *state;
    mai_replay_table_t *t = mai_replay_table_create(p, 64);
    unsigned char a[MAI_DIGEST_LEN], b[MAI_DIGEST_LEN];

    assert_null(mai_replay_table_create(p, 0));
    key_of(a, 5, 1);
    key_of(b, 5, 2);
    assert_int_equal(mai_replay_table_add(t, a, 100, 10), MAI_REPLAY_NEW);
    assert_int_equal(mai_replay_table_add(t, a, 100, 50), MAI_REPLAY_SEEN);
    /* another key in the same slot goes next to it */
    assert_int_equal(mai_replay_table_add(t, b, 100, 50), MAI_REPLAY_NEW);
    assert_int_equal(mai_replay_table_add(t, b, 100, 60), MAI_REPLAY_SEEN);
    /* expired: new again */
    assert_int_equal(mai_replay_table_add(t, a, 300, 100), MAI_REPLAY_NEW);
    assert_int_equal(mai_replay_table_add(t, a, 300, 200), MAI_REPLAY_SEEN);
}

/* A full neighbourhood refuses (fail closed) until entries expire. */
static void test_full(void **state)
{
    apr_pool_t *p = *state;
    mai_replay_table_t *t = mai_replay_table_create(p, 16);
    unsigned char k[MAI_DIGEST_LEN];
    int i;

    for (i = 0; i < 16; i++) {
        key_of(k, 3, (unsigned char)(i + 1));
        assert_int_equal(mai_replay_table_add(t, k, 100, 1), MAI_REPLAY_NEW);
    }
    key_of(k, 3, 200);
    assert_int_equal(mai_replay_table_add(t, k, 100, 1), MAI_REPLAY_FULL);
    /* an entry still there is still a replay, full or not */
    key_of(k, 3, 16);
    assert_int_equal(mai_replay_table_add(t, k, 100, 2), MAI_REPLAY_SEEN);
    key_of(k, 3, 200);
    assert_int_equal(mai_replay_table_add(t, k, 300, 100), MAI_REPLAY_NEW);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_seen_until_expiry),
    UNIT_TEST(test_full),
};
UNIT_MAIN(tests)
