/* SPDX-License-Identifier: Apache-2.0 */
/* test_export_plan.c: which claims are exported, under which names, and
 * what the header cap keeps and drops. */
#include "unit.h"
#include <apr_strings.h>
#include "export_plan.h"
#include "claim_path.h"
#include "claims_map.h"

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

/* The value of name in items (the last one set wins), or NULL. */
static const char *get(const apr_array_header_t *items, const char *name)
{
    const mai_export_item_t *it = (const mai_export_item_t *)items->elts;
    const char *v = NULL;
    int i;

    for (i = 0; i < items->nelts; i++) {
        if (!strcmp(it[i].name, name)) {
            v = it[i].value;
        }
    }
    return v;
}

static void test_all_by_default(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *res = kc(p);
    mai_export_opts_t o = opts(1, 1);
    const mai_export_plan_t *pl = mai_export_plan(p, res, &o);

    assert_string_equal(get(pl->env, "INTROSPECT_SUB"), "u1");
    assert_string_equal(get(pl->env, "INTROSPECT_REALM_ACCESS"),
                        "{\"roles\":[\"admin\",\"user\"]}");
    assert_string_equal(get(pl->env, "INTROSPECT_A_B"), "dotted");
    assert_string_equal(get(pl->env, "INTROSPECT_BAD"), "x\ny");
    /* nested members are not exported on their own by default */
    assert_null(get(pl->env, "INTROSPECT_REALM_ACCESS_ROLES"));
    /* the whole answer owns INTROSPECT_CLAIMS: the claim "claims" never
     * shows there, not even for a moment */
    assert_string_equal(get(pl->env, "INTROSPECT_CLAIMS"), res->json);
    /* (é: the header value is encoded) */
    assert_string_equal(get(pl->headers, "X-Introspect-Claims"),
                        mai_claims_header_value(p, res->json));
    assert_string_equal(get(pl->headers, "X-Introspect-Sub"), "u1");
    assert_string_equal(get(pl->headers, "X-Introspect-Email"),
                        "=?UTF-8?B?am9zw6lAeA==?=");
    assert_null(get(pl->headers, "X-Introspect-Bad"));
    assert_int_equal(pl->ndropped, 0);
    assert_null(pl->dropped);

    o = opts(1, 0);
    pl = mai_export_plan(p, res, &o);
    assert_int_equal(pl->headers->nelts, 0);
    assert_int_equal(pl->header_bytes, 0);
    o = opts(0, 0);
    pl = mai_export_plan(p, res, &o);
    assert_int_equal(pl->env->nelts, 0);
}

static void test_selected(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *res = kc(p);
    mai_export_opts_t o = opts(1, 1);
    const mai_export_plan_t *pl;

    o.paths = paths(p, "sub realm_access.roles resource_access.app.roles "
                    "ext.tenant a\\.b ext.o missing claims");
    pl = mai_export_plan(p, res, &o);
    assert_string_equal(get(pl->env, "INTROSPECT_SUB"), "u1");
    assert_string_equal(get(pl->env, "INTROSPECT_REALM_ACCESS_ROLES"),
                        "admin user");
    assert_string_equal(get(pl->env,
                            "INTROSPECT_RESOURCE_ACCESS_APP_ROLES"),
                        "editor");
    assert_string_equal(get(pl->headers,
                            "X-Introspect-Resource-Access-App-Roles"),
                        "editor");
    assert_string_equal(get(pl->env, "INTROSPECT_EXT_TENANT"), "acme");
    assert_string_equal(get(pl->headers, "X-Introspect-Ext-Tenant"),
                        "acme");
    assert_string_equal(get(pl->env, "INTROSPECT_A_B"), "dotted");
    /* a nested object has no text: nothing; unlisted claims: nothing */
    assert_null(get(pl->env, "INTROSPECT_EXT_O"));
    assert_null(get(pl->env, "INTROSPECT_EMAIL"));
    assert_null(get(pl->headers, "X-Introspect-Email"));
    assert_null(get(pl->env, "INTROSPECT_REALM_ACCESS"));
    /* the whole answer is still the whole answer */
    assert_string_equal(get(pl->env, "INTROSPECT_CLAIMS"), res->json);
    /* 5 claims + INTROSPECT_CLAIMS */
    assert_int_equal(pl->env->nelts, 6);

    o.whole_header = 0;
    pl = mai_export_plan(p, res, &o);
    assert_null(get(pl->headers, "X-Introspect-Claims"));
    assert_string_equal(get(pl->env, "INTROSPECT_CLAIMS"), res->json);
    assert_int_equal(pl->headers->nelts, 5);
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
    const mai_export_plan_t *pl;
    apr_size_t sub = hsize("X-Introspect-Sub", "u1");
    apr_size_t roles = hsize("X-Introspect-Realm-Access-Roles",
                             "admin user");
    apr_size_t tenant = hsize("X-Introspect-Ext-Tenant", "acme");
    apr_size_t whole = hsize("X-Introspect-Claims",
                             mai_claims_header_value(p, res->json));

    o.paths = paths(p, "sub realm_access.roles ext.tenant");
    pl = mai_export_plan(p, res, &o);
    assert_int_equal(pl->header_bytes, sub + roles + tenant + whole);

    /* exactly enough: nothing cut */
    o.max_header_bytes = sub + roles + tenant + whole;
    pl = mai_export_plan(p, res, &o);
    assert_int_equal(pl->ndropped, 0);
    assert_int_equal(pl->headers->nelts, 4);

    /* one byte less: the whole answer goes first */
    o.max_header_bytes--;
    pl = mai_export_plan(p, res, &o);
    assert_int_equal(pl->ndropped, 1);
    assert_string_equal(pl->dropped, "X-Introspect-Claims");
    assert_null(get(pl->headers, "X-Introspect-Claims"));
    assert_int_equal(pl->header_bytes, sub + roles + tenant);
    /* the environment is never capped */
    assert_string_equal(get(pl->env, "INTROSPECT_CLAIMS"), res->json);
    assert_string_equal(get(pl->env, "INTROSPECT_EXT_TENANT"), "acme");

    /* room for sub and tenant only: roles is dropped, tenant still fits
     * after it (greedy in the listed order) */
    o.max_header_bytes = sub + tenant;
    pl = mai_export_plan(p, res, &o);
    assert_int_equal(pl->ndropped, 2);
    assert_string_equal(pl->dropped,
                        "X-Introspect-Realm-Access-Roles, "
                        "X-Introspect-Claims");
    assert_string_equal(get(pl->headers, "X-Introspect-Ext-Tenant"),
                        "acme");
    assert_int_equal(pl->header_bytes, sub + tenant);

    /* 0 is no cap */
    o.max_header_bytes = 0;
    pl = mai_export_plan(p, res, &o);
    assert_int_equal(pl->ndropped, 0);
}

/* Many dropped headers: the log line names 20 and counts the rest. */
static void test_cap_many(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *a = apr_array_make(p, 30, sizeof(char *));
    const mai_result_t *res = NULL;
    const char *json;
    mai_export_opts_t o = opts(0, 1);
    const mai_export_plan_t *pl;
    int i;

    for (i = 0; i < 30; i++) {
        APR_ARRAY_PUSH(a, char *) = apr_psprintf(p, "\"c%02d\":\"v\"", i);
    }
    json = apr_pstrcat(p, "{", apr_array_pstrcat(p, a, ','), "}", NULL);
    assert_int_equal(mai_result_parse(p, json, strlen(json), &res), MAI_OK);
    o.max_header_bytes = hsize("X-Introspect-C00", "v");
    pl = mai_export_plan(p, res, &o);
    assert_int_equal(pl->headers->nelts, 1);
    assert_int_equal(pl->ndropped, 30);
    assert_non_null(strstr(pl->dropped, "X-Introspect-C01, "));
    assert_non_null(strstr(pl->dropped, "X-Introspect-C20 and 10 more"));
    assert_null(strstr(pl->dropped, "C21"));
}

/* Two claims with one header name: the later wins, and only its bytes
 * count. */
static void test_same_name(void **state)
{
    apr_pool_t *p = *state;
    const char *json = "{\"a-b\":\"first-long-value\",\"a_b\":\"2nd\"}";
    const mai_result_t *res = NULL;
    mai_export_opts_t o = opts(0, 1);
    const mai_export_plan_t *pl;

    assert_int_equal(mai_result_parse(p, json, strlen(json), &res), MAI_OK);
    o.whole_header = 0;
    o.max_header_bytes = hsize("X-Introspect-A-B", "2nd");
    pl = mai_export_plan(p, res, &o);
    assert_int_equal(pl->headers->nelts, 1);
    assert_string_equal(get(pl->headers, "X-Introspect-A-B"), "2nd");
    assert_int_equal(pl->header_bytes, o.max_header_bytes);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_all_by_default),
    UNIT_TEST(test_selected),
    UNIT_TEST(test_cap),
    UNIT_TEST(test_cap_many),
    UNIT_TEST(test_same_name),
};
UNIT_MAIN(tests)
