/* SPDX-License-Identifier: Apache-2.0 */
/* test_discovery.c: RFC 8414 discovery per process against a real server
 * in this process: one fetch then the cached endpoint, the issuer binding,
 * an insecure discovered URL refused, a refresh (through the hook a key
 * rotation will use) that keeps the old endpoint when it fails, a failure
 * shared with nobody who came later, and the warning about an unlisted
 * client authentication method given once. */
#include "unit.h"
#include <signal.h>
#include "discovery.h"
#include "endpoint.h"
#include "config.h"
#include "unit_server.h"

typedef struct {
    apr_pool_t *p;
    server_t srv;
    mai_endpoints_t *reg;
    mai_endpoint_t *meta;
    mai_discovery_t *d;
    mai_discovery_req_t q;
    mai_log_sink_t sink;
    unit_log_t log;
    char doc[1024];
    char issuer[64];
} fx_t;

static int fx_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));
    void *p = NULL;
    mai_endpoint_limits_t lim;
    mai_url_t url;
    const char *text;

    signal(SIGPIPE, SIG_IGN);
    if (!fx || unit_pool_setup(&p) != 0) {
        free(fx);
        return -1;
    }
    fx->p = p;
    server_start(&fx->srv, fx->p);
    mai_endpoint_limits_from_conf(mai_server_conf_create(fx->p), &lim);
    fx->reg = mai_endpoints_create(fx->p, &lim);
    snprintf(fx->issuer, sizeof(fx->issuer), "http://127.0.0.1:%d/t",
             fx->srv.port);
    text = apr_psprintf(fx->p, "http://127.0.0.1:%d/.well-known/"
                        "oauth-authorization-server/t", fx->srv.port);
    if (mai_url_parse(fx->p, text, &url)
        || mai_endpoints_add(fx->reg, fx->p, text, &url, NULL, 1, NULL)) {
        return -1;
    }
    fx->meta = mai_endpoints_find(fx->reg, text, NULL, 1, NULL);
    fx->d = mai_discovery_create(fx->p, fx->reg, 0);
    fx->q.metadata = fx->meta;
    fx->q.issuer = fx->issuer;
    fx->q.client_auth = "client_secret_basic";
    fx->q.refresh = apr_time_from_sec(3600);
    fx->q.timeout = apr_time_from_sec(2);
    fx->q.connect_timeout = apr_time_from_sec(1);
    fx->sink.emit = unit_log_capture;
    fx->sink.enabled = unit_log_all_levels;
    fx->sink.baton = &fx->log;
    *state = fx;
    return 0;
}

static int fx_teardown(void **state)
{
    fx_t *fx = *state;
    void *p = fx->p;

    server_stop(&fx->srv);
    /* unit_server.h's TLS helpers: not needed here */
    (void)server_tls;
    (void)resumed;
    (void)wait_closes;
    unit_pool_teardown(&p);
    free(fx);
    return 0;
}

#define FX_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

/* The server's document: ISSUER (NULL: the right one), endpoint PATH. */
static void publish(fx_t *fx, const char *issuer, const char *endpoint,
                    const char *methods)
{
    snprintf(fx->doc, sizeof(fx->doc), "{\"issuer\":\"%s\","
             "\"introspection_endpoint\":\"%s\"%s}",
             issuer ? issuer : fx->issuer, endpoint, methods ? methods : "");
    fx->srv.body = fx->doc;
}

static const char *local(fx_t *fx, const char *path)
{
    return apr_psprintf(fx->p, "http://127.0.0.1:%d%s", fx->srv.port, path);
}

static mai_status_t ask(fx_t *fx, mai_endpoint_t **ep)
{
    apr_interval_time_t ra = -1;
    mai_status_t s;

    *ep = NULL;
    s = mai_discovery_endpoint(fx->d, fx->p, &fx->q, &fx->sink, ep, &ra);
    assert_true(ra >= 0);
    return s;
}

static void test_fetched_once(void **state)
{
    fx_t *fx = *state;
    mai_endpoint_t *ep, *again;

    publish(fx, NULL, local(fx, "/introspect"), NULL);
    assert_int_equal(ask(fx, &ep), MAI_OK);
    assert_string_equal(mai_endpoint_target(ep)->url.path, "/introspect");
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 1);
    assert_non_null(strstr(fx->srv.last_req, "GET /.well-known/"
                           "oauth-authorization-server/t HTTP/1.1"));
    assert_int_equal(ask(fx, &again), MAI_OK);
    assert_ptr_equal(ep, again);
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 1);
}

static void test_issuer_bound(void **state)
{
    fx_t *fx = *state;
    mai_endpoint_t *ep;

    publish(fx, local(fx, "/other"), local(fx, "/introspect"), NULL);
    assert_int_equal(ask(fx, &ep), MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_null(ep);
    assert_non_null(strstr(fx->log.text, "MAI01503"));
    /* not remembered as a success: the next request asks again */
    publish(fx, NULL, local(fx, "/introspect"), NULL);
    assert_int_equal(ask(fx, &ep), MAI_OK);
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 2);
}

static void test_insecure_endpoint_refused(void **state)
{
    fx_t *fx = *state;
    mai_endpoint_t *ep;

    publish(fx, NULL, "http://192.0.2.7/introspect", NULL);
    assert_int_equal(ask(fx, &ep), MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_non_null(strstr(fx->log.text, "MAI01505"));
    /* AuthIntrospectAllowInsecureHTTP On lets it through */
    fx->d = mai_discovery_create(fx->p, fx->reg, 1);
    assert_int_equal(ask(fx, &ep), MAI_OK);
    assert_string_equal(mai_endpoint_target(ep)->url.host, "192.0.2.7");
}

static void test_refresh_keeps_old_on_failure(void **state)
{
    fx_t *fx = *state;
    mai_endpoint_t *ep, *first;

    publish(fx, NULL, local(fx, "/one"), NULL);
    assert_int_equal(ask(fx, &first), MAI_OK);
    /* the hook a JWS with an unknown kid will call */
    mai_discovery_expire(fx->d, fx->meta);
    publish(fx, NULL, local(fx, "/two"), NULL);
    assert_int_equal(ask(fx, &ep), MAI_OK);
    assert_string_equal(mai_endpoint_target(ep)->url.path, "/two");
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 2);
    /* a failed refresh: the document before stays */
    mai_discovery_expire(fx->d, fx->meta);
    publish(fx, local(fx, "/evil"), local(fx, "/three"), NULL);
    assert_int_equal(ask(fx, &first), MAI_OK);
    assert_ptr_equal(first, ep);
    assert_non_null(strstr(fx->log.text, "MAI01509"));
}

static void test_unlisted_method_warned_once(void **state)
{
    fx_t *fx = *state;
    mai_endpoint_t *ep;

    publish(fx, NULL, local(fx, "/introspect"),
          ",\"introspection_endpoint_auth_methods_supported\":"
          "[\"private_key_jwt\"]");
    assert_int_equal(ask(fx, &ep), MAI_OK);
    assert_non_null(strstr(fx->log.text, "MAI01507"));
    fx->log.text[0] = '\0';
    mai_discovery_expire(fx->d, fx->meta);
    assert_int_equal(ask(fx, &ep), MAI_OK);
    assert_null(strstr(fx->log.text, "MAI01507"));
}

static void test_unreachable(void **state)
{
    fx_t *fx = *state;
    mai_endpoint_t *ep;

    server_stop(&fx->srv);
    assert_int_equal(ask(fx, &ep), MAI_STATUS_ENDPOINT_UNREACHABLE);
    assert_null(ep);
    assert_non_null(strstr(fx->log.text, "MAI01501"));
}

static mai_status_t ask_jwks(fx_t *fx, mai_endpoint_t **ep)
{
    apr_interval_time_t ra = -1;
    mai_status_t s;

    s = mai_discovery_jwks(fx->d, fx->p, &fx->q, &fx->sink, ep, &ra);
    assert_true(ra >= 0);
    return s;
}

static void test_jwks_uri(void **state)
{
    fx_t *fx = *state;
    mai_endpoint_t *ep, *jwks;
    const char *more = apr_psprintf(fx->p, ",\"jwks_uri\":\"%s\"",
                                    local(fx, "/jwks"));

    publish(fx, NULL, local(fx, "/introspect"), more);
    assert_int_equal(ask_jwks(fx, &jwks), MAI_OK);
    assert_string_equal(mai_endpoint_target(jwks)->url.path, "/jwks");
    /* the same document serves both */
    assert_int_equal(ask(fx, &ep), MAI_OK);
    assert_string_equal(mai_endpoint_target(ep)->url.path, "/introspect");
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 1);
}

static void test_jwks_uri_missing_or_insecure(void **state)
{
    fx_t *fx = *state;
    mai_endpoint_t *ep;

    publish(fx, NULL, local(fx, "/introspect"), NULL);
    assert_int_equal(ask_jwks(fx, &ep), MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_null(ep);
    assert_non_null(strstr(fx->log.text, "MAI01603"));
    /* introspection itself goes on */
    assert_int_equal(ask(fx, &ep), MAI_OK);
    mai_discovery_expire(fx->d, fx->meta);
    publish(fx, NULL, local(fx, "/introspect"),
            ",\"jwks_uri\":\"http://192.0.2.7/jwks\"");
    assert_int_equal(ask_jwks(fx, &ep), MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_non_null(strstr(fx->log.text, "MAI01602"));
    assert_int_equal(ask(fx, &ep), MAI_OK);
}

static const struct CMUnitTest tests[] = {
    FX_TEST(test_fetched_once),
    FX_TEST(test_issuer_bound),
    FX_TEST(test_insecure_endpoint_refused),
    FX_TEST(test_refresh_keeps_old_on_failure),
    FX_TEST(test_unlisted_method_warned_once),
    FX_TEST(test_unreachable),
    FX_TEST(test_jwks_uri),
    FX_TEST(test_jwks_uri_missing_or_insecure),
};
UNIT_MAIN(tests)
