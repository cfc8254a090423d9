/* SPDX-License-Identifier: Apache-2.0 */
/* connect.h: a TCP connection to a host name with several addresses, in
 * which one address that never answers cannot eat the whole budget. */
#ifndef MAI_CONNECT_H
#define MAI_CONNECT_H

#include <apr_pools.h>
#include <apr_network_io.h>
#include <apr_time.h>
#include "log.h"

/** How long an address may stay unanswered before the next one is tried
 * as well (RFC 8305's Connection Attempt Delay). Shortened when the
 * connect budget would not otherwise reach every address. */
#define MAI_CONNECT_STAGGER apr_time_from_msec(250)

/** The most addresses of one name that are tried. */
#define MAI_CONNECT_MAX_ADDRS 16

/**
 * Connect to host:port before deadline. The resolver's addresses are
 * tried in its order with the families interleaved (RFC 8305 section
 * 4): the next attempt starts when one fails, or when the pending ones
 * have had MAI_CONNECT_STAGGER (at most the budget divided by the number
 * of addresses) without an answer, while those stay open; the first to
 * connect wins, the rest are closed. `what` names the host in debug
 * lines. Sockets from p; on success *out is connected and non-blocking.
 * @return APR_SUCCESS; the resolver's error with *resolved 0; else
 * APR_TIMEUP, or the error of the last address that failed.
 */
apr_status_t mai_connect(apr_pool_t *p, const char *host, apr_port_t port,
                         apr_time_t deadline, const char *what,
                         const mai_log_sink_t *log, apr_socket_t **out,
                         int *resolved);

/** The same over a list of addresses already resolved (list->next
 * chained), in that order with the families interleaved. */
apr_status_t mai_connect_addrs(apr_pool_t *p, apr_sockaddr_t *list,
                               apr_time_t deadline, const char *what,
                               const mai_log_sink_t *log,
                               apr_socket_t **out);

#endif
