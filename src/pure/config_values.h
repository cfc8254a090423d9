/* SPDX-License-Identifier: Apache-2.0 */
/* config_values.h: parsers for directive arguments. Pure: each returns
 * NULL on success or an error message that httpd prefixes with the file
 * and line of the directive. */
#ifndef MAI_CONFIG_VALUES_H
#define MAI_CONFIG_VALUES_H

#include <apr_pools.h>
#include <apr_time.h>

typedef enum {
    MAI_AUTH_BASIC = 1,     /* client_secret_basic */
    MAI_AUTH_POST,          /* client_secret_post */
    MAI_AUTH_NONE,          /* none */
    MAI_AUTH_TLS,           /* tls_client_auth (RFC 8705 2.1) */
    MAI_AUTH_SELF_SIGNED_TLS, /* self_signed_tls_client_auth (2.2) */
    MAI_AUTH_SECRET_JWT,    /* client_secret_jwt (RFC 7523, HS256) */
    MAI_AUTH_PRIVATE_KEY_JWT /* private_key_jwt (RFC 7523) */
} mai_client_auth_t;

/** The method authenticates by the TLS client certificate
 * (AuthIntrospectClientCert) and sends client_id in the form. */
#define MAI_AUTH_IS_TLS(a) \
    ((a) == MAI_AUTH_TLS || (a) == MAI_AUTH_SELF_SIGNED_TLS)

/* AuthIntrospectClientAssertionAudience: the aud of a client assertion */
typedef enum {
    MAI_ASSERT_AUD_ISSUER = 1,  /* the issuer (else the endpoint URL) */
    MAI_ASSERT_AUD_ENDPOINT,    /* the introspection endpoint URL */
    MAI_ASSERT_AUD_BOTH         /* both, as a JSON array */
} mai_assertion_aud_t;

/* Token sources, a bit set. */
#define MAI_SRC_HEADER 0x1
#define MAI_SRC_QUERY  0x2
#define MAI_SRC_FORM   0x4
#define MAI_SRC_COOKIE 0x8

/** Seconds as a decimal with an optional fraction ("5", "0.5"); must be
 * greater than 0 and at most 3600. */
const char *mai_cv_interval(const char *arg, apr_interval_time_t *out);

/** A whole number of seconds from 0 to max. */
const char *mai_cv_seconds(const char *arg, int max, int *out);

/** A count (entries, connections, calls, failures) from 0 to max: the
 * same digits-only syntax as mai_cv_seconds, not in seconds. */
const char *mai_cv_count(const char *arg, int max, int *out);

/** client_secret_basic | client_secret_post | none | client_secret_jwt |
 * private_key_jwt | tls_client_auth | self_signed_tls_client_auth
 * (case-insensitive). */
const char *mai_cv_client_auth(const char *arg, mai_client_auth_t *out);
/** The method's name, as AuthIntrospectClientAuth and RFC 8414 spell it. */
const char *mai_cv_client_auth_name(mai_client_auth_t a);

/** issuer | endpoint | both (case-insensitive). */
const char *mai_cv_assertion_aud(const char *arg, mai_assertion_aud_t *out);

/** One AcceptTokenIn word: header | query | form | cookie:NAME. Sets the
 * bit in *sources and, for a cookie, *cookie (from p). */
const char *mai_cv_token_source(apr_pool_t *p, const char *arg,
                                int *sources, const char **cookie);

/** A claim name for RemoteUserClaim: non-empty, no control characters. */
const char *mai_cv_claim_name(const char *arg);

#endif
