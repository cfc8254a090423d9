/* SPDX-License-Identifier: Apache-2.0 */
/* url.c: parse the introspection endpoint URL. */
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include "lex.h"
#include "url.h"

/* Host name characters we send to DNS and match against a certificate:
 * LDH labels plus '_' (seen in internal names). Anything else, such as
 * '%', '\\' or a quote, is a typo or an attack on some later consumer. */
#define HOST_CHARS \
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._"

static const char *parse_port(const char *s, apr_port_t *port)
{
    apr_size_t n = strlen(s);
    unsigned long v = 0;

    if (n == 0 || n > 5 || strspn(s, "0123456789") != n) {
        return "the port must be 1 to 65535";
    }
    for (; *s; s++) {
        v = v * 10 + (unsigned long)(*s - '0');
    }
    if (v == 0 || v > 65535) {
        return "the port must be 1 to 65535";
    }
    *port = (apr_port_t)v;
    return NULL;
}

/* Split a "host[:port]" or "[v6][:port]" authority (a copy we may cut). */
static const char *parse_authority(char *a, mai_url_t *out)
{
    unsigned char a6[16];
    char *colon;

    if (strchr(a, '@')) {
        return "user information (user@) is not allowed in the URL";
    }
    if (*a == '[') {
        char *rb = strchr(a, ']');
        if (!rb) {
            return "unterminated IPv6 address literal";
        }
        if (rb[1] != '\0' && rb[1] != ':') {
            return "unexpected characters after the IPv6 address";
        }
        colon = rb[1] ? rb + 1 : NULL;
        *rb = '\0';
        out->host = a + 1;
        if (!mai_lex_ipv6(out->host, a6)) {
            return "invalid IPv6 address literal";
        }
    } else {
        colon = strchr(a, ':');
        if (colon) {
            *colon = '\0';
        }
        out->host = a;
        if (!*a) {
            return "the URL has no host";
        }
        if (strspn(a, HOST_CHARS) != strlen(a)) {
            return "invalid character in the host name";
        }
    }
    return colon ? parse_port(colon + 1, &out->port) : NULL;
}

const char *mai_url_parse(apr_pool_t *p, const char *s, mai_url_t *out)
{
    const char *c, *rest, *aend, *err;
    apr_port_t dflt;
    apr_size_t alen;

    memset(out, 0, sizeof(*out));
    if (!s) {
        return "no URL given";
    }
    for (c = s; *c; c++) {
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f) {
            return "the URL contains whitespace, a control character or a "
                   "non-ASCII byte";
        }
    }
    if (strchr(s, '#')) {
        return "a fragment (#) is not allowed in the URL";
    }
    if (strncasecmp(s, "https://", 8) == 0) {
        out->tls = 1;
        rest = s + 8;
        dflt = 443;
    } else if (strncasecmp(s, "http://", 7) == 0) {
        rest = s + 7;
        dflt = 80;
    } else {
        return "the URL must start with https:// or http://";
    }
    alen = strcspn(rest, "/?");
    aend = rest + alen;
    out->port = dflt;
    if ((err = parse_authority(apr_pstrmemdup(p, rest, alen), out)) != NULL) {
        return err;
    }
    out->path =
        *aend == '/' ? apr_pstrdup(p, aend) : apr_pstrcat(p, "/", aend, NULL);
    out->authority =
        apr_psprintf(p, strchr(out->host, ':') ? "[%s]" : "%s", out->host);
    if (out->port != dflt) {
        out->authority =
            apr_psprintf(p, "%s:%u", out->authority, (unsigned)out->port);
    }
    return NULL;
}

/* A dotted quad in 127.0.0.0/8, or ::1 or ::ffff:127.x.y.z (the same
 * loopback address as seen through an IPv6 socket). */
static int is_loopback_addr(const char *host)
{
    static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0,    0,
                                                0, 0, 0, 0, 0xff, 0xff };
    static const unsigned char v6loop[16] = { 0, 0, 0, 0, 0, 0, 0, 0,
                                              0, 0, 0, 0, 0, 0, 0, 1 };
    unsigned char a[16];

    if (mai_lex_ipv4(host, a)) {
        return a[0] == 127;
    }
    if (mai_lex_ipv6(host, a)) {
        return memcmp(a, v6loop, 16) == 0 ||
               (memcmp(a, v4mapped, 12) == 0 && a[12] == 127);
    }
    return 0;
}

int mai_url_is_loopback_host(const char *host)
{
    if (!host) {
        return 0;
    }
    return strcasecmp(host, "localhost") == 0 || is_loopback_addr(host);
}

int mai_url_is_insecure(const mai_url_t *u)
{
    return !u->tls && !mai_url_is_loopback_host(u->host);
}
