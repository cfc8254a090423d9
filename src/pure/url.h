/* SPDX-License-Identifier: Apache-2.0 */
/* url.h: parse the introspection endpoint URL. Pure. */
#ifndef MAI_URL_H
#define MAI_URL_H

#include <apr_pools.h>
#include <apr_network_io.h>

typedef struct mai_url {
    int tls;               /* 1 for https */
    const char *host;      /* host name or address, IPv6 without brackets */
    apr_port_t port;       /* explicit port or the scheme's default */
    const char *path;      /* path plus query, never empty ("/" at least) */
    const char *authority; /* value for the Host header: host[:port],
                            * IPv6 in brackets, default port omitted */
} mai_url_t;

/**
 * Parse an absolute http:// or https:// URL (scheme case-insensitive).
 * Rejects user info, fragments, empty hosts, bad ports, whitespace and
 * control characters. Results are allocated from p.
 * @return NULL on success, else an error message (from p) for the operator.
 */
const char *mai_url_parse(apr_pool_t *p, const char *s, mai_url_t *out);

/** True when host is localhost, an address in 127.0.0.0/8 or ::1. */
int mai_url_is_loopback_host(const char *host);

/** True for plain http to a host that is not loopback: tokens and client
 * secrets would cross a network in the clear. */
int mai_url_is_insecure(const mai_url_t *u);

#endif
