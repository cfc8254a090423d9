/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_as_metadata.c: an authorization server's metadata document
 * (RFC 8414) and the issuer of a metadata URL.
 *
 * Input: the document bytes; the same bytes up to the first NUL are also
 * tried as a metadata URL. An accepted document has a string issuer and
 * lists of strings; an accepted URL gives an issuer that is a
 * shortening of the URL, never with a query. */
#include <string.h>
#include "fuzz.h"
#include "as_metadata.h"

static void check_list(const apr_array_header_t *a)
{
    int i;

    for (i = 0; a && i < a->nelts; i++) {
        MAI_FUZZ_ASSERT(APR_ARRAY_IDX(a, i, const char *) != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = mai_fuzz_pool();
    char *s = mai_fuzz_dup(data, size, 1);
    mai_as_metadata_t md;
    const char *iss = NULL;

    if (mai_as_metadata_parse(p, (const char *)data, size, &md) == MAI_OK) {
        MAI_FUZZ_ASSERT(md.issuer != NULL);
        check_list(md.auth_methods);
        check_list(md.auth_signing_algs);
    }
    else {
        MAI_FUZZ_ASSERT(md.issuer == NULL);
    }
    if (mai_as_issuer_of(p, s, &iss) == NULL) {
        MAI_FUZZ_ASSERT(iss && strlen(iss) < strlen(s));
        MAI_FUZZ_ASSERT(!strpbrk(iss, "?#"));
    }
    free(s);
    mai_fuzz_pool_free(p);
    return 0;
}
