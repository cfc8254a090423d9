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
#include "cert_bound.h"
#include "cert_bind.h"
#include "dpop.h"
#include "dpop_request.h"
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
                               const char **token, int *dpop)
{
    int src = mai_conf_token_sources(c), found = 0;
    mai_status_t header_st = MAI_STATUS_NO_TOKEN, st;
    const char *t = NULL, *body;
    const char *authz = apr_table_get(r->headers_in, "Authorization");
    apr_size_t len;

    *dpop = 0;
    if (src & MAI_SRC_HEADER) {
        header_st = mai_token_from_authorization(r->pool, authz, &t);
        /* Authorization: DPoP where the location checks proofs */
        if (header_st == MAI_STATUS_OTHER_SCHEME
            && (mai_conf_dpop(c) & MAI_DPOP_SCHEME_DPOP)) {
            header_st = mai_dpop_token_from_authorization(r->pool, authz,
                                                          &t);
            *dpop = header_st != MAI_STATUS_OTHER_SCHEME;
        }
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
        st->dpop_scheme = prior->dpop_scheme;
    }
    else {
        if (prior && prior->took) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(00332)
                          "subrequest or internal redirect into a location "
                          "that takes tokens from other places: searching "
                          "them");
        }
        st->take_status = take_token(r, c, &st->token, &st->dpop_scheme);
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
        st->exports = prior->exports;
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
        st->exports = a.exports;
        st->retry_after = a.retry_after;
    }
    st->looked_up = 1;
    return st->lookup_status;
}

/* The scheme against this location's AuthIntrospectDPoP, then the DPoP
 * proof. A subrequest or internal redirect for the same token takes the
 * proof's verdict of the request it came from: checked again, its jti
 * would be a replay. */
static mai_status_t dpop_gate(request_rec *r, const mai_dir_conf_t *c,
                              mai_req_state_t *st,
                              const mai_req_state_t *prior)
{
    if (!st->dpop_scheme) {
        return mai_conf_dpop(c) & MAI_DPOP_SCHEME_BEARER
               ? MAI_OK : MAI_STATUS_DPOP_REQUIRED;
    }
    /* the scheme taken over from a request into a location with DPoP
     * off: unknown here, as take_token would have found it */
    if (!(mai_conf_dpop(c) & MAI_DPOP_SCHEME_DPOP)) {
        return MAI_STATUS_OTHER_SCHEME;
    }
    if (prior && prior->dpop_checked && !strcmp(prior->token, st->token)) {
        st->dpop_status = prior->dpop_status;
        st->dpop_jkt = prior->dpop_jkt;
    }
    else {
        st->dpop_status = mai_dpop_check_request(r, c, st, &st->dpop_jkt);
    }
    st->dpop_checked = 1;
    return st->dpop_status;
}

/* A DPoP request: the token must be bound to the proof's key (RFC 9449
 * section 7.1); a Bearer request where DPoP is checked: a DPoP-bound
 * token is refused as such (a stolen one would pass as a bearer token),
 * where DPoP is off result.c's blanket refusal of bound tokens stands. */
static mai_status_t dpop_bound(const mai_req_state_t *st)
{
    const char *jkt = mai_dpop_result_jkt(st->result);

    if (!st->result->active) {
        return MAI_STATUS_INACTIVE;
    }
    if (!jkt) {
        return MAI_STATUS_DPOP_UNBOUND;
    }
    return strcmp(jkt, st->dpop_jkt) ? MAI_STATUS_DPOP_KEY_MISMATCH : MAI_OK;
}

static mai_status_t bearer_bound(const mai_dir_conf_t *c,
                                 const mai_req_state_t *st, mai_status_t s)
{
    if ((s == MAI_STATUS_DPOP_TOKEN || s == MAI_STATUS_BOUND_TOKEN)
        && (mai_conf_dpop(c) & MAI_DPOP_SCHEME_DPOP)
        && mai_dpop_result_bound(st->result)) {
        return MAI_STATUS_DPOP_AS_BEARER;
    }
    return s;
}

/* This location's rules over an answer: mai_result_check (active,
 * refresh and bound tokens, exp and nbf with its clock skew, issuer,
 * token types), the audience of AuthIntrospectResource, then
 * REMOTE_USER from its claims. The one place they run, for a fresh
 * answer and a reused one alike. */
static mai_status_t judge(request_rec *r, const mai_dir_conf_t *c,
                          mai_req_state_t *st, apr_int64_t now)
{
    mai_status_t s;

    st->user = NULL;
    s = st->dpop_scheme ? dpop_bound(st) : MAI_OK;
    if (s == MAI_OK) {
        s = mai_result_check_proven(st->result, now, mai_conf_clock_skew(c),
                                    mai_conf_issuer(c),
                                    mai_conf_token_types(c),
                                    st->dpop_scheme);
    }
    if (!st->dpop_scheme) {
        s = bearer_bound(c, st, s);
    }
    /* RFC 8705 section 3: cnf."x5t#S256" (mai_result_check lets it
     * through for this check) */
    if (s == MAI_OK && mai_cert_bind_x5t(st->result)) {
        /* the token's log name only for a bound token: it is the
         * token's SHA-256, which an L1 hit does not otherwise take */
        s = mai_cert_bound_check(r, st->result, mai_state_token_id(r, st));
    }
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
    st->deny.schemes = mai_conf_dpop(c);
    s = token_for(r, c, st, prior);
    st->deny.dpop_used = st->dpop_scheme;
    if (s == MAI_OK) {
        s = dpop_gate(r, c, st, prior);
    }
    if (s != MAI_OK) {
        return mai_deny_answer(r, c, st, s);
    }
    now = apr_time_sec(apr_time_now());
    s = answer_for(r, c, st, prior, now);
    if (s == MAI_OK) {
        s = judge(r, c, st, now);
    }
    if (s != MAI_OK) {
        return mai_deny_answer(r, c, st, s);
    }
    st->status = MAI_OK;
    mai_metrics_request(MAI_OK);
    r->user = (char *)st->user;
    /* AUTH_TYPE for CGI (RFC 3875 4.1.1), as mod_auth_basic does */
    r->ap_auth_type = (char *)(st->dpop_scheme ? "DPoP" : "Bearer");
    mai_export(r, c, st->result, st->exports);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(00303)
                  "token %s: authenticated", mai_state_token_id(r, st));
    return OK;
}
