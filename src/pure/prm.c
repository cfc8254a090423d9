/* SPDX-License-Identifier: Apache-2.0 */
/* prm.c: RFC 9728 protected-resource metadata (see prm.h). The document
 * is built with json-c, so every string is escaped by one tested writer
 * rather than by hand. */
#include <apr_strings.h>
#include <json.h>
#include "prm.h"
#include "url.h"
#include "config_values.h"

const char *mai_prm_resource_parse(apr_pool_t *p, const char *url,
                                   const mai_prm_resource_t **out)
{
    mai_url_t u;
    mai_prm_resource_t *r;
    const char *err = mai_url_parse(p, url, &u);

    if (err) {
        return err;
    }
    if (!u.tls && !mai_url_is_loopback_host(u.host)) {
        /* an agent sends its token to this URL */
        return "the resource identifier must be an https:// URL (http:// "
               "only to a loopback host)";
    }
    if (strchr(u.path, '?')) {
        return "the resource identifier must not have a query (RFC 9728 "
               "section 1.2)";
    }
    r = apr_pcalloc(p, sizeof(*r));
    r->id = apr_pstrdup(p, url);
    r->path = u.path;
    /* section 3.1: a lone "/" path is the terminating slash that goes */
    r->metadata_url = apr_pstrcat(p, u.tls ? "https://" : "http://",
                                  u.authority, MAI_PRM_WELL_KNOWN,
                                  strcmp(u.path, "/") ? u.path : "", NULL);
    *out = r;
    return NULL;
}

const char *mai_prm_requested_path(const char *uri)
{
    apr_size_t n = sizeof(MAI_PRM_WELL_KNOWN) - 1;

    if (strncmp(uri, MAI_PRM_WELL_KNOWN, n)) {
        return NULL;
    }
    if (!uri[n]) {
        return "/";
    }
    return uri[n] == '/' ? uri + n : NULL;
}

static void add_string(json_object *o, const char *name, const char *v)
{
    if (v) {
        json_object_object_add(o, name, json_object_new_string(v));
    }
}

static void add_array(json_object *o, const char *name,
                      const apr_array_header_t *a)
{
    json_object *arr;
    int i;

    if (!a || !a->nelts) {
        return;
    }
    arr = json_object_new_array();
    for (i = 0; i < a->nelts; i++) {
        json_object_array_add(arr, json_object_new_string(
                                  APR_ARRAY_IDX(a, i, const char *)));
    }
    json_object_object_add(o, name, arr);
}

const char *mai_prm_document(apr_pool_t *p, const mai_prm_doc_t *d)
{
    json_object *o = json_object_new_object();
    apr_array_header_t *methods = apr_array_make(p, 3, sizeof(char *));
    const char *s;

    if (d->token_sources & MAI_SRC_HEADER) {
        APR_ARRAY_PUSH(methods, const char *) = "header";
    }
    if (d->token_sources & MAI_SRC_FORM) {
        APR_ARRAY_PUSH(methods, const char *) = "body";
    }
    if (d->token_sources & MAI_SRC_QUERY) {
        APR_ARRAY_PUSH(methods, const char *) = "query";
    }
    add_string(o, "resource", d->resource);
    add_array(o, "authorization_servers", d->authorization_servers);
    add_array(o, "scopes_supported", d->scopes);
    /* RFC 9728: an empty array says no method is supported; a location
     * that takes only a cookie says exactly that */
    json_object_object_add(o, "bearer_methods_supported",
                           json_object_new_array());
    add_array(o, "bearer_methods_supported", methods);
    add_string(o, "resource_name", d->resource_name);
    add_string(o, "resource_documentation", d->resource_documentation);
    s = apr_pstrdup(p, json_object_to_json_string_ext(
                        o, JSON_C_TO_STRING_PLAIN
                        | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return s;
}

int mai_prm_audience_ok(const mai_result_t *res, const char *resource)
{
    int i;

    for (i = 0; i < res->nauds; i++) {
        if (!strcmp(res->auds[i], resource)) {
            return 1;
        }
    }
    return 0;
}
