/* SPDX-License-Identifier: Apache-2.0 */
/* result.h: an introspection response (RFC 7662 section 2.2), parsed once
 * into a flat, validated form that cache hits, export and Require checks
 * read without touching JSON again. Pure. */
#ifndef MAI_RESULT_H
#define MAI_RESULT_H

#include <apr_pools.h>
#include <apr_tables.h>
#include "status.h"

typedef enum {
    MAI_CLAIM_STRING,
    MAI_CLAIM_NUMBER,
    MAI_CLAIM_BOOL,
    MAI_CLAIM_NULL,
    MAI_CLAIM_ARRAY,
    MAI_CLAIM_OBJECT
} mai_claim_kind_t;

typedef struct mai_claim {
    const char *name;           /* the JSON member name */
    mai_claim_kind_t kind;
    const char *text;           /* export form: a scalar as text (true,
                                 * 42, 1.5), an array of scalars joined by
                                 * one space, objects and arrays holding
                                 * objects as compact JSON (NULL for those
                                 * inside an object: see members) */
    const char *const *items;   /* the comparable scalars: the value itself
                                 * or each element of an array of scalars;
                                 * NULL for objects */
    int nitems;
    const struct mai_claim *members;  /* an object's members, in order,
                                       * for dotted paths (claim_path.h) */
    int nmembers;
    const char *env_name;       /* INTROSPECT_<NAME>, made once by the flat
                                 * copy (result_flat.h) so an L1 hit
                                 * builds no name; NULL elsewhere (not
                                 * copied yet, members, no text) */
} mai_claim_t;

typedef struct mai_result {
    int active;                 /* 1 only when "active" is JSON true */
    int has_exp, has_nbf;
    apr_int64_t exp, nbf;       /* seconds since the epoch */
    const char *iss;            /* NULL when absent or not a string */
    const char *client_id;
    const char *token_type;
    const char *const *scopes;  /* "scope" split on spaces */
    int nscopes;
    const char *const *auds;    /* "aud" as a string or array of strings */
    int nauds;
    const mai_claim_t *claims;  /* every top-level member, in order */
    int nclaims;
    const unsigned char *name_tags;  /* a byte per claim, of its name
                                      * (mai_result_claim), or NULL */
    const char *json;           /* the whole response as compact JSON */
} mai_result_t;

/**
 * Parse len bytes of JSON. MAI_STATUS_ENDPOINT_BAD_JSON unless it is one
 * JSON object whose "exp", "nbf", "iat" (when present) are integers and
 * "scope", "iss", "client_id", "token_type" (when present) are strings and
 * "aud" a string or array of strings. Limits: nesting depth 32, 1000
 * members, 10000 members of nested objects in all, 64 KiB per claim text
 * (MAI_STATUS_ENDPOINT_TOO_LARGE). A
 * member name that appears twice in one object, at any depth and however
 * escaped, is MAI_STATUS_ENDPOINT_DUPLICATE_MEMBER; U+0000 in a name or a
 * value, NaN and Infinity are MAI_STATUS_ENDPOINT_BAD_JSON. All of *out
 * lives in p; no JSON library object outlives the call.
 */
mai_status_t mai_result_parse(apr_pool_t *p, const char *json,
                              apr_size_t len, const mai_result_t **out);

/**
 * The per-location checks: INACTIVE unless active; REFRESH_TOKEN when
 * token_type is "refresh_token" or
 * "urn:ietf:params:oauth:token-type:refresh_token" (any case) or a string
 * "typ" claim is "Refresh" or "Offline" (Keycloak; any case); DPOP_TOKEN
 * when token_type is "DPoP" (any case); BOUND_TOKEN when "cnf" is present
 * and neither null nor an object whose members are all checked by the
 * caller (none, or "x5t#S256" as a string: cert_bind.h);
 * WRONG_TOKEN_TYPE when token_types (an array of char*) is not NULL and
 * token_type is absent or none of them (any case; an empty array refuses
 * every token); EXPIRED when
 * exp + skew <= now;
 * NOT_YET_VALID when nbf - skew > now; WRONG_ISSUER when issuer is not NULL
 * and differs from iss. MAI_OK otherwise.
 */
mai_status_t mai_result_check(const mai_result_t *res, apr_int64_t now,
                              apr_int64_t skew, const char *issuer,
                              const apr_array_header_t *token_types);

/**
 * mai_result_check for a request whose DPoP proof was verified and whose
 * proof key equals this answer's cnf.jkt (dpop_proven): then token_type
 * DPoP is no refusal and passes AuthIntrospectTokenTypes, and a cnf
 * holding only jkt is no BOUND_TOKEN. dpop_proven 0 is mai_result_check.
 */
mai_status_t mai_result_check_proven(const mai_result_t *res,
                                     apr_int64_t now, apr_int64_t skew,
                                     const char *issuer,
                                     const apr_array_header_t *token_types,
                                     int dpop_proven);

/**
 * The refusal a token_type value always gets, whatever the location:
 * REFRESH_TOKEN, DPOP_TOKEN, or MAI_OK. (AuthIntrospectTokenTypes uses it
 * to refuse listing such a type.)
 */
mai_status_t mai_result_type_refusal(const char *token_type);

/** A one-byte tag of a claim name: where name_tags is set, a claim whose
 * tag differs cannot have that name. */
unsigned char mai_claim_name_tag(const char *name);

/** The claim called name, or NULL. */
const mai_claim_t *mai_result_claim(const mai_result_t *res,
                                    const char *name);

/**
 * REMOTE_USER: the text of the first claim in names (an array of char*)
 * that is present as a non-empty string or a number. NULL if none.
 */
const char *mai_result_user(const mai_result_t *res,
                            const apr_array_header_t *names);

/** Deep copy into p, as one mai_result_flat_copy block. The per-process
 * cache copies into its own malloc'd blocks with mai_result_flat_copy;
 * no request path calls this today (fuzz_result and test_result do). */
mai_result_t *mai_result_copy(apr_pool_t *p, const mai_result_t *res);

#endif
