/* SPDX-License-Identifier: Apache-2.0 */
/* cert_bind.c: the certificate is hashed as the bytes it came in, after
 * base64: the authorization server hashed the DER the client presented,
 * and mod_ssl's PEM is that DER. Nothing here parses X.509: a text that
 * is not the certificate the token was bound to cannot hash to its
 * thumbprint. */
#include <string.h>
#include <apr_strings.h>
#include <apr_base64.h>
#include "cert_bind.h"
#include "digest.h"
#include "lex.h"

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END   "-----END CERTIFICATE-----"
/* a certificate this large is not one (RFC 8705 clients send kilobytes) */
#define MAX_CERT_TEXT (64 * 1024)

const char *mai_cert_bind_x5t(const mai_result_t *res)
{
    const mai_claim_t *cnf = mai_result_claim(res, "cnf");
    int i;

    if (!cnf || cnf->kind != MAI_CLAIM_OBJECT) {
        return NULL;
    }
    for (i = 0; i < cnf->nmembers; i++) {
        if (!strcmp(cnf->members[i].name, MAI_CNF_X5T_S256)
            && cnf->members[i].kind == MAI_CLAIM_STRING) {
            return cnf->members[i].text;
        }
    }
    return NULL;
}

/* Percent-decoding where "+" is base64, not a space. NULL on a bad
 * escape or an encoded NUL. */
static char *percent_decode(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, strlen(s) + 1), *o = out;
    int hi, lo;

    for (; *s; s++) {
        if (*s != '%') {
            *o++ = *s;
            continue;
        }
        hi = mai_lex_hexval((unsigned char)s[1]);
        lo = hi < 0 ? -1 : mai_lex_hexval((unsigned char)s[2]);
        if (lo < 0 || (hi == 0 && lo == 0)) {
            return NULL;
        }
        *o++ = (char)(hi * 16 + lo);
        s += 2;
    }
    *o = '\0';
    return out;
}

static int is_b64(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* b..e without white space, if it is canonical base64; else NULL. */
static char *squeeze_b64(apr_pool_t *p, const char *b, const char *e)
{
    char *out = apr_palloc(p, (apr_size_t)(e - b) + 1), *o = out;
    int pad = 0;

    for (; b < e; b++) {
        unsigned char c = (unsigned char)*b;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue;
        }
        if (c == '=') {
            pad++;
        }
        else if (!is_b64(c) || pad) {
            return NULL;     /* outside the alphabet, or data after "=" */
        }
        *o++ = (char)c;
    }
    *o = '\0';
    if (o == out || (o - out) % 4 || pad > 2) {
        return NULL;
    }
    return out;
}

const char *mai_cert_thumbprint(apr_pool_t *p, const char *text)
{
    const char *b, *e;
    char *b64, *der, *t;
    int len, i;
    unsigned char h[MAI_DIGEST_LEN];

    if (!text || strlen(text) > MAX_CERT_TEXT) {
        return NULL;
    }
    if (strchr(text, '%') && !(text = percent_decode(p, text))) {
        return NULL;
    }
    b = strstr(text, PEM_BEGIN);
    if (b) {
        b += strlen(PEM_BEGIN);
        e = strstr(b, PEM_END);
        if (!e) {
            return NULL;
        }
    }
    else {
        b = text;
        e = text + strlen(text);
    }
    b64 = squeeze_b64(p, b, e);
    if (!b64) {
        return NULL;
    }
    der = apr_palloc(p, apr_base64_decode_len(b64));
    len = apr_base64_decode_binary((unsigned char *)der, b64);
    if (len <= 0) {
        return NULL;
    }
    mai_digest_sha256(der, (apr_size_t)len, h);
    t = apr_palloc(p, apr_base64_encode_len(MAI_DIGEST_LEN));
    apr_base64_encode_binary(t, h, MAI_DIGEST_LEN);
    /* base64url (RFC 4648 section 5), no padding */
    for (i = 0; t[i]; i++) {
        if (t[i] == '+') {
            t[i] = '-';
        }
        else if (t[i] == '/') {
            t[i] = '_';
        }
        else if (t[i] == '=') {
            t[i] = '\0';
            break;
        }
    }
    return t;
}

mai_status_t mai_cert_bind_check(const char *x5t,
                                 const char *cert_thumbprint)
{
    apr_size_t n, i;
    unsigned char diff = 0;

    if (!cert_thumbprint) {
        return MAI_STATUS_NO_CLIENT_CERT;
    }
    n = strlen(x5t);
    if (strlen(cert_thumbprint) != n) {
        return MAI_STATUS_CERT_MISMATCH;
    }
    for (i = 0; i < n; i++) {
        diff |= (unsigned char)(x5t[i] ^ cert_thumbprint[i]);
    }
    return diff ? MAI_STATUS_CERT_MISMATCH : MAI_OK;
}
