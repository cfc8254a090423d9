/* SPDX-License-Identifier: Apache-2.0 */
/* form_body.h: read an urlencoded POST body for its access_token and put
 * it back, so the application still receives every byte. */
#ifndef MAI_FORM_BODY_H
#define MAI_FORM_BODY_H

#include <httpd.h>
#include "status.h"

#define MAI_FORM_BODY_MAX (64 * 1024)

/** Register the replay input filter, and the insert_filter hook that puts
 * it back on internal redirects (register_hooks). */
void mai_form_body_register(void);

/**
 * The client's urlencoded POST body, read at most once per client
 * request. When r or a request it was made from (subrequest parent,
 * internal redirect) already read it, that text and status again;
 * otherwise, when r is a POST with Content-Type
 * application/x-www-form-urlencoded and a Content-Length of at most
 * MAI_FORM_BODY_MAX, read the body and arrange for the handler (and the
 * handler of any internal redirect) to read it again. MAI_OK with the
 * body in *data and *len (NUL-terminated); MAI_STATUS_NO_TOKEN when there
 * is no such body (a larger or chunked body is not searched);
 * MAI_STATUS_MALFORMED when reading it failed.
 */
mai_status_t mai_form_body_read(request_rec *r, const char **data,
                                apr_size_t *len);

#endif
