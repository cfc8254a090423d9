/* export.c: what the application sees. Environment values may hold
 * anything (CGI gets them as variables); headers only what cannot break
 * the header block. */
#include <apr_strings.h>
#include "mai_private.h"
#include "export.h"
#include "claims_map.h"
#include "request_state.h"

#define ENV_ALL "INTROSPECT_CLAIMS"
#define HEADER_ALL "X-Introspect-Claims"

void mai_export(request_rec *r, const mai_dir_conf_t *c,
                const mai_result_t *res)
{
    int i, env = mai_conf_set_env_on(c), hdr = mai_conf_set_headers_on(c);

    for (i = 0; i < res->nclaims && (env || hdr); i++) {
        const mai_claim_t *cl = &res->claims[i];
        if (env) {
            apr_table_setn(r->subprocess_env,
                           mai_claims_env_name(r->pool, cl->name), cl->text);
        }
        if (hdr) {
            const char *v = mai_claims_header_value(r->pool, cl->text);
            if (v) {
                apr_table_setn(r->headers_in,
                               mai_claims_header_name(r->pool, cl->name), v);
            }
        }
    }
    /* set last: the whole response wins over a claim called "claims" */
    if (env) {
        apr_table_setn(r->subprocess_env, ENV_ALL, res->json);
    }
    if (hdr) {
        const char *v = mai_claims_header_value(r->pool, res->json);
        if (v) {
            apr_table_setn(r->headers_in, HEADER_ALL, v);
        }
    }
}

/* Collects the reserved names; the list is made only when there is one,
 * so the usual request allocates nothing here. */
typedef struct {
    apr_pool_t *pool;
    apr_array_header_t *names;
} reserved_t;

static int collect_reserved(void *rec, const char *key, const char *value)
{
    reserved_t *res = rec;

    if (mai_claims_is_reserved_header(key)) {
        if (!res->names) {
            res->names = apr_array_make(res->pool, 2, sizeof(const char *));
        }
        APR_ARRAY_PUSH(res->names, const char *) = key;
    }
    return 1;
}

int mai_export_strip_spoofed(request_rec *r)
{
    reserved_t res = { r->pool, NULL };
    int i;

    if (!mai_is_bearer(r)) {
        return DECLINED;
    }
    /* collect first: a table must not change under apr_table_do */
    apr_table_do(collect_reserved, &res, r->headers_in, NULL);
    for (i = 0; res.names && i < res.names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(res.names, i, const char *);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(00501)
                      "removed client-sent header %s: only this module may "
                      "set X-Introspect-* headers", name);
        apr_table_unset(r->headers_in, name);
    }
    return DECLINED;
}
