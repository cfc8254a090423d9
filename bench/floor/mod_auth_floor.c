/* SPDX-License-Identifier: Apache-2.0 */
/* mod_auth_floor.c: bench/run's "auth floor" contender, never installed.
 * AuthType Floor lets in any request that carries an Authorization
 * header, as user "floor", and answers 401 to one without. It does the
 * least an authentication module can do, so what it costs over no auth
 * is httpd's own price for authentication in a <Location>: the section's
 * walk and merge, the authn and authz hooks, Require valid-user. No auth
 * module's cache hit can be cheaper; bench/run measures the others
 * against it. */
#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_request.h>

static int check_authn(request_rec *r)
{
    const char *type = ap_auth_type(r);

    if (!type || strcasecmp(type, "Floor")) {
        return DECLINED;
    }
    if (!apr_table_get(r->headers_in, "Authorization")) {
        return HTTP_UNAUTHORIZED;
    }
    r->user = "floor";
    return OK;
}

static void register_hooks(apr_pool_t *p)
{
    ap_hook_check_authn(check_authn, NULL, NULL, APR_HOOK_MIDDLE,
                        AP_AUTH_INTERNAL_PER_CONF);
}

AP_DECLARE_MODULE(auth_floor) = {
    STANDARD20_MODULE_STUFF,
    NULL, NULL, NULL, NULL, NULL,
    register_hooks,
    AP_MODULE_FLAG_NONE
};
