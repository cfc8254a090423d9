/* SPDX-License-Identifier: Apache-2.0 */
/* strip_spoofed.c: removes X-Introspect-* headers and trailers that this
 * module did not set for the location serving the request. Clients can
 * send them on any request, as headers or (with MergeTrailers On) as
 * chunked trailers; a subrequest inherits its parent's; an internal
 * redirect keeps the headers of the request it replaces. */
#include <apr_strings.h>
#include <util_filter.h>
#include "mai_private.h"
#include "strip_spoofed.h"
#include "claims_map.h"
#include "request_state.h"
#include "export.h"

#define TRAILER_FILTER "MAI_STRIP_TRAILERS"

static ap_filter_rec_t *trailer_handle;

/* Removes from t the names that are prefix + a reserved header name;
 * returns them (NULL when none: the usual request allocates nothing
 * here). Collect first, remove after: apr_table_unset moves the entries.
 * The entries are read directly, not through apr_table_do's callback:
 * this runs for every request, on every table entry, and the first
 * byte (the prefix's, else an X) turns nearly every name away before
 * any call; mai_claims_is_reserved_header still judges every name that
 * could be one, in any case and with either separator. */
static apr_array_header_t *strip_table(apr_pool_t *p, apr_table_t *t,
                                       const char *prefix)
{
    const apr_array_header_t *arr = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    apr_array_header_t *found = NULL;
    apr_size_t n = strlen(prefix);
    const char *key;
    int i;

    for (i = 0; i < arr->nelts; i++) {
        key = e[i].key;
        if (!key || (n ? key[0] != prefix[0]
                       : key[0] != 'X' && key[0] != 'x')) {
            continue;
        }
        if (!strncmp(key, prefix, n)
            && mai_claims_is_reserved_header(key + n)) {
            if (!found) {
                found = apr_array_make(p, 2, sizeof(const char *));
            }
            APR_ARRAY_PUSH(found, const char *) = key;
        }
    }
    for (i = 0; found && i < found->nelts; i++) {
        apr_table_unset(t, APR_ARRAY_IDX(found, i, const char *));
    }
    return found;
}

/* Header names come from the client: escaped before they are logged.
 * Values never are. */
static void log_names(request_rec *r, int level, apr_array_header_t *names,
                      const char *what)
{
    int i;

    for (i = 0; names && i < names->nelts; i++) {
        const char *n = ap_escape_logitem(r->pool,
                                          APR_ARRAY_IDX(names, i,
                                                        const char *));
        if (level == APLOG_INFO) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(00501)
                          "removed client-sent %s %s: only this module may "
                          "set X-Introspect-* headers", what, n);
        }
        else {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(00502)
                          "removed header %s (%s): not set by this module "
                          "for the location serving %s", n, what,
                          ap_escape_logitem(r->pool, r->uri));
        }
    }
}

static int has_trailer_filter(request_rec *r)
{
    ap_filter_t *f;

    for (f = r->input_filters; f; f = f->next) {
        if (f->frec == trailer_handle) {
            return 1;
        }
    }
    return 0;
}

/* Trailers come only at the end of a chunked HTTP/1.1 body or of an
 * HTTP/2 (or later) stream; a request with neither cannot merge any, so
 * it is spared the filter (about 500 instructions a request, read on
 * every body read and on the discard after the handler). */
static int may_have_trailers(request_rec *r)
{
    return r->proto_num >= 2000
           || apr_table_get(r->headers_in, "Transfer-Encoding") != NULL;
}

int mai_strip_post_read_request(request_rec *r)
{
    apr_array_header_t *names = strip_table(r->pool, r->headers_in, "");

    /* an internal redirect shares the headers of the request before it,
     * exports of that request's location included: not the client's */
    log_names(r, r->prev ? APLOG_DEBUG : APLOG_INFO, names,
              r->prev ? "internal redirect" : "header");
    if (may_have_trailers(r) && !has_trailer_filter(r)) {
        ap_add_input_filter_handle(trailer_handle, NULL, r, r->connection);
    }
    return DECLINED;
}

/* The decision httpd itself carries to r: r's own, else, where r has the
 * same configuration as the request it replaces or its parent,
 * that one's (ap_process_request_internal then skips authentication, so
 * check_authn never ran for r). */
static const mai_req_state_t *carried_state(request_rec *r)
{
    while (r && !mai_state_get(r)) {
        if (r->prev && r->prev->per_dir_config == r->per_dir_config) {
            r = r->prev;
        }
        else if (r->main && r->main->per_dir_config == r->per_dir_config) {
            r = r->main;
        }
        else {
            r = NULL;
        }
    }
    return r ? mai_state_get(r) : NULL;
}

void mai_strip_insert_filter(request_rec *r)
{
    const mai_dir_conf_t *c = mai_dconf(r);
    const mai_req_state_t *st = mai_state_get(r);
    /* check_authn judged r under this very configuration: it runs only
     * for AuthType Bearer, so ap_auth_type (about 160 instructions) need
     * not be asked again */
    int judged = st && st->conf == c;

    /* HTTP_X_INTROSPECT_*, the CGI form of the headers: a parent that ran
     * ap_add_common_vars (mod_include does) hands them down in the
     * environment a subrequest copies; the handler makes its own from
     * the headers it is given */
    strip_table(r->pool, r->subprocess_env, "HTTP_");
    if (!(judged || mai_is_bearer(r)) || !mai_conf_export_headers(c)) {
        log_names(r, APLOG_DEBUG, strip_table(r->pool, r->headers_in, ""),
                  r->main ? "subrequest"
                          : "set for another location or by configuration");
        return;
    }
    if (st) {
        return;     /* check_authn ran for r: its exports are in place */
    }
    /* authentication was skipped as unchanged: the exports made before
     * went with post_read_request's cleaning of the internal redirect */
    st = carried_state(r);
    if (st && st->status == MAI_OK) {
        mai_export(r, mai_dconf(r), st->result, st->exports);
    }
}

/* True when e is one of the entries of removed itself: MergeTrailers
 * (apr_table_overlay) copies the entries, so a merged trailer has the
 * very same key and value pointers as in r->trailers_in. */
static int merged_from(const apr_table_entry_t *e, apr_table_t *removed)
{
    const apr_array_header_t *arr = apr_table_elts(removed);
    const apr_table_entry_t *re = (const apr_table_entry_t *)arr->elts;
    int j;

    for (j = 0; j < arr->nelts; j++) {
        if (e->key == re[j].key && e->val == re[j].val) {
            return 1;
        }
    }
    return 0;
}

/* Takes the merged copies of removed out of r->headers_in; the module's
 * own exports, equal in name but not in pointers, stay. */
static void unmerge(request_rec *r, apr_table_t *removed)
{
    const apr_array_header_t *arr = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    int i;

    i = 0;
    while (i < arr->nelts && !merged_from(&e[i], removed)) {
        i++;
    }
    if (i == arr->nelts) {
        return;     /* MergeTrailers Off */
    }
    arr = apr_table_elts(apr_table_copy(r->pool, r->headers_in));
    e = (const apr_table_entry_t *)arr->elts;
    /* rebuilt in place: other code may hold r->headers_in */
    apr_table_clear(r->headers_in);
    for (i = 0; i < arr->nelts; i++) {
        if (!merged_from(&e[i], removed)) {
            apr_table_addn(r->headers_in, e[i].key, e[i].val);
        }
    }
}

static int copy_reserved(void *rec, const char *key, const char *value)
{
    if (mai_claims_is_reserved_header(key)) {
        apr_table_addn(rec, key, value);
    }
    return 1;
}

/* Cleans r->trailers_in once the body ends. HTTP_IN reads the trailers
 * and, with MergeTrailers On, merges them into r->headers_in before it
 * hands up the EOS bucket; this filter sits above HTTP_IN, so it sees
 * that EOS before the reader does, and undoes the merge for the reserved
 * names. */
static apr_status_t trailer_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                   ap_input_mode_t mode,
                                   apr_read_type_e block,
                                   apr_off_t readbytes)
{
    request_rec *r = f->r;
    apr_status_t rv = ap_get_brigade(f->next, bb, mode, block, readbytes);
    apr_bucket *b;
    apr_table_t *removed;

    if (rv != APR_SUCCESS || apr_is_empty_table(r->trailers_in)) {
        return rv;
    }
    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (APR_BUCKET_IS_EOS(b)) {
            break;
        }
    }
    if (b == APR_BRIGADE_SENTINEL(bb)) {
        return rv;
    }
    removed = apr_table_make(r->pool, 2);
    apr_table_do(copy_reserved, removed, r->trailers_in, NULL);
    if (!apr_is_empty_table(removed)) {
        log_names(r, APLOG_INFO, strip_table(r->pool, r->trailers_in, ""),
                  "trailer");
        unmerge(r, removed);
    }
    return rv;
}

void mai_strip_register(void)
{
    /* just above the protocol filters (HTTP_IN): a filter of the same
     * type would be added below HTTP_IN and never see the EOS */
    trailer_handle = ap_register_input_filter(TRAILER_FILTER, trailer_filter,
                                              NULL, AP_FTYPE_PROTOCOL - 1);
}
