/* SPDX-License-Identifier: Apache-2.0 */
/* test_endpoint.c: admission, without any IO: the registry finds only what
 * startup set up, the limits come from config.c, the in-flight cap and
 * the circuit breaker (with its log lines). The transport:
 * test_http_client.c. */
#include "unit.h"
#include <stdlib.h>
#include "endpoint.h"
#include "config.h"
#include "unit_cert.h"
#include "tls.h"

typedef struct {
    apr_pool_t *p;
    mai_server_conf_t *sc;        /* config.c's defaults unless set */
    mai_endpoints_t *reg;         /* with sc's limits */
    unit_log_t log;
} fx_t;

static void make_registry(fx_t *fx)
{
    mai_endpoint_limits_t lim;

    mai_endpoint_limits_from_conf(fx->sc, &lim);
    fx->reg = mai_endpoints_create(fx->p, &lim);
}

static int fx_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));
    void *p = NULL;

    if (!fx || unit_pool_setup(&p) != 0) {
        free(fx);
        return -1;
    }
    fx->p = p;
    fx->sc = mai_server_conf_create(fx->p);
    make_registry(fx);
    *state = fx;
    return 0;
}

static int fx_teardown(void **state)
{
    fx_t *fx = *state;
    void *p = fx->p;

    unit_pool_teardown(&p);
    free(fx);
    return 0;
}

#define FX_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

static mai_endpoint_t *add(fx_t *fx, const char *text, const char *ca_file,
                           int verify)
{
    mai_url_t url;
    mai_endpoint_t *ep;

    assert_null(mai_url_parse(fx->p, text, &url));
    assert_null(mai_endpoints_add(fx->reg, fx->p, text, &url, ca_file,
                                  verify, NULL));
    ep = mai_endpoints_find(fx->reg, text, ca_file, verify, NULL);
    assert_non_null(ep);
    return ep;
}

static mai_endpoint_t *add_via(fx_t *fx, const char *text,
                               const mai_proxy_t *px)
{
    mai_url_t url;
    mai_endpoint_t *ep;

    assert_null(mai_url_parse(fx->p, text, &url));
    assert_null(mai_endpoints_add(fx->reg, fx->p, text, &url, good.pem_path,
                                  1, px));
    ep = mai_endpoints_find(fx->reg, text, good.pem_path, 1, px);
    assert_non_null(ep);
    return ep;
}

static void assert_logged(fx_t *fx, const char *what)
{
    if (!strstr(fx->log.text, what)) {
        fail_msg("log lacks \"%s\":\n%s", what, fx->log.text);
    }
}

/* Adding the same settings again hands out the same endpoint, with its
 * connection pool; its target is the URL it was set up for. */
static void test_same_settings_same_endpoint(void **state)
{
    fx_t *fx = *state;
    const char *text = "http://127.0.0.1:9/introspect";
    mai_endpoint_t *ep = add(fx, text, NULL, 1);
    const mai_http_target_t *t = mai_endpoint_target(ep);

    assert_ptr_equal(add(fx, text, NULL, 1), ep);
    assert_ptr_equal(mai_endpoint_target(ep), t);
    assert_string_equal(t->url.authority, "127.0.0.1:9");
    assert_string_equal(t->url.path, "/introspect");
    assert_int_equal(t->url.port, 9);
    assert_non_null(t->conns);
    assert_null(t->tls);
    /* plain http: TLS settings play no part, one endpoint serves */
    assert_ptr_equal(mai_endpoints_find(fx->reg, text, good.pem_path, 0, NULL),
                     ep);
}

/* Only what was set up at startup is found: another TLS setting of the
 * same URL is another endpoint; without verification the CA file does
 * not matter. */
static void test_find_only_what_was_added(void **state)
{
    fx_t *fx = *state;
    const char *text = "https://127.0.0.1:1/x";
    mai_endpoint_t *on, *off;
    mai_url_t url;

    assert_null(mai_url_parse(fx->p, text, &url));
    assert_null(mai_endpoints_find(fx->reg, text, NULL, 1, NULL));
    assert_null(mai_endpoints_add(fx->reg, fx->p, text, &url,
                                  good.pem_path, 1, NULL));
    assert_null(mai_endpoints_add(fx->reg, fx->p, text, &url, NULL, 0, NULL));
    on = mai_endpoints_find(fx->reg, text, good.pem_path, 1, NULL);
    off = mai_endpoints_find(fx->reg, text, NULL, 0, NULL);
    assert_non_null(on);
    assert_non_null(off);
    assert_ptr_not_equal(on, off);
    assert_ptr_equal(mai_endpoints_find(fx->reg, text, wrong.pem_path, 0, NULL),
                     off);
    assert_null(mai_endpoints_find(fx->reg, text, NULL, 1, NULL));
    assert_null(mai_endpoints_find(fx->reg, text, wrong.pem_path, 1, NULL));
    assert_null(mai_endpoints_find(fx->reg, "https://127.0.0.1:2/x",
                                   good.pem_path, 1, NULL));
    assert_null(mai_endpoints_find(fx->reg, NULL, good.pem_path, 1, NULL));
}

/* Two hosts with one CA file share its SSL_CTX but never a session slot:
 * a session offered to the wrong host would skip its certificate check. */
static void test_own_session_slot(void **state)
{
    fx_t *fx = *state;
    mai_endpoint_t *a = add(fx, "https://127.0.0.1:1/x", good.pem_path, 1);
    mai_endpoint_t *b = add(fx, "https://127.0.0.1:2/x", good.pem_path, 1);

    assert_ptr_not_equal(a, b);
    assert_non_null(mai_endpoint_target(a)->tls);
    assert_non_null(mai_endpoint_target(b)->tls);
    assert_ptr_not_equal(mai_endpoint_target(a)->tls,
                         mai_endpoint_target(b)->tls);
    assert_ptr_not_equal(mai_endpoint_target(a)->conns,
                         mai_endpoint_target(b)->conns);
}

/* Through a proxy the URL is another endpoint, per proxy and per
 * credentials: its pooled connections (a CONNECT tunnel, or one that
 * carries absolute-form requests) are never handed to a call for
 * another endpoint or another proxy, nor a direct call to them. */
static void test_proxy_is_part_of_the_key(void **state)
{
    fx_t *fx = *state;
    const char *text = "https://127.0.0.1:1/x";
    mai_url_t url, pu1, pu2;
    mai_proxy_t p1 = { &pu1, NULL }, p2 = { &pu2, NULL };
    mai_proxy_t p1auth = { &pu1, "Basic dTpw" };
    mai_endpoint_t *direct, *via1, *via2, *via1auth;

    assert_null(mai_url_parse(fx->p, text, &url));
    assert_null(mai_proxy_parse(fx->p, "http://127.0.0.1:3128", &pu1));
    assert_null(mai_proxy_parse(fx->p, "http://127.0.0.2:3128", &pu2));
    direct = add(fx, text, good.pem_path, 1);
    assert_null(mai_endpoints_find(fx->reg, text, good.pem_path, 1, &p1));
    assert_null(mai_endpoints_add(fx->reg, fx->p, text, &url, good.pem_path,
                                  1, &p1));
    assert_null(mai_endpoints_add(fx->reg, fx->p, text, &url, good.pem_path,
                                  1, &p2));
    assert_null(mai_endpoints_add(fx->reg, fx->p, text, &url, good.pem_path,
                                  1, &p1auth));
    via1 = mai_endpoints_find(fx->reg, text, good.pem_path, 1, &p1);
    via2 = mai_endpoints_find(fx->reg, text, good.pem_path, 1, &p2);
    via1auth = mai_endpoints_find(fx->reg, text, good.pem_path, 1, &p1auth);
    assert_non_null(via1);
    assert_non_null(via2);
    assert_non_null(via1auth);
    assert_ptr_equal(mai_endpoints_find(fx->reg, text, good.pem_path, 1,
                                        NULL), direct);
    assert_ptr_not_equal(mai_endpoint_target(direct)->conns,
                         mai_endpoint_target(via1)->conns);
    assert_ptr_not_equal(mai_endpoint_target(via1)->conns,
                         mai_endpoint_target(via2)->conns);
    assert_ptr_not_equal(mai_endpoint_target(via1)->conns,
                         mai_endpoint_target(via1auth)->conns);
    assert_null(mai_endpoint_target(direct)->proxy);
    assert_string_equal(mai_endpoint_target(via2)->proxy->url->authority,
                        "127.0.0.2:3128");
    assert_string_equal(mai_endpoint_target(via1auth)->proxy->auth,
                        "Basic dTpw");
    /* the registry keeps its own copy of the proxy */
    assert_ptr_not_equal(mai_endpoint_target(via1)->proxy, &p1);
    /* another URL through the same proxy: its own endpoint, own pool */
    assert_ptr_not_equal(add_via(fx, "https://127.0.0.1:2/x", &p1), via1);
    assert_ptr_not_equal(mai_endpoint_target(add_via(fx,
                             "https://127.0.0.1:2/x", &p1))->conns,
                         mai_endpoint_target(via1)->conns);
}

/* c's private key as a PEM file deleted when p goes. */
static const char *key_file(apr_pool_t *p, const cert_t *c)
{
    apr_file_t *f = NULL;
    const char *tmp = NULL;
    char *path, *pem;
    BIO *bio = BIO_new(BIO_s_mem());
    long len;

    assert_true(PEM_write_bio_PrivateKey(bio, c->key, NULL, NULL, 0, NULL,
                                         NULL));
    len = BIO_get_mem_data(bio, &pem);
    assert_int_equal(apr_temp_dir_get(&tmp, p), APR_SUCCESS);
    path = apr_pstrcat(p, tmp, "/mai_test_keyXXXXXX", NULL);
    assert_int_equal(apr_file_mktemp(&f, path, 0, p), APR_SUCCESS);
    assert_int_equal(apr_file_write_full(f, pem, (apr_size_t)len, NULL),
                     APR_SUCCESS);
    apr_file_flush(f);
    BIO_free(bio);
    return path;
}

/* RFC 8705 section 2: the client certificate is part of the endpoint's
 * identity. The same URL with another certificate, or none, is another
 * endpoint: its own TLS context (sessions resumed per identity), own
 * pooled connections; plain http has no TLS and ignores it. */
static void test_client_cert_is_part_of_the_key(void **state)
{
    fx_t *fx = *state;
    const char *text = "https://127.0.0.1:1/x";
    mai_url_t url, plain;
    mai_client_cert_t a, b;
    mai_endpoint_t *none, *with_a, *with_b;

    a.cert_file = good.pem_path;
    a.key_file = key_file(fx->p, &good);
    b.cert_file = wrong.pem_path;
    b.key_file = key_file(fx->p, &wrong);
    assert_null(mai_url_parse(fx->p, text, &url));
    none = add(fx, text, good.pem_path, 1);
    assert_null(mai_endpoints_find_cert(fx->reg, text, good.pem_path, 1,
                                        NULL, &a));
    assert_null(mai_endpoints_add_cert(fx->reg, fx->p, text, &url,
                                       good.pem_path, 1, NULL, &a));
    assert_null(mai_endpoints_add_cert(fx->reg, fx->p, text, &url,
                                       good.pem_path, 1, NULL, &b));
    with_a = mai_endpoints_find_cert(fx->reg, text, good.pem_path, 1, NULL,
                                     &a);
    with_b = mai_endpoints_find_cert(fx->reg, text, good.pem_path, 1, NULL,
                                     &b);
    assert_non_null(with_a);
    assert_non_null(with_b);
    assert_ptr_not_equal(with_a, none);
    assert_ptr_not_equal(with_a, with_b);
    assert_ptr_equal(mai_endpoints_find(fx->reg, text, good.pem_path, 1,
                                        NULL), none);
    assert_ptr_not_equal(mai_endpoint_target(with_a)->conns,
                         mai_endpoint_target(with_b)->conns);
    assert_ptr_not_equal(mai_endpoint_target(with_a)->tls,
                         mai_endpoint_target(none)->tls);
    /* the same certificate with the other's key is another identity */
    b.cert_file = good.pem_path;
    assert_null(mai_endpoints_find_cert(fx->reg, text, good.pem_path, 1,
                                        NULL, &b));
    /* a key that is not the certificate's stops the set-up, naming it */
    assert_non_null(strstr(mai_endpoints_add_cert(fx->reg, fx->p, text,
                                                  &url, good.pem_path, 1,
                                                  NULL, &b), b.key_file));
    assert_non_null(mai_tls_check_client_cert(fx->p, good.pem_path,
                                              b.key_file));
    assert_null(mai_tls_check_client_cert(fx->p, good.pem_path,
                                          a.key_file));
    assert_non_null(strstr(mai_tls_check_client_cert(fx->p, a.key_file,
                                                     a.key_file),
                           a.key_file));
    assert_non_null(strstr(mai_tls_check_client_cert(fx->p, good.pem_path,
                                                     "/nonexistent/k.pem"),
                           "/nonexistent/k.pem"));
    /* plain http: no TLS, one endpoint whatever the certificate */
    assert_null(mai_url_parse(fx->p, "http://127.0.0.1:1/x", &plain));
    assert_null(mai_endpoints_add(fx->reg, fx->p, "http://127.0.0.1:1/x",
                                  &plain, NULL, 1, NULL));
    assert_non_null(mai_endpoints_find_cert(fx->reg, "http://127.0.0.1:1/x",
                                            NULL, 1, NULL, &a));
}

/* A CA file that cannot be read stops the set-up, naming the file, and
 * leaves no endpoint behind. */
static void test_bad_ca_file_not_added(void **state)
{
    fx_t *fx = *state;
    const char *text = "https://127.0.0.1:1/x";
    mai_url_t url;
    const char *err;

    assert_null(mai_url_parse(fx->p, text, &url));
    err = mai_endpoints_add(fx->reg, fx->p, text, &url,
                            "/nonexistent/ca.pem", 1, NULL);
    assert_non_null(err);
    assert_non_null(strstr(err, "/nonexistent/ca.pem"));
    assert_null(mai_endpoints_find(fx->reg, text, "/nonexistent/ca.pem", 1,
                                   NULL));
}

/* The limits are config.c's: its defaults, or the directives' values. */
static void test_limits_from_conf(void **state)
{
    fx_t *fx = *state;
    mai_endpoint_limits_t lim;

    mai_endpoint_limits_from_conf(fx->sc, &lim);
    assert_int_equal(lim.max_idle, mai_conf_pool_size(fx->sc));
    assert_true(lim.idle_timeout
                == apr_time_from_sec(mai_conf_pool_idle_seconds(fx->sc)));
    assert_int_equal(lim.max_inflight, mai_conf_max_inflight(fx->sc));
    assert_int_equal(lim.breaker_failures,
                     mai_conf_breaker_failures(fx->sc));
    assert_true(lim.breaker_open
                == apr_time_from_sec(mai_conf_breaker_seconds(fx->sc)));
    assert_true(lim.max_inflight > 0);
    assert_true(lim.idle_timeout > 0);

    assert_null(mai_conf_set_pool_size(fx->sc, "3"));
    assert_null(mai_conf_set_max_inflight(fx->sc, "7"));
    assert_null(mai_conf_set_breaker(fx->sc, "4", "9"));
    mai_endpoint_limits_from_conf(fx->sc, &lim);
    assert_int_equal(lim.max_idle, 3);
    assert_int_equal(lim.max_inflight, 7);
    assert_int_equal(lim.breaker_failures, 4);
    assert_true(lim.breaker_open == apr_time_from_sec(9));
}

/* The registry's endpoints enforce the directives' MaxInflight and
 * Breaker: N calls at once, the N+1st refused; F failures open it. */
static void test_directives_reach_the_endpoint(void **state)
{
    fx_t *fx = *state;
    mai_log_sink_t sink = { unit_log_capture, unit_log_all_levels,
                            &fx->log };
    apr_interval_time_t retry = 0;
    mai_endpoint_t *ep;
    int i;

    assert_null(mai_conf_set_max_inflight(fx->sc, "3"));
    assert_null(mai_conf_set_breaker(fx->sc, "3", "7"));
    make_registry(fx);
    ep = add(fx, "http://127.0.0.1:9/x", NULL, 1);
    for (i = 0; i < 3; i++) {
        assert_int_equal(mai_endpoint_enter(ep, apr_time_now()
                                            + apr_time_from_sec(1), &retry),
                         MAI_OK);
    }
    assert_int_equal(mai_endpoint_enter(ep, apr_time_now()
                                        + apr_time_from_msec(50), &retry),
                     MAI_STATUS_OVERLOADED);
    for (i = 0; i < 3; i++) {
        mai_endpoint_leave(ep, 1, &sink);
    }
    assert_logged(fx, "MAI00706");
    assert_int_equal(mai_endpoint_enter(ep, apr_time_now()
                                        + apr_time_from_sec(1), &retry),
                     MAI_STATUS_BREAKER_OPEN);
    assert_true(retry > apr_time_from_sec(1));
    assert_true(retry <= apr_time_from_sec(7));
}

/* The in-flight cap and the circuit breaker, one slot, two failures. */
static void test_inflight_and_breaker(void **state)
{
    fx_t *fx = *state;
    mai_endpoint_limits_t lim = { 4, apr_time_from_sec(30), 1, 2,
                                  apr_time_from_sec(10) };
    mai_log_sink_t sink = { unit_log_capture, unit_log_all_levels,
                            &fx->log };
    apr_interval_time_t retry = 0;
    mai_endpoint_t *ep;

    fx->reg = mai_endpoints_create(fx->p, &lim);
    ep = add(fx, "http://127.0.0.1:9/introspect", NULL, 1);
    assert_int_equal(mai_endpoint_enter(ep, apr_time_now()
                                        + apr_time_from_sec(1), &retry),
                     MAI_OK);
    assert_int_equal(mai_endpoint_enter(ep, apr_time_now()
                                        + apr_time_from_msec(50), &retry),
                     MAI_STATUS_OVERLOADED);
    mai_endpoint_leave(ep, 1, &sink);
    assert_int_equal(mai_endpoint_enter(ep, apr_time_now(), &retry), MAI_OK);
    assert_null(strstr(fx->log.text, "MAI00706"));
    mai_endpoint_leave(ep, 1, &sink);            /* second failure: opens */
    assert_logged(fx, "MAI00706");
    assert_int_equal(mai_endpoint_enter(ep, apr_time_now()
                                        + apr_time_from_sec(1), &retry),
                     MAI_STATUS_BREAKER_OPEN);
    assert_true(retry >= apr_time_from_sec(1));
    assert_true(retry <= apr_time_from_sec(10));
}

static const struct CMUnitTest tests[] = {
    FX_TEST(test_same_settings_same_endpoint),
    FX_TEST(test_find_only_what_was_added),
    FX_TEST(test_own_session_slot),
    FX_TEST(test_proxy_is_part_of_the_key),
    FX_TEST(test_bad_ca_file_not_added),
    FX_TEST(test_client_cert_is_part_of_the_key),
    FX_TEST(test_limits_from_conf),
    FX_TEST(test_directives_reach_the_endpoint),
    FX_TEST(test_inflight_and_breaker),
};

int main(void)
{
    int rc;

    apr_initialize();
    rc = cmocka_run_group_tests(tests, unit_certs_setup, unit_certs_teardown);
    apr_terminate();
    return rc;
}
