/* SPDX-License-Identifier: Apache-2.0 */
/* proxy.c: the outgoing forward proxy's URL, credentials, CONNECT request
 * and the head of its answer. The credentials live in the Proxy-
 * Authorization value only, so nothing that logs a URL can show them. */
#include <string.h>
#include <apr_base64.h>
#include <apr_strings.h>
#include "proxy.h"

const char *mai_proxy_parse(apr_pool_t *p, const char *text, mai_url_t *out)
{
    const char *err;

    if (!strncasecmp(text, "https://", 8)) {
        return "TLS to the proxy itself is not supported: give it as "
               "http://HOST:PORT (calls to an https endpoint still run "
               "TLS end to end through it, with CONNECT)";
    }
    err = mai_url_parse(p, text, out);
    if (err) {
        /* user@ in particular: credentials go in
         * AuthIntrospectProxyCredentials, never in the URL */
        return err;
    }
    if (strcmp(out->path, "/")) {
        return "a proxy URL is http://HOST:PORT, without a path or query";
    }
    return NULL;
}

const char *mai_proxy_basic(apr_pool_t *p, const char *userpass,
                            const char **out)
{
    const char *colon = strchr(userpass, ':'), *c;
    int n = (int)strlen(userpass);
    char *b64;

    if (!colon || colon == userpass) {
        return "the proxy credentials must be user:password (a non-empty "
               "user, then a colon)";
    }
    for (c = userpass; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            return "the proxy credentials hold a control character";
        }
    }
    b64 = apr_palloc(p, apr_base64_encode_len(n));
    apr_base64_encode(b64, userpass, n);
    *out = apr_pstrcat(p, "Basic ", b64, NULL);
    return NULL;
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

int mai_proxy_same(const mai_proxy_t *a, const mai_proxy_t *b)
{
    if (!a || !b) {
        return a == b;
    }
    /* host names compare as written: two spellings are two endpoints,
     * which costs a second pool, never a shared connection */
    return a->url->port == b->url->port
           && !strcasecmp(a->url->host, b->url->host)
           && same_str(a->auth, b->auth);
}

static const char *host_port(apr_pool_t *p, const mai_url_t *to)
{
    return apr_psprintf(p, strchr(to->host, ':') ? "[%s]:%u" : "%s:%u",
                        to->host, (unsigned)to->port);
}

const char *mai_proxy_connect_request(apr_pool_t *p, const mai_url_t *to,
                                      const char *auth, apr_size_t *len)
{
    const char *hp = host_port(p, to), *req;

    if (strpbrk(hp, "\r\n") || (auth && strpbrk(auth, "\r\n"))) {
        return NULL;
    }
    req = apr_pstrcat(p, "CONNECT ", hp, " HTTP/1.1\r\nHost: ", hp, "\r\n",
                      auth ? "Proxy-Authorization: " : "", auth ? auth : "",
                      auth ? "\r\n" : "", "\r\n", NULL);
    *len = strlen(req);
    return req;
}

const char *mai_proxy_absolute_target(apr_pool_t *p, const mai_url_t *to)
{
    return apr_pstrcat(p, "http://", to->authority, to->path, NULL);
}

/* The end of the head: the first empty line (CRLF CRLF, or bare LF LF as
 * RFC 9112 lets a recipient accept). 0 while there is none. */
static apr_size_t head_end(const char *b, apr_size_t n)
{
    apr_size_t i;

    for (i = 0; i + 1 < n; i++) {
        if (b[i] != '\n') {
            continue;
        }
        if (b[i + 1] == '\n') {
            return i + 2;
        }
        if (i + 2 < n && b[i + 1] == '\r' && b[i + 2] == '\n') {
            return i + 3;
        }
    }
    return 0;
}

mai_proxy_reply_t mai_proxy_connect_reply(const char *buf, apr_size_t len,
                                          int *status, apr_size_t *head_len)
{
    apr_size_t end = head_end(buf, len > MAI_PROXY_REPLY_MAX
                                   ? MAI_PROXY_REPLY_MAX : len);
    const char *s = buf;

    if (len >= 5 && strncmp(buf, "HTTP/", 5)) {
        return MAI_PROXY_REPLY_BAD;
    }
    if (!end) {
        return len >= MAI_PROXY_REPLY_MAX ? MAI_PROXY_REPLY_TOO_LARGE
                                          : MAI_PROXY_REPLY_MORE;
    }
    /* "HTTP/1.x" SP 3DIGIT (SP or line end) */
    if (end < 13 || strncmp(s, "HTTP/1.", 7) || s[7] < '0' || s[7] > '9'
        || s[8] != ' ' || s[9] < '1' || s[9] > '5' || s[10] < '0'
        || s[10] > '9' || s[11] < '0' || s[11] > '9'
        || (s[12] != ' ' && s[12] != '\r' && s[12] != '\n')) {
        return MAI_PROXY_REPLY_BAD;
    }
    *status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    *head_len = end;
    return MAI_PROXY_REPLY_DONE;
}
