/* SPDX-License-Identifier: Apache-2.0 */
/* export_plan.h: which claims go to the environment and to request
 * headers, under what names, and which headers the size cap drops. Pure:
 * the caller's sink writes into httpd's tables. */
#ifndef MAI_EXPORT_PLAN_H
#define MAI_EXPORT_PLAN_H

#include <apr_pools.h>
#include <apr_tables.h>
#include "result.h"

#define MAI_EXPORT_ENV_ALL "INTROSPECT_CLAIMS"
#define MAI_EXPORT_HEADER_ALL "X-Introspect-Claims"

typedef struct {
    int env;                    /* AuthIntrospectSetEnv */
    int headers;                /* AuthIntrospectSetHeaders */
    int whole_header;           /* AuthIntrospectExportClaimsHeader */
    const apr_array_header_t *paths;  /* AuthIntrospectExportClaims:
                                       * mai_claim_path_t *, or NULL for
                                       * every top-level claim */
    apr_size_t max_header_bytes;      /* 0: no cap */
} mai_export_opts_t;

/** Sets name to value in the environment (header 0) or the request
 * headers (header 1), replacing one of the same name; value NULL removes
 * that name. Called in order, so a later name wins. */
typedef void mai_export_set_fn(void *ctx, int header, const char *name,
                               const char *value);

typedef struct {
    apr_size_t header_bytes;    /* what the headers set take: name, ": ",
                                 * value, CRLF each */
    int ndropped;               /* headers the cap left out */
    const char *dropped;        /* their names, ", "-separated (at most
                                 * 20, then "and N more"), or NULL */
} mai_export_cut_t;

/**
 * Export res through set. Env: each chosen claim as INTROSPECT_<NAME>
 * (its text), then INTROSPECT_CLAIMS (the whole answer). Headers: the same
 * as X-Introspect-<Name> (mai_claims_header_value; a value that cannot be
 * a header is left out), then X-Introspect-Claims. A claim whose name
 * maps to INTROSPECT_CLAIMS / X-Introspect-Claims is never exported on
 * its own: that name is the whole answer's. A chosen claim that is
 * absent, or a nested object or array of containers (no text), is left
 * out. Cap: headers are kept in that order while they fit, a header that
 * does not fit is dropped and the next is tried; X-Introspect-Claims
 * comes last, so it is the first to go. *cut says what the headers took
 * and what was dropped. Temporary data from p.
 */
void mai_export_plan(apr_pool_t *p, const mai_result_t *res,
                     const mai_export_opts_t *o, mai_export_set_fn *set,
                     void *ctx, mai_export_cut_t *cut);

#endif
