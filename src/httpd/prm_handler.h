/* SPDX-License-Identifier: Apache-2.0 */
/* prm_handler.h: serves RFC 9728 protected-resource metadata documents
 * and learns the scopes of Require oauth-scope for them. */
#ifndef MAI_PRM_HANDLER_H
#define MAI_PRM_HANDLER_H

#include <httpd.h>
#include <http_config.h>

/** quick_handler: answers GET/HEAD of /.well-known/oauth-protected-resource
 * + the path of a location's AuthIntrospectResource, before any access
 * control (the document is public by design); DECLINED for anything else. */
int mai_prm_quick_handler(request_rec *r, int lookup);

/** post_perdir_config: ends the configuration lookup the quick handler
 * makes before it would authenticate anyone. */
int mai_prm_stop_lookup(request_rec *r);

/** Called by the oauth-scope parser: scopes (space separated) go to the
 * section's scopes_supported. */
void mai_prm_note_scopes(cmd_parms *cmd, const char *scopes);

#endif
