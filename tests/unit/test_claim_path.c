/* SPDX-License-Identifier: Apache-2.0 */
/* test_claim_path.c: dotted claim paths parsed, escaped and walked. */
#include "unit.h"
#include "claim_path.h"

static const mai_claim_path_t *path(apr_pool_t *p, const char *word)
{
    const mai_claim_path_t *pa = NULL;
    const char *err = mai_claim_path_parse(p, word, &pa);

    if (err != NULL) {
        fail_msg("'%s': %s", word, err);
    }
    assert_non_null(pa);
    return pa;
}

static void assert_segs(const mai_claim_path_t *pa, int n, ...)
{
    va_list ap;
    int i;

    assert_int_equal(pa->nsegs, n);
    va_start(ap, n);
    for (i = 0; i < n; i++) {
        assert_string_equal(pa->segs[i], va_arg(ap, const char *));
    }
    va_end(ap);
    assert_null(pa->segs[n]);
}

static void test_parse(void **state)
{
    apr_pool_t *p = *state;

    assert_segs(path(p, "sub"), 1, "sub");
    assert_segs(path(p, "realm_access.roles"), 2, "realm_access", "roles");
    assert_segs(path(p, "resource_access.my-app.roles"), 3,
                "resource_access", "my-app", "roles");
    /* the escape: \. is a dot in a name, \\ a backslash, \x is x */
    assert_segs(path(p, "https://example\\.com/roles"), 1,
                "https://example.com/roles");
    assert_segs(path(p, "ext.a\\.b.c"), 3, "ext", "a.b", "c");
    assert_segs(path(p, "a\\\\.b"), 2, "a\\", "b");
    assert_segs(path(p, "\\*"), 1, "*");
    assert_string_equal(path(p, "ext.a\\.b.c")->name, "ext.a.b.c");
    assert_string_equal(path(p, "sub")->name, "sub");
}

static void test_looks_like_url(void **state)
{
    apr_pool_t *p = *state;

    assert_true(mai_claim_path_looks_like_url(path(p,
                                   "https://example.com/roles")));
    assert_false(mai_claim_path_looks_like_url(path(p,
                                    "https://example\\.com/roles")));
    assert_false(mai_claim_path_looks_like_url(path(p, "realm_access.roles")));
    assert_false(mai_claim_path_looks_like_url(path(p, "a://b")));
}

static void assert_parse_error(apr_pool_t *p, const char *word,
                               const char *want)
{
    const mai_claim_path_t *pa = (const mai_claim_path_t *)p; /* poison */
    const char *err = mai_claim_path_parse(p, word, &pa);

    if (err == NULL) {
        fail_msg("'%s' parsed", word ? word : "(null)");
    }
    if (strstr(err, want) == NULL) {
        fail_msg("'%s' does not contain '%s'", err, want);
    }
    assert_null(pa);
}

static void test_parse_errors(void **state)
{
    apr_pool_t *p = *state;
    char deep[2 * MAI_CLAIM_PATH_MAX + 2];
    int i;

    assert_parse_error(p, "", "empty");
    assert_parse_error(p, NULL, "empty");
    assert_parse_error(p, "a..b", "empty name");
    assert_parse_error(p, ".a", "empty name");
    assert_parse_error(p, "a.", "empty name");
    assert_parse_error(p, "a\\", "lone");
    for (i = 0; i < MAI_CLAIM_PATH_MAX; i++) {
        deep[2 * i] = 'a';
        deep[2 * i + 1] = '.';
    }
    deep[2 * MAI_CLAIM_PATH_MAX - 1] = '\0';
    assert_int_equal(path(p, deep)->nsegs, MAI_CLAIM_PATH_MAX);
    deep[2 * MAI_CLAIM_PATH_MAX - 1] = '.';
    deep[2 * MAI_CLAIM_PATH_MAX] = 'a';
    deep[2 * MAI_CLAIM_PATH_MAX + 1] = '\0';
    assert_parse_error(p, deep, "at most 32");
}

static void assert_take(apr_pool_t *p, const char *line, const char *name,
                        const char *rest)
{
    const mai_claim_path_t *pa = NULL;
    const char *at = line;
    const char *err = mai_claim_path_take(p, &at, &pa);

    if (err != NULL) {
        fail_msg("'%s': %s", line, err);
    }
    assert_string_equal(pa->name, name);
    assert_string_equal(at, rest);
}

static void test_take(void **state)
{
    apr_pool_t *p = *state;
    const mai_claim_path_t *pa;
    const char *at;

    assert_take(p, "  realm_access.roles admin", "realm_access.roles",
                " admin");
    assert_take(p, "a\\.b x", "a.b", " x");
    /* quotes group; the escape still works inside them */
    assert_take(p, "\"my claim.x\" v", "my claim.x", " v");
    assert_take(p, "'a\\'b' v", "a'b", " v");
    assert_take(p, "\"a\\\"b\" v", "a\"b", " v");
    assert_take(p, "a\\ b v", "a b", " v");
    assert_take(p, "solo", "solo", "");
    assert_take(p, "\ta\tv", "a", "\tv");
    at = "\"open v";
    assert_non_null(mai_claim_path_take(p, &at, &pa));
    assert_null(pa);
    at = "\"a\"b v";
    assert_non_null(mai_claim_path_take(p, &at, &pa));
    at = "'' v";
    assert_non_null(strstr(mai_claim_path_take(p, &at, &pa), "empty"));
}

#define KC "{\"active\":true,\"sub\":\"u1\"," \
    "\"realm_access\":{\"roles\":[\"admin\",\"user\"]}," \
    "\"resource_access\":{\"my-app\":{\"roles\":[\"editor\"]}," \
    "\"a.b\":{\"c\":\"dotted\"}},\"a\":{\"b\":{\"c\":\"nested\"}}," \
    "\"ext\":{\"tenant\":\"acme\",\"n\":{\"deep\":[1,2]}," \
    "\"list\":[{\"x\":\"y\"}],\"nil\":null,\"lvl\":3}," \
    "\"https://example.com/roles\":[\"r1\"],\"flat\":\"f\"}"

static const mai_claim_t *find(apr_pool_t *p, const mai_result_t *res,
                               const char *word)
{
    return mai_claim_path_find(path(p, word), res);
}

static void test_find(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *res = NULL;
    const mai_claim_t *c;

    assert_int_equal(mai_result_parse(p, KC, strlen(KC), &res), MAI_OK);
    c = find(p, res, "realm_access.roles");
    assert_non_null(c);
    assert_int_equal(c->kind, MAI_CLAIM_ARRAY);
    assert_int_equal(c->nitems, 2);
    assert_string_equal(c->items[1], "user");
    assert_string_equal(c->text, "admin user");
    c = find(p, res, "resource_access.my-app.roles");
    assert_non_null(c);
    assert_string_equal(c->items[0], "editor");
    /* a literal dot in a member name, at the top and below */
    c = find(p, res, "resource_access.a\\.b.c");
    assert_non_null(c);
    assert_string_equal(c->text, "dotted");
    c = find(p, res, "https://example\\.com/roles");
    assert_non_null(c);
    assert_string_equal(c->items[0], "r1");
    assert_null(find(p, res, "https://example.com/roles"));
    /* the dot always separates: a.b.c is the nested one, never "a.b" */
    assert_string_equal(find(p, res, "a.b.c")->text, "nested");
    c = find(p, res, "ext.n.deep");
    assert_string_equal(c->items[1], "2");
    assert_string_equal(find(p, res, "ext.lvl")->items[0], "3");
    assert_int_equal(find(p, res, "ext.nil")->kind, MAI_CLAIM_NULL);
    /* nested objects and arrays of objects: no items, no text */
    c = find(p, res, "ext.n");
    assert_int_equal(c->kind, MAI_CLAIM_OBJECT);
    assert_null(c->items);
    assert_null(c->text);
    c = find(p, res, "ext.list");
    assert_null(c->items);
    assert_null(c->text);
    /* a top-level object keeps its JSON text */
    assert_string_equal(find(p, res, "realm_access")->text,
                        "{\"roles\":[\"admin\",\"user\"]}");
    assert_string_equal(find(p, res, "flat")->text, "f");
    /* absent names, walking through a scalar, an array or past the end */
    assert_null(find(p, res, "realm_access.groups"));
    assert_null(find(p, res, "flat.x"));
    assert_null(find(p, res, "realm_access.roles.admin"));
    assert_null(find(p, res, "ext.list.x"));
    assert_null(find(p, res, "missing.roles"));
    assert_null(find(p, res, "Realm_access.roles"));
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_parse),
    UNIT_TEST(test_parse_errors),
    UNIT_TEST(test_looks_like_url),
    UNIT_TEST(test_take),
    UNIT_TEST(test_find),
};
UNIT_MAIN(tests)
