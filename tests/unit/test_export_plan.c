/* SPDX-License-Identifier: Apache-2.0 */
/* test_export_plan.c: which claims are exported, under which names, and
 * what the header cap keeps and drops. */
#include "unit.h"
#include <apr_strings.h>
#include "export_plan.h"
#include "claim_path.h"
#include "claims_map.h"
#include "result_flat.h"

#define KC "{\"active\":true,\"sub\":\"u1\",\"email\":\"jos\\u00e9@x\"," \
    "\"realm_access\":{\"roles\":[\"admin\",\"user\"]}," \
    "\"resource_access\":{\"app\":{\"roles\":[\"editor\"]}}," \
    "\"ext\":{\"tenant\":\"acme\",\"o\":{\"k\":1}},\"claims\":\"fake\"," \
    "\"a.b\":\"dotted\",\"bad\":\"x\\ny\"}"

static const mai_result_t *kc(apr_pool_t *p)
{
    const mai_result_t *res = NULL;

    assert_int_equal(mai_result_parse(p, KC, strlen(KC), &res), MAI_OK);
    return res;
}

static mai_export_opts_t opts(int env, int headers)
{
    mai_export_opts_t o;

    o.env = env;
    o.headers = headers;
    o.whole_header = 1;
    o.paths = NULL;
    o.max_header_bytes = 0;
    return o;
}

static const apr_array_header_t *paths(apr_pool_t *p, const char *words)
{
    apr_array_header_t *a = apr_array_make(p, 4, sizeof(void *));
    char *copy = apr_pstrdup(p, words), *last, *w;
    const mai_claim_path_t *path;

    for (w = apr_strtok(copy, " ", &last); w; w = apr_strtok(NULL, " ",
                                                             &last)) {
        assert_null(mai_claim_path_parse(p, w, &path));
        APR_ARRAY_PUSH(a, const mai_claim_path_t *) = path;
    }
    return a;
}

/* What the sink was told, as tables: a test's view of r's environment
 * and request headers. */
typedef struct {
    apr_table_t *env;
    apr_table_t *headers;
    mai_export_cut_t cut;
} seen_t;

static void sink(void *ctx, int header, const char *name, const char *value)
{
    seen_t *s = ctx;
    apr_table_t *t = header ? s->headers : s->env;

    if (value) {
        apr_table_setn(t, name, value);
    }
    else {
        apr_table_unset(t, name);
    }
}

static const seen_t *plan(apr_pool_t *p, const mai_result_t *res,
                          const mai_export_opts_t *o)
{
    seen_t *s = apr_pcalloc(p, sizeof(*s));

    s->env = apr_table_make(p, 8);
    s->headers = apr_table_make(p, 8);
    mai_export_plan(p, res, o, sink, s, &s->cut);
    return s;
}

static const char *env(const seen_t *s, const char *name)
{
    return apr_table_get(s->env, name);
}

static const char *hdr(const seen_t *s, const char *name)
{
    return apr_table_get(s->headers, name);
}

static int count(const apr_table_t *t)
{
    return apr_table_elts(t)->nelts;
}

/* The header bytes of what the sink holds now. */
static apr_size_t bytes(const apr_table_t *t)
{
    const apr_array_header_t *a = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    apr_size_t n = 0;
    int i;

    for (i = 0; i < a->nelts; i++) {
        n += strlen(e[i].key) + strlen(e[i].val) + 4;
    }
    return n;
}

static void test_all_by_default(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *res = kc(p);
    mai_export_opts_t o = opts(1, 1);
    const seen_t *pl = plan(p, res, &o);

    assert_string_equal(env(pl, "INTROSPECT_SUB"), "u1");
    assert_string_equal(env(pl, "INTROSPECT_REALM_ACCESS"),
                        "{\"roles\":[\"admin\",\"user\"]}");
    assert_string_equal(env(pl, "INTROSPECT_A_B"), "dotted");
    assert_string_equal(env(pl, "INTROSPECT_BAD"), "x\ny");
    /* nested members are not exported on their own by default */
    assert_null(env(pl, "INTROSPECT_REALM_ACCESS_ROLES"));
    /* the whole answer owns INTROSPECT_CLAIMS: the claim "claims" never
     * shows there, not even for a moment */
    assert_string_equal(env(pl, "INTROSPECT_CLAIMS"), res->json);
    /* (é: the header value is encoded) */
    assert_string_equal(hdr(pl, "X-Introspect-Claims"),
                        mai_claims_header_value(p, res->json));
    assert_string_equal(hdr(pl, "X-Introspect-Sub"), "u1");
    assert_string_equal(hdr(pl, "X-Introspect-Email"),
                        "=?UTF-8?B?am9zw6lAeA==?=");
    assert_null(hdr(pl, "X-Introspect-Bad"));
    assert_int_equal(pl->cut.ndropped, 0);
    assert_null(pl->cut.dropped);

    o = opts(1, 0);
    pl = plan(p, res, &o);
    assert_int_equal(count(pl->headers), 0);
    assert_int_equal(pl->cut.header_bytes, 0);
    o = opts(0, 0);
    pl = plan(p, res, &o);
    assert_int_equal(count(pl->env), 0);
}

static void test_selected(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *res = kc(p);
    mai_export_opts_t o = opts(1, 1);
    const seen_t *pl;

    o.paths = paths(p, "sub realm_access.roles resource_access.app.roles "
                    "ext.tenant a\\.b ext.o missing claims");
    pl = plan(p, res, &o);
    assert_string_equal(env(pl, "INTROSPECT_SUB"), "u1");
    assert_string_equal(env(pl, "INTROSPECT_REALM_ACCESS_ROLES"),
                        "admin user");
    assert_string_equal(env(pl,
                            "INTROSPECT_RESOURCE_ACCESS_APP_ROLES"),
                        "editor");
    assert_string_equal(hdr(pl,
                            "X-Introspect-Resource-Access-App-Roles"),
                        "editor");
    assert_string_equal(env(pl, "INTROSPECT_EXT_TENANT"), "acme");
    assert_string_equal(hdr(pl, "X-Introspect-Ext-Tenant"),
                        "acme");
    assert_string_equal(env(pl, "INTROSPECT_A_B"), "dotted");
    /* a nested object has no text: nothing; unlisted claims: nothing */
    assert_null(env(pl, "INTROSPECT_EXT_O"));
    assert_null(env(pl, "INTROSPECT_EMAIL"));
    assert_null(hdr(pl, "X-Introspect-Email"));
    assert_null(env(pl, "INTROSPECT_REALM_ACCESS"));
    /* the whole answer is still the whole answer */
    assert_string_equal(env(pl, "INTROSPECT_CLAIMS"), res->json);
    /* 5 claims + INTROSPECT_CLAIMS */
    assert_int_equal(count(pl->env), 6);

    o.whole_header = 0;
    pl = plan(p, res, &o);
    assert_null(hdr(pl, "X-Introspect-Claims"));
    assert_string_equal(env(pl, "INTROSPECT_CLAIMS"), res->json);
    assert_int_equal(count(pl->headers), 5);
}

static apr_size_t hsize(const char *name, const char *value)
{
    return strlen(name) + strlen(value) + 4;
}

static void test_cap(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *res = kc(p);
    mai_export_opts_t o = opts(1, 1);
    const seen_t *pl;
    apr_size_t sub = hsize("X-Introspect-Sub", "u1");
    apr_size_t roles = hsize("X-Introspect-Realm-Access-Roles",
                             "admin user");
    apr_size_t tenant = hsize("X-Introspect-Ext-Tenant", "acme");
    apr_size_t whole = hsize("X-Introspect-Claims",
                             mai_claims_header_value(p, res->json));

    o.paths = paths(p, "sub realm_access.roles ext.tenant");
    pl = plan(p, res, &o);
    assert_int_equal(pl->cut.header_bytes, sub + roles + tenant + whole);

    /* exactly enough: nothing cut */
    o.max_header_bytes = sub + roles + tenant + whole;
    pl = plan(p, res, &o);
    assert_int_equal(pl->cut.ndropped, 0);
    assert_int_equal(count(pl->headers), 4);

    /* one byte less: the whole answer goes first */
    o.max_header_bytes--;
    pl = plan(p, res, &o);
    assert_int_equal(pl->cut.ndropped, 1);
    assert_string_equal(pl->cut.dropped, "X-Introspect-Claims");
    assert_null(hdr(pl, "X-Introspect-Claims"));
    assert_int_equal(pl->cut.header_bytes, sub + roles + tenant);
    assert_int_equal(bytes(pl->headers), pl->cut.header_bytes);
    /* the environment is never capped */
    assert_string_equal(env(pl, "INTROSPECT_CLAIMS"), res->json);
    assert_string_equal(env(pl, "INTROSPECT_EXT_TENANT"), "acme");

    /* room for sub and tenant only: roles is dropped, tenant still fits
     * after it (greedy in the listed order) */
    o.max_header_bytes = sub + tenant;
    pl = plan(p, res, &o);
    assert_int_equal(pl->cut.ndropped, 2);
    assert_string_equal(pl->cut.dropped,
                        "X-Introspect-Realm-Access-Roles, "
                        "X-Introspect-Claims");
    assert_string_equal(hdr(pl, "X-Introspect-Ext-Tenant"),
                        "acme");
    assert_int_equal(pl->cut.header_bytes, sub + tenant);
    assert_int_equal(bytes(pl->headers), sub + tenant);

    /* 0 is no cap */
    o.max_header_bytes = 0;
    pl = plan(p, res, &o);
    assert_int_equal(pl->cut.ndropped, 0);
}

/* Many dropped headers: the log line names 20 and counts the rest. */
static void test_cap_many(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *a = apr_array_make(p, 30, sizeof(char *));
    const mai_result_t *res = NULL;
    const char *json;
    mai_export_opts_t o = opts(0, 1);
    const seen_t *pl;
    int i;

    for (i = 0; i < 30; i++) {
        APR_ARRAY_PUSH(a, char *) = apr_psprintf(p, "\"c%02d\":\"v\"", i);
    }
    json = apr_pstrcat(p, "{", apr_array_pstrcat(p, a, ','), "}", NULL);
    assert_int_equal(mai_result_parse(p, json, strlen(json), &res), MAI_OK);
    o.max_header_bytes = hsize("X-Introspect-C00", "v");
    pl = plan(p, res, &o);
    assert_int_equal(count(pl->headers), 1);
    assert_int_equal(pl->cut.ndropped, 30);
    assert_non_null(strstr(pl->cut.dropped, "X-Introspect-C01, "));
    assert_non_null(strstr(pl->cut.dropped, "X-Introspect-C20 and 10 more"));
    assert_null(strstr(pl->cut.dropped, "C21"));
}

/* Two claims with one header name: the later wins, and only its bytes
 * count. */
static void test_same_name(void **state)
{
    apr_pool_t *p = *state;
    const char *json = "{\"a-b\":\"first-long-value\",\"a_b\":\"2nd\"}";
    const mai_result_t *res = NULL;
    mai_export_opts_t o = opts(0, 1);
    const seen_t *pl;

    assert_int_equal(mai_result_parse(p, json, strlen(json), &res), MAI_OK);
    o.whole_header = 0;
    o.max_header_bytes = hsize("X-Introspect-A-B", "2nd");
    pl = plan(p, res, &o);
    assert_int_equal(count(pl->headers), 1);
    assert_string_equal(hdr(pl, "X-Introspect-A-B"), "2nd");
    assert_int_equal(pl->cut.header_bytes, o.max_header_bytes);
    assert_int_equal(bytes(pl->headers), o.max_header_bytes);

    /* the later one does not fit: the earlier one goes too, so the name
     * never carries the other claim's value */
    json = "{\"a-b\":\"1\",\"a_b\":\"second-value-is-much-longer\","
           "\"c\":\"3\"}";
    assert_int_equal(mai_result_parse(p, json, strlen(json), &res), MAI_OK);
    o.max_header_bytes = hsize("X-Introspect-A-B", "1")
                         + hsize("X-Introspect-C", "3");
    pl = plan(p, res, &o);
    assert_null(hdr(pl, "X-Introspect-A-B"));
    assert_string_equal(hdr(pl, "X-Introspect-C"), "3");
    assert_int_equal(pl->cut.ndropped, 1);
    assert_int_equal(pl->cut.header_bytes, hsize("X-Introspect-C", "3"));
    assert_int_equal(bytes(pl->headers), pl->cut.header_bytes);
}

/* Every call the sink gets, in order, as text. */
typedef struct {
    apr_pool_t *p;
    const char *calls;
} record_t;

static void recorder(void *ctx, int header, const char *name,
                     const char *value)
{
    record_t *r = ctx;

    r->calls = apr_psprintf(r->p, "%s%c %s=%s\n", r->calls,
                            header ? 'h' : 'e', name,
                            value ? value : "(unset)");
}

static const char *calls(apr_pool_t *p, const mai_result_t *res,
                         const mai_export_opts_t *o)
{
    record_t r;
    mai_export_cut_t cut;

    r.p = p;
    r.calls = "";
    mai_export_plan(p, res, o, recorder, &r, &cut);
    return apr_psprintf(p, "%s[%d dropped: %s]", r.calls, cut.ndropped,
                        cut.dropped ? cut.dropped : "");
}

/* An answer copied into the per-process cache carries its claims'
 * environment names (result_flat.h), which a hit exports without
 * building them: the exports are exactly the parsed answer's, under
 * every option. */
static void test_cached_names(void **state)
{
    static const char *const answers[] = {
        KC,
        "{\"active\":true,\"sub\":\"=?not-encoded\",\"n\":42,"
        "\"x_y\":[\"a\",\"b\"],\"nul\":null,\"t\":true,"
        "\"deep\":[{\"k\":\"v\"}],\"\\u00e9t\\u00e9\":\"\\u00e9\"}",
        "{\"active\":false}",
        "{\"active\":true,\"a-b\":\"1\",\"a_b\":\"2\"}",
    };
    apr_pool_t *p = *state;
    mai_export_opts_t o[5];
    size_t i, j;
    int k;

    o[0] = opts(1, 0);
    o[1] = opts(0, 1);
    o[2] = opts(1, 1);
    o[3] = opts(1, 1);
    o[3].paths = paths(p, "sub realm_access.roles ext.tenant a.b n claims");
    o[4] = opts(1, 1);
    o[4].max_header_bytes = 60;
    for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
        const mai_result_t *res = NULL, *flat, *again;

        assert_int_equal(mai_result_parse(p, answers[i], strlen(answers[i]),
                                          &res), MAI_OK);
        flat = mai_result_copy(p, res);
        again = mai_result_copy(p, flat);
        for (k = 0; k < res->nclaims; k++) {
            const mai_claim_t *c = &flat->claims[k];

            assert_null(res->claims[k].env_name);
            if (c->text) {
                assert_string_equal(c->env_name,
                                    mai_claims_env_name(p, c->name));
                assert_string_equal(again->claims[k].env_name, c->env_name);
            }
        }
        for (j = 0; j < sizeof(o) / sizeof(o[0]); j++) {
            const char *want = calls(p, res, &o[j]);

            assert_string_equal(calls(p, flat, &o[j]), want);
            assert_string_equal(calls(p, again, &o[j]), want);
        }
    }
}

/* The same tables, entry by entry and in order. */
static void same_table(const apr_table_t *a, const apr_table_t *b)
{
    const apr_array_header_t *x = apr_table_elts(a), *y = apr_table_elts(b);
    const apr_table_entry_t *ex = (const apr_table_entry_t *)x->elts;
    const apr_table_entry_t *ey = (const apr_table_entry_t *)y->elts;
    int i;

    assert_int_equal(x->nelts, y->nelts);
    for (i = 0; i < x->nelts; i++) {
        assert_string_equal(ex[i].key, ey[i].key);
        assert_string_equal(ex[i].val, ey[i].val);
    }
}

/* What L1 prepares (mai_export_prepare, copied beside the stored answer)
 * and a hit adds to empty tables is exactly what mai_export_plan's sets
 * leave there, names replaced, removed or cut included; strings of the
 * stored answer are pointed to, not copied. */
static void test_prepared(void **state)
{
    static const char *const answers[] = {
        KC,
        "{\"active\":true,\"sub\":\"=?x\",\"n\":42,\"\\u00e9\":\"\\u00e9\"}",
        "{\"active\":true,\"a-b\":\"1\",\"a_b\":\"second-value-long\","
        "\"c\":\"3\",\"A_B\":\"4\"}",
        "{\"active\":false}",
    };
    apr_pool_t *p = *state;
    mai_export_opts_t o[6];
    size_t i, j;
    int k;

    o[0] = opts(1, 0);
    o[1] = opts(0, 1);
    o[2] = opts(1, 1);
    o[3] = opts(1, 1);
    o[3].paths = paths(p, "sub realm_access.roles ext.tenant a.b n claims");
    o[4] = opts(1, 1);
    o[4].max_header_bytes = 60;
    o[5] = opts(0, 1);
    o[5].whole_header = 0;
    o[5].max_header_bytes = hsize("X-Introspect-A-B", "1")
                            + hsize("X-Introspect-C", "3");
    for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
        const mai_result_t *res = NULL, *flat;
        apr_size_t size;
        char *block;

        assert_int_equal(mai_result_parse(p, answers[i], strlen(answers[i]),
                                          &res), MAI_OK);
        size = mai_result_flat_size(res);
        block = apr_palloc(p, size);
        flat = mai_result_flat_copy(block, size, res);
        assert_non_null(flat);
        for (j = 0; j < sizeof(o) / sizeof(o[0]); j++) {
            const seen_t *want = plan(p, flat, &o[j]);
            const mai_export_prepared_t *x = mai_export_prepare(p, flat,
                                                                &o[j]);
            const mai_export_prepared_t *y;
            apr_size_t n = mai_export_prepared_size(x, block, block + size);
            seen_t got;

            assert_null(mai_export_prepared_copy(apr_palloc(p, n), n - 1, x,
                                                 block, block + size));
            y = mai_export_prepared_copy(apr_palloc(p, n), n, x, block,
                                         block + size);
            assert_non_null(y);
            assert_true(y->res == flat);
            assert_true(mai_export_prepared_for(y, &o[j]));
            got.env = apr_table_make(p, 1);
            got.headers = apr_table_make(p, 1);
            for (k = 0; k < y->nitems; k++) {
                apr_table_addn(y->items[k].header ? got.headers : got.env,
                               y->items[k].name, y->items[k].value);
                assert_true(strncasecmp(y->items[k].name,
                                        y->items[k].header
                                        ? MAI_HEADER_PREFIX
                                        : MAI_ENV_PREFIX,
                                        strlen(y->items[k].header
                                               ? MAI_HEADER_PREFIX
                                               : MAI_ENV_PREFIX)) == 0);
                if (!y->items[k].header
                    && !strcmp(y->items[k].name, MAI_EXPORT_ENV_ALL)) {
                    assert_true(y->items[k].value == flat->json);
                }
            }
            same_table(got.env, want->env);
            same_table(got.headers, want->headers);
            assert_int_equal(y->cut.ndropped, want->cut.ndropped);
            assert_int_equal(y->cut.header_bytes, want->cut.header_bytes);
            if (want->cut.dropped) {
                assert_string_equal(y->cut.dropped, want->cut.dropped);
            }
            else {
                assert_null(y->cut.dropped);
            }
        }
        o[0].env = 0;
        assert_null(mai_export_prepare(p, flat, &o[0]));
        o[0].env = 1;
        assert_false(mai_export_prepared_for(mai_export_prepare(p, flat,
                                                                &o[2]),
                                             &o[4]));
    }
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_all_by_default),
    UNIT_TEST(test_selected),
    UNIT_TEST(test_cap),
    UNIT_TEST(test_cap_many),
    UNIT_TEST(test_same_name),
    UNIT_TEST(test_cached_names),
    UNIT_TEST(test_prepared),
};
UNIT_MAIN(tests)
