/* SPDX-License-Identifier: Apache-2.0 */
/* export_plan.c: the exports of one answer for one location. The cap is
 * greedy in priority order (ExportClaims order, else the answer's), so
 * what is kept is predictable from the configuration and the answer, and
 * the whole answer, which repeats every claim, is the first to go. */
#include <string.h>
#include <apr_strings.h>
#include "export_plan.h"
#include "claims_map.h"
#include "claim_path.h"

#define MAX_DROPPED_NAMES 20

typedef struct {
    apr_pool_t *p;
    const mai_export_opts_t *o;
    mai_export_plan_t *plan;
    apr_array_header_t *dropped;
} builder_t;

static apr_size_t header_size(const char *name, const char *value)
{
    return strlen(name) + strlen(value) + 4;    /* ": " and CRLF */
}

static void drop(builder_t *b, const char *name)
{
    b->plan->ndropped++;
    if (b->dropped->nelts < MAX_DROPPED_NAMES) {
        APR_ARRAY_PUSH(b->dropped, const char *) = name;
    }
}

/* A later header of the same name replaces an earlier one (as
 * apr_table_setn would): the earlier one goes, and its bytes with it,
 * whether or not the later one fits. */
static void forget_header(builder_t *b, const char *name)
{
    apr_array_header_t *h = b->plan->headers;
    mai_export_item_t *v = (mai_export_item_t *)h->elts;
    int i, j = 0;

    for (i = 0; i < h->nelts; i++) {
        if (strcmp(v[i].name, name)) {
            v[j++] = v[i];
        }
        else {
            b->plan->header_bytes -= header_size(v[i].name, v[i].value);
        }
    }
    h->nelts = j;
}

static void add_header(builder_t *b, const char *name, const char *value)
{
    apr_size_t n = header_size(name, value);
    mai_export_item_t *it;

    forget_header(b, name);
    if (b->o->max_header_bytes
        && b->plan->header_bytes + n > b->o->max_header_bytes) {
        drop(b, name);
        return;
    }
    b->plan->header_bytes += n;
    it = apr_array_push(b->plan->headers);
    it->name = name;
    it->value = value;
}

static void add_claim(builder_t *b, const char *name, const mai_claim_t *c)
{
    const char *env, *hdr, *v;
    mai_export_item_t *it;

    if (c == NULL || c->text == NULL) {
        return;
    }
    env = mai_claims_env_name(b->p, name);
    if (!strcmp(env, MAI_EXPORT_ENV_ALL)) {
        return;     /* the whole answer's name, whatever it holds */
    }
    if (b->o->env) {
        it = apr_array_push(b->plan->env);
        it->name = env;
        it->value = c->text;
    }
    if (b->o->headers) {
        hdr = mai_claims_header_name(b->p, name);
        v = mai_claims_header_value(b->p, c->text);
        if (v) {
            add_header(b, hdr, v);
        }
    }
}

static const char *dropped_text(builder_t *b)
{
    const char *s;
    int i;

    if (b->plan->ndropped == 0) {
        return NULL;
    }
    s = APR_ARRAY_IDX(b->dropped, 0, const char *);
    for (i = 1; i < b->dropped->nelts; i++) {
        s = apr_pstrcat(b->p, s, ", ", APR_ARRAY_IDX(b->dropped, i,
                                                     const char *), NULL);
    }
    if (b->plan->ndropped > b->dropped->nelts) {
        s = apr_psprintf(b->p, "%s and %d more", s,
                         b->plan->ndropped - b->dropped->nelts);
    }
    return s;
}

mai_export_plan_t *mai_export_plan(apr_pool_t *p, const mai_result_t *res,
                                   const mai_export_opts_t *o)
{
    builder_t b;
    int i;

    b.p = p;
    b.o = o;
    b.plan = apr_pcalloc(p, sizeof(*b.plan));
    b.plan->env = apr_array_make(p, res->nclaims + 1,
                                 sizeof(mai_export_item_t));
    b.plan->headers = apr_array_make(p, res->nclaims + 1,
                                     sizeof(mai_export_item_t));
    b.dropped = apr_array_make(p, 4, sizeof(const char *));
    if (o->env || o->headers) {
        if (o->paths == NULL) {
            for (i = 0; i < res->nclaims; i++) {
                add_claim(&b, res->claims[i].name, &res->claims[i]);
            }
        }
        for (i = 0; o->paths != NULL && i < o->paths->nelts; i++) {
            const mai_claim_path_t *path =
                APR_ARRAY_IDX(o->paths, i, const mai_claim_path_t *);
            add_claim(&b, path->name, mai_claim_path_find(path, res));
        }
    }
    if (o->env) {
        mai_export_item_t *it = apr_array_push(b.plan->env);
        it->name = MAI_EXPORT_ENV_ALL;
        it->value = res->json;
    }
    if (o->headers && o->whole_header) {
        const char *v = mai_claims_header_value(p, res->json);
        if (v) {
            add_header(&b, MAI_EXPORT_HEADER_ALL, v);
        }
    }
    b.plan->dropped = dropped_text(&b);
    return b.plan;
}
