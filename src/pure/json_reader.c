/* SPDX-License-Identifier: Apache-2.0 */
/* json_reader.c: strings, numbers and json-c's way of writing them back.
 * The rules are json-c 0.16's strict tokener's (json_tokener.c), which
 * the module used before: tests/oracle/result_jsonc.c keeps that parser,
 * and tests/fuzz/fuzz_result_diff.c checks the two agree. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "json_reader.h"
#include "lex.h"

#define BAD MAI_STATUS_ENDPOINT_BAD_JSON

static const char replacement[3] = { '\xef', '\xbf', '\xbd' };

static int hex4(const char *s, const char *end, unsigned *u)
{
    int i, d;
    unsigned v = 0;

    if (end - s < 4) {
        return 0;
    }
    for (i = 0; i < 4; i++) {
        if ((d = mai_lex_hexval((unsigned char)s[i])) < 0) {
            return 0;
        }
        v = (v << 4) | (unsigned)d;
    }
    *u = v;
    return 1;
}

#define IS_HIGH(u) (((u) & 0xFC00) == 0xD800)
#define IS_LOW(u) (((u) & 0xFC00) == 0xDC00)

/* One code point as UTF-8; json-c puts U+FFFD for a lone low surrogate. */
static char *put_utf8(char *o, unsigned u)
{
    if (u < 0x80) {
        *o++ = (char)u;
    }
    else if (u < 0x800) {
        *o++ = (char)(0xc0 | (u >> 6));
        *o++ = (char)(0x80 | (u & 0x3f));
    }
    else if (IS_LOW(u)) {
        memcpy(o, replacement, 3);
        o += 3;
    }
    else if (u < 0x10000) {
        *o++ = (char)(0xe0 | (u >> 12));
        *o++ = (char)(0x80 | ((u >> 6) & 0x3f));
        *o++ = (char)(0x80 | (u & 0x3f));
    }
    else {
        *o++ = (char)(0xf0 | ((u >> 18) & 0x07));
        *o++ = (char)(0x80 | ((u >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((u >> 6) & 0x3f));
        *o++ = (char)(0x80 | (u & 0x3f));
    }
    return o;
}

/* After "\u" at *at. A high surrogate takes a low one from a "\u" right
 * after it; otherwise it becomes U+FFFD and what follows is read as
 * usual (json-c's escape_unicode_need_escape / _need_u states). */
static mai_status_t unicode(const char **at, const char *end, char **o,
                            int *flags)
{
    const char *s = *at;
    unsigned u, lo;

    if (!hex4(s, end, &u)) {
        return BAD;
    }
    s += 4;
    while (IS_HIGH(u)) {
        if (end - s < 2 || s[0] != '\\' || s[1] != 'u') {
            memcpy(*o, replacement, 3);
            *o += 3;
            *at = s;
            return MAI_OK;
        }
        if (!hex4(s + 2, end, &lo)) {
            return BAD;
        }
        s += 6;
        if (IS_LOW(lo)) {
            u = ((u & 0x3FF) << 10) + (lo & 0x3FF) + 0x10000;
            break;
        }
        memcpy(*o, replacement, 3);
        *o += 3;
        u = lo;
    }
    if (u == 0) {
        *flags |= MAI_JR_NUL;
    }
    *o = put_utf8(*o, u);
    *at = s;
    return MAI_OK;
}

mai_status_t mai_jr_string(const char **at, const char *end, char quote,
                           char *out, apr_size_t *n, int *flags)
{
    const char *s = *at;
    char *o = out;

    for (;;) {
        const char *run = s;
        char c;

        while (s < end && *s != quote && *s != '\\'
               && (unsigned char)*s >= 0x20) {
            s++;
        }
        memcpy(o, run, (apr_size_t)(s - run));
        o += s - run;
        if (s == end) {
            return BAD;
        }
        c = *s++;
        if (c == quote) {
            break;
        }
        if (c != '\\') {
            /* a raw control character: JSON forbids it, json-c kept it
             * (but a NUL ended its text) */
            if (c == '\0') {
                return BAD;
            }
            *flags |= MAI_JR_RAW_CTL;
            *o++ = c;
            continue;
        }
        if (s == end) {
            return BAD;
        }
        switch (c = *s++) {
        case '"':
        case '\\':
        case '/':
            *o++ = c;
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u':
            if (unicode(&s, end, &o, flags) != MAI_OK) {
                return BAD;
            }
            break;
        default:
            return BAD;
        }
    }
    *o = '\0';
    *n = (apr_size_t)(o - out);
    *at = s;
    return MAI_OK;
}

/* The characters json-c lets a number end at inside a container; the
 * ones that are no separator ('/', 'I', 'i') fail right after. */
static int number_end(char c)
{
    return c == ',' || c == ']' || c == '}' || c == '/' || c == 'I'
        || c == 'i' || MAI_JR_IS_WS(c);
}

/* strtoll/strtoull as json-c called them: clamped, no error. */
static void integer(mai_jr_num_t *num)
{
    const char *s = num->text + num->neg, *e = num->text + num->len;
    apr_uint64_t v = 0, limit = num->neg ? (apr_uint64_t)1 << 63
                                         : ~(apr_uint64_t)0;

    for (; s < e; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (limit - d) / 10) {
            v = limit;
            num->saturated = 1;
            break;
        }
        v = v * 10 + d;
    }
    num->mag = v;
}

mai_status_t mai_jr_number(const char **at, const char *end,
                           mai_jr_num_t *num)
{
    const char *s = *at, *t = s;
    int is_exp = 0, neg_ok = 1, pos_ok = 0;
    char *stop;

    memset(num, 0, sizeof(*num));
    num->finite = 1;
    for (; t < end; t++) {
        char c = *t;
        if (c >= '0' && c <= '9') {
            neg_ok = pos_ok = 0;
        }
        else if (!is_exp && (c == 'e' || c == 'E')) {
            is_exp = num->is_double = neg_ok = pos_ok = 1;
        }
        else if ((neg_ok && c == '-') || (pos_ok && c == '+')) {
            neg_ok = pos_ok = 0;
        }
        else if (!num->is_double && c == '.') {
            num->is_double = neg_ok = pos_ok = 1;
        }
        else {
            break;
        }
    }
    if (t == end || !number_end(*t)) {
        return BAD;
    }
    num->text = s;
    num->len = (apr_size_t)(t - s);
    if (*s == '-' && num->len == 1 && (*t == 'I' || *t == 'i')) {
        if (end - t < 8 || memcmp(t, "Infinity", 8) != 0) {
            return BAD;
        }
        num->is_double = 1;
        num->finite = 0;
        num->len = 9;
        *at = t + 8;
        return MAI_OK;
    }
    if (!num->is_double) {
        num->neg = *s == '-';
        if (num->len == (apr_size_t)num->neg) {
            return BAD;
        }
        integer(num);
        /* json-c's strict mode: no leading zero, but only on positives */
        if (!num->neg && num->mag != 0 && *s == '0') {
            return BAD;
        }
    }
    else {
        /* json-c took what strtod took, all of it (t is a character
         * strtod stops at); it runs in the "C" numeric locale, as httpd
         * does */
        double d = strtod(s, &stop);
        if (stop != t) {
            return BAD;
        }
        num->finite = isfinite(d);
    }
    *at = t;
    return MAI_OK;
}

int mai_jr_int_rewritten(const mai_jr_num_t *num)
{
    return num->saturated || (num->neg && num->mag == 0)
           || (num->text[num->neg] == '0'
               && num->len > (apr_size_t)num->neg + 1);
}

apr_size_t mai_jr_int_text(const mai_jr_num_t *num, char *out)
{
    char digits[24];
    int n = 0;
    apr_uint64_t v = num->mag;
    apr_size_t len = 0;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (num->neg && num->mag != 0) {
        out[len++] = '-';
    }
    while (n > 0) {
        out[len++] = digits[--n];
    }
    out[len] = '\0';
    return len;
}

apr_size_t mai_jr_escape(char *out, const char *s, apr_size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    apr_size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;

        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c < 0x20) {
                memcpy(o, "\\u00", 4);
                o[4] = hex[c >> 4];
                o[5] = hex[c & 0xf];
                o += 6;
            }
            else {
                *o++ = (char)c;
            }
            continue;
        }
        *o++ = esc[0];
        *o++ = esc[1];
    }
    return (apr_size_t)(o - out);
}
