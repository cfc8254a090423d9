/* SPDX-License-Identifier: Apache-2.0 */
/* claims_map.c: claim names to environment and header names. Only ASCII
 * letters and digits survive, tested by hand rather than with ctype, so
 * the locale can never let another byte into a variable or header name. */
#include <string.h>
#include <apr_strings.h>
#include <apr_base64.h>
#include "claims_map.h"

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(unsigned char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

static char upper(unsigned char c)
{
    return (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
}

static char lower(unsigned char c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/* The prefix followed by room for one output byte per claim byte. */
static char *with_prefix(apr_pool_t *p, const char *prefix, size_t n,
                         char **suffix)
{
    size_t plen = strlen(prefix);
    char *s = apr_palloc(p, plen + n + 1);

    memcpy(s, prefix, plen);
    s[plen + n] = '\0';
    *suffix = s + plen;
    return s;
}

static void env_suffix(char *out, const char *claim, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)claim[i];
        out[i] = is_alnum(c) ? upper(c) : '_';
    }
}

const char *mai_claims_env_name(apr_pool_t *p, const char *claim)
{
    size_t n = strlen(claim);
    char *out;
    char *s = with_prefix(p, MAI_ENV_PREFIX, n, &out);

    env_suffix(out, claim, n);
    return s;
}

void mai_claims_env_name_to(char *dst, const char *claim, apr_size_t n)
{
    size_t plen = sizeof(MAI_ENV_PREFIX) - 1;

    memcpy(dst, MAI_ENV_PREFIX, plen);
    env_suffix(dst + plen, claim, n);
    dst[plen + n] = '\0';
}

const char *mai_claims_header_name(apr_pool_t *p, const char *claim)
{
    size_t i, n = strlen(claim);
    char *out;
    char *s = with_prefix(p, MAI_HEADER_PREFIX, n, &out);
    int word_start = 1;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)claim[i];
        if (!is_alnum(c)) {
            out[i] = '-';
            word_start = 1;
            continue;
        }
        out[i] = word_start ? upper(c) : lower(c);
        word_start = 0;
    }
    return s;
}

int mai_claims_header_safe(const char *value)
{
    const unsigned char *s = (const unsigned char *)value;

    if (s == NULL) {
        return 0;
    }
    for (; *s; s++) {
        if (*s < 0x20 || *s == 0x7f) {
            return 0;
        }
    }
    return 1;
}

const char *mai_claims_header_value(apr_pool_t *p, const char *value)
{
    const unsigned char *s = (const unsigned char *)value;
    int plain = 1;
    apr_size_t n;
    char *out;

    /* one pass: mai_claims_header_safe's test and the non-ASCII one */
    if (s == NULL) {
        return NULL;
    }
    for (; *s; s++) {
        if (*s < 0x20 || *s == 0x7f) {
            return NULL;
        }
        if (*s >= 0x80) {
            plain = 0;
        }
    }
    /* a plain value that looks encoded is encoded too, so decoding any
     * header value that starts with "=?" is always right */
    if (plain && strncmp(value, "=?", 2)) {
        return value;
    }
    n = strlen(value);
    out = apr_palloc(p, apr_base64_encode_len((int)n) + 13);
    memcpy(out, "=?UTF-8?B?", 10);
    n = apr_base64_encode(out + 10, value, (int)n) - 1;
    memcpy(out + 10 + n, "?=", 3);
    return out;
}

/* httpd's CGI environment turns '-' into '_'; backends behind a proxy
 * (WSGI, Rack, PHP, nginx's underscores_in_headers) map '_', '.' and
 * other punctuation the same way. So any byte that is not a letter or a
 * digit counts as a separator, in either place: X.Introspect_Sub must not
 * slip past as a spoofed claim. The namespace is ours alone, so being
 * broad costs nothing. */
static int is_separator(unsigned char c)
{
    return c != '\0' && !is_alnum(c);
}

int mai_claims_is_reserved_header(const char *name)
{
    static const char word[] = "introspect";
    size_t i;

    if (name == NULL || lower((unsigned char)name[0]) != 'x'
        || !is_separator((unsigned char)name[1])) {
        return 0;
    }
    for (i = 0; word[i] != '\0'; i++) {
        if (lower((unsigned char)name[2 + i]) != word[i]) {
            return 0;
        }
    }
    return is_separator((unsigned char)name[2 + i]);
}
