/* SPDX-License-Identifier: Apache-2.0 */
/* json_reader.h: the lexical half of the answer reader (result.c has the
 * grammar). Each token is read the way json-c 0.16's strict tokener read
 * it, so answers the module took before are taken, and refused, alike:
 * strings with json-c's escapes and its U+FFFD for broken surrogates, raw
 * control characters kept, bytes not checked as UTF-8; numbers with its
 * character rules and its saturating integers; whitespace of four
 * characters. It also writes values back the way json-c's
 * json_object_to_json_string (plain, no slash escape) did, for the texts
 * of nested claims. Pure, no allocation. */
#ifndef MAI_JSON_READER_H
#define MAI_JSON_READER_H

#include <apr.h>
#include "status.h"

/* json-c's whitespace: not \v or \f. */
#define MAI_JR_IS_WS(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' \
                         || (c) == '\r')

/* mai_jr_string flags */
#define MAI_JR_NUL 1        /* decoded to a U+0000 (\u0000) */
#define MAI_JR_RAW_CTL 2    /* held a raw byte below 0x20 */

/**
 * Decode the string whose opening quote (quote: '"', or '\'' for the
 * member names json-c's strict mode still took) is just before *at.
 * Writes the bytes to out (never more than the raw text's length, so a
 * buffer of end - *at bytes is enough) and NUL-terminates them; *n is
 * their length. *flags gets MAI_JR_NUL, MAI_JR_RAW_CTL. On MAI_OK *at is
 * past the closing quote; MAI_STATUS_ENDPOINT_BAD_JSON for a bad escape,
 * a raw NUL or the end of the text.
 */
mai_status_t mai_jr_string(const char **at, const char *end, char quote,
                           char *out, apr_size_t *n, int *flags);

typedef struct {
    int is_double;          /* had '.', 'e' or 'E', or was -Infinity */
    int neg;                /* an integer with a leading '-' */
    int finite;             /* doubles: strtod's value is finite */
    int saturated;          /* integers: beyond 64 bits, clamped */
    apr_uint64_t mag;       /* integers: the clamped magnitude */
    const char *text;       /* the token as sent */
    apr_size_t len;
} mai_jr_num_t;

/**
 * Read the number at *at (a digit or '-'), in an object or array: the
 * character after it must be one json-c lets a number end at. Integers
 * clamp to [INT64_MIN, UINT64_MAX] as json-c's did; "-Infinity" is a
 * double that is not finite. MAI_STATUS_ENDPOINT_BAD_JSON otherwise.
 */
mai_status_t mai_jr_number(const char **at, const char *end,
                           mai_jr_num_t *num);

/** Whether num is an integer json-c wrote back differently from the
 * token: "-0", leading zeros, clamped. */
int mai_jr_int_rewritten(const mai_jr_num_t *num);

/** json-c's text of an integer (num->is_double 0) into out (21 bytes
 * and a NUL); returns its length. */
apr_size_t mai_jr_int_text(const mai_jr_num_t *num, char *out);

/** s (n bytes) escaped as json-c wrote strings: \" \\ \b \f \n \r \t,
 * other bytes below 0x20 as \u00xx, '/' and the rest as they are. out
 * has room for 6 * n bytes; returns the length written. */
apr_size_t mai_jr_escape(char *out, const char *s, apr_size_t n);

#endif
