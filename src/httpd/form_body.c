/* SPDX-License-Identifier: Apache-2.0 */
/* form_body.c: the body is read once here and replayed by an input
 * filter, so the handler (CGI, proxy) still gets every byte, also after
 * internal redirects. */
#include <apr_strings.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_filter.h>
#include "mai_private.h"
#include "form_body.h"
#include "request_state.h"

/* One client request's body, kept in the state of the request that read
 * it: the text searched for the token, and the buckets the handler has
 * not read yet (the replay filter's context). */
typedef struct mai_form_body {
    mai_status_t status;            /* MAI_OK or MAI_STATUS_MALFORMED */
    const char *data;
    apr_size_t len;
    apr_bucket_brigade *saved;
} mai_form_body_t;

#define REPLAY_FILTER "MAI_REPLAY_BODY"

static ap_filter_rec_t *replay_handle;

/* Hands out the saved body first, then defers to the filters below
 * (which only have the end of stream left to give). */
static apr_status_t replay_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                  ap_input_mode_t mode,
                                  apr_read_type_e block, apr_off_t readbytes)
{
    apr_bucket_brigade *saved = f->ctx;
    apr_bucket *after, *b, *next;
    apr_status_t rv;

    if (!saved || APR_BRIGADE_EMPTY(saved)
        || (mode != AP_MODE_READBYTES && mode != AP_MODE_SPECULATIVE
            && mode != AP_MODE_EXHAUSTIVE)) {
        return ap_get_brigade(f->next, bb, mode, block, readbytes);
    }
    if (mode == AP_MODE_EXHAUSTIVE) {
        APR_BRIGADE_CONCAT(bb, saved);
        return APR_SUCCESS;
    }
    rv = apr_brigade_partition(saved, readbytes, &after);
    if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
        return rv;
    }
    for (b = APR_BRIGADE_FIRST(saved); b != after; b = next) {
        next = APR_BUCKET_NEXT(b);
        if (mode == AP_MODE_SPECULATIVE) {
            /* speculative reads peek without consuming */
            apr_bucket *copy;
            apr_bucket_copy(b, &copy);
            APR_BRIGADE_INSERT_TAIL(bb, copy);
        }
        else {
            APR_BUCKET_REMOVE(b);
            APR_BRIGADE_INSERT_TAIL(bb, b);
        }
    }
    return APR_SUCCESS;
}

static int is_form_post(request_rec *r)
{
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    size_t n = sizeof("application/x-www-form-urlencoded") - 1;

    if (r->method_number != M_POST || !ct || !cl
        || strncasecmp(ct, "application/x-www-form-urlencoded", n)
        || (ct[n] && ct[n] != ';' && ct[n] != ' ')) {
        return 0;
    }
    return apr_atoi64(cl) <= MAI_FORM_BODY_MAX;
}

/* The body read by r or by a request r was made from. Through prev links
 * only (ONLY_REDIRECTS): the internal redirects that stand for the same
 * request; through main links too: any request of this client request. */
static mai_form_body_t *read_before(request_rec *r, int only_redirects)
{
    const mai_req_state_t *st;

    while (r) {
        st = mai_state_get(r);
        if (st && st->form) {
            return st->form;
        }
        r = r->prev ? r->prev : only_redirects ? NULL : r->main;
    }
    return NULL;
}

/* Read it all into fb->saved (set aside from the transient buckets) and
 * flatten a copy to search. */
static mai_status_t read_body(request_rec *r, mai_form_body_t *fb)
{
    apr_bucket_brigade *bb;
    int seen_eos = 0;
    apr_off_t total = 0;
    char *buf;
    apr_size_t n;

    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    fb->saved = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    while (!seen_eos) {
        apr_bucket *b;
        apr_status_t rv = ap_get_brigade(r->input_filters, bb,
                                         AP_MODE_READBYTES, APR_BLOCK_READ,
                                         HUGE_STRING_LEN);
        if (rv != APR_SUCCESS) {
            return MAI_STATUS_MALFORMED;
        }
        for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
             b = APR_BUCKET_NEXT(b)) {
            seen_eos |= APR_BUCKET_IS_EOS(b);
        }
        ap_save_brigade(NULL, &fb->saved, &bb, r->pool);
        apr_brigade_cleanup(bb);
        apr_brigade_length(fb->saved, 1, &total);
        if (total > MAI_FORM_BODY_MAX) {
            return MAI_STATUS_MALFORMED;
        }
    }
    if (apr_brigade_pflatten(fb->saved, &buf, &n, r->pool) != APR_SUCCESS) {
        return MAI_STATUS_MALFORMED;
    }
    fb->data = apr_pstrmemdup(r->pool, buf, n);
    fb->len = n;
    return MAI_OK;
}

mai_status_t mai_form_body_read(request_rec *r, const char **data,
                                apr_size_t *len)
{
    mai_form_body_t *fb = read_before(r, 0);

    if (!fb) {
        if (!is_form_post(r)) {
            return MAI_STATUS_NO_TOKEN;
        }
        fb = apr_pcalloc(r->pool, sizeof(*fb));
        mai_state_ensure(r)->form = fb;
        fb->status = read_body(r, fb);
        if (fb->status == MAI_OK) {
            ap_add_input_filter_handle(replay_handle, fb->saved, r,
                                       r->connection);
        }
    }
    *data = fb->data;
    *len = fb->len;
    return fb->status;
}

/* insert_filter, for every request that runs a handler: an internal
 * redirect (mod_rewrite in a directory, a CGI's local redirect,
 * ErrorDocument) starts from the protocol filters, without the replay
 * filter of the request it replaces, so the rest of the body would be
 * lost. A request that still has it (the first one; mod_dir's fast
 * redirect) is left alone. Subrequests never get it: they have no body. */
static void keep_replaying(request_rec *r)
{
    mai_form_body_t *fb = read_before(r, 1);
    ap_filter_t *f;

    if (!fb || fb->status != MAI_OK || APR_BRIGADE_EMPTY(fb->saved)) {
        return;
    }
    for (f = r->input_filters; f; f = f->next) {
        if (f->frec == replay_handle) {
            return;
        }
    }
    ap_add_input_filter_handle(replay_handle, fb->saved, r, r->connection);
}

void mai_form_body_register(void)
{
    replay_handle = ap_register_input_filter(REPLAY_FILTER, replay_filter,
                                             NULL, AP_FTYPE_RESOURCE);
    ap_hook_insert_filter(keep_replaying, NULL, NULL, APR_HOOK_MIDDLE);
}
