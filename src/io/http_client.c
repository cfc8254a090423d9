/* SPDX-License-Identifier: Apache-2.0 */
/* http_client.c: the transport: connect, TLS, send, receive, each against
 * one deadline, on non-blocking sockets so no worker ever waits past the
 * timeout; the connection goes back to the target's pool when it may. */
#include <apr_strings.h>
#include <apr_poll.h>
#include <apr_portable.h>
#include <openssl/err.h>
#include "http_client.h"
#include "http_wire.h"
#include "conn_pool.h"
#include "tls.h"
#include "connect.h"
#include "proxy.h"

#define MAI_READ_CHUNK 16384

/* Wait until the socket is readable or writable, or the deadline. */
static apr_status_t wait_io(mai_conn_t *c, int for_write, apr_time_t deadline)
{
    apr_pollfd_t pfd = { 0 };
    apr_int32_t n = 0;
    apr_interval_time_t left = deadline - apr_time_now();

    if (left <= 0) {
        return APR_TIMEUP;
    }
    pfd.p = c->pool;
    pfd.desc_type = APR_POLL_SOCKET;
    pfd.reqevents = for_write ? APR_POLLOUT : APR_POLLIN;
    pfd.desc.s = c->sock;
    for (;;) {
        apr_status_t rv = apr_poll(&pfd, 1, &n, left);
        if (!APR_STATUS_IS_EINTR(rv)) {
            return rv;
        }
        left = deadline - apr_time_now();
        if (left <= 0) {
            return APR_TIMEUP;
        }
    }
}

/* What a failed connect, send or wait means for the call. */
static mai_status_t io_failure(apr_status_t rv)
{
    return APR_STATUS_IS_TIMEUP(rv) ? MAI_STATUS_ENDPOINT_TIMEOUT
                                    : MAI_STATUS_ENDPOINT_UNREACHABLE;
}

/* Run one SSL operation to completion against the deadline. */
typedef int (*ssl_op_fn)(SSL *ssl, void *buf, int len);

static int op_handshake(SSL *ssl, void *buf, int len)
{
    return SSL_connect(ssl);
}
static int op_read(SSL *ssl, void *buf, int len)
{
    return SSL_read(ssl, buf, len);
}
static int op_write(SSL *ssl, void *buf, int len)
{
    return SSL_write(ssl, buf, len);
}

static apr_status_t ssl_run(mai_conn_t *c, ssl_op_fn op, void *buf, int len,
                            apr_time_t deadline, int *ret)
{
    for (;;) {
        apr_status_t rv;
        int e;

        /* SSL_get_error reads the queue, so it must hold nothing older
         * than this call; clearing walks every slot of it (about 900
         * instructions under callgrind, twice a call), so only a queue
         * that holds something is cleared */
        if (ERR_peek_error() != 0) {
            ERR_clear_error();
        }
        *ret = op(c->ssl, buf, len);
        if (*ret > 0) {
            return APR_SUCCESS;
        }
        e = SSL_get_error(c->ssl, *ret);
        if (e == SSL_ERROR_ZERO_RETURN) {
            return APR_EOF;
        }
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
            /* a peer that just vanishes looks like EOF to us */
            return (e == SSL_ERROR_SYSCALL && op == op_read) ? APR_EOF
                                                             : APR_EGENERAL;
        }
        rv = wait_io(c, e == SSL_ERROR_WANT_WRITE, deadline);
        if (rv != APR_SUCCESS) {
            return rv;
        }
    }
}

static mai_status_t tls_handshake(const mai_http_target_t *t, mai_conn_t *c,
                                  apr_time_t deadline,
                                  const mai_log_sink_t *log)
{
    apr_os_sock_t fd;
    apr_status_t rv;
    int ret;

    apr_os_sock_get(&fd, c->sock);
    c->ssl = mai_tls_new_ssl(t->tls, t->url.host);
    if (!c->ssl || !SSL_set_fd(c->ssl, fd)) {
        /* never talk to a peer whose name we could not arrange to check */
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(00709)
                "cannot set up TLS (name check, SNI) for %s: %s",
                t->url.authority, mai_tls_error(c->pool, NULL, 0));
        return MAI_STATUS_ENDPOINT_TLS;
    }
    rv = ssl_run(c, op_handshake, NULL, 0, deadline, &ret);
    if (rv == APR_TIMEUP) {
        return MAI_STATUS_ENDPOINT_TIMEOUT;
    }
    if (rv != APR_SUCCESS) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(00701)
                "TLS handshake with %s failed: %s", t->url.authority,
                mai_tls_error(c->pool, c->ssl, ret));
        return MAI_STATUS_ENDPOINT_TLS;
    }
    return MAI_OK;
}

/* The host we open a TCP connection to: the proxy, if there is one. */
static const mai_url_t *first_hop(const mai_http_target_t *t)
{
    return t->proxy ? t->proxy->url : &t->url;
}

static mai_status_t proxy_tunnel(const mai_http_target_t *t, mai_conn_t *c,
                                 apr_time_t deadline,
                                 const mai_log_sink_t *log);

/* A TCP connection to the first hop within the connect deadline (every
 * address of its name gets a turn: connect.c), through a proxy the
 * CONNECT tunnel within it too; then the TLS handshake within the call
 * deadline. */
static mai_status_t conn_open(const mai_http_target_t *t, mai_conn_t *c,
                              apr_time_t deadline, apr_time_t cdeadline,
                              const mai_log_sink_t *log)
{
    const mai_url_t *hop = first_hop(t);
    const char *what = t->proxy ? apr_pstrcat(c->pool, "proxy ",
                                              hop->authority, NULL)
                                : hop->authority;
    apr_status_t rv;
    mai_status_t st;
    int resolved;

    rv = mai_connect(c->pool, hop->host, hop->port, cdeadline, what, log,
                     &c->sock, &resolved);
    if (!resolved && t->proxy) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01307)
                "cannot resolve the proxy %s (AuthIntrospectProxy) for %s: "
                "%pm", hop->host, t->url.authority, &rv);
        return MAI_STATUS_ENDPOINT_UNREACHABLE;
    }
    if (!resolved) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(00702)
                "cannot resolve %s: %pm", t->url.host, &rv);
        return MAI_STATUS_ENDPOINT_UNREACHABLE;
    }
    if (rv != APR_SUCCESS && t->proxy) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01308)
                "cannot connect to the proxy %s (AuthIntrospectProxy) for "
                "%s: %pm", hop->authority, t->url.authority, &rv);
    }
    else if (rv != APR_SUCCESS) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(00703)
                "cannot connect to %s: %pm", t->url.authority, &rv);
    }
    if (rv != APR_SUCCESS) {
        c->sock = NULL;
        return io_failure(rv);
    }
    if (t->proxy && t->tls) {
        st = proxy_tunnel(t, c, cdeadline, log);
        if (st != MAI_OK) {
            return st;
        }
    }
    return t->tls ? tls_handshake(t, c, deadline, log) : MAI_OK;
}

static apr_status_t send_all(mai_conn_t *c, const char *buf, apr_size_t len,
                             apr_time_t deadline)
{
    while (len > 0) {
        apr_size_t n = len;
        apr_status_t rv;
        int ret;

        if (c->ssl) {
            rv = ssl_run(c, op_write, (void *)buf,
                         len > INT_MAX ? INT_MAX : (int)len, deadline, &ret);
            n = rv == APR_SUCCESS ? (apr_size_t)ret : 0;
        }
        else {
            rv = apr_socket_send(c->sock, buf, &n);
            if (APR_STATUS_IS_EAGAIN(rv)) {
                rv = wait_io(c, 1, deadline);
                n = 0;
            }
        }
        if (rv != APR_SUCCESS) {
            return rv;
        }
        buf += n;
        len -= n;
    }
    return APR_SUCCESS;
}

static apr_status_t recv_some(mai_conn_t *c, char *buf, apr_size_t *len,
                              apr_time_t deadline)
{
    apr_size_t want = *len;

    for (;;) {
        apr_status_t rv;
        int ret;

        if (c->ssl) {
            rv = ssl_run(c, op_read, buf, (int)want, deadline, &ret);
            *len = rv == APR_SUCCESS ? (apr_size_t)ret : 0;
            return rv;
        }
        /* apr_socket_recv zeroes *len on EAGAIN: ask for `want` again */
        *len = want;
        rv = apr_socket_recv(c->sock, buf, len);
        if (!APR_STATUS_IS_EAGAIN(rv)) {
            return rv;
        }
        rv = wait_io(c, 0, deadline);
        if (rv != APR_SUCCESS) {
            return rv;
        }
    }
}

/* CONNECT through the proxy; on success the socket is a byte pipe to
 * the endpoint, and TLS with the endpoint itself runs over it (its
 * certificate and name checked as on a direct connection). The proxy's
 * credentials go to the proxy only, never into the tunnel. */
static mai_status_t proxy_tunnel(const mai_http_target_t *t, mai_conn_t *c,
                                 apr_time_t deadline,
                                 const mai_log_sink_t *log)
{
    const char *px = t->proxy->url->authority;
    char *buf = apr_palloc(c->pool, MAI_PROXY_REPLY_MAX);
    apr_size_t req_len, got = 0, head_len = 0;
    const char *req = mai_proxy_connect_request(c->pool, &t->url,
                                                t->proxy->auth, &req_len);
    mai_proxy_reply_t r = MAI_PROXY_REPLY_MORE;
    apr_status_t rv;
    int status = 0;

    if (!req) {
        return MAI_STATUS_INTERNAL;
    }
    rv = send_all(c, req, req_len, deadline);
    while (rv == APR_SUCCESS && r == MAI_PROXY_REPLY_MORE) {
        apr_size_t n = MAI_PROXY_REPLY_MAX - got;
        rv = recv_some(c, buf + got, &n, deadline);
        got += rv == APR_SUCCESS ? n : 0;
        if (rv == APR_SUCCESS) {
            r = mai_proxy_connect_reply(buf, got, &status, &head_len);
        }
    }
    if (APR_STATUS_IS_TIMEUP(rv)) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01306)
                "the proxy %s did not answer CONNECT to %s within the "
                "connect timeout", px, t->url.authority);
        return MAI_STATUS_ENDPOINT_TIMEOUT;
    }
    if (r == MAI_PROXY_REPLY_DONE && (status < 200 || status > 299)) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01303)
                "the proxy %s refused CONNECT to %s: HTTP %d%s", px,
                t->url.authority, status, status == 407 || status == 401
                ? " (check AuthIntrospectProxyCredentials)" : "");
        return MAI_STATUS_ENDPOINT_PROXY;
    }
    /* the endpoint speaks only after our ClientHello: bytes after the
     * head would be the proxy's, passed off as the endpoint's */
    if (r != MAI_PROXY_REPLY_DONE || got != head_len) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01305)
                "the proxy %s gave no usable answer to CONNECT to %s (%s)",
                px, t->url.authority, rv != APR_SUCCESS
                ? "connection closed" : r == MAI_PROXY_REPLY_TOO_LARGE
                ? "answer head too large" : r == MAI_PROXY_REPLY_BAD
                ? "not an HTTP/1.x answer" : "bytes after the answer");
        return MAI_STATUS_ENDPOINT_PROXY;
    }
    return MAI_OK;
}

/* Outcome of one request/response exchange on a connection. */
typedef enum {
    XCHG_DONE,        /* whole response parsed */
    XCHG_STALE,       /* nothing at all came back: the server had closed */
    XCHG_FAILED       /* *st says why */
} xchg_t;

/* On XCHG_DONE, *extra tells whether bytes followed the response. */
static xchg_t exchange(mai_conn_t *c, apr_pool_t *p, const char *req,
                       apr_size_t req_len, apr_time_t deadline,
                       mai_wire_resp_t *w, mai_status_t *st, int *extra)
{
    char *buf = apr_palloc(p, MAI_READ_CHUNK);
    apr_size_t got_any = 0;
    apr_status_t rv = send_all(c, req, req_len, deadline);

    if (rv != APR_SUCCESS) {
        *st = io_failure(rv);
        return c->requests > 0 && !APR_STATUS_IS_TIMEUP(rv) ? XCHG_STALE
                                                             : XCHG_FAILED;
    }
    /* the answer cannot be there the instant the request left: a read
     * now would only say EAGAIN, one system call a miss for nothing, so
     * the first read waits for it (the socket is not pooled with bytes
     * held in the TLS layer, so poll sees all there is) */
    rv = wait_io(c, 0, deadline);
    if (rv != APR_SUCCESS) {
        *st = io_failure(rv);
        return XCHG_FAILED;
    }
    for (;;) {
        apr_size_t n = MAI_READ_CHUNK, used;
        mai_wire_state_t ws;

        rv = recv_some(c, buf, &n, deadline);
        if (rv == APR_EOF || (rv != APR_SUCCESS && n == 0
                              && !APR_STATUS_IS_TIMEUP(rv))) {
            if (!got_any && c->requests > 0) {
                return XCHG_STALE;
            }
            ws = mai_wire_resp_eof(w);
        }
        else if (rv != APR_SUCCESS) {
            *st = MAI_STATUS_ENDPOINT_TIMEOUT;
            return XCHG_FAILED;
        }
        else {
            got_any += n;
            ws = mai_wire_resp_feed(w, buf, n, &used);
            *extra = ws == MAI_WIRE_DONE && used < n;
        }
        if (ws == MAI_WIRE_DONE) {
            *st = MAI_OK;
            return XCHG_DONE;
        }
        if (ws != MAI_WIRE_MORE) {
            *st = ws == MAI_WIRE_TOO_LARGE ? MAI_STATUS_ENDPOINT_TOO_LARGE
                                           : MAI_STATUS_ENDPOINT_BAD_RESPONSE;
            return XCHG_FAILED;
        }
    }
}

/* The call's headers; for plain http through a proxy, which reads the
 * request itself, its credentials too (in a CONNECT tunnel they went
 * with the CONNECT, and the endpoint never sees them). */
static const char *const *request_headers(const mai_http_target_t *t,
                                          apr_pool_t *p,
                                          const mai_http_call_t *call)
{
    const char **h;
    int n = 0, i;

    if (!t->proxy || t->tls || !t->proxy->auth) {
        return call->headers;
    }
    while (call->headers && call->headers[n]) {
        n++;
    }
    h = apr_palloc(p, sizeof(*h) * (n + 2));
    for (i = 0; i < n; i++) {
        h[i] = call->headers[i];
    }
    h[n] = apr_pstrcat(p, "Proxy-Authorization: ", t->proxy->auth, NULL);
    h[n + 1] = NULL;
    return h;
}

mai_status_t mai_http_post(const mai_http_target_t *t, apr_pool_t *p,
                           const mai_http_call_t *call,
                           const mai_log_sink_t *log, mai_http_reply_t *out)
{
    apr_time_t start = apr_time_now();
    apr_time_t deadline = call->deadline ? call->deadline
                                         : start + call->timeout;
    apr_time_t cdeadline = start + call->connect_timeout;
    apr_size_t req_len;
    const char *req;
    int attempt;

    if (cdeadline > deadline) {
        cdeadline = deadline;
    }

    req = mai_wire_request(p, call->method ? call->method : "POST",
                           t->url.authority,
                           t->proxy && !t->tls
                           ? mai_proxy_absolute_target(p, &t->url)
                           : t->url.path, request_headers(t, p, call),
                           call->body, call->body_len, &req_len);
    if (!req) {
        return MAI_STATUS_INTERNAL;
    }
    /* at most one retry, and only after a pooled connection went stale */
    for (attempt = 0; attempt < 2; attempt++) {
        mai_conn_t *c = mai_conn_pool_take(t->conns, apr_time_now());
        mai_wire_resp_t *w = mai_wire_resp_create(p, NULL);
        mai_status_t st;
        xchg_t x;
        int extra = 0, keep;

        if (!c) {
            c = mai_conn_new();
            if (!c) {
                return MAI_STATUS_INTERNAL;
            }
            st = conn_open(t, c, deadline, cdeadline, log);
            if (st != MAI_OK) {
                mai_conn_close(c);
                return st;
            }
        }
        out->reused = c->requests > 0;
        x = exchange(c, p, req, req_len, deadline, w, &st, &extra);
        if (x == XCHG_STALE) {
            mai_log(log, MAI_LOG_DEBUG, MAI_LOGNO(00704)
                    "pooled connection to %s was closed by the server, "
                    "retrying on a new one", t->url.authority);
            mai_conn_close(c);
            continue;
        }
        if (x == XCHG_FAILED) {
            mai_log(log, MAI_LOG_ERR, MAI_LOGNO(00705)
                    "call to %s failed: %s", t->url.authority,
                    mai_status_reason(st));
            mai_conn_close(c);
            return st;
        }
        if (c->ssl && c->requests == 0) {
            /* TLS 1.3 tickets arrive after the handshake: keep it now */
            mai_tls_keep_session(t->tls, c->ssl);
        }
        c->requests++;
        out->status = mai_wire_resp_status(w);
        if (out->status == 407 && t->proxy && !t->tls) {
            /* only a proxy answers 407: the call never reached the
             * endpoint */
            mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01304)
                    "the proxy %s refused the call to %s: HTTP 407 (check "
                    "AuthIntrospectProxyCredentials)",
                    t->proxy->url->authority, t->url.authority);
            mai_conn_close(c);
            return MAI_STATUS_ENDPOINT_PROXY;
        }
        out->body = mai_wire_resp_body(w, &out->body_len);
        out->content_type = mai_wire_resp_header(w, "Content-Type");
        keep = mai_wire_resp_keepalive(w);
        /* bytes past the response would be taken as the next call's
         * answer: read ones, ones decrypted and waiting in the TLS layer,
         * or whole records it has read ahead; the pool's look at an idle
         * socket sees none of these. (A record behind a closing answer,
         * such as close_notify, is no harm: that connection closes.) */
        if (extra || (c->ssl && (SSL_pending(c->ssl) > 0
                                 || (keep && SSL_has_pending(c->ssl))))) {
            mai_log(log, MAI_LOG_WARNING, MAI_LOGNO(00708)
                    "%s sent bytes after a complete response; connection "
                    "closed, not reused", t->url.authority);
            mai_conn_close(c);
        }
        else if (keep) {
            mai_conn_pool_give(t->conns, c, apr_time_now());
        }
        else {
            mai_conn_close(c);
        }
        return MAI_OK;
    }
    return MAI_STATUS_ENDPOINT_UNREACHABLE;
}
