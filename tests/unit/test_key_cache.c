/* SPDX-License-Identifier: Apache-2.0 */
/* test_key_cache.c: the per-process cache of imported proof keys: exact
 * thumbprints only, least recently used out of a full set, and a key a
 * request still holds is released only when that request's pool goes;
 * and through jose.c, a DPoP proof's outcome with the cache is the one
 * without it. */
#include "unit.h"
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <cjose/cjose.h>
#include "key_cache.h"
#include "jose.h"

/* Objects are slots of this array; release counts per slot. */
#define NOBJ 64
static int released[NOBJ];
static int objs[NOBJ];

static void count_release(void *obj)
{
    released[(int *)obj - objs]++;
}

static void reset(void)
{
    memset(released, 0, sizeof(released));
}

static const char *tp_of(int i)
{
    static char buf[NOBJ][48];

    /* 43 characters, like a SHA-256 thumbprint in base64url */
    snprintf(buf[i], sizeof(buf[i]),
             "tp%02u-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
             (unsigned)i % 100u);
    buf[i][43] = '\0';
    return buf[i];
}

/* put through a request pool cleared at once: the table's reference is
 * then the only one */
static void put_done(mai_key_cache_t *c, apr_pool_t *p, int i)
{
    apr_pool_t *r;

    apr_pool_create(&r, p);
    mai_key_cache_put(c, r, tp_of(i), &objs[i]);
    apr_pool_destroy(r);
}

static void test_hit_miss(void **state)
{
    apr_pool_t *p = *state, *r;
    mai_key_cache_t *c;

    reset();
    assert_null(mai_key_cache_create(p, 0, count_release));
    c = mai_key_cache_create(p, 8, count_release);
    assert_non_null(c);
    apr_pool_create(&r, p);
    assert_null(mai_key_cache_get(c, r, tp_of(1)));
    put_done(c, p, 1);
    assert_int_equal(released[1], 0);
    assert_ptr_equal(mai_key_cache_get(c, r, tp_of(1)), &objs[1]);
    /* only the whole thumbprint: not a prefix, not a longer one */
    assert_null(mai_key_cache_get(c, r, "tp01"));
    assert_null(mai_key_cache_get(c, r,
                                  apr_pstrcat(r, tp_of(1), "x", NULL)));
    assert_null(mai_key_cache_get(c, r, tp_of(2)));
    assert_null(mai_key_cache_get(NULL, r, tp_of(1)));
    apr_pool_destroy(r);
    assert_int_equal(released[1], 0);
    /* the same thumbprint again replaces the entry: the old object goes */
    put_done(c, p, 2);
    apr_pool_create(&r, p);
    mai_key_cache_put(c, r, tp_of(2), &objs[3]);
    apr_pool_destroy(r);
    assert_int_equal(released[2], 1);
    assert_int_equal(released[3], 0);
}

/* 4 entries are one set of 4: a fifth key drops the least recently
 * used, which is released once, and the table never holds more. */
static void test_eviction(void **state)
{
    apr_pool_t *p = *state, *r;
    mai_key_cache_t *c = mai_key_cache_create(p, 4, count_release);
    int i, held = 0;

    reset();
    for (i = 0; i < 4; i++) {
        put_done(c, p, i);
    }
    apr_pool_create(&r, p);
    /* 0 used last: 1 is the oldest now */
    assert_ptr_equal(mai_key_cache_get(c, r, tp_of(0)), &objs[0]);
    apr_pool_clear(r);
    put_done(c, p, 4);
    assert_int_equal(released[1], 1);
    assert_null(mai_key_cache_get(c, r, tp_of(1)));
    for (i = 5; i < 20; i++) {
        put_done(c, p, i);
    }
    for (i = 0; i < 20; i++) {
        if (mai_key_cache_get(c, r, tp_of(i)) != NULL) {
            held++;
            assert_int_equal(released[i], 0);
        }
        else {
            assert_int_equal(released[i], 1);
        }
    }
    assert_int_equal(held, 4);
    apr_pool_destroy(r);
}

/* A key in use by a request survives its eviction until the request's
 * pool goes; the process pool going releases what the table holds. */
static void test_in_use_survives(void **state)
{
    apr_pool_t *p = *state, *cp, *r1, *r2;
    mai_key_cache_t *c;
    int i;

    reset();
    apr_pool_create(&cp, p);
    c = mai_key_cache_create(cp, 4, count_release);
    apr_pool_create(&r1, p);
    apr_pool_create(&r2, p);
    mai_key_cache_put(c, r1, tp_of(0), &objs[0]);
    assert_ptr_equal(mai_key_cache_get(c, r2, tp_of(0)), &objs[0]);
    for (i = 1; i <= 4; i++) {
        put_done(c, p, i);
    }
    assert_null(mai_key_cache_get(c, p, tp_of(0)));
    assert_int_equal(released[0], 0);
    apr_pool_destroy(r1);
    assert_int_equal(released[0], 0);
    apr_pool_destroy(r2);
    assert_int_equal(released[0], 1);
    apr_pool_destroy(cp);
    for (i = 0; i <= 4; i++) {
        assert_int_equal(released[i], 1);
    }
}

typedef struct {
    mai_key_cache_t *c;
    apr_pool_t *p;
    unit_barrier_t *start;
    int seed;
    int puts[16];
} worker_t;

static void *APR_THREAD_FUNC worker(apr_thread_t *t, void *data)
{
    worker_t *w = data;
    apr_pool_t *r;
    unsigned seed = (unsigned)w->seed;
    int i, k;

    apr_pool_create(&r, w->p);
    unit_barrier_wait(w->start);
    for (i = 0; i < 2000; i++) {
        seed = seed * 1103515245u + 12345u;
        k = (int)((seed >> 16) % 16);
        if (mai_key_cache_get(w->c, r, tp_of(k)) == NULL) {
            mai_key_cache_put(w->c, r, tp_of(k), &objs[k]);
            w->puts[k]++;
        }
        if (i % 3 == 0) {
            apr_pool_clear(r);
        }
    }
    apr_pool_destroy(r);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

/* Threads getting and putting 16 keys through 8 entries: each object
 * put is released exactly as often as it was put, once all is gone (so
 * never while held, never twice: ASan and the counts would say). */
static void test_threads(void **state)
{
    apr_pool_t *p = *state, *cp;
    mai_key_cache_t *c;
    apr_thread_t *th[4];
    worker_t w[4];
    unit_barrier_t start;
    apr_status_t rv;
    int i, k, puts;

    reset();
    apr_pool_create(&cp, p);
    c = mai_key_cache_create(cp, 8, count_release);
    unit_barrier_init(&start, 4, p);
    for (i = 0; i < 4; i++) {
        w[i].c = c;
        w[i].p = p;
        w[i].start = &start;
        w[i].seed = i + 1;
        memset(w[i].puts, 0, sizeof(w[i].puts));
        assert_int_equal(apr_thread_create(&th[i], NULL, worker, &w[i], p),
                         APR_SUCCESS);
    }
    for (i = 0; i < 4; i++) {
        apr_thread_join(&rv, th[i]);
    }
    apr_pool_destroy(cp);
    for (k = 0; k < 16; k++) {
        puts = 0;
        for (i = 0; i < 4; i++) {
            puts += w[i].puts[k];
        }
        assert_true(puts >= 1);
        assert_int_equal(released[k], puts);
    }
}


/* A compact JWS signed by k, with jwk_json as the header's jwk. */
static const char *proof(apr_pool_t *p, const cjose_jwk_t *k,
                         const char *alg, const char *jwk_json)
{
    cjose_err err;
    cjose_header_t *h = cjose_header_new(&err);
    cjose_jws_t *jws;
    const char *ser = NULL, *copy;

    assert_true(cjose_header_set(h, CJOSE_HDR_ALG, alg, &err));
    assert_true(cjose_header_set(h, "typ", "dpop+jwt", &err));
    assert_true(cjose_header_set_raw(h, "jwk", jwk_json, &err));
    jws = cjose_jws_sign(k, h, (const uint8_t *)"{}", 2, &err);
    assert_non_null(jws);
    assert_true(cjose_jws_export(jws, &ser, &err));
    copy = apr_pstrdup(p, ser);
    cjose_jws_release(jws);
    cjose_header_release(h);
    return copy;
}

static const char *jwk_json(apr_pool_t *p, const cjose_jwk_t *k, int priv)
{
    cjose_err err;
    char *s = cjose_jwk_to_json(k, priv, &err);
    const char *copy;

    assert_non_null(s);
    copy = apr_pstrdup(p, s);
    cjose_get_dealloc()(s);
    return copy;
}

/* The proof checked in a request pool of its own, with the cache and
 * without: both must say the same. */
static mai_jose_result_t check(apr_pool_t *p, mai_key_cache_t *keys,
                               const char *compact, unsigned algs,
                               const char **tp)
{
    apr_pool_t *r;
    mai_jws_t jws;
    mai_jose_result_t with, without;
    const char *t1, *t2;

    apr_pool_create(&r, p);
    assert_int_equal(mai_jws_parse(r, compact, strlen(compact), &jws),
                     MAI_JOSE_OK);
    without = mai_jws_verify_proof(r, &jws, algs, NULL, &t1);
    with = mai_jws_verify_proof(r, &jws, algs, keys, &t2);
    assert_int_equal(with, without);
    if (with == MAI_JOSE_OK) {
        assert_string_equal(t1, t2);
        *tp = apr_pstrdup(p, t2);
    }
    apr_pool_destroy(r);
    return with;
}

static int cached(apr_pool_t *p, mai_key_cache_t *keys, const char *tp)
{
    apr_pool_t *r;
    int found;

    apr_pool_create(&r, p);
    found = mai_key_cache_get(keys, r, tp) != NULL;
    apr_pool_destroy(r);
    return found;
}

static void test_proof_keys(void **state)
{
    apr_pool_t *p = *state;
    mai_key_cache_t *keys = mai_jose_proof_keys_create(p);
    cjose_err err;
    cjose_jwk_t *ec256 = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256,
                                                    &err);
    cjose_jwk_t *other = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256,
                                                    &err);
    const char *pub, *tp = NULL, *tp2 = NULL, *odd;
    int i;

    assert_non_null(keys);
    assert_non_null(ec256);
    assert_non_null(other);
    pub = jwk_json(p, ec256, 0);
    /* a proof that fails leaves nothing behind */
    assert_int_equal(check(p, keys, proof(p, other, "ES256", pub),
                           MAI_JOSE_ASYMMETRIC, &tp), MAI_JOSE_SIGNATURE);
    assert_int_equal(check(p, keys, proof(p, ec256, "ES256", pub),
                           MAI_JOSE_ASYMMETRIC, &tp), MAI_JOSE_OK);
    assert_true(cached(p, keys, tp));
    /* now from the cache: the same answers, good or bad */
    for (i = 0; i < 3; i++) {
        assert_int_equal(check(p, keys, proof(p, ec256, "ES256", pub),
                               MAI_JOSE_ASYMMETRIC, &tp2), MAI_JOSE_OK);
        assert_string_equal(tp2, tp);
    }
    assert_int_equal(check(p, keys, proof(p, other, "ES256", pub),
                           MAI_JOSE_ASYMMETRIC, &tp2), MAI_JOSE_SIGNATURE);
    assert_int_equal(check(p, keys, proof(p, ec256, "ES256", pub),
                           MAI_JOSE_PS256, &tp2), MAI_JOSE_ALG);
    /* the same public members with the private one: refused per proof */
    assert_int_equal(check(p, keys,
                           proof(p, ec256, "ES256", jwk_json(p, ec256, 1)),
                           MAI_JOSE_ASYMMETRIC, &tp2), MAI_JOSE_BAD_KEY);
    /* members outside the thumbprint change nothing: cjose's import
     * ignores them (a kid that is not a string as well) */
    odd = apr_pstrcat(p, "{\"kid\":5,\"use\":\"sig\",", pub + 1, NULL);
    assert_int_equal(check(p, keys, proof(p, ec256, "ES256", odd),
                           MAI_JOSE_ASYMMETRIC, &tp2), MAI_JOSE_OK);
    assert_string_equal(tp2, tp);
    cjose_jwk_release(ec256);
    cjose_jwk_release(other);
}

/* Like proof, with a payload and optionally a kid. */
static const char *proof_with(apr_pool_t *p, const cjose_jwk_t *k,
                              const char *jwk, const char *kid,
                              const char *payload)
{
    cjose_err err;
    cjose_header_t *h = cjose_header_new(&err);
    cjose_jws_t *jws;
    const char *ser = NULL, *copy;

    assert_true(cjose_header_set(h, CJOSE_HDR_ALG, "ES256", &err));
    assert_true(cjose_header_set(h, "typ", "dpop+jwt", &err));
    if (kid != NULL) {
        assert_true(cjose_header_set(h, CJOSE_HDR_KID, kid, &err));
    }
    assert_true(cjose_header_set_raw(h, "jwk", jwk, &err));
    jws = cjose_jws_sign(k, h, (const uint8_t *)payload, strlen(payload),
                         &err);
    assert_non_null(jws);
    assert_true(cjose_jws_export(jws, &ser, &err));
    copy = apr_pstrdup(p, ser);
    cjose_jws_release(jws);
    cjose_header_release(h);
    return copy;
}

/* One proof through mai_jws_parse_proof and mai_jws_verify_proof in a
 * request pool of its own; *hit says whether its header was known. */
static mai_jose_result_t via_header(apr_pool_t *p, mai_key_cache_t *keys,
                                    const char *compact, unsigned algs,
                                    const char **tp, int *hit)
{
    apr_pool_t *r;
    mai_jws_t jws;
    mai_jose_result_t res;
    const char *t;

    apr_pool_create(&r, p);
    res = mai_jws_parse_proof(r, compact, strlen(compact), keys, &jws);
    *hit = jws.proof_key != NULL;
    if (res == MAI_JOSE_OK) {
        assert_true(mai_jws_has_jwk(&jws));
        assert_string_equal(jws.alg, "ES256");
        assert_string_equal(jws.typ, "dpop+jwt");
        res = mai_jws_verify_proof(r, &jws, algs, keys, &t);
        *tp = res == MAI_JOSE_OK ? apr_pstrdup(p, t) : NULL;
    }
    apr_pool_destroy(r);
    return res;
}

/* A proof header seen before is not read again, and gives every answer
 * the full reading gives: the same thumbprint, a forged signature or a
 * changed payload still refused, alg still checked against the caller's
 * list; headers with a kid or a private member are never kept by text. */
static void test_proof_headers(void **state)
{
    apr_pool_t *p = *state;
    mai_key_cache_t *keys = mai_jose_proof_keys_create(p);
    cjose_err err;
    cjose_jwk_t *ec = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err);
    cjose_jwk_t *other = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256,
                                                    &err);
    const char *pub, *tp = NULL, *tp2 = NULL, *good, *tampered, *dot;
    int hit;

    assert_non_null(keys);
    pub = jwk_json(p, ec, 0);
    /* forged first: nothing kept */
    assert_int_equal(via_header(p, keys, proof_with(p, other, pub, NULL,
                                                    "{\"a\":1}"),
                                MAI_JOSE_ASYMMETRIC, &tp, &hit),
                     MAI_JOSE_SIGNATURE);
    assert_false(hit);
    assert_int_equal(via_header(p, keys, proof_with(p, ec, pub, NULL,
                                                    "{\"a\":1}"),
                                MAI_JOSE_ASYMMETRIC, &tp, &hit),
                     MAI_JOSE_OK);
    assert_false(hit);
    assert_string_equal(tp, mai_jwk_thumbprint(p, pub));
    good = proof_with(p, ec, pub, NULL, "{\"a\":2}");
    assert_int_equal(via_header(p, keys, good, MAI_JOSE_ASYMMETRIC, &tp2,
                                &hit), MAI_JOSE_OK);
    assert_true(hit);
    assert_string_equal(tp2, tp);
    /* the same header, a key that is not the jwk's: refused on a hit */
    assert_int_equal(via_header(p, keys, proof_with(p, other, pub, NULL,
                                                    "{\"a\":3}"),
                                MAI_JOSE_ASYMMETRIC, &tp2, &hit),
                     MAI_JOSE_SIGNATURE);
    assert_true(hit);
    /* another proof's payload under this one's header and signature */
    dot = strrchr(good, '.');
    tampered = apr_pstrcat(p, apr_pstrndup(p, good, strchr(good, '.')
                                                    - good + 1),
                           "eyJhIjo0fQ", dot, NULL);
    assert_int_equal(via_header(p, keys, tampered, MAI_JOSE_ASYMMETRIC,
                                &tp2, &hit), MAI_JOSE_SIGNATURE);
    assert_true(hit);
    /* the caller's algorithms still decide */
    assert_int_equal(via_header(p, keys, good, MAI_JOSE_PS256, &tp2, &hit),
                     MAI_JOSE_ALG);
    assert_true(hit);
    /* with a kid: kept by thumbprint only, so never a header hit */
    assert_int_equal(via_header(p, keys, proof_with(p, other,
                                                    jwk_json(p, other, 0),
                                                    "k1", "{}"),
                                MAI_JOSE_ASYMMETRIC, &tp2, &hit),
                     MAI_JOSE_OK);
    assert_int_equal(via_header(p, keys, proof_with(p, other,
                                                    jwk_json(p, other, 0),
                                                    "k1", "{}"),
                                MAI_JOSE_ASYMMETRIC, &tp2, &hit),
                     MAI_JOSE_OK);
    assert_false(hit);
    assert_true(cached(p, keys, tp2));
    /* a private member: refused every time, never kept */
    assert_int_equal(via_header(p, keys, proof_with(p, ec, jwk_json(p, ec, 1),
                                                    NULL, "{}"),
                                MAI_JOSE_ASYMMETRIC, &tp2, &hit),
                     MAI_JOSE_BAD_KEY);
    assert_int_equal(via_header(p, keys, proof_with(p, ec, jwk_json(p, ec, 1),
                                                    NULL, "{}"),
                                MAI_JOSE_ASYMMETRIC, &tp2, &hit),
                     MAI_JOSE_BAD_KEY);
    assert_false(hit);
    cjose_jwk_release(ec);
    cjose_jwk_release(other);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_hit_miss),
    UNIT_TEST(test_eviction),
    UNIT_TEST(test_in_use_survives),
    UNIT_TEST(test_threads),
    UNIT_TEST(test_proof_keys),
    UNIT_TEST(test_proof_headers),
};
UNIT_MAIN(tests)
