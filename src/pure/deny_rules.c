/* SPDX-License-Identifier: Apache-2.0 */
/* deny_rules.c: what a refused Bearer request is told, from the recorded
 * facts (RFC 6750 section 3). deny.c is the httpd side. */
#include <apr_strings.h>
#include "deny_rules.h"
#include "challenge.h"
#include "dpop.h"

void mai_deny_facts_unmet(apr_pool_t *p, mai_deny_facts_t *f,
                          mai_policy_kind_t kind, const char *values)
{
    if (kind == MAI_POLICY_AUD) {
        f->aud_failed = 1;
    }
    else if (kind == MAI_POLICY_SCOPE) {
        if (!f->scope_missing) {
            f->scope_missing = apr_array_make(p, 2, sizeof(const char *));
        }
        APR_ARRAY_PUSH(f->scope_missing, const char *) = values;
    }
}

static int scope_unmet(const mai_deny_facts_t *f)
{
    return f->scope_missing && f->scope_missing->nelts;
}

/* The challenge that carries the error: the scheme the request used,
 * or DPoP where only DPoP is accepted. */
static int dpop_first(const mai_deny_facts_t *f)
{
    return f->dpop_used || f->schemes == MAI_DPOP_REQUIRED;
}

static const char *first(apr_pool_t *p, const char *realm,
                         const mai_deny_facts_t *f, const char *error,
                         const char *description, const char *scope)
{
    if (dpop_first(f)) {
        return mai_challenge_dpop(p, realm, error, description, scope,
                                  MAI_DPOP_ALGS);
    }
    return mai_challenge(p, realm, error, scope);
}

const char *mai_deny_scope_challenge(apr_pool_t *p, const char *realm,
                                     const mai_deny_facts_t *f)
{
    if (!scope_unmet(f)) {
        return NULL;
    }
    return first(p, realm, f, "insufficient_scope", NULL,
                 apr_array_pstrcat(p, f->scope_missing, ' '));
}

const char *mai_deny_other_challenge(apr_pool_t *p, const char *realm,
                                     const mai_deny_facts_t *f)
{
    if (f->schemes != MAI_DPOP_ALLOWED) {
        return NULL;
    }
    return dpop_first(f) ? mai_challenge(p, realm, NULL, NULL)
                         : mai_challenge_dpop(p, realm, NULL, NULL, NULL,
                                              MAI_DPOP_ALGS);
}

const char *mai_deny_note(apr_pool_t *p, const char *realm,
                          mai_status_t status, mai_deny_facts_t *f)
{
    if (status != MAI_OK) {
        return first(p, realm, f, mai_status_bearer_error(status),
                     mai_dpop_error_description(status), NULL);
    }
    if (f->aud_failed) {
        /* the token is not meant for this resource: invalid for it */
        return first(p, realm, f, "invalid_token", NULL, NULL);
    }
    /* a valid token without the rights: 403, RFC 6750 section 3.1 */
    f->forbid = 1;
    return mai_deny_scope_challenge(p, realm, f);
}

mai_deny_final_t mai_deny_final(mai_status_t status,
                                const mai_deny_facts_t *f, int http,
                                int has_challenge)
{
    if (status != MAI_OK) {
        /* a refused token: note_auth_failure said all there is */
        return MAI_DENY_KEEP;
    }
    if (http == 401 && f->forbid) {
        /* mod_authz_core answers 401 to any denied user; forbid is set
         * only by note_auth_failure, so a 401 from anywhere else (a CGI's
         * own Status: 401) stays as it is */
        return MAI_DENY_FORBID;
    }
    if (http == 403 && !f->aud_failed && scope_unmet(f) && !has_challenge) {
        return MAI_DENY_ADD_SCOPE;
    }
    return MAI_DENY_KEEP;
}

int mai_deny_http(mai_status_t s)
{
    int http = mai_status_http(s);

    return http == 503 || http == 400 || http == 401 ? http : 500;
}

apr_time_t mai_deny_retry_after(apr_interval_time_t known,
                                apr_interval_time_t timeout)
{
    apr_interval_time_t retry = known ? known : timeout;

    return apr_time_sec(retry + APR_USEC_PER_SEC - 1);
}
