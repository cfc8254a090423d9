/* SPDX-License-Identifier: Apache-2.0 */
/* challenge.c: the WWW-Authenticate value of RFC 6750 section 3. */
#include <apr_strings.h>
#include "challenge.h"

/* The value as the inside of an RFC 7230 quoted-string. A control
 * character could end the header line (response splitting) or be
 * rejected by the client, so it is dropped rather than escaped. */
static const char *quote(apr_pool_t *p, const char *v, int escaped)
{
    apr_size_t n = 0;
    const unsigned char *s;
    char *out, *o;

    for (s = (const unsigned char *)v; *s; s++) {
        n += (*s == '"' || *s == '\\') ? 2 : 1;
    }
    o = out = apr_palloc(p, n + 1);
    for (s = (const unsigned char *)v; *s; s++) {
        if (*s < 0x20 || *s == 0x7f) {
            continue;
        }
        if (!escaped && (*s == '"' || *s == '\\')) {
            *o++ = '\\';
        }
        *o++ = (char)*s;
    }
    *o = '\0';
    return out;
}

/* scheme followed by each attribute that has a value, in order; the
 * first (realm) as httpd gives it (see below) */
static const char *build(apr_pool_t *p, const char *scheme,
                         const char *const *names, const char *const *vals,
                         int n)
{
    const char *s = scheme, *sep = " ";
    int i;

    for (i = 0; i < n; i++) {
        if (vals[i]) {
            /* httpd's AuthName arrives with its quotes already escaped
             * (ap_escape_quotes): escaping again would change it */
            s = apr_pstrcat(p, s, sep, names[i], "=\"",
                            quote(p, vals[i], i == 0), "\"", NULL);
            sep = ", ";
        }
    }
    return s;
}

const char *mai_challenge(apr_pool_t *p, const char *realm, const char *error,
                          const char *scope)
{
    const char *names[3] = { "realm", "error", "scope" };
    const char *vals[3] = { realm, error, scope };

    return build(p, "Bearer", names, vals, 3);
}

const char *mai_challenge_dpop(apr_pool_t *p, const char *realm,
                               const char *error, const char *description,
                               const char *scope, const char *algs)
{
    const char *names[5] = { "realm", "error", "error_description",
                             "scope", "algs" };
    const char *vals[5] = { realm, error, description, scope, algs };

    return build(p, "DPoP", names, vals, 5);
}

const char *mai_challenge_add_metadata(apr_pool_t *p, const char *challenge,
                                       const char *url)
{
    if (!challenge || !url) {
        return challenge;
    }
    /* "Bearer" (or "DPoP") alone has no attribute yet to follow */
    return apr_pstrcat(p, challenge, strchr(challenge, ' ') ? ", " : " ",
                       "resource_metadata=\"", quote(p, url, 0), "\"", NULL);
}
