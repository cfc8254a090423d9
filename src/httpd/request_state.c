/* SPDX-License-Identifier: Apache-2.0 */
/* request_state.c: the state authn leaves in r->request_config for
 * authz and the failure hooks. */
#include "mai_private.h"
#include "request_state.h"
#include "digest.h"

int mai_is_bearer(request_rec *r)
{
    const char *t = ap_auth_type(r);
    return t && !strcasecmp(t, "Bearer");
}

mai_req_state_t *mai_state_get(request_rec *r)
{
    return ap_get_module_config(r->request_config, &auth_introspect_module);
}

const char *mai_state_token_id(request_rec *r, mai_req_state_t *st)
{
    if (!st->token_id) {
        st->token_id = st->token ? mai_digest_token_id(r->pool, st->token)
                                 : "-";
    }
    return st->token_id;
}

mai_req_state_t *mai_state_ensure(request_rec *r)
{
    mai_req_state_t *st = mai_state_get(r);
    if (!st) {
        st = apr_pcalloc(r->pool, sizeof(*st));
        st->status = MAI_STATUS_NO_TOKEN;
        ap_set_module_config(r->request_config, &auth_introspect_module, st);
    }
    return st;
}
