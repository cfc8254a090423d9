/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_http_wire.c: the HTTP/1.1 response parser (status line, headers,
 * Content-Length, chunked with trailers, read-until-close, 1xx).
 *
 * Input: byte 0 picks the limits (even: the defaults; odd: small limits
 * from its other bits, so every TOO_LARGE path is reachable with short
 * inputs), byte 1 seeds how the rest is split into feeds; the rest is
 * the response. The same bytes go through once in one feed and once in
 * pseudo-random pieces (empty feeds included): the outcome must not
 * depend on the split, consumed never exceeds what was fed, a final state
 * sticks, and the body stays within its limit, NUL-terminated. */
#include <string.h>
#include "fuzz.h"
#include "http_wire.h"

typedef struct {
    mai_wire_state_t st;
    apr_size_t consumed; /* total over all feeds */
    mai_wire_resp_t *w;
} run_t;

static mai_wire_limits_t pick_limits(uint8_t b)
{
    mai_wire_limits_t lim = mai_wire_default_limits;

    if (b & 1) {
        lim.max_fields = (b >> 1) & 3;                  /* 0..3 */
        lim.max_line = 1 + ((apr_size_t)((b >> 3) & 3) << 5); /* 1..97 */
        lim.max_body = (apr_size_t)(b >> 5) * 3;          /* 0..21 */
    }
    return lim;
}

static mai_wire_state_t feed(run_t *r, const char *d, apr_size_t n)
{
    apr_size_t c = (apr_size_t)-1;
    mai_wire_state_t before = r->st, st = mai_wire_resp_feed(r->w, d, n, &c);

    MAI_FUZZ_ASSERT(c <= (d ? n : 0));
    MAI_FUZZ_ASSERT(st == MAI_WIRE_MORE || st == MAI_WIRE_DONE ||
                    st == MAI_WIRE_ERROR || st == MAI_WIRE_TOO_LARGE);
    if (before != MAI_WIRE_MORE) {
        MAI_FUZZ_ASSERT(st == before && c == 0);
    }
    if (st == MAI_WIRE_MORE) {
        /* it only asks for more once all is used */
        MAI_FUZZ_ASSERT(c == (d ? n : 0));
    }
    r->consumed += c;
    r->st = st;
    return st;
}

static void one_shot(run_t *r, const char *d, apr_size_t n)
{
    if (feed(r, d, n) != MAI_WIRE_MORE) {
        /* a final state sticks, with nothing more consumed */
        feed(r, d, n);
    }
}

static void in_pieces(run_t *r, const char *d, apr_size_t n, uint32_t seed)
{
    apr_size_t at = 0;

    while (at < n) {
        apr_size_t k;
        seed = seed * 1103515245u + 12345u;
        k = (seed >> 16) % 67;
        if (k == 66) {
            feed(r, NULL, 5); /* NULL data is an empty feed */
            continue;
        }
        if (k > n - at) {
            k = n - at;
        }
        if (r->st == MAI_WIRE_MORE) {
            feed(r, d + at, k);
        }
        at += k;
    }
}

static void check_parsed(const run_t *r, const mai_wire_limits_t *lim)
{
    apr_size_t len = (apr_size_t)-1;
    const char *body = mai_wire_resp_body(r->w, &len);
    int status = mai_wire_resp_status(r->w);
    const char *ct = mai_wire_resp_header(r->w, "Content-Type");

    MAI_FUZZ_ASSERT(body != NULL && len <= lim->max_body && body[len] == 0);
    /* after ERROR the status may hold the digits read before the fault
     * (http_client.c reads it only after DONE) */
    MAI_FUZZ_ASSERT(r->st == MAI_WIRE_ERROR || status == 0 ||
                    (status >= 100 && status <= 599));
    if (r->st == MAI_WIRE_DONE) {
        MAI_FUZZ_ASSERT(status >= 200 && status <= 599);
    } else {
        MAI_FUZZ_ASSERT(!mai_wire_resp_keepalive(r->w));
    }
    /* no CR, LF or NUL may reach a header value (strlen stops at NUL) */
    MAI_FUZZ_ASSERT(!ct || !strpbrk(ct, "\r\n"));
}

static void check_same(const run_t *a, const run_t *b)
{
    apr_size_t la, lb;
    const char *ba = mai_wire_resp_body(a->w, &la);
    const char *bb = mai_wire_resp_body(b->w, &lb);
    const char *ha = mai_wire_resp_header(a->w, "Content-Type");
    const char *hb = mai_wire_resp_header(b->w, "Content-Type");

    MAI_FUZZ_ASSERT(a->st == b->st);
    MAI_FUZZ_ASSERT(mai_wire_resp_status(a->w) == mai_wire_resp_status(b->w));
    if (a->st != MAI_WIRE_DONE) {
        return; /* a failed parse may hold any prefix of the body */
    }
    MAI_FUZZ_ASSERT(a->consumed == b->consumed);
    MAI_FUZZ_ASSERT(la == lb && memcmp(ba, bb, la) == 0);
    MAI_FUZZ_ASSERT(mai_wire_resp_keepalive(a->w) ==
                    mai_wire_resp_keepalive(b->w));
    MAI_FUZZ_ASSERT((!ha && !hb) || (ha && hb && strcmp(ha, hb) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    mai_wire_limits_t lim;
    run_t whole = { MAI_WIRE_MORE, 0, NULL };
    run_t split = { MAI_WIRE_MORE, 0, NULL };
    char *d;
    apr_size_t n;

    if (size < 2) {
        return 0;
    }
    p = mai_fuzz_pool();
    lim = pick_limits(data[0]);
    n = size - 2;
    d = mai_fuzz_dup(data + 2, n, 0);
    whole.w = mai_wire_resp_create(p, &lim);
    split.w = mai_wire_resp_create(p, &lim);
    one_shot(&whole, d, n);
    in_pieces(&split, d, n, data[1]);
    MAI_FUZZ_ASSERT(whole.consumed <= n && split.consumed <= n);
    check_same(&whole, &split);
    check_parsed(&whole, &lim);
    check_parsed(&split, &lim);

    /* the peer closes: both must agree, and a final state still sticks */
    whole.st = mai_wire_resp_eof(whole.w);
    split.st = mai_wire_resp_eof(split.w);
    MAI_FUZZ_ASSERT(whole.st != MAI_WIRE_MORE);
    MAI_FUZZ_ASSERT(mai_wire_resp_eof(whole.w) == whole.st);
    check_same(&whole, &split);
    check_parsed(&whole, &lim);
    free(d);
    mai_fuzz_pool_free(p);
    return 0;
}
