/* SPDX-License-Identifier: Apache-2.0 */
/* as_metadata.h: RFC 8414 / OpenID Connect Discovery authorization-server
 * metadata: the issuer a metadata URL stands for, and the members of the
 * document the module reads. Pure. */
#ifndef MAI_AS_METADATA_H
#define MAI_AS_METADATA_H

#include <apr_pools.h>
#include <apr_tables.h>
#include "status.h"

#define MAI_AS_WELL_KNOWN_OAUTH "/.well-known/oauth-authorization-server"
#define MAI_AS_WELL_KNOWN_OIDC  "/.well-known/openid-configuration"

typedef struct mai_as_metadata {
    const char *issuer;
    const char *introspection_endpoint;     /* NULL: absent */
    const char *jwks_uri;                   /* NULL: absent */
    /* RFC 8705 section 5: mtls_endpoint_aliases.introspection_endpoint,
     * for clients that present a certificate; NULL: absent */
    const char *mtls_introspection_endpoint;
    /* arrays of const char *; NULL: the member is absent */
    apr_array_header_t *auth_methods;       /* ..._auth_methods_supported */
    apr_array_header_t *auth_signing_algs;  /* ..._signing_alg_values_... */
} mai_as_metadata_t;

/**
 * The issuer a metadata URL belongs to (RFC 8414 section 3.1 and 3.3):
 * the well-known suffix inserted between authority and path
 * (https://as/.well-known/oauth-authorization-server/t1 is issuer
 * https://as/t1), or appended to the issuer (OpenID Connect Discovery:
 * https://as/t1/.well-known/openid-configuration). No query, no fragment.
 * @return NULL and *issuer (from p), or an error message for the operator.
 */
const char *mai_as_issuer_of(apr_pool_t *p, const char *metadata_url,
                             const char **issuer);

/**
 * Parse a metadata document: one JSON object with a string issuer; the
 * other members read are optional, but of the right type when present.
 * @return MAI_OK and *out (strings from p), or ENDPOINT_BAD_JSON /
 * ENDPOINT_TOO_LARGE.
 */
mai_status_t mai_as_metadata_parse(apr_pool_t *p, const char *json,
                                   apr_size_t len, mai_as_metadata_t *out);

/** 1 when list (NULL: absent, so no claim is made) names s, or is NULL. */
int mai_as_metadata_lists(const apr_array_header_t *list, const char *s);

#endif
