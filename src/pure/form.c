/* SPDX-License-Identifier: Apache-2.0 */
/* form.c: application/x-www-form-urlencoded and Basic credentials. */
#include <string.h>
#include <apr_strings.h>
#include <apr_base64.h>
#include "form.h"
#include "lex.h"

static const char hexdig[] = "0123456789ABCDEF";

/* RFC 3986 unreserved bytes: ALPHA DIGIT - . _ ~ (a table: a token is
 * scanned on every endpoint call) */
static const unsigned char unreserved[256] = {
    ['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
    ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
};

#define is_unreserved(c) (unreserved[(unsigned char)(c)])

const char *mai_form_encode(apr_pool_t *p, const char *s)
{
    apr_size_t n = 0, i;
    const unsigned char *u = (const unsigned char *)s;
    char *out, *o;

    /* a token is nearly always unreserved characters only: no copy */
    for (i = 0; is_unreserved(u[i]); i++) {
    }
    if (!u[i]) {
        return s;
    }
    for (n = i; u[i]; i++) {
        n += is_unreserved(u[i]) || u[i] == ' ' ? 1 : 3;
    }
    o = out = apr_palloc(p, n + 1);
    for (i = 0; u[i]; i++) {
        if (is_unreserved(u[i])) {
            *o++ = (char)u[i];
        } else if (u[i] == ' ') {
            *o++ = '+';
        } else {
            *o++ = '%';
            *o++ = hexdig[u[i] >> 4];
            *o++ = hexdig[u[i] & 0x0f];
        }
    }
    *o = '\0';
    return out;
}

const char *mai_form_decode(apr_pool_t *p, const char *s, apr_size_t len)
{
    char *out = apr_palloc(p, len + 1), *o = out;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi, lo;
            if (len - i < 3 || (hi = mai_lex_hexval(s[i + 1])) < 0 ||
                (lo = mai_lex_hexval(s[i + 2])) < 0) {
                return NULL;
            }
            c = (unsigned char)(hi << 4 | lo);
            i += 2;
        }
        /* a NUL would silently cut the value short for every later
         * string function, so it is refused whether raw or escaped */
        if (c == '\0') {
            return NULL;
        }
        *o++ = (char)c;
    }
    *o = '\0';
    return out;
}

void mai_form_get(apr_pool_t *p, const char *data, apr_size_t len,
                  const char *name, const char **value, int *count)
{
    const char *end = data ? data + len : NULL;
    const char *f = data;

    *value = NULL;
    *count = 0;
    while (f && f < end) {
        const char *amp = memchr(f, '&', end - f);
        const char *fend = amp ? amp : end;
        const char *eq = memchr(f, '=', fend - f);
        const char *nend = eq ? eq : fend;
        /* names are encoded like values: "access%5Ftoken" is the same
         * field, and must count as a duplicate */
        const char *n = mai_form_decode(p, f, nend - f);

        if (n && fend > f && strcmp(n, name) == 0) {
            if (++*count == 1) {
                *value = eq ? mai_form_decode(p, eq + 1, fend - eq - 1) : "";
            }
        }
        f = amp ? amp + 1 : NULL;
    }
}

const char *mai_form_basic_auth(apr_pool_t *p, const char *prefix,
                                const char *id, const char *secret)
{
    const char *eid = mai_form_encode(p, id);
    const char *esec = mai_form_encode(p, secret);
    apr_size_t pl = strlen(prefix), il = strlen(eid), sl = strlen(esec);
    char *plain = apr_palloc(p, il + sl + 2);
    char *h;

    memcpy(plain, eid, il);
    plain[il] = ':';
    memcpy(plain + il + 1, esec, sl + 1);
    h = apr_palloc(p, pl + 6 + apr_base64_encode_len((int)(il + sl + 1)));
    memcpy(h, prefix, pl);
    memcpy(h + pl, "Basic ", 6);
    apr_base64_encode(h + pl + 6, plain, (int)(il + sl + 1));
    return h;
}
