/* SPDX-License-Identifier: Apache-2.0 */
/* strip_spoofed.h: X-Introspect-* request headers come only from this
 * module, for the location that serves the request. */
#ifndef MAI_STRIP_SPOOFED_H
#define MAI_STRIP_SPOOFED_H

#include <httpd.h>

/** Registers the trailer filter; called once from register_hooks. */
void mai_strip_register(void);

/** post_read_request, first of all: drop every X-Introspect-* header
 * (mai_claims_is_reserved_header) of every request, whatever its
 * AuthType, before mod_rewrite, SetEnvIf or RequestHeader early see it.
 * Runs again for internal redirects, which share the headers of the
 * request they replace. Adds the trailer filter. */
int mai_strip_post_read_request(request_rec *r);

/** insert_filter, just before the handler of any request (main,
 * subrequest, internal redirect): a location that does not export claims
 * as headers (no AuthType Bearer, or AuthIntrospectSetHeaders Off) gets
 * none, wherever they came from: a subrequest copies its parent's
 * headers (header_parser does not run for subrequests), and mod_dir's
 * fast redirect serves a subrequest's location with the original
 * request's headers. HTTP_X_INTROSPECT_* variables inherited from a
 * parent's environment go too; the handler makes its own. */
void mai_strip_insert_filter(request_rec *r);

#endif
