/* SPDX-License-Identifier: Apache-2.0 */
/* test_result_flat.c: a result copied into one exact-size block must equal
 * the original in every field and owe nothing to the pool it came from. */
#include "unit.h"
#include <stdlib.h>
#include "result.h"
#include "result_flat.h"

#define RICH "{\"active\":true,\"scope\":\"read  write admin \"," \
    "\"client_id\":\"app-1\",\"username\":\"jdoe\",\"token_type\":" \
    "\"Bearer\",\"exp\":1700003600,\"iat\":1700000000,\"nbf\":1699999990," \
    "\"sub\":\"Z5O3upPC88QrAjx00dis\",\"aud\":[\"https://rs.example\"," \
    "\"api\"],\"iss\":\"https://as.example/\",\"ratio\":1.5," \
    "\"admin\":false,\"nothing\":null,\"groups\":[\"g1\",\"g2\",\"g3\"]," \
    "\"empty\":[],\"mixed\":[1,\"two\",true],\"nested\":{\"a\":[1," \
    "{\"b\":null}],\"c\":\"d\"},\"objs\":[{\"x\":1}]," \
    "\"uni\":\"caf\\u00e9 \\u2615\",\"blank\":\"\"}"

/* A pool with its own allocator: destroying it really frees the memory,
 * so valgrind sees any pointer the copy kept into it. */
static apr_pool_t *own_pool(void)
{
    apr_pool_t *p = NULL;
    assert_int_equal(apr_pool_create_unmanaged_ex(&p, NULL, NULL),
                     APR_SUCCESS);
    return p;
}

typedef struct {
    const char *lo, *hi;
} span_t;

static void assert_inside(const span_t *s, const void *ptr)
{
    const char *c = ptr;
    if (c < s->lo || c >= s->hi) {
        fail_msg("pointer %p outside the block [%p, %p)", ptr,
                 (const void *)s->lo, (const void *)s->hi);
    }
}

static void assert_str_copy(const span_t *s, const char *a, const char *b)
{
    if (!a || !b) {
        assert_true(a == b);
        return;
    }
    assert_inside(s, b);
    assert_inside(s, b + strlen(b));
    assert_string_equal(a, b);
}

static void assert_strv_copy(const span_t *s, const char *const *a,
                             const char *const *b, int n)
{
    int i;

    if (!a || !b) {
        assert_true(a == b);
        return;
    }
    assert_inside(s, b);
    assert_inside(s, &b[n]);
    for (i = 0; i < n; i++) {
        assert_str_copy(s, a[i], b[i]);
    }
    assert_null(b[n]);
}

/* c[0..n) is a deep copy of r[0..n), members of objects included. */
static void assert_claims_copy(const span_t *s, const mai_claim_t *r,
                               const mai_claim_t *c, int n)
{
    int i;

    if (!r || !c) {
        assert_true(r == c);
        return;
    }
    assert_inside(s, c);
    for (i = 0; i < n; i++) {
        assert_inside(s, &c[i]);
        assert_int_equal(c[i].kind, r[i].kind);
        assert_str_copy(s, r[i].name, c[i].name);
        assert_str_copy(s, r[i].text, c[i].text);
        assert_int_equal(c[i].nitems, r[i].nitems);
        assert_strv_copy(s, r[i].items, c[i].items, r[i].nitems);
        assert_int_equal(c[i].nmembers, r[i].nmembers);
        assert_claims_copy(s, r[i].members, c[i].members, r[i].nmembers);
    }
}

/* c is a deep copy of r, every byte of it inside s. */
static void assert_deep_copy(const span_t *s, const mai_result_t *r,
                             const mai_result_t *c)
{

    assert_inside(s, c);
    assert_int_equal(c->active, r->active);
    assert_int_equal(c->has_exp, r->has_exp);
    assert_int_equal(c->has_nbf, r->has_nbf);
    assert_true(c->exp == r->exp);
    assert_true(c->nbf == r->nbf);
    assert_str_copy(s, r->iss, c->iss);
    assert_str_copy(s, r->client_id, c->client_id);
    assert_str_copy(s, r->token_type, c->token_type);
    assert_int_equal(c->nscopes, r->nscopes);
    assert_strv_copy(s, r->scopes, c->scopes, r->nscopes);
    assert_int_equal(c->nauds, r->nauds);
    assert_strv_copy(s, r->auds, c->auds, r->nauds);
    assert_str_copy(s, r->json, c->json);
    assert_int_equal(c->nclaims, r->nclaims);
    assert_inside(s, c->claims);
    assert_claims_copy(s, r->claims, c->claims, r->nclaims);
    /* the names' tags too, in the block, byte for byte */
    assert_non_null(r->name_tags);
    assert_inside(s, c->name_tags);
    assert_inside(s, c->name_tags + c->nclaims - (c->nclaims > 0));
    assert_memory_equal(c->name_tags, r->name_tags, (size_t)r->nclaims);
}

/* Parse json in a pool of its own, flat-copy it into a malloc'd block of
 * exactly the announced size, check the copy, then free the source. */
static mai_result_t *flat_of(const char *json, void **block)
{
    apr_pool_t *src = own_pool();
    const mai_result_t *r = NULL;
    apr_size_t size;
    mai_result_t *c;
    span_t s;

    assert_int_equal(mai_result_parse(src, json, strlen(json), &r), MAI_OK);
    size = mai_result_flat_size(r);
    assert_true(size >= sizeof(mai_result_t));
    /* measuring twice gives the same answer */
    assert_true(mai_result_flat_size(r) == size);
    *block = malloc(size);
    assert_non_null(*block);
    c = mai_result_flat_copy(*block, size, r);
    assert_ptr_equal(c, *block);
    s.lo = *block;
    s.hi = (const char *)*block + size;
    assert_deep_copy(&s, r, c);
    apr_pool_destroy(src);
    return c;
}

static const mai_claim_t *claim(const mai_result_t *r, const char *name,
                                mai_claim_kind_t kind)
{
    const mai_claim_t *c = mai_result_claim(r, name);
    assert_non_null(c);
    assert_int_equal(c->kind, kind);
    return c;
}

static void test_rich_fields(void **state)
{
    void *block;
    const mai_result_t *c = flat_of(RICH, &block);

    /* read only after the source pool is gone */
    assert_int_equal(c->active, 1);
    assert_true(c->has_exp && c->exp == 1700003600);
    assert_true(c->has_nbf && c->nbf == 1699999990);
    assert_string_equal(c->iss, "https://as.example/");
    assert_string_equal(c->client_id, "app-1");
    assert_string_equal(c->token_type, "Bearer");
    assert_int_equal(c->nscopes, 3);
    assert_string_equal(c->scopes[0], "read");
    assert_string_equal(c->scopes[1], "write");
    assert_string_equal(c->scopes[2], "admin");
    assert_null(c->scopes[3]);
    assert_int_equal(c->nauds, 2);
    assert_string_equal(c->auds[0], "https://rs.example");
    assert_string_equal(c->auds[1], "api");
    assert_null(c->auds[2]);
    assert_int_equal(c->nclaims, 21);
    assert_string_equal(c->claims[0].name, "active");
    assert_string_equal(c->claims[20].name, "blank");
    assert_non_null(c->json);
    assert_non_null(strstr(c->json, "\"Z5O3upPC88QrAjx00dis\""));
    free(block);
}

static void test_rich_claims(void **state)
{
    void *block;
    const mai_result_t *c = flat_of(RICH, &block);
    const mai_claim_t *cl;

    cl = claim(c, "ratio", MAI_CLAIM_NUMBER);
    assert_string_equal(cl->text, "1.5");
    assert_int_equal(cl->nitems, 1);
    assert_string_equal(cl->items[0], "1.5");
    cl = claim(c, "exp", MAI_CLAIM_NUMBER);
    assert_string_equal(cl->text, "1700003600");
    cl = claim(c, "admin", MAI_CLAIM_BOOL);
    assert_string_equal(cl->text, "false");
    cl = claim(c, "nothing", MAI_CLAIM_NULL);
    assert_string_equal(cl->text, "");
    assert_int_equal(cl->nitems, 0);
    cl = claim(c, "groups", MAI_CLAIM_ARRAY);
    assert_string_equal(cl->text, "g1 g2 g3");
    assert_int_equal(cl->nitems, 3);
    assert_string_equal(cl->items[2], "g3");
    cl = claim(c, "empty", MAI_CLAIM_ARRAY);
    assert_string_equal(cl->text, "");
    assert_int_equal(cl->nitems, 0);
    cl = claim(c, "mixed", MAI_CLAIM_ARRAY);
    assert_string_equal(cl->text, "1 two true");
    assert_string_equal(cl->items[1], "two");
    cl = claim(c, "nested", MAI_CLAIM_OBJECT);
    assert_string_equal(cl->text, "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}");
    assert_null(cl->items);
    /* its members, for dotted paths, survive the copy too */
    assert_int_equal(cl->nmembers, 2);
    assert_string_equal(cl->members[0].name, "a");
    assert_null(cl->members[0].text);
    assert_null(cl->members[0].items);
    assert_string_equal(cl->members[1].name, "c");
    assert_string_equal(cl->members[1].items[0], "d");
    cl = claim(c, "objs", MAI_CLAIM_ARRAY);
    assert_string_equal(cl->text, "[{\"x\":1}]");
    assert_null(cl->items);
    cl = claim(c, "uni", MAI_CLAIM_STRING);
    assert_string_equal(cl->text, "caf\xc3\xa9 \xe2\x98\x95");
    cl = claim(c, "blank", MAI_CLAIM_STRING);
    assert_string_equal(cl->text, "");
    assert_int_equal(cl->nitems, 1);
    cl = claim(c, "aud", MAI_CLAIM_ARRAY);
    assert_string_equal(cl->text, "https://rs.example api");
    assert_null(mai_result_claim(c, "absent"));
    free(block);
}

/* The copy works with the rest of the result API as the original does. */
static void test_copy_checks_like_original(void **state)
{
    apr_pool_t *p = *state;
    void *block;
    const mai_result_t *c = flat_of(RICH, &block);
    apr_array_header_t *names = apr_array_make(p, 2, sizeof(char *));

    APR_ARRAY_PUSH(names, const char *) = "username";
    assert_string_equal(mai_result_user(c, names), "jdoe");
    assert_int_equal(mai_result_check(c, 1700000000, 0,
                                      "https://as.example/", NULL), MAI_OK);
    assert_int_equal(mai_result_check(c, 1700003600, 0, NULL, NULL),
                     MAI_STATUS_EXPIRED);
    assert_int_equal(mai_result_check(c, 1700000000, 0, "https://x/", NULL),
                     MAI_STATUS_WRONG_ISSUER);
    free(block);
}

static void test_minimal_inactive(void **state)
{
    void *block;
    const mai_result_t *c = flat_of("{\"active\":false}", &block);

    assert_int_equal(c->active, 0);
    assert_false(c->has_exp);
    assert_false(c->has_nbf);
    assert_null(c->iss);
    assert_null(c->client_id);
    assert_null(c->token_type);
    assert_int_equal(c->nscopes, 0);
    assert_int_equal(c->nauds, 0);
    assert_null(c->auds);
    assert_int_equal(c->nclaims, 1);
    assert_string_equal(c->claims[0].name, "active");
    assert_int_equal(c->claims[0].kind, MAI_CLAIM_BOOL);
    assert_string_equal(c->claims[0].text, "false");
    assert_string_equal(c->json, "{\"active\":false}");
    assert_int_equal(mai_result_check(c, 0, 0, NULL, NULL),
                     MAI_STATUS_INACTIVE);
    free(block);
}

/* A single-string aud and an empty scope give their own shapes. */
static void test_string_aud_empty_scope(void **state)
{
    void *block;
    const mai_result_t *c = flat_of("{\"active\":true,\"aud\":\"api\","
                                    "\"scope\":\"\"}", &block);

    assert_int_equal(c->nauds, 1);
    assert_string_equal(c->auds[0], "api");
    assert_null(c->auds[1]);
    assert_int_equal(c->nscopes, 0);
    assert_non_null(c->scopes);
    assert_null(c->scopes[0]);
    free(block);
}

/* Bigger results need more room: the size tracks content, not a cap. */
static void test_size_grows_with_content(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *small = NULL, *big = NULL;
    const char *js = "{\"active\":true}";
    const char *jb = "{\"active\":true,\"sub\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}";

    assert_int_equal(mai_result_parse(p, js, strlen(js), &small), MAI_OK);
    assert_int_equal(mai_result_parse(p, jb, strlen(jb), &big), MAI_OK);
    /* the 120-byte value appears twice: in the claim and in json */
    assert_true(mai_result_flat_size(big)
                >= mai_result_flat_size(small) + 240);
}

/* A buffer one byte (or more) short is refused, and nothing is written
 * past its end: the copy pass checks the bound itself. */
static void test_short_buffer_refused(void **state)
{
    apr_pool_t *p = *state;
    const char *json = "{\"active\":true,\"sub\":\"alice\",\"scope\":"
                       "\"a b c\",\"aud\":[\"x\",\"y\"],\"roles\":[\"r1\"]}";
    const mai_result_t *r = NULL;
    apr_size_t size, n, i;
    unsigned char *buf;

    assert_int_equal(mai_result_parse(p, json, strlen(json), &r), MAI_OK);
    size = mai_result_flat_size(r);
    buf = apr_palloc(p, size + 64);
    for (n = 0; n < size; n += 8) {
        memset(buf, 0xa5, size + 64);
        assert_null(mai_result_flat_copy(buf, n, r));
        for (i = n; i < size + 64; i++) {
            assert_int_equal(buf[i], 0xa5);
        }
    }
    assert_non_null(mai_result_flat_copy(buf, size, r));
}

/* Strings the parser shares stay shared in the copy: each is copied
 * once (the copy's cost on every L1 store is per string), and the
 * fields still read the right text. */
static void test_shared_strings(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *r = NULL, *c;
    const mai_claim_t *sub, *aud;
    apr_size_t size;

    assert_int_equal(mai_result_parse(p, RICH, strlen(RICH), &r), MAI_OK);
    size = mai_result_flat_size(r);
    c = mai_result_flat_copy(apr_palloc(p, size), size, r);
    assert_non_null(c);
    assert_ptr_equal(c->iss, mai_result_claim(c, "iss")->text);
    assert_ptr_equal(c->client_id, mai_result_claim(c, "client_id")->text);
    assert_ptr_equal(c->token_type,
                     mai_result_claim(c, "token_type")->text);
    aud = mai_result_claim(c, "aud");
    assert_ptr_equal(c->auds, aud->items);
    assert_int_equal(c->nauds, 2);
    sub = mai_result_claim(c, "sub");
    assert_int_equal(sub->nitems, 1);
    assert_ptr_equal(sub->items[0], sub->text);
    assert_null(sub->items[1]);
    assert_string_equal(sub->text, "Z5O3upPC88QrAjx00dis");
}

/* A result whose fields share nothing with its claims (built by hand)
 * still gets every field copied into the block. */
static void test_unshared_fields_copied(void **state)
{
    apr_pool_t *p = *state;
    static const char *const items[] = { "v", NULL };
    static const char *const auds[] = { "a1", NULL };
    mai_claim_t cl[2];
    mai_result_t r;
    const mai_result_t *c;
    span_t s;
    apr_size_t size;

    memset(cl, 0, sizeof(cl));
    cl[0].name = "iss";
    cl[0].kind = MAI_CLAIM_STRING;
    cl[0].text = "v";
    cl[0].items = items;
    cl[0].nitems = 1;
    memset(&r, 0, sizeof(r));
    r.iss = "other";
    r.client_id = "cid";
    r.auds = auds;
    r.nauds = 1;
    r.claims = cl;
    r.nclaims = 1;
    size = mai_result_flat_size(&r);
    c = mai_result_flat_copy(apr_palloc(p, size), size, &r);
    assert_non_null(c);
    s.lo = (const char *)c;
    s.hi = (const char *)c + size;
    assert_str_copy(&s, "other", c->iss);
    assert_str_copy(&s, "cid", c->client_id);
    assert_strv_copy(&s, auds, c->auds, 1);
    assert_strv_copy(&s, items, c->claims[0].items, 1);
    assert_str_copy(&s, "v", c->claims[0].text);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_rich_fields),
    UNIT_TEST(test_rich_claims),
    UNIT_TEST(test_copy_checks_like_original),
    UNIT_TEST(test_minimal_inactive),
    UNIT_TEST(test_string_aud_empty_scope),
    UNIT_TEST(test_size_grows_with_content),
    UNIT_TEST(test_short_buffer_refused),
    UNIT_TEST(test_shared_strings),
    UNIT_TEST(test_unshared_fields_copied),
};
UNIT_MAIN(tests)
