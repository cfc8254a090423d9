/* form_body.c: the body is read once here and replayed by an input
 * filter, so the handler (CGI, proxy) still gets every byte. */
#include <apr_strings.h>
#include <http_protocol.h>
#include <util_filter.h>
#include "mai_private.h"
#include "form_body.h"

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

void mai_form_body_register(void)
{
    replay_handle = ap_register_input_filter(REPLAY_FILTER, replay_filter,
                                             NULL, AP_FTYPE_RESOURCE);
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

mai_status_t mai_form_body_read(request_rec *r, const char **data,
                                apr_size_t *len)
{
    apr_bucket_brigade *bb, *saved;
    int seen_eos = 0;
    apr_off_t total = 0;

    if (!is_form_post(r)) {
        return MAI_STATUS_NO_TOKEN;
    }
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    saved = apr_brigade_create(r->pool, r->connection->bucket_alloc);
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
        /* keep the buckets (set aside from the transient ones) to replay */
        ap_save_brigade(NULL, &saved, &bb, r->pool);
        apr_brigade_cleanup(bb);
        apr_brigade_length(saved, 1, &total);
        if (total > MAI_FORM_BODY_MAX) {
            return MAI_STATUS_MALFORMED;
        }
    }
    {
        char *buf;
        apr_size_t n;
        if (apr_brigade_pflatten(saved, &buf, &n, r->pool) != APR_SUCCESS) {
            return MAI_STATUS_MALFORMED;
        }
        *data = apr_pstrmemdup(r->pool, buf, n);
        *len = n;
    }
    ap_add_input_filter_handle(replay_handle, saved, r, r->connection);
    return MAI_OK;
}
