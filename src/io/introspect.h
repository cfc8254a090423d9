/* SPDX-License-Identifier: Apache-2.0 */
/* introspect.h: one RFC 7662 introspection call. */
#ifndef MAI_INTROSPECT_H
#define MAI_INTROSPECT_H

#include <apr_pools.h>
#include "status.h"
#include "log.h"
#include "config_values.h"
#include "endpoint.h"
#include "jose_sign.h"

typedef struct mai_introspect_opts {
    mai_endpoint_t *endpoint;
    const char *client_id;          /* NULL = none */
    const char *client_secret;      /* NULL = none */
    mai_client_auth_t client_auth;
    const char *token_type_hint;    /* NULL = send no hint */
    apr_interval_time_t timeout;
    apr_interval_time_t connect_timeout;
    /* client_secret_jwt / private_key_jwt (RFC 7523): the signing key
     * (NULL: none configured) and the assertion's audience and reuse;
     * assertion.client_id is taken from client_id */
    const mai_sign_key_t *assertion_key;
    mai_assertion_req_t assertion;
    int signed_answer;              /* ask for an RFC 9701 signed JWT */
} mai_introspect_opts_t;

/* What one call gives back besides its status. */
typedef struct mai_introspect_out {
    const char *json;               /* on MAI_OK: the 200 body, from p,
                                     * not yet validated */
    apr_size_t json_len;
    const char *content_type;       /* on MAI_OK: the answer's, or NULL */
    apr_interval_time_t retry_after;  /* on BREAKER_OPEN: until the next
                                       * probe */
    apr_interval_time_t elapsed;    /* the call, from its slot taken to its
                                     * answer; -1 when none went out */
} mai_introspect_out_t;

/**
 * Ask the endpoint about token; *out is always set (zeroed first). 401
 * and 403 from the endpoint give ENDPOINT_CLIENT_AUTH, any other non-200
 * ENDPOINT_HTTP; transport failures as mai_http_post; BREAKER_OPEN (with
 * out->retry_after) or OVERLOADED when the call was not made
 * (mai_endpoint_enter). `token_id` names the token in logs. With
 * client_secret_jwt or private_key_jwt, an assertion that cannot be made
 * (no key: a configuration fault) gives INTERNAL before any call.
 */
mai_status_t mai_introspect(apr_pool_t *p, const mai_introspect_opts_t *o,
                            const char *token, const char *token_id,
                            const mai_log_sink_t *log,
                            mai_introspect_out_t *out);

#endif
