/* config_check.c: a missing endpoint is found at startup, with the
 * section named, rather than as a 500 on the first request. The parsed
 * directive tree is the one place that still knows where each AuthType
 * line was written. */
#include "mai_private.h"
#include <apr_strings.h>
#include "config_check.h"

static int has_endpoint(const ap_directive_t *list)
{
    for (; list; list = list->next) {
        if (!strcasecmp(list->directive, "AuthIntrospectEndpoint")) {
            return 1;
        }
    }
    return 0;
}

static const char *section_path(apr_pool_t *p, const ap_directive_t *d)
{
    const char *a = d->args ? d->args : "";
    apr_size_t n = strlen(a);
    if (n && a[n - 1] == '>') {
        n--;
    }
    return apr_pstrmemdup(p, a, n);
}

/* A sibling <Location /> with an endpoint covers <Location /api>. */
static int covered_by_sibling(apr_pool_t *p, const ap_directive_t *section)
{
    const ap_directive_t *sib;
    const char *path = section_path(p, section);

    if (!section->parent) {
        return 0;
    }
    for (sib = section->parent->first_child; sib; sib = sib->next) {
        const char *sp;
        if (sib == section || strcasecmp(sib->directive, section->directive)
            || !has_endpoint(sib->first_child)) {
            continue;
        }
        sp = section_path(p, sib);
        if (!strncmp(path, sp, strlen(sp))) {
            return 1;
        }
    }
    return 0;
}

static const char *walk(apr_pool_t *p, const ap_directive_t *list,
                        int inherited)
{
    int covered = inherited || has_endpoint(list);
    const ap_directive_t *d;

    for (d = list; d; d = d->next) {
        if (!strcasecmp(d->directive, "AuthType") && d->args
            && !strcasecmp(d->args, "Bearer") && !covered
            && !(d->parent && covered_by_sibling(p, d->parent))) {
            return apr_psprintf(p, "%s:%d: AuthType Bearer in %s%s%s has no "
                                "AuthIntrospectEndpoint (set it there or "
                                "in an enclosing section)", d->filename,
                                d->line_num,
                                d->parent ? d->parent->directive : "",
                                d->parent ? " " : "server config",
                                d->parent ? d->parent->args : "");
        }
        if (d->first_child) {
            const char *err = walk(p, d->first_child, covered);
            if (err) {
                return err;
            }
        }
    }
    return NULL;
}

const char *mai_config_check(apr_pool_t *p, server_rec *s)
{
    return walk(p, ap_conftree, 0);
}
