/* SPDX-License-Identifier: Apache-2.0 */
/* test_metrics.c: the counters' shared memory: processes forked after
 * set-up count into it and a reading sums them all; a second set-up (a
 * restart) keeps the counts and the endpoints' ids, and one that names
 * more endpoints than there is room for moves the counts to a larger
 * segment; the breaker gauge follows the open time. */
#include "unit.h"
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include <apr_strings.h>
#include "metrics.h"
#include "endpoint.h"
#include "config.h"

static mai_endpoints_t *registry(apr_pool_t *p, int n)
{
    mai_endpoint_limits_t lim;
    mai_endpoints_t *reg;
    mai_url_t url;
    int i;

    mai_endpoint_limits_from_conf(mai_server_conf_create(p), &lim);
    reg = mai_endpoints_create(p, &lim);
    for (i = 0; i < n; i++) {
        /* the query is no part of the label */
        const char *text = apr_psprintf(p, "http://127.0.0.1:%d/i?k=v",
                                        1000 + i);
        assert_null(mai_url_parse(p, text, &url));
        assert_null(mai_endpoints_add(reg, p, text, &url, NULL, 1, NULL));
    }
    return reg;
}

static int id_of(mai_endpoints_t *reg, int i)
{
    char text[64];

    snprintf(text, sizeof(text), "http://127.0.0.1:%d/i?k=v", 1000 + i);
    return mai_endpoint_metrics_id(mai_endpoints_find(reg, text, NULL, 1, NULL));
}

static int index_of(const mai_metrics_view_t *v, const char *name)
{
    int i;

    for (i = 0; i < v->n_endpoints; i++) {
        if (!strcmp(v->endpoint_names[i], name)) {
            return i;
        }
    }
    return -1;
}

/* CHILDREN processes, each: 1 request ok, 2 L1 hits, one call. */
#define CHILDREN 5
static void fork_counters(int ep)
{
    pid_t pids[CHILDREN];
    int i, st;

    for (i = 0; i < CHILDREN; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            mai_metrics_child_init();
            mai_metrics_request(MAI_OK);
            mai_metrics_count(MAI_MG_L1_HITS);
            mai_metrics_count(MAI_MG_L1_HITS);
            mai_metrics_call(ep, MAI_OK, 30000);
            mai_metrics_call(ep, MAI_STATUS_OVERLOADED, -1);
            mai_metrics_admission(ep, 1, MAI_STATUS_OVERLOADED);
            _exit(0);
        }
    }
    for (i = 0; i < CHILDREN; i++) {
        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
}

static void test_children_summed_and_kept(void **state)
{
    apr_pool_t *keep, *gen1, *gen2, *p = *state;
    mai_metrics_view_t v;
    mai_endpoints_t *reg;
    const apr_uint64_t *e;
    int ep;

    apr_pool_create(&keep, p);
    apr_pool_create(&gen1, p);
    reg = registry(gen1, 2);
    /* two slots for five processes: shared slots still count right */
    assert_null(mai_metrics_setup(keep, 2, reg));
    ep = id_of(reg, 1);
    assert_true(ep >= 0 && ep != id_of(reg, 0));
    fork_counters(ep);
    mai_metrics_read(p, apr_time_now(), &v);
    assert_int_equal(v.n_endpoints, 2);
    assert_int_equal(v.global[MAI_MG_REQUESTS + MAI_OK], CHILDREN);
    assert_int_equal(v.global[MAI_MG_L1_HITS], 2 * CHILDREN);
    ep = index_of(&v, "http://127.0.0.1:1001/i");
    assert_true(ep >= 0);
    e = v.endpoints + ep * MAI_ME_COUNT;
    assert_int_equal(e[MAI_ME_CALLS + MAI_OK], CHILDREN);
    assert_int_equal(e[MAI_ME_CALLS + MAI_STATUS_OVERLOADED], 0);
    assert_int_equal(e[MAI_ME_BUCKETS + mai_metrics_bucket(30000)],
                     CHILDREN);
    assert_int_equal(e[MAI_ME_SUM_US], 30000 * CHILDREN);
    assert_int_equal(e[MAI_ME_WAITS], CHILDREN);
    assert_int_equal(e[MAI_ME_OVERLOADED], CHILDREN);
    /* this (parent) process took no slot: it counts nothing */
    mai_metrics_request(MAI_OK);
    mai_metrics_purged(3);

    /* a restart: the same process pool, a new configuration with one
     * more endpoint; the counts stay, each URL keeps its id */
    apr_pool_destroy(gen1);
    apr_pool_create(&gen2, p);
    reg = registry(gen2, 3);
    assert_null(mai_metrics_setup(keep, 2, reg));
    mai_metrics_read(p, apr_time_now(), &v);
    assert_int_equal(v.n_endpoints, 3);
    assert_int_equal(v.global[MAI_MG_REQUESTS + MAI_OK], CHILDREN);
    assert_int_equal(v.global[MAI_MG_PURGES], 0);
    assert_int_equal(index_of(&v, "http://127.0.0.1:1001/i"), ep);
    assert_int_equal(id_of(reg, 1), ep);
    fork_counters(id_of(reg, 1));
    mai_metrics_read(p, apr_time_now(), &v);
    assert_int_equal(v.global[MAI_MG_REQUESTS + MAI_OK], 2 * CHILDREN);
    assert_int_equal(v.endpoints[ep * MAI_ME_COUNT + MAI_ME_CALLS + MAI_OK],
                     2 * CHILDREN);
    apr_pool_destroy(gen2);
    apr_pool_destroy(keep);
}

static void test_growth_keeps_counts(void **state)
{
    apr_pool_t *keep, *gen1, *gen2, *p = *state;
    mai_metrics_view_t v;
    mai_endpoints_t *reg;
    int ep;

    apr_pool_create(&keep, p);
    apr_pool_create(&gen1, p);
    reg = registry(gen1, 1);
    assert_null(mai_metrics_setup(keep, 4, reg));
    ep = id_of(reg, 0);
    fork_counters(ep);
    apr_pool_create(&gen2, p);
    /* far more than the first segment's room */
    reg = registry(gen2, 40);
    assert_null(mai_metrics_setup(keep, 4, reg));
    assert_int_equal(id_of(reg, 0), ep);
    assert_true(id_of(reg, 39) >= 0 && id_of(reg, 39) < 40);
    mai_metrics_read(p, apr_time_now(), &v);
    assert_int_equal(v.n_endpoints, 40);
    assert_int_equal(v.global[MAI_MG_L1_HITS], 2 * CHILDREN);
    assert_int_equal(v.endpoints[ep * MAI_ME_COUNT + MAI_ME_CALLS + MAI_OK],
                     CHILDREN);
    fork_counters(id_of(reg, 39));
    mai_metrics_read(p, apr_time_now(), &v);
    assert_int_equal(v.global[MAI_MG_L1_HITS], 4 * CHILDREN);
    assert_int_equal(v.endpoints[id_of(reg, 39) * MAI_ME_COUNT
                                 + MAI_ME_CALLS + MAI_OK], CHILDREN);
    apr_pool_destroy(gen1);
    apr_pool_destroy(gen2);
    apr_pool_destroy(keep);
}

static void test_breaker_gauge(void **state)
{
    apr_pool_t *keep, *p = *state;
    mai_metrics_view_t v;
    mai_endpoints_t *reg;
    apr_time_t now = apr_time_now();
    pid_t pid;
    int ep, st;

    apr_pool_create(&keep, p);
    reg = registry(p, 1);
    assert_null(mai_metrics_setup(keep, 2, reg));
    ep = id_of(reg, 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        mai_metrics_child_init();
        mai_metrics_breaker_opened(ep, apr_time_from_sec(30));
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &st, 0), pid);
    mai_metrics_read(p, now, &v);
    assert_int_equal(v.breaker_open[ep], 1);
    assert_int_equal(v.endpoints[ep * MAI_ME_COUNT + MAI_ME_OPENINGS], 1);
    /* past the open time, the breaker lets a probe through: not open */
    mai_metrics_read(p, now + apr_time_from_sec(31), &v);
    assert_int_equal(v.breaker_open[ep], 0);
    apr_pool_destroy(keep);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_children_summed_and_kept),
    UNIT_TEST(test_growth_keeps_counts),
    UNIT_TEST(test_breaker_gauge),
};
UNIT_MAIN(tests)
