/* SPDX-License-Identifier: Apache-2.0 */
/* result_flat.c: two passes over the same shape, one measuring and one
 * copying, so they can never disagree about the size. */
#include <string.h>
#include <apr_general.h>
#include "result_flat.h"
#include "claims_map.h"

typedef struct {
    char *cur;      /* NULL while measuring */
    apr_size_t used;
    apr_size_t size;        /* what cur holds */
    int short_buf;          /* cur was too small: writing stopped */
} arena_t;

/* A short buffer is refused, never overrun: past its end the pass goes
 * on measuring only, and the copy is refused. */
static void *take(arena_t *a, apr_size_t n)
{
    void *p = a->cur ? a->cur + a->used : NULL;

    n = APR_ALIGN_DEFAULT(n);
    if (p && n > a->size - a->used) {
        a->cur = NULL;
        a->short_buf = 1;
        p = NULL;
    }
    a->used += n;
    return p;
}

/* s, of n bytes and its NUL */
static const char *strn(arena_t *a, const char *s, apr_size_t n)
{
    char *d = take(a, n + 1);

    if (d) {
        memcpy(d, s, n + 1);
    }
    return d;
}

static const char *str(arena_t *a, const char *s)
{
    return s ? strn(a, s, strlen(s)) : NULL;
}

static const char *const *strv(arena_t *a, const char *const *v, int n)
{
    const char **d;
    int i;

    if (!v) {
        return NULL;
    }
    d = take(a, sizeof(*d) * (n + 1));
    for (i = 0; i < n; i++) {
        const char *s = str(a, v[i]);
        if (d) {
            d[i] = s;
        }
    }
    if (d) {
        d[n] = NULL;
    }
    return d;
}

/* A top-level claim's environment name (export_plan.c uses it): copied
 * when the source has it, else written straight into the block; n is
 * strlen(c->name). */
static const char *env_name(arena_t *a, const mai_claim_t *c, apr_size_t n)
{
    char *d;

    if (c->env_name || c->text == NULL) {
        return str(a, c->env_name);
    }
    d = take(a, sizeof(MAI_ENV_PREFIX) + n);
    if (d) {
        mai_claims_env_name_to(d, c->name, n);
    }
    return d;
}

/* n claims and, recursively, the members of objects among them (depth
 * bounded by the parser); top: the answer's own members. */
static const mai_claim_t *claimv(arena_t *a, const mai_claim_t *v, int n,
                                 int top)
{
    mai_claim_t *d;
    int i;

    if (!v) {
        return NULL;
    }
    d = take(a, sizeof(*d) * (n + 1));
    for (i = 0; i < n; i++) {
        mai_claim_t cl = v[i];
        apr_size_t n_name = cl.name ? strlen(cl.name) : 0;

        cl.name = cl.name ? strn(a, cl.name, n_name) : NULL;
        cl.text = str(a, cl.text);
        cl.items = strv(a, cl.items, cl.nitems);
        cl.members = claimv(a, cl.members, cl.nmembers, 0);
        cl.env_name = top && v[i].name ? env_name(a, &v[i], n_name)
                                         : NULL;
        if (d) {
            d[i] = cl;
        }
    }
    return d;
}

static mai_result_t *copy(arena_t *a, const mai_result_t *res)
{
    mai_result_t *c = take(a, sizeof(*c));
    mai_result_t tmp = *res;

    tmp.iss = str(a, res->iss);
    tmp.client_id = str(a, res->client_id);
    tmp.token_type = str(a, res->token_type);
    tmp.scopes = strv(a, res->scopes, res->nscopes);
    tmp.auds = strv(a, res->auds, res->nauds);
    tmp.json = str(a, res->json);
    tmp.claims = claimv(a, res->claims, res->nclaims, 1);
    if (c) {
        *c = tmp;
    }
    return c;
}

apr_size_t mai_result_flat_size(const mai_result_t *res)
{
    arena_t a = { NULL, 0, 0, 0 };

    copy(&a, res);
    return a.used;
}

mai_result_t *mai_result_flat_copy(void *buf, apr_size_t size,
                                   const mai_result_t *res)
{
    arena_t a = { buf, 0, size, 0 };
    mai_result_t *c = copy(&a, res);

    return a.short_buf ? NULL : c;
}
