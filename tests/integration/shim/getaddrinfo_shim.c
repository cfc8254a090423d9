/* SPDX-License-Identifier: Apache-2.0 */
/* getaddrinfo_shim.c: an LD_PRELOAD for one private httpd of the tests
 * (test_250): the name in MAI_SHIM_NAME resolves to the numeric
 * addresses in MAI_SHIM_ADDRS ("127.0.0.2,127.0.0.1"), in that order;
 * every other name goes to the real resolver. It gives a name several
 * loopback addresses without touching /etc/hosts (the machine is
 * shared). Built by the test with: cc -shared -fPIC -o X.so X.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *,
                      struct addrinfo **);

int getaddrinfo(const char *node, const char *service,
                const struct addrinfo *hints, struct addrinfo **res)
{
    gai_fn real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
    const char *name = getenv("MAI_SHIM_NAME");
    const char *list = getenv("MAI_SHIM_ADDRS");
    struct addrinfo h, *head = NULL, **tail = &head, *one;
    char buf[256], *tok, *save = NULL;
    int rc;

    if (!node || !name || !list || strcasecmp(node, name)
        || strlen(list) >= sizeof(buf)) {
        return real(node, service, hints, res);
    }
    memset(&h, 0, sizeof(h));
    if (hints) {
        h = *hints;
    }
    h.ai_flags = (h.ai_flags & ~AI_CANONNAME) | AI_NUMERICHOST;
    strcpy(buf, list);
    /* each numeric address is resolved by glibc itself and the lists
     * chained: glibc's freeaddrinfo frees node by node */
    for (tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        rc = real(tok, service, &h, &one);
        if (rc != 0) {
            continue;
        }
        *tail = one;
        while (*tail) {
            tail = &(*tail)->ai_next;
        }
    }
    if (!head) {
        return EAI_NONAME;
    }
    *res = head;
    return 0;
}
