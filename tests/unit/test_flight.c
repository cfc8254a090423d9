/* SPDX-License-Identifier: Apache-2.0 */
/* test_flight.c: single-flight. Of the concurrent joins on one key one
 * leads and the others get exactly its answer; a waiter never waits past
 * its deadline; a landed flight is gone, so the next join leads again. */
#include "unit.h"
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include "flight.h"
#include "result.h"

#define NTHREADS 8
#define ANSWER "{\"active\":true,\"sub\":\"alice\"}"

static void key_of(const char *name, unsigned char key[MAI_DIGEST_LEN])
{
    mai_digest_sha256(name, strlen(name), key);
}

/* One join from a thread, and everything it saw. */
typedef struct {
    mai_flights_t *f;
    const unsigned char *key;
    apr_interval_time_t wait;        /* deadline = now + wait */
    unit_barrier_t *start;           /* all threads join at once */
    int nwaiters;                    /* joins a leader waits for */
    mai_status_t land_status;        /* what a leader lands with */
    const mai_result_t *land_result;
    apr_pool_t *pool;
    int rc;
    mai_answer_t a;                  /* what a waiter got */
} joiner_t;

/* An answer as a leader lands it. */
static mai_answer_t answer(mai_status_t s, const mai_result_t *res,
                           apr_int64_t fetched_at)
{
    mai_answer_t a;
    a.status = s;
    a.result = res;
    a.fetched_at = fetched_at;
    a.retry_after = 7;
    return a;
}

static const mai_result_t *parsed(apr_pool_t *p, const char *json)
{
    const mai_result_t *res = NULL;
    assert_int_equal(mai_result_parse(p, json, strlen(json), &res), MAI_OK);
    return res;
}

/* Until n joins wait on key's flight. Each waiter counts itself under the
 * flight's lock and holds it until it waits, so once all n are counted a
 * landing reaches every one of them: no thread can come too late and lead
 * a second flight, however slow the machine (valgrind, load). */
static void await_waiters(mai_flights_t *f, const unsigned char *key, int n)
{
    while (mai_flight_waiters(f, key) < n) {
        apr_sleep(1000);
    }
}

/* Lead: once every other thread waits on this flight, land. */
static void lead(joiner_t *j, mai_flight_t *fl)
{
    mai_answer_t a = answer(j->land_status, j->land_result, 1234);

    await_waiters(j->f, j->key, j->nwaiters);
    mai_flight_land(j->f, fl, &a);
}

static void *APR_THREAD_FUNC joiner(apr_thread_t *t, void *data)
{
    joiner_t *j = data;
    mai_flight_t *fl = NULL;

    j->a.status = (mai_status_t)-1;
    j->a.fetched_at = -1;
    j->a.retry_after = -1;
    if (j->start) {
        unit_barrier_wait(j->start);
    }
    j->rc = mai_flight_join(j->f, j->key, apr_time_now() + j->wait,
                            j->pool, &fl, &j->a);
    if (j->rc == 1) {
        lead(j, fl);
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

/* NTHREADS joins racing on one key; returns the index of the leader. */
static int race(apr_pool_t *p, joiner_t *j, mai_status_t st,
                const mai_result_t *res)
{
    mai_flights_t *f = mai_flights_create(p);
    static unsigned char key[MAI_DIGEST_LEN];
    unit_barrier_t start;
    apr_thread_t *th[NTHREADS];
    int i, leader = -1;

    key_of("race", key);
    unit_barrier_init(&start, NTHREADS, p);
    for (i = 0; i < NTHREADS; i++) {
        memset(&j[i], 0, sizeof(j[i]));
        j[i].f = f;
        j[i].key = key;
        j[i].wait = apr_time_from_sec(30);
        j[i].start = &start;
        j[i].land_status = st;
        j[i].land_result = res;
        j[i].nwaiters = NTHREADS - 1;
        assert_int_equal(apr_pool_create(&j[i].pool, p), APR_SUCCESS);
    }
    for (i = 0; i < NTHREADS; i++) {
        assert_int_equal(apr_thread_create(&th[i], NULL, joiner, &j[i], p),
                         APR_SUCCESS);
    }
    for (i = 0; i < NTHREADS; i++) {
        apr_status_t rv;
        apr_thread_join(&rv, th[i]);
        if (j[i].rc == 1) {
            assert_int_equal(leader, -1);      /* exactly one leader */
            leader = i;
        }
    }
    assert_int_not_equal(leader, -1);
    return leader;
}

static void test_one_leader_shares_answer(void **state)
{
    joiner_t j[NTHREADS];
    const mai_result_t *res = parsed(*state, ANSWER);
    int i, leader = race(*state, j, MAI_OK, res);

    for (i = 0; i < NTHREADS; i++) {
        if (i == leader) {
            continue;
        }
        assert_int_equal(j[i].rc, 0);
        assert_int_equal(j[i].a.status, MAI_OK);
        assert_non_null(j[i].a.result);
        assert_true(j[i].a.result->active);
        assert_string_equal(j[i].a.result->json, res->json);
        assert_string_equal(mai_result_claim(j[i].a.result, "sub")->text,
                            "alice");
        assert_true(j[i].a.fetched_at == 1234);
        /* a waiter was never refused a call: no Retry-After */
        assert_true(j[i].a.retry_after == 0);
        /* each waiter has its own copy, no parse, no share */
        assert_ptr_not_equal(j[i].a.result, res);
        assert_ptr_not_equal(j[i].a.result->json, res->json);
        assert_ptr_not_equal(j[i].a.result,
                             j[(i + 1) % NTHREADS].a.result);
    }
}

static void test_error_status_shared(void **state)
{
    joiner_t j[NTHREADS];
    int i, leader = race(*state, j, MAI_STATUS_ENDPOINT_TIMEOUT,
                         parsed(*state, "{\"active\":true}"));

    for (i = 0; i < NTHREADS; i++) {
        if (i != leader) {
            assert_int_equal(j[i].rc, 0);
            assert_int_equal(j[i].a.status, MAI_STATUS_ENDPOINT_TIMEOUT);
            assert_null(j[i].a.result);
        }
    }
}

/* MAI_OK without an answer would hand waiters a NULL result as success. */
static void test_ok_without_json_is_internal(void **state)
{
    joiner_t j[NTHREADS];
    int i, leader = race(*state, j, MAI_OK, NULL);

    for (i = 0; i < NTHREADS; i++) {
        if (i != leader) {
            assert_int_equal(j[i].rc, 0);
            assert_int_equal(j[i].a.status, MAI_STATUS_INTERNAL);
            assert_null(j[i].a.result);
        }
    }
}

/* Deadlines and re-leading, all in one thread: a waiter whose deadline
 * passes returns -1 on its own, without the leader. */
static void test_deadline_and_relead(void **state)
{
    apr_pool_t *p = *state;
    mai_flights_t *f = mai_flights_create(p);
    unsigned char key[MAI_DIGEST_LEN];
    mai_flight_t *lead_fl = NULL, *fl = (mai_flight_t *)p;
    const mai_result_t *poison = parsed(p, "{\"active\":false}");
    const mai_result_t *res = parsed(p, "{}");
    mai_answer_t a = answer(MAI_STATUS_INACTIVE, poison, 77), ok, down;
    apr_time_t before;

    ok = answer(MAI_OK, res, 5);
    down = answer(MAI_STATUS_ENDPOINT_UNREACHABLE, NULL, 0);
    key_of("slow", key);
    assert_int_equal(mai_flight_join(f, key, apr_time_now() + 1000000, p,
                                     &lead_fl, &a), 1);
    assert_non_null(lead_fl);
    /* deadline already passed */
    assert_int_equal(mai_flight_join(f, key, apr_time_now() - 1, p, &fl,
                                     &a), -1);
    assert_null(fl);
    /* a short deadline: waits, then gives up */
    before = apr_time_now();
    assert_int_equal(mai_flight_join(f, key, before
                                     + apr_time_from_msec(50), p, &fl,
                                     &a), -1);
    assert_true(apr_time_now() - before >= apr_time_from_msec(50));
    /* a -1 leaves the answer alone: nothing was answered */
    assert_int_equal(a.status, MAI_STATUS_INACTIVE);
    assert_ptr_equal(a.result, poison);
    assert_true(a.fetched_at == 77);
    mai_flight_land(f, lead_fl, &ok);
    /* landed flights are gone: the next join on the key leads again */
    lead_fl = NULL;
    assert_int_equal(mai_flight_join(f, key, apr_time_now() - 1, p,
                                     &lead_fl, &a), 1);
    assert_non_null(lead_fl);
    mai_flight_land(f, lead_fl, &down);
    assert_int_equal(mai_flight_join(f, key, apr_time_now() + 1000000, p,
                                     &lead_fl, &a), 1);
    mai_flight_land(f, lead_fl, &ok);
}

static void test_different_keys_lead_independently(void **state)
{
    apr_pool_t *p = *state;
    mai_flights_t *f = mai_flights_create(p);
    unsigned char k1[MAI_DIGEST_LEN], k2[MAI_DIGEST_LEN];
    mai_flight_t *fl1 = NULL, *fl2 = NULL, *fl3 = NULL;
    mai_answer_t a, ok = answer(MAI_OK, parsed(p, "{}"), 1);

    key_of("one", k1);
    key_of("two", k2);
    assert_int_equal(mai_flight_join(f, k1, apr_time_now() + 1000000, p,
                                     &fl1, &a), 1);
    assert_int_equal(mai_flight_join(f, k2, apr_time_now() + 1000000, p,
                                     &fl2, &a), 1);
    assert_non_null(fl2);
    assert_ptr_not_equal(fl1, fl2);
    /* landing one leaves the other in flight */
    mai_flight_land(f, fl1, &ok);
    assert_int_equal(mai_flight_join(f, k2, apr_time_now() - 1, p, &fl3,
                                     &a), -1);
    assert_int_equal(mai_flight_join(f, k1, apr_time_now() - 1, p, &fl3,
                                     &a), 1);
    mai_flight_land(f, fl3, &ok);
    mai_flight_land(f, fl2, &ok);
    /* a leader without a flight (allocation failed) lands harmlessly */
    mai_flight_land(f, NULL, &ok);
}

/* The waiter's copy lives in its own pool: it survives the leader's
 * result (a request pool, gone when the leader's request ends). */
static void test_copy_outlives_leader(void **state)
{
    apr_pool_t *p = *state, *leader_pool;
    mai_flights_t *f = mai_flights_create(p);
    unsigned char key[MAI_DIGEST_LEN];
    apr_thread_t *th;
    apr_status_t rv;
    joiner_t j;
    mai_flight_t *fl = NULL;
    mai_answer_t a;

    assert_int_equal(apr_pool_create(&leader_pool, p), APR_SUCCESS);
    key_of("len", key);
    assert_int_equal(mai_flight_join(f, key, apr_time_now() + 1000000, p,
                                     &fl, &a), 1);
    memset(&j, 0, sizeof(j));
    j.f = f;
    j.key = key;
    j.wait = apr_time_from_sec(30);
    j.pool = p;
    assert_int_equal(apr_thread_create(&th, NULL, joiner, &j, p),
                     APR_SUCCESS);
    await_waiters(f, key, 1);
    a = answer(MAI_OK, parsed(leader_pool, "{\"active\":true,"
                              "\"scope\":\"a b\",\"sub\":\"bob\"}"), 42);
    mai_flight_land(f, fl, &a);
    apr_pool_destroy(leader_pool);
    apr_thread_join(&rv, th);
    assert_int_equal(j.rc, 0);
    assert_int_equal(j.a.status, MAI_OK);
    assert_true(j.a.fetched_at == 42);
    assert_string_equal(mai_result_claim(j.a.result, "sub")->text, "bob");
    assert_int_equal(j.a.result->nscopes, 2);
    assert_string_equal(j.a.result->scopes[1], "b");
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_one_leader_shares_answer),
    UNIT_TEST(test_error_status_shared),
    UNIT_TEST(test_ok_without_json_is_internal),
    UNIT_TEST(test_deadline_and_relead),
    UNIT_TEST(test_different_keys_lead_independently),
    UNIT_TEST(test_copy_outlives_leader),
};
UNIT_MAIN(tests)
