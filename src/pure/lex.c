/* SPDX-License-Identifier: Apache-2.0 */
/* lex.c: character classes, address literals and byte orders shared by
 * the HTTP, URL, cookie, form and cache-entry code. */
#include <string.h>
#include "lex.h"

int mai_lex_hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c |= 0x20;
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

int mai_lex_is_tchar(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

int mai_lex_is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

const char *mai_lex_skip_ows(const char *s)
{
    while (mai_lex_is_ows((unsigned char)*s)) {
        s++;
    }
    return s;
}

void mai_lex_trim_ows(const char **b, const char **e)
{
    while (*b < *e && mai_lex_is_ows((unsigned char)**b)) {
        (*b)++;
    }
    while (*e > *b && mai_lex_is_ows((unsigned char)(*e)[-1])) {
        (*e)--;
    }
}

/* Address literals are parsed here rather than with inet_pton, which
 * would bring the socket headers into the pure layer. Both parsers take
 * exactly what glibc's inet_pton takes (test_lex compares them). */

/* Unlike inet_aton, "127.1", "0x7f.1" and "127.0.0.1.x" all fail. */
int mai_lex_ipv4(const char *s, unsigned char out[4])
{
    unsigned char a[4];
    unsigned v = 0;
    int parts = 0, digits = 0;

    for (;; s++) {
        if (*s >= '0' && *s <= '9') {
            if ((digits && v == 0) || (v = v * 10 + (*s - '0')) > 255) {
                return 0;
            }
            digits++;
        }
        else if ((*s == '.' || !*s) && digits && parts < 4) {
            a[parts++] = (unsigned char)v;
            v = 0;
            digits = 0;
            if (!*s) {
                break;
            }
        }
        else {
            return 0;
        }
    }
    if (parts != 4) {
        return 0;
    }
    memcpy(out, a, 4);
    return 1;
}

/* RFC 4291 2.2 text form: eight groups of 1-4 hex digits, one "::" for a
 * run of zero groups, optionally a dotted quad as the last 32 bits. */
int mai_lex_ipv6(const char *s, unsigned char out[16])
{
    unsigned char a[16];
    const char *group = s;
    int n = 0, gap = -1, digits = 0, h;
    unsigned v = 0;

    if (*s == ':' && *++s != ':') {
        return 0;
    }
    for (; *s; s++) {
        if ((h = mai_lex_hexval((unsigned char)*s)) >= 0) {
            if (++digits > 4) {
                return 0;
            }
            v = v << 4 | (unsigned)h;
        }
        else if (*s == ':') {
            group = s + 1;
            if (!digits) {
                if (gap >= 0) {
                    return 0;
                }
                gap = n;
                continue;
            }
            if (!s[1] || n > 14) {
                return 0;
            }
            a[n++] = (unsigned char)(v >> 8);
            a[n++] = (unsigned char)v;
            v = 0;
            digits = 0;
        }
        else if (*s == '.' && n <= 12 && mai_lex_ipv4(group, a + n)) {
            n += 4;
            digits = 0;
            break;
        }
        else {
            return 0;
        }
    }
    if (digits) {
        if (n > 14) {
            return 0;
        }
        a[n++] = (unsigned char)(v >> 8);
        a[n++] = (unsigned char)v;
    }
    if (gap >= 0) {
        if (n == 16) {
            return 0;
        }
        memmove(a + gap + (16 - n), a + gap, n - gap);
        memset(a + gap, 0, 16 - n);
        n = 16;
    }
    if (n != 16) {
        return 0;
    }
    memcpy(out, a, 16);
    return 1;
}

int mai_lex_is_ip_literal(const char *s)
{
    unsigned char a[16];

    return mai_lex_ipv4(s, a) || mai_lex_ipv6(s, a);
}

void mai_lex_put_be32(unsigned char *b, apr_uint32_t v)
{
    int i;

    for (i = 3; i >= 0; i--, v >>= 8) {
        b[i] = (unsigned char)(v & 0xff);
    }
}

void mai_lex_put_be64(unsigned char *b, apr_uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--, v >>= 8) {
        b[i] = (unsigned char)(v & 0xff);
    }
}

apr_uint64_t mai_lex_get_be64(const unsigned char *b)
{
    apr_uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++) {
        v = (v << 8) | b[i];
    }
    return v;
}
