/* SPDX-License-Identifier: Apache-2.0 */
/* config_values.c: strict parsers, so a typo stops startup instead of
 * silently meaning something else. */
#include <apr_strings.h>
#include <apr_lib.h>
#include "config_values.h"

#define MAI_MAX_INTERVAL_SEC 3600

const char *mai_cv_interval(const char *arg, apr_interval_time_t *out)
{
    apr_int64_t whole = 0, frac = 0, scale = APR_USEC_PER_SEC;
    const char *c = arg;
    int digits = 0;

    for (; apr_isdigit(*c); c++, digits++) {
        whole = whole * 10 + (*c - '0');
        if (whole > MAI_MAX_INTERVAL_SEC) {
            return "must be at most 3600 seconds";
        }
    }
    if (*c == '.') {
        /* digits past microseconds are ignored, not rounded */
        for (c++; apr_isdigit(*c); c++, digits++) {
            scale /= 10;
            frac += (*c - '0') * scale;
        }
    }
    if (*c || !digits) {
        return "must be a number of seconds such as 5 or 0.5";
    }
    *out = apr_time_from_sec(whole) + frac;
    if (*out <= 0) {
        return "must be greater than 0";
    }
    if (*out > apr_time_from_sec(MAI_MAX_INTERVAL_SEC)) {
        return "must be at most 3600 seconds";
    }
    return NULL;
}

/* Digits only, at most max; *out untouched on error. what names the unit
 * in the message ("a whole number of seconds"). */
static const char *whole_number(const char *arg, int max, int *out,
                                const char *what)
{
    apr_int64_t v = 0;
    const char *c = arg;

    if (!*c) {
        return what;
    }
    for (; *c; c++) {
        if (!apr_isdigit(*c)) {
            return what;
        }
        v = v * 10 + (*c - '0');
        if (v > max) {
            return "is too large";
        }
    }
    *out = (int)v;
    return NULL;
}

const char *mai_cv_seconds(const char *arg, int max, int *out)
{
    return whole_number(arg, max, out, "must be a whole number of seconds");
}

const char *mai_cv_count(const char *arg, int max, int *out)
{
    return whole_number(arg, max, out, "must be a whole number");
}

const char *mai_cv_client_auth(const char *arg, mai_client_auth_t *out)
{
    if (!strcasecmp(arg, "client_secret_basic")) {
        *out = MAI_AUTH_BASIC;
    }
    else if (!strcasecmp(arg, "client_secret_post")) {
        *out = MAI_AUTH_POST;
    }
    else if (!strcasecmp(arg, "none")) {
        *out = MAI_AUTH_NONE;
    }
    else if (!strcasecmp(arg, "tls_client_auth")) {
        *out = MAI_AUTH_TLS;
    }
    else if (!strcasecmp(arg, "self_signed_tls_client_auth")) {
        *out = MAI_AUTH_SELF_SIGNED_TLS;
    }
    else if (!strcasecmp(arg, "client_secret_jwt")) {
        *out = MAI_AUTH_SECRET_JWT;
    }
    else if (!strcasecmp(arg, "private_key_jwt")) {
        *out = MAI_AUTH_PRIVATE_KEY_JWT;
    }
    else {
        return "must be client_secret_basic, client_secret_post, none, "
               "client_secret_jwt, private_key_jwt, tls_client_auth or "
               "self_signed_tls_client_auth";
    }
    return NULL;
}

const char *mai_cv_assertion_aud(const char *arg, mai_assertion_aud_t *out)
{
    if (!strcasecmp(arg, "issuer")) {
        *out = MAI_ASSERT_AUD_ISSUER;
    }
    else if (!strcasecmp(arg, "endpoint")) {
        *out = MAI_ASSERT_AUD_ENDPOINT;
    }
    else if (!strcasecmp(arg, "both")) {
        *out = MAI_ASSERT_AUD_BOTH;
    }
    else {
        return "must be issuer, endpoint or both";
    }
    return NULL;
}

const char *mai_cv_client_auth_name(mai_client_auth_t a)
{
    /* the names of RFC 8414's ..._auth_methods_supported */
    return a == MAI_AUTH_POST ? "client_secret_post"
           : a == MAI_AUTH_NONE ? "none"
           : a == MAI_AUTH_TLS ? "tls_client_auth"
           : a == MAI_AUTH_SELF_SIGNED_TLS ? "self_signed_tls_client_auth"
           : a == MAI_AUTH_SECRET_JWT ? "client_secret_jwt"
           : a == MAI_AUTH_PRIVATE_KEY_JWT ? "private_key_jwt"
           : "client_secret_basic";
}

const char *mai_cv_token_source(apr_pool_t *p, const char *arg,
                                int *sources, const char **cookie)
{
    if (!strcasecmp(arg, "header")) {
        *sources |= MAI_SRC_HEADER;
    }
    else if (!strcasecmp(arg, "query")) {
        *sources |= MAI_SRC_QUERY;
    }
    else if (!strcasecmp(arg, "form")) {
        *sources |= MAI_SRC_FORM;
    }
    else if (!strncasecmp(arg, "cookie:", 7)) {
        const char *name = arg + 7, *c;
        if (!*name) {
            return "cookie: needs a cookie name, e.g. cookie:access_token";
        }
        for (c = name; *c; c++) {
            /* RFC 6265 token characters only, so the name is unambiguous */
            if (!apr_isgraph(*c) || strchr("()<>@,;:\\\"/[]?={}", *c)) {
                return "cookie name has a character not allowed in cookies";
            }
        }
        if (*sources & MAI_SRC_COOKIE) {
            return "only one cookie:NAME source may be given";
        }
        *sources |= MAI_SRC_COOKIE;
        *cookie = apr_pstrdup(p, name);
    }
    else {
        return "must be header, query, form or cookie:NAME";
    }
    return NULL;
}

const char *mai_cv_claim_name(const char *arg)
{
    const unsigned char *c = (const unsigned char *)arg;

    if (!*c) {
        return "claim name must not be empty";
    }
    for (; *c; c++) {
        if (*c < 0x20 || *c == 0x7f) {
            return "claim name must not contain control characters";
        }
    }
    return NULL;
}
