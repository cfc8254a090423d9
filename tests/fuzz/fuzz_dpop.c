/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_dpop.c: the DPoP proof's pure checks (src/pure/dpop.c).
 *
 * Input: the whole input is a proof's payload for the claims parser and
 * a DPoP header value and Authorization value for the header checks; up
 * to the first NUL it is an htu. An accepted htu must be an http(s) URI
 * without query, fragment, user info or control characters, and
 * normalizing it again must give it back unchanged (so the proof's side
 * and the request's side of the comparison meet). */
#include <string.h>
#include <strings.h>
#include "fuzz.h"
#include "dpop.h"

static void check_htu(apr_pool_t *p, const char *s)
{
    const char *n = mai_dpop_htu_normalize(p, s), *again, *c;

    if (!n) {
        return;
    }
    MAI_FUZZ_ASSERT(!strncmp(n, "http://", 7) || !strncmp(n, "https://", 8));
    MAI_FUZZ_ASSERT(!strpbrk(n, "?#"));
    /* no user info: '@' may be in the path, never before it */
    c = strstr(n, "://") + 3;
    MAI_FUZZ_ASSERT(strchr(c, '/')
                    && !memchr(c, '@', (size_t)(strchr(c, '/') - c)));
    for (c = n; *c; c++) {
        MAI_FUZZ_ASSERT((unsigned char)*c > 0x20 && (unsigned char)*c < 0x7f);
    }
    again = mai_dpop_htu_normalize(p, n);
    MAI_FUZZ_ASSERT(again && !strcmp(again, n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = mai_fuzz_pool();
    char *s = mai_fuzz_dup(data, size, 1);
    mai_dpop_claims_t cl;
    const char *t;
    mai_status_t st;

    check_htu(p, s);
    if (mai_dpop_claims_parse(p, (const char *)data, size, &cl) == MAI_OK) {
        MAI_FUZZ_ASSERT(cl.htm && cl.htu && cl.jti && cl.jti[0] && cl.ath);
        check_htu(p, cl.htu);
        st = mai_dpop_check_claims(p, &cl, "GET", "https://rs.example/",
                                   "token", 1000, 60, 30);
        MAI_FUZZ_ASSERT(st == MAI_OK || st == MAI_STATUS_DPOP_PROOF_HTM
                        || st == MAI_STATUS_DPOP_PROOF_HTU
                        || st == MAI_STATUS_DPOP_PROOF_IAT
                        || st == MAI_STATUS_DPOP_PROOF_ATH);
    }
    else {
        MAI_FUZZ_ASSERT(cl.htm == NULL && cl.jti == NULL);
    }
    st = mai_dpop_proof_header(s);
    MAI_FUZZ_ASSERT(st != MAI_OK || (s[0] && !strpbrk(s, ", ")));
    st = mai_dpop_token_from_authorization(p, s, &t);
    MAI_FUZZ_ASSERT((st == MAI_OK) == (t != NULL));
    MAI_FUZZ_ASSERT(st != MAI_OK || !strncasecmp(s + strspn(s, " "),
                                                 "DPoP ", 5));
    free(s);
    mai_fuzz_pool_free(p);
    return 0;
}
