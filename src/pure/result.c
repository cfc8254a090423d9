/* SPDX-License-Identifier: Apache-2.0 */
/* result.c: an introspection response, from JSON to a flat mai_result_t,
 * in one pass over the bytes: json_reader.c reads the tokens, this file
 * the grammar, and each member becomes its claim as it is read, with no
 * JSON tree in between (json-c's tree and the walk over it cost three
 * times the rest of the parse). Everything the rest of the module reads
 * lives in the caller's pool.
 *
 * The answers taken and refused, and the status of each refusal, are
 * those of the json-c parser this replaced (tests/oracle/result_jsonc.c,
 * which fuzz_result_diff compares with this one). That parser refused in
 * stages, so a text with several faults gets the status of the earliest
 * stage: (1) a syntax error or nesting deeper than MAX_DEPTH, whichever
 * comes first in the text; (2) a single-quoted member name (json-c's
 * strict mode took them) or U+0000 in a name; (3) more than MAX_MEMBERS
 * distinct members; (4) NaN, Infinity, a number beyond a double or
 * U+0000 in a string, in a value no later duplicate replaced; (5) a
 * duplicate name at any depth; (6) the first member, in order, past a
 * size limit or of the wrong type. Stage 1 ends the read; the others are
 * noted and decided at the end. */
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <apr_cstr.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include "result.h"
#include "cert_bind.h"
#include "json_reader.h"
#include "result_flat.h"

#define MAX_DEPTH 32
#define MAX_MEMBERS 1000
/* Members of nested objects, in all: each costs a mai_claim_t in every
 * copy of the result, so a deep answer cannot grow without bound. */
#define MAX_NESTED 10000
#define MAX_TEXT 65536
#define BAD MAI_STATUS_ENDPOINT_BAD_JSON
#define BIG MAI_STATUS_ENDPOINT_TOO_LARGE
/* objects with more members than this find duplicates by hashing */
#define PAIRWISE 16

/* What a value is read for. */
enum {
    M_ROOT,     /* the answer */
    M_TOP,      /* a member of the answer: a claim with a text */
    M_NEST,     /* a member of an object that is a claim: a claim */
    M_ITEM,     /* an element of a claim's array while all are scalars */
    M_SKIP      /* anything else: checked, and written back if need be */
};

typedef struct {
    mai_claim_t c;
    apr_size_t nlen;        /* strlen(c.name), or where a U+0000 cut it */
    int bad;                /* stage 4 holds for the value */
    /* members of the answer only: */
    int big;                /* stage 6: past a size limit */
    int time_ok;            /* an integer json-c read as an int64 */
    apr_int64_t time;
    int all_str;            /* an array of strings only */
} slot_t;

#define LOCAL_SLOTS 32
#define LOCAL_ITEMS 32

typedef struct {
    apr_pool_t *p;
    const char *s, *end, *start;    /* cursor, end, the first token */
    char *str;          /* decoded strings and number texts: each fits
                         * in its raw span, so len + 1 bytes hold all */
    apr_size_t str_at;
    char *compact;      /* the answer less whitespace between tokens */
    apr_size_t co;
    const char *seg;    /* the run not yet copied to compact */
    char *ser;          /* json-c's texts of containers, made lazily */
    apr_size_t ser_at;
    int ser_on;
    slot_t *slots;      /* the members of the open objects */
    int nslots, slots_cap;
    const char **items; /* the elements of the open claim array */
    int nitems, items_cap;
    int items_all_str;
    int late;           /* stage 2 */
    int dup;            /* stage 5 */
    int raw_ctl;        /* a raw control character: json-c's text */
    int top_distinct, top_bad;     /* stages 3 and 4 */
    apr_size_t nested;  /* members of nested objects so far */
    int member_big;     /* the member being read passed a size limit */
    int time_ok, all_str;          /* what the last value was */
    apr_int64_t time;
    mai_status_t member_st;        /* stage 6 */
    mai_result_t *res;
    slot_t local_slots[LOCAL_SLOTS];
    const char *local_items[LOCAL_ITEMS];
} rd_t;

static mai_status_t value(rd_t *r, int depth, int mode, mai_claim_t *c,
                          int *bad);

/* A value would start past MAX_DEPTH. json-c told a NUL byte there as
 * the end of the text, which made it a syntax error. */
static mai_status_t too_deep(const rd_t *r)
{
    return *r->s == '\0' ? BAD : BIG;
}

/* Whitespace ends a run of the compact text. */
static void ws(rd_t *r)
{
    const char *s = r->s;

    if (s < r->end && MAI_JR_IS_WS(*s)) {
        apr_size_t n = (apr_size_t)(s - r->seg);

        memcpy(r->compact + r->co, r->seg, n);
        r->co += n;
        do {
            s++;
        } while (s < r->end && MAI_JR_IS_WS(*s));
        r->s = r->seg = s;
    }
}

static void put(rd_t *r, const char *s, apr_size_t n)
{
    if (r->ser_on) {
        memcpy(r->ser + r->ser_at, s, n);
        r->ser_at += n;
    }
}

static void put_string(rd_t *r, const char *s, apr_size_t n)
{
    if (r->ser_on) {
        r->ser[r->ser_at++] = '"';
        r->ser_at += mai_jr_escape(r->ser + r->ser_at, s, n);
        r->ser[r->ser_at++] = '"';
    }
}

/* json-c's text is never longer than the raw one, but for raw control
 * characters in strings (one byte written as up to six): every text
 * written back, each with its NUL, fits in len + 5 * those + 1. */
static void ser_arena(rd_t *r)
{
    const char *s;
    apr_size_t k = 0;

    if (r->ser == NULL) {
        for (s = r->start; s < r->end; s++) {
            k += (unsigned char)*s < 0x20;
        }
        r->ser = apr_palloc(r->p, (apr_size_t)(r->end - r->start)
                                  + 5 * k + 1);
        r->ser_at = 0;
    }
}

static slot_t *push_slot(rd_t *r)
{
    if (r->nslots == r->slots_cap) {
        slot_t *more = apr_palloc(r->p, 2 * (apr_size_t)r->slots_cap
                                        * sizeof(*more));
        memcpy(more, r->slots, (apr_size_t)r->nslots * sizeof(*more));
        r->slots = more;
        r->slots_cap *= 2;
    }
    return &r->slots[r->nslots++];
}

static void push_item(rd_t *r, const char *t)
{
    if (r->nitems == r->items_cap) {
        const char **more = apr_palloc(r->p, 2 * (apr_size_t)r->items_cap
                                             * sizeof(*more));
        memcpy(more, r->items, (apr_size_t)r->nitems * sizeof(*more));
        r->items = more;
        r->items_cap *= 2;
    }
    r->items[r->nitems++] = t;
}

static mai_status_t word(rd_t *r, const char *w, apr_size_t n)
{
    if ((apr_size_t)(r->end - r->s) < n || memcmp(r->s, w, n) != 0) {
        return BAD;
    }
    r->s += n;
    put(r, w, n);
    return MAI_OK;
}

/* A string into the arena (quote: r->s is on it). */
static mai_status_t string(rd_t *r, char quote, const char **out,
                           apr_size_t *n, int *flags)
{
    char *o = r->str + r->str_at;

    *flags = 0;
    r->s++;
    if (mai_jr_string(&r->s, r->end, quote, o, n, flags) != MAI_OK) {
        return BAD;
    }
    if (*flags & MAI_JR_RAW_CTL) {
        r->raw_ctl = 1;
    }
    r->str_at += *n + 1;
    *out = o;
    return MAI_OK;
}

/* A number's text as json-c wrote it: integers in decimal, doubles as
 * sent. Into the arena: never longer than the token, which a separator
 * follows. */
static const char *number_text(rd_t *r, const mai_jr_num_t *num,
                               apr_size_t *n)
{
    char *o = r->str + r->str_at;

    if (!num->is_double && mai_jr_int_rewritten(num)) {
        *n = mai_jr_int_text(num, o);
    }
    else {
        memcpy(o, num->text, num->len);
        o[num->len] = '\0';
        *n = num->len;
    }
    r->str_at += *n + 1;
    return o;
}

static mai_status_t number(rd_t *r, int mode, const char **t,
                           apr_size_t *n, int *bad)
{
    mai_jr_num_t num;

    if (mai_jr_number(&r->s, r->end, &num) != MAI_OK) {
        return BAD;
    }
    *bad = !num.finite;
    if (mode != M_SKIP || r->ser_on) {
        *t = number_text(r, &num, n);
        put(r, *t, *n);
    }
    /* json-c saturated integers beyond int64: exp, nbf and iat must fit */
    if (mode == M_TOP && !num.is_double
        && (num.neg || num.mag <= (apr_uint64_t)APR_INT64_MAX)) {
        r->time_ok = 1;
        r->time = !num.neg ? (apr_int64_t)num.mag
            : num.mag > (apr_uint64_t)APR_INT64_MAX ? APR_INT64_MIN
            : -(apr_int64_t)num.mag;
    }
    return MAI_OK;
}

/* The survivors of an object's members: json-c kept the last of two with
 * one name. Sets r->dup; returns whether a survivor holds a stage-4
 * fault, and in *kept how many names there are. */
static int survivors_bad(rd_t *r, int base, int n, int *kept)
{
    const slot_t *m = r->slots + base;
    int i, j, bad = 0;

    *kept = 0;
    if (n <= PAIRWISE) {
        for (i = 0; i < n; i++) {
            for (j = i + 1; j < n; j++) {
                if (m[i].nlen == m[j].nlen
                    && !memcmp(m[i].c.name, m[j].c.name, m[i].nlen)) {
                    break;
                }
            }
            if (j < n) {
                r->dup = 1;
                continue;
            }
            ++*kept;
            bad |= m[i].bad;
        }
        return bad;
    }
    else {
        apr_size_t size = 64, h, k;
        int *tab;

        while (size < 2 * (apr_size_t)n) {
            size <<= 1;
        }
        tab = apr_palloc(r->p, size * sizeof(*tab));
        memset(tab, 0xff, size * sizeof(*tab));
        for (i = 0; i < n; i++) {
            apr_uint32_t x = 2166136261u;
            for (k = 0; k < m[i].nlen; k++) {
                x = (x ^ (unsigned char)m[i].c.name[k]) * 16777619u;
            }
            for (h = x & (size - 1); tab[h] >= 0; h = (h + 1) & (size - 1)) {
                j = tab[h];
                if (m[j].nlen == m[i].nlen
                    && !memcmp(m[j].c.name, m[i].c.name, m[i].nlen)) {
                    r->dup = 1;
                    break;
                }
            }
            tab[h] = i;
        }
        for (h = 0; h < size; h++) {
            if (tab[h] >= 0) {
                ++*kept;
                bad |= m[tab[h]].bad;
            }
        }
        return bad;
    }
}

/* RFC 7662: scope is a space-separated list; runs of spaces are tolerated. */
static void split_scope(apr_pool_t *p, mai_result_t *res, const char *s)
{
    apr_size_t n = strlen(s), k = 0, i;
    char *copy = apr_pstrmemdup(p, s, n);
    const char **v;

    for (i = 0; i < n; i++) {
        k += copy[i] != ' ' && (i == 0 || copy[i - 1] == ' ');
    }
    v = apr_palloc(p, (k + 1) * sizeof(*v));
    k = 0;
    for (i = 0; i < n; i++) {
        if (copy[i] == ' ') {
            copy[i] = '\0';
        }
        else if (i == 0 || copy[i - 1] == '\0') {
            v[k++] = copy + i;
        }
    }
    v[k] = NULL;
    res->scopes = v;
    res->nscopes = (int)k;
}

/* The members RFC 7662 gives a type to; the claim c already holds the
 * member's text, which the string fields share. */
static mai_status_t known_member(rd_t *r, const mai_claim_t *c,
                                 const slot_t *sl)
{
    mai_result_t *res = r->res;
    const char *k = c->name;
    int is_str = c->kind == MAI_CLAIM_STRING;

    switch (k[0]) {
    case 'a':
        if (!strcmp(k, "active")) {
            res->active = c->kind == MAI_CLAIM_BOOL && c->text[0] == 't';
        }
        else if (!strcmp(k, "aud")) {
            if (!is_str && !(c->kind == MAI_CLAIM_ARRAY && sl->all_str)) {
                return BAD;
            }
            res->auds = c->items;
            res->nauds = c->nitems;
        }
        return MAI_OK;
    case 'e':
    case 'n':
    case 'i':
        if (!strcmp(k, "exp") || !strcmp(k, "nbf") || !strcmp(k, "iat")) {
            if (c->kind != MAI_CLAIM_NUMBER || !sl->time_ok) {
                return BAD;
            }
            if (k[0] == 'e') {
                res->has_exp = 1;
                res->exp = sl->time;
            }
            else if (k[0] == 'n') {
                res->has_nbf = 1;
                res->nbf = sl->time;
            }
            return MAI_OK;
        }
        if (strcmp(k, "iss") != 0) {
            return MAI_OK;
        }
        if (!is_str) {
            return BAD;
        }
        res->iss = c->text;
        return MAI_OK;
    case 'c':
    case 't':
    case 's':
        if (strcmp(k, "client_id") && strcmp(k, "token_type")
            && strcmp(k, "scope")) {
            return MAI_OK;
        }
        if (!is_str) {
            return BAD;
        }
        if (k[0] == 'c') {
            res->client_id = c->text;
        }
        else if (k[0] == 't') {
            res->token_type = c->text;
        }
        else {
            split_scope(r->p, res, c->text);
        }
        return MAI_OK;
    default:
        return MAI_OK;
    }
}

/* A tag per top-level claim, in one short array: a look-up for a name
 * reads these bytes, and a claim only when its tag matches. On a hit the
 * answer's claims are cold in a large cache (one cache line each); a
 * walk over them for a name the answer does not have ("typ", "cnf")
 * cost a miss per claim. */
static unsigned char tag_of(const char *name, apr_size_t len)
{
    /* the length and three bytes, mixed: enough to tell a few dozen
     * names apart nearly always, and a few instructions for any length
     * (a miss tags every claim) */
    apr_uint32_t h = (apr_uint32_t)len * 0x9e3779b1u;

    if (len) {
        h ^= (apr_uint32_t)(unsigned char)name[0] << 16
             ^ (apr_uint32_t)(unsigned char)name[len / 2] << 8
             ^ (unsigned char)name[len - 1];
    }
    return (unsigned char)((h * 0x85ebca6bu) >> 24);
}

unsigned char mai_claim_name_tag(const char *name)
{
    return tag_of(name, strlen(name));
}

static const unsigned char *name_tags_of(rd_t *r, int base, int n)
{
    unsigned char *t = apr_palloc(r->p, (apr_size_t)n + 1);
    int i;

    for (i = 0; i < n; i++) {
        const slot_t *sl = &r->slots[base + i];
        t[i] = tag_of(sl->c.name, sl->nlen);
    }
    return t;
}

/* An object's members as claims, scalars' items in one block. */
static mai_claim_t *claims_of(rd_t *r, int base, int n)
{
    mai_claim_t *m = apr_palloc(r->p, ((apr_size_t)n + 1) * sizeof(*m));
    const char **one = NULL;
    int i, k = 0;

    for (i = 0; i < n; i++) {
        k += r->slots[base + i].c.nitems == 1
             && r->slots[base + i].c.items == NULL;
    }
    if (k > 0) {
        one = apr_palloc(r->p, 2 * (apr_size_t)k * sizeof(*one));
    }
    for (i = 0; i < n; i++) {
        m[i] = r->slots[base + i].c;
        if (m[i].nitems == 1 && m[i].items == NULL) {
            one[0] = m[i].text;
            one[1] = NULL;
            m[i].items = one;
            one += 2;
        }
    }
    memset(&m[n], 0, sizeof(m[n]));
    return m;
}

/* The answer's members are decided in order (stage 6). */
static void decide_members(rd_t *r, const mai_claim_t *m, int base, int n)
{
    int i;

    for (i = 0; i < n && r->member_st == MAI_OK; i++) {
        const slot_t *sl = &r->slots[base + i];
        r->member_st = sl->big ? BIG : known_member(r, &m[i], sl);
    }
}

static mai_status_t object(rd_t *r, int depth, int mode, mai_claim_t *c,
                           int *bad)
{
    int base = r->nslots, n, kept;
    int child = mode == M_ROOT ? M_TOP : mode == M_SKIP ? M_SKIP : M_NEST;
    mai_status_t st;

    r->s++;
    put(r, "{", 1);
    ws(r);
    if (r->s < r->end && *r->s == '}') {
        r->s++;
    }
    else for (;;) {
        mai_claim_t v;
        const char *name;
        apr_size_t nlen;
        int flags, vbad;
        slot_t *sl;

        if (r->s == r->end || (*r->s != '"' && *r->s != '\'')) {
            return BAD;
        }
        r->late |= *r->s == '\'';
        if (string(r, *r->s, &name, &nlen, &flags) != MAI_OK) {
            return BAD;
        }
        r->late |= flags & MAI_JR_NUL;
        if (r->nslots > base) {
            put(r, ",", 1);
        }
        if (!r->late) {
            put_string(r, name, nlen);
        }
        else {
            /* refused anyway (stage 2), and a '"' in a single-quoted
             * name would grow past what ser_arena allowed for */
            put(r, "\"\"", 2);
        }
        put(r, ":", 1);
        ws(r);
        if (r->s == r->end || *r->s != ':') {
            return BAD;
        }
        r->s++;
        ws(r);
        if (r->s == r->end) {
            return BAD;
        }
        if (depth + 1 >= MAX_DEPTH) {
            return too_deep(r);
        }
        memset(&v, 0, sizeof(v));
        v.name = name;
        r->time_ok = r->all_str = 0;
        st = value(r, depth + 1, child, &v, &vbad);
        if (st != MAI_OK) {
            return st;
        }
        sl = push_slot(r);
        sl->c = v;
        sl->nlen = nlen;
        sl->bad = vbad;
        if (mode == M_ROOT) {
            sl->big = r->member_big || r->nested > MAX_NESTED;
            sl->time_ok = r->time_ok;
            sl->time = r->time;
            sl->all_str = r->all_str;
            r->member_big = 0;
        }
        ws(r);
        if (r->s == r->end) {
            return BAD;
        }
        if (*r->s == '}') {
            r->s++;
            break;
        }
        if (*r->s != ',') {
            return BAD;
        }
        r->s++;
        ws(r);
    }
    put(r, "}", 1);
    n = r->nslots - base;
    *bad = survivors_bad(r, base, n, &kept);
    if (mode == M_TOP || mode == M_NEST) {
        c->kind = MAI_CLAIM_OBJECT;
        c->members = claims_of(r, base, n);
        c->nmembers = n;
        r->nested += (apr_size_t)n;
    }
    else if (mode == M_ROOT) {
        r->res->claims = claims_of(r, base, n);
        r->res->nclaims = n;
        r->res->name_tags = name_tags_of(r, base, n);
        r->top_distinct = kept;
        r->top_bad = *bad;
        decide_members(r, r->res->claims, base, n);
    }
    r->nslots = base;
    return MAI_OK;
}

/* A claim array of scalars: its items, and their texts joined by one
 * space. */
static void join(rd_t *r, mai_claim_t *c, int base)
{
    int n = r->nitems - base, i;
    const char **items = apr_palloc(r->p, ((apr_size_t)n + 1)
                                          * sizeof(*items));
    apr_size_t total = 0, l;
    char *text, *at;

    for (i = 0; i < n; i++) {
        items[i] = r->items[base + i];
        total += strlen(items[i]) + (i > 0);
    }
    items[n] = NULL;
    at = text = apr_palloc(r->p, total + 1);
    for (i = 0; i < n; i++) {
        if (i > 0) {
            *at++ = ' ';
        }
        l = strlen(items[i]);
        memcpy(at, items[i], l);
        at += l;
    }
    *at = '\0';
    c->items = items;
    c->nitems = n;
    c->text = text;
    if (total > MAX_TEXT) {
        r->member_big = 1;
    }
}

static mai_status_t container_text(rd_t *r, int depth, mai_claim_t *c,
                                   int *bad);

static mai_status_t array(rd_t *r, int depth, int mode, mai_claim_t *c,
                          int *bad)
{
    const char *open = r->s, *seg = r->seg;
    apr_size_t co = r->co, str_at = r->str_at;
    int collect = mode == M_TOP || mode == M_NEST, base = r->nitems, vbad;
    int first = 1;
    mai_status_t st;

    *bad = 0;
    r->items_all_str = 1;
    r->s++;
    put(r, "[", 1);
    ws(r);
    if (r->s < r->end && *r->s == ']') {
        r->s++;
    }
    else for (;;) {
        if (r->s == r->end) {
            return BAD;
        }
        if (depth + 1 >= MAX_DEPTH) {
            return too_deep(r);
        }
        if (collect && (*r->s == '{' || *r->s == '[')) {
            r->nitems = base;
            collect = 0;
            if (mode == M_TOP) {
                /* its text is json-c's: read it again, writing */
                r->s = open;
                r->seg = seg;
                r->co = co;
                r->str_at = str_at;
                return container_text(r, depth, c, bad);
            }
        }
        if (!first) {
            put(r, ",", 1);
        }
        first = 0;
        st = value(r, depth + 1, collect ? M_ITEM : M_SKIP, NULL, &vbad);
        if (st != MAI_OK) {
            return st;
        }
        *bad |= vbad;
        ws(r);
        if (r->s == r->end) {
            return BAD;
        }
        if (*r->s == ']') {
            r->s++;
            break;
        }
        if (*r->s != ',') {
            return BAD;
        }
        r->s++;
        ws(r);
        if (r->s < r->end && *r->s == ']') {
            return BAD;
        }
    }
    put(r, "]", 1);
    if (mode == M_TOP || mode == M_NEST) {
        c->kind = MAI_CLAIM_ARRAY;
        if (collect) {
            join(r, c, base);
        }
        r->all_str = collect && r->items_all_str;
    }
    r->nitems = base;
    return MAI_OK;
}

/* A member of the answer that is an object, or an array holding
 * containers: its text is json-c's (compact, escapes rewritten). */
static mai_status_t container_text(rd_t *r, int depth, mai_claim_t *c,
                                   int *bad)
{
    apr_size_t start;
    mai_status_t st;

    ser_arena(r);
    start = r->ser_at;
    r->ser_on = 1;
    if (*r->s == '{') {
        st = object(r, depth, M_TOP, c, bad);
    }
    else {
        st = array(r, depth, M_SKIP, NULL, bad);
        c->kind = MAI_CLAIM_ARRAY;
    }
    r->ser_on = 0;
    if (st == MAI_OK) {
        r->ser[r->ser_at++] = '\0';
        c->text = r->ser + start;
        if (r->ser_at - start - 1 > MAX_TEXT) {
            r->member_big = 1;
        }
    }
    return st;
}

static mai_status_t value(rd_t *r, int depth, int mode, mai_claim_t *c,
                          int *bad)
{
    const char *t = "";
    apr_size_t n = 0;
    mai_claim_kind_t kind = MAI_CLAIM_NUMBER;
    int flags;

    *bad = 0;
    switch (*r->s) {
    case '{':
        if (mode == M_TOP) {
            return container_text(r, depth, c, bad);
        }
        return object(r, depth, mode == M_ITEM ? M_SKIP : mode, c, bad);
    case '[':
        return array(r, depth, mode == M_ITEM ? M_SKIP : mode, c, bad);
    case '"':
        if (string(r, '"', &t, &n, &flags) != MAI_OK) {
            return BAD;
        }
        *bad = (flags & MAI_JR_NUL) != 0;
        put_string(r, t, n);
        kind = MAI_CLAIM_STRING;
        break;
    case 't':
    case 'f':
        t = *r->s == 't' ? "true" : "false";
        n = strlen(t);
        if (word(r, t, n) != MAI_OK) {
            return BAD;
        }
        kind = MAI_CLAIM_BOOL;
        break;
    case 'n':
        if (word(r, "null", 4) != MAI_OK) {
            return BAD;
        }
        kind = MAI_CLAIM_NULL;
        break;
    case 'N':
    case 'I':
        /* json-c took these; they are refused at stage 4 */
        t = *r->s == 'N' ? "NaN" : "Infinity";
        if (word(r, t, strlen(t)) != MAI_OK) {
            return BAD;
        }
        *bad = 1;
        break;
    default:
        if (*r->s != '-' && (*r->s < '0' || *r->s > '9')) {
            return BAD;
        }
        if (number(r, mode, &t, &n, bad) != MAI_OK) {
            return BAD;
        }
        break;
    }
    if (mode == M_TOP || mode == M_NEST) {
        c->kind = kind;
        c->text = t;
        c->nitems = kind != MAI_CLAIM_NULL;
        if (n > MAX_TEXT) {
            r->member_big = 1;
        }
    }
    else if (mode == M_ITEM) {
        push_item(r, t);
        r->items_all_str &= kind == MAI_CLAIM_STRING;
    }
    return MAI_OK;
}

/* json-c's text of the whole answer, for one with a raw control
 * character in a string (the compact text would keep it raw). */
static const char *answer_text(rd_t *r)
{
    int bad;

    r->s = r->seg = r->start;
    r->co = 0;
    r->str = apr_palloc(r->p, (apr_size_t)(r->end - r->start) + 1);
    r->str_at = 0;
    r->ser = NULL;
    ser_arena(r);
    r->ser_on = 1;
    object(r, 0, M_SKIP, NULL, &bad);
    r->ser[r->ser_at] = '\0';
    return r->ser;
}

mai_status_t mai_result_parse(apr_pool_t *p, const char *json,
                              apr_size_t len, const mai_result_t **out)
{
    rd_t r;
    mai_status_t st;
    int bad;

    *out = NULL;
    if (json == NULL || len == 0) {
        return BAD;
    }
    if (len > INT_MAX) {
        return BIG;
    }
    memset(&r, 0, offsetof(rd_t, local_slots));
    r.p = p;
    r.end = json + len;
    for (r.s = json; r.s < r.end && MAI_JR_IS_WS(*r.s); r.s++) {
    }
    r.start = r.seg = r.s;
    r.slots = r.local_slots;
    r.slots_cap = LOCAL_SLOTS;
    r.items = r.local_items;
    r.items_cap = LOCAL_ITEMS;
    if (r.s == r.end || (*r.s != '{' && *r.s != '[')) {
        return BAD;
    }
    r.str = apr_palloc(p, len + 2);
    r.compact = apr_palloc(p, len + 1);
    if (*r.s == '[') {
        /* not an object; but json-c said so only after its depth check */
        st = array(&r, 0, M_SKIP, NULL, &bad);
        return st == BIG ? BIG : BAD;
    }
    r.res = apr_pcalloc(p, sizeof(*r.res));
    st = object(&r, 0, M_ROOT, NULL, &bad);
    if (st != MAI_OK) {
        return st;
    }
    memcpy(r.compact + r.co, r.seg, (apr_size_t)(r.s - r.seg));
    r.compact[r.co + (apr_size_t)(r.s - r.seg)] = '\0';
    while (r.s < r.end && MAI_JR_IS_WS(*r.s)) {
        r.s++;
    }
    if (r.s != r.end || r.late) {
        return BAD;
    }
    if (r.top_distinct > MAX_MEMBERS) {
        return BIG;
    }
    if (r.top_bad) {
        return BAD;
    }
    if (r.dup) {
        return MAI_STATUS_ENDPOINT_DUPLICATE_MEMBER;
    }
    if (r.member_st != MAI_OK) {
        return r.member_st;
    }
    r.res->json = r.raw_ctl ? answer_text(&r) : r.compact;
    *out = r.res;
    return MAI_OK;
}

/* A string claim equal to one of the NULL-terminated words, in any case:
 * RFC 6749 section 5.1 makes token type values case-insensitive, and the
 * other spellings below are compared the same way, failing closed. */
static int says(const char *value, const char *const *words)
{
    for (; value && *words; words++) {
        if (!apr_cstr_casecmp(value, *words)) {
            return 1;
        }
    }
    return 0;
}

mai_status_t mai_result_type_refusal(const char *token_type)
{
    static const char *const refresh[] = {
        "refresh_token", "urn:ietf:params:oauth:token-type:refresh_token",
        NULL
    };
    static const char *const dpop[] = { "DPoP", NULL };

    return says(token_type, refresh) ? MAI_STATUS_REFRESH_TOKEN
        : says(token_type, dpop) ? MAI_STATUS_DPOP_TOKEN : MAI_OK;
}

/* Keycloak answers with the token's own claims: its "typ" says Refresh,
 * or Offline for an offline refresh token. */
static int typ_is_refresh(const mai_result_t *res)
{
    static const char *const typs[] = { "Refresh", "Offline", NULL };
    const mai_claim_t *typ = mai_result_claim(res, "typ");

    return typ && typ->kind == MAI_CLAIM_STRING && says(typ->text, typs);
}

/* A cnf member the request's checks cover: a certificate thumbprint
 * given as a string (authn.c checks it, cert_bind.c), and the DPoP key
 * thumbprint once a proof with that key was checked (dpop_request.c). */
static int checked_cnf(const mai_claim_t *m, int dpop_proven)
{
    return (!strcmp(m->name, MAI_CNF_X5T_S256)
            && m->kind == MAI_CLAIM_STRING)
           || (dpop_proven && !strcmp(m->name, "jkt"));
}

/* RFC 7800 "cnf": the token is bound to a key, a DPoP key by its
 * thumbprint "jkt" (RFC 9449) or a client certificate by "x5t#S256"
 * (RFC 8705). Any member counts, a method this module does not know
 * included, and so does a cnf that is not an object at all, unless the
 * request's own checks cover it (checked_cnf: the caller must then run
 * them, as authn.c does); an empty object or null binds nothing. */
static int is_bound(const mai_result_t *res, int dpop_proven)
{
    const mai_claim_t *cnf = mai_result_claim(res, "cnf");
    int i;

    if (cnf && cnf->kind == MAI_CLAIM_OBJECT) {
        for (i = 0; i < cnf->nmembers; i++) {
            if (!checked_cnf(&cnf->members[i], dpop_proven)) {
                return 1;
            }
        }
        return 0;
    }
    return cnf && cnf->kind != MAI_CLAIM_NULL;
}

/* AuthIntrospectTokenTypes: for servers that leave token_type out of
 * some answers (oidc-provider does for refresh tokens), a missing one is
 * refused too. */
static int type_listed(const char *token_type,
                       const apr_array_header_t *types)
{
    int i;

    for (i = 0; token_type && i < types->nelts; i++) {
        if (!apr_cstr_casecmp(token_type,
                              APR_ARRAY_IDX(types, i, const char *))) {
            return 1;
        }
    }
    return 0;
}

mai_status_t mai_result_check(const mai_result_t *res, apr_int64_t now,
                              apr_int64_t skew, const char *issuer,
                              const apr_array_header_t *token_types)
{
    return mai_result_check_proven(res, now, skew, issuer, token_types, 0);
}

mai_status_t mai_result_check_proven(const mai_result_t *res,
                                     apr_int64_t now, apr_int64_t skew,
                                     const char *issuer,
                                     const apr_array_header_t *token_types,
                                     int dpop_proven)
{
    mai_status_t s;
    int dpop_type;

    if (!res->active) {
        return MAI_STATUS_INACTIVE;
    }
    /* Whatever the location allows: a refresh token is for the token
     * endpoint only, and a sender-constrained token is only as safe as
     * the proof checked with it, which this module cannot do yet; without
     * it a stolen bound token would pass as a plain bearer token. */
    s = mai_result_type_refusal(res->token_type);
    /* a DPoP proof checked against cnf.jkt (dpop_request.c) is what a
     * DPoP token needs: token_type DPoP and a cnf of jkt alone pass */
    dpop_type = s == MAI_STATUS_DPOP_TOKEN && dpop_proven;
    if (dpop_type) {
        s = MAI_OK;
    }
    if (s == MAI_OK && typ_is_refresh(res)) {
        s = MAI_STATUS_REFRESH_TOKEN;
    }
    if (s == MAI_OK && is_bound(res, dpop_proven)) {
        s = MAI_STATUS_BOUND_TOKEN;
    }
    if (s != MAI_OK) {
        return s;
    }
    if (token_types && !dpop_type
        && !type_listed(res->token_type, token_types)) {
        return MAI_STATUS_WRONG_TOKEN_TYPE;
    }
    /* Written as now -/+ skew: exp and nbf come from the wire and may sit
     * next to INT64_MAX/MIN, where exp + skew would overflow. */
    if (res->has_exp && res->exp <= now - skew) {
        return MAI_STATUS_EXPIRED;
    }
    if (res->has_nbf && res->nbf > now + skew) {
        return MAI_STATUS_NOT_YET_VALID;
    }
    if (issuer && (res->iss == NULL || strcmp(res->iss, issuer) != 0)) {
        return MAI_STATUS_WRONG_ISSUER;
    }
    return MAI_OK;
}

const mai_claim_t *mai_result_claim(const mai_result_t *res,
                                    const char *name)
{
    /* a hit asks for several names (typ, cnf, the user claim) among
     * every claim: the tag (or, in a result made by hand, the first
     * byte) turns nearly all of them away before strcmp or a claim's
     * cold cache line */
    unsigned char t = res->name_tags ? mai_claim_name_tag(name) : 0;
    int i;

    for (i = 0; i < res->nclaims; i++) {
        if ((res->name_tags ? res->name_tags[i] == t
                            : res->claims[i].name[0] == name[0])
            && !strcmp(res->claims[i].name, name)) {
            return &res->claims[i];
        }
    }
    return NULL;
}

const char *mai_result_user(const mai_result_t *res,
                            const apr_array_header_t *names)
{
    int i;

    for (i = 0; names && i < names->nelts; i++) {
        const mai_claim_t *c = mai_result_claim(res,
                                  APR_ARRAY_IDX(names, i, const char *));
        if (c && ((c->kind == MAI_CLAIM_STRING && c->text[0] != '\0')
                  || c->kind == MAI_CLAIM_NUMBER)) {
            return c->text;
        }
    }
    return NULL;
}

/* One walk over a result serves both copies: into a pool here, into a
 * malloc'd block for the per-process cache (result_flat.c). */
mai_result_t *mai_result_copy(apr_pool_t *p, const mai_result_t *res)
{
    apr_size_t size = mai_result_flat_size(res);
    return mai_result_flat_copy(apr_palloc(p, size), size, res);
}
