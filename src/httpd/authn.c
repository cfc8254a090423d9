/* SPDX-License-Identifier: Apache-2.0 */
/* authn.c: AuthType Bearer: take the token, find the endpoint's answer,
 * apply this location's rules, set REMOTE_USER. A subrequest or internal
 * redirect is judged under its own location; what it takes over from the
 * request it was made from is said before judged_before(). */
#include <apr_strings.h>
#include <http_request.h>
#include "mai_private.h"
#include "authn.h"
#include "request_state.h"
#include "httpd_log.h"
#include "token.h"
#include "form_body.h"
#include "lookup.h"
#include "export.h"
#include "prm.h"
#include "deny.h"
#include "metrics.h"
#include "jwt_access_token.h"

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

/* Subrequests and internal redirects (mod_rewrite in a directory, a CGI's
 * local redirect, SSI include virtual, ErrorDocument, DirectoryIndex) are
 * judged under their own location's configuration, never the first one's:
 * another location may ask another endpoint, require another issuer or
 * name REMOTE_USER from another claim. httpd calls check_authn again only
 * when the per-directory configuration changed. What the request already
 * learnt is reused only where it cannot differ:
 *  - the token: when the target takes tokens from the same places (a
 *    header-only target must not accept the cookie, a CSRF vector, its
 *    parent took); else the target searches its own places, the form
 *    body as first read (form_body.c). So "no token" and "malformed" are
 *    the same for every location that looks in the same places.
 *  - the answer: for the same token when endpoint, client id, TLSVerify,
 *    CA file and TokenTypeHint are the same (one endpoint call per client
 *    request, even with CacheTTL 0), an endpoint failure included; else
 *    the token is looked up again for the target (a cache hit when seen).
 *  - never a verdict: the target's rules (judge) run again on the answer,
 *    so a refusal that depends on the first location's configuration
 *    (issuer, clock skew, REMOTE_USER claim) neither follows the request
 *    into the target nor is a grant there carried over; an inactive answer
 *    is inactive everywhere.
 * judged_before: the nearest request r was made from (its parent for a
 * subrequest, the one it replaces for an internal redirect) that authn
 * judged, or NULL. */
static const mai_req_state_t *judged_before(request_rec *r)
{
    const mai_req_state_t *st;

    while (r->prev || r->main) {
        r = r->prev ? r->prev : r->main;
        st = mai_state_get(r);
        if (st && st->conf) {
            return st;
        }
    }
    return NULL;
}

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static int same_sources(const mai_dir_conf_t *a, const mai_dir_conf_t *b)
{
    int src = mai_conf_token_sources(a);

    return src == mai_conf_token_sources(b)
           && (!(src & MAI_SRC_COOKIE)
               || same_text(mai_conf_token_cookie(a),
                            mai_conf_token_cookie(b)));
}

/* The inputs that change the endpoint's answer or how far it is trusted:
 * the cache key's scope, so the two can never disagree. */
static int same_endpoint(const mai_dir_conf_t *a, const mai_dir_conf_t *b)
{
    mai_cache_scope_t sa, sb;

    if (a == b) {
        return 1;
    }
    sa = mai_conf_cache_scope(a);
    sb = mai_conf_cache_scope(b);
    if (!mai_cache_scope_equal(&sa, &sb)) {
        return 0;
    }
    /* an answer verified locally serves only where it would have been */
    if (mai_conf_local_jwt(a) != mai_conf_local_jwt(b)) {
        return 0;
    }
    if (mai_conf_local_jwt(a) == MAI_LJWT_OFF) {
        return 1;
    }
    sa = mai_conf_local_jwt_scope(a);
    sb = mai_conf_local_jwt_scope(b);
    return mai_conf_local_jwt_introspect_after(a)
           == mai_conf_local_jwt_introspect_after(b)
           && mai_cache_scope_equal(&sa, &sb);
}

static mai_status_t token_for(request_rec *r, const mai_dir_conf_t *c,
                              mai_req_state_t *st,
                              const mai_req_state_t *prior)
{
    if (prior && prior->took && same_sources(c, prior->conf)) {
        st->token = prior->token;
        st->token_id = prior->token_id;
        st->take_status = prior->take_status;
    }
    else {
        if (prior && prior->took) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(00332)
                          "subrequest or internal redirect into a location "
                          "that takes tokens from other places: searching "
                          "them");
        }
        st->take_status = take_token(r, c, &st->token);
    }
    st->took = 1;
    return st->take_status;
}

static mai_status_t answer_for(request_rec *r, const mai_dir_conf_t *c,
                               mai_req_state_t *st,
                               const mai_req_state_t *prior, apr_int64_t now)
{
    mai_answer_t a;

    if (prior && prior->looked_up && !strcmp(prior->token, st->token)
        && same_endpoint(c, prior->conf)) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(00330)
                      "token %s: subrequest or internal redirect: the same "
                      "endpoint and client, reusing this request's answer",
                      mai_state_token_id(r, st));
        st->result = prior->result;
        st->retry_after = prior->retry_after;
        st->lookup_status = prior->lookup_status;
    }
    else {
        if (prior && prior->looked_up) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(00331)
                          "token %s: subrequest or internal redirect into a "
                          "location with another endpoint, client, TLS "
                          "trust or token type hint, or another token: "
                          "looking it up for this location",
                          mai_state_token_id(r, st));
        }
        a = mai_lookup(r, c, st, now);
        st->lookup_status = a.status;
        st->result = a.result;
        st->retry_after = a.retry_after;
    }
    st->looked_up = 1;
    return st->lookup_status;
}

/* This location's rules over an answer: mai_result_check (active,
 * refresh and bound tokens, exp and nbf with its clock skew, issuer,
 * token types), the audience of AuthIntrospectResource, then
 * REMOTE_USER from its claims. The one place they run, for a fresh
 * answer and a reused one alike. */
static mai_status_t judge(const mai_dir_conf_t *c, mai_req_state_t *st,
                          apr_int64_t now)
{
    mai_status_t s;

    st->user = NULL;
    s = mai_result_check(st->result, now, mai_conf_clock_skew(c),
                         mai_conf_issuer(c), mai_conf_token_types(c));
    /* RFC 8707: a token for another resource is not for this one */
    if (s == MAI_OK && mai_conf_resource_audience(c)
        && !mai_prm_audience_ok(st->result, mai_conf_resource_audience(c))) {
        s = MAI_STATUS_WRONG_AUDIENCE;
    }
    if (s == MAI_OK) {
        st->user = mai_result_user(st->result, mai_conf_user_claims(c));
        s = st->user ? MAI_OK : MAI_STATUS_NO_USER;
    }
    return s;
}

int mai_authn_check(request_rec *r)
{
    const mai_dir_conf_t *c;
    const mai_req_state_t *prior;
    mai_req_state_t *st;
    mai_status_t s;
    apr_int64_t now;

    if (!mai_is_bearer(r)) {
        return DECLINED;
    }
    c = mai_dconf(r);
    prior = judged_before(r);
    st = mai_state_ensure(r);
    st->conf = c;
    if (!mai_conf_endpoint(c) && !mai_conf_metadata_url(c)
        && mai_conf_local_jwt(c) != MAI_LJWT_ONLY) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(00302)
                      "AuthType Bearer without AuthIntrospectEndpoint "
                      "(nor AuthIntrospectMetadataURL) for "
                      "%s", r->uri);
        return mai_deny_answer(r, c, st, MAI_STATUS_INTERNAL);
    }
    s = token_for(r, c, st, prior);
    if (s != MAI_OK) {
        return mai_deny_answer(r, c, st, s);
    }
    now = apr_time_sec(apr_time_now());
    s = answer_for(r, c, st, prior, now);
    if (s == MAI_OK) {
        s = judge(c, st, now);
    }
    if (s != MAI_OK) {
        return mai_deny_answer(r, c, st, s);
    }
    st->status = MAI_OK;
    mai_metrics_request(MAI_OK);
    r->user = (char *)st->user;
    /* AUTH_TYPE for CGI (RFC 3875 4.1.1), as mod_auth_basic does */
    r->ap_auth_type = (char *)"Bearer";
    mai_export(r, c, st->result);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(00303)
                  "token %s: authenticated", mai_state_token_id(r, st));
    return OK;
}
