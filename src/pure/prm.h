/* SPDX-License-Identifier: Apache-2.0 */
/* prm.h: RFC 9728 OAuth 2.0 protected-resource metadata: the resource
 * identifier, the URL its metadata document is served at, the document
 * itself and the audience binding of RFC 8707. Pure. */
#ifndef MAI_PRM_H
#define MAI_PRM_H

#include <apr_pools.h>
#include <apr_tables.h>
#include "result.h"

/* RFC 9728 section 3: the well-known URI suffix */
#define MAI_PRM_WELL_KNOWN "/.well-known/oauth-protected-resource"

typedef struct mai_prm_resource {
    const char *id;           /* the identifier as configured */
    const char *path;         /* its path, "/" at least */
    const char *metadata_url; /* where its metadata document is */
} mai_prm_resource_t;

/**
 * Parse AuthIntrospectResource: an absolute https:// URL (http:// only to
 * a loopback host, for tests) without query or fragment (RFC 9728 section
 * 1.2). The metadata URL is the identifier with the well-known suffix
 * put between its authority and its path (section 3.1; a path of "/"
 * adds nothing). NULL or an error message; *out from p.
 */
const char *mai_prm_resource_parse(apr_pool_t *p, const char *url,
                                   const mai_prm_resource_t **out);

/**
 * The resource path a request path asks the metadata of: uri must be the
 * well-known suffix alone ("/") or followed by "/...". NULL otherwise.
 */
const char *mai_prm_requested_path(const char *uri);

/** What the metadata document says. Arrays hold const char *; NULL or
 * empty arrays and NULL strings leave their member out. */
typedef struct mai_prm_doc {
    const char *resource;
    const apr_array_header_t *authorization_servers;
    const apr_array_header_t *scopes;
    int token_sources;           /* MAI_SRC_* bits of AcceptTokenIn */
    const char *resource_name;
    const char *resource_documentation;
} mai_prm_doc_t;

/** The metadata document as a JSON object (RFC 9728 section 2), from p.
 * bearer_methods_supported: header, body (form), query; a cookie is not
 * an RFC 6750 method and is not listed. */
const char *mai_prm_document(apr_pool_t *p, const mai_prm_doc_t *d);

/** 1 when the answer's "aud" (a string or an array of strings) contains
 * resource exactly, else 0 (RFC 8707 audience binding). */
int mai_prm_audience_ok(const mai_result_t *res, const char *resource);

#endif
