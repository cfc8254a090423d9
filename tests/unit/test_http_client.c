/* SPDX-License-Identifier: Apache-2.0 */
/* test_http_client.c: the transport against a real server in this process
 * (plain TCP and TLS on 127.0.0.1, port 0): keep-alive reuse, the retry of
 * a pooled connection the server had closed, "Connection: close", refused
 * and silent endpoints, certificate and host checks, TLS resumption. The
 * registry, call slots and breaker: test_endpoint.c. */
#include "unit.h"
#include <stdlib.h>
#include <signal.h>
#include <apr_atomic.h>
#include <apr_strings.h>
#include <openssl/err.h>
#include "http_client.h"
#include "tls.h"
#include "conn_pool.h"
#include "config.h"
#include "unit_server.h"

/* the token sent in every call: it must never reach the log */
#define SECRET "s3cr3t-t0k3n"

static int group_setup(void **state)
{
    /* a peer that closed first must not kill the test with SIGPIPE;
     * httpd ignores it too */
    signal(SIGPIPE, SIG_IGN);
    return unit_certs_setup(state);
}

/* ---- the client side ------------------------------------------------- */

typedef struct {
    apr_pool_t *p;
    server_t srv;
    int max_idle;                 /* each new target's connection pool */
    apr_interval_time_t idle_timeout;
    unit_log_t log;
} fx_t;

static int fx_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));
    void *p = NULL;
    mai_server_conf_t *sc;

    if (!fx || unit_pool_setup(&p) != 0) {
        free(fx);
        return -1;
    }
    fx->p = p;
    /* the pool config.c's defaults give an endpoint */
    sc = mai_server_conf_create(fx->p);
    fx->max_idle = mai_conf_pool_size(sc);
    fx->idle_timeout = apr_time_from_sec(mai_conf_pool_idle_seconds(sc));
    *state = fx;
    return 0;
}

static int fx_teardown(void **state)
{
    fx_t *fx = *state;
    void *p = fx->p;
    int leaked = strstr(fx->log.text, SECRET) != NULL;

    /* the server first: its threads must not outlive what they use */
    server_stop(&fx->srv);
    unit_pool_teardown(&p);
    free(fx);
    return leaked ? -1 : 0;
}

#define FX_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

/* A target as endpoint.c makes one: the URL, a TLS context with its own
 * session slot, and an idle pool of fx's size. */
static const mai_http_target_t *endpoint_at(fx_t *fx, const char *host,
                                            int tls, apr_port_t port,
                                            const char *ca_file, int verify)
{
    const char *text = apr_psprintf(fx->p, "%s://%s:%d/introspect",
                                     tls ? "https" : "http", host, (int)port);
    mai_http_target_t *t = apr_pcalloc(fx->p, sizeof(*t));

    assert_null(mai_url_parse(fx->p, text, &t->url));
    if (tls) {
        assert_null(mai_tls_ctx_create(fx->p, verify ? ca_file : NULL,
                                       verify, &t->tls));
    }
    t->conns = mai_conn_pool_create(fx->p, fx->max_idle, fx->idle_timeout);
    return t;
}

static const mai_http_target_t *endpoint(fx_t *fx, int tls, apr_port_t port,
                                         const char *ca_file, int verify)
{
    return endpoint_at(fx, "127.0.0.1", tls, port, ca_file, verify);
}

static mai_status_t post_t(fx_t *fx, const mai_http_target_t *ep,
                           apr_interval_time_t timeout,
                           mai_http_reply_t *out)
{
    static const char *const headers[] = {
        "Content-Type: application/x-www-form-urlencoded",
        "Accept: application/json", NULL
    };
    mai_log_sink_t sink = { unit_log_capture, unit_log_all_levels,
                            &fx->log };
    mai_http_call_t call;

    memset(&call, 0, sizeof(call));
    memset(out, 0, sizeof(*out));
    out->reused = -1;
    call.timeout = timeout;
    call.connect_timeout = timeout;
    call.headers = headers;
    call.body = "token=" SECRET;
    call.body_len = strlen(call.body);
    return mai_http_post(ep, fx->p, &call, &sink, out);
}

static mai_status_t post(fx_t *fx, const mai_http_target_t *ep,
                         mai_http_reply_t *out)
{
    return post_t(fx, ep, apr_time_from_sec(10), out);
}

/* A post that works, answered by connection conn as its request req. */
static void assert_answer(fx_t *fx, const mai_http_target_t *ep, int conn,
                          int req, int reused)
{
    mai_http_reply_t r;
    const char *want = apr_psprintf(fx->p, "{\"conn\":%d,\"req\":%d}", conn,
                                    req);

    assert_int_equal(post(fx, ep, &r), MAI_OK);
    assert_int_equal(r.status, 200);
    assert_non_null(r.body);
    assert_string_equal(r.body, want);
    assert_int_equal(r.body_len, strlen(want));
    assert_int_equal(r.reused, reused);
}

static void assert_logged(fx_t *fx, const char *what)
{
    if (!strstr(fx->log.text, what)) {
        fail_msg("log lacks \"%s\":\n%s", what, fx->log.text);
    }
}

/* ---- plain HTTP ------------------------------------------------------ */

static void test_keepalive_reuse(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;
    const char *want;

    server_start(&fx->srv, fx->p);
    ep = endpoint(fx, 0, fx->srv.port, NULL, 1);
    assert_answer(fx, ep, 1, 1, 0);
    assert_answer(fx, ep, 1, 2, 1);
    assert_answer(fx, ep, 1, 3, 1);
    assert_int_equal(apr_atomic_read32(&fx->srv.accepts), 1);
    /* what went over the wire */
    want = apr_psprintf(fx->p, "POST /introspect HTTP/1.1\r\n"
                        "Host: 127.0.0.1:%d\r\n", (int)fx->srv.port);
    apr_thread_mutex_lock(fx->srv.lock);
    assert_memory_equal(fx->srv.last_req, want, strlen(want));
    assert_non_null(strstr(fx->srv.last_req, "\r\nContent-Length: 18\r\n"));
    assert_non_null(strstr(fx->srv.last_req,
                           "\r\nAccept: application/json\r\n"));
    assert_non_null(strstr(fx->srv.last_req, "\r\n\r\ntoken=" SECRET));
    apr_thread_mutex_unlock(fx->srv.lock);
}

/* The server closes an idle connection: the pool notices before use. */
static void test_server_closed_idle(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;

    fx->srv.close_after = 1;
    server_start(&fx->srv, fx->p);
    ep = endpoint(fx, 0, fx->srv.port, NULL, 1);
    assert_answer(fx, ep, 1, 1, 0);
    wait_closes(&fx->srv, 1);
    assert_answer(fx, ep, 2, 1, 0);
    assert_int_equal(apr_atomic_read32(&fx->srv.accepts), 2);
    /* found dead before use: no request was sent into it */
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 2);
    assert_null(strstr(fx->log.text, "MAI00704"));
}

/* The server closes a reused connection on receiving the request, as one
 * racing its idle timeout does: retried once on a fresh connection. */
static void test_stale_retried_once(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;

    fx->srv.drops[0][0] = 1;
    fx->srv.drops[0][1] = 2;
    server_start(&fx->srv, fx->p);
    ep = endpoint(fx, 0, fx->srv.port, NULL, 1);
    assert_answer(fx, ep, 1, 1, 0);
    assert_answer(fx, ep, 2, 1, 0);
    assert_int_equal(apr_atomic_read32(&fx->srv.accepts), 2);
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 3);
    assert_logged(fx, "MAI00704");
}

/* ... but only once: a fresh connection that fails is an error. */
static void test_no_second_retry(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;
    mai_http_reply_t r;

    fx->srv.drops[0][0] = 1;
    fx->srv.drops[0][1] = 2;
    fx->srv.drops[1][0] = 2;
    fx->srv.drops[1][1] = 1;
    server_start(&fx->srv, fx->p);
    ep = endpoint(fx, 0, fx->srv.port, NULL, 1);
    assert_answer(fx, ep, 1, 1, 0);
    assert_int_equal(post(fx, ep, &r), MAI_STATUS_ENDPOINT_BAD_RESPONSE);
    assert_int_equal(apr_atomic_read32(&fx->srv.accepts), 2);
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 3);
    assert_logged(fx, "MAI00705");
}

/* "Connection: close" is obeyed even when the server leaves it open. */
static void test_connection_close_not_pooled(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;

    fx->srv.close_header = 1;
    server_start(&fx->srv, fx->p);
    ep = endpoint(fx, 0, fx->srv.port, NULL, 1);
    assert_answer(fx, ep, 1, 1, 0);
    assert_answer(fx, ep, 2, 1, 0);
    assert_answer(fx, ep, 3, 1, 0);
    assert_int_equal(apr_atomic_read32(&fx->srv.accepts), 3);
}

/* A forged second response right behind the real one: had the
 * connection gone back to the pool, the next call would read it. */
#define FORGED "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n" \
               "{\"active\":true}"

static void test_extra_bytes_not_pooled(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;

    fx->srv.extra = FORGED;
    server_start(&fx->srv, fx->p);
    ep = endpoint(fx, 0, fx->srv.port, NULL, 1);
    assert_answer(fx, ep, 1, 1, 0);
    assert_answer(fx, ep, 2, 1, 0);
    assert_int_equal(apr_atomic_read32(&fx->srv.accepts), 2);
    assert_logged(fx, "MAI00708");
}

static void test_refused(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;
    mai_http_reply_t r;
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    /* a port bound but not listening: refused, and nobody else can
     * take the port meanwhile */
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    ep = endpoint(fx, 0, ntohs(sa.sin_port), NULL, 1);
    assert_int_equal(post(fx, ep, &r), MAI_STATUS_ENDPOINT_UNREACHABLE);
    close(fd);
    assert_logged(fx, "MAI00703");
}

static void test_silent_server_times_out(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;
    mai_http_reply_t r;

    fx->srv.silent = 1;
    server_start(&fx->srv, fx->p);
    ep = endpoint(fx, 0, fx->srv.port, NULL, 1);
    assert_int_equal(post_t(fx, ep, apr_time_from_msec(300), &r),
                     MAI_STATUS_ENDPOINT_TIMEOUT);
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 1);
    assert_logged(fx, "MAI00705");
}

/* AuthIntrospectPoolSize 0 pools nothing; an idle timeout ages out. */
static void test_pool_limits(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;

    server_start(&fx->srv, fx->p);
    fx->max_idle = 0;
    ep = endpoint(fx, 0, fx->srv.port, NULL, 1);
    assert_answer(fx, ep, 1, 1, 0);
    assert_answer(fx, ep, 2, 1, 0);
    fx->max_idle = 4;
    fx->idle_timeout = apr_time_from_msec(100);
    ep = endpoint(fx, 0, fx->srv.port, NULL, 1);
    assert_answer(fx, ep, 3, 1, 0);
    assert_answer(fx, ep, 3, 2, 1);
    apr_sleep(apr_time_from_msec(200));
    assert_answer(fx, ep, 4, 1, 0);
    assert_int_equal(apr_atomic_read32(&fx->srv.accepts), 4);
}

/* ---- TLS ------------------------------------------------------------- */

static void test_tls_verified_keepalive(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;

    fx->srv.ctx = server_tls(&good, 0);
    server_start(&fx->srv, fx->p);
    ep = endpoint(fx, 1, fx->srv.port, good.pem_path, 1);
    assert_answer(fx, ep, 1, 1, 0);
    assert_answer(fx, ep, 1, 2, 1);
    assert_int_equal(apr_atomic_read32(&fx->srv.accepts), 1);
}

/* The certificate is trusted but names another host: checked for an
 * address (set1_ip_asc) and for a name (set1_host). */
static void test_tls_wrong_host(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;
    mai_http_reply_t r;

    fx->srv.ctx = server_tls(&wrong, 0);
    server_start(&fx->srv, fx->p);
    ep = endpoint(fx, 1, fx->srv.port, wrong.pem_path, 1);
    assert_int_equal(post(fx, ep, &r), MAI_STATUS_ENDPOINT_TLS);
    ep = endpoint_at(fx, "localhost", 1, fx->srv.port, wrong.pem_path, 1);
    assert_int_equal(post(fx, ep, &r), MAI_STATUS_ENDPOINT_TLS);
    assert_int_equal(apr_atomic_read32(&fx->srv.accepts), 2);
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 0);
    assert_logged(fx, "MAI00701");
    assert_logged(fx, "certificate verification failed");
}

/* A name in the certificate's SAN matches. */
static void test_tls_host_name(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;

    fx->srv.ctx = server_tls(&good, 0);
    server_start(&fx->srv, fx->p);
    ep = endpoint_at(fx, "localhost", 1, fx->srv.port, good.pem_path, 1);
    assert_answer(fx, ep, 1, 1, 0);
}

/* The host matches but nothing vouches for the certificate. */
static void test_tls_untrusted(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;
    mai_http_reply_t r;

    fx->srv.ctx = server_tls(&good, 0);
    server_start(&fx->srv, fx->p);
    ep = endpoint(fx, 1, fx->srv.port, wrong.pem_path, 1);
    assert_int_equal(post(fx, ep, &r), MAI_STATUS_ENDPOINT_TLS);
    assert_int_equal(apr_atomic_read32(&fx->srv.requests), 0);
    /* with verification off the same server is accepted */
    ep = endpoint(fx, 1, fx->srv.port, NULL, 0);
    assert_answer(fx, ep, 2, 1, 0);
}

/* The same over TLS: the extra bytes come in the answer's record. */
static void test_tls_extra_bytes_not_pooled(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;

    fx->srv.ctx = server_tls(&good, 0);
    fx->srv.extra = FORGED;
    server_start(&fx->srv, fx->p);
    ep = endpoint(fx, 1, fx->srv.port, good.pem_path, 1);
    assert_answer(fx, ep, 1, 1, 0);
    assert_answer(fx, ep, 2, 1, 0);
    assert_int_equal(apr_atomic_read32(&fx->srv.accepts), 2);
    assert_logged(fx, "MAI00708");
}

/* A host name OpenSSL will not take (longer than SNI allows): no SSL,
 * rather than one that checks no name. */
static void test_tls_unusable_host_name(void **state)
{
    fx_t *fx = *state;
    mai_tls_ctx_t *t = NULL;
    char host[300];

    memset(host, 'a', sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    host[100] = host[200] = '.';
    assert_null(mai_tls_ctx_create(fx->p, good.pem_path, 1, &t));
    assert_null(mai_tls_new_ssl(t, host));
    ERR_clear_error();
}

/* (that the registry sets up no endpoint with it: test_endpoint.c) */
static void test_bad_ca_file(void **state)
{
    fx_t *fx = *state;
    mai_tls_ctx_t *t = NULL;
    const char *err;

    err = mai_tls_ctx_create(fx->p, "/nonexistent/ca.pem", 1, &t);
    assert_non_null(err);
    assert_non_null(strstr(err, "/nonexistent/ca.pem"));
    /* the check the directive's setter runs names the file too */
    err = mai_tls_check_ca_file(fx->p, "/nonexistent/ca.pem");
    assert_non_null(err);
    assert_non_null(strstr(err, "/nonexistent/ca.pem"));
    assert_null(mai_tls_check_ca_file(fx->p, good.pem_path));
}

/* A readable file without a certificate is no CA file. */
static void test_ca_file_without_certificate(void **state)
{
    fx_t *fx = *state;
    apr_file_t *f = NULL;
    char *path = apr_pstrdup(fx->p, "/tmp/mai_test_notcaXXXXXX");
    const char *err;

    assert_int_equal(apr_file_mktemp(&f, path, 0, fx->p), APR_SUCCESS);
    apr_file_puts("just text\n", f);
    apr_file_close(f);
    err = mai_tls_check_ca_file(fx->p, path);
    assert_non_null(err);
    assert_non_null(strstr(err, path));
    apr_file_remove(path, fx->p);
}

/* Each answer closes the connection; the second handshake resumes. */
static void resumption(fx_t *fx, int max_version)
{
    const mai_http_target_t *ep;

    fx->srv.ctx = server_tls(&good, max_version);
    fx->srv.close_after = 1;
    fx->srv.close_header = 1;
    server_start(&fx->srv, fx->p);
    ep = endpoint(fx, 1, fx->srv.port, good.pem_path, 1);
    assert_answer(fx, ep, 1, 1, 0);
    wait_closes(&fx->srv, 1);
    assert_answer(fx, ep, 2, 1, 0);
    wait_closes(&fx->srv, 2);
    assert_answer(fx, ep, 3, 1, 0);
    assert_int_equal(apr_atomic_read32(&fx->srv.accepts), 3);
    assert_int_equal(resumed(&fx->srv, 1), 0);
    assert_int_equal(resumed(&fx->srv, 2), 1);
    assert_int_equal(resumed(&fx->srv, 3), 1);
}

static void test_tls13_resumption(void **state)
{
    resumption(*state, 0);
}

static void test_tls12_resumption(void **state)
{
    resumption(*state, TLS1_2_VERSION);
}

/* A TLS connection closed by the server while idle (close_notify, FIN)
 * is not reused. */
static void test_tls_server_closed_idle(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;

    fx->srv.ctx = server_tls(&good, 0);
    fx->srv.close_after = 1;
    server_start(&fx->srv, fx->p);
    ep = endpoint(fx, 1, fx->srv.port, good.pem_path, 1);
    assert_answer(fx, ep, 1, 1, 0);
    wait_closes(&fx->srv, 1);
    assert_answer(fx, ep, 2, 1, 0);
    assert_int_equal(apr_atomic_read32(&fx->srv.accepts), 2);
}

/* A TLS connection dropped on its second request: retried, resumed. */
static void test_tls_stale_retried(void **state)
{
    fx_t *fx = *state;
    const mai_http_target_t *ep;

    fx->srv.ctx = server_tls(&good, 0);
    fx->srv.drops[0][0] = 1;
    fx->srv.drops[0][1] = 2;
    server_start(&fx->srv, fx->p);
    ep = endpoint(fx, 1, fx->srv.port, good.pem_path, 1);
    assert_answer(fx, ep, 1, 1, 0);
    assert_answer(fx, ep, 2, 1, 0);
    assert_int_equal(apr_atomic_read32(&fx->srv.accepts), 2);
    assert_int_equal(resumed(&fx->srv, 2), 1);
    assert_logged(fx, "MAI00704");
}

static const struct CMUnitTest tests[] = {
    FX_TEST(test_keepalive_reuse),
    FX_TEST(test_server_closed_idle),
    FX_TEST(test_stale_retried_once),
    FX_TEST(test_no_second_retry),
    FX_TEST(test_connection_close_not_pooled),
    FX_TEST(test_extra_bytes_not_pooled),
    FX_TEST(test_refused),
    FX_TEST(test_silent_server_times_out),
    FX_TEST(test_pool_limits),
    FX_TEST(test_tls_verified_keepalive),
    FX_TEST(test_tls_wrong_host),
    FX_TEST(test_tls_host_name),
    FX_TEST(test_tls_untrusted),
    FX_TEST(test_tls_extra_bytes_not_pooled),
    FX_TEST(test_tls_unusable_host_name),
    FX_TEST(test_bad_ca_file),
    FX_TEST(test_ca_file_without_certificate),
    FX_TEST(test_tls13_resumption),
    FX_TEST(test_tls12_resumption),
    FX_TEST(test_tls_server_closed_idle),
    FX_TEST(test_tls_stale_retried),
};

int main(void)
{
    int rc;

    apr_initialize();
    rc = cmocka_run_group_tests(tests, group_setup, unit_certs_teardown);
    apr_terminate();
    return rc;
}
