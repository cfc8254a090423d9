/* SPDX-License-Identifier: Apache-2.0 */
/* test_connect.c: a name with several addresses (a list built by hand,
 * all on loopback): a black-holed first address does not take the
 * connect budget, a refusing one hands over at once, the families
 * alternate, and with every address dead the deadline still holds. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include "unit.h"
#include <apr_strings.h>
#include "connect.h"

#define FILL 3

/* A listener at host:port that never accepts, its backlog (0) already
 * full, so the kernel drops further SYNs: connect() to it hangs. */
typedef struct {
    int lfd, fill[FILL];
    apr_port_t port;
} hole_t;

static int bound(const char *host, apr_port_t port, int backlog)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, host, &a.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, backlog), 0);
    return fd;
}

static apr_port_t port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    getsockname(fd, (struct sockaddr *)&a, &len);
    return ntohs(a.sin_port);
}

static void hole_open(hole_t *h, const char *host, apr_port_t port)
{
    struct sockaddr_in a;
    int i;

    h->lfd = bound(host, port, 0);
    h->port = port_of(h->lfd);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(h->port);
    inet_pton(AF_INET, host, &a.sin_addr);
    for (i = 0; i < FILL; i++) {
        h->fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        (void)!connect(h->fill[i], (struct sockaddr *)&a, sizeof(a));
    }
}

static void hole_close(hole_t *h)
{
    int i;

    for (i = 0; i < FILL; i++) {
        close(h->fill[i]);
    }
    close(h->lfd);
}

/* The addresses, in this order, as one resolver answer. */
static apr_sockaddr_t *addrs(apr_pool_t *p, apr_port_t port, int n,
                             const char **hosts)
{
    apr_sockaddr_t *head = NULL, **tail = &head;
    int i;

    for (i = 0; i < n; i++) {
        assert_int_equal(apr_sockaddr_info_get(tail, hosts[i], APR_UNSPEC,
                                               port, 0, p), APR_SUCCESS);
        tail = &(*tail)->next;
    }
    return head;
}

static char *peer(apr_pool_t *p, apr_socket_t *s)
{
    apr_sockaddr_t *sa;
    char *ip;

    assert_int_equal(apr_socket_addr_get(&sa, APR_REMOTE, s), APR_SUCCESS);
    apr_sockaddr_ip_get(&ip, sa);
    return ip;
}

static mai_log_sink_t sink(unit_log_t *log)
{
    mai_log_sink_t s = { unit_log_capture, unit_log_all_levels, log };
    return s;
}

/* 127.0.0.2 hangs, 127.0.0.1 listens on the same port: with 10 s to
 * connect, the second address is tried after the stagger and wins. (The
 * old loop gave the first address the whole 10 s.) */
static void test_black_holed_first_address(void **state)
{
    apr_pool_t *p = *state;
    static const char *hosts[] = { "127.0.0.2", "127.0.0.1" };
    unit_log_t log = { { 0 } };
    mai_log_sink_t s = sink(&log);
    hole_t h;
    int good;
    apr_socket_t *out;

    hole_open(&h, "127.0.0.2", 0);
    good = bound("127.0.0.1", h.port, 8);
    assert_int_equal(mai_connect_addrs(p, addrs(p, h.port, 2, hosts),
                                       apr_time_now() + apr_time_from_sec(10),
                                       "as.test", &s, &out), APR_SUCCESS);
    assert_string_equal(peer(p, out), "127.0.0.1");
    assert_non_null(strstr(log.text, "MAI01309"));
    assert_non_null(strstr(log.text, "trying 127.0.0.1"));
    apr_socket_close(out);
    close(good);
    hole_close(&h);
}

/* A refusing first address hands over at once: no stagger wait. */
static void test_refusing_first_address(void **state)
{
    apr_pool_t *p = *state;
    static const char *hosts[] = { "127.0.0.2", "127.0.0.1" };
    unit_log_t log = { { 0 } };
    mai_log_sink_t s = sink(&log);
    int good = bound("127.0.0.1", 0, 8);
    apr_socket_t *out;

    /* nothing listens on 127.0.0.2 at that port: refused */
    assert_int_equal(mai_connect_addrs(p, addrs(p, port_of(good), 2, hosts),
                                       apr_time_now() + apr_time_from_sec(10),
                                       "as.test", &s, &out), APR_SUCCESS);
    assert_string_equal(peer(p, out), "127.0.0.1");
    assert_null(strstr(log.text, "MAI01309"));
    assert_true(strstr(log.text, "MAI01310") || strstr(log.text,
                                                       "MAI01311"));
    apr_socket_close(out);
    close(good);
}

/* Every address dead: the deadline holds, and says so. */
static void test_all_black_holed(void **state)
{
    apr_pool_t *p = *state;
    static const char *hosts[] = { "127.0.0.2", "127.0.0.3" };
    hole_t h2, h3;
    apr_socket_t *out = (apr_socket_t *)1;

    hole_open(&h2, "127.0.0.2", 0);
    hole_open(&h3, "127.0.0.3", h2.port);
    assert_int_equal(mai_connect_addrs(p, addrs(p, h2.port, 2, hosts),
                                       apr_time_now()
                                       + apr_time_from_msec(300),
                                       "as.test", NULL, &out), APR_TIMEUP);
    assert_null(out);
    hole_close(&h3);
    hole_close(&h2);
}

/* Every address refuses: the last refusal is the answer, at once. */
static void test_all_refuse(void **state)
{
    apr_pool_t *p = *state;
    static const char *hosts[] = { "127.0.0.2", "127.0.0.3" };
    int fd = bound("127.0.0.1", 0, 1);
    apr_port_t port = port_of(fd);
    apr_socket_t *out;
    apr_status_t rv;

    close(fd);                  /* a port nothing listens on, anywhere */
    rv = mai_connect_addrs(p, addrs(p, port, 2, hosts),
                           apr_time_now() + apr_time_from_sec(10), "as.test",
                           NULL, &out);
    assert_true(APR_STATUS_IS_ECONNREFUSED(rv));
    assert_null(out);
}

/* IPv6 and IPv4 take turns, each family in the resolver's order: the
 * first IPv6 address hangs, so the first IPv4 one is tried next (not
 * the second IPv6 one), and it answers. */
static void test_families_interleaved(void **state)
{
    apr_pool_t *p = *state;
    static const char *hosts[] = { "::1", "::1", "127.0.0.1" };
    unit_log_t log = { { 0 } };
    mai_log_sink_t s = sink(&log);
    struct sockaddr_in6 a6;
    int v6 = socket(AF_INET6, SOCK_STREAM, 0), good, i, fill[FILL];
    socklen_t len = sizeof(a6);
    apr_port_t port;
    apr_socket_t *out;

    /* a black hole on [::1] */
    memset(&a6, 0, sizeof(a6));
    a6.sin6_family = AF_INET6;
    a6.sin6_addr = in6addr_loopback;
    assert_int_equal(bind(v6, (struct sockaddr *)&a6, sizeof(a6)), 0);
    assert_int_equal(listen(v6, 0), 0);
    getsockname(v6, (struct sockaddr *)&a6, &len);
    port = ntohs(a6.sin6_port);
    for (i = 0; i < FILL; i++) {
        fill[i] = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        (void)!connect(fill[i], (struct sockaddr *)&a6, sizeof(a6));
    }
    good = bound("127.0.0.1", port, 8);
    assert_int_equal(mai_connect_addrs(p, addrs(p, port, 3, hosts),
                                       apr_time_now() + apr_time_from_sec(10),
                                       "as.test", &s, &out), APR_SUCCESS);
    assert_string_equal(peer(p, out), "127.0.0.1");
    /* one stagger: the IPv4 address came second */
    assert_non_null(strstr(log.text, "no answer yet from 1 address(es)"));
    assert_null(strstr(log.text, "from 2 address(es)"));
    apr_socket_close(out);
    close(good);
    for (i = 0; i < FILL; i++) {
        close(fill[i]);
    }
    close(v6);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_black_holed_first_address),
    UNIT_TEST(test_refusing_first_address),
    UNIT_TEST(test_all_black_holed),
    UNIT_TEST(test_all_refuse),
    UNIT_TEST(test_families_interleaved),
};
UNIT_MAIN(tests)
