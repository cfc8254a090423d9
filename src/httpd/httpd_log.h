/* SPDX-License-Identifier: Apache-2.0 */
/* httpd_log.h: the log sink bound to a request. */
#ifndef MAI_HTTPD_LOG_H
#define MAI_HTTPD_LOG_H

#include <httpd.h>
#include "log.h"

/** A sink writing through ap_log_rerror for r (lives in r->pool). */
const mai_log_sink_t *mai_httpd_log_request(request_rec *r);

#endif
