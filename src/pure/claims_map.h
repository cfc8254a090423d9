/* SPDX-License-Identifier: Apache-2.0 */
/* claims_map.h: claim names to environment and header names. Pure. */
#ifndef MAI_CLAIMS_MAP_H
#define MAI_CLAIMS_MAP_H

#include <apr_pools.h>

#define MAI_ENV_PREFIX "INTROSPECT_"
#define MAI_HEADER_PREFIX "X-Introspect-"

/** "INTROSPECT_" + claim upper-cased with every byte outside [A-Za-z0-9]
 * turned into '_' ("client_id" -> INTROSPECT_CLIENT_ID). From p. */
const char *mai_claims_env_name(apr_pool_t *p, const char *claim);

/** The same name written to dst, which has room for
 * strlen(MAI_ENV_PREFIX) + n + 1 bytes, n being strlen(claim). */
void mai_claims_env_name_to(char *dst, const char *claim, apr_size_t n);

/** "X-Introspect-" + the same suffix in Title-Case with '-' for '_'
 * ("client_id" -> X-Introspect-Client-Id). From p. */
const char *mai_claims_header_name(apr_pool_t *p, const char *claim);

/** True when value may be put into a header: no byte below 0x20 and no
 * 0x7f (so no CR, LF, NUL or other control characters). */
int mai_claims_header_safe(const char *value);

/**
 * The value to put in a header, or NULL when it must not be sent (a
 * control character: CR, LF, NUL, tab, ...). Printable ASCII goes as is;
 * a value with any byte >= 0x80 (UTF-8 names, say), or one that itself
 * starts with "=?", goes as one RFC 2047 encoded-word,
 * "=?UTF-8?B?<base64 of the bytes>?=", which is ASCII, reversible and
 * accepted by strict proxies. From p.
 */
const char *mai_claims_header_value(apr_pool_t *p, const char *value);

/** True when a request header name is X, one separator, "Introspect",
 * one separator, anything; in any case, where a separator is any byte
 * but a letter or digit (X-Introspect-, X_Introspect_, X.Introspect-
 * and the like all reach a CGI program or a backend as the same
 * variable): such headers are removed from requests. */
int mai_claims_is_reserved_header(const char *name);

#endif
