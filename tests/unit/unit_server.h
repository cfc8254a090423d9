/* SPDX-License-Identifier: Apache-2.0 */
/* unit_server.h: for the IO tests, an HTTP/1.1 server in this process
 * (plain or TLS, 127.0.0.1, port 0, a thread per connection) whose
 * misbehaviour is scripted per test (its certificates: unit_cert.h).
 * Included by one test program, after unit.h (it asserts), so
 * everything is static. */
#ifndef MAI_UNIT_SERVER_H
#define MAI_UNIT_SERVER_H

#include <stdlib.h>
#include <poll.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <apr_atomic.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>
#include <openssl/ssl.h>
#include "unit_cert.h"

#define MAX_CONNS 8
#define MAX_DROPS 4
#define TICK_MS 20

/* ---- the server ------------------------------------------------------ */

typedef struct {
    /* behaviour, set before server_start */
    SSL_CTX *ctx;             /* NULL: plain TCP */
    int close_after;          /* close after this many answers (0 never) */
    int close_header;         /* send "Connection: close" on every answer */
    int silent;               /* read requests, never answer */
    int drops[MAX_DROPS][2];  /* (conn, request): close, do not answer */
    const char *extra;        /* bytes sent after each answer, in the
                               * same write (so in one read or record) */
    const char *record;       /* TLS: bytes sent after each answer in a
                               * record of their own, in the same TCP
                               * segment (so read ahead with the answer) */
    const char *volatile body; /* the answer's body; NULL: {"conn":..} */
    /* observed */
    volatile apr_uint32_t accepts, closes, requests, stop;
    int resumed[MAX_CONNS + 1];
    char last_req[4096];
    /* plumbing */
    apr_pool_t *pool;
    apr_thread_mutex_t *lock;
    int lfd;
    apr_port_t port;
    apr_thread_t *acceptor, *conns[MAX_CONNS];
    int nconns;
} server_t;

typedef struct {
    server_t *s;
    int fd, index;
    SSL *ssl;
} sconn_t;

/* Readable, or 0 when the server stops first. */
static int wait_readable(sconn_t *c)
{
    struct pollfd pfd;

    if (c->ssl && SSL_pending(c->ssl) > 0) {
        return 1;
    }
    pfd.fd = c->fd;
    pfd.events = POLLIN;
    while (!apr_atomic_read32(&c->s->stop)) {
        if (poll(&pfd, 1, TICK_MS) > 0) {
            return 1;
        }
    }
    return 0;
}

static int sread(sconn_t *c, char *buf, int n)
{
    return c->ssl ? SSL_read(c->ssl, buf, n) : (int)recv(c->fd, buf, n, 0);
}

static void swrite(sconn_t *c, const char *buf, int n)
{
    while (n > 0) {
        int w = c->ssl ? SSL_write(c->ssl, buf, n)
                       : (int)send(c->fd, buf, n, MSG_NOSIGNAL);
        if (w <= 0) {
            return;
        }
        buf += w;
        n -= w;
    }
}

/* One whole request (head and Content-Length body) into buf; its length,
 * or 0 on EOF, error or stop. */
static int read_request(sconn_t *c, char *buf, int size)
{
    int have = 0;

    for (;;) {
        char *end = NULL, *cl;
        int n;

        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
        if (end) {
            cl = strstr(buf, "\r\nContent-Length:");
            n = cl && cl < end ? atoi(cl + 17) : 0;
            if (have >= (int)(end + 4 - buf) + n) {
                return have;
            }
        }
        if (have >= size - 1 || !wait_readable(c)) {
            return 0;
        }
        n = sread(c, buf + have, size - 1 - have);
        if (n <= 0) {
            return 0;
        }
        have += n;
    }
}

static int dropped(server_t *s, int conn, int req)
{
    int i;
    for (i = 0; i < MAX_DROPS; i++) {
        if (s->drops[i][0] == conn && s->drops[i][1] == req) {
            return 1;
        }
    }
    return 0;
}

static void answer(sconn_t *c, int req)
{
    char body[1024], out[2048];
    int blen = c->s->body
               ? snprintf(body, sizeof(body), "%s", c->s->body)
               : snprintf(body, sizeof(body), "{\"conn\":%d,\"req\":%d}",
                          c->index, req);
    int n = snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\n"
                     "Content-Type: application/json\r\n"
                     "Content-Length: %d\r\n%s\r\n%s%s", blen,
                     c->s->close_header ? "Connection: close\r\n" : "",
                     body, c->s->extra ? c->s->extra : "");
    assert_true(n < (int)sizeof(out));
    if (c->s->record) {
        int on = 1, off = 0;

        setsockopt(c->fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
        swrite(c, out, n);
        swrite(c, c->s->record, (int)strlen(c->s->record));
        setsockopt(c->fd, IPPROTO_TCP, TCP_CORK, &off, sizeof(off));
        return;
    }
    swrite(c, out, n);
}

static void serve(sconn_t *c)
{
    server_t *s = c->s;
    char buf[4096];
    int req, n;

    for (req = 1; (n = read_request(c, buf, sizeof(buf))) > 0; req++) {
        apr_atomic_inc32(&s->requests);
        apr_thread_mutex_lock(s->lock);
        memcpy(s->last_req, buf, n + 1);
        apr_thread_mutex_unlock(s->lock);
        if (dropped(s, c->index, req)) {
            return;
        }
        if (s->silent) {
            while (!apr_atomic_read32(&s->stop)) {
                apr_sleep(apr_time_from_msec(TICK_MS));
            }
            return;
        }
        answer(c, req);
        if (s->close_after && req >= s->close_after) {
            return;
        }
    }
}

static void *APR_THREAD_FUNC conn_main(apr_thread_t *t, void *data)
{
    sconn_t *c = data;
    struct timeval tv = { 5, 0 };

    /* bounds a handshake the client abandons */
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (c->s->ctx) {
        c->ssl = SSL_new(c->s->ctx);
        SSL_set_fd(c->ssl, c->fd);
        if (SSL_accept(c->ssl) == 1) {
            apr_thread_mutex_lock(c->s->lock);
            c->s->resumed[c->index] = SSL_session_reused(c->ssl);
            apr_thread_mutex_unlock(c->s->lock);
            serve(c);
            SSL_shutdown(c->ssl);
        }
        SSL_free(c->ssl);
    }
    else {
        serve(c);
    }
    close(c->fd);
    apr_atomic_inc32(&c->s->closes);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static void *APR_THREAD_FUNC acceptor_main(apr_thread_t *t, void *data)
{
    server_t *s = data;
    struct pollfd pfd = { s->lfd, POLLIN, 0 };
    apr_status_t rv;
    int i;

    while (!apr_atomic_read32(&s->stop)) {
        sconn_t *c;
        int fd;

        if (poll(&pfd, 1, TICK_MS) <= 0
            || (fd = accept(s->lfd, NULL, NULL)) < 0) {
            continue;
        }
        if (s->nconns == MAX_CONNS) {
            close(fd);
            continue;
        }
        c = apr_pcalloc(s->pool, sizeof(*c));
        c->s = s;
        c->fd = fd;
        c->index = (int)apr_atomic_inc32(&s->accepts) + 1;
        apr_thread_create(&s->conns[s->nconns++], NULL, conn_main, c,
                          s->pool);
    }
    for (i = 0; i < s->nconns; i++) {
        apr_thread_join(&rv, s->conns[i]);
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static void server_start(server_t *s, apr_pool_t *p)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);

    assert_int_equal(apr_pool_create(&s->pool, p), APR_SUCCESS);
    apr_thread_mutex_create(&s->lock, APR_THREAD_MUTEX_DEFAULT, s->pool);
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->lfd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(s->lfd, 16), 0);
    getsockname(s->lfd, (struct sockaddr *)&sa, &len);
    s->port = ntohs(sa.sin_port);
    assert_int_equal(apr_thread_create(&s->acceptor, NULL, acceptor_main, s,
                                       s->pool), APR_SUCCESS);
}

static void server_stop(server_t *s)
{
    apr_status_t rv;

    if (!s->acceptor) {
        return;
    }
    apr_atomic_set32(&s->stop, 1);
    apr_thread_join(&rv, s->acceptor);
    s->acceptor = NULL;
    close(s->lfd);
    if (s->ctx) {
        SSL_CTX_free(s->ctx);
        s->ctx = NULL;
    }
}

static SSL_CTX *server_tls(const cert_t *c, int max_version)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

    assert_non_null(ctx);
    assert_int_equal(SSL_CTX_use_certificate(ctx, c->cert), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(ctx, c->key), 1);
    if (max_version) {
        SSL_CTX_set_max_proto_version(ctx, max_version);
    }
    return ctx;
}

static int resumed(server_t *s, int conn)
{
    int r;
    apr_thread_mutex_lock(s->lock);
    r = s->resumed[conn];
    apr_thread_mutex_unlock(s->lock);
    return r;
}

/* Wait (bounded) until the server has closed n connections. */
static void wait_closes(server_t *s, apr_uint32_t n)
{
    int i;
    for (i = 0; i < 250 && apr_atomic_read32(&s->closes) < n; i++) {
        apr_sleep(apr_time_from_msec(TICK_MS));
    }
    assert_int_equal(apr_atomic_read32(&s->closes), n);
    /* let the FIN (and close_notify) reach our end */
    apr_sleep(apr_time_from_msec(50));
}

#endif
