/* SPDX-License-Identifier: Apache-2.0 */
/* policy.c: the Require oauth-* rules. Parsing happens once per Require
 * line at config time, so a request only compares strings. */
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include "policy.h"
#include "claim_path.h"

struct mai_policy {
    mai_policy_kind_t kind;
    const mai_claim_path_t *claim;  /* CLAIM only: the claim's path */
    const char *const *values;
    int nvalues;
    const char *joined;         /* values joined by one space */
};

/* What each kind needs, worded for the operator reading the error. */
static const char *need_message(mai_policy_kind_t kind)
{
    switch (kind) {
    case MAI_POLICY_SCOPE:
        return "oauth-scope needs at least one scope";
    case MAI_POLICY_AUD:
        return "oauth-aud needs at least one audience";
    case MAI_POLICY_CLAIM:
        return "oauth-claim needs a claim name and at least one value";
    case MAI_POLICY_CLIENT:
        return "oauth-client needs at least one client id";
    }
    return "unknown Require oauth-* rule";
}

static const char *join(apr_pool_t *p, const char *const *v, int n)
{
    const char *s = v[0];
    int i;

    for (i = 1; i < n; i++) {
        s = apr_pstrcat(p, s, " ", v[i], NULL);
    }
    return s;
}

const char *mai_policy_parse(apr_pool_t *p, mai_policy_kind_t kind,
                             const char *args, const mai_policy_t **out)
{
    mai_policy_t *pol;
    const mai_claim_path_t *path = NULL;
    const char *err;
    char **argv = NULL;
    int argc;

    *out = NULL;
    if (kind < MAI_POLICY_SCOPE || kind > MAI_POLICY_CLIENT) {
        return need_message(kind);
    }
    args = args ? args : "";
    /* The claim's path is read raw: apr_tokenize_to_argv would eat the
     * backslash of "\." before the path could see it. */
    if (kind == MAI_POLICY_CLAIM) {
        while (apr_isspace(*args)) {
            args++;
        }
        if (*args == '\0') {
            return need_message(kind);
        }
        if ((err = mai_claim_path_take(p, &args, &path)) != NULL) {
            return apr_pstrcat(p, "oauth-claim: ", err, NULL);
        }
    }
    if (apr_tokenize_to_argv(args, &argv, p) != APR_SUCCESS) {
        return "cannot split the Require oauth-* arguments";
    }
    for (argc = 0; argv[argc] != NULL; argc++) {
        /* "" can never match a scope, audience or client id, and an
         * empty claim value is far more likely a quoting slip. */
        if (argv[argc][0] == '\0') {
            return apr_psprintf(p, "%s, and none may be empty",
                                need_message(kind));
        }
    }
    if (argc < 1) {
        return need_message(kind);
    }
    pol = apr_pcalloc(p, sizeof(*pol));
    pol->kind = kind;
    pol->claim = path;
    pol->values = (const char *const *)argv;
    pol->nvalues = argc;
    pol->joined = join(p, pol->values, pol->nvalues);
    *out = pol;
    return NULL;
}

static int listed(const char *const *list, int n, const char *s)
{
    int i;

    for (i = 0; s != NULL && i < n; i++) {
        if (!strcmp(list[i], s)) {
            return 1;
        }
    }
    return 0;
}

/* Objects, nulls and arrays holding objects carry no items, so they never
 * match: a value is compared only with scalars. */
static int claim_matches(const mai_policy_t *pol, const mai_result_t *res)
{
    const mai_claim_t *c = mai_claim_path_find(pol->claim, res);
    int i;

    if (c == NULL || c->items == NULL) {
        return 0;
    }
    for (i = 0; i < c->nitems; i++) {
        if (listed(pol->values, pol->nvalues, c->items[i])) {
            return 1;
        }
    }
    return 0;
}

int mai_policy_match(const mai_policy_t *pol, const mai_result_t *res)
{
    int i;

    switch (pol->kind) {
    case MAI_POLICY_SCOPE:
        for (i = 0; i < pol->nvalues; i++) {
            if (!listed(res->scopes, res->nscopes, pol->values[i])) {
                return 0;
            }
        }
        return 1;
    case MAI_POLICY_AUD:
        for (i = 0; i < res->nauds; i++) {
            if (listed(pol->values, pol->nvalues, res->auds[i])) {
                return 1;
            }
        }
        return 0;
    case MAI_POLICY_CLAIM:
        return claim_matches(pol, res);
    case MAI_POLICY_CLIENT:
        return listed(pol->values, pol->nvalues, res->client_id);
    }
    return 0;
}

mai_policy_kind_t mai_policy_kind(const mai_policy_t *pol)
{
    return pol->kind;
}

const char *mai_policy_values(const mai_policy_t *pol)
{
    return pol->joined;
}

const mai_claim_path_t *mai_policy_claim_path(const mai_policy_t *pol)
{
    return pol->claim;
}
