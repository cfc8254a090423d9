/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_result.c: the introspection response validator.
 *
 * Input: the response body. It is parsed from an exactly sized buffer
 * (no NUL after it). An accepted result must respect the documented
 * limits, survive mai_result_check and mai_result_user, deep-copy equal
 * with mai_result_copy and into an exactly sized malloc block with
 * mai_result_flat_copy, and both copies must stay intact once the
 * parse pool is gone. Its compact JSON, which is what the shared cache
 * stores, must parse again to the same result: a cache hit has to see
 * exactly what the fresh answer said. */
#include <string.h>
#include <apr_cstr.h>
#include <apr_tables.h>
#include "fuzz.h"
#include "result.h"
#include "result_flat.h"

#define NOW 1700000000

static int str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_strv(const char *const *v, int n, int words)
{
    int i;

    MAI_FUZZ_ASSERT(n >= 0);
    if (!v) {
        MAI_FUZZ_ASSERT(n == 0);
        return;
    }
    for (i = 0; i < n; i++) {
        MAI_FUZZ_ASSERT(v[i] != NULL);
        if (words) {
            MAI_FUZZ_ASSERT(v[i][0] != '\0' && !strchr(v[i], ' '));
        }
    }
    MAI_FUZZ_ASSERT(v[n] == NULL);
}

static void strv_eq(const char *const *a, int na, const char *const *b,
                    int nb)
{
    int i;

    MAI_FUZZ_ASSERT(na == nb && (!a) == (!b));
    for (i = 0; a && i < na; i++) {
        MAI_FUZZ_ASSERT(strcmp(a[i], b[i]) == 0);
    }
}

/* Claims, and the members of objects among them (dotted paths walk
 * those), equal at every depth. Below the top level an object or an
 * array of containers has no text. */
static void same_claims(const mai_claim_t *a, int na, const mai_claim_t *b,
                        int nb)
{
    int i;

    MAI_FUZZ_ASSERT(na == nb && (!a) == (!b));
    for (i = 0; a && i < na; i++) {
        const mai_claim_t *x = &a[i], *y = &b[i];
        MAI_FUZZ_ASSERT(strcmp(x->name, y->name) == 0 && x->kind == y->kind);
        MAI_FUZZ_ASSERT(str_eq(x->text, y->text));
        strv_eq(x->items, x->nitems, y->items, y->nitems);
        MAI_FUZZ_ASSERT((x->members != NULL)
                        == (x->kind == MAI_CLAIM_OBJECT));
        same_claims(x->members, x->nmembers, y->members, y->nmembers);
    }
}

static void same_result(const mai_result_t *a, const mai_result_t *b)
{
    int i;


    MAI_FUZZ_ASSERT(a->active == b->active && a->has_exp == b->has_exp &&
                    a->has_nbf == b->has_nbf);
    MAI_FUZZ_ASSERT(!a->has_exp || a->exp == b->exp);
    MAI_FUZZ_ASSERT(!a->has_nbf || a->nbf == b->nbf);
    MAI_FUZZ_ASSERT(str_eq(a->iss, b->iss));
    MAI_FUZZ_ASSERT(str_eq(a->client_id, b->client_id));
    MAI_FUZZ_ASSERT(str_eq(a->token_type, b->token_type));
    MAI_FUZZ_ASSERT(str_eq(a->json, b->json));
    strv_eq(a->scopes, a->nscopes, b->scopes, b->nscopes);
    strv_eq(a->auds, a->nauds, b->auds, b->nauds);
    MAI_FUZZ_ASSERT(a->nclaims == b->nclaims);
    for (i = 0; i < a->nclaims; i++) {
        /* every top-level claim has a text */
        MAI_FUZZ_ASSERT(a->claims[i].text && b->claims[i].text);
    }
    same_claims(a->claims, a->nclaims, b->claims, b->nclaims);
}

/* The documented shape and limits of an accepted result. */
static void check_shape(const mai_result_t *res)
{
    int i;

    MAI_FUZZ_ASSERT(res->active == 0 || res->active == 1);
    MAI_FUZZ_ASSERT(res->json != NULL && res->json[0] == '{');
    MAI_FUZZ_ASSERT(res->nclaims >= 0 && res->nclaims <= 1000);
    check_strv(res->scopes, res->nscopes, 1);
    check_strv(res->auds, res->nauds, 0);
    for (i = 0; i < res->nclaims; i++) {
        const mai_claim_t *c = &res->claims[i];
        MAI_FUZZ_ASSERT(c->name != NULL && c->text != NULL);
        MAI_FUZZ_ASSERT(strlen(c->text) <= 65536);
        if (c->kind == MAI_CLAIM_OBJECT || c->kind == MAI_CLAIM_NULL) {
            MAI_FUZZ_ASSERT(c->items == NULL && c->nitems == 0);
        } else if (c->kind != MAI_CLAIM_ARRAY) {
            MAI_FUZZ_ASSERT(c->nitems == 1 && !strcmp(c->items[0], c->text));
        }
        check_strv(c->items, c->nitems, 0);
        /* names are unique (duplicates are refused), so lookup finds
         * this one; checked for a few claims only, as each lookup is
         * linear */
        if (i < 8 || i == res->nclaims - 1) {
            MAI_FUZZ_ASSERT(mai_result_claim(res, c->name) == c);
        }
    }
}

static void check_uses(apr_pool_t *p, const mai_result_t *res)
{
    apr_array_header_t *names = apr_array_make(p, 3, sizeof(const char *));
    apr_array_header_t *types = apr_array_make(p, 1, sizeof(const char *));
    mai_status_t st = mai_result_check(res, NOW, 60, NULL, NULL);
    const char *user;

    MAI_FUZZ_ASSERT(st == MAI_OK || st == MAI_STATUS_INACTIVE ||
                    st == MAI_STATUS_REFRESH_TOKEN ||
                    st == MAI_STATUS_DPOP_TOKEN ||
                    st == MAI_STATUS_BOUND_TOKEN ||
                    st == MAI_STATUS_EXPIRED ||
                    st == MAI_STATUS_NOT_YET_VALID);
    MAI_FUZZ_ASSERT(st != MAI_OK || res->active);
    if (st == MAI_OK) {
        MAI_FUZZ_ASSERT(mai_result_check(res, NOW, 60, res->iss ? res->iss
                                         : "x", NULL) == (res->iss ? MAI_OK
                                         : MAI_STATUS_WRONG_ISSUER));
        /* a token types list admits exactly its types, in any case */
        APR_ARRAY_PUSH(types, const char *) = "bEARER";
        MAI_FUZZ_ASSERT(mai_result_check(res, NOW, 60, NULL, types)
                        == (res->token_type
                            && !apr_cstr_casecmp(res->token_type, "bearer")
                            ? MAI_OK : MAI_STATUS_WRONG_TOKEN_TYPE));
        apr_array_clear(types);
        MAI_FUZZ_ASSERT(mai_result_check(res, NOW, 60, NULL, types)
                        == MAI_STATUS_WRONG_TOKEN_TYPE);
    }
    /* extreme clocks must not overflow (UBSan watches) */
    mai_result_check(res, APR_INT64_MAX - 60, 60, NULL, NULL);
    mai_result_check(res, APR_INT64_MIN + 60, 60, NULL, NULL);
    APR_ARRAY_PUSH(names, const char *) = "sub";
    APR_ARRAY_PUSH(names, const char *) = "username";
    APR_ARRAY_PUSH(names, const char *) = "client_id";
    user = mai_result_user(res, names);
    MAI_FUZZ_ASSERT(!user || user[0] != '\0');
}

static void check_copies(const mai_result_t *res, apr_pool_t *parse_pool)
{
    apr_pool_t *cp = mai_fuzz_pool();
    const mai_result_t *copy = mai_result_copy(cp, res);
    apr_size_t size = mai_result_flat_size(res);
    void *buf = malloc(size ? size : 1);
    const mai_result_t *flat;

    MAI_FUZZ_ASSERT(buf != NULL);
    flat = mai_result_flat_copy(buf, size, res);
    MAI_FUZZ_ASSERT(flat == buf);
    same_result(res, copy);
    same_result(res, flat);
    /* nothing in either copy may point into the parse pool */
    mai_fuzz_pool_free(parse_pool);
    same_result(copy, flat);
    free(buf);
    mai_fuzz_pool_free(cp);
}

/* What the shared cache does with res->json on a hit. */
static void check_reparse(const mai_result_t *res)
{
    apr_pool_t *p = mai_fuzz_pool();
    const mai_result_t *again = NULL;
    mai_status_t st = mai_result_parse(p, res->json, strlen(res->json),
                                       &again);

    MAI_FUZZ_ASSERT(st == MAI_OK);
    same_result(res, again);
    mai_fuzz_pool_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = mai_fuzz_pool();
    char *json = mai_fuzz_dup(data, size, 0);
    const mai_result_t *res = NULL;
    mai_status_t st = mai_result_parse(p, json, size, &res);

    MAI_FUZZ_ASSERT(st == MAI_OK || st == MAI_STATUS_ENDPOINT_BAD_JSON ||
                    st == MAI_STATUS_ENDPOINT_TOO_LARGE ||
                    st == MAI_STATUS_ENDPOINT_DUPLICATE_MEMBER);
    MAI_FUZZ_ASSERT((st == MAI_OK) == (res != NULL));
    free(json);
    if (st != MAI_OK) {
        mai_fuzz_pool_free(p);
        return 0;
    }
    check_shape(res);
    check_uses(p, res);
    check_reparse(res);
    check_copies(res, p); /* frees p */
    return 0;
}
