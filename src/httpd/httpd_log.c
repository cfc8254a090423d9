/* SPDX-License-Identifier: Apache-2.0 */
/* httpd_log.c: connects the IO layer's sink to httpd's error log. The
 * module index comes from APLOG_USE_MODULE, so per-module LogLevel works;
 * the message already carries its MAI tag. */
#include "mai_private.h"
#include "httpd_log.h"

static void emit_request(void *baton, int level, const char *msg)
{
    request_rec *r = baton;
    /* check_lognos: relay */
    ap_log_rerror(APLOG_MARK, level, 0, r, "%s", msg);
}

static int enabled_request(void *baton, int level)
{
    request_rec *r = baton;
    return APLOG_R_MODULE_IS_LEVEL(r, APLOG_MODULE_INDEX, level);
}

static void emit_server(void *baton, int level, const char *msg)
{
    server_rec *s = baton;
    /* check_lognos: relay */
    ap_log_error(APLOG_MARK, level, 0, s, "%s", msg);
}

static int enabled_server(void *baton, int level)
{
    server_rec *s = baton;
    return APLOG_MODULE_IS_LEVEL(s, APLOG_MODULE_INDEX, level);
}

const mai_log_sink_t *mai_httpd_log_request(request_rec *r)
{
    mai_log_sink_t *sink = apr_palloc(r->pool, sizeof(*sink));
    sink->emit = emit_request;
    sink->enabled = enabled_request;
    sink->baton = r;
    return sink;
}

const mai_log_sink_t *mai_httpd_log_server(apr_pool_t *p, server_rec *s)
{
    mai_log_sink_t *sink = apr_palloc(p, sizeof(*sink));
    sink->emit = emit_server;
    sink->enabled = enabled_server;
    sink->baton = s;
    return sink;
}
