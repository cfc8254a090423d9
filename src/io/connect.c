/* SPDX-License-Identifier: Apache-2.0 */
/* connect.c: staggered connection attempts ("happy eyeballs", RFC 8305)
 * over one deadline. Trying addresses one after the other, each with the
 * whole remaining budget, lets a black-holed first address (an IPv6
 * route that drops packets, a dead member of a DNS round robin) spend
 * all of it: no later address would ever be tried. Here every attempt
 * keeps running while the next starts, so a slow but good first address
 * can still win, and a dead one costs one stagger delay. */
#include <string.h>
#include <sys/socket.h>
#include <apr_poll.h>
#include <apr_portable.h>
#include "connect.h"

typedef struct {
    apr_socket_t *sock;
    apr_sockaddr_t *sa;
} attempt_t;

/* The addresses, at most MAI_CONNECT_MAX_ADDRS, the families alternating
 * and each family's addresses in the resolver's order. */
static int interleave(apr_sockaddr_t *list, apr_sockaddr_t **out)
{
    apr_sockaddr_t *first[MAI_CONNECT_MAX_ADDRS];
    apr_sockaddr_t *other[MAI_CONNECT_MAX_ADDRS];
    int nf = 0, no = 0, i = 0, n = 0, j = 0;
    apr_sockaddr_t *sa;

    for (sa = list; sa; sa = sa->next) {
        if (sa->family == list->family && nf < MAI_CONNECT_MAX_ADDRS) {
            first[nf++] = sa;
        }
        else if (sa->family != list->family && no < MAI_CONNECT_MAX_ADDRS) {
            other[no++] = sa;
        }
    }
    while (n < MAI_CONNECT_MAX_ADDRS && (i < nf || j < no)) {
        if (i < nf) {
            out[n++] = first[i++];
        }
        if (j < no && n < MAI_CONNECT_MAX_ADDRS) {
            out[n++] = other[j++];
        }
    }
    return n;
}

/* The outcome of a non-blocking connect that poll reported. */
static apr_status_t connect_result(apr_socket_t *s)
{
    apr_os_sock_t fd;
    int err = 0;
    socklen_t len = sizeof(err);

    apr_os_sock_get(&fd, s);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
        return apr_get_netos_error();
    }
    return err ? APR_FROM_OS_ERROR(err) : APR_SUCCESS;
}

/* Start one attempt: APR_SUCCESS (connected at once, as loopback may),
 * APR_EINPROGRESS (pending), or why it failed at once. */
static apr_status_t start(apr_pool_t *p, apr_sockaddr_t *sa,
                          apr_socket_t **s)
{
    apr_status_t rv = apr_socket_create(s, sa->family, SOCK_STREAM,
                                        APR_PROTO_TCP, p);
    if (rv != APR_SUCCESS) {
        *s = NULL;
        return rv;
    }
    apr_socket_opt_set(*s, APR_TCP_NODELAY, 1);
    /* non-blocking: every wait is ours, in poll, against the deadline */
    apr_socket_timeout_set(*s, 0);
    rv = apr_socket_connect(*s, sa);
    if (APR_STATUS_IS_EINPROGRESS(rv) || APR_STATUS_IS_EAGAIN(rv)) {
        return APR_EINPROGRESS;
    }
    if (rv != APR_SUCCESS) {
        apr_socket_close(*s);
        *s = NULL;
    }
    return rv;
}

apr_status_t mai_connect(apr_pool_t *p, const char *host, apr_port_t port,
                         apr_time_t deadline, const char *what,
                         const mai_log_sink_t *log, apr_socket_t **out,
                         int *resolved)
{
    apr_sockaddr_t *list;
    apr_status_t rv;

    *out = NULL;
    rv = apr_sockaddr_info_get(&list, host, APR_UNSPEC, port, 0, p);
    *resolved = rv == APR_SUCCESS;
    if (rv != APR_SUCCESS) {
        return rv;
    }
    return mai_connect_addrs(p, list, deadline, what, log, out);
}

apr_status_t mai_connect_addrs(apr_pool_t *p, apr_sockaddr_t *list,
                               apr_time_t deadline, const char *what,
                               const mai_log_sink_t *log,
                               apr_socket_t **out)
{
    apr_sockaddr_t *addrs[MAI_CONNECT_MAX_ADDRS];
    attempt_t pend[MAI_CONNECT_MAX_ADDRS];
    apr_pollfd_t pfd[MAI_CONNECT_MAX_ADDRS];
    apr_interval_time_t stagger;
    apr_time_t next_at = 0;
    apr_status_t rv, last = APR_TIMEUP;
    int n, next = 0, npend = 0, i;

    *out = NULL;
    n = list ? interleave(list, addrs) : 0;
    if (n == 0) {
        return APR_EGENERAL;
    }
    /* with many addresses and a short budget, each still gets its turn */
    stagger = (deadline - apr_time_now()) / n;
    if (stagger > MAI_CONNECT_STAGGER) {
        stagger = MAI_CONNECT_STAGGER;
    }
    /* bounded: each pass starts an attempt, ends one, or reaches a
     * stagger point or the deadline */
    for (;;) {
        apr_time_t now = apr_time_now(), until;
        apr_int32_t nev = 0;

        if (now >= deadline) {
            last = APR_TIMEUP;
            break;
        }
        if (next < n && (npend == 0 || now >= next_at)) {
            if (npend > 0) {
                mai_log(log, MAI_LOG_DEBUG, MAI_LOGNO(01309)
                        "%s: no answer yet from %d address(es) after %"
                        APR_TIME_T_FMT " ms, trying %pI as well", what,
                        npend, apr_time_as_msec(stagger), addrs[next]);
            }
            rv = start(p, addrs[next], &pend[npend].sock);
            pend[npend].sa = addrs[next++];
            if (rv == APR_SUCCESS) {
                *out = pend[npend++].sock;
                break;
            }
            if (rv == APR_EINPROGRESS) {
                npend++;
                next_at = now + stagger;
            }
            else {
                last = rv;
                mai_log(log, MAI_LOG_DEBUG, MAI_LOGNO(01310)
                        "%s: connecting to %pI failed: %pm", what,
                        pend[npend].sa, &rv);
            }
            continue;
        }
        if (npend == 0) {
            break;               /* every address failed */
        }
        until = next < n && next_at < deadline ? next_at : deadline;
        for (i = 0; i < npend; i++) {
            memset(&pfd[i], 0, sizeof(pfd[i]));
            pfd[i].p = p;
            pfd[i].desc_type = APR_POLL_SOCKET;
            pfd[i].reqevents = APR_POLLOUT;
            pfd[i].desc.s = pend[i].sock;
        }
        rv = apr_poll(pfd, npend, &nev, until - now > 0 ? until - now : 0);
        if (rv != APR_SUCCESS) {
            if (!APR_STATUS_IS_TIMEUP(rv) && !APR_STATUS_IS_EINTR(rv)) {
                last = rv;
                break;
            }
            continue;
        }
        for (i = 0; i < npend && !*out; i++) {
            if (!pfd[i].rtnevents) {
                continue;
            }
            rv = connect_result(pend[i].sock);
            if (rv == APR_SUCCESS) {
                *out = pend[i].sock;
                pend[i].sock = NULL;
                break;
            }
            last = rv;
            mai_log(log, MAI_LOG_DEBUG, MAI_LOGNO(01311)
                    "%s: connecting to %pI failed: %pm", what, pend[i].sa,
                    &rv);
            apr_socket_close(pend[i].sock);
            pend[i].sock = NULL;
            /* a refusal frees the turn at once */
            next_at = now;
        }
        if (*out) {
            break;
        }
        /* drop the failed ones, keep the order of the rest */
        for (i = 0, nev = 0; i < npend; i++) {
            if (pend[i].sock) {
                pend[nev++] = pend[i];
            }
        }
        npend = nev;
    }
    /* the losers: pending connects that are no longer wanted */
    for (i = 0; i < npend; i++) {
        if (pend[i].sock && pend[i].sock != *out) {
            apr_socket_close(pend[i].sock);
        }
    }
    return *out ? APR_SUCCESS : last;
}
