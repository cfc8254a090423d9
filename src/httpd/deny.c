/* SPDX-License-Identifier: Apache-2.0 */
/* deny.c: the deny path, in one place: what the client is told when a
 * Bearer request is refused. authn.c judges the token, authz.c records
 * which Require line failed; this file answers. Which status and which
 * challenge is src/pure/deny_rules.c (unit tested); here they are read
 * from the request and written to it.
 *
 * The order httpd runs it in, and what each step relies on:
 *
 * 1. check_authn refuses (mai_deny_answer): a 400 carries its challenge,
 *    a 503 its Retry-After; a 401 calls ap_note_auth_failure, so step 3
 *    sets its challenge as for any other 401.
 * 2. A Require line fails (authz.c -> mai_deny_unmet): the reason is
 *    recorded in the request's state, nothing is sent; another branch of
 *    <RequireAny> may still grant the request.
 * 3. mod_authz_core denies an authenticated user: it calls
 *    note_auth_failure (mai_deny_note_failure) and returns 401; the hook
 *    sets WWW-Authenticate in r->err_headers_out and, for a valid token
 *    without the rights, records forbid. With AuthzSendForbiddenOnFailure
 *    On it returns 403 without calling the hook.
 * 4. ap_die(401, r) sets r->status and, unless an ErrorDocument names a
 *    local URL (below), calls ap_send_error_response(r). That function
 *    takes the status, and with it which status's page it sends, from
 *    r->status *before* it runs insert_error_filter
 *    (mai_deny_error_response), and moves r->err_headers_out into the
 *    response headers and looks up that page's text only *after* it. So
 *    the hook sees the final status and the facts of steps 2 and 3, and
 *    can still add a challenge that will be sent and change the status
 *    line (r->status = 403, written later by the header filter); but the
 *    page is the 401's whatever r->status says, hence the 403 text below
 *    given as the 401's custom response. test_080_authz.py checks the
 *    status, challenge and page of such a 403.
 *
 * ErrorDocument: with "ErrorDocument 401 /local/url", ap_die redirects
 * internally instead of step 4. The new request inherits r->status (401)
 * and shares r->err_headers_out, so the challenge of step 3 still
 * reaches the client, but it gets its own, empty request_config. If the
 * page is served, no error response is built, insert_error_filter never
 * runs and the client keeps the 401 (docs/directives.md says so). If the
 * ErrorDocument request fails too (refused under its own location, say),
 * ap_die walks back through r->prev to the first request that failed and
 * calls ap_send_error_response on that one: the hook then reads the state
 * of the request the client made (its outcome and Require facts), never
 * the ErrorDocument request's, since mai_state_get reads only r's own
 * request_config. That is the answer wanted: the client is told about
 * the request it made. A text ErrorDocument 401 is replaced by the 403
 * text when the answer becomes 403; a remote URL makes it a 302, which
 * the hook leaves alone. */
#include <apr_strings.h>
#include <http_protocol.h>
#include <http_request.h>
#include "mai_private.h"
#include "deny.h"
#include "deny_rules.h"
#include "challenge.h"

/* Every Bearer challenge of a location with AuthIntrospectResource names
 * its metadata document (RFC 9728 section 5.1); without it the challenge
 * is left as it is. A location that takes both Bearer and DPoP sends
 * both challenges on a 401 (RFC 9449 section 7.2), the second as a
 * header line of its own so that no client reads one scheme's error as
 * the other's; a 400 or 403 answers the scheme the request used only. */
static void set_challenge(request_rec *r, const mai_req_state_t *st,
                          const char *challenge, int is_401)
{
    const char *url = mai_conf_resource_metadata_url(mai_dconf(r));
    const char *other = is_401 ? mai_deny_other_challenge(
                                     r->pool, ap_auth_name(r), &st->deny)
                               : NULL;

    apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                   mai_challenge_add_metadata(r->pool, challenge, url));
    if (other) {
        apr_table_addn(r->err_headers_out, "WWW-Authenticate",
                       mai_challenge_add_metadata(r->pool, other, url));
    }
}
#include "metrics.h"

int mai_deny_answer(request_rec *r, const mai_dir_conf_t *c,
                    mai_req_state_t *st, mai_status_t s)
{
    int http = mai_deny_http(s);

    st->status = s;
    mai_metrics_request(s);
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
                                    mai_deny_retry_after(
                                        st->retry_after,
                                        mai_conf_timeout(c))));
        return HTTP_SERVICE_UNAVAILABLE;
    case HTTP_BAD_REQUEST:
        /* the challenge note_auth_failure sets for a refused token;
         * that hook is run for a 401 only */
        set_challenge(r, st, mai_deny_note(r->pool, ap_auth_name(r), s,
                                           &st->deny), 0);
        return HTTP_BAD_REQUEST;
    case HTTP_UNAUTHORIZED:
        ap_note_auth_failure(r);
        return HTTP_UNAUTHORIZED;
    default:
        return HTTP_INTERNAL_SERVER_ERROR;
    }
}

void mai_deny_unmet(request_rec *r, mai_req_state_t *st,
                    const mai_policy_t *pol)
{
    mai_deny_facts_unmet(r->pool, &st->deny, mai_policy_kind(pol),
                         mai_policy_values(pol));
}

int mai_deny_note_failure(request_rec *r, const char *auth_type)
{
    mai_req_state_t *st;
    const char *challenge;

    if (strcasecmp(auth_type, "Bearer")) {
        return DECLINED;
    }
    st = mai_state_ensure(r);
    if (!st->conf) {
        /* authn did not judge this request: its location's schemes */
        st->deny.schemes = mai_conf_dpop(mai_dconf(r));
    }
    challenge = mai_deny_note(r->pool, ap_auth_name(r), st->status,
                              &st->deny);
    if (challenge) {
        /* forbid: a valid token without the rights, a 403 in the end */
        set_challenge(r, st, challenge, !st->deny.forbid);
    }
    return OK;
}

static const char forbidden_body[] =
    "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n"
    "<html><head>\n<title>403 Forbidden</title>\n</head><body>\n"
    "<h1>Forbidden</h1>\n<p>You don't have permission to access this "
    "resource.</p>\n</body></html>\n";

/* Runs for every error response of every request (a 404 included): only
 * a Bearer request that authn judged is touched. */
void mai_deny_error_response(request_rec *r)
{
    mai_req_state_t *st = mai_state_get(r);

    if (!st || !mai_is_bearer(r)) {
        return;
    }
    switch (mai_deny_final(st->status, &st->deny, r->status,
                           apr_table_get(r->err_headers_out,
                                         "WWW-Authenticate") != NULL)) {
    case MAI_DENY_FORBID:
        /* ap_send_error_response has chosen the 401 page already (see
         * the top of this file): change the status line and that page */
        r->status = HTTP_FORBIDDEN;
        ap_custom_response(r, HTTP_UNAUTHORIZED, forbidden_body);
        break;
    case MAI_DENY_ADD_SCOPE:
        /* AuthzSendForbiddenOnFailure On: 403 without note_auth_failure */
        set_challenge(r, st,
                      mai_deny_scope_challenge(r->pool, ap_auth_name(r),
                                               &st->deny), 0);
        break;
    case MAI_DENY_KEEP:
        break;
    }
}
