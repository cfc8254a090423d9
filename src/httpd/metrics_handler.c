/* SPDX-License-Identifier: Apache-2.0 */
/* metrics_handler.c: the counters for readers. SetHandler
 * auth-introspect-metrics answers GET and HEAD with the Prometheus text
 * exposition format 0.0.4; mod_status's page and ?auto get the same
 * figures through its status_hook. Who may read them is ordinary httpd
 * access control (Require ip ...), as for /server-status. */
#include <ap_mpm.h>
#include <http_request.h>
#include <mod_status.h>
#include "metrics_handler.h"
#include "metrics.h"

#define HANDLER "auth-introspect-metrics"
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

const char *mai_metrics_handler_setup(server_rec *s,
                                      struct mai_endpoints *eps)
{
    int limit = 0;

    /* about one slot per process, at least 16 so that the few processes
     * of a small server rarely share one */
    if (ap_mpm_query(AP_MPMQ_HARD_LIMIT_DAEMONS, &limit) != APR_SUCCESS
        || limit < 8) {
        limit = 8;
    }
    return mai_metrics_setup(s->process->pool, limit > 256 ? 512 : limit * 2,
                             eps);
}

static const char *figures(request_rec *r, mai_metrics_style_t style)
{
    mai_metrics_view_t v;

    mai_metrics_read(r->pool, apr_time_now(), &v);
    return mai_metrics_format(r->pool, &v, style);
}

static int handler(request_rec *r)
{
    const char *text;

    if (!r->handler || strcmp(r->handler, HANDLER)) {
        return DECLINED;
    }
    /* Allow: of the 405 (httpd adds HEAD and TRACE) */
    r->allowed = (AP_METHOD_BIT << M_GET);
    ap_allow_methods(r, 1, "GET", NULL);
    if (r->method_number != M_GET) {        /* HEAD is M_GET too */
        return HTTP_METHOD_NOT_ALLOWED;
    }
    ap_discard_request_body(r);
    text = figures(r, MAI_METRICS_PROMETHEUS);
    ap_set_content_type(r, CONTENT_TYPE);
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    ap_set_content_length(r, strlen(text));
    if (!r->header_only) {
        ap_rputs(text, r);
    }
    return OK;
}

/* ?auto: Key: value lines; ?notable: the same lines, preformatted, for
 * browsers without tables; else a table. */
static int status_hook(request_rec *r, int flags)
{
    if (flags & AP_STATUS_SHORT) {
        ap_rputs(figures(r, MAI_METRICS_STATUS_AUTO), r);
    }
    else if (flags & AP_STATUS_NOTABLE) {
        ap_rvputs(r, "<hr />\n<h2>mod_auth_introspect</h2>\n<pre>",
                  ap_escape_html2(r->pool,
                                  figures(r, MAI_METRICS_STATUS_AUTO), 0),
                  "</pre>\n", NULL);
    }
    else {
        ap_rputs(figures(r, MAI_METRICS_STATUS_HTML), r);
    }
    return OK;
}

void mai_metrics_handler_register(void)
{
    ap_hook_handler(handler, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
