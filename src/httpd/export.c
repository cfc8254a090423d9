/* SPDX-License-Identifier: Apache-2.0 */
/* export.c: what the application sees. Environment values may hold
 * anything (CGI gets them as variables); headers only what cannot break
 * the header block. */
#include <apr_strings.h>
#include "mai_private.h"
#include "export.h"
#include "claims_map.h"

#define ENV_ALL "INTROSPECT_CLAIMS"
#define HEADER_ALL "X-Introspect-Claims"

void mai_export(request_rec *r, const mai_dir_conf_t *c,
                const mai_result_t *res)
{
    int i, env = mai_conf_export_env(c), hdr = mai_conf_export_headers(c);

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
