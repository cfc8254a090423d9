/* SPDX-License-Identifier: Apache-2.0 */
/* proxy.h: the outgoing HTTP forward proxy (AuthIntrospectProxy): its
 * URL, its credentials, the CONNECT request and the proxy's answer to it.
 * Pure: the bytes only; http_client.c moves them. */
#ifndef MAI_PROXY_H
#define MAI_PROXY_H

#include <apr_pools.h>
#include "url.h"

/** A proxy as the transport uses it: where it listens and what goes in
 * Proxy-Authorization. Endpoints reached through different proxies (or
 * credentials) are different endpoints, each with its own connections. */
typedef struct mai_proxy {
    const mai_url_t *url;          /* http://HOST:PORT */
    const char *auth;              /* "Basic ...", or NULL for none */
} mai_proxy_t;

/**
 * Parse an AuthIntrospectProxy value: http://HOST[:PORT][/] (a proxy
 * spoken to in the clear: TLS to the proxy itself is not supported, TLS
 * to the endpoint runs through it). From p.
 * @return NULL with *out set, or an error for the operator.
 */
const char *mai_proxy_parse(apr_pool_t *p, const char *text,
                            mai_url_t *out);

/**
 * The Proxy-Authorization value for "user:password" (RFC 7617: the bytes
 * as given, base64, no form encoding): "Basic ...". The user may not be
 * empty or hold a colon; no control characters anywhere.
 * @return NULL with *out set (from p), or an error that never contains
 * the credentials.
 */
const char *mai_proxy_basic(apr_pool_t *p, const char *userpass,
                            const char **out);

/** Equal proxies (same host, port and credentials; NULL is "direct"). */
int mai_proxy_same(const mai_proxy_t *a, const mai_proxy_t *b);

/** The CONNECT request for an endpoint (authority-form, the port always
 * given, IPv6 in brackets), with Proxy-Authorization when auth is set.
 * NULL if a value holds CR or LF. From p; *len gets its length. */
const char *mai_proxy_connect_request(apr_pool_t *p, const mai_url_t *to,
                                      const char *auth, apr_size_t *len);

/** The absolute-form request target for a plain http endpoint reached
 * through a proxy: "http://authority/path". From p. */
const char *mai_proxy_absolute_target(apr_pool_t *p, const mai_url_t *to);

typedef enum {
    MAI_PROXY_REPLY_MORE,          /* the head is not complete yet */
    MAI_PROXY_REPLY_DONE,          /* *status set, *head_len = its bytes */
    MAI_PROXY_REPLY_BAD,           /* not an HTTP/1.x response head */
    MAI_PROXY_REPLY_TOO_LARGE      /* no end of head within max bytes */
} mai_proxy_reply_t;

/** The maximum size of a proxy's answer head to CONNECT. */
#define MAI_PROXY_REPLY_MAX 8192

/**
 * Look at the first len bytes received after CONNECT: once the head (up
 * to the empty line) is complete, its status code and length. 1xx
 * interim answers are not skipped (no proxy sends one to CONNECT; it
 * fails as a non-2xx status).
 */
mai_proxy_reply_t mai_proxy_connect_reply(const char *buf, apr_size_t len,
                                          int *status, apr_size_t *head_len);

#endif
