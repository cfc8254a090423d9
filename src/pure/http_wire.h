/* SPDX-License-Identifier: Apache-2.0 */
/* http_wire.h: HTTP/1.1 request bytes out, response parsed in. Pure:
 * no sockets, so every byte path can be unit-tested and fuzzed. */
#ifndef MAI_HTTP_WIRE_H
#define MAI_HTTP_WIRE_H

#include <apr_pools.h>

typedef struct mai_wire_limits {
    int max_fields;         /* header fields, default 100 */
    apr_size_t max_line;    /* status or header line incl. CRLF, 8192 */
    apr_size_t max_body;    /* decoded body bytes, 256 KiB */
} mai_wire_limits_t;

/** The limits every endpoint answer is read with: header fields and line
 * length as httpd's own request defaults (LimitRequestFields 100,
 * LimitRequestLine and LimitRequestFieldSize 8190 plus CRLF), and the
 * 256 KiB body cap that docs/directives.md promises. */
extern const mai_wire_limits_t mai_wire_default_limits;

/**
 * Serialize a request: "METHOD path HTTP/1.1", Host, the given header
 * lines ("Name: value", NULL-terminated array, may be NULL), a
 * Content-Length when body is not NULL, a blank line and the body.
 * Header values must not contain CR or LF: such a header makes the call
 * return NULL. From p; *out_len gets the length.
 */
const char *mai_wire_request(apr_pool_t *p, const char *method,
                             const char *authority, const char *path,
                             const char *const *headers, const char *body,
                             apr_size_t body_len, apr_size_t *out_len);

typedef enum {
    MAI_WIRE_MORE,      /* feed more bytes */
    MAI_WIRE_DONE,      /* a whole response has been parsed */
    MAI_WIRE_ERROR,     /* syntax error */
    MAI_WIRE_TOO_LARGE  /* a limit was exceeded */
} mai_wire_state_t;

typedef struct mai_wire_resp mai_wire_resp_t;

/** A parser for one response; limits NULL = the defaults. From p. */
mai_wire_resp_t *mai_wire_resp_create(apr_pool_t *p,
                                      const mai_wire_limits_t *limits);

/**
 * Feed len bytes. Skips 1xx interim responses. Handles Content-Length,
 * chunked (with trailers) and read-until-close bodies. *consumed gets how
 * many bytes were used (bytes after a complete response are not used).
 * Once DONE, ERROR or TOO_LARGE, further feeds return the same state.
 */
mai_wire_state_t mai_wire_resp_feed(mai_wire_resp_t *w, const char *data,
                                    apr_size_t len, apr_size_t *consumed);

/** The peer closed the connection: DONE if the body was delimited by the
 * close, else ERROR (a cut-off response). */
mai_wire_state_t mai_wire_resp_eof(mai_wire_resp_t *w);

/** Status code of the final response (0 before the status line). */
int mai_wire_resp_status(const mai_wire_resp_t *w);

/** First value of header name (case-insensitive), or NULL. */
const char *mai_wire_resp_header(const mai_wire_resp_t *w, const char *name);

/** The decoded body, NUL-terminated (length excludes the NUL). */
const char *mai_wire_resp_body(const mai_wire_resp_t *w, apr_size_t *len);

/** True when the connection may be reused after this response (HTTP/1.1
 * without "Connection: close", and a length-delimited body). */
int mai_wire_resp_keepalive(const mai_wire_resp_t *w);

#endif
