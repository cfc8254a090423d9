/* SPDX-License-Identifier: Apache-2.0 */
/* introspect.c: the RFC 7662 request: a form POST carrying the token, our
 * client credentials the way the operator chose, and JSON back. */
#include <apr_base64.h>
#include <apr_strings.h>
#include "introspect.h"
#include "form.h"
#include "client_assertion.h"

#ifndef MAI_VERSION
#define MAI_VERSION "0"
#endif

static int is_jwt(mai_client_auth_t a)
{
    return a == MAI_AUTH_SECRET_JWT || a == MAI_AUTH_PRIVATE_KEY_JWT;
}

static const char *request_body(apr_pool_t *p, const mai_introspect_opts_t *o,
                                const char *token, const char *assertion)
{
    /* the common body, "token=" and the token, copied once */
    const char *enc = mai_form_encode(p, token);
    apr_size_t n = strlen(enc);
    char *first = apr_palloc(p, n + 7);
    const char *body = first;

    memcpy(first, "token=", 6);
    memcpy(first + 6, enc, n + 1);
    if (o->token_type_hint) {
        body = apr_pstrcat(p, body, "&token_type_hint=",
                           mai_form_encode(p, o->token_type_hint), NULL);
    }
    if (o->client_auth == MAI_AUTH_POST) {
        if (o->client_id) {
            body = apr_pstrcat(p, body, "&client_id=",
                               mai_form_encode(p, o->client_id), NULL);
        }
        if (o->client_secret) {
            body = apr_pstrcat(p, body, "&client_secret=",
                               mai_form_encode(p, o->client_secret), NULL);
        }
    }
    else if ((o->client_auth == MAI_AUTH_NONE
              || MAI_AUTH_IS_TLS(o->client_auth)) && o->client_id) {
        /* a public client still says who it is (RFC 6749 2.3); with
         * mutual TLS the certificate proves it (RFC 8705 section 2) */
        body = apr_pstrcat(p, body, "&client_id=",
                           mai_form_encode(p, o->client_id), NULL);
    }
    else if (assertion) {
        /* RFC 7523 section 2.2; client_id too (RFC 7521 4.2 allows it,
         * and some servers look the client up by it) */
        body = apr_pstrcat(p, body, "&client_id=",
                           mai_form_encode(p, o->client_id),
                           "&client_assertion_type=",
                           mai_form_encode(p, MAI_ASSERTION_TYPE),
                           "&client_assertion=", assertion, NULL);
    }
    return body;
}

static mai_status_t call(apr_pool_t *p, const mai_introspect_opts_t *o,
                         const char *token, const char *assertion,
                         const char *token_id,
                         apr_time_t deadline, const mai_log_sink_t *log,
                         mai_introspect_out_t *out)
{
    const char *headers[6];
    int n = 0;
    mai_http_call_t call = { 0 };      /* method NULL: POST */
    mai_http_reply_t reply = { 0 };
    mai_status_t st;

    headers[n++] = "Content-Type: application/x-www-form-urlencoded";
    /* RFC 9701 section 4 */
    headers[n++] = o->signed_answer
                   ? "Accept: application/token-introspection+jwt"
                   : "Accept: application/json";
    headers[n++] = "User-Agent: mod_auth_introspect/" MAI_VERSION;
    if (o->client_auth == MAI_AUTH_BASIC && o->client_id) {
        /* made at startup for the configuration's strings */
        headers[n] = mai_endpoint_basic_header(o->endpoint, o->client_id,
                                               o->client_secret);
        if (!headers[n]) {
            headers[n] = mai_form_basic_auth(p, "Authorization: ",
                                             o->client_id,
                                             o->client_secret
                                             ? o->client_secret : "");
        }
        n++;
    }
    headers[n] = NULL;
    call.timeout = o->timeout;
    call.connect_timeout = o->connect_timeout;
    call.deadline = deadline;
    call.headers = headers;
    call.body = request_body(p, o, token, assertion);
    call.body_len = strlen(call.body);

    st = mai_http_post(mai_endpoint_target(o->endpoint), p, &call, log,
                       &reply);
    if (st != MAI_OK) {
        return st;
    }
    mai_log(log, MAI_LOG_TRACE1, MAI_LOGNO(00801)
            "token %s: endpoint answered %d with %" APR_SIZE_T_FMT
            " bytes%s", token_id, reply.status, reply.body_len,
            reply.reused ? " (pooled connection)" : "");
    if ((reply.status == 401 || reply.status == 403) && assertion) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01701)
                "introspection endpoint refused our client assertion "
                "(HTTP %d, %s, %s%s): check AuthIntrospectClientID, the "
                "key or secret the server holds for it, its clock and "
                "AuthIntrospectClientAssertionAudience", reply.status,
                mai_cv_client_auth_name(o->client_auth),
                mai_sign_key_alg(o->assertion_key),
                mai_sign_key_kid(o->assertion_key)
                ? apr_pstrcat(p, " kid ", mai_sign_key_kid(o->assertion_key),
                              NULL) : "");
        return MAI_STATUS_ENDPOINT_CLIENT_AUTH;
    }
    if (reply.status == 401 || reply.status == 403) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(00802)
                "introspection endpoint refused our client credentials "
                "(HTTP %d): check AuthIntrospectClientID, ClientSecret "
                "and ClientAuth", reply.status);
        return MAI_STATUS_ENDPOINT_CLIENT_AUTH;
    }
    if (reply.status != 200) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(00803)
                "introspection endpoint answered HTTP %d", reply.status);
        return MAI_STATUS_ENDPOINT_HTTP;
    }
    out->json = reply.body;
    out->json_len = reply.body_len;
    out->content_type = reply.content_type;
    return MAI_OK;
}

/* The signed RFC 7523 assertion for this call, form-encoded. */
static mai_status_t make_assertion(apr_pool_t *p,
                                   const mai_introspect_opts_t *o,
                                   const mai_log_sink_t *log,
                                   const char **out)
{
    mai_assertion_req_t q = o->assertion;
    const char *jws, *why;

    q.client_id = o->client_id;
    if (!o->assertion_key || !o->client_id) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01702)
                "%s needs AuthIntrospectClientID and %s",
                mai_cv_client_auth_name(o->client_auth),
                o->client_auth == MAI_AUTH_SECRET_JWT
                ? "AuthIntrospectClientSecret" : "AuthIntrospectClientKey");
        return MAI_STATUS_INTERNAL;
    }
    why = mai_client_assertion(p, o->assertion_key, &q, &jws);
    if (why) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01703)
                "cannot make the client assertion (%s): %s",
                mai_sign_key_alg(o->assertion_key), why);
        return MAI_STATUS_INTERNAL;
    }
    mai_log(log, MAI_LOG_TRACE1, MAI_LOGNO(01704)
            "client assertion %s%s%s for %s",
            mai_sign_key_alg(o->assertion_key),
            mai_sign_key_kid(o->assertion_key) ? " kid " : "",
            mai_sign_key_kid(o->assertion_key)
            ? mai_sign_key_kid(o->assertion_key) : "",
            q.aud2 ? apr_pstrcat(p, q.aud, " and ", q.aud2, NULL) : q.aud);
    *out = mai_form_encode(p, jws);
    return MAI_OK;
}

mai_status_t mai_introspect(apr_pool_t *p, const mai_introspect_opts_t *o,
                            const char *token, const char *token_id,
                            const mai_log_sink_t *log,
                            mai_introspect_out_t *out)
{
    /* one deadline for waiting for a slot and for the call itself: no
     * worker waits longer than AuthIntrospectTimeout in all */
    apr_time_t deadline = apr_time_now() + o->timeout;
    mai_status_t st;
    const char *assertion = NULL;

    out->json = NULL;
    out->json_len = 0;
    out->content_type = NULL;
    out->retry_after = 0;
    out->elapsed = -1;
    if (is_jwt(o->client_auth)) {
        /* made before taking a slot: a fault here is ours, not the
         * endpoint's, and must not count for its breaker */
        st = make_assertion(p, o, log, &assertion);
        if (st != MAI_OK) {
            return st;
        }
    }
    st = mai_endpoint_enter(o->endpoint, deadline, &out->retry_after);

    if (st != MAI_OK) {
        return st;
    }
    out->elapsed = apr_time_now();
    st = call(p, o, token, assertion, token_id, deadline, log, out);
    out->elapsed = apr_time_now() - out->elapsed;
    mai_endpoint_leave(o->endpoint, st != MAI_OK, log);
    return st;
}
