/* SPDX-License-Identifier: Apache-2.0 */
/* export_plan.c: the exports of one answer for one location. The cap is
 * greedy in priority order (ExportClaims order, else the answer's), so
 * what is kept is predictable from the configuration and the answer, and
 * the whole answer, which repeats every claim, is the first to go. Names
 * and values go straight to the sink: a cache hit pays for no copy. */
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include "export_plan.h"
#include "claims_map.h"
#include "claim_path.h"

#define MAX_DROPPED_NAMES 20

typedef struct {
    const char *name;
    apr_size_t size;
} kept_t;

typedef struct {
    apr_pool_t *p;
    const mai_export_opts_t *o;
    mai_export_set_fn *set;
    void *ctx;
    mai_export_cut_t *cut;
    apr_array_header_t *kept;       /* kept_t: headers set, for the cap */
    apr_array_header_t *dropped;    /* names, made on the first drop */
} builder_t;

static void drop(builder_t *b, const char *name)
{
    if (b->dropped == NULL) {
        b->dropped = apr_array_make(b->p, 4, sizeof(const char *));
    }
    b->cut->ndropped++;
    if (b->dropped->nelts < MAX_DROPPED_NAMES) {
        APR_ARRAY_PUSH(b->dropped, const char *) = name;
    }
}

/* A later header of the same name replaces an earlier one (as the sink
 * does), so the earlier one's bytes are given back first; if the later
 * one then does not fit, the earlier one is removed too: a name never
 * carries another claim's value. */
static void add_header(builder_t *b, const char *name, const char *value)
{
    apr_size_t n = strlen(name) + strlen(value) + 4;   /* ": ", CRLF */
    kept_t *k = (kept_t *)b->kept->elts, *slot = NULL;
    int i;

    for (i = 0; i < b->kept->nelts; i++) {
        if (k[i].name != NULL && !strcmp(k[i].name, name)) {
            b->cut->header_bytes -= k[i].size;
            slot = &k[i];
            break;
        }
    }
    if (b->o->max_header_bytes
        && b->cut->header_bytes + n > b->o->max_header_bytes) {
        if (slot) {
            slot->name = NULL;
            b->set(b->ctx, 1, name, NULL);
        }
        drop(b, name);
        return;
    }
    if (!slot) {
        slot = apr_array_push(b->kept);
        slot->name = name;
    }
    slot->size = n;
    b->cut->header_bytes += n;
    b->set(b->ctx, 1, name, value);
}

/* A claim exported under its own name from a cached answer has its
 * environment name already (result_flat.h); one reached by a path (the
 * path's name) or from a fresh parse gets it built here. */
static void add_claim(builder_t *b, const char *name, const mai_claim_t *c)
{
    const char *env, *v;

    if (c == NULL || c->text == NULL) {
        return;
    }
    env = c->env_name && name == c->name
          ? c->env_name : mai_claims_env_name(b->p, name);
    if (!strcmp(env, MAI_EXPORT_ENV_ALL)) {
        return;     /* the whole answer's name, whatever it holds */
    }
    if (b->o->env) {
        b->set(b->ctx, 0, env, c->text);
    }
    if (b->o->headers) {
        v = mai_claims_header_value(b->p, c->text);
        if (v) {
            add_header(b, mai_claims_header_name(b->p, name), v);
        }
    }
}

static const char *dropped_text(builder_t *b)
{
    const char *s;
    int i;

    if (b->dropped == NULL) {
        return NULL;
    }
    s = APR_ARRAY_IDX(b->dropped, 0, const char *);
    for (i = 1; i < b->dropped->nelts; i++) {
        s = apr_pstrcat(b->p, s, ", ", APR_ARRAY_IDX(b->dropped, i,
                                                     const char *), NULL);
    }
    if (b->cut->ndropped > b->dropped->nelts) {
        s = apr_psprintf(b->p, "%s and %d more", s,
                         b->cut->ndropped - b->dropped->nelts);
    }
    return s;
}

void mai_export_plan(apr_pool_t *p, const mai_result_t *res,
                     const mai_export_opts_t *o, mai_export_set_fn *set,
                     void *ctx, mai_export_cut_t *cut)
{
    builder_t b;
    int i;

    memset(cut, 0, sizeof(*cut));
    if (!o->env && !o->headers) {
        return;
    }
    b.p = p;
    b.o = o;
    b.set = set;
    b.ctx = ctx;
    b.cut = cut;
    b.kept = o->headers ? apr_array_make(p, res->nclaims + 1,
                                         sizeof(kept_t)) : NULL;
    b.dropped = NULL;
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
    if (o->env) {
        set(ctx, 0, MAI_EXPORT_ENV_ALL, res->json);
    }
    if (o->headers && o->whole_header) {
        const char *v = mai_claims_header_value(p, res->json);
        if (v) {
            add_header(&b, MAI_EXPORT_HEADER_ALL, v);
        }
    }
    cut->dropped = dropped_text(&b);
}

/* mai_export_prepare's sink: a table of its own, compared as httpd's
 * (names case-blind), so what it ends with is what the real tables would
 * have gained. */
typedef struct {
    apr_array_header_t *items;      /* mai_export_item_t */
} recorder_t;

static void record(void *ctx, int header, const char *name,
                   const char *value)
{
    recorder_t *rec = ctx;
    mai_export_item_t *it = (mai_export_item_t *)rec->items->elts;
    int i, n = rec->items->nelts;

    for (i = 0; i < n; i++) {
        if (it[i].header == header && !strcasecmp(it[i].name, name)) {
            break;
        }
    }
    if (i < n && value) {
        it[i].value = value;        /* apr_table_setn: first place kept */
    }
    else if (i < n) {
        memmove(&it[i], &it[i + 1], (n - i - 1) * sizeof(*it));
        rec->items->nelts--;
    }
    else if (value) {
        mai_export_item_t *add = apr_array_push(rec->items);
        add->header = header;
        add->name = name;
        add->value = value;
    }
}

mai_export_prepared_t *mai_export_prepare(apr_pool_t *p,
                                          const mai_result_t *res,
                                          const mai_export_opts_t *o)
{
    mai_export_prepared_t *x;
    recorder_t rec;

    if (!o->env && !o->headers) {
        return NULL;
    }
    x = apr_pcalloc(p, sizeof(*x));
    x->res = res;
    x->opts = *o;
    rec.items = apr_array_make(p, res->nclaims * 2 + 2,
                               sizeof(mai_export_item_t));
    mai_export_plan(p, res, o, record, &rec, &x->cut);
    x->nitems = rec.items->nelts;
    x->items = (const mai_export_item_t *)rec.items->elts;
    return x;
}

int mai_export_prepared_for(const mai_export_prepared_t *x,
                            const mai_export_opts_t *o)
{
    return x->opts.env == o->env && x->opts.headers == o->headers
           && x->opts.whole_header == o->whole_header
           && x->opts.paths == o->paths
           && x->opts.max_header_bytes == o->max_header_bytes;
}

static int inside(const char *s, const void *lo, const void *hi)
{
    return s >= (const char *)lo && s < (const char *)hi;
}

static apr_size_t text_size(const char *s, const void *lo, const void *hi)
{
    return !s || inside(s, lo, hi) ? 0 : strlen(s) + 1;
}

apr_size_t mai_export_prepared_size(const mai_export_prepared_t *x,
                                    const void *lo, const void *hi)
{
    apr_size_t n = APR_ALIGN_DEFAULT(sizeof(*x))
                   + APR_ALIGN_DEFAULT(x->nitems * sizeof(*x->items));
    int i;

    for (i = 0; i < x->nitems; i++) {
        n += text_size(x->items[i].name, lo, hi)
             + text_size(x->items[i].value, lo, hi);
    }
    return n + text_size(x->cut.dropped, lo, hi);
}

/* s, from inside [lo, hi) as is, else copied at *at */
static const char *put_text(const char *s, const void *lo, const void *hi,
                            char **at, const char *end)
{
    apr_size_t n;
    char *d;

    if (!s || inside(s, lo, hi)) {
        return s;
    }
    n = strlen(s) + 1;
    if ((apr_size_t)(end - *at) < n) {
        return NULL;
    }
    d = memcpy(*at, s, n);
    *at += n;
    return d;
}

const mai_export_prepared_t *mai_export_prepared_copy(
    void *buf, apr_size_t size, const mai_export_prepared_t *x,
    const void *lo, const void *hi)
{
    mai_export_prepared_t *y = buf;
    mai_export_item_t *items;
    char *at, *end = (char *)buf + size;
    int i;

    if (size < mai_export_prepared_size(x, lo, hi)) {
        return NULL;
    }
    *y = *x;
    items = (mai_export_item_t *)((char *)buf
                                  + APR_ALIGN_DEFAULT(sizeof(*x)));
    at = (char *)items + APR_ALIGN_DEFAULT(x->nitems * sizeof(*items));
    for (i = 0; i < x->nitems; i++) {
        items[i].header = x->items[i].header;
        items[i].name = put_text(x->items[i].name, lo, hi, &at, end);
        items[i].value = put_text(x->items[i].value, lo, hi, &at, end);
    }
    y->items = items;
    y->cut.dropped = put_text(x->cut.dropped, lo, hi, &at, end);
    return y;
}
