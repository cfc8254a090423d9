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

/* Over TLS, a forged answer behind each real one: in the answer's own
 * record (extra), or in a record of its own in the same TCP segment
 * (record), which TLS read-ahead takes in one read with the answer, so
 * the socket has nothing left to read when the connection goes idle and
 * only the TLS layer knows of the rest. */
static void tls_forged_not_pooled(fx_t *fx, const char *extra,
                                  const char *record)
{
    const mai_http_target_t *ep;

    fx->srv.ctx = server_tls(&good, 0);
    fx->srv.extra = extra;
    fx->srv.record = record;
    server_start(&fx->srv, fx->p);
    ep = endpoint(fx, 1, fx->srv.port, good.pem_path, 1);
    assert_answer(fx, ep, 1, 1, 0);
    assert_answer(fx, ep, 2, 1, 0);
    assert_int_equal(apr_atomic_read32(&fx->srv.accepts), 2);
    assert_logged(fx, "MAI00708");
}

static void test_tls_extra_bytes_not_pooled(void **state)
{
    tls_forged_not_pooled(*state, FORGED, NULL);
}

static void test_tls_extra_record_not_pooled(void **state)
{
    tls_forged_not_pooled(*state, NULL, FORGED);
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

/* ---- through a proxy: a scripted one-connection fake -------------------- */

/* Accepts one connection, reads the request head, sends `reply` (NULL:
 * nothing), then waits for the client to close. What came in is kept. */
typedef struct {
    int lfd;
    apr_port_t port;
    const char *reply;
    char req[4096];
    apr_thread_t *thread;
} fake_proxy_t;

static void *APR_THREAD_FUNC fake_proxy_run(apr_thread_t *t, void *data)
{
    fake_proxy_t *fp = data;
    int fd = accept(fp->lfd, NULL, NULL);
    size_t got = 0;
    ssize_t n;
    char sink[512];

    if (fd < 0) {
        return NULL;
    }
    while (got < sizeof(fp->req) - 1 && !strstr(fp->req, "\r\n\r\n")) {
        n = recv(fd, fp->req + got, sizeof(fp->req) - 1 - got, 0);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
        fp->req[got] = '\0';
    }
    if (fp->reply) {
        (void)!send(fd, fp->reply, strlen(fp->reply), 0);
    }
    while (recv(fd, sink, sizeof(sink), 0) > 0) {
    }
    close(fd);
    return NULL;
}

static void fake_proxy_start(fx_t *fx, fake_proxy_t *fp, const char *reply)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    memset(fp, 0, sizeof(*fp));
    fp->reply = reply;
    fp->lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fp->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fp->lfd, 4), 0);
    getsockname(fp->lfd, (struct sockaddr *)&a, &len);
    fp->port = ntohs(a.sin_port);
    assert_int_equal(apr_thread_create(&fp->thread, NULL, fake_proxy_run,
                                       fp, fx->p), APR_SUCCESS);
}

static void fake_proxy_join(fake_proxy_t *fp)
{
    apr_status_t rv;

    apr_thread_join(&rv, fp->thread);
    close(fp->lfd);
}

/* A target for 127.0.0.1:9 (nothing listens: every byte must come from
 * the fake) through the fake proxy, with credentials. */
static mai_http_target_t *via_fake(fx_t *fx, fake_proxy_t *fp, int tls)
{
    mai_http_target_t *t = (mai_http_target_t *)endpoint(
        fx, tls, 9, good.pem_path, 1);
    mai_proxy_t *px = apr_pcalloc(fx->p, sizeof(*px));
    mai_url_t *u = apr_pcalloc(fx->p, sizeof(*u));

    assert_null(mai_proxy_parse(fx->p, apr_psprintf(
        fx->p, "http://127.0.0.1:%d", (int)fp->port), u));
    px->url = u;
    px->auth = "Basic dTpw";
    t->proxy = px;
    return t;
}

static mai_status_t post_via(fx_t *fx, const char *reply, int tls,
                             apr_interval_time_t timeout, fake_proxy_t *fp)
{
    mai_http_reply_t out;
    mai_status_t st;

    fake_proxy_start(fx, fp, reply);
    st = post_t(fx, via_fake(fx, fp, tls), timeout, &out);
    fake_proxy_join(fp);
    return st;
}

/* The CONNECT request: authority form with the port, the credentials for
 * the proxy, and nothing of the call itself (the token goes only inside
 * the verified tunnel). */
static void assert_connect_only(fake_proxy_t *fp)
{
    assert_true(strncmp(fp->req, "CONNECT 127.0.0.1:9 HTTP/1.1\r\n", 30)
                == 0);
    assert_non_null(strstr(fp->req, "\r\nProxy-Authorization: Basic "
                           "dTpw\r\n"));
    assert_null(strstr(fp->req, SECRET));
    assert_null(strstr(fp->req, "POST"));
}

static void test_proxy_refuses_connect(void **state)
{
    fx_t *fx = *state;
    fake_proxy_t fp;

    assert_int_equal(post_via(fx, "HTTP/1.1 403 Forbidden\r\n"
                              "Content-Length: 0\r\n\r\n", 1,
                              apr_time_from_sec(10), &fp),
                     MAI_STATUS_ENDPOINT_PROXY);
    assert_connect_only(&fp);
    assert_logged(fx, "MAI01303");
    assert_logged(fx, apr_psprintf(fx->p, "proxy 127.0.0.1:%d refused "
                                   "CONNECT to 127.0.0.1:9: HTTP 403",
                                   (int)fp.port));
    /* the credentials are the proxy's business, never the log's */
    assert_null(strstr(fx->log.text, "dTpw"));
}

/* After its 200, the endpoint has not spoken yet (it waits for our
 * ClientHello): bytes there are the proxy's own, never the endpoint's. */
static void test_proxy_bytes_after_connect_answer(void **state)
{
    fx_t *fx = *state;
    fake_proxy_t fp;

    assert_int_equal(post_via(fx, "HTTP/1.1 200 OK\r\n\r\nHTTP/1.1 200 OK"
                              "\r\n\r\n{\"active\":true}", 1,
                              apr_time_from_sec(10), &fp),
                     MAI_STATUS_ENDPOINT_PROXY);
    assert_connect_only(&fp);
    assert_logged(fx, "MAI01305");
    assert_logged(fx, "bytes after the answer");
}

static void test_proxy_not_http(void **state)
{
    fx_t *fx = *state;
    fake_proxy_t fp;

    assert_int_equal(post_via(fx, "SSH-2.0-OpenSSH_9.2\r\n\r\n", 1,
                              apr_time_from_sec(10), &fp),
                     MAI_STATUS_ENDPOINT_PROXY);
    assert_logged(fx, "not an HTTP/1.x answer");
}

static void test_proxy_silent_times_out(void **state)
{
    fx_t *fx = *state;
    fake_proxy_t fp;

    assert_int_equal(post_via(fx, NULL, 1, apr_time_from_msec(300), &fp),
                     MAI_STATUS_ENDPOINT_TIMEOUT);
    assert_connect_only(&fp);
    assert_logged(fx, "MAI01306");
}

/* Plain http: the request itself goes to the proxy, in absolute form,
 * with the proxy's credentials; 407 is the proxy's refusal. */
static void test_proxy_http_absolute_form_407(void **state)
{
    fx_t *fx = *state;
    fake_proxy_t fp;

    assert_int_equal(post_via(fx, "HTTP/1.1 407 Proxy Authentication "
                              "Required\r\nProxy-Authenticate: Basic\r\n"
                              "Content-Length: 0\r\n\r\n", 0,
                              apr_time_from_sec(10), &fp),
                     MAI_STATUS_ENDPOINT_PROXY);
    assert_true(strncmp(fp.req, "POST http://127.0.0.1:9/introspect "
                        "HTTP/1.1\r\nHost: 127.0.0.1:9\r\n", 55) == 0);
    assert_non_null(strstr(fp.req, "\r\nProxy-Authorization: Basic "
                           "dTpw\r\n"));
    assert_logged(fx, "MAI01304");
}

/* A proxy that refuses the connection is named as the proxy, with the
 * endpoint it was for. */
static void test_proxy_unreachable(void **state)
{
    fx_t *fx = *state;
    mai_http_target_t *t = (mai_http_target_t *)endpoint(fx, 1, 9,
                                                         good.pem_path, 1);
    mai_proxy_t px = { NULL, NULL };
    mai_url_t u;
    mai_http_reply_t out;

    assert_null(mai_proxy_parse(fx->p, "http://127.0.0.1:9", &u));
    px.url = &u;
    t->proxy = &px;
    assert_int_equal(post(fx, t, &out), MAI_STATUS_ENDPOINT_UNREACHABLE);
    assert_logged(fx, "MAI01308");
    assert_logged(fx, "cannot connect to the proxy 127.0.0.1:9");
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
    FX_TEST(test_tls_extra_record_not_pooled),
    FX_TEST(test_tls_unusable_host_name),
    FX_TEST(test_bad_ca_file),
    FX_TEST(test_ca_file_without_certificate),
    FX_TEST(test_tls13_resumption),
    FX_TEST(test_tls12_resumption),
    FX_TEST(test_tls_server_closed_idle),
    FX_TEST(test_tls_stale_retried),
    FX_TEST(test_proxy_refuses_connect),
    FX_TEST(test_proxy_bytes_after_connect_answer),
    FX_TEST(test_proxy_not_http),
    FX_TEST(test_proxy_silent_times_out),
    FX_TEST(test_proxy_http_absolute_form_407),
    FX_TEST(test_proxy_unreachable),
};

int main(void)
{
    int rc;

    apr_initialize();
    rc = cmocka_run_group_tests(tests, group_setup, unit_certs_teardown);
    apr_terminate();
    return rc;
}
