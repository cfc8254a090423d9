/* SPDX-License-Identifier: Apache-2.0 */
/* export.c: what the application sees. export_plan.c decides (which
 * claims, their names, the header cap); this file sets httpd's tables
 * and says when the cap cut something. Environment values may hold
 * anything (CGI gets them as variables); headers only what cannot break
 * the header block. */
#include <apr_lib.h>
#include <apr_strings.h>
#include "mai_private.h"
#include "export.h"
#include "claims_map.h"
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

/* Does t hold a name starting with prefix (case-blind)? A few entries
 * at this point of a request; most fail on the first letter. */
static int holds_prefix(const apr_table_t *t, const char *prefix)
{
    const apr_array_header_t *a = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    apr_size_t n = strlen(prefix);
    int i;

    for (i = 0; i < a->nelts; i++) {
        if (e[i].key && apr_toupper(e[i].key[0]) == prefix[0]
            && !strncasecmp(e[i].key, prefix, n)) {
            return 1;
        }
    }
    return 0;
}

/* The prepared entries go in with apr_table_addn, which neither looks
 * for nor replaces a name: the same as mai_export_plan's sets only when
 * the tables hold no name the plan sets (every one of them has the
 * prefix: export_plan.h). An internal redirect's or a subrequest's
 * tables may hold its parent's: then the plan runs as before. */
static int add_prepared(request_rec *r, const mai_export_prepared_t *x)
{
    int i;

    if ((x->opts.env && holds_prefix(r->subprocess_env, MAI_ENV_PREFIX))
        || (x->opts.headers
            && holds_prefix(r->headers_in, MAI_HEADER_PREFIX))) {
        return 0;
    }
    for (i = 0; i < x->nitems; i++) {
        apr_table_addn(x->items[i].header ? r->headers_in
                                          : r->subprocess_env,
                       x->items[i].name, x->items[i].value);
    }
    return 1;
}

int mai_export_opts(const mai_dir_conf_t *c, mai_export_opts_t *o)
{
    o->env = mai_conf_export_env(c);
    o->headers = mai_conf_export_headers(c);
    o->whole_header = mai_conf_export_whole_header(c);
    o->paths = mai_conf_export_claims(c);
    o->max_header_bytes = (apr_size_t)mai_conf_export_max_header_bytes(c);
    return o->env || o->headers;
}

void mai_export(request_rec *r, const mai_dir_conf_t *c,
                const mai_result_t *res,
                const mai_export_prepared_t *prepared)
{
    mai_export_opts_t o;
    mai_export_cut_t cut;
    mai_req_state_t *st;

    if (!mai_export_opts(c, &o)) {
        return;
    }
    if (prepared && prepared->res == res
        && mai_export_prepared_for(prepared, &o)
        && add_prepared(r, prepared)) {
        cut = prepared->cut;
    }
    else {
        mai_export_plan(r->pool, res, &o, set_one, r, &cut);
    }
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
