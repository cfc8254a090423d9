/* SPDX-License-Identifier: Apache-2.0 */
/* http_wire.c: HTTP/1.1 request bytes out, response parsed in.
 *
 * The response parser is a byte-driven state machine: it never sees a
 * socket, takes input in any split, and holds at most one line (bounded
 * by max_line) plus the decoded body (bounded by max_body). */
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "http_wire.h"
#include "lex.h"

const mai_wire_limits_t mai_wire_default_limits = { 100, 8192, 262144 };

/* We never send Expect or Upgrade, so a server has no reason to send
 * more than a couple of 1xx responses; an endless stream of them would
 * otherwise keep the parser busy until the caller's timeout. */
#define MAX_INTERIM 16

/* The first body allocation for chunked and close-delimited bodies; it
 * doubles from there, so the total allocated stays below 2 * max_body. */
#define BODY_INITIAL 1024

typedef enum {
    ST_STATUS,     /* status line */
    ST_HEADERS,    /* header fields up to the blank line */
    ST_BODY,       /* Content-Length body */
    ST_CLOSE_BODY, /* body delimited by the connection close */
    ST_CHUNK_SIZE, /* chunk-size [chunk-ext] line */
    ST_CHUNK_DATA, /* chunk-data */
    ST_CHUNK_END,  /* the CRLF after chunk-data */
    ST_TRAILERS,   /* trailer fields up to the blank line */
    ST_DONE,       /* states from here on are final */
    ST_ERROR,
    ST_TOO_LARGE
} wire_st_t;

/* What the elements of one framing field (Content-Length,
 * Transfer-Encoding, Connection) said so far. */
typedef struct {
    int bad;             /* an element failed to parse */
    int count;           /* elements seen */
    int close;           /* Connection: close */
    apr_uint64_t length; /* Content-Length */
} list_ctx_t;

struct mai_wire_resp {
    apr_pool_t *p;
    mai_wire_limits_t lim;
    wire_st_t st;
    char *line; /* max_line + 1 bytes */
    apr_size_t line_len;
    int status;  /* of the response being read */
    int minor;   /* HTTP/1.<minor> */
    int fields;  /* header (and trailer) fields so far */
    int interim; /* 1xx responses skipped */
    int keepalive;
    apr_table_t *headers;   /* of the final response only */
    /* its framing fields, read as each is stored */
    list_ctx_t len, te, conn;
    apr_uint64_t remaining; /* of the Content-Length body or the chunk */
    char *body;
    apr_size_t body_len, body_cap;
};

/* ---- request ---------------------------------------------------------- */

/* The request is built on every miss, so it is measured in one pass and
 * written into one allocation: no pstrcat, array or printf per part. */

/* Byte classes, from one table: the request's checks looked at each byte
 * of every header with a chain of compares and a memchr (about 3,000
 * instructions a miss under callgrind), and the response's every byte of
 * every line; a lookup is one load.
 * C_TCHAR: a token character (RFC 9110 5.6.2); C_FIELD: allowed in a
 * header field (no NUL, no control character but HTAB); C_TARGET: allowed
 * in the authority and the path (C_FIELD less the space). */
#define C_TCHAR 1
#define C_FIELD 2
#define C_TARGET 4
static const unsigned char byte_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 7, 6, 7, 7, 7, 7, 7, 6, 6, 7, 7, 6, 7, 7, 6,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6,
    6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 7, 6, 7, 0,
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6
};
#define IS(cls, c) (byte_class[(unsigned char)(c)] & (cls))

/* The length of s up to its NUL when every byte is of class cls;
 * 0 (refused) when one is not, or s is NULL or empty. */
static apr_size_t span(const char *s, int cls)
{
    const char *c = s;

    if (!s) {
        return 0;
    }
    while (IS(cls, *c)) {
        c++;
    }
    return *c ? 0 : (apr_size_t)(c - s);
}

static int clean(const char *s, int allow_space, apr_size_t *len)
{
    *len = span(s, allow_space ? C_FIELD : C_TARGET);
    return *len != 0;
}

/* A token character (RFC 9110 5.6.2); the response parser uses it too. */
static int is_tchar(unsigned char c)
{
    return IS(C_TCHAR, c);
}

/* "Name: value" with a token name, no CR/LF or other control characters,
 * and not one of the fields that frame the request: those are ours.
 * *len is the field's length when it is good. */
static int header_ok(const char *h, apr_size_t *len)
{
    const char *c = h;
    apr_size_t rest;

    while (IS(C_TCHAR, *c)) {
        c++;
    }
    if (c == h || *c != ':') {
        return 0;
    }
    /* the name's bytes are field bytes too: only the rest is checked */
    rest = span(c, C_FIELD);
    if (!rest) {
        return 0;
    }
    *len = (apr_size_t)(c - h) + rest;
    return !((c - h == 4 && strncasecmp(h, "Host", 4) == 0) ||
             (c - h == 14 && strncasecmp(h, "Content-Length", 14) == 0) ||
             (c - h == 17 && strncasecmp(h, "Transfer-Encoding", 17) == 0));
}

#define PUT(o, s, n) (memcpy((o), (s), (n)), (o) += (n))
#define PUT_LIT(o, lit) PUT(o, lit, sizeof(lit) - 1)
#define MAX_HEADERS 32           /* lengths kept; more are measured again */
#define DIGITS 20               /* of a 64-bit apr_size_t */

const char *mai_wire_request(apr_pool_t *p, const char *method,
                             const char *authority, const char *path,
                             const char *const *headers, const char *body,
                             apr_size_t body_len, apr_size_t *out_len)
{
    apr_size_t hl[MAX_HEADERS];
    apr_size_t mlen, alen, plen, total, v, len;
    char digits[DIGITS];
    const char *m;
    char *out, *o;
    int i, n = 0, d = 0;

    if (out_len) {
        *out_len = 0;
    }
    for (m = method; m && IS(C_TCHAR, *m); m++) {
    }
    if (!m || m == method || *m || !clean(authority, 0, &alen)
        || !clean(path, 0, &plen)) {
        return NULL;
    }
    mlen = (apr_size_t)(m - method);
    /* "M P HTTP/1.1\r\nHost: A\r\n" ... "\r\n" */
    total = mlen + 1 + plen + sizeof(" HTTP/1.1\r\nHost: ") - 1 + alen + 2
            + 2;
    for (; headers && headers[n]; n++) {
        if (!header_ok(headers[n], &len)) {
            return NULL;
        }
        if (n < MAX_HEADERS) {
            hl[n] = len;
        }
        total += len + 2;
    }
    if (body) {
        v = body_len;
        do {
            digits[d++] = (char)('0' + v % 10);
            v /= 10;
        } while (v && d < DIGITS);
        total += sizeof("Content-Length: \r\n") - 1 + d + body_len;
    }
    o = out = apr_palloc(p, total + 1);
    PUT(o, method, mlen);
    *o++ = ' ';
    PUT(o, path, plen);
    PUT_LIT(o, " HTTP/1.1\r\nHost: ");
    PUT(o, authority, alen);
    PUT_LIT(o, "\r\n");
    for (i = 0; i < n; i++) {
        len = i < MAX_HEADERS ? hl[i] : strlen(headers[i]);
        PUT(o, headers[i], len);
        PUT_LIT(o, "\r\n");
    }
    if (body) {
        PUT_LIT(o, "Content-Length: ");
        while (d > 0) {
            *o++ = digits[--d];
        }
        PUT_LIT(o, "\r\n");
    }
    PUT_LIT(o, "\r\n");
    if (body) {
        PUT(o, body, body_len);
    }
    *o = '\0';
    if (out_len) {
        *out_len = (apr_size_t)(o - out);
    }
    return out;
}

/* ---- response: header section ----------------------------------------- */

mai_wire_resp_t *mai_wire_resp_create(apr_pool_t *p,
                                      const mai_wire_limits_t *limits)
{
    mai_wire_resp_t *w = apr_pcalloc(p, sizeof(*w));

    w->p = p;
    w->lim = limits ? *limits : mai_wire_default_limits;
    /* the buffers below are sized limit + 1 */
    if (w->lim.max_body > APR_SIZE_MAX / 2) {
        w->lim.max_body = APR_SIZE_MAX / 2;
    }
    w->line = apr_palloc(p, w->lim.max_line + 1);
    w->headers = apr_table_make(p, 16);
    return w;
}

/* Collect the next line into w->line. Returns 1 when a whole line is
 * there (CRLF or bare LF stripped, NUL-terminated), 0 when more input is
 * needed or the line is too long (then w->st says so). */
static int take_line(mai_wire_resp_t *w, const char **d, apr_size_t *n)
{
    const char *nl = memchr(*d, '\n', *n);
    apr_size_t k = nl ? (apr_size_t)(nl - *d) + 1 : *n;

    /* checked before copying; a partial line that already fills max_line
     * cannot end in time, so it fails without waiting for more */
    if (w->line_len + k > w->lim.max_line ||
        (!nl && w->line_len + k == w->lim.max_line)) {
        w->st = ST_TOO_LARGE;
        return 0;
    }
    memcpy(w->line + w->line_len, *d, k);
    w->line_len += k;
    *d += k;
    *n -= k;
    if (!nl) {
        return 0;
    }
    w->line_len--;
    if (w->line_len && w->line[w->line_len - 1] == '\r') {
        w->line_len--;
    }
    w->line[w->line_len] = '\0';
    return 1;
}

static wire_st_t parse_status_line(mai_wire_resp_t *w, const char *l)
{
    int i;

    if (strncmp(l, "HTTP/1.", 7) != 0 || l[7] < '0' || l[7] > '9' ||
        l[8] != ' ') {
        return ST_ERROR;
    }
    w->minor = l[7] - '0';
    l += 9;
    w->status = 0;
    for (i = 0; i < 3; i++) {
        if (l[i] < '0' || l[i] > '9') {
            return ST_ERROR;
        }
        w->status = w->status * 10 + (l[i] - '0');
    }
    /* 101 would hand the connection to another protocol: never asked */
    if ((l[3] != '\0' && l[3] != ' ') || w->status < 100 || w->status > 599 ||
        w->status == 101) {
        w->status = 0;
        return ST_ERROR;
    }
    w->fields = 0;
    return ST_HEADERS;
}

static void frame_field(mai_wire_resp_t *w, const char *name,
                        apr_size_t n, const char *value);

/* One "name: value" field; stored only for the final response's header
 * section (interim responses and trailers are checked, then dropped, so
 * a trailer cannot replace a header the caller trusts). A stored field
 * is copied once, name and value in one allocation, and a framing field
 * is read as it is stored. */
static wire_st_t parse_field(mai_wire_resp_t *w, char *l, int store)
{
    char *c = l, *copy;
    const char *v, *e;
    apr_size_t nlen, vlen;

    /* obs-fold (a continuation line) is deprecated and a classic way to
     * smuggle a field past one parser and not another */
    if (mai_lex_is_ows((unsigned char)*l)) {
        return ST_ERROR;
    }
    while (is_tchar((unsigned char)*c)) {
        c++;
    }
    if (c == l || *c != ':') {
        return ST_ERROR;
    }
    if (++w->fields > w->lim.max_fields) {
        return ST_TOO_LARGE;
    }
    if (store) {
        nlen = (apr_size_t)(c - l);
        v = c + 1;
        e = w->line + w->line_len;
        mai_lex_trim_ows(&v, &e);
        vlen = (apr_size_t)(e - v);
        copy = apr_palloc(w->p, nlen + vlen + 2);
        memcpy(copy, l, nlen);
        copy[nlen] = '\0';
        memcpy(copy + nlen + 1, v, vlen);
        copy[nlen + 1 + vlen] = '\0';
        apr_table_addn(w->headers, copy, copy + nlen + 1);
        frame_field(w, copy, nlen, copy + nlen + 1);
    }
    return w->st;
}

/* Call fn on each comma-separated, OWS-trimmed element of value. */
static void each_element(const char *value, list_ctx_t *ctx,
                         void (*fn)(list_ctx_t *, const char *, apr_size_t))
{
    const char *s = value;

    for (;;) {
        const char *e = s + strcspn(s, ",");
        const char *b = s, *t = e;
        mai_lex_trim_ows(&b, &t);
        fn(ctx, b, t - b);
        if (!*e) {
            return;
        }
        s = e + 1;
    }
}

static void length_elt(list_ctx_t *ctx, const char *s, apr_size_t n)
{
    apr_uint64_t v = 0;
    apr_size_t i;

    for (i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9 || v > (APR_UINT64_MAX - d) / 10) {
            ctx->bad = 1;
            return;
        }
        v = v * 10 + d;
    }
    /* "Content-Length: 5, 5" or two equal fields are harmless repeats;
     * two different lengths mean two framings, i.e. smuggling */
    if (n == 0 || (ctx->count++ && v != ctx->length)) {
        ctx->bad = 1;
    }
    ctx->length = v;
}

static void te_elt(list_ctx_t *ctx, const char *s, apr_size_t n)
{
    /* chunked is the only coding we decode, and it must be the only one */
    if (ctx->count++ || n != 7 || strncasecmp(s, "chunked", 7) != 0) {
        ctx->bad = 1;
    }
}

static void conn_elt(list_ctx_t *ctx, const char *s, apr_size_t n)
{
    if (n == 5 && strncasecmp(s, "close", 5) == 0) {
        ctx->close = 1;
    }
}

/* A field of the final response's header section: the framing ones are
 * read here, each in the order it came (what a pass over the stored
 * fields by name would see). */
static void frame_field(mai_wire_resp_t *w, const char *name,
                        apr_size_t n, const char *value)
{
    if (n == 14 && strcasecmp(name, "Content-Length") == 0) {
        each_element(value, &w->len, length_elt);
    }
    else if (n == 17 && strcasecmp(name, "Transfer-Encoding") == 0) {
        each_element(value, &w->te, te_elt);
    }
    else if (n == 10 && strcasecmp(name, "Connection") == 0) {
        each_element(value, &w->conn, conn_elt);
    }
}

/* The blank line after a header section: decide how the body is framed. */
static wire_st_t end_of_headers(mai_wire_resp_t *w)
{
    const list_ctx_t len = w->len, te = w->te, conn = w->conn;

    if (w->status < 200) {
        w->status = 0;
        return ++w->interim > MAX_INTERIM ? ST_TOO_LARGE : ST_STATUS;
    }
    if (len.bad || te.bad) {
        return ST_ERROR;
    }
    w->keepalive = w->minor >= 1 && !conn.close;
    if (w->status == 204 || w->status == 304) {
        return ST_DONE;
    }
    if (te.count) {
        /* RFC 7230 3.3.3: chunked wins, but a peer sending both lengths
         * is confused or hostile, so the connection is not reused */
        if (len.count) {
            w->keepalive = 0;
        }
        return ST_CHUNK_SIZE;
    }
    if (len.count) {
        if (len.length > w->lim.max_body) {
            return ST_TOO_LARGE;
        }
        w->remaining = len.length;
        w->body_cap = (apr_size_t)len.length + 1;
        w->body = apr_palloc(w->p, w->body_cap);
        w->body[0] = '\0';
        return len.length ? ST_BODY : ST_DONE;
    }
    w->keepalive = 0;
    return ST_CLOSE_BODY;
}

/* ---- response: body ---------------------------------------------------- */

/* Room for extra more body bytes plus the NUL; the caller has checked
 * body_len + extra <= max_body. */
static void body_reserve(mai_wire_resp_t *w, apr_size_t extra)
{
    apr_size_t need = w->body_len + extra + 1, cap = w->body_cap;
    char *nb;

    if (need <= cap) {
        return;
    }
    cap = cap ? cap * 2 : BODY_INITIAL;
    if (cap < need) {
        cap = need;
    }
    if (cap > w->lim.max_body + 1) {
        cap = w->lim.max_body + 1;
    }
    nb = apr_palloc(w->p, cap);
    if (w->body_len) {
        memcpy(nb, w->body, w->body_len);
    }
    /* mai_wire_resp_body promises a NUL even before the first byte lands */
    nb[w->body_len] = '\0';
    w->body = nb;
    w->body_cap = cap;
}

static wire_st_t parse_chunk_size(mai_wire_resp_t *w, const char *l)
{
    apr_uint64_t v = 0, room = w->lim.max_body - w->body_len;
    const char *c;
    int h;

    for (c = l; (h = mai_lex_hexval((unsigned char)*c)) >= 0; c++) {
        if ((apr_uint64_t)h > room || v > (room - h) / 16) {
            return ST_TOO_LARGE;
        }
        v = v * 16 + h;
    }
    c = mai_lex_skip_ows(c);
    /* chunk extensions are allowed and ignored */
    if (c == l || (*c && *c != ';')) {
        return ST_ERROR;
    }
    if (v == 0) {
        return ST_TRAILERS;
    }
    body_reserve(w, (apr_size_t)v);
    w->remaining = v;
    return ST_CHUNK_DATA;
}

static wire_st_t handle_line(mai_wire_resp_t *w)
{
    char *l = w->line;
    apr_size_t i;

    /* a stray CR, a NUL or another control byte has no place in any
     * line of a response; refusing them keeps header values clean */
    for (i = 0; i < w->line_len; i++) {
        if (!IS(C_FIELD, l[i])) {
            return ST_ERROR;
        }
    }
    switch (w->st) {
    case ST_STATUS:
        return parse_status_line(w, l);
    case ST_HEADERS:
        return *l ? parse_field(w, l, w->status >= 200) : end_of_headers(w);
    case ST_CHUNK_SIZE:
        return parse_chunk_size(w, l);
    case ST_CHUNK_END:
        return *l ? ST_ERROR : ST_CHUNK_SIZE;
    case ST_TRAILERS:
        return *l ? parse_field(w, l, 0) : ST_DONE;
    default:
        return ST_ERROR;
    }
}

static void take_body(mai_wire_resp_t *w, const char **d, apr_size_t *n)
{
    apr_size_t k = *n;

    if (w->st == ST_CLOSE_BODY) {
        if (k > w->lim.max_body - w->body_len) {
            w->st = ST_TOO_LARGE;
            return;
        }
        body_reserve(w, k);
    } else if (k > w->remaining) {
        k = (apr_size_t)w->remaining;
    }
    memcpy(w->body + w->body_len, *d, k);
    w->body_len += k;
    w->body[w->body_len] = '\0';
    *d += k;
    *n -= k;
    if (w->st != ST_CLOSE_BODY && (w->remaining -= k) == 0) {
        w->st = w->st == ST_BODY ? ST_DONE : ST_CHUNK_END;
    }
}

static mai_wire_state_t public_state(const mai_wire_resp_t *w)
{
    switch (w->st) {
    case ST_DONE:
        return MAI_WIRE_DONE;
    case ST_ERROR:
        return MAI_WIRE_ERROR;
    case ST_TOO_LARGE:
        return MAI_WIRE_TOO_LARGE;
    default:
        return MAI_WIRE_MORE;
    }
}

mai_wire_state_t mai_wire_resp_feed(mai_wire_resp_t *w, const char *data,
                                    apr_size_t len, apr_size_t *consumed)
{
    const char *d = data;
    apr_size_t n = data ? len : 0;

    while (n > 0 && w->st < ST_DONE) {
        if (w->st == ST_BODY || w->st == ST_CLOSE_BODY ||
            w->st == ST_CHUNK_DATA) {
            take_body(w, &d, &n);
        } else if (take_line(w, &d, &n)) {
            w->st = handle_line(w);
            w->line_len = 0;
        }
    }
    if (consumed) {
        *consumed = (data ? len : 0) - n;
    }
    return public_state(w);
}

mai_wire_state_t mai_wire_resp_eof(mai_wire_resp_t *w)
{
    if (w->st == ST_CLOSE_BODY) {
        w->st = ST_DONE;
    } else if (w->st < ST_DONE) {
        w->st = ST_ERROR;
    }
    return public_state(w);
}

int mai_wire_resp_status(const mai_wire_resp_t *w)
{
    return w->status;
}

const char *mai_wire_resp_header(const mai_wire_resp_t *w, const char *name)
{
    return apr_table_get(w->headers, name);
}

const char *mai_wire_resp_body(const mai_wire_resp_t *w, apr_size_t *len)
{
    if (len) {
        *len = w->body ? w->body_len : 0;
    }
    return w->body ? w->body : "";
}

int mai_wire_resp_keepalive(const mai_wire_resp_t *w)
{
    return w->st == ST_DONE && w->keepalive;
}
