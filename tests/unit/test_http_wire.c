/* SPDX-License-Identifier: Apache-2.0 */
/* test_http_wire.c: request bytes, and the response parser fed every
 * response both whole and one byte at a time. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include "unit.h"
#include <apr_strings.h>
#include <apr_tables.h>
#include "http_wire.h"

/* ---- request ---------------------------------------------------------- */

static void test_request_exact(void **state)
{
    apr_pool_t *p = *state;
    const char *hdrs[] = { "A: b", NULL };
    apr_size_t n = 99;
    const char *r =
        mai_wire_request(p, "POST", "as:8443", "/i", hdrs, "abc", 3, &n);
    const char *want = "POST /i HTTP/1.1\r\nHost: as:8443\r\nA: b\r\n"
                       "Content-Length: 3\r\n\r\nabc";

    assert_non_null(r);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(r, want, n);
}

static void test_request_variants(void **state)
{
    apr_pool_t *p = *state;
    const char *hdrs[] = { "Accept: application/json",
                           "Authorization: Basic eDp5", NULL };
    const char *empty[] = { NULL };
    static const char want[] = "POST / HTTP/1.1\r\nHost: h\r\n"
                               "Accept: application/json\r\n"
                               "Authorization: Basic eDp5\r\n"
                               "Content-Length: 3\r\n\r\na\0b";
    apr_size_t n;
    const char *r;

    r = mai_wire_request(p, "GET", "h", "/x?a=1", NULL, NULL, 0, &n);
    assert_string_equal(r, "GET /x?a=1 HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_int_equal(n, strlen(r));

    r = mai_wire_request(p, "POST", "[::1]:8443", "/", empty, "", 0, &n);
    assert_string_equal(r, "POST / HTTP/1.1\r\nHost: [::1]:8443\r\n"
                           "Content-Length: 0\r\n\r\n");

    r = mai_wire_request(p, "POST", "h", "/", hdrs, "a\0b", 3, &n);
    assert_int_equal(n, sizeof(want) - 1);
    assert_memory_equal(r, want, n);
    assert_int_equal(r[n], '\0');
}

static void request_bad(apr_pool_t *p, const char *method, const char *auth,
                        const char *path, const char *h)
{
    const char *hdrs[] = { "Ok: 1", h, NULL };
    apr_size_t n = 99;

    assert_null(mai_wire_request(p, method, auth, path, hdrs, "x", 1, &n));
    assert_int_equal(n, 0);
}

static void test_request_rejects(void **state)
{
    apr_pool_t *p = *state;

    request_bad(p, "POST", "h", "/", "A: b\r\nInjected: 1");
    request_bad(p, "POST", "h", "/", "A: b\nX: 1");
    request_bad(p, "POST", "h", "/", "A: b\r");
    request_bad(p, "POST", "h", "/", "A: b\x01");
    request_bad(p, "POST", "h", "/", "NoColon");
    request_bad(p, "POST", "h", "/", ": empty-name");
    request_bad(p, "POST", "h", "/", "Bad Name: v");
    request_bad(p, "POST", "h", "/", "host: evil");
    request_bad(p, "POST", "h", "/", "Content-Length: 0");
    request_bad(p, "POST", "h", "/", "Transfer-Encoding: chunked");
    request_bad(p, "POST", "h", "/i\r\nX: y", NULL);
    request_bad(p, "POST", "h", "/i HTTP/1.0", NULL);
    request_bad(p, "POST", "h", "", NULL);
    request_bad(p, "POST", "h\r\nX: y", "/", NULL);
    request_bad(p, "POST", "", "/", NULL);
    request_bad(p, "PO ST", "h", "/", NULL);
    request_bad(p, "", "h", "/", NULL);
    request_bad(p, NULL, "h", "/", NULL);
    request_bad(p, "POST", NULL, "/", NULL);
    request_bad(p, "POST", "h", NULL, NULL);
}

/* The rules the byte-class table (http_wire.c) stands for, written out
 * as RFC 9110 says them: every byte value is taken or refused as these
 * say, in the method, a header name, a header value, the authority, the
 * path and a response's header line. */
static int rule_tchar(unsigned c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int rule_ctl(unsigned c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

static void test_every_byte_value(void **state)
{
    apr_pool_t *p = *state;
    unsigned c;

    for (c = 1; c < 256; c++) {
        char method[4] = { 'P', (char)c, 'T', '\0' };
        char name[8] = { 'A', (char)c, 'B', ':', ' ', 'v', '\0' };
        char value[8] = { 'A', ':', ' ', 'x', (char)c, 'y', '\0' };
        char target[4] = { '/', (char)c, 'a', '\0' };
        char line[16] = "X-A: x?y\r\n\r\n";
        const char *h1[] = { name, NULL }, *h2[] = { value, NULL };
        mai_wire_resp_t *w = mai_wire_resp_create(p, NULL);
        const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n";
        int ok = rule_tchar(c);

        assert_int_equal(mai_wire_request(p, method, "h", "/", NULL, NULL,
                                          0, NULL) != NULL, ok);
        /* a ':' ends the name early: "A:" then a value with ":B: v" */
        assert_int_equal(mai_wire_request(p, "GET", "h", "/", h1, NULL, 0,
                                          NULL) != NULL, ok || c == ':');
        assert_int_equal(mai_wire_request(p, "GET", "h", "/", h2, NULL, 0,
                                          NULL) != NULL, !rule_ctl(c));
        ok = !rule_ctl(c) && c != ' ';
        assert_int_equal(mai_wire_request(p, "GET", "h", target, NULL, NULL,
                                          0, NULL) != NULL, ok);
        assert_int_equal(mai_wire_request(p, "GET", target + 1, "/", NULL,
                                          NULL, 0, NULL) != NULL, ok);
        line[6] = (char)c;
        mai_wire_resp_feed(w, head, strlen(head), NULL);
        /* a bare LF ends the line early ("X-A: x"), then "y" is no field */
        assert_int_equal(mai_wire_resp_feed(w, line, strlen(line), NULL)
                         == MAI_WIRE_DONE, !rule_ctl(c));
    }
}

/* ---- response harness --------------------------------------------------- */

typedef struct {
    mai_wire_resp_t *w;
    mai_wire_state_t st;
    apr_size_t consumed;
    int status;
    int keepalive;
    const char *body;
    apr_size_t body_len;
} res_t;

/* Feed data in pieces of step bytes until the parser leaves MORE; then,
 * if eof and still MORE, report the close. */
static res_t run(apr_pool_t *p, const char *data, apr_size_t len,
                 const mai_wire_limits_t *lim, int eof, apr_size_t step)
{
    res_t r;
    apr_size_t off = 0;

    r.w = mai_wire_resp_create(p, lim);
    r.st = MAI_WIRE_MORE;
    while (off < len && r.st == MAI_WIRE_MORE) {
        apr_size_t k = len - off < step ? len - off : step, used = 999;
        r.st = mai_wire_resp_feed(r.w, data + off, k, &used);
        assert_true(used <= k);
        if (r.st == MAI_WIRE_MORE) {
            assert_int_equal(used, k);
        }
        off += used;
    }
    if (eof && r.st == MAI_WIRE_MORE) {
        r.st = mai_wire_resp_eof(r.w);
    }
    r.consumed = off;
    r.status = mai_wire_resp_status(r.w);
    r.keepalive = mai_wire_resp_keepalive(r.w);
    r.body = mai_wire_resp_body(r.w, &r.body_len);
    return r;
}

static void same(const res_t *a, const res_t *b)
{
    assert_int_equal(a->st, b->st);
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->keepalive, b->keepalive);
    /* a limit may trip sooner or later inside one feed, depending on how
     * the input was split; every other outcome is split-independent */
    if (a->st == MAI_WIRE_TOO_LARGE) {
        return;
    }
    assert_int_equal(a->consumed, b->consumed);
    assert_int_equal(a->body_len, b->body_len);
    assert_memory_equal(a->body, b->body, a->body_len);
}

/* Parse len bytes whole, byte by byte and in 7-byte pieces; all three
 * must agree. */
static res_t parse_n(apr_pool_t *p, const char *data, apr_size_t len,
                     const mai_wire_limits_t *lim, int eof)
{
    res_t whole = run(p, data, len, lim, eof, len ? len : 1);
    res_t bytes = run(p, data, len, lim, eof, 1);
    res_t sevens = run(p, data, len, lim, eof, 7);

    same(&whole, &bytes);
    same(&whole, &sevens);
    assert_int_equal(whole.body[whole.body_len], '\0');
    return whole;
}

static res_t parse(apr_pool_t *p, const char *data, int eof)
{
    return parse_n(p, data, strlen(data), NULL, eof);
}

static void expect_state(apr_pool_t *p, const char *data, mai_wire_state_t st)
{
    res_t r = parse(p, data, 1);

    if (r.st != st) {
        fail_msg("state %d, want %d for: %s", r.st, st, data);
    }
}

/* ---- response: framing ----------------------------------------------------
 */

static void test_content_length(void **state)
{
    apr_pool_t *p = *state;
    const char *d = "HTTP/1.1 200 OK\r\n"
                    "Content-Type: application/json\r\n"
                    "X-Spaced: \t a b \t \r\n"
                    "Content-Length: 15\r\n"
                    "\r\n"
                    "{\"active\":true}";
    res_t r = parse(p, d, 0);

    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_int_equal(r.consumed, strlen(d));
    assert_int_equal(r.status, 200);
    assert_true(r.keepalive);
    assert_int_equal(r.body_len, 15);
    assert_string_equal(r.body, "{\"active\":true}");
    assert_string_equal(mai_wire_resp_header(r.w, "content-type"),
                        "application/json");
    assert_string_equal(mai_wire_resp_header(r.w, "X-SPACED"), "a b");
    assert_null(mai_wire_resp_header(r.w, "X-Missing"));
}

static void test_leftover_not_consumed(void **state)
{
    apr_pool_t *p = *state;
    const char *first = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    const char *d = apr_pstrcat(p, first, "HTTP/1.1 500 X\r\n\r\n", NULL);
    res_t r = parse(p, d, 0);
    apr_size_t used = 5;

    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_int_equal(r.consumed, strlen(first));
    assert_int_equal(r.status, 200);
    /* once done, the parser takes nothing more */
    assert_int_equal(mai_wire_resp_feed(r.w, "abc", 3, &used), MAI_WIRE_DONE);
    assert_int_equal(used, 0);
    assert_int_equal(mai_wire_resp_eof(r.w), MAI_WIRE_DONE);
    assert_string_equal(r.body, "ok");
}

static void test_chunked(void **state)
{
    apr_pool_t *p = *state;
    const char *d = "HTTP/1.1 200 OK\r\n"
                    "Transfer-Encoding: Chunked\r\n"
                    "\r\n"
                    "4;name=value\r\nWiki\r\n"
                    "5 ; x=\"y\"\r\npedia\r\n"
                    "00E\r\n in\r\n\r\nchunks.\r\n"
                    "0\r\n"
                    "X-Trailer: t\r\n"
                    "Content-Type: text/evil\r\n"
                    "\r\n";
    res_t r = parse(p, d, 0);

    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_int_equal(r.consumed, strlen(d));
    assert_int_equal(r.body_len, 23);
    assert_string_equal(r.body, "Wikipedia in\r\n\r\nchunks.");
    assert_true(r.keepalive);
    /* trailers never reach the header table */
    assert_null(mai_wire_resp_header(r.w, "X-Trailer"));
    assert_null(mai_wire_resp_header(r.w, "Content-Type"));

    r = parse(p,
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
              "0\r\n\r\nextra",
              0);
    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_int_equal(r.body_len, 0);
    assert_string_equal(r.body, "");
    assert_true(r.keepalive);
}

static void test_chunked_beats_length(void **state)
{
    apr_pool_t *p = *state;
    res_t r = parse(p,
                    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n"
                    "3\r\nabc\r\n0\r\n\r\n",
                    0);

    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_string_equal(r.body, "abc");
    assert_false(r.keepalive);
}

static void test_read_until_close(void **state)
{
    apr_pool_t *p = *state;
    const char *d = "HTTP/1.1 200 OK\r\nContent-Type: x\r\n\r\nall of it";
    res_t r = parse(p, d, 0);

    assert_int_equal(r.st, MAI_WIRE_MORE);
    assert_int_equal(r.consumed, strlen(d));
    r = parse(p, d, 1);
    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_string_equal(r.body, "all of it");
    assert_false(r.keepalive);

    r = parse(p, "HTTP/1.1 200 OK\r\n\r\n", 1);
    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_int_equal(r.body_len, 0);
}

static void test_eof_cuts(void **state)
{
    apr_pool_t *p = *state;
    res_t r;

    expect_state(p, "", MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc",
                 MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 OK\r\nContent-Len", MAI_WIRE_ERROR);
    expect_state(p,
                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "5\r\nab",
                 MAI_WIRE_ERROR);
    expect_state(p,
                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "0\r\n",
                 MAI_WIRE_ERROR);
    r = parse(p, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc", 1);
    assert_false(r.keepalive);
    r = parse(p, "HTTP/1.1 100 Continue\r\n\r\n", 1);
    assert_int_equal(r.st, MAI_WIRE_ERROR);
    assert_int_equal(r.status, 0);
}

static void test_interim_skipped(void **state)
{
    apr_pool_t *p = *state;
    const char *d = "HTTP/1.1 100 Continue\r\n\r\n"
                    "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n"
                    "Content-Length: 99\r\n\r\n"
                    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    res_t r = parse(p, d, 0);
    char *many;
    int i;

    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok");
    assert_int_equal(r.consumed, strlen(d));
    assert_null(mai_wire_resp_header(r.w, "Link"));
    assert_string_equal(mai_wire_resp_header(r.w, "Content-Length"), "2");

    /* an endless stream of 1xx is cut off */
    many = "";
    for (i = 0; i < 100; i++) {
        many = apr_pstrcat(p, many, "HTTP/1.1 100 Continue\r\n\r\n", NULL);
    }
    expect_state(p, many, MAI_WIRE_TOO_LARGE);
    /* we never asked to switch protocols */
    expect_state(p, "HTTP/1.1 101 Switching Protocols\r\n\r\n", MAI_WIRE_ERROR);
}

static void test_no_body_statuses(void **state)
{
    apr_pool_t *p = *state;
    const char *d = "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n";
    res_t r = parse(p, apr_pstrcat(p, d, "garbage", NULL), 0);

    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_int_equal(r.consumed, strlen(d));
    assert_int_equal(r.status, 204);
    assert_int_equal(r.body_len, 0);
    assert_true(r.keepalive);

    r = parse(p,
              "HTTP/1.1 304 Not Modified\r\n"
              "Transfer-Encoding: chunked\r\n\r\nxyz",
              0);
    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_int_equal(r.consumed, strlen("HTTP/1.1 304 Not Modified\r\n"
                                        "Transfer-Encoding: chunked\r\n\r\n"));
}

static void test_keepalive(void **state)
{
    apr_pool_t *p = *state;
    res_t r;

    r = parse(p, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0);
    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_true(r.keepalive);
    r = parse(p,
              "HTTP/1.1 200 OK\r\nConnection: close\r\n"
              "Content-Length: 0\r\n\r\n",
              0);
    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_false(r.keepalive);
    r = parse(p,
              "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n"
              "Connection: Foo , CLOSE\r\nContent-Length: 0\r\n\r\n",
              0);
    assert_false(r.keepalive);
    r = parse(p,
              "HTTP/1.1 200 OK\r\nConnection: closed\r\n"
              "Content-Length: 0\r\n\r\n",
              0);
    assert_true(r.keepalive);
    r = parse(p, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 0);
    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_false(r.keepalive);
    /* not before the response is complete */
    r = parse(p, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", 0);
    assert_int_equal(r.st, MAI_WIRE_MORE);
    assert_false(r.keepalive);
}

static void test_bare_lf(void **state)
{
    apr_pool_t *p = *state;
    res_t r = parse(p, "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", 0);

    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_string_equal(r.body, "ok");
    r = parse(p,
              "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n"
              "2\nok\n0\n\n",
              0);
    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_string_equal(r.body, "ok");
}

/* ---- response: syntax errors -------------------------------------------- */

static void test_bad_status_lines(void **state)
{
    apr_pool_t *p = *state;
    res_t r;

    expect_state(p, "HTTP/2 200 OK\r\n\r\n", MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 20 OK\r\n\r\n", MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 2000 OK\r\n\r\n", MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200OK\r\n\r\n", MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 099 x\r\n\r\n", MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 600 x\r\n\r\n", MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1  200 OK\r\n\r\n", MAI_WIRE_ERROR);
    expect_state(p, "ICY 200 OK\r\n\r\n", MAI_WIRE_ERROR);
    expect_state(p, "\r\nHTTP/1.1 200 OK\r\n\r\n", MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 O\rK\r\n\r\n", MAI_WIRE_ERROR);
    /* no reason phrase at all is fine */
    r = parse(p, "HTTP/1.1 401\r\nContent-Length: 0\r\n\r\n", 0);
    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_int_equal(r.status, 401);
}

static void test_bad_fields(void **state)
{
    apr_pool_t *p = *state;

    /* obs-fold */
    expect_state(p,
                 "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n"
                 "Content-Length: 0\r\n\r\n",
                 MAI_WIRE_ERROR);
    expect_state(p,
                 "HTTP/1.1 200 OK\r\nA: b\r\n\tc\r\n"
                 "Content-Length: 0\r\n\r\n",
                 MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 OK\r\n Content-Length: 0\r\n\r\n",
                 MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 OK\r\n: v\r\n\r\n", MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n",
                 MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 OK\r\nA\"b: v\r\n\r\n", MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 OK\r\nA: x\ry\r\n\r\n", MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 OK\r\nA: x\x01y\r\n\r\n", MAI_WIRE_ERROR);
    expect_state(p,
                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "0\r\n bad-fold\r\n\r\n",
                 MAI_WIRE_ERROR);
    expect_state(p,
                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "0\r\nno colon\r\n\r\n",
                 MAI_WIRE_ERROR);
}

static void test_nul_in_header(void **state)
{
    apr_pool_t *p = *state;
    const char d[] = "HTTP/1.1 200 OK\r\nA: x\0y\r\nContent-Length: 0\r\n\r\n";
    res_t r = parse_n(p, d, sizeof(d) - 1, NULL, 1);

    assert_int_equal(r.st, MAI_WIRE_ERROR);
}

static void test_bad_lengths(void **state)
{
    apr_pool_t *p = *state;
    res_t r;

    expect_state(p,
                 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                 "Content-Length: 3\r\n\r\nabc",
                 MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nabc",
                 MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 OK\r\nContent-Length: 2a\r\n\r\nab",
                 MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                 MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nab",
                 MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
                 MAI_WIRE_ERROR);
    expect_state(p, "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
                 MAI_WIRE_ERROR);
    /* 2^64 + 2 would wrap to 2 */
    expect_state(p,
                 "HTTP/1.1 200 OK\r\n"
                 "Content-Length: 18446744073709551618\r\n\r\nab",
                 MAI_WIRE_ERROR);
    /* repeats of one value are harmless */
    r = parse(p,
              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
              "Content-Length: 2, 2\r\n\r\nab",
              0);
    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_string_equal(r.body, "ab");
    assert_true(r.keepalive);
}

static void test_bad_chunking(void **state)
{
    apr_pool_t *p = *state;
    const char *h = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

    expect_state(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nx",
                 MAI_WIRE_ERROR);
    expect_state(p,
                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked"
                 "\r\n\r\n0\r\n\r\n",
                 MAI_WIRE_ERROR);
    expect_state(p,
                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                 MAI_WIRE_ERROR);
    expect_state(p, apr_pstrcat(p, h, "zz\r\n", NULL), MAI_WIRE_ERROR);
    expect_state(p, apr_pstrcat(p, h, "\r\n", NULL), MAI_WIRE_ERROR);
    expect_state(p, apr_pstrcat(p, h, ";ext\r\n", NULL), MAI_WIRE_ERROR);
    expect_state(p, apr_pstrcat(p, h, "-1\r\n", NULL), MAI_WIRE_ERROR);
    expect_state(p, apr_pstrcat(p, h, "0x4\r\nWiki\r\n0\r\n\r\n", NULL),
                 MAI_WIRE_ERROR);
    expect_state(p, apr_pstrcat(p, h, "4 x\r\nWiki\r\n0\r\n\r\n", NULL),
                 MAI_WIRE_ERROR);
    /* the data must be followed by its CRLF */
    expect_state(p, apr_pstrcat(p, h, "4\r\nWikiX\r\n0\r\n\r\n", NULL),
                 MAI_WIRE_ERROR);
}

/* ---- response: limits -----------------------------------------------------
 */

static void test_field_limit(void **state)
{
    apr_pool_t *p = *state;
    mai_wire_limits_t lim = { 3, 8192, 1024 };
    const char *ok = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n"
                     "Content-Length: 0\r\n\r\n";
    const char *big = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n"
                      "Content-Length: 0\r\n\r\n";
    const char *trailers = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                           "\r\n0\r\nT1: 1\r\nT2: 2\r\nT3: 3\r\n\r\n";

    assert_int_equal(parse_n(p, ok, strlen(ok), &lim, 0).st, MAI_WIRE_DONE);
    assert_int_equal(parse_n(p, big, strlen(big), &lim, 0).st,
                     MAI_WIRE_TOO_LARGE);
    assert_int_equal(parse_n(p, trailers, strlen(trailers), &lim, 0).st,
                     MAI_WIRE_TOO_LARGE);
}

static void test_line_limit(void **state)
{
    apr_pool_t *p = *state;
    mai_wire_limits_t lim = { 10, 32, 1024 };
    /* "X: " + 27 + CRLF = 32 bytes, exactly the limit */
    const char *ok = "HTTP/1.1 200 OK\r\n"
                     "X: 012345678901234567890123456\r\n"
                     "Content-Length: 0\r\n\r\n";
    const char *big = "HTTP/1.1 200 OK\r\n"
                      "X: 0123456789012345678901234567\r\n"
                      "Content-Length: 0\r\n\r\n";
    const char *lf = "HTTP/1.1 200 OK\n"
                     "X: 0123456789012345678901234567\n"
                     "Content-Length: 0\n\n";
    const char *d;
    res_t r;

    assert_int_equal(parse_n(p, ok, strlen(ok), &lim, 0).st, MAI_WIRE_DONE);
    r = parse_n(p, big, strlen(big), &lim, 0);
    assert_int_equal(r.st, MAI_WIRE_TOO_LARGE);
    /* failed while reading that line, without waiting for its end */
    assert_true(r.consumed < strlen("HTTP/1.1 200 OK\r\n") + 32);
    assert_int_equal(parse_n(p, lf, strlen(lf), &lim, 0).st, MAI_WIRE_DONE);

    d = "HTTP/1.1 200 012345678901234567890123\r\n\r\n";
    r = parse_n(p, d, strlen(d), &lim, 0);
    assert_int_equal(r.st, MAI_WIRE_TOO_LARGE);
    /* a line with no end at all */
    d = "HTTP/1.1 200 OK xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    r = parse_n(p, d, strlen(d), &lim, 0);
    assert_int_equal(r.st, MAI_WIRE_TOO_LARGE);
}

static void test_body_limit(void **state)
{
    apr_pool_t *p = *state;
    mai_wire_limits_t lim = { 10, 8192, 4 };
    const char *cl_ok = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd";
    const char *cl_big = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde";
    const char *ch_ok = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                        "\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n";
    const char *ch_big = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                         "\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n";
    const char *ch_huge = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                          "\r\n10000000000000001\r\nab\r\n0\r\n\r\n";
    const char *close_ok = "HTTP/1.1 200 OK\r\n\r\nabcd";
    const char *close_big = "HTTP/1.1 200 OK\r\n\r\nabcde";
    res_t r;

    r = parse_n(p, cl_ok, strlen(cl_ok), &lim, 0);
    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_string_equal(r.body, "abcd");
    /* refused on the header, before any body byte is taken */
    r = parse_n(p, cl_big, strlen(cl_big), &lim, 0);
    assert_int_equal(r.st, MAI_WIRE_TOO_LARGE);
    assert_int_equal(r.consumed, strlen(cl_big) - 5);
    r = parse_n(p, ch_ok, strlen(ch_ok), &lim, 0);
    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_string_equal(r.body, "abcd");
    r = parse_n(p, ch_big, strlen(ch_big), &lim, 0);
    assert_int_equal(r.st, MAI_WIRE_TOO_LARGE);
    assert_int_equal(parse_n(p, ch_huge, strlen(ch_huge), &lim, 0).st,
                     MAI_WIRE_TOO_LARGE);
    r = parse_n(p, close_ok, strlen(close_ok), &lim, 1);
    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_string_equal(r.body, "abcd");
    assert_int_equal(parse_n(p, close_big, strlen(close_big), &lim, 1).st,
                     MAI_WIRE_TOO_LARGE);
}

static void test_default_limits(void **state)
{
    apr_pool_t *p = *state;
    const char *big = apr_psprintf(p,
                                   "HTTP/1.1 200 OK\r\nContent-Length: "
                                   "%d\r\n\r\n",
                                   262145);
    const char *ok = apr_psprintf(p,
                                  "HTTP/1.1 200 OK\r\nContent-Length: "
                                  "%d\r\n\r\n",
                                  262144);

    assert_int_equal(mai_wire_default_limits.max_fields, 100);
    assert_int_equal(mai_wire_default_limits.max_line, 8192);
    assert_int_equal(mai_wire_default_limits.max_body, 262144);
    assert_int_equal(parse(p, big, 0).st, MAI_WIRE_TOO_LARGE);
    assert_int_equal(parse(p, ok, 0).st, MAI_WIRE_MORE);
}

/* A full-size body fed one byte at a time, in each framing: it must
 * arrive intact, and the memory it takes must stay a small multiple of
 * the body (a parser that copied its input per feed would not). */
static void big_body(const char *head, int chunked, int eof)
{
    apr_allocator_t *a;
    apr_pool_t *p;
    apr_size_t n = 262144, i, hl = strlen(head), len, before, after;
    char *d, *o;
    res_t r;

    assert_int_equal(apr_allocator_create(&a), APR_SUCCESS);
    assert_int_equal(apr_pool_create_ex(&p, NULL, NULL, a), APR_SUCCESS);
    apr_allocator_owner_set(a, p);
    d = malloc(hl + n + 64);
    memcpy(d, head, hl);
    o = d + hl;
    if (chunked) {
        o += sprintf(o, "40000\r\n");
    }
    for (i = 0; i < n; i++) {
        *o++ = (char)('a' + i % 26);
    }
    if (chunked) {
        o += sprintf(o, "\r\n0\r\n\r\n");
    }
    len = o - d;
    before = mallinfo2().uordblks;
    r = run(p, d, len, NULL, eof, 1);
    after = mallinfo2().uordblks;
    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_int_equal(r.consumed, len);
    assert_int_equal(r.body_len, n);
    assert_memory_equal(r.body, d + hl + (chunked ? 7 : 0), n);
    assert_true(after - before < 3 * n);
    free(d);
    apr_pool_destroy(p);
}

static void test_big_bodies_bytewise(void **state)
{
    big_body("HTTP/1.1 200 OK\r\nContent-Length: 262144\r\n\r\n", 0, 0);
    big_body("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 1, 0);
    big_body("HTTP/1.1 200 OK\r\n\r\n", 0, 1);
}

/* Many small chunks: the body grows by doubling, not per chunk. */
static void test_many_chunks(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *parts = apr_array_make(p, 4100, sizeof(char *));
    const char *d;
    res_t r;
    int i;

    APR_ARRAY_PUSH(parts, const char *) =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (i = 0; i < 4000; i++) {
        APR_ARRAY_PUSH(parts, const char *) = "1\r\nx\r\n";
    }
    APR_ARRAY_PUSH(parts, const char *) = "0\r\n\r\n";
    d = apr_array_pstrcat(p, parts, '\0');
    r = parse(p, d, 0);
    assert_int_equal(r.st, MAI_WIRE_DONE);
    assert_int_equal(r.body_len, 4000);
    assert_int_equal(r.body[3999], 'x');
}

static void test_sticky_final_states(void **state)
{
    apr_pool_t *p = *state;
    res_t r = parse(p, "HTTP/1.1 200 OK\r\nbad line\r\n\r\n", 0);
    apr_size_t used = 9;

    assert_int_equal(r.st, MAI_WIRE_ERROR);
    assert_int_equal(mai_wire_resp_feed(r.w, "HTTP/1.1 200 OK\r\n", 17, &used),
                     MAI_WIRE_ERROR);
    assert_int_equal(used, 0);
    assert_int_equal(mai_wire_resp_eof(r.w), MAI_WIRE_ERROR);
    assert_false(mai_wire_resp_keepalive(r.w));
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_request_exact),
    UNIT_TEST(test_request_variants),
    UNIT_TEST(test_request_rejects),
    UNIT_TEST(test_every_byte_value),
    UNIT_TEST(test_content_length),
    UNIT_TEST(test_leftover_not_consumed),
    UNIT_TEST(test_chunked),
    UNIT_TEST(test_chunked_beats_length),
    UNIT_TEST(test_read_until_close),
    UNIT_TEST(test_eof_cuts),
    UNIT_TEST(test_interim_skipped),
    UNIT_TEST(test_no_body_statuses),
    UNIT_TEST(test_keepalive),
    UNIT_TEST(test_bare_lf),
    UNIT_TEST(test_bad_status_lines),
    UNIT_TEST(test_bad_fields),
    UNIT_TEST(test_nul_in_header),
    UNIT_TEST(test_bad_lengths),
    UNIT_TEST(test_bad_chunking),
    UNIT_TEST(test_field_limit),
    UNIT_TEST(test_line_limit),
    UNIT_TEST(test_body_limit),
    UNIT_TEST(test_default_limits),
    UNIT_TEST(test_big_bodies_bytewise),
    UNIT_TEST(test_many_chunks),
    UNIT_TEST(test_sticky_final_states),
};
UNIT_MAIN(tests)
