/* authn.c: AuthType Bearer. One token check per client request: a
 * subrequest or internal redirect reuses the initial request's decision. */
#include <apr_strings.h>
#include <http_protocol.h>
#include <http_request.h>
#include "mai_private.h"
#include "authn.h"
#include "request_state.h"
#include "httpd_log.h"
#include "challenge.h"
#include "token.h"
#include "form_body.h"
#include "lookup.h"
#include "export.h"

static request_rec *initial_request(request_rec *r)
{
    while (r->prev || r->main) {
        r = r->prev ? r->prev : r->main;
    }
    return r;
}

/* One source's outcome: a token counts, a malformed one ends the search.
 * (t is read through a pointer: it is set by the call that made st.) */
static int tally(mai_status_t st, const char *const *t, const char **token,
                 int *found)
{
    if (st == MAI_OK) {
        *token = *t;
        (*found)++;
    }
    return st == MAI_STATUS_MALFORMED;
}

/* Collect the token from every enabled source; more than one is an
 * invalid_request (RFC 6750 section 2). */
static mai_status_t take_token(request_rec *r, const mai_dir_conf_t *c,
                               const char **token)
{
    int src = mai_conf_token_sources(c), found = 0;
    mai_status_t header_st = MAI_STATUS_NO_TOKEN, st;
    const char *t = NULL, *body;
    apr_size_t len;

    if (src & MAI_SRC_HEADER) {
        header_st = mai_token_from_authorization(
            r->pool, apr_table_get(r->headers_in, "Authorization"), &t);
        if (tally(header_st, &t, token, &found)) {
            return MAI_STATUS_MALFORMED;
        }
    }
    if ((src & MAI_SRC_QUERY)
        && tally(mai_token_from_urlencoded(r->pool, r->args,
                                           r->args ? strlen(r->args) : 0,
                                           &t), &t, token, &found)) {
        return MAI_STATUS_MALFORMED;
    }
    if ((src & MAI_SRC_COOKIE)
        && tally(mai_token_from_cookie(r->pool,
                                       apr_table_get(r->headers_in, "Cookie"),
                                       mai_conf_token_cookie(c), &t),
                 &t, token, &found)) {
        return MAI_STATUS_MALFORMED;
    }
    if (src & MAI_SRC_FORM) {
        st = mai_form_body_read(r, &body, &len);
        if (st == MAI_OK) {
            st = mai_token_from_urlencoded(r->pool, body, len, &t);
        }
        if (tally(st, &t, token, &found)) {
            return MAI_STATUS_MALFORMED;
        }
    }
    if (found > 1) {
        return MAI_STATUS_MALFORMED;
    }
    return found ? MAI_OK : header_st;
}

static int fail(request_rec *r, const mai_dir_conf_t *c, mai_req_state_t *st,
                mai_status_t s)
{
    apr_interval_time_t retry = st->retry_after ? st->retry_after
                                                : mai_conf_timeout(c);
    int http = mai_status_http(s);

    st->status = s;
    if (http == HTTP_SERVICE_UNAVAILABLE) {
        ap_log_rerror(APLOG_MARK, mai_status_log_level(s), 0, r,
                      MAI_LOGNO(00304)
                      "token %s: no answer from the introspection endpoint: "
                      "%s (%s)", mai_state_token_id(r, st),
                      mai_status_reason(s), mai_status_name(s));
    }
    else {
        ap_log_rerror(APLOG_MARK, mai_status_log_level(s), 0, r,
                      MAI_LOGNO(00301) "token %s: refused: %s (%s)",
                      mai_state_token_id(r, st),
                      mai_status_reason(s), mai_status_name(s));
    }
    switch (http) {
    case HTTP_SERVICE_UNAVAILABLE:
        /* come back once a call could have completed */
        apr_table_setn(r->err_headers_out, "Retry-After",
                       apr_psprintf(r->pool, "%" APR_TIME_T_FMT,
                                    apr_time_sec(retry
                                                 + APR_USEC_PER_SEC - 1)));
        return HTTP_SERVICE_UNAVAILABLE;
    case HTTP_BAD_REQUEST:
        apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                       mai_challenge(r->pool, ap_auth_name(r),
                                     mai_status_bearer_error(s), NULL));
        return HTTP_BAD_REQUEST;
    case HTTP_UNAUTHORIZED:
        ap_note_auth_failure(r);
        return HTTP_UNAUTHORIZED;
    default:
        return HTTP_INTERNAL_SERVER_ERROR;
    }
}

/* A subrequest or internal redirect: take over the initial decision. */
static int reuse(request_rec *r, const mai_dir_conf_t *c,
                 const mai_req_state_t *prior)
{
    mai_req_state_t *st = mai_state_ensure(r);

    st->status = prior->status;
    st->result = prior->result;
    st->token = prior->token;
    st->token_id = prior->token_id;
    st->user = prior->user;
    if (prior->status != MAI_OK) {
        return fail(r, c, st, prior->status);
    }
    r->user = (char *)st->user;
    r->ap_auth_type = (char *)"Bearer";
    mai_export(r, c, st->result);
    return OK;
}

int mai_authn_check(request_rec *r)
{
    const mai_dir_conf_t *c;
    request_rec *first;
    mai_req_state_t *st, *prior;
    const char *token = NULL;
    mai_status_t s;
    apr_int64_t now;

    if (!mai_is_bearer(r)) {
        return DECLINED;
    }
    c = mai_dconf(r);
    first = initial_request(r);
    prior = first != r ? mai_state_get(first) : NULL;
    if (prior) {
        return reuse(r, c, prior);
    }
    st = mai_state_ensure(r);
    if (!mai_conf_endpoint(c)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(00302)
                      "AuthType Bearer without AuthIntrospectEndpoint for "
                      "%s", r->uri);
        return fail(r, c, st, MAI_STATUS_INTERNAL);
    }
    s = take_token(r, c, &token);
    if (s != MAI_OK) {
        return fail(r, c, st, s);
    }
    st->token = token;
    now = apr_time_sec(apr_time_now());
    s = mai_lookup(r, c, st, now);
    if (s == MAI_OK) {
        s = mai_result_check(st->result, now, mai_conf_clock_skew(c),
                             mai_conf_issuer(c), mai_conf_token_types(c));
    }
    if (s == MAI_OK) {
        st->user = mai_result_user(st->result, mai_conf_user_claims(c));
        s = st->user ? MAI_OK : MAI_STATUS_NO_USER;
    }
    if (s != MAI_OK) {
        return fail(r, c, st, s);
    }
    st->status = MAI_OK;
    r->user = (char *)st->user;
    /* AUTH_TYPE for CGI (RFC 3875 4.1.1), as mod_auth_basic does */
    r->ap_auth_type = (char *)"Bearer";
    mai_export(r, c, st->result);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(00303)
                  "token %s: authenticated", mai_state_token_id(r, st));
    return OK;
}

int mai_authn_note_failure(request_rec *r, const char *auth_type)
{
    mai_req_state_t *st;
    const char *error = NULL, *scope = NULL;

    if (strcasecmp(auth_type, "Bearer")) {
        return DECLINED;
    }
    st = mai_state_ensure(r);
    if (st->status != MAI_OK) {
        error = mai_status_bearer_error(st->status);
    }
    else if (st->aud_failed) {
        /* the token is not meant for this resource: invalid for it */
        error = "invalid_token";
    }
    else {
        /* a valid token without the rights: 403, RFC 6750 section 3.1 */
        st->forbid = 1;
        if (!st->scope_missing || !st->scope_missing->nelts) {
            return OK;
        }
        error = "insufficient_scope";
        scope = apr_array_pstrcat(r->pool, st->scope_missing, ' ');
    }
    apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                   mai_challenge(r->pool, ap_auth_name(r), error, scope));
    return OK;
}

static const char forbidden_body[] =
    "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n"
    "<html><head>\n<title>403 Forbidden</title>\n</head><body>\n"
    "<h1>Forbidden</h1>\n<p>You don't have permission to access this "
    "resource.</p>\n</body></html>\n";

void mai_authn_error_response(request_rec *r)
{
    mai_req_state_t *st = mai_state_get(r);

    if (!st || st->status != MAI_OK || !mai_is_bearer(r)) {
        return;
    }
    if (r->status == HTTP_UNAUTHORIZED && st->forbid) {
        /* mod_authz_core answers 401 to any denied user; a valid token
         * that lacks rights is a 403, so we finish the answer here */
        r->status = HTTP_FORBIDDEN;
        ap_custom_response(r, HTTP_UNAUTHORIZED, forbidden_body);
    }
    else if (r->status == HTTP_FORBIDDEN && !st->aud_failed
             && st->scope_missing && st->scope_missing->nelts
             && !apr_table_get(r->err_headers_out, "WWW-Authenticate")) {
        /* AuthzSendForbiddenOnFailure On: 403 without note_auth_failure */
        apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                       mai_challenge(r->pool, ap_auth_name(r),
                                     "insufficient_scope",
                                     apr_array_pstrcat(r->pool,
                                                       st->scope_missing,
                                                       ' ')));
    }
}
