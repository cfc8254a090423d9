/* SPDX-License-Identifier: Apache-2.0 */
/* test_replay_shm.c: the server-wide DPoP replay table: a jti is seen
 * until it expires, a full set refuses rather than forgets, a restart
 * with the same size keeps the table, and processes racing on the same
 * keys accept each key exactly once. */
#include "unit.h"
#include <sys/wait.h>
#include <unistd.h>
#include "replay_shm.h"

/* Bytes 0..15 are what a slot keeps, 16..19 pick the set. */
static void key_of(unsigned char k[MAI_DIGEST_LEN], apr_uint32_t set,
                   apr_uint32_t tag)
{
    memset(k, 0x5a, MAI_DIGEST_LEN);
    memcpy(k, &tag, sizeof(tag));
    memcpy(k + 16, &set, sizeof(set));
}

static void test_seen_until_expiry(void **state)
{
    apr_pool_t *p;
    mai_replay_shm_t *t;
    unsigned char a[MAI_DIGEST_LEN], b[MAI_DIGEST_LEN];

    apr_pool_create(&p, *state);
    assert_null(mai_replay_shm_create(p, 0, &t));
    assert_null(t);
    assert_null(mai_replay_shm_create(p, 64, &t));
    assert_non_null(t);
    key_of(a, 1, 1);
    key_of(b, 1, 2);
    assert_int_equal(mai_replay_shm_add(t, a, 100, 10), MAI_REPLAY_NEW);
    assert_int_equal(mai_replay_shm_add(t, a, 100, 50), MAI_REPLAY_SEEN);
    assert_int_equal(mai_replay_shm_add(t, b, 100, 50), MAI_REPLAY_NEW);
    assert_int_equal(mai_replay_shm_add(t, b, 100, 99), MAI_REPLAY_SEEN);
    /* expired: new again, then seen until the new expiry */
    assert_int_equal(mai_replay_shm_add(t, a, 300, 100), MAI_REPLAY_NEW);
    assert_int_equal(mai_replay_shm_add(t, a, 300, 299), MAI_REPLAY_SEEN);
    apr_pool_destroy(p);
}

/* A set of unexpired entries refuses a new key (fail closed) and still
 * knows its own; once one expires there is room again. */
static void test_full(void **state)
{
    apr_pool_t *p;
    mai_replay_shm_t *t;
    unsigned char k[MAI_DIGEST_LEN];
    apr_uint32_t i;

    apr_pool_create(&p, *state);
    assert_null(mai_replay_shm_create(p, 2 * MAI_REPLAY_SHM_WAYS, &t));
    for (i = 0; i < MAI_REPLAY_SHM_WAYS; i++) {
        key_of(k, 0, i + 1);
        /* the first expires at 50, the rest at 100 */
        assert_int_equal(mai_replay_shm_add(t, k, i ? 100 : 50, 1),
                         MAI_REPLAY_NEW);
    }
    key_of(k, 0, 1000);
    assert_int_equal(mai_replay_shm_add(t, k, 100, 2), MAI_REPLAY_FULL);
    /* the other set is not affected */
    key_of(k, 1, 1000);
    assert_int_equal(mai_replay_shm_add(t, k, 100, 2), MAI_REPLAY_NEW);
    key_of(k, 0, MAI_REPLAY_SHM_WAYS);
    assert_int_equal(mai_replay_shm_add(t, k, 100, 2), MAI_REPLAY_SEEN);
    /* the refused key was not remembered; after 50 it finds room */
    key_of(k, 0, 1000);
    assert_int_equal(mai_replay_shm_add(t, k, 200, 60), MAI_REPLAY_NEW);
    assert_int_equal(mai_replay_shm_add(t, k, 200, 61), MAI_REPLAY_SEEN);
    apr_pool_destroy(p);
}

/* post_config runs again on a restart: the same size keeps the table,
 * another size makes a new one, 0 drops it. */
static void test_restart(void **state)
{
    apr_pool_t *p;
    mai_replay_shm_t *t, *again;
    unsigned char k[MAI_DIGEST_LEN];

    apr_pool_create(&p, *state);
    assert_null(mai_replay_shm_create(p, 1000, &t));
    key_of(k, 7, 7);
    assert_int_equal(mai_replay_shm_add(t, k, 100, 1), MAI_REPLAY_NEW);
    assert_null(mai_replay_shm_create(p, 1000, &again));
    assert_ptr_equal(again, t);
    assert_int_equal(mai_replay_shm_add(again, k, 100, 2), MAI_REPLAY_SEEN);
    assert_null(mai_replay_shm_create(p, 5000, &again));
    assert_non_null(again);
    assert_int_equal(mai_replay_shm_add(again, k, 100, 2), MAI_REPLAY_NEW);
    assert_null(mai_replay_shm_create(p, 0, &again));
    assert_null(again);
    assert_true(mai_replay_shm_bytes(5000) >= 5000 * 24);
    apr_pool_destroy(p);
}

#define CHILDREN 4
#define SHARED 2000

/* Processes adding the same keys at once (after the table was made, as
 * httpd's children do): each key is new to exactly one of them. Each
 * child writes, per key, whether it was new to it. */
static void test_processes(void **state)
{
    apr_pool_t *p;
    mai_replay_shm_t *t;
    unsigned char k[MAI_DIGEST_LEN], got[CHILDREN][SHARED];
    pid_t pids[CHILDREN];
    int fds[CHILDREN][2], go[2], i, j, st, news;
    ssize_t n, off;
    char c;

    apr_pool_create(&p, *state);
    /* room for every key: about 8 a set */
    assert_null(mai_replay_shm_create(p, 8192, &t));
    /* every child waits until the parent closes this: they start at once */
    assert_int_equal(pipe(go), 0);
    for (i = 0; i < CHILDREN; i++) {
        assert_int_equal(pipe(fds[i]), 0);
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            unsigned char mine[SHARED];

            close(go[1]);
            if (read(go[0], &c, 1) != 0) {
                _exit(2);
            }
            for (j = 0; j < SHARED; j++) {
                /* all in the same order: they meet on each key */
                key_of(k, (apr_uint32_t)j, (apr_uint32_t)j);
                mine[j] = mai_replay_shm_add(t, k, 100, 1)
                          == MAI_REPLAY_NEW;
            }
            n = write(fds[i][1], mine, sizeof(mine));
            _exit(n == (ssize_t)sizeof(mine) ? 0 : 1);
        }
        close(fds[i][1]);
    }
    close(go[0]);
    close(go[1]);
    for (i = 0; i < CHILDREN; i++) {
        for (off = 0; off < SHARED; off += n) {
            n = read(fds[i][0], got[i] + off, SHARED - off);
            assert_true(n > 0);
        }
        close(fds[i][0]);
        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    for (j = 0; j < SHARED; j++) {
        news = 0;
        for (i = 0; i < CHILDREN; i++) {
            news += got[i][j];
        }
        assert_int_equal(news, 1);
        /* and the parent sees them all */
        key_of(k, (apr_uint32_t)j, (apr_uint32_t)j);
        assert_int_equal(mai_replay_shm_add(t, k, 100, 2), MAI_REPLAY_SEEN);
    }
    apr_pool_destroy(p);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_seen_until_expiry),
    UNIT_TEST(test_full),
    UNIT_TEST(test_restart),
    UNIT_TEST(test_processes),
};
UNIT_MAIN(tests)
