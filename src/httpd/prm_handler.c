/* SPDX-License-Identifier: Apache-2.0 */
/* prm_handler.c: the RFC 9728 metadata document, served from the
 * configuration of the location it describes. The request for
 * /.well-known/oauth-protected-resource/api/mcp is answered in the quick
 * handler, before access control: RFC 9728 wants the document readable
 * without a token, and an agent that has none asks for it. Which
 * location it describes is found by httpd's own walk over the resource
 * path (a lookup subrequest), so <Location>, <Directory>, <If> and vhosts
 * merge as they do for the resource itself; the subrequest is stopped
 * right after the walk (mai_prm_stop_lookup), before authentication, so
 * a token sent along is never introspected here. The document itself is
 * built by src/pure/prm.c. */
#include <apr_strings.h>
#include <http_request.h>
#include "mai_private.h"
#include "prm_handler.h"
#include "prm.h"

/* in r->notes of the request whose lookup subrequest is to stop */
#define LOOKUP_NOTE "mai-prm-lookup"

int mai_prm_stop_lookup(request_rec *r)
{
    if (r->main && apr_table_get(r->main->notes, LOOKUP_NOTE)) {
        return HTTP_NOT_FOUND; /* any error ends the walk; none is sent */
    }
    return OK;
}

/* The merged configuration of the resource path, or NULL. */
static const mai_dir_conf_t *lookup_conf(request_rec *r, const char *path)
{
    request_rec *sub;
    const mai_dir_conf_t *c;

    apr_table_setn(r->notes, LOOKUP_NOTE, "1");
    sub = ap_sub_req_lookup_uri(path, r, NULL);
    apr_table_unset(r->notes, LOOKUP_NOTE);
    /* not destroyed: its merged configuration lives in its pool, a
     * subpool of r->pool, and is read until r ends */
    c = sub ? mai_dconf(sub) : NULL;
    return c;
}

int mai_prm_quick_handler(request_rec *r, int lookup)
{
    const char *path;
    const mai_dir_conf_t *c;
    const mai_prm_resource_t *res;
    mai_prm_doc_t d;

    if (lookup || r->main || !r->parsed_uri.path
        || !(path = mai_prm_requested_path(r->parsed_uri.path))) {
        return DECLINED;
    }
    c = lookup_conf(r, path);
    res = c ? mai_conf_resource(c) : NULL;
    if (!res || strcmp(res->path, path)) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(01100)
                      "no AuthIntrospectResource with the path %s: the "
                      "metadata request is left to httpd", path);
        return DECLINED;
    }
    if (r->method_number != M_GET) {
        ap_allow_methods(r, REPLACE_ALLOW, "GET", NULL);
        return HTTP_METHOD_NOT_ALLOWED;
    }
    memset(&d, 0, sizeof(d));
    d.resource = res->id;
    d.authorization_servers = mai_conf_auth_servers(c);
    d.scopes = mai_conf_required_scopes(c);
    d.token_sources = mai_conf_token_sources(c);
    d.resource_name = mai_conf_resource_name(c);
    d.resource_documentation = mai_conf_resource_doc(c);
    ap_set_content_type(r, "application/json");
    /* public by design; browser-based agents read it across origins */
    apr_table_setn(r->headers_out, "Access-Control-Allow-Origin", "*");
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(01101)
                  "protected-resource metadata of %s served", res->id);
    if (!r->header_only) {
        ap_rputs(mai_prm_document(r->pool, &d), r);
    }
    return OK;
}

void mai_prm_note_scopes(cmd_parms *cmd, const char *scopes)
{
    mai_dir_conf_t *c;

    if (!cmd->context) {
        return;
    }
    /* the section's own configuration, made now if none of this
     * module's directives came before the Require line */
    c = ap_set_config_vectors(cmd->server, cmd->context, cmd->path,
                              &auth_introspect_module, cmd->pool);
    mai_conf_add_required_scopes(cmd->pool, c, scopes);
}
