/* SPDX-License-Identifier: Apache-2.0 */
/* token.h: bearer token extraction and RFC 6750 syntax. Pure. */
#ifndef MAI_TOKEN_H
#define MAI_TOKEN_H

#include <apr_pools.h>
#include "status.h"

#define MAI_TOKEN_MAX_LEN 4096

/** MAI_OK when tok[0..len) is a non-empty RFC 6750 b64token
 * (1*(ALPHA/DIGIT/"-"/"."/"_"/"~"/"+"/"/") *"=") of at most
 * MAI_TOKEN_MAX_LEN bytes; MAI_STATUS_MALFORMED otherwise. */
mai_status_t mai_token_check(const char *tok, apr_size_t len);

/**
 * Token from an Authorization header value (NULL = header absent).
 * NO_TOKEN when absent; OTHER_SCHEME when the scheme is not "Bearer"
 * (case-insensitive); MALFORMED when the scheme is Bearer but the rest is
 * not exactly one valid token (empty, bad syntax, too long, a list).
 * One or more spaces may separate scheme and token; trailing spaces are
 * ignored. *token points into value when nothing follows the token,
 * else into a copy in p: it lives as long as both.
 */
mai_status_t mai_token_from_authorization(apr_pool_t *p, const char *value,
                                          const char **token);

/** The same for another scheme with the same token68 syntax (DPoP, RFC
 * 9449 section 7.1): OTHER_SCHEME when value's scheme is not want. */
mai_status_t mai_token_from_scheme(apr_pool_t *p, const char *value,
                                   const char *want, const char **token);

/**
 * Token from the access_token field of a query string or urlencoded form
 * body (data may be NULL). NO_TOKEN when absent; MALFORMED when present
 * more than once, badly encoded, or not a valid token.
 */
mai_status_t mai_token_from_urlencoded(apr_pool_t *p, const char *data,
                                       apr_size_t len, const char **token);

/**
 * Token from the cookie called name in a Cookie header value (NULL =
 * absent). NO_TOKEN when absent; MALFORMED when the cookie appears more
 * than once or is not a valid token.
 */
mai_status_t mai_token_from_cookie(apr_pool_t *p, const char *cookie_header,
                                   const char *name, const char **token);

/** 1 when a[0..len) and b[0..len) hold the same bytes, else 0, in a
 * time that depends on len only (neither on where they differ nor on
 * what they hold), as CRYPTO_memcmp, a word at a time. */
int mai_token_equal(const char *a, const char *b, apr_size_t len);

#endif
