/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_result_diff.c: the answer reader against the parser it replaced.
 *
 * Input: an answer body. mai_result_parse (src/pure/result.c, a reader of
 * the bytes) and mai_result_parse_jsonc (tests/oracle/result_jsonc.c,
 * json-c's tree, what the module used before) read it from exactly sized
 * buffers and must agree: the same status, and for an accepted answer the
 * same result, field by field and claim by claim at every depth (names,
 * kinds, texts, items, members) and the same compact JSON. */
#include <stdio.h>
#include <string.h>
#include "fuzz.h"
#include "result.h"
#include "result_jsonc.h"

static int str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void strv_eq(const char *const *a, int na, const char *const *b,
                    int nb)
{
    int i;

    MAI_FUZZ_ASSERT(na == nb && (!a) == (!b));
    for (i = 0; a && i < na; i++) {
        MAI_FUZZ_ASSERT(strcmp(a[i], b[i]) == 0);
    }
    MAI_FUZZ_ASSERT(!a || (a[na] == NULL && b[nb] == NULL));
}

static void same_claims(const mai_claim_t *a, int na, const mai_claim_t *b,
                        int nb)
{
    int i;

    MAI_FUZZ_ASSERT(na == nb && (!a) == (!b));
    for (i = 0; a && i < na; i++) {
        const mai_claim_t *x = &a[i], *y = &b[i];
        MAI_FUZZ_ASSERT(strcmp(x->name, y->name) == 0);
        MAI_FUZZ_ASSERT(x->kind == y->kind);
        MAI_FUZZ_ASSERT(str_eq(x->text, y->text));
        strv_eq(x->items, x->nitems, y->items, y->nitems);
        same_claims(x->members, x->nmembers, y->members, y->nmembers);
        MAI_FUZZ_ASSERT(x->env_name == NULL && y->env_name == NULL);
    }
}

static void same_result(const mai_result_t *a, const mai_result_t *b)
{
    MAI_FUZZ_ASSERT(a->active == b->active);
    MAI_FUZZ_ASSERT(a->has_exp == b->has_exp && a->has_nbf == b->has_nbf);
    MAI_FUZZ_ASSERT(!a->has_exp || a->exp == b->exp);
    MAI_FUZZ_ASSERT(!a->has_nbf || a->nbf == b->nbf);
    MAI_FUZZ_ASSERT(str_eq(a->iss, b->iss));
    MAI_FUZZ_ASSERT(str_eq(a->client_id, b->client_id));
    MAI_FUZZ_ASSERT(str_eq(a->token_type, b->token_type));
    MAI_FUZZ_ASSERT(str_eq(a->json, b->json));
    strv_eq(a->scopes, a->nscopes, b->scopes, b->nscopes);
    strv_eq(a->auds, a->nauds, b->auds, b->nauds);
    same_claims(a->claims, a->nclaims, b->claims, b->nclaims);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = mai_fuzz_pool();
    char *json = mai_fuzz_dup(data, size, 0);
    const mai_result_t *mine = NULL, *theirs = NULL;
    mai_status_t a = mai_result_parse(p, json, size, &mine);
    mai_status_t b = mai_result_parse_jsonc(p, json, size, &theirs);

    free(json);
    if (a != b) {
        char why[128];
        snprintf(why, sizeof(why), "status: reader %s, json-c %s",
                 mai_status_name(a), mai_status_name(b));
        mai_fuzz_fail(why, __FILE__, __LINE__);
    }
    MAI_FUZZ_ASSERT((a == MAI_OK) == (mine != NULL));
    MAI_FUZZ_ASSERT((b == MAI_OK) == (theirs != NULL));
    if (a == MAI_OK && b == MAI_OK) {
        same_result(mine, theirs);
    }
    mai_fuzz_pool_free(p);
    return 0;
}
