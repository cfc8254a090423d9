/* SPDX-License-Identifier: Apache-2.0 */
/* httpd_log.c: connects the IO layer's sink to httpd's error log. The
 * module index comes from APLOG_USE_MODULE, so per-module LogLevel works;
 * the message already carries its MAI tag, and the file and line are its
 * caller's (mai_log passes them), so the error log shows where it came
 * from rather than this relay. */
#include "mai_private.h"
#include "httpd_log.h"

/* The IO and pure layers name levels as MAI_LOG_* (status.h) because they
 * may not include httpd's headers, and the sink hands them to httpd as
 * they are: a build where the two disagree fails here (an array of
 * negative size) instead of logging at the wrong level. */
#define SAME_LEVEL(mai, ap) \
    typedef char mai_level_##mai[(MAI_LOG_##mai) == (APLOG_##ap) ? 1 : -1]
SAME_LEVEL(ERR, ERR);
SAME_LEVEL(WARNING, WARNING);
SAME_LEVEL(NOTICE, NOTICE);
SAME_LEVEL(INFO, INFO);
SAME_LEVEL(DEBUG, DEBUG);
SAME_LEVEL(TRACE1, TRACE1);

static void emit_request(void *baton, const char *file, int line, int level,
                         const char *msg)
{
    request_rec *r = baton;
    /* check_lognos: relay */
    ap_log_rerror(file, line, APLOG_MODULE_INDEX, level, 0, r, "%s", msg);
}

static int enabled_request(void *baton, int level)
{
    request_rec *r = baton;
    return APLOG_R_MODULE_IS_LEVEL(r, APLOG_MODULE_INDEX, level);
}

const mai_log_sink_t *mai_httpd_log_request(request_rec *r)
{
    mai_log_sink_t *sink = apr_palloc(r->pool, sizeof(*sink));
    sink->emit = emit_request;
    sink->enabled = enabled_request;
    sink->baton = r;
    return sink;
}
