/* SPDX-License-Identifier: Apache-2.0 */
/* claim_path.h: a claim named by a dotted path into nested objects
 * ("realm_access.roles", "resource_access.app.roles", "ext.tenant"),
 * parsed once at config time and walked on each request. Pure. */
#ifndef MAI_CLAIM_PATH_H
#define MAI_CLAIM_PATH_H

#include <apr_pools.h>
#include "result.h"

/* As deep as an answer can nest (result.c's MAX_DEPTH). */
#define MAI_CLAIM_PATH_MAX 32

typedef struct mai_claim_path {
    const char *const *segs;    /* member names, escapes resolved */
    int nsegs;
    const char *name;           /* segs joined by '.', for naming exports */
} mai_claim_path_t;

/**
 * Parse one word: '.' separates member names; '\' makes the character
 * after it literal ("\." a dot inside a name, "\\" a backslash). Errors
 * (for the operator): empty word, empty name ("a..b", ".a", "a."), a
 * '\' at the end, more than MAI_CLAIM_PATH_MAX names. From p.
 */
const char *mai_claim_path_parse(apr_pool_t *p, const char *word,
                                 const mai_claim_path_t **out);

/**
 * Take the first word of *line (after white space) and parse it as a
 * path. The word ends at white space, or, when it starts with a double or
 * single quote, at the same quote; in both cases a '\'-escaped character
 * does not end it (so "\ " and "\"" stay in the name). The backslashes
 * reach mai_claim_path_parse as written. *line is left after the word.
 */
const char *mai_claim_path_take(apr_pool_t *p, const char **line,
                                const mai_claim_path_t **out);

/** True when the path's first name looks like the start of a URL
 * ("https://example" of "https://example.com/roles"): a flat claim name
 * with dots, written before dotted paths existed, that now needs "\.". */
int mai_claim_path_looks_like_url(const mai_claim_path_t *path);

/**
 * The claim at path in res: the top-level claim named segs[0], then in
 * turn the member of that object named segs[1], and so on. NULL when a
 * name is absent or a step is not an object (arrays are not walked into).
 */
const mai_claim_t *mai_claim_path_find(const mai_claim_path_t *path,
                                       const mai_result_t *res);

#endif
