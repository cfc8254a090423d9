/* SPDX-License-Identifier: Apache-2.0 */
/* form.h: application/x-www-form-urlencoded and Basic credentials. Pure. */
#ifndef MAI_FORM_H
#define MAI_FORM_H

#include <apr_pools.h>

/** Percent-encode s for a form body: unreserved bytes (ALPHA DIGIT - . _ ~)
 * kept, space as '+', everything else %XX (upper-case hex). From p,
 * or s itself when nothing needs encoding (it must live as long). */
const char *mai_form_encode(apr_pool_t *p, const char *s);

/** Decode len bytes of one form field ('+' is space, %XX). NULL when an
 * escape is invalid or decodes to a NUL byte. From p. */
const char *mai_form_decode(apr_pool_t *p, const char *s, apr_size_t len);

/**
 * Find field name in a form/query string of len bytes ("a=1&b=2").
 * *count gets how many times the field occurs (0, 1 or more); *value gets
 * the decoded value of the first occurrence (NULL if absent or badly
 * encoded). From p.
 */
void mai_form_get(apr_pool_t *p, const char *data, apr_size_t len,
                  const char *name, const char **value, int *count);

/** prefix + "Basic " + base64(form_encode(id) ":" form_encode(secret)),
 * as RFC 6749 section 2.3.1 asks, in one allocation (the prefix lets a
 * caller have the whole header field, "Authorization: " included, with
 * no further copy). From p. */
const char *mai_form_basic_auth(apr_pool_t *p, const char *prefix,
                                const char *id, const char *secret);

#endif
