/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_proxy.c: the outgoing proxy's answer to CONNECT, its URL and its
 * credentials.
 *
 * Input: the bytes a proxy sent after CONNECT. A complete head has a
 * status from 100 to 599, ends at the first empty line within the size
 * cap, and is found the same way in any longer input; every shorter
 * prefix asks for more. The same bytes (to the first NUL) are also tried
 * as an AuthIntrospectProxy URL and as user:password: an accepted URL is
 * http with the path "/", and accepted credentials come back from the
 * base64 unchanged. */
#include <string.h>
#include <apr_base64.h>
#include "fuzz.h"
#include "proxy.h"

static void check_reply(const char *b, size_t n)
{
    int status = 0, s2 = 0;
    apr_size_t len = 0, l2 = 0;
    mai_proxy_reply_t r = mai_proxy_connect_reply(b, n, &status, &len);

    if (r != MAI_PROXY_REPLY_DONE) {
        return;
    }
    MAI_FUZZ_ASSERT(status >= 100 && status <= 599);
    MAI_FUZZ_ASSERT(len >= 13 && len <= n && len <= MAI_PROXY_REPLY_MAX);
    MAI_FUZZ_ASSERT(memcmp(b, "HTTP/1.", 7) == 0);
    MAI_FUZZ_ASSERT(b[len - 1] == '\n');
    /* exactly the head: the same answer from its bytes alone */
    MAI_FUZZ_ASSERT(mai_proxy_connect_reply(b, len, &s2, &l2)
                    == MAI_PROXY_REPLY_DONE && s2 == status && l2 == len);
    /* one byte less is not a complete head */
    MAI_FUZZ_ASSERT(mai_proxy_connect_reply(b, len - 1, &s2, &l2)
                    != MAI_PROXY_REPLY_DONE);
}

static void check_text(apr_pool_t *p, const char *s)
{
    mai_url_t u;
    const char *auth;
    char *plain;
    int n;

    if (mai_proxy_parse(p, s, &u) == NULL) {
        MAI_FUZZ_ASSERT(!u.tls && strcmp(u.path, "/") == 0);
    }
    if (mai_proxy_basic(p, s, &auth) == NULL) {
        MAI_FUZZ_ASSERT(strncmp(auth, "Basic ", 6) == 0);
        plain = apr_palloc(p, apr_base64_decode_len(auth + 6) + 1);
        n = apr_base64_decode(plain, auth + 6);
        MAI_FUZZ_ASSERT(n == (int)strlen(s) && memcmp(plain, s, n) == 0);
        MAI_FUZZ_ASSERT(strchr(s, ':') && s[0] != ':');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = mai_fuzz_pool();
    char *raw = mai_fuzz_dup(data, size, 0);
    char *s = mai_fuzz_dup(data, size, 1);

    check_reply(raw, size);
    check_text(p, s);
    free(raw);
    free(s);
    mai_fuzz_pool_free(p);
    return 0;
}
