/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_jwt_access_token.c: the key-free half of a JWT access token's
 * path (RFC 9068): the shape test every token passes through when
 * AuthIntrospectLocalJWT is on, typ, and the claims made into an
 * introspection answer. The signature check before the claims is
 * cjose's, behind jose.h.
 *
 * Input: the whole input is also a token for the shape test. Byte 0:
 * bit 0 lenient typ; then the typ up to the first '\n' (an empty line:
 * no typ), then the payload JSON, parsed from an exactly sized buffer.
 * An accepted payload must give an active answer whose cached text
 * (res->json) parses again to the same answer, with the scope from scp
 * kept: a cache hit sees what the first sight saw. */
#include <string.h>
#include "fuzz.h"
#include "jwt_access_token.h"

#define NOW 1700000000

static void same(const mai_result_t *a, const mai_result_t *b)
{
    int i;

    MAI_FUZZ_ASSERT(a->active && b->active);
    MAI_FUZZ_ASSERT(strcmp(a->json, b->json) == 0);
    MAI_FUZZ_ASSERT(a->has_exp == b->has_exp && a->exp == b->exp);
    MAI_FUZZ_ASSERT(a->nscopes == b->nscopes && a->nclaims == b->nclaims);
    for (i = 0; i < a->nscopes; i++) {
        MAI_FUZZ_ASSERT(strcmp(a->scopes[i], b->scopes[i]) == 0);
    }
}

static void check_answer(apr_pool_t *p, const mai_result_t *res)
{
    const mai_result_t *again = NULL;
    mai_status_t st;

    MAI_FUZZ_ASSERT(res->active);
    MAI_FUZZ_ASSERT(!strncmp(res->json, "{\"active\":true", 14));
    MAI_FUZZ_ASSERT(res->nclaims >= 1
                    && !strcmp(res->claims[0].name, "active"));
    /* an scp with words always becomes a scope */
    if (mai_result_claim(res, "scp") && mai_result_claim(res, "scp")->items
        && mai_result_claim(res, "scp")->kind != MAI_CLAIM_NUMBER
        && mai_result_claim(res, "scp")->kind != MAI_CLAIM_BOOL
        && mai_result_claim(res, "scp")->kind != MAI_CLAIM_NULL) {
        MAI_FUZZ_ASSERT(mai_result_claim(res, "scope") != NULL);
    }
    st = mai_jwt_claims_check(res);
    MAI_FUZZ_ASSERT(st == (res->has_exp ? MAI_OK : MAI_STATUS_JWT_NO_EXP));
    st = mai_result_check(res, NOW, 30, "https://as.example", NULL);
    MAI_FUZZ_ASSERT(st != MAI_STATUS_INACTIVE);
    /* extreme clocks must not overflow (UBSan watches) */
    mai_jwt_introspect_due(res, APR_INT64_MAX, 1);
    mai_jwt_introspect_due(res, APR_INT64_MIN + 3600, 3600);
    mai_jwt_introspect_due(res, NOW, 60);
    MAI_FUZZ_ASSERT(mai_result_parse(p, res->json, strlen(res->json),
                                     &again) == MAI_OK);
    same(res, again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    char *whole, *typ = NULL, *payload;
    const uint8_t *nl;
    const mai_result_t *res = NULL;
    mai_status_t st;
    size_t rest;

    whole = mai_fuzz_dup(data, size, 0);
    mai_jwt_shape(whole, size);
    free(whole);
    if (size < 1) {
        return 0;
    }
    p = mai_fuzz_pool();
    nl = memchr(data + 1, '\n', size - 1);
    if (nl && nl > data + 1) {
        typ = mai_fuzz_dup(data + 1, (size_t)(nl - data - 1), 1);
    }
    st = mai_jwt_typ_check(typ, data[0] & 1);
    MAI_FUZZ_ASSERT(st == MAI_OK || st == MAI_STATUS_JWT_TYPE);
    free(typ);
    rest = nl ? size - (size_t)(nl + 1 - data) : size - 1;
    payload = mai_fuzz_dup(nl ? nl + 1 : data + 1, rest, 0);
    st = mai_jwt_claims_parse(p, payload, rest, &res);
    MAI_FUZZ_ASSERT(st == MAI_OK || st == MAI_STATUS_JWT_CLAIMS);
    MAI_FUZZ_ASSERT((st == MAI_OK) == (res != NULL));
    if (res) {
        check_answer(p, res);
    }
    free(payload);
    mai_fuzz_pool_free(p);
    return 0;
}
