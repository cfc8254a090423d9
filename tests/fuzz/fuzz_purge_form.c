/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_purge_form.c: the body of a purge request (SetHandler
 * auth-introspect-purge), which whoever reaches the purge location
 * controls, and its Content-Type.
 *
 * Input: any bytes, as the body and as the Content-Type. The parser gives
 * MAI_OK or MAI_STATUS_MALFORMED, always a reason with MALFORMED, and
 * MAI_OK only for a body that names a token or a hash exactly once. When
 * the input is a valid token, token=<it> must give its SHA-256, and
 * token_sha256=<that hash in hex> the same hash. */
#include <string.h>
#include <apr_strings.h>
#include "fuzz.h"
#include "purge_form.h"
#include "token.h"

static void any_body(apr_pool_t *p, const char *raw, size_t n)
{
    unsigned char h[MAI_DIGEST_LEN];
    const char *why = NULL;
    mai_status_t st = mai_purge_form_parse(p, raw, n, h, &why);

    MAI_FUZZ_ASSERT(st == MAI_OK || st == MAI_STATUS_MALFORMED);
    MAI_FUZZ_ASSERT(st == MAI_OK || why != NULL);
    if (st == MAI_OK) {
        /* a field named token or token_sha256 is somewhere in it,
         * possibly percent-encoded: at least "token" of its letters */
        MAI_FUZZ_ASSERT(n >= 5 && n <= MAI_PURGE_BODY_MAX);
    }
}

static void valid_token(apr_pool_t *p, const char *t)
{
    unsigned char want[MAI_DIGEST_LEN], h[MAI_DIGEST_LEN];
    const char *why, *body, *hex = "";
    int i;

    mai_digest_sha256(t, strlen(t), want);
    /* '+' means a space in a form, so only '+'-free tokens survive it */
    if (!strchr(t, '+')) {
        body = apr_pstrcat(p, "a=1&token=", t, "&b", NULL);
        MAI_FUZZ_ASSERT(mai_purge_form_parse(p, body, strlen(body), h, &why)
                        == MAI_OK);
        MAI_FUZZ_ASSERT(memcmp(h, want, MAI_DIGEST_LEN) == 0);
    }
    for (i = 0; i < MAI_DIGEST_LEN; i++) {
        hex = apr_psprintf(p, "%s%02x", hex, want[i]);
    }
    body = apr_pstrcat(p, "token_sha256=", hex, NULL);
    memset(h, 0, sizeof(h));
    MAI_FUZZ_ASSERT(mai_purge_form_parse(p, body, strlen(body), h, &why)
                    == MAI_OK);
    MAI_FUZZ_ASSERT(memcmp(h, want, MAI_DIGEST_LEN) == 0);
    /* both at once is never accepted */
    body = apr_pstrcat(p, body, "&token=", t, NULL);
    MAI_FUZZ_ASSERT(mai_purge_form_parse(p, body, strlen(body), h, &why)
                    == MAI_STATUS_MALFORMED);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = mai_fuzz_pool();
    char *raw = mai_fuzz_dup(data, size, 0); /* no NUL: length-bounded */
    char *s = mai_fuzz_dup(data, size, 1);

    any_body(p, raw, size);
    (void)mai_purge_form_type_ok(s);
    if (mai_token_check(raw, size) == MAI_OK) {
        valid_token(p, s);
    }
    free(raw);
    free(s);
    mai_fuzz_pool_free(p);
    return 0;
}
