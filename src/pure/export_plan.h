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

/* A prepared export: the table entries one answer sets for one set of
 * options, worked out once (when the answer enters L1, cache_l1.h) so a
 * hit only adds them. */
typedef struct {
    int header;                 /* 0: environment, 1: request header */
    const char *name;
    const char *value;
} mai_export_item_t;

typedef struct mai_export_prepared {
    const mai_result_t *res;    /* the answer it was made from: used only
                                 * with that very answer */
    mai_export_opts_t opts;     /* what it was made for (paths compared
                                 * by pointer: they live as long as the
                                 * configuration) */
    int nitems;
    const mai_export_item_t *items;   /* in the order the sink sees them,
                                       * each name once */
    mai_export_cut_t cut;       /* as mai_export_plan gives it */
} mai_export_prepared_t;

/**
 * What mai_export_plan would leave in the tables, as a list: calling
 * mai_export_plan's set on tables that hold none of these names ends the
 * same as adding items in order (a name set twice keeps its first place
 * and its last value; a name removed is not listed). Every name starts
 * with MAI_ENV_PREFIX or MAI_HEADER_PREFIX (claims_map.h). NULL when
 * nothing is exported. From p.
 */
mai_export_prepared_t *mai_export_prepare(apr_pool_t *p,
                                          const mai_result_t *res,
                                          const mai_export_opts_t *o);

/** 1 when x was prepared for options equal to o. */
int mai_export_prepared_for(const mai_export_prepared_t *x,
                            const mai_export_opts_t *o);

/** The bytes mai_export_prepared_copy needs for x; strings inside
 * [lo, hi) (the stored answer they point into) are not copied. */
apr_size_t mai_export_prepared_size(const mai_export_prepared_t *x,
                                    const void *lo, const void *hi);

/** x copied into buf (size bytes from mai_export_prepared_size with the
 * same lo, hi), pointing into [lo, hi) where x does; NULL if it does not
 * fit. */
const mai_export_prepared_t *mai_export_prepared_copy(
    void *buf, apr_size_t size, const mai_export_prepared_t *x,
    const void *lo, const void *hi);

#endif
