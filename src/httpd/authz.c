/* SPDX-License-Identifier: Apache-2.0 */
/* authz.c: Require lines parsed once at config time; each check reads the
 * result authn stashed. With no result yet the answer is DENIED_NO_USER,
 * so mod_authz_core runs authentication first. An unmet line is handed to
 * deny.c, which decides what the client is told. */
#include "mai_private.h"
#include <http_request.h>
#include <mod_auth.h>
#include "authz.h"
#include "policy.h"
#include "claim_path.h"
#include "request_state.h"
#include "deny.h"
#include "prm_handler.h"

static const char *parse(cmd_parms *cmd, const char *line,
                         const void **parsed, mai_policy_kind_t kind)
{
    const mai_policy_t *pol;
    const char *err = mai_policy_parse(cmd->pool, kind, line, &pol);
    *parsed = pol;
    return err;
}

static const char *parse_scope(cmd_parms *cmd, const char *line,
                               const void **parsed)
{
    const char *err = parse(cmd, line, parsed, MAI_POLICY_SCOPE);

    if (!err) {
        /* the scopes a location asks for are its scopes_supported */
        mai_prm_note_scopes(cmd, mai_policy_values(*parsed));
    }
    return err;
}
static const char *parse_aud(cmd_parms *cmd, const char *line,
                             const void **parsed)
{
    return parse(cmd, line, parsed, MAI_POLICY_AUD);
}
/* A line written before dotted paths existed, for a claim named by a URL
 * ("https://example.com/roles"), now reads as a path and never matches:
 * say so at startup (not from .htaccess, which is read per request). */
static const char *parse_claim(cmd_parms *cmd, const char *line,
                               const void **parsed)
{
    const char *err = parse(cmd, line, parsed, MAI_POLICY_CLAIM);

    if (!err && mai_claim_path_looks_like_url(mai_policy_claim_path(*parsed))
        && !ap_check_cmd_context(cmd, NOT_IN_HTACCESS)) {
        ap_log_error(APLOG_MARK, APLOG_WARNING | APLOG_STARTUP, 0,
                     cmd->server, MAI_LOGNO(01202) "%s:%d: Require "
                     "oauth-claim %s: the dots step into nested objects; "
                     "for one claim whose name has dots, write each as \\.",
                     cmd->directive->filename, cmd->directive->line_num,
                     mai_policy_claim_path(*parsed)->name);
    }
    return err;
}
static const char *parse_client(cmd_parms *cmd, const char *line,
                                const void **parsed)
{
    return parse(cmd, line, parsed, MAI_POLICY_CLIENT);
}

/* Tell the deny path why a requirement failed, for the answer if the
 * request is finally denied (never used when another branch grants it). */
static void note_unmet(request_rec *r, mai_req_state_t *st,
                       const mai_policy_t *pol)
{
    mai_policy_kind_t kind = mai_policy_kind(pol);

    mai_deny_unmet(r, st, pol);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(00401)
                  "token %s: a Require oauth-%s line is not met",
                  mai_state_token_id(r, st), kind == MAI_POLICY_AUD ? "aud"
                  : kind == MAI_POLICY_SCOPE ? "scope"
                  : kind == MAI_POLICY_CLAIM ? "claim" : "client");
}

static authz_status check(request_rec *r, const char *line,
                          const void *parsed)
{
    mai_req_state_t *st = mai_state_get(r);

    if (!st || st->status != MAI_OK || !r->user || !parsed) {
        return AUTHZ_DENIED_NO_USER;
    }
    if (mai_policy_match(parsed, st->result)) {
        return AUTHZ_GRANTED;
    }
    note_unmet(r, st, parsed);
    return AUTHZ_DENIED;
}

static const authz_provider scope_provider = { check, parse_scope };
static const authz_provider aud_provider = { check, parse_aud };
static const authz_provider claim_provider = { check, parse_claim };
static const authz_provider client_provider = { check, parse_client };

void mai_authz_register(apr_pool_t *p)
{
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "oauth-scope",
                              AUTHZ_PROVIDER_VERSION, &scope_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "oauth-aud",
                              AUTHZ_PROVIDER_VERSION, &aud_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "oauth-claim",
                              AUTHZ_PROVIDER_VERSION, &claim_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "oauth-client",
                              AUTHZ_PROVIDER_VERSION, &client_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
}
