/* SPDX-License-Identifier: Apache-2.0 */
/* request_state.h: what authn hands to authz and to the failure hooks,
 * kept in r->request_config of each request it judged; a subrequest or
 * internal redirect reads its parent's to judge the same token again. */
#ifndef MAI_REQUEST_STATE_H
#define MAI_REQUEST_STATE_H

#include <httpd.h>
#include "status.h"
#include "result.h"
#include "config.h"
#include "deny_rules.h"

struct mai_form_body;

typedef struct mai_req_state {
    mai_status_t status;           /* outcome of authentication */
    const mai_dir_conf_t *conf;    /* the location it was judged under;
                                    * NULL until authn ran for it */
    int took;                      /* the token sources were searched: */
    mai_status_t take_status;      /* OK, NO_TOKEN, OTHER_SCHEME or
                                    * MALFORMED */
    int looked_up;                 /* the token was looked up: */
    mai_status_t lookup_status;    /* OK or an endpoint failure */
    const mai_result_t *result;    /* the answer, when lookup_status is OK
                                    * (the location's rules may still have
                                    * refused it: see status) */
    const struct mai_export_prepared *exports;  /* result's, prepared
                                    * in L1 (export_plan.h), or NULL */
    const char *token;             /* the raw token: never logged */
    const char *token_id;          /* hash prefix for logs, made on first
                                    * use (mai_state_token_id) */
    const char *user;
    mai_deny_facts_t deny;         /* what the deny path learnt: unmet
                                    * Require lines, forbid (deny.c) */
    apr_interval_time_t retry_after;  /* for a 503, when known */
    struct mai_form_body *form;    /* the request body, when this request
                                    * read it (form_body.c) */
    int dpop_scheme;               /* the token came as Authorization:
                                    * DPoP (RFC 9449) */
    int dpop_checked;              /* its proof was checked: */
    mai_status_t dpop_status;      /* OK or why the proof was refused */
    const char *dpop_jkt;          /* the proof key's thumbprint */
} mai_req_state_t;

/** The state of r itself, or NULL (authn.c's judged_before walks to the
 * request r was made from). */
mai_req_state_t *mai_state_get(request_rec *r);

/** The state of r, created in r->pool when absent. */
mai_req_state_t *mai_state_ensure(request_rec *r);

/** The token's log name (first 8 hex digits of its SHA-256), computed
 * only when a log line needs it: a cache hit logged at a disabled level
 * never pays for the hash. "-" when there is no token. */
const char *mai_state_token_id(request_rec *r, mai_req_state_t *st);

/** True when AuthType is Bearer (case-insensitive) for r. */
int mai_is_bearer(request_rec *r);

#endif
