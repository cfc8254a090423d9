/* SPDX-License-Identifier: Apache-2.0 */
/* test_scope_keys.c: a cache key from a prepared scope prefix is the full
 * computation's, bit for bit: for short and long scope strings, for more
 * scopes than the table holds, and from threads filling it at once. */
#include "unit.h"
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include "scope_keys.h"

#define SECRET "scope-keys-secret-0123456789abcdef0123456789"
#define NSCOPES 80              /* more than the table's slots */
#define NTHREADS 6

static mai_cache_scope_t scope_n(apr_pool_t *p, int n)
{
    mai_cache_scope_t s;

    s.endpoint = apr_psprintf(p, "https://as%d.example/introspect", n);
    s.client_id = n % 3 ? "client" : NULL;
    s.tls_verify = n % 2;
    /* past the key's 256-byte gathering buffer for some */
    s.ca_file = n % 5 ? NULL : apr_psprintf(p, "/etc/ssl/%0300d.pem", n);
    s.hint = n % 4 ? "access_token" : NULL;
    return s;
}

static void check(apr_pool_t *p, mai_scope_keys_t *t,
                  const mai_hmac_key_t *k, int n, const char *token)
{
    mai_cache_scope_t s = scope_n(p, n);
    unsigned char want[MAI_DIGEST_LEN], got[MAI_DIGEST_LEN];
    unsigned char th[MAI_DIGEST_LEN], want_th[MAI_DIGEST_LEN];

    mai_digest_cache_key(k, &s, token, want);
    mai_scope_keys_key(t, k, &s, token, got, th);
    assert_memory_equal(want, got, MAI_DIGEST_LEN);
    mai_digest_sha256(token, strlen(token), want_th);
    assert_memory_equal(want_th, th, MAI_DIGEST_LEN);
    /* the key taken later from the hash and the slot (an L1 miss) */
    memset(got, 0, sizeof(got));
    mai_scope_keys_key_of_hash(t, k, &s, mai_scope_keys_slot(t, k, &s), th,
                               got);
    assert_memory_equal(want, got, MAI_DIGEST_LEN);
}

static void test_same_key(void **state)
{
    apr_pool_t *p = *state;
    const mai_hmac_key_t *k = mai_hmac_key_make(p, SECRET, strlen(SECRET));
    mai_scope_keys_t *t = mai_scope_keys_create(p, k);
    int n, round;

    assert_non_null(t);
    /* first use prepares, the second finds: both must agree */
    for (round = 0; round < 2; round++) {
        for (n = 0; n < NSCOPES; n++) {
            check(p, t, k, n, "tok-a");
            check(p, t, k, n, apr_psprintf(p, "%0200d", n));
        }
    }
    /* no table, or another secret than the table's: full computation */
    check(p, NULL, k, 1, "tok-b");
    check(p, t, mai_hmac_key_make(p, "other", 5), 1, "tok-b");
}

/* A scope that differs in one field only has its own key. */
static void test_scopes_apart(void **state)
{
    apr_pool_t *p = *state;
    const mai_hmac_key_t *k = mai_hmac_key_make(p, SECRET, strlen(SECRET));
    mai_scope_keys_t *t = mai_scope_keys_create(p, k);
    mai_cache_scope_t a = scope_n(p, 1), b = a;
    unsigned char ka[MAI_DIGEST_LEN], kb[MAI_DIGEST_LEN];
    unsigned char th[MAI_DIGEST_LEN];

    b.tls_verify = !a.tls_verify;
    mai_scope_keys_key(t, k, &a, "tok", ka, th);
    mai_scope_keys_key(t, k, &b, "tok", kb, th);
    assert_memory_not_equal(ka, kb, MAI_DIGEST_LEN);
}

/* The per-process cache is keyed by (slot, token's SHA-256): a slot must
 * name one scope for good, and no two scopes may share one. A slot given
 * for another scope still yields the right key (the full computation). */
static void test_slots(void **state)
{
    apr_pool_t *p = *state;
    const mai_hmac_key_t *k = mai_hmac_key_make(p, SECRET, strlen(SECRET));
    mai_scope_keys_t *t = mai_scope_keys_create(p, k);
    int seen[NSCOPES + 1] = { 0 };
    unsigned char th[MAI_DIGEST_LEN], want[MAI_DIGEST_LEN];
    unsigned char got[MAI_DIGEST_LEN];
    mai_cache_scope_t s;
    int n, slot, nslots = 0;

    for (n = 0; n < NSCOPES; n++) {
        s = scope_n(p, n);
        slot = mai_scope_keys_slot(t, k, &s);
        assert_true(slot >= 0 && slot <= NSCOPES);
        assert_int_equal(mai_scope_keys_slot(t, k, &s), slot);
        if (slot) {
            assert_int_equal(seen[slot], 0);
            seen[slot] = 1;
            nslots++;
        }
    }
    /* the table fills up, then scopes past it have none */
    assert_int_equal(nslots, 64);
    s = scope_n(p, NSCOPES - 1);
    assert_int_equal(mai_scope_keys_slot(t, k, &s), 0);
    assert_int_equal(mai_scope_keys_slot(NULL, k, &s), 0);
    s = scope_n(p, 0);
    assert_int_equal(mai_scope_keys_slot(t, mai_hmac_key_make(p, "o", 1),
                                         &s), 0);
    /* scope 2's key asked for with scope 1's slot */
    mai_digest_sha256("tok", 3, th);
    s = scope_n(p, 2);
    mai_digest_cache_key(k, &s, "tok", want);
    mai_scope_keys_key_of_hash(t, k, &s, 1, th, got);
    assert_memory_equal(want, got, MAI_DIGEST_LEN);
}

/* A scope asked for again with the very strings it was first asked for
 * finds its slot by their addresses; the same text elsewhere finds the
 * same slot, other text (at any address) never does. */
static void test_slot_by_address(void **state)
{
    apr_pool_t *p = *state;
    const mai_hmac_key_t *k = mai_hmac_key_make(p, SECRET, strlen(SECRET));
    mai_scope_keys_t *t = mai_scope_keys_create(p, k);
    mai_cache_scope_t a = scope_n(p, 3), b = scope_n(p, 3), c;
    unsigned char want[MAI_DIGEST_LEN], got[MAI_DIGEST_LEN];
    unsigned char th[MAI_DIGEST_LEN];
    int slot_a, slot_c;

    slot_a = mai_scope_keys_slot(t, k, &a);
    assert_int_not_equal(slot_a, 0);
    assert_int_equal(mai_scope_keys_slot(t, k, &a), slot_a);
    assert_ptr_not_equal(a.endpoint, b.endpoint);
    assert_int_equal(mai_scope_keys_slot(t, k, &b), slot_a);
    /* one field apart, the other strings the same addresses */
    c = a;
    c.endpoint = "https://as3.example/introspect2";
    slot_c = mai_scope_keys_slot(t, k, &c);
    assert_int_not_equal(slot_c, 0);
    assert_int_not_equal(slot_c, slot_a);
    c = a;
    c.tls_verify = !a.tls_verify;
    assert_int_not_equal(mai_scope_keys_slot(t, k, &c), slot_a);
    c = a;
    c.signed_answer = !a.signed_answer;
    assert_int_not_equal(mai_scope_keys_slot(t, k, &c), slot_a);
    c = a;
    c.hint = "refresh_token";
    assert_int_not_equal(mai_scope_keys_slot(t, k, &c), slot_a);
    /* and the keys agree with the full computation either way */
    mai_digest_sha256("tok", 3, th);
    mai_digest_cache_key(k, &b, "tok", want);
    mai_scope_keys_key_of_hash(t, k, &a, slot_a, th, got);
    assert_memory_equal(want, got, MAI_DIGEST_LEN);
    mai_scope_keys_key_of_hash(t, k, &b, slot_a, th, got);
    assert_memory_equal(want, got, MAI_DIGEST_LEN);
}

typedef struct {
    mai_scope_keys_t *t;
    const mai_hmac_key_t *k;
    unit_barrier_t *start;
    int id;
} worker_t;

static void *APR_THREAD_FUNC work(apr_thread_t *th, void *data)
{
    worker_t *w = data;
    apr_pool_t *p;
    int n;

    apr_pool_create(&p, NULL);
    unit_barrier_wait(w->start);
    for (n = 0; n < NSCOPES; n++) {
        check(p, w->t, w->k, (n + w->id) % NSCOPES, "tok-threads");
    }
    apr_pool_destroy(p);
    apr_thread_exit(th, APR_SUCCESS);
    return NULL;
}

static void test_threads(void **state)
{
    apr_pool_t *p = *state;
    const mai_hmac_key_t *k = mai_hmac_key_make(p, SECRET, strlen(SECRET));
    mai_scope_keys_t *t = mai_scope_keys_create(p, k);
    apr_thread_t *th[NTHREADS];
    worker_t w[NTHREADS];
    unit_barrier_t start;
    apr_status_t rv;
    int i;

    unit_barrier_init(&start, NTHREADS, p);
    for (i = 0; i < NTHREADS; i++) {
        w[i].t = t;
        w[i].k = k;
        w[i].start = &start;
        w[i].id = i * 7;
        assert_int_equal(apr_thread_create(&th[i], NULL, work, &w[i], p),
                         APR_SUCCESS);
    }
    for (i = 0; i < NTHREADS; i++) {
        apr_thread_join(&rv, th[i]);
    }
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_same_key),
    UNIT_TEST(test_scopes_apart),
    UNIT_TEST(test_slots),
    UNIT_TEST(test_slot_by_address),
    UNIT_TEST(test_threads),
};
UNIT_MAIN(tests)
