/* SPDX-License-Identifier: Apache-2.0 */
/* as_metadata.c: authorization-server metadata (RFC 8414). json-c is used
 * only inside mai_as_metadata_parse: what the module keeps is copied. */
#include <limits.h>
#include <string.h>
#include <apr_strings.h>
#include <json.h>
#include "as_metadata.h"

#define MAX_DEPTH 16
#define MAX_LIST 64     /* entries kept per list: servers name a handful */

/* A path that is the suffix alone or the suffix then "/...". */
static const char *after_prefix(const char *path, const char *suffix)
{
    apr_size_t n = strlen(suffix);

    if (strncmp(path, suffix, n) || (path[n] && path[n] != '/')) {
        return NULL;
    }
    return path + n;
}

static int ends_with(const char *path, const char *suffix)
{
    apr_size_t lp = strlen(path), ls = strlen(suffix);

    return lp >= ls && !strcmp(path + lp - ls, suffix);
}

const char *mai_as_issuer_of(apr_pool_t *p, const char *url,
                             const char **issuer)
{
    static const char *const suffixes[] = { MAI_AS_WELL_KNOWN_OAUTH,
                                            MAI_AS_WELL_KNOWN_OIDC };
    const char *scheme_end = strstr(url, "://"), *path, *rest;
    apr_size_t origin;
    int i;

    if (!scheme_end || strpbrk(url, "?#")) {
        return "a metadata URL is an absolute URL without query or "
               "fragment";
    }
    path = strchr(scheme_end + 3, '/');
    if (!path) {
        path = "";
    }
    origin = (apr_size_t)(path - url);
    for (i = 0; i < 2; i++) {
        /* RFC 8414 section 3.1: inserted between authority and path */
        rest = after_prefix(path, suffixes[i]);
        if (rest) {
            *issuer = apr_pstrcat(p, apr_pstrmemdup(p, url, origin), rest,
                                  NULL);
            return NULL;
        }
    }
    for (i = 0; i < 2; i++) {
        /* OpenID Connect Discovery (and RFC 8414 section 5): appended */
        if (ends_with(path, suffixes[i])) {
            *issuer = apr_pstrmemdup(p, url, origin + strlen(path)
                                     - strlen(suffixes[i]));
            return NULL;
        }
    }
    return apr_psprintf(p, "a metadata URL has %s or %s in its path "
                        "(RFC 8414 section 3)", MAI_AS_WELL_KNOWN_OAUTH,
                        MAI_AS_WELL_KNOWN_OIDC);
}

/* A string member: -1 wrong type or NUL inside, 0 absent, 1 *out set. */
static int get_string(apr_pool_t *p, json_object *root, const char *name,
                      const char **out)
{
    json_object *v;

    *out = NULL;
    if (!json_object_object_get_ex(root, name, &v)) {
        return 0;
    }
    if (!json_object_is_type(v, json_type_string)
        || strlen(json_object_get_string(v))
           != (size_t)json_object_get_string_len(v)) {
        return -1;
    }
    *out = apr_pstrdup(p, json_object_get_string(v));
    return 1;
}

/* An array of strings: -1 wrong type, 0 absent, 1 *out set. */
static int get_list(apr_pool_t *p, json_object *root, const char *name,
                    apr_array_header_t **out)
{
    json_object *v, *e;
    size_t i, n;

    *out = NULL;
    if (!json_object_object_get_ex(root, name, &v)) {
        return 0;
    }
    if (!json_object_is_type(v, json_type_array)) {
        return -1;
    }
    n = json_object_array_length(v);
    *out = apr_array_make(p, n < MAX_LIST ? (int)n + 1 : MAX_LIST,
                          sizeof(const char *));
    for (i = 0; i < n && i < MAX_LIST; i++) {
        e = json_object_array_get_idx(v, i);
        if (!json_object_is_type(e, json_type_string)) {
            return -1;
        }
        APR_ARRAY_PUSH(*out, const char *)
            = apr_pstrdup(p, json_object_get_string(e));
    }
    return 1;
}

/* mtls_endpoint_aliases (RFC 8705 section 5): an object when present;
 * its introspection_endpoint a string when present. 0: wrong type. */
static int get_mtls_alias(apr_pool_t *p, json_object *root,
                          const char **out)
{
    json_object *v;

    *out = NULL;
    if (!json_object_object_get_ex(root, "mtls_endpoint_aliases", &v)) {
        return 1;
    }
    return json_object_is_type(v, json_type_object)
           && get_string(p, v, "introspection_endpoint", out) >= 0;
}

mai_status_t mai_as_metadata_parse(apr_pool_t *p, const char *json,
                                   apr_size_t len, mai_as_metadata_t *out)
{
    json_tokener *tok;
    json_object *root;
    mai_status_t s = MAI_STATUS_ENDPOINT_BAD_JSON;

    memset(out, 0, sizeof(*out));
    if (!json || !len) {
        return s;
    }
    if (len > INT_MAX) {
        return MAI_STATUS_ENDPOINT_TOO_LARGE;
    }
    tok = json_tokener_new_ex(MAX_DEPTH);
    if (!tok) {
        return MAI_STATUS_INTERNAL;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    root = json_tokener_parse_ex(tok, json, (int)len);
    json_tokener_free(tok);
    if (root && json_object_is_type(root, json_type_object)
        && get_string(p, root, "issuer", &out->issuer) == 1
        && get_string(p, root, "introspection_endpoint",
                      &out->introspection_endpoint) >= 0
        && get_string(p, root, "jwks_uri", &out->jwks_uri) >= 0
        && get_list(p, root, "introspection_endpoint_auth_methods_supported",
                    &out->auth_methods) >= 0
        && get_list(p, root, "introspection_endpoint_auth_signing_alg_"
                    "values_supported", &out->auth_signing_algs) >= 0
        && get_mtls_alias(p, root, &out->mtls_introspection_endpoint)) {
        s = MAI_OK;
    }
    if (root) {
        json_object_put(root);
    }
    if (s != MAI_OK) {
        memset(out, 0, sizeof(*out));
    }
    return s;
}

int mai_as_metadata_lists(const apr_array_header_t *list, const char *s)
{
    int i;

    for (i = 0; list && i < list->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(list, i, const char *), s)) {
            return 1;
        }
    }
    return !list;
}
