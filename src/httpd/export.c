/* SPDX-License-Identifier: Apache-2.0 */
/* export.c: what the application sees. export_plan.c decides (which
 * claims, their names, the header cap); this file sets httpd's tables
 * and says when the cap cut something. Environment values may hold
 * anything (CGI gets them as variables); headers only what cannot break
 * the header block. */
#include <apr_strings.h>
#include "mai_private.h"
#include "export.h"
#include "export_plan.h"
#include "request_state.h"

/* The sink of mai_export_plan: r's environment or request headers. */
static void set_one(void *ctx, int header, const char *name,
                    const char *value)
{
    request_rec *r = ctx;
    apr_table_t *t = header ? r->headers_in : r->subprocess_env;

    if (value) {
        apr_table_setn(t, name, value);
    }
    else {
        apr_table_unset(t, name);
    }
}

void mai_export(request_rec *r, const mai_dir_conf_t *c,
                const mai_result_t *res)
{
    mai_export_opts_t o;
    mai_export_cut_t cut;
    mai_req_state_t *st;

    o.env = mai_conf_export_env(c);
    o.headers = mai_conf_export_headers(c);
    if (!o.env && !o.headers) {
        return;
    }
    o.whole_header = mai_conf_export_whole_header(c);
    o.paths = mai_conf_export_claims(c);
    o.max_header_bytes = (apr_size_t)mai_conf_export_max_header_bytes(c);
    mai_export_plan(r->pool, res, &o, set_one, r, &cut);
    if (cut.ndropped) {
        /* header names only: they are made of letters, digits and '-',
         * and a value (a claim) never reaches the log */
        st = mai_state_get(r);
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, MAI_LOGNO(01201)
                      "token %s: AuthIntrospectExportMaxHeaderBytes %d: "
                      "%d exported header(s) left out to stay within it "
                      "(%" APR_SIZE_T_FMT " bytes kept): %s",
                      st ? mai_state_token_id(r, st) : "-",
                      mai_conf_export_max_header_bytes(c), cut.ndropped,
                      cut.header_bytes, cut.dropped);
    }
}
