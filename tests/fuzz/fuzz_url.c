/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_url.c: the endpoint URL parser and the loopback check.
 *
 * Input: the URL text (up to the first NUL). An accepted URL must have
 * the documented shape and parse back to itself when rebuilt from its
 * parts. The loopback check runs on the parsed host and on the raw input
 * and must agree with glibc's inet_pton, which lex.c's parsers match
 * (it decides where plain http is acceptable). */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include "fuzz.h"
#include "url.h"

static int no_ctl(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f) {
            return 0;
        }
    }
    return 1;
}

/* The reference answer, from the libc parsers. */
static int loopback_ref(const char *host)
{
    unsigned char a[16];
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0,
                                              0, 0, 0, 0, 0xff, 0xff };

    if (strcasecmp(host, "localhost") == 0) {
        return 1;
    }
    if (inet_pton(AF_INET, host, a) == 1) {
        return a[0] == 127;
    }
    if (inet_pton(AF_INET6, host, a) == 1) {
        return (memcmp(a, in6addr_loopback.s6_addr, 16) == 0) ||
               (memcmp(a, mapped, 12) == 0 && a[12] == 127);
    }
    return 0;
}

static void check_loopback(const char *host)
{
    int got = mai_url_is_loopback_host(host);

    MAI_FUZZ_ASSERT(got == 0 || got == 1);
    MAI_FUZZ_ASSERT(got == loopback_ref(host));
}

static void same_url(const mai_url_t *a, const mai_url_t *b)
{
    MAI_FUZZ_ASSERT(a->tls == b->tls && a->port == b->port);
    MAI_FUZZ_ASSERT(strcmp(a->host, b->host) == 0);
    MAI_FUZZ_ASSERT(strcmp(a->path, b->path) == 0);
    MAI_FUZZ_ASSERT(strcmp(a->authority, b->authority) == 0);
}

static void check_url(apr_pool_t *p, const mai_url_t *u)
{
    mai_url_t again;
    const char *rebuilt;

    MAI_FUZZ_ASSERT(u->tls == 0 || u->tls == 1);
    MAI_FUZZ_ASSERT(u->host && u->host[0] && no_ctl(u->host));
    MAI_FUZZ_ASSERT(!strpbrk(u->host, "@/?#[]"));
    MAI_FUZZ_ASSERT(u->port >= 1);
    MAI_FUZZ_ASSERT(u->path && u->path[0] == '/' && no_ctl(u->path));
    MAI_FUZZ_ASSERT(u->authority && no_ctl(u->authority));
    MAI_FUZZ_ASSERT(!strpbrk(u->authority, "@/?#"));
    MAI_FUZZ_ASSERT(!strchr(u->path, '#'));
    /* the Host header: brackets exactly for IPv6, the port unless default */
    MAI_FUZZ_ASSERT((u->authority[0] == '[') == (strchr(u->host, ':') != 0));
    rebuilt = apr_pstrcat(p, u->tls ? "https://" : "http://", u->authority,
                          u->path, NULL);
    MAI_FUZZ_ASSERT(mai_url_parse(p, rebuilt, &again) == NULL);
    same_url(u, &again);
    check_loopback(u->host);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = mai_fuzz_pool();
    char *s = mai_fuzz_dup(data, size, 1);
    mai_url_t u;
    const char *err = mai_url_parse(p, s, &u);

    if (err == NULL) {
        check_url(p, &u);
    } else {
        MAI_FUZZ_ASSERT(err[0] != '\0');
    }
    check_loopback(s);
    free(s);
    mai_fuzz_pool_free(p);
    return 0;
}
