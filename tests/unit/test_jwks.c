/* SPDX-License-Identifier: Apache-2.0 */
/* test_jwks.c: the per-process JWK set cache against a real server in
 * this process: one fetch shared by concurrent first callers, then the
 * cached set; a refetch for an unknown kid, rate-limited; a replaced set
 * still valid for whoever holds it; failures that count for the breaker
 * and keep the old set. */
#include "unit.h"
#include <signal.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <cjose/cjose.h>
#include "jwks.h"
#include "jose.h"
#include "endpoint.h"
#include "config.h"
#include "unit_server.h"

#define THREADS 6

typedef struct {
    apr_pool_t *p;
    server_t srv;
    mai_endpoints_t *reg;
    mai_jwks_cache_t *c;
    mai_jwks_req_t q;
    mai_log_sink_t sink;
    unit_log_t log;
    cjose_jwk_t *a, *b;
    const char *set_a, *set_b, *set_ab;
    unit_barrier_t barrier;
} fx_t;

static const char *pub(apr_pool_t *p, const cjose_jwk_t *k)
{
    cjose_err err;
    char *s = cjose_jwk_to_json(k, false, &err);
    const char *copy = apr_pstrdup(p, s);

    cjose_get_dealloc()(s);
    return copy;
}

static int fx_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));
    void *p = NULL;
    mai_endpoint_limits_t lim;
    mai_url_t url;
    const char *text;
    cjose_err err;

    signal(SIGPIPE, SIG_IGN);
    if (!fx || unit_pool_setup(&p) != 0) {
        free(fx);
        return -1;
    }
    fx->p = p;
    server_start(&fx->srv, fx->p);
    mai_endpoint_limits_from_conf(mai_server_conf_create(fx->p), &lim);
    fx->reg = mai_endpoints_create(fx->p, &lim);
    text = apr_psprintf(fx->p, "http://127.0.0.1:%d/jwks", fx->srv.port);
    if (mai_url_parse(fx->p, text, &url)
        || mai_endpoints_add(fx->reg, fx->p, text, &url, NULL, 1, NULL)) {
        return -1;
    }
    fx->c = mai_jwks_cache_create(fx->p);
    fx->q.endpoint = mai_endpoints_find(fx->reg, text, NULL, 1, NULL);
    fx->q.refresh = apr_time_from_sec(3600);
    fx->q.refetch = apr_time_from_sec(3600);
    fx->q.timeout = apr_time_from_sec(2);
    fx->q.connect_timeout = apr_time_from_sec(1);
    fx->sink.emit = unit_log_capture;
    fx->sink.enabled = unit_log_all_levels;
    fx->sink.baton = &fx->log;
    fx->a = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err);
    fx->b = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err);
    cjose_jwk_set_kid(fx->a, "a", 1, &err);
    cjose_jwk_set_kid(fx->b, "b", 1, &err);
    fx->set_a = apr_pstrcat(fx->p, "{\"keys\":[", pub(fx->p, fx->a), "]}",
                            NULL);
    fx->set_b = apr_pstrcat(fx->p, "{\"keys\":[", pub(fx->p, fx->b), "]}",
                            NULL);
    fx->set_ab = apr_pstrcat(fx->p, "{\"keys\":[", pub(fx->p, fx->a), ",",
                             pub(fx->p, fx->b), "]}", NULL);
    *state = fx;
    return 0;
}

static int fx_teardown(void **state)
{
    fx_t *fx = *state;
    void *p = fx->p;

    server_stop(&fx->srv);
    (void)server_tls;
    (void)resumed;
    (void)wait_closes;
    cjose_jwk_release(fx->a);
    cjose_jwk_release(fx->b);
    unit_pool_teardown(&p);
    free(fx);
    return 0;
}

#define FX_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

static mai_status_t get(fx_t *fx, apr_pool_t *rp, const mai_jwks_t **keys)
{
    apr_interval_time_t ra = -1;
    mai_status_t s = mai_jwks_get(fx->c, rp, &fx->q, &fx->sink, keys, &ra);

    assert_true(ra >= 0);
    return s;
}

static mai_status_t refetch(fx_t *fx, apr_pool_t *rp,
                            const mai_jwks_t **keys)
{
    apr_interval_time_t ra = -1;
    mai_status_t s = mai_jwks_refetch(fx->c, rp, &fx->q, &fx->sink, keys,
                                      &ra);

    assert_true(ra >= 0);
    return s;
}

/* Does the set verify a JWS signed by k with kid? */
static mai_jose_result_t verifies(fx_t *fx, const mai_jwks_t *keys,
                                  const cjose_jwk_t *k, const char *kid)
{
    cjose_err err;
    cjose_header_t *h = cjose_header_new(&err);
    cjose_jws_t *jws;
    const char *ser;
    mai_jws_t parsed;
    mai_jose_result_t r;

    cjose_header_set(h, CJOSE_HDR_ALG, "ES256", &err);
    cjose_header_set(h, CJOSE_HDR_KID, kid, &err);
    jws = cjose_jws_sign(k, h, (const uint8_t *)"{}", 2, &err);
    assert_non_null(jws);
    assert_true(cjose_jws_export(jws, &ser, &err));
    r = mai_jws_parse(fx->p, ser, strlen(ser), &parsed);
    if (r == MAI_JOSE_OK) {
        r = mai_jws_verify(&parsed, keys, MAI_JOSE_ES256);
    }
    cjose_jws_release(jws);
    cjose_header_release(h);
    return r;
}

static void test_fetched_once(void **state)
{
    fx_t *fx = *state;
    const mai_jwks_t *keys, *again;

    fx->srv.body = fx->set_ab;
    assert_int_equal(get(fx, fx->p, &keys), MAI_OK);
    assert_int_equal(mai_jwks_count(keys), 2);
    assert_non_null(strstr(fx->srv.last_req, "GET /jwks HTTP/1.1"));
    assert_non_null(strstr(fx->srv.last_req,
                           "Accept: application/jwk-set+json"));
    assert_non_null(strstr(fx->log.text, "MAI01601"));
    assert_int_equal(get(fx, fx->p, &again), MAI_OK);
    assert_ptr_equal(keys, again);
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 1);
    assert_int_equal(verifies(fx, keys, fx->b, "b"), MAI_JOSE_OK);
}

typedef struct {
    fx_t *fx;
    const mai_jwks_t *keys;
    mai_status_t s;
} worker_t;

static void *APR_THREAD_FUNC first_caller(apr_thread_t *t, void *data)
{
    worker_t *w = data;
    apr_interval_time_t ra;
    apr_pool_t *rp;

    apr_pool_create_unmanaged_ex(&rp, NULL, NULL);
    unit_barrier_wait(&w->fx->barrier);
    w->s = mai_jwks_get(w->fx->c, rp, &w->fx->q, NULL, &w->keys, &ra);
    /* released with rp; the count still reads right before */
    assert_int_equal(mai_jwks_count(w->keys), 2);
    apr_pool_destroy(rp);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static void test_first_fetch_shared(void **state)
{
    fx_t *fx = *state;
    apr_thread_t *t[THREADS];
    worker_t w[THREADS];
    apr_status_t rv;
    int i;

    fx->srv.body = fx->set_ab;
    unit_barrier_init(&fx->barrier, THREADS, fx->p);
    for (i = 0; i < THREADS; i++) {
        w[i].fx = fx;
        assert_int_equal(apr_thread_create(&t[i], NULL, first_caller, &w[i],
                                           fx->p), APR_SUCCESS);
    }
    for (i = 0; i < THREADS; i++) {
        apr_thread_join(&rv, t[i]);
        assert_int_equal(w[i].s, MAI_OK);
        assert_ptr_equal(w[i].keys, w[0].keys);
    }
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 1);
}

static void test_unknown_kid_refetch(void **state)
{
    fx_t *fx = *state;
    const mai_jwks_t *keys, *old;
    apr_pool_t *rp;

    fx->srv.body = fx->set_a;
    apr_pool_create(&rp, fx->p);
    assert_int_equal(get(fx, rp, &old), MAI_OK);
    assert_int_equal(verifies(fx, old, fx->b, "b"), MAI_JOSE_UNKNOWN_KID);
    /* the server rotated to b */
    fx->srv.body = fx->set_b;
    assert_int_equal(refetch(fx, fx->p, &keys), MAI_OK);
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 2);
    assert_int_equal(verifies(fx, keys, fx->b, "b"), MAI_JOSE_OK);
    /* the new set is what everyone gets now */
    assert_int_equal(get(fx, fx->p, &keys), MAI_OK);
    assert_int_equal(verifies(fx, keys, fx->b, "b"), MAI_JOSE_OK);
    /* the replaced set stays whole for the request that holds it */
    assert_int_equal(mai_jwks_count(old), 1);
    assert_int_equal(verifies(fx, old, fx->a, "a"), MAI_JOSE_OK);
    apr_pool_destroy(rp);
    /* a second unknown kid within the interval: no fetch */
    fx->srv.body = fx->set_ab;
    assert_int_equal(refetch(fx, fx->p, &keys), MAI_OK);
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 2);
    assert_int_equal(verifies(fx, keys, fx->a, "a"), MAI_JOSE_UNKNOWN_KID);
    /* past the interval (0 here) it fetches again */
    fx->q.refetch = 0;
    assert_int_equal(refetch(fx, fx->p, &keys), MAI_OK);
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 3);
    assert_int_equal(verifies(fx, keys, fx->a, "a"), MAI_JOSE_OK);
}

static void test_refetch_before_any_fetch(void **state)
{
    fx_t *fx = *state;
    const mai_jwks_t *keys;

    fx->srv.body = fx->set_a;
    assert_int_equal(refetch(fx, fx->p, &keys), MAI_OK);
    assert_int_equal(mai_jwks_count(keys), 1);
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 1);
}

static void test_failed_refetch_keeps_old(void **state)
{
    fx_t *fx = *state;
    const mai_jwks_t *keys;

    fx->srv.body = fx->set_a;
    assert_int_equal(get(fx, fx->p, &keys), MAI_OK);
    fx->srv.body = "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}";
    assert_int_equal(refetch(fx, fx->p, &keys),
                     MAI_STATUS_ENDPOINT_BAD_JWKS);
    assert_null(keys);
    assert_non_null(strstr(fx->log.text, "MAI01600"));
    assert_int_equal(get(fx, fx->p, &keys), MAI_OK);
    assert_int_equal(verifies(fx, keys, fx->a, "a"), MAI_JOSE_OK);
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 2);
}

static void test_failures_open_breaker(void **state)
{
    fx_t *fx = *state;
    const mai_jwks_t *keys;
    apr_interval_time_t ra = 0;
    int i;

    fx->srv.body = "not json";
    /* a failure is not remembered: each request tries (the breaker is
     * what spares the server) */
    for (i = 0; i < 5; i++) {
        assert_int_equal(get(fx, fx->p, &keys),
                         MAI_STATUS_ENDPOINT_BAD_JWKS);
        assert_null(keys);
    }
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 5);
    assert_int_equal(mai_jwks_get(fx->c, fx->p, &fx->q, &fx->sink, &keys,
                                  &ra), MAI_STATUS_BREAKER_OPEN);
    assert_true(ra > 0);
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 5);
}

static void test_unreachable(void **state)
{
    fx_t *fx = *state;
    const mai_jwks_t *keys;

    server_stop(&fx->srv);
    assert_int_equal(get(fx, fx->p, &keys),
                     MAI_STATUS_ENDPOINT_UNREACHABLE);
    assert_null(keys);
    assert_non_null(strstr(fx->log.text, "MAI01501"));
    assert_non_null(strstr(fx->log.text, "JWK set 127.0.0.1"));
}

static const struct CMUnitTest tests[] = {
    FX_TEST(test_fetched_once),
    FX_TEST(test_first_fetch_shared),
    FX_TEST(test_unknown_kid_refetch),
    FX_TEST(test_refetch_before_any_fetch),
    FX_TEST(test_failed_refetch_keeps_old),
    FX_TEST(test_failures_open_breaker),
    FX_TEST(test_unreachable),
};
UNIT_MAIN(tests)
