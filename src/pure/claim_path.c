/* SPDX-License-Identifier: Apache-2.0 */
/* claim_path.c: dotted claim paths. The escape is resolved here, once, so
 * matching compares plain member names; Keycloak's own mappers spell a
 * literal dot in a claim name the same way ("\."). */
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "claim_path.h"

/* Ends the segment in buf[0..*len) and appends it to segs. */
static const char *end_segment(apr_pool_t *p, apr_array_header_t *segs,
                               const char *buf, apr_size_t *len)
{
    if (*len == 0) {
        return "a claim path has an empty name (two dots in a row, or a dot "
               "at either end; write \\. for a dot inside a name)";
    }
    if (segs->nelts >= MAI_CLAIM_PATH_MAX) {
        return "a claim path may have at most 32 names";
    }
    APR_ARRAY_PUSH(segs, const char *) = apr_pstrmemdup(p, buf, *len);
    *len = 0;
    return NULL;
}

const char *mai_claim_path_parse(apr_pool_t *p, const char *word,
                                 const mai_claim_path_t **out)
{
    apr_array_header_t *segs = apr_array_make(p, 2, sizeof(const char *));
    char *buf;
    apr_size_t len = 0;
    const char *s, *err;
    mai_claim_path_t *path;
    int i;

    *out = NULL;
    if (word == NULL || *word == '\0') {
        return "a claim name must not be empty";
    }
    buf = apr_palloc(p, strlen(word) + 1);
    for (s = word; *s; s++) {
        if (*s == '.') {
            if ((err = end_segment(p, segs, buf, &len)) != NULL) {
                return err;
            }
            continue;
        }
        if (*s == '\\') {
            if (s[1] == '\0') {
                return "a claim path ends with a lone \\ (write \\\\ for "
                       "a backslash)";
            }
            s++;
        }
        buf[len++] = *s;
    }
    if ((err = end_segment(p, segs, buf, &len)) != NULL) {
        return err;
    }
    APR_ARRAY_PUSH(segs, const char *) = NULL;
    path = apr_pcalloc(p, sizeof(*path));
    path->segs = (const char *const *)segs->elts;
    path->nsegs = segs->nelts - 1;
    path->name = path->segs[0];
    for (i = 1; i < path->nsegs; i++) {
        path->name = apr_pstrcat(p, path->name, ".", path->segs[i], NULL);
    }
    *out = path;
    return NULL;
}

const char *mai_claim_path_take(apr_pool_t *p, const char **line,
                                const mai_claim_path_t **out)
{
    const char *s = *line ? *line : "", *start, *end;
    char quote = 0;

    *out = NULL;
    while (apr_isspace(*s)) {
        s++;
    }
    if (*s == '"' || *s == '\'') {
        quote = *s++;
    }
    start = s;
    while (*s && (quote ? *s != quote : !apr_isspace(*s))) {
        s += s[0] == '\\' && s[1] ? 2 : 1;
    }
    end = s;
    if (quote) {
        if (*s != quote) {
            return "a quoted claim name has no closing quote";
        }
        s++;
        if (*s && !apr_isspace(*s)) {
            return "a quoted claim name must be followed by white space";
        }
    }
    *line = s;
    return mai_claim_path_parse(p, apr_pstrmemdup(p, start, end - start),
                                out);
}

int mai_claim_path_looks_like_url(const mai_claim_path_t *path)
{
    return path->nsegs > 1 && strstr(path->segs[0], "://") != NULL;
}

static const mai_claim_t *member(const mai_claim_t *v, int n,
                                 const char *name)
{
    int i;

    for (i = 0; v != NULL && i < n; i++) {
        if (!strcmp(v[i].name, name)) {
            return &v[i];
        }
    }
    return NULL;
}

const mai_claim_t *mai_claim_path_find(const mai_claim_path_t *path,
                                       const mai_result_t *res)
{
    const mai_claim_t *c = member(res->claims, res->nclaims, path->segs[0]);
    int i;

    for (i = 1; c != NULL && i < path->nsegs; i++) {
        c = c->kind == MAI_CLAIM_OBJECT
            ? member(c->members, c->nmembers, path->segs[i]) : NULL;
    }
    return c;
}
