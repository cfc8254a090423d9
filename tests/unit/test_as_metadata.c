/* SPDX-License-Identifier: Apache-2.0 */
/* test_as_metadata.c: RFC 8414 discovery: the issuer a metadata URL
 * stands for, the document's members, and the configuration fields
 * (the issuer binding, an explicit issuer winning, the merge). */
#include <string.h>
#include "unit.h"
#include "as_metadata.h"
#include "config.h"

static const char *issuer_of(apr_pool_t *p, const char *url)
{
    const char *iss = NULL, *err = mai_as_issuer_of(p, url, &iss);

    if (err) {
        fail_msg("%s rejected: %s", url, err);
    }
    return iss;
}

static void test_issuer_of(void **state)
{
    apr_pool_t *p = *state;
    const char *iss;

    /* RFC 8414 section 3.1: inserted between authority and path */
    assert_string_equal(issuer_of(p, "https://as.example/.well-known/"
                                  "oauth-authorization-server"),
                        "https://as.example");
    assert_string_equal(issuer_of(p, "https://as.example/.well-known/"
                                  "oauth-authorization-server/tenant1"),
                        "https://as.example/tenant1");
    assert_string_equal(issuer_of(p, "https://as.example:8443/.well-known/"
                                  "openid-configuration"),
                        "https://as.example:8443");
    /* OpenID Connect Discovery: appended to the issuer */
    assert_string_equal(issuer_of(p, "https://kc.example/realms/r1/"
                                  ".well-known/openid-configuration"),
                        "https://kc.example/realms/r1");
    assert_string_equal(issuer_of(p, "http://127.0.0.1:9/t/.well-known/"
                                  "oauth-authorization-server"),
                        "http://127.0.0.1:9/t");
    /* not a metadata URL: refused, never guessed */
    assert_non_null(mai_as_issuer_of(p, "https://as.example/meta", &iss));
    assert_non_null(mai_as_issuer_of(p, "https://as.example/.well-known/"
                                     "openid-configurationX", &iss));
    assert_non_null(mai_as_issuer_of(p, "https://as.example/.well-known/"
                                     "openid-configuration?x=1", &iss));
}

static mai_status_t parse(apr_pool_t *p, const char *json,
                          mai_as_metadata_t *md)
{
    return mai_as_metadata_parse(p, json, strlen(json), md);
}

static void test_parse(void **state)
{
    apr_pool_t *p = *state;
    mai_as_metadata_t md;

    assert_int_equal(parse(p, "{\"issuer\":\"https://as\","
        "\"introspection_endpoint\":\"https://as/introspect\","
        "\"jwks_uri\":\"https://as/jwks\","
        "\"introspection_endpoint_auth_methods_supported\":"
        "[\"client_secret_basic\",\"private_key_jwt\"],"
        "\"introspection_endpoint_auth_signing_alg_values_supported\":"
        "[\"RS256\"],\"other\":{\"x\":[1,2]}}", &md), MAI_OK);
    assert_string_equal(md.issuer, "https://as");
    assert_string_equal(md.introspection_endpoint, "https://as/introspect");
    assert_string_equal(md.jwks_uri, "https://as/jwks");
    assert_int_equal(md.auth_methods->nelts, 2);
    assert_true(mai_as_metadata_lists(md.auth_methods, "private_key_jwt"));
    assert_false(mai_as_metadata_lists(md.auth_methods,
                                       "client_secret_post"));
    assert_string_equal(APR_ARRAY_IDX(md.auth_signing_algs, 0,
                                      const char *), "RS256");
    assert_null(md.mtls_introspection_endpoint);
    /* RFC 8705 section 5: the mutual-TLS aliases */
    assert_int_equal(parse(p, "{\"issuer\":\"https://as\","
        "\"introspection_endpoint\":\"https://as/introspect\","
        "\"mtls_endpoint_aliases\":{\"introspection_endpoint\":"
        "\"https://mtls.as/introspect\",\"token_endpoint\":\"x\"}}", &md),
        MAI_OK);
    assert_string_equal(md.mtls_introspection_endpoint,
                        "https://mtls.as/introspect");
    assert_int_equal(parse(p, "{\"issuer\":\"a\",\"mtls_endpoint_aliases\""
                          ":{}}", &md), MAI_OK);
    assert_null(md.mtls_introspection_endpoint);
    assert_int_not_equal(parse(p, "{\"issuer\":\"a\",\"mtls_endpoint_"
                               "aliases\":[]}", &md), MAI_OK);
    assert_int_not_equal(parse(p, "{\"issuer\":\"a\",\"mtls_endpoint_"
                               "aliases\":{\"introspection_endpoint\":1}}",
                               &md), MAI_OK);
    /* only issuer is required; an absent list claims nothing */
    assert_int_equal(parse(p, "{\"issuer\":\"https://as\"}", &md), MAI_OK);
    assert_null(md.introspection_endpoint);
    assert_null(md.auth_methods);
    assert_true(mai_as_metadata_lists(md.auth_methods, "none"));
    /* refused: no issuer, wrong types, not an object, not JSON */
    assert_int_not_equal(parse(p, "{\"introspection_endpoint\":\"x\"}", &md),
                         MAI_OK);
    assert_int_not_equal(parse(p, "{\"issuer\":1}", &md), MAI_OK);
    assert_int_not_equal(parse(p, "{\"issuer\":\"a\",\"jwks_uri\":[]}", &md),
                         MAI_OK);
    assert_int_not_equal(parse(p, "{\"issuer\":\"a\",\"introspection_"
                               "endpoint_auth_methods_supported\":[1]}", &md),
                         MAI_OK);
    assert_int_not_equal(parse(p, "[\"issuer\"]", &md), MAI_OK);
    assert_int_not_equal(parse(p, "{\"issuer\":\"a\"", &md), MAI_OK);
    assert_int_not_equal(mai_as_metadata_parse(p, "{\"issuer\":\"a\\u0000b\"}",
                                               25, &md), MAI_OK);
    assert_int_not_equal(mai_as_metadata_parse(p, NULL, 0, &md), MAI_OK);
}

static void test_config(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *base = mai_dir_conf_create(p), *add;
    const mai_dir_conf_t *m;

    assert_non_null(mai_conf_set_metadata_url(p, base, "https://as/x"));
    assert_non_null(mai_conf_set_metadata_url(p, base, "ftp://as/.well-known"
                                              "/openid-configuration"));
    assert_null(mai_conf_set_metadata_url(p, base, "https://as/.well-known/"
                                          "openid-configuration"));
    /* the URL's issuer is the issuer check, and names the cache scope */
    assert_string_equal(mai_conf_issuer(base), "https://as");
    assert_string_equal(mai_conf_metadata_issuer(base), "https://as");
    assert_string_equal(mai_conf_cache_scope(base).endpoint,
                        "https://as/.well-known/openid-configuration");
    assert_int_equal(mai_conf_metadata_refresh(base),
                     apr_time_from_sec(24 * 3600));
    add = mai_dir_conf_create(p);
    assert_non_null(mai_conf_set_metadata_refresh(add, "0"));
    assert_null(mai_conf_set_metadata_refresh(add, "2"));
    assert_null(mai_conf_set_issuer(p, add, "https://other"));
    assert_null(mai_conf_set_endpoint(p, add, "https://as/introspect"));
    m = mai_dir_conf_merge(p, base, add);
    /* AuthIntrospectIssuer says otherwise; the binding stays the URL's */
    assert_string_equal(mai_conf_issuer(m), "https://other");
    assert_string_equal(mai_conf_metadata_issuer(m), "https://as");
    assert_string_equal(mai_conf_metadata_text(m),
                        "https://as/.well-known/openid-configuration");
    assert_int_equal(mai_conf_metadata_refresh(m),
                     apr_time_from_sec(2 * 3600));
    /* an explicit endpoint names the scope */
    assert_string_equal(mai_conf_cache_scope(m).endpoint,
                        "https://as/introspect");
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_issuer_of),
    UNIT_TEST(test_parse),
    UNIT_TEST(test_config),
};
UNIT_MAIN(tests)
