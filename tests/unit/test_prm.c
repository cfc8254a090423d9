/* SPDX-License-Identifier: Apache-2.0 */
/* test_prm.c: RFC 9728 protected-resource metadata: the metadata URL of a
 * resource identifier, the request paths that ask for it, the exact JSON
 * document, the resource_metadata challenge attribute, the RFC 8707
 * audience check and the configuration fields with their merge. */
#include "unit.h"
#include "prm.h"
#include "challenge.h"
#include "config.h"

static const mai_prm_resource_t *res_ok(apr_pool_t *p, const char *url)
{
    const mai_prm_resource_t *r = NULL;
    const char *err = mai_prm_resource_parse(p, url, &r);

    if (err) {
        fail_msg("%s rejected: %s", url, err);
    }
    return r;
}

static void test_metadata_url(void **state)
{
    apr_pool_t *p = *state;
    const mai_prm_resource_t *r;

    /* RFC 9728 section 3.1: the suffix goes between host and path */
    r = res_ok(p, "https://h.example/api/mcp");
    assert_string_equal(r->id, "https://h.example/api/mcp");
    assert_string_equal(r->path, "/api/mcp");
    assert_string_equal(r->metadata_url, "https://h.example/.well-known/"
                        "oauth-protected-resource/api/mcp");
    /* a lone "/" path is the terminating slash that goes */
    r = res_ok(p, "https://h.example/");
    assert_string_equal(r->metadata_url,
                        "https://h.example/.well-known/oauth-protected-resource");
    r = res_ok(p, "https://h.example");
    assert_string_equal(r->path, "/");
    assert_string_equal(r->metadata_url,
                        "https://h.example/.well-known/oauth-protected-resource");
    /* a port stays, a trailing slash of a longer path stays */
    r = res_ok(p, "https://h.example:8443/mcp/");
    assert_string_equal(r->metadata_url, "https://h.example:8443/.well-known/"
                        "oauth-protected-resource/mcp/");
    r = res_ok(p, "http://127.0.0.1:8080/mcp");
    assert_string_equal(r->metadata_url, "http://127.0.0.1:8080/.well-known/"
                        "oauth-protected-resource/mcp");
}

static void test_resource_refused(void **state)
{
    apr_pool_t *p = *state;
    const mai_prm_resource_t *r = NULL;

    assert_non_null(mai_prm_resource_parse(p, "http://h.example/mcp", &r));
    assert_non_null(mai_prm_resource_parse(p, "https://h.example/a?b=1",
                                           &r));
    assert_non_null(mai_prm_resource_parse(p, "https://h.example/a#f", &r));
    assert_non_null(mai_prm_resource_parse(p, "/api/mcp", &r));
    assert_non_null(mai_prm_resource_parse(p, "ftp://h.example/", &r));
    assert_null(r);
}

static void test_requested_path(void **state)
{
    assert_string_equal(mai_prm_requested_path(
                            "/.well-known/oauth-protected-resource/api/mcp"),
                        "/api/mcp");
    assert_string_equal(mai_prm_requested_path(
                            "/.well-known/oauth-protected-resource"), "/");
    assert_string_equal(mai_prm_requested_path(
                            "/.well-known/oauth-protected-resource/"), "/");
    assert_null(mai_prm_requested_path(
                    "/.well-known/oauth-protected-resourcex/a"));
    assert_null(mai_prm_requested_path("/.well-known/oauth-authorization-"
                                       "server"));
    assert_null(mai_prm_requested_path("/api/mcp"));
}

static apr_array_header_t *list(apr_pool_t *p, const char *a, const char *b)
{
    apr_array_header_t *l = apr_array_make(p, 2, sizeof(const char *));

    if (a) {
        APR_ARRAY_PUSH(l, const char *) = a;
    }
    if (b) {
        APR_ARRAY_PUSH(l, const char *) = b;
    }
    return l;
}

static void test_document(void **state)
{
    apr_pool_t *p = *state;
    mai_prm_doc_t d;

    memset(&d, 0, sizeof(d));
    d.resource = "https://h.example/api/mcp";
    d.authorization_servers = list(p, "https://as.example", NULL);
    d.scopes = list(p, "read", "write");
    d.token_sources = MAI_SRC_HEADER | MAI_SRC_QUERY | MAI_SRC_FORM
                      | MAI_SRC_COOKIE;
    d.resource_name = "Tools \"A\"";
    d.resource_documentation = "https://h.example/doc";
    assert_string_equal(mai_prm_document(p, &d),
        "{\"resource\":\"https://h.example/api/mcp\","
        "\"authorization_servers\":[\"https://as.example\"],"
        "\"scopes_supported\":[\"read\",\"write\"],"
        "\"bearer_methods_supported\":[\"header\",\"body\",\"query\"],"
        "\"resource_name\":\"Tools \\\"A\\\"\","
        "\"resource_documentation\":\"https://h.example/doc\"}");

    /* optional members left out; a cookie is no RFC 6750 method */
    memset(&d, 0, sizeof(d));
    d.resource = "https://h.example/";
    d.scopes = list(p, NULL, NULL);
    d.token_sources = MAI_SRC_COOKIE;
    assert_string_equal(mai_prm_document(p, &d),
        "{\"resource\":\"https://h.example/\","
        "\"bearer_methods_supported\":[]}");
}

static void test_challenge_metadata(void **state)
{
    apr_pool_t *p = *state;
    const char *u = "https://h/.well-known/oauth-protected-resource/mcp";

    assert_string_equal(mai_challenge_add_metadata(p, "Bearer", u),
        "Bearer resource_metadata=\"https://h/.well-known/"
        "oauth-protected-resource/mcp\"");
    assert_string_equal(mai_challenge_add_metadata(
            p, "Bearer realm=\"x\", error=\"invalid_token\"", u),
        "Bearer realm=\"x\", error=\"invalid_token\", resource_metadata="
        "\"https://h/.well-known/oauth-protected-resource/mcp\"");
    /* without a resource, byte for byte what it was */
    assert_string_equal(mai_challenge_add_metadata(p, "Bearer realm=\"x\"",
                                                   NULL),
                        "Bearer realm=\"x\"");
    assert_null(mai_challenge_add_metadata(p, NULL, u));
}

static const mai_result_t *parsed(apr_pool_t *p, const char *json)
{
    const mai_result_t *res = NULL;

    assert_int_equal(mai_result_parse(p, json, strlen(json), &res), MAI_OK);
    return res;
}

static void test_audience(void **state)
{
    apr_pool_t *p = *state;
    const char *r = "https://h.example/mcp";

    assert_true(mai_prm_audience_ok(
        parsed(p, "{\"active\":true,\"aud\":\"https://h.example/mcp\"}"), r));
    assert_true(mai_prm_audience_ok(
        parsed(p, "{\"active\":true,\"aud\":[\"x\",\"https://h.example/mcp\"]}"),
        r));
    assert_false(mai_prm_audience_ok(
        parsed(p, "{\"active\":true,\"aud\":\"https://h.example/other\"}"), r));
    /* exact: no prefix, no case folding, no trailing slash */
    assert_false(mai_prm_audience_ok(
        parsed(p, "{\"active\":true,\"aud\":\"https://h.example/mcp/\"}"), r));
    assert_false(mai_prm_audience_ok(
        parsed(p, "{\"active\":true,\"aud\":\"https://H.example/mcp\"}"), r));
    assert_false(mai_prm_audience_ok(parsed(p, "{\"active\":true}"), r));
}

static void test_config(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *base = mai_dir_conf_create(p), *add;
    const mai_dir_conf_t *m;

    /* defaults: nothing; audience binding needs a resource */
    assert_null(mai_conf_resource(base));
    assert_null(mai_conf_resource_audience(base));
    assert_null(mai_conf_resource_metadata_url(base));

    assert_null(mai_conf_set_resource(p, base, "https://h/mcp"));
    assert_null(mai_conf_add_auth_server(p, base, "https://as"));
    assert_null(mai_conf_add_auth_server(p, base, "https://as2/t"));
    assert_non_null(mai_conf_add_auth_server(p, base, "as"));
    assert_null(mai_conf_set_resource_name(p, base, "Tools"));
    assert_non_null(mai_conf_set_resource_name(p, base, ""));
    assert_null(mai_conf_set_resource_doc(p, base, "https://h/doc"));
    assert_non_null(mai_conf_set_resource_doc(p, base, "doc"));
    mai_conf_add_required_scopes(p, base, "read write");
    mai_conf_add_required_scopes(p, base, "write  admin");
    assert_non_null(mai_conf_set_resource(p, base, "https://h/mcp?x"));

    /* an empty inner section inherits it all; binding on by default */
    m = mai_dir_conf_merge(p, base, mai_dir_conf_create(p));
    assert_string_equal(mai_conf_resource_audience(m), "https://h/mcp");
    assert_string_equal(mai_conf_resource_metadata_url(m),
                        "https://h/.well-known/oauth-protected-resource/mcp");
    assert_int_equal(mai_conf_auth_servers(m)->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(mai_conf_auth_servers(m), 1,
                                      const char *), "https://as2/t");
    assert_string_equal(mai_conf_resource_name(m), "Tools");
    assert_string_equal(mai_conf_resource_doc(m), "https://h/doc");
    assert_int_equal(mai_conf_required_scopes(m)->nelts, 3);
    assert_string_equal(APR_ARRAY_IDX(mai_conf_required_scopes(m), 2,
                                      const char *), "admin");

    /* an inner section overrides, and may turn the binding off */
    add = mai_dir_conf_create(p);
    assert_null(mai_conf_set_resource(p, add, "https://h/other"));
    assert_null(mai_conf_add_auth_server(p, add, "https://as3"));
    mai_conf_add_required_scopes(p, add, "x");
    m = mai_dir_conf_merge(p, base, add);
    assert_string_equal(mai_conf_resource_audience(m), "https://h/other");
    assert_int_equal(mai_conf_auth_servers(m)->nelts, 1);
    assert_int_equal(mai_conf_required_scopes(m)->nelts, 1);
    mai_conf_set_resource_audience(add, 0);
    m = mai_dir_conf_merge(p, base, add);
    assert_null(mai_conf_resource_audience(m));
    assert_non_null(mai_conf_resource_metadata_url(m));
    /* and back on below an outer Off */
    base = (mai_dir_conf_t *)m;
    add = mai_dir_conf_create(p);
    mai_conf_set_resource_audience(add, 1);
    m = mai_dir_conf_merge(p, base, add);
    assert_string_equal(mai_conf_resource_audience(m), "https://h/other");
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_metadata_url),
    UNIT_TEST(test_resource_refused),
    UNIT_TEST(test_requested_path),
    UNIT_TEST(test_document),
    UNIT_TEST(test_challenge_metadata),
    UNIT_TEST(test_audience),
    UNIT_TEST(test_config),
};
UNIT_MAIN(tests)
