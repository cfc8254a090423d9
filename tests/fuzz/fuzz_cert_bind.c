/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_cert_bind.c: a client certificate as text (mod_ssl's PEM, or what
 * a front end put in AuthIntrospectClientCertHeader).
 *
 * Input: the bytes to the first NUL. A thumbprint, when there is one, is
 * 43 characters of base64url (a SHA-256, unpadded), the same on a second
 * call, and matches itself and nothing one character shorter. */
#include <string.h>
#include "fuzz.h"
#include "cert_bind.h"

static int b64url(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = mai_fuzz_pool();
    char *s = mai_fuzz_dup(data, size, 1);
    const char *t = mai_cert_thumbprint(p, s), *again;
    size_t i;

    if (t) {
        MAI_FUZZ_ASSERT(strlen(t) == 43);
        for (i = 0; i < 43; i++) {
            MAI_FUZZ_ASSERT(b64url(t[i]));
        }
        again = mai_cert_thumbprint(p, s);
        MAI_FUZZ_ASSERT(again && strcmp(again, t) == 0);
        MAI_FUZZ_ASSERT(mai_cert_bind_check(t, again) == MAI_OK);
        MAI_FUZZ_ASSERT(mai_cert_bind_check(t, t + 1)
                        == MAI_STATUS_CERT_MISMATCH);
    }
    MAI_FUZZ_ASSERT(mai_cert_bind_check("x", NULL)
                    == MAI_STATUS_NO_CLIENT_CERT);
    free(s);
    mai_fuzz_pool_free(p);
    return 0;
}
