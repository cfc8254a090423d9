/* SPDX-License-Identifier: Apache-2.0 */
/* test_policy.c: Require oauth-* lines parsed and matched. */
#include "unit.h"
#include "policy.h"

static const mai_policy_t *rule(apr_pool_t *p, mai_policy_kind_t kind,
                                const char *args)
{
    const mai_policy_t *pol = NULL;
    const char *err = mai_policy_parse(p, kind, args, &pol);

    if (err != NULL) {
        fail_msg("'%s': %s", args, err);
    }
    assert_non_null(pol);
    assert_int_equal(mai_policy_kind(pol), kind);
    return pol;
}

static const mai_result_t *result(apr_pool_t *p, const char *json)
{
    const mai_result_t *res = NULL;

    assert_int_equal(mai_result_parse(p, json, strlen(json), &res), MAI_OK);
    return res;
}

#define RES "{\"active\":true,\"scope\":\"read write:all  admin\"," \
    "\"aud\":[\"api\",\"https://rs.example\"],\"client_id\":\"app 1\"," \
    "\"groups\":[\"staff\",\"ops\",7,true],\"role\":\"editor\"," \
    "\"level\":3,\"ratio\":0.5,\"verified\":false,\"nothing\":null," \
    "\"org\":{\"name\":\"editor\"},\"nested\":[{\"x\":\"editor\"}]," \
    "\"empty\":\"\"}"

static void test_scope_needs_all(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *res = result(p, RES);

    assert_true(mai_policy_match(rule(p, MAI_POLICY_SCOPE, "read"), res));
    assert_true(mai_policy_match(rule(p, MAI_POLICY_SCOPE,
                                      "  admin   read write:all "), res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_SCOPE, "read delete"),
                                  res));
    /* exact and case-sensitive: no prefix, no substring, no case folding */
    assert_false(mai_policy_match(rule(p, MAI_POLICY_SCOPE, "write"), res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_SCOPE, "Read"), res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_SCOPE, "rea"), res));
    /* a quoted "read write:all" is one scope with a space: never granted */
    assert_false(mai_policy_match(rule(p, MAI_POLICY_SCOPE,
                                       "\"read write:all\""), res));
    /* a result without a scope member satisfies no scope rule */
    assert_false(mai_policy_match(rule(p, MAI_POLICY_SCOPE, "read"),
                                  result(p, "{\"active\":true}")));
}

static void test_aud_needs_any(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *res = result(p, RES);

    assert_true(mai_policy_match(rule(p, MAI_POLICY_AUD, "other api"), res));
    assert_true(mai_policy_match(rule(p, MAI_POLICY_AUD,
                                      "'https://rs.example'"), res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_AUD,
                                       "https://rs.example/ API"), res));
    assert_true(mai_policy_match(rule(p, MAI_POLICY_AUD, "solo"),
                                 result(p, "{\"aud\":\"solo\"}")));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_AUD, "solo"),
                                  result(p, "{\"aud\":[]}")));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_AUD, "solo"),
                                  result(p, "{\"sub\":\"solo\"}")));
}

static void test_claim_values(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *res = result(p, RES);

    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM,
                                      "role admin editor"), res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "role Editor"),
                                  res));
    /* arrays: any element equal to any value */
    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "groups ops"),
                                 res));
    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "groups 7"),
                                 res));
    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "groups true"),
                                 res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM,
                                       "groups \"staff ops\""), res));
    /* numbers and booleans compare as their JSON text */
    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "level 3"), res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "level 3.0"),
                                  res));
    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "ratio 0.5"),
                                 res));
    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "verified false"),
                                 res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "verified true"),
                                  res));
    /* objects, arrays of objects, null and absent claims never match,
     * not even with their JSON text */
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "org editor"),
                                  res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM,
                                       "org '{\"name\":\"editor\"}'"), res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "nested editor"),
                                  res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "nothing null"),
                                  res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "missing editor"),
                                  res));
    /* the claim name is matched exactly too */
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "Role editor"),
                                  res));
    /* the values come from the rule, the name is not one of them */
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "role role"),
                                  res));
}

#define KC "{\"active\":true,\"sub\":\"u1\"," \
    "\"realm_access\":{\"roles\":[\"admin\",\"user\"]}," \
    "\"resource_access\":{\"my-app\":{\"roles\":[\"editor\"]}}," \
    "\"ext\":{\"tenant\":\"acme\",\"lvl\":3,\"ok\":true," \
    "\"grid\":[[\"a\"]],\"objs\":[{\"r\":\"admin\"}],\"nil\":null}," \
    "\"a.b\":\"flat-dotted\",\"a\":{\"b\":\"nested\"}}"

/* Keycloak's realm_access.roles and resource_access.<client>.roles,
 * Hydra's ext.*: a dotted path into objects, then array membership. */
static void test_claim_paths(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *res = result(p, KC);

    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM,
                                      "realm_access.roles admin"), res));
    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM,
                                      "realm_access.roles x user"), res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM,
                                       "realm_access.roles editor"), res));
    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM,
                                      "resource_access.my-app.roles editor"),
                                 res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM,
                                       "resource_access.other.roles editor"),
                                  res));
    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM,
                                      "ext.tenant acme"), res));
    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "ext.lvl 3"),
                                 res));
    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "ext.ok true"),
                                 res));
    /* arrays of arrays and of objects, null, objects: never */
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "ext.grid a"),
                                  res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM,
                                       "ext.objs admin"), res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "ext.objs.r "
                                       "admin"), res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "ext.nil null"),
                                  res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM,
                                       "realm_access admin"), res));
    /* the dot separates; "\." is a dot inside a name */
    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM, "a.b nested"),
                                 res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLAIM,
                                       "a.b flat-dotted"), res));
    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM,
                                      "a\\.b flat-dotted"), res));
    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLAIM,
                                      "\"a\\.b\" flat-dotted"), res));
    /* values keep today's rules: backslashes are eaten */
    assert_string_equal(mai_policy_values(rule(p, MAI_POLICY_CLAIM,
                                               "a\\.b x\\.y")), "x.y");
}

static void test_client(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *res = result(p, RES);

    assert_true(mai_policy_match(rule(p, MAI_POLICY_CLIENT, "x \"app 1\""),
                                 res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLIENT, "app 1"), res));
    assert_false(mai_policy_match(rule(p, MAI_POLICY_CLIENT, "app"),
                                  result(p, "{\"active\":true}")));
}

static void assert_error(apr_pool_t *p, mai_policy_kind_t kind,
                         const char *args, const char *want)
{
    const mai_policy_t *pol = (const mai_policy_t *)p; /* poison */
    const char *err = mai_policy_parse(p, kind, args, &pol);

    if (err == NULL) {
        fail_msg("'%s' parsed", args ? args : "(null)");
    }
    if (strstr(err, want) == NULL) {
        fail_msg("'%s' does not contain '%s'", err, want);
    }
    assert_null(pol);
}

static void test_parse_errors(void **state)
{
    apr_pool_t *p = *state;

    assert_error(p, MAI_POLICY_SCOPE, "",
                 "oauth-scope needs at least one scope");
    assert_error(p, MAI_POLICY_SCOPE, "   \t ", "oauth-scope needs");
    assert_error(p, MAI_POLICY_SCOPE, NULL, "oauth-scope needs");
    assert_error(p, MAI_POLICY_AUD, "", "oauth-aud needs");
    assert_error(p, MAI_POLICY_CLIENT, "", "oauth-client needs");
    assert_error(p, MAI_POLICY_CLAIM, "", "oauth-claim needs");
    assert_error(p, MAI_POLICY_CLAIM, "role", "oauth-claim needs");
    assert_error(p, MAI_POLICY_CLAIM, "  role  ", "oauth-claim needs");
    assert_error(p, MAI_POLICY_SCOPE, "read \"\"", "empty");
    assert_error(p, MAI_POLICY_CLAIM, "'' x", "empty");
    assert_error(p, MAI_POLICY_CLAIM, "role ''", "empty");
    assert_error(p, MAI_POLICY_CLAIM, "a..b x", "empty name");
    assert_error(p, MAI_POLICY_CLAIM, "a.b.", "empty name");
    assert_error(p, MAI_POLICY_CLAIM, "'a.b x", "closing quote");
    assert_error(p, MAI_POLICY_CLAIM, "realm_access.roles",
                 "oauth-claim needs");
}

static void test_values(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(mai_policy_values(rule(p, MAI_POLICY_SCOPE,
                                               "  read\twrite  ")),
                         "read write");
    assert_string_equal(mai_policy_values(rule(p, MAI_POLICY_CLAIM,
                                               "role admin 'power user'")),
                         "admin power user");
    assert_string_equal(mai_policy_values(rule(p, MAI_POLICY_AUD, "api")),
                        "api");
    assert_string_equal(mai_policy_values(rule(p, MAI_POLICY_CLIENT,
                                               "a b c")),
                        "a b c");
}

/* The policy keeps no pointer into the caller's argument string. */
static void test_args_copied(void **state)
{
    apr_pool_t *p = *state;
    char args[] = "groups ops";
    const mai_policy_t *pol = rule(p, MAI_POLICY_CLAIM, args);

    memset(args, 'z', sizeof(args) - 1);
    assert_true(mai_policy_match(pol, result(p, RES)));
    assert_string_equal(mai_policy_values(pol), "ops");
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_scope_needs_all),
    UNIT_TEST(test_aud_needs_any),
    UNIT_TEST(test_claim_values),
    UNIT_TEST(test_claim_paths),
    UNIT_TEST(test_client),
    UNIT_TEST(test_parse_errors),
    UNIT_TEST(test_values),
    UNIT_TEST(test_args_copied),
};
UNIT_MAIN(tests)
