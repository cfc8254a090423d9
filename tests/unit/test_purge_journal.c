/* SPDX-License-Identifier: Apache-2.0 */
/* test_purge_journal.c: a purge reaches an L1 through the journal: the
 * purged token's entries go under every key, other tokens' stay; a
 * reader that fell more than a ring behind empties its L1; a reader made
 * after a purge does not replay it; L1 keeps when each entry was stored. */
#include "unit.h"
#include <apr_strings.h>
#include "purge_journal.h"

static const mai_result_t *result(apr_pool_t *p)
{
    static const char json[] = "{\"active\":true,\"sub\":\"s\"}";
    const mai_result_t *r = NULL;

    assert_int_equal(mai_result_parse(p, json, strlen(json), &r), MAI_OK);
    return r;
}

/* Token t's hash, and its key under scope s (any distinct bytes do). */
static void hash_of(unsigned char h[MAI_DIGEST_LEN], int t)
{
    memset(h, 0x11 * (t + 1), MAI_DIGEST_LEN);
}

static void key_of(unsigned char k[MAI_DIGEST_LEN], int t, int s)
{
    memset(k, 0, MAI_DIGEST_LEN);
    k[0] = (unsigned char)(t * 7 + s);  /* spreads over the shards */
    k[4] = (unsigned char)t;
    k[5] = (unsigned char)s;
}

/* Where lookup.c puts token t's entry for scope s: a scope with a slot
 * (s > 0 here) under the token's hash and the slot's number, one without
 * (s 0) under its full key and 0. A purge must reach both. */
static int l1_key(unsigned char k[MAI_DIGEST_LEN], int t, int s)
{
    if (s > 0) {
        hash_of(k, t);
    }
    else {
        key_of(k, t, s);
    }
    return s;
}

static void put(mai_l1_t *l1, apr_pool_t *p, int t, int s)
{
    unsigned char h[MAI_DIGEST_LEN], k[MAI_DIGEST_LEN];
    int slot = l1_key(k, t, s);

    hash_of(h, t);
    mai_l1_put(l1, k, slot, h, result(p), 100, 200 + t);
}

static int has(mai_l1_t *l1, apr_pool_t *p, int t, int s)
{
    unsigned char k[MAI_DIGEST_LEN];
    const mai_result_t *r;
    apr_int64_t fetched, stored;

    return mai_l1_get(l1, k, l1_key(k, t, s), p, &r, &fetched, &stored);
}

static void purge(mai_purge_journal_t *j, int t)
{
    unsigned char h[MAI_DIGEST_LEN];

    hash_of(h, t);
    mai_purge_journal_add(j, h);
}

static void test_purge_reaches_l1(void **state)
{
    apr_pool_t *p = *state;
    const char *err = NULL;
    mai_purge_journal_t *j = mai_purge_journal_create(p, &err);
    mai_purge_reader_t *r;
    mai_l1_t *l1 = mai_l1_create(p, 100);
    int s;

    assert_non_null(j);
    r = mai_purge_reader_create(p, j);
    for (s = 0; s < 3; s++) {
        put(l1, p, 1, s);
        put(l1, p, 2, s);
    }
    assert_int_equal(mai_l1_count(l1), 6);
    /* nothing purged: nothing happens */
    assert_int_equal(mai_purge_reader_apply(r, l1), 0);
    assert_false(mai_purge_reader_behind(r, mai_purge_reader_head(r)));
    assert_int_equal(mai_l1_count(l1), 6);

    purge(j, 1);
    assert_true(mai_purge_reader_behind(r, mai_purge_reader_head(r)));
    assert_int_equal(mai_purge_reader_apply(r, l1), 3);
    assert_false(mai_purge_reader_behind(r, mai_purge_reader_head(r)));
    for (s = 0; s < 3; s++) {
        assert_false(has(l1, p, 1, s));
        assert_true(has(l1, p, 2, s));
    }
    assert_int_equal(mai_l1_count(l1), 3);
    /* applied once: a later fill of token 1 stays */
    put(l1, p, 1, 0);
    assert_false(mai_purge_reader_behind(r, mai_purge_reader_head(r)));
    assert_int_equal(mai_purge_reader_apply(r, l1), 0);
    assert_true(has(l1, p, 1, 0));

    /* two purges in a row, one of a token never cached */
    purge(j, 5);
    purge(j, 2);
    assert_int_equal(mai_purge_reader_apply(r, l1), 3);
    assert_int_equal(mai_l1_count(l1), 1);
}

static void test_new_reader_starts_now(void **state)
{
    apr_pool_t *p = *state;
    const char *err = NULL;
    mai_purge_journal_t *j = mai_purge_journal_create(p, &err);
    mai_l1_t *l1 = mai_l1_create(p, 100);
    mai_purge_reader_t *r;

    purge(j, 1);
    r = mai_purge_reader_create(p, j);
    put(l1, p, 1, 0);
    assert_int_equal(mai_purge_reader_apply(r, l1), 0);
    assert_true(has(l1, p, 1, 0));
}

static void test_overrun_empties_l1(void **state)
{
    apr_pool_t *p = *state;
    const char *err = NULL;
    mai_purge_journal_t *j = mai_purge_journal_create(p, &err);
    mai_purge_reader_t *r = mai_purge_reader_create(p, j);
    mai_l1_t *l1 = mai_l1_create(p, 100);
    int i;

    put(l1, p, 1, 0);
    put(l1, p, 2, 0);
    /* exactly a ring behind is still followed one by one */
    for (i = 0; i < MAI_PURGE_RING; i++) {
        purge(j, 1);
    }
    assert_int_equal(mai_purge_reader_apply(r, l1), 1);
    assert_true(has(l1, p, 2, 0));
    /* one more than the ring: the tokens are lost, so everything goes */
    for (i = 0; i <= MAI_PURGE_RING; i++) {
        purge(j, 3);
    }
    assert_int_equal(mai_purge_reader_apply(r, l1), 1);
    assert_int_equal(mai_l1_count(l1), 0);
    /* and the reader is level again */
    put(l1, p, 2, 0);
    assert_int_equal(mai_purge_reader_apply(r, l1), 0);
    assert_true(has(l1, p, 2, 0));
}

static void test_l1_purge_and_stored_at(void **state)
{
    apr_pool_t *p = *state;
    mai_l1_t *l1 = mai_l1_create(p, 100);
    unsigned char h[MAI_DIGEST_LEN], k[MAI_DIGEST_LEN];
    const mai_result_t *r;
    apr_int64_t fetched = 0, stored = 0;

    put(l1, p, 4, 0);
    put(l1, p, 4, 1);
    put(l1, p, 6, 0);
    assert_int_equal(mai_l1_get(l1, k, l1_key(k, 4, 1), p, &r, &fetched,
                                &stored), 1);
    assert_int_equal(fetched, 100);
    assert_int_equal(stored, 204);
    hash_of(h, 4);
    assert_int_equal(mai_l1_purge_hash(l1, h), 2);
    assert_int_equal(mai_l1_purge_hash(l1, h), 0);
    /* the result handed out above is still readable (run under
     * valgrind): the holder keeps it past the purge */
    assert_true(r->active);
    assert_int_equal(mai_l1_clear(l1), 1);
    assert_int_equal(mai_l1_count(l1), 0);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_purge_reaches_l1),
    UNIT_TEST(test_new_reader_starts_now),
    UNIT_TEST(test_overrun_empties_l1),
    UNIT_TEST(test_l1_purge_and_stored_at),
};
UNIT_MAIN(tests)
