/* SPDX-License-Identifier: Apache-2.0 */
/* deny_rules.h: what a refused Bearer request is told (status, challenge),
 * chosen from the facts recorded while it was judged. Pure: deny.c reads
 * the facts from the request and applies the choice. */
#ifndef MAI_DENY_RULES_H
#define MAI_DENY_RULES_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>
#include "policy.h"
#include "status.h"

/* What the Require lines and note_auth_failure learnt about a refusal;
 * zeroed means "nothing yet". */
typedef struct mai_deny_facts {
    int aud_failed;                     /* an oauth-aud line was not met */
    apr_array_header_t *scope_missing;  /* the scopes of each unmet
                                         * oauth-scope line */
    int forbid;                         /* note_auth_failure judged the
                                         * token valid but without rights:
                                         * the final 401 becomes a 403 */
    unsigned schemes;                   /* AuthIntrospectDPoP of the
                                         * location (dpop.h); 0: Bearer
                                         * only, as before DPoP */
    int dpop_used;                      /* the request used the DPoP
                                         * scheme */
} mai_deny_facts_t;

/** Record a Require line of this kind that was not met; values are its
 * listed values (mai_policy_values). Only oauth-aud and oauth-scope
 * change what the client is told. From p. */
void mai_deny_facts_unmet(apr_pool_t *p, mai_deny_facts_t *f,
                          mai_policy_kind_t kind, const char *values);

/** The insufficient_scope challenge (DPoP's when the request used
 * DPoP or the location requires it) naming every scope of the unmet
 * oauth-scope lines, or NULL when none was unmet. From p. */
const char *mai_deny_scope_challenge(apr_pool_t *p, const char *realm,
                                     const mai_deny_facts_t *f);

/**
 * note_auth_failure for a Bearer request whose authentication ended in
 * status: the WWW-Authenticate value to set, or NULL to set none.
 *  - authentication failed: its RFC 6750 error (none for "no token"),
 *    in a DPoP challenge with error_description and algs when the
 *    request used DPoP or the location requires it (RFC 9449 7.1);
 *  - authenticated, an oauth-aud line unmet: invalid_token (the token is
 *    not meant for this resource);
 *  - authenticated otherwise (RFC 6750 section 3.1): f->forbid is set,
 *    and the insufficient_scope challenge when an oauth-scope line was
 *    unmet, else none.
 * From p.
 */
const char *mai_deny_note(apr_pool_t *p, const char *realm,
                          mai_status_t status, mai_deny_facts_t *f);

typedef enum {
    MAI_DENY_KEEP,      /* send httpd's error response as it is */
    MAI_DENY_FORBID,    /* the 401 becomes a 403 */
    MAI_DENY_ADD_SCOPE  /* httpd's own 403 (AuthzSendForbiddenOnFailure
                         * On, no note_auth_failure): add the
                         * insufficient_scope challenge */
} mai_deny_final_t;

/** The second challenge of a location that accepts both Bearer and
 * DPoP (RFC 9449 section 7.2): the plain challenge of the scheme the
 * first one is not (`Bearer realm="R"` or `DPoP realm="R", algs="..."`),
 * or NULL when the location accepts one scheme. From p. */
const char *mai_deny_other_challenge(apr_pool_t *p, const char *realm,
                                     const mai_deny_facts_t *f);

/** The last word on an error response with HTTP status http, for a
 * request whose authentication ended in status; has_challenge: a
 * WWW-Authenticate is already set. Only an authenticated request is
 * touched. */
mai_deny_final_t mai_deny_final(mai_status_t status,
                                const mai_deny_facts_t *f, int http,
                                int has_challenge);

/** The HTTP status check_authn answers for a refusal s: 400, 401 or 503
 * from the status table, 500 for anything else. */
int mai_deny_http(mai_status_t s);

/** Retry-After seconds for a 503: the delay known for the endpoint
 * (known, 0 = none) else the call's timeout, rounded up to a second so
 * the client never comes back before a call could have completed. */
apr_time_t mai_deny_retry_after(apr_interval_time_t known,
                                apr_interval_time_t timeout);

#endif
