/* SPDX-License-Identifier: Apache-2.0 */
/* policy.h: the Require oauth-* rules, parsed once at config time and
 * matched against a result on every request. Pure. */
#ifndef MAI_POLICY_H
#define MAI_POLICY_H

#include <apr_pools.h>
#include "result.h"

typedef enum {
    MAI_POLICY_SCOPE,   /* every listed scope is in "scope" */
    MAI_POLICY_AUD,     /* any listed value is in "aud" */
    MAI_POLICY_CLAIM,   /* claim PATH equals any listed value */
    MAI_POLICY_CLIENT   /* "client_id" is any listed value */
} mai_policy_kind_t;

typedef struct mai_policy mai_policy_t;

/**
 * Parse the arguments of a Require line (words separated by white space;
 * double or single quotes group words, as httpd's own argument parser
 * does). Needs at least one value (CLAIM: a name and at least one value).
 * CLAIM's first word is a dotted path (claim_path.h), read with its
 * backslashes as written.
 * @return NULL and *out set, or an error message for the operator. From p.
 */
const char *mai_policy_parse(apr_pool_t *p, mai_policy_kind_t kind,
                             const char *args, const mai_policy_t **out);

/** 1 when res satisfies the rule, else 0. Matching is exact and
 * case-sensitive; CLAIM compares each listed value with the items of the
 * claim its path names (true/false/numbers compare as their JSON text;
 * objects, null and arrays holding containers never match). */
int mai_policy_match(const mai_policy_t *pol, const mai_result_t *res);

mai_policy_kind_t mai_policy_kind(const mai_policy_t *pol);

/** CLAIM: the path, as parsed (claim_path.h); NULL for other kinds. */
const struct mai_claim_path *mai_policy_claim_path(const mai_policy_t *pol);

/** The listed values joined by one space (for SCOPE: the required scopes
 * for the insufficient_scope challenge). */
const char *mai_policy_values(const mai_policy_t *pol);

#endif
