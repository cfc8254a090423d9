/* SPDX-License-Identifier: Apache-2.0 */
/* lex.h: the character classes, address literals and byte orders that
 * the parsers share, defined once so they cannot drift apart. Pure. */
#ifndef MAI_LEX_H
#define MAI_LEX_H

#include <apr.h>

/** The value of hex digit c (either case), or -1. */
int mai_lex_hexval(unsigned char c);

/** RFC 9110 tchar: what field names, methods and auth schemes are made
 * of. NUL is not one. */
int mai_lex_is_tchar(unsigned char c);

/** RFC 9110 OWS: SP or HTAB. */
int mai_lex_is_ows(unsigned char c);

/** Skip OWS from the start of s. */
const char *mai_lex_skip_ows(const char *s);

/** Trim OWS from both ends of [*b, *e). */
void mai_lex_trim_ows(const char **b, const char **e);

/** A strict dotted quad (four parts of 0-255, no leading zeros) into
 * out[4]: exactly what glibc's inet_pton(AF_INET) takes. 1 or 0. */
int mai_lex_ipv4(const char *s, unsigned char out[4]);

/** An RFC 4291 IPv6 address without brackets into out[16]: exactly what
 * glibc's inet_pton(AF_INET6) takes. 1 or 0. */
int mai_lex_ipv6(const char *s, unsigned char out[16]);

/** True when s is an IPv4 or IPv6 address literal (not a host name). */
int mai_lex_is_ip_literal(const char *s);

/** v as 4 bytes, most significant first. */
void mai_lex_put_be32(unsigned char *b, apr_uint32_t v);

/** v as 8 bytes, most significant first. */
void mai_lex_put_be64(unsigned char *b, apr_uint64_t v);

/** The 8 bytes at b, most significant first. */
apr_uint64_t mai_lex_get_be64(const unsigned char *b);

#endif
