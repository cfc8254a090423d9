/* SPDX-License-Identifier: Apache-2.0 */
/* test_cache_l1.c: the per-process cache keeps its bound and LRU order,
 * and a result handed out stays readable until its holder lets go, even
 * when the entry is replaced, evicted or removed meanwhile (run under
 * valgrind to see the use-after-free this guards against). */
#include "unit.h"
#include <stdlib.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include "cache_l1.h"

#define NKEYS 64

/* The calls as most tests make them: the key stands in for the token
 * hash, and the time an entry was stored is not looked at. */
#define L1_GET(l1, k, o, r, at) \
    mai_l1_get(l1, k, 0, o, r, at, &(apr_int64_t){0})
#define L1_PUT(l1, k, r, at) mai_l1_put(l1, k, 0, k, r, at, 0)

/* Entries are sharded by key[0] % 16: keys made with the same shard byte
 * meet in one shard, where the LRU order is exact. Bytes 4..7 pick the
 * bucket, so different ids also spread over the chains. */
static void make_key(unsigned char key[MAI_DIGEST_LEN], int shard, int id)
{
    memset(key, 0xa5, MAI_DIGEST_LEN);
    key[0] = (unsigned char)(shard + 16 * (id % 8));
    key[4] = (unsigned char)id;
    key[5] = (unsigned char)(id >> 8);
    key[31] = (unsigned char)id;
}

static const mai_result_t *result_for(apr_pool_t *p, const char *sub)
{
    const char *json = apr_psprintf(p, "{\"active\":true,\"sub\":\"%s\","
                                    "\"scope\":\"a b\",\"exp\":99}", sub);
    const mai_result_t *r = NULL;

    assert_int_equal(mai_result_parse(p, json, strlen(json), &r), MAI_OK);
    return r;
}

static const char *sub_of(const mai_result_t *r)
{
    const mai_claim_t *c = mai_result_claim(r, "sub");
    return c ? c->text : NULL;
}

static apr_pool_t *subpool(apr_pool_t *p)
{
    apr_pool_t *s = NULL;
    assert_int_equal(apr_pool_create(&s, p), APR_SUCCESS);
    return s;
}

/* A hit or a miss, checked in one line. */
static int has(mai_l1_t *l1, apr_pool_t *owner, int shard, int id)
{
    unsigned char key[MAI_DIGEST_LEN];
    const mai_result_t *r = NULL;
    apr_int64_t at = 0;

    make_key(key, shard, id);
    return L1_GET(l1, key, owner, &r, &at);
}

static void test_disabled(void **state)
{
    assert_null(mai_l1_create(*state, 0));
    assert_null(mai_l1_create(*state, -5));
}

static void test_put_get(void **state)
{
    apr_pool_t *p = *state, *owner = subpool(p);
    mai_l1_t *l1 = mai_l1_create(p, 64);
    unsigned char key[MAI_DIGEST_LEN], other[MAI_DIGEST_LEN];
    const mai_result_t *r = NULL;
    apr_int64_t at = 0;

    make_key(key, 5, 1);
    make_key(other, 5, 2);
    assert_non_null(l1);
    assert_int_equal(mai_l1_count(l1), 0);
    assert_int_equal(L1_GET(l1, key, owner, &r, &at), 0);
    L1_PUT(l1, key, result_for(p, "alice"), 1700000000);
    assert_int_equal(mai_l1_count(l1), 1);
    assert_int_equal(L1_GET(l1, key, owner, &r, &at), 1);
    assert_string_equal(sub_of(r), "alice");
    assert_true(at == 1700000000);
    assert_int_equal(r->active, 1);
    assert_true(r->has_exp && r->exp == 99);
    assert_int_equal(r->nscopes, 2);
    assert_string_equal(r->scopes[1], "b");
    /* a key differing only in its tail bytes is another key */
    assert_int_equal(L1_GET(l1, other, owner, &r, &at), 0);
    apr_pool_destroy(owner);
}

/* The same key under two scopes is two entries (lookup.c keys L1 by the
 * token's hash and the scope's slot): neither serves the other, removing
 * one keeps the other, a purge by the token's hash takes both. */
static void test_scopes_apart(void **state)
{
    apr_pool_t *p = *state, *owner = subpool(p);
    mai_l1_t *l1 = mai_l1_create(p, 64);
    unsigned char key[MAI_DIGEST_LEN];
    const mai_result_t *r = NULL;
    apr_int64_t at = 0;

    make_key(key, 3, 9);
    mai_l1_put(l1, key, 1, key, result_for(p, "one"), 1, 0);
    assert_int_equal(mai_l1_get(l1, key, 2, owner, &r, &at, &at), 0);
    assert_int_equal(mai_l1_get(l1, key, 0, owner, &r, &at, &at), 0);
    mai_l1_put(l1, key, 2, key, result_for(p, "two"), 2, 0);
    assert_int_equal(mai_l1_count(l1), 2);
    assert_int_equal(mai_l1_get(l1, key, 1, owner, &r, &at, &at), 1);
    assert_string_equal(sub_of(r), "one");
    assert_int_equal(mai_l1_get(l1, key, 2, owner, &r, &at, &at), 1);
    assert_string_equal(sub_of(r), "two");
    mai_l1_remove(l1, key, 1);
    assert_int_equal(mai_l1_get(l1, key, 1, owner, &r, &at, &at), 0);
    assert_int_equal(mai_l1_get(l1, key, 2, owner, &r, &at, &at), 1);
    mai_l1_put(l1, key, 1, key, result_for(p, "one"), 1, 0);
    assert_int_equal(mai_l1_purge_hash(l1, key), 2);
    apr_pool_destroy(owner);
}

/* The cache keeps its own copy: the source pool may go. */
static void test_put_copies(void **state)
{
    apr_pool_t *p = *state, *src = subpool(p);
    mai_l1_t *l1 = mai_l1_create(p, 16);
    unsigned char key[MAI_DIGEST_LEN];
    const mai_result_t *r = NULL;
    apr_int64_t at = 0;

    make_key(key, 0, 0);
    L1_PUT(l1, key, result_for(src, "bob"), 7);
    apr_pool_destroy(src);
    assert_int_equal(L1_GET(l1, key, p, &r, &at), 1);
    assert_string_equal(sub_of(r), "bob");
}

static void test_replace_keeps_held(void **state)
{
    apr_pool_t *p = *state, *o1 = subpool(p), *o2 = subpool(p);
    mai_l1_t *l1 = mai_l1_create(p, 64);
    unsigned char key[MAI_DIGEST_LEN];
    const mai_result_t *r1 = NULL, *r2 = NULL;
    apr_int64_t at1 = 0, at2 = 0;

    make_key(key, 9, 3);
    L1_PUT(l1, key, result_for(p, "old"), 100);
    assert_int_equal(L1_GET(l1, key, o1, &r1, &at1), 1);
    L1_PUT(l1, key, result_for(p, "new"), 200);
    assert_int_equal(mai_l1_count(l1), 1);
    assert_int_equal(L1_GET(l1, key, o2, &r2, &at2), 1);
    assert_string_equal(sub_of(r2), "new");
    assert_true(at2 == 200);
    /* the first holder still reads the answer it got */
    assert_string_equal(sub_of(r1), "old");
    assert_true(at1 == 100);
    assert_string_equal(r1->scopes[0], "a");
    apr_pool_destroy(o1);
    assert_string_equal(sub_of(r2), "new");
    apr_pool_destroy(o2);
}

static void test_evict_and_remove_keep_held(void **state)
{
    apr_pool_t *p = *state, *owner = subpool(p);
    mai_l1_t *l1 = mai_l1_create(p, 1);
    unsigned char a[MAI_DIGEST_LEN], b[MAI_DIGEST_LEN], c[MAI_DIGEST_LEN];
    const mai_result_t *ra = NULL, *rb = NULL;
    apr_int64_t at = 0;

    make_key(a, 2, 1);
    make_key(b, 2, 2);
    make_key(c, 2, 3);
    L1_PUT(l1, a, result_for(p, "A"), 1);
    assert_int_equal(L1_GET(l1, a, owner, &ra, &at), 1);
    L1_PUT(l1, b, result_for(p, "B"), 2);      /* evicts a */
    assert_int_equal(mai_l1_count(l1), 1);
    assert_int_equal(has(l1, p, 2, 1), 0);
    assert_string_equal(sub_of(ra), "A");
    assert_int_equal(L1_GET(l1, b, owner, &rb, &at), 1);
    mai_l1_remove(l1, b, 0);
    assert_int_equal(mai_l1_count(l1), 0);
    assert_int_equal(has(l1, p, 2, 2), 0);
    assert_string_equal(sub_of(rb), "B");
    /* removing what is not there changes nothing */
    mai_l1_remove(l1, c, 0);
    L1_PUT(l1, c, result_for(p, "C"), 3);
    mai_l1_remove(l1, b, 0);
    assert_int_equal(mai_l1_count(l1), 1);
    assert_string_equal(sub_of(ra), "A");
    apr_pool_clear(owner);
    assert_int_equal(has(l1, p, 2, 3), 1);
    apr_pool_destroy(owner);
}

/* A bound of 4; everything here lands in shard 7 until the end. */
static void test_lru_order(void **state)
{
    apr_pool_t *p = *state, *owner = subpool(p);
    mai_l1_t *l1 = mai_l1_create(p, 4);
    const mai_result_t *r = result_for(p, "x"), *got = NULL;
    unsigned char key[MAI_DIGEST_LEN];
    apr_int64_t at = 0;
    int i;

    for (i = 0; i < 4; i++) {
        make_key(key, 7, i);
        L1_PUT(l1, key, r, i);
    }
    assert_int_equal(mai_l1_count(l1), 4);
    /* touch 0 and 1: 2 becomes the oldest (order 2 3 0 1) */
    assert_int_equal(has(l1, owner, 7, 0), 1);
    assert_int_equal(has(l1, owner, 7, 1), 1);
    make_key(key, 7, 4);
    L1_PUT(l1, key, r, 4);                /* evicts 2: 3 0 1 4 */
    assert_int_equal(mai_l1_count(l1), 4);
    assert_int_equal(has(l1, owner, 7, 2), 0); /* a miss touches nothing */
    assert_int_equal(has(l1, owner, 7, 0), 1); /* 3 1 4 0 */
    make_key(key, 7, 5);
    L1_PUT(l1, key, r, 5);                /* evicts 3: 1 4 0 5 */
    assert_int_equal(has(l1, owner, 7, 3), 0);
    assert_int_equal(has(l1, owner, 7, 1), 1); /* 4 0 5 1 */
    /* a put of an existing key refreshes it rather than adding one */
    make_key(key, 7, 0);
    L1_PUT(l1, key, r, 10);               /* 4 5 1 0 */
    assert_int_equal(mai_l1_count(l1), 4);
    make_key(key, 7, 6);
    L1_PUT(l1, key, r, 6);                /* evicts 4: 5 1 0 6 */
    assert_int_equal(mai_l1_count(l1), 4);
    assert_int_equal(has(l1, owner, 7, 4), 0);
    assert_int_equal(has(l1, owner, 7, 5), 1);
    assert_int_equal(has(l1, owner, 7, 1), 1);
    assert_int_equal(has(l1, owner, 7, 0), 1);
    assert_int_equal(has(l1, owner, 7, 6), 1);
    make_key(key, 7, 0);
    assert_int_equal(L1_GET(l1, key, owner, &got, &at), 1);
    assert_true(at == 10);                /* 5 1 6 0 */
    /* another shard has no room of its own: the bound is one budget, and
     * the least recently used entry of all (in shard 7) makes room */
    assert_int_equal(has(l1, owner, 8, 0), 0);
    make_key(key, 8, 0);
    L1_PUT(l1, key, r, 0);
    assert_int_equal(mai_l1_count(l1), 4);
    assert_int_equal(has(l1, owner, 7, 5), 0);
    assert_int_equal(has(l1, owner, 8, 0), 1);
    assert_int_equal(has(l1, owner, 7, 1), 1);
    assert_int_equal(has(l1, owner, 7, 6), 1);
    assert_int_equal(has(l1, owner, 7, 0), 1);
    apr_pool_destroy(owner);
}

/* N + k puts: never more than N, and the last ones put survive. */
static void test_bound(void **state)
{
    apr_pool_t *p = *state, *owner = subpool(p);
    mai_l1_t *l1 = mai_l1_create(p, 32);
    const mai_result_t *r = result_for(p, "x");
    unsigned char key[MAI_DIGEST_LEN];
    int i, shard;

    for (i = 0; i < 32 + 50; i++) {
        make_key(key, i % 16, i / 16);
        L1_PUT(l1, key, r, i);
        assert_true(mai_l1_count(l1) <= 32);
    }
    assert_int_equal(mai_l1_count(l1), 32);
    /* the last 32 put, whatever their shards: the last two rounds over
     * the 16 shards, ids 3 and 4 (for shards 0 and 1, which saw 6
     * rounds, ids 4 and 5) */
    for (shard = 0; shard < 16; shard++) {
        int last = (32 + 50 - 1 - shard) / 16;
        assert_int_equal(has(l1, owner, shard, last), 1);
        assert_int_equal(has(l1, owner, shard, last - 1), 1);
        assert_int_equal(has(l1, owner, shard, last - 2), 0);
    }
    /* one shard alone may use the whole budget, and no more */
    l1 = mai_l1_create(p, 32);
    for (i = 0; i < 100; i++) {
        make_key(key, 11, i);
        L1_PUT(l1, key, r, i);
    }
    assert_int_equal(mai_l1_count(l1), 32);
    assert_int_equal(has(l1, owner, 11, 99), 1);
    assert_int_equal(has(l1, owner, 11, 68), 1);
    assert_int_equal(has(l1, owner, 11, 67), 0);
    apr_pool_destroy(owner);
}

/* Token i's shard in test_uneven_spread: shard 3 takes the first 400,
 * the other 600 spread over all 16. */
static int uneven_shard(int i)
{
    return i < 400 ? 3 : i % 16;
}

/* N tokens fit in a bound of N however unevenly they spread over the
 * shards (16 shares of N/16 each held about 600 of these 1,000), and
 * when one more comes, the one used longest ago goes, in whichever
 * shard it is. */
static void test_uneven_spread(void **state)
{
    apr_pool_t *p = *state, *owner = subpool(p);
    mai_l1_t *l1 = mai_l1_create(p, 1000);
    unsigned char key[MAI_DIGEST_LEN];
    int i, kept = 0;

    for (i = 0; i < 1000; i++) {
        make_key(key, uneven_shard(i), i);
        L1_PUT(l1, key, result_for(p, "x"), i);
    }
    assert_int_equal(mai_l1_count(l1), 1000);
    /* every token but 517 (shard 5) used again: all still there */
    for (i = 0; i < 1000; i++) {
        if (i != 517) {
            kept += has(l1, owner, uneven_shard(i), i);
        }
    }
    assert_int_equal(kept, 999);
    /* one more token: 517 goes (the order of use is told by a clock that
     * ticks once per put, so this needs 517 not used since it was put) */
    make_key(key, 3, 1000);
    L1_PUT(l1, key, result_for(p, "y"), 1000);
    assert_int_equal(mai_l1_count(l1), 1000);
    assert_int_equal(has(l1, owner, 5, 517), 0);
    assert_int_equal(has(l1, owner, 3, 1000), 1);
    assert_int_equal(has(l1, owner, 3, 0), 1);
    apr_pool_destroy(owner);
}

/* A bound that is not a multiple of the 16 shards is still exact. */
static void test_odd_bounds(void **state)
{
    static const int bounds[] = { 1, 5, 20, 100 };
    apr_pool_t *p = *state;
    const mai_result_t *r = result_for(p, "x");
    unsigned char key[MAI_DIGEST_LEN];
    unsigned b;
    int i;

    for (b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++) {
        mai_l1_t *l1 = mai_l1_create(p, bounds[b]);
        for (i = 0; i < 16 * 40; i++) {
            make_key(key, i % 16, i / 16);
            L1_PUT(l1, key, r, i);
            assert_true(mai_l1_count(l1) <= bounds[b]);
        }
        /* every shard saw 40 keys: the cache is full to its bound */
        assert_int_equal(mai_l1_count(l1), bounds[b]);
    }
}

/* Concurrency: random get/put/remove from many threads on few keys. Each
 * key always maps to the same answer, so any torn or freed read shows as
 * a mismatch. Threads count problems; the main thread asserts. */
#define NTHREADS 8
#define NOPS 20000
#define MAXN 32

typedef struct {
    mai_l1_t *l1;
    const mai_result_t **results;
    unsigned int seed;
    int errors, hits, over;
} worker_t;

static void worker_op(worker_t *w, apr_pool_t *owner)
{
    unsigned char key[MAI_DIGEST_LEN];
    int id = (int)(rand_r(&w->seed) % NKEYS), op = rand_r(&w->seed) % 10;
    const mai_result_t *r = NULL;
    apr_int64_t at = -1;
    char want[16];

    make_key(key, id % 16, id);
    if (op < 6) {
        if (L1_GET(w->l1, key, owner, &r, &at)) {
            apr_snprintf(want, sizeof(want), "k%d", id);
            w->hits++;
            if (at != id || !sub_of(r) || strcmp(sub_of(r), want)) {
                w->errors++;
            }
        }
    }
    else if (op < 9) {
        L1_PUT(w->l1, key, w->results[id], id);
    }
    else {
        mai_l1_remove(w->l1, key, 0);
    }
}

static void *APR_THREAD_FUNC worker(apr_thread_t *t, void *data)
{
    worker_t *w = data;
    apr_pool_t *owner = NULL;
    int i;

    apr_pool_create(&owner, NULL);
    for (i = 0; i < NOPS; i++) {
        worker_op(w, owner);
        /* a request ends now and then, releasing what it held */
        if (i % 97 == 96) {
            apr_pool_clear(owner);
        }
        if (i % 1000 == 0 && mai_l1_count(w->l1) > MAXN) {
            w->over++;
        }
    }
    apr_pool_destroy(owner);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static void test_threads(void **state)
{
    apr_pool_t *p = *state;
    mai_l1_t *l1 = mai_l1_create(p, MAXN);
    const mai_result_t *results[NKEYS];
    apr_thread_t *th[NTHREADS];
    worker_t w[NTHREADS];
    int i, hits = 0;

    for (i = 0; i < NKEYS; i++) {
        results[i] = result_for(p, apr_psprintf(p, "k%d", i));
    }
    for (i = 0; i < NTHREADS; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].l1 = l1;
        w[i].results = results;
        w[i].seed = 12345u + (unsigned int)i;
        assert_int_equal(apr_thread_create(&th[i], NULL, worker, &w[i], p),
                         APR_SUCCESS);
    }
    for (i = 0; i < NTHREADS; i++) {
        apr_status_t rv;
        apr_thread_join(&rv, th[i]);
        assert_int_equal(w[i].errors, 0);
        assert_int_equal(w[i].over, 0);
        hits += w[i].hits;
    }
    /* the workload does hit: the checks above saw real results */
    assert_true(hits > 1000);
    assert_true(mai_l1_count(l1) <= MAXN);
    assert_true(mai_l1_count(l1) > 0);
    /* still consistent afterwards */
    for (i = 0; i < NKEYS; i++) {
        const mai_result_t *r = NULL;
        unsigned char key[MAI_DIGEST_LEN];
        apr_int64_t at = -1;

        make_key(key, i % 16, i);
        if (L1_GET(l1, key, p, &r, &at)) {
            assert_true(at == i);
            assert_string_equal(sub_of(r), apr_psprintf(p, "k%d", i));
        }
    }
}

/* The request that fetched an answer exports from L1's copy: the one a
 * later hit gets, with each claim's environment name made once, and held
 * for the request past the entry's eviction. */
static void test_put_held(void **state)
{
    apr_pool_t *p = *state, *owner = subpool(p), *other = subpool(p);
    mai_l1_t *l1 = mai_l1_create(p, 1);
    unsigned char key[MAI_DIGEST_LEN], key2[MAI_DIGEST_LEN];
    const mai_result_t *src = result_for(p, "held"), *held, *got = NULL;
    apr_int64_t at = 0;
    int i;

    make_key(key, 0, 1);
    make_key(key2, 0, 2);
    held = mai_l1_put_held(l1, key, 0, key, src, 7, 0, owner);
    assert_non_null(held);
    assert_ptr_not_equal(held, src);
    assert_int_equal(L1_GET(l1, key, other, &got, &at), 1);
    assert_ptr_equal(got, held);
    for (i = 0; i < held->nclaims; i++) {
        assert_null(src->claims[i].env_name);
        assert_string_equal(held->claims[i].env_name,
                            apr_pstrcat(p, "INTROSPECT_",
                                        i == 0 ? "ACTIVE" : i == 1 ? "SUB"
                                        : i == 2 ? "SCOPE" : "EXP", NULL));
    }
    /* evicted (a bound of 1), yet still readable by both holders */
    L1_PUT(l1, key2, result_for(p, "next"), 8);
    assert_int_equal(mai_l1_count(l1), 1);
    assert_string_equal(sub_of(held), "held");
    apr_pool_destroy(other);
    assert_string_equal(sub_of(held), "held");
    apr_pool_destroy(owner);
    /* another shard's put takes the one place (the bound is one budget,
     * not a share per shard) */
    make_key(key2, 1, 3);
    assert_non_null(mai_l1_put_held(l1, key2, 0, key2, src, 1, 0, p));
    assert_int_equal(mai_l1_count(l1), 1);
    assert_int_equal(has(l1, p, 0, 2), 0);
    assert_int_equal(has(l1, p, 1, 3), 1);
}

/* The exports prepared with an entry: made from L1's copy (the whole
 * answer's value is the copy's JSON, not copied again), handed to every
 * hit with that copy, and readable by a holder after the entry is
 * evicted (valgrind sees a use-after-free otherwise). */
static void test_put_prepared(void **state)
{
    apr_pool_t *p = *state, *owner = subpool(p), *other = subpool(p);
    mai_l1_t *l1 = mai_l1_create(p, 1);
    unsigned char key[MAI_DIGEST_LEN], key2[MAI_DIGEST_LEN];
    const mai_result_t *src = result_for(p, "prep"), *held, *got = NULL;
    const mai_export_prepared_t *x = NULL, *y = NULL;
    mai_export_opts_t o;
    apr_int64_t at = 0;
    int i, whole = 0;

    memset(&o, 0, sizeof(o));
    o.env = 1;
    o.headers = 1;
    make_key(key, 0, 1);
    make_key(key2, 0, 2);
    held = mai_l1_put_prepared(l1, key, 0, key, src, 7, 0, owner, &o, &x);
    assert_non_null(held);
    assert_non_null(x);
    assert_ptr_equal(x->res, held);
    assert_true(mai_export_prepared_for(x, &o));
    assert_int_equal(mai_l1_get_prepared(l1, key, 0, other, &got, &at, &at,
                                         &y), 1);
    assert_ptr_equal(got, held);
    assert_ptr_equal(y, x);
    for (i = 0; i < x->nitems; i++) {
        if (!x->items[i].header
            && !strcmp(x->items[i].name, "INTROSPECT_CLAIMS")) {
            assert_ptr_equal(x->items[i].value, held->json);
            whole = 1;
        }
        if (!x->items[i].header
            && !strcmp(x->items[i].name, "INTROSPECT_SUB")) {
            assert_string_equal(x->items[i].value, "prep");
        }
    }
    assert_true(whole);
    /* evicted, yet still readable by both holders */
    L1_PUT(l1, key2, result_for(p, "next"), 8);
    assert_int_equal(mai_l1_count(l1), 1);
    apr_pool_destroy(other);
    assert_string_equal(x->items[0].name, "INTROSPECT_ACTIVE");
    assert_int_equal(x->nitems, 9);     /* 4 claims twice, the whole env */
    apr_pool_destroy(owner);
    /* without options, nothing prepared; a plain get sees none either */
    held = mai_l1_put_prepared(l1, key, 0, key, src, 7, 0, p, NULL, &x);
    assert_non_null(held);
    assert_null(x);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_disabled),
    UNIT_TEST(test_put_get),
    UNIT_TEST(test_scopes_apart),
    UNIT_TEST(test_put_copies),
    UNIT_TEST(test_replace_keeps_held),
    UNIT_TEST(test_evict_and_remove_keep_held),
    UNIT_TEST(test_lru_order),
    UNIT_TEST(test_bound),
    UNIT_TEST(test_uneven_spread),
    UNIT_TEST(test_odd_bounds),
    UNIT_TEST(test_threads),
    UNIT_TEST(test_put_held),
    UNIT_TEST(test_put_prepared),
};
UNIT_MAIN(tests)
