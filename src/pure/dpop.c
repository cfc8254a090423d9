/* SPDX-License-Identifier: Apache-2.0 */
/* dpop.c: the pure checks of a DPoP proof at the resource (RFC 9449
 * section 4.3): scheme, header, claims, htu normalization, ath, the
 * token's binding and the replay key. */
#include <limits.h>
#include <math.h>
#include <string.h>
#include <strings.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <json.h>
#include "dpop.h"
#include "lex.h"
#include "token.h"

#define MAX_DEPTH 8

const char *mai_dpop_parse_mode(const char *arg, unsigned *schemes)
{
    if (!strcasecmp(arg, "off")) {
        *schemes = MAI_DPOP_OFF;
    }
    else if (!strcasecmp(arg, "allowed")) {
        *schemes = MAI_DPOP_ALLOWED;
    }
    else if (!strcasecmp(arg, "required")) {
        *schemes = MAI_DPOP_REQUIRED;
    }
    else {
        return "AuthIntrospectDPoP takes off, allowed or required";
    }
    return NULL;
}

mai_status_t mai_dpop_token_from_authorization(apr_pool_t *p,
                                               const char *value,
                                               const char **token)
{
    return mai_token_from_scheme(p, value, "DPoP", token);
}

/* The characters of a compact JWS: base64url and the dots. */
static const char jws_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "abcdefghijklmnopqrstuvwxyz0123456789-_.";

mai_status_t mai_dpop_proof_header(const char *value)
{
    apr_size_t n;

    if (!value) {
        return MAI_STATUS_DPOP_PROOF_MISSING;
    }
    /* RFC 9449 4.3 check 1: one header. httpd joins repeated headers
     * with ", ", and a compact JWS has no comma */
    if (strchr(value, ',')) {
        return MAI_STATUS_DPOP_PROOF_MULTIPLE;
    }
    /* the header is bounded by httpd's LimitRequestFieldSize */
    n = strspn(value, jws_chars);
    if (value[n] != '\0' || n > MAI_DPOP_PROOF_MAX_LEN) {
        return MAI_STATUS_DPOP_PROOF_MALFORMED;
    }
    return n ? MAI_OK : MAI_STATUS_DPOP_PROOF_MALFORMED;
}

int mai_dpop_typ_ok(const char *typ)
{
    return typ && !strcasecmp(typ, "dpop+jwt");
}

/* A string member, copied to p: 1 found, 0 absent, -1 not a string or
 * holding a NUL (which a C comparison would cut short). */
static int get_string(apr_pool_t *p, json_object *o, const char *name,
                      const char **out)
{
    json_object *v;
    int len;

    *out = NULL;
    if (!json_object_object_get_ex(o, name, &v)) {
        return 0;
    }
    if (!json_object_is_type(v, json_type_string)) {
        return -1;
    }
    len = json_object_get_string_len(v);
    if ((apr_size_t)len != strlen(json_object_get_string(v))) {
        return -1;
    }
    *out = apr_pstrmemdup(p, json_object_get_string(v), len);
    return 1;
}

/* NumericDate (RFC 7519): an integer, or a finite number cut to one. */
static int get_iat(json_object *o, apr_int64_t *iat)
{
    json_object *v;
    double d;

    if (!json_object_object_get_ex(o, "iat", &v)) {
        return 0;
    }
    if (json_object_is_type(v, json_type_int)) {
        *iat = json_object_get_int64(v);
        return 1;
    }
    if (json_object_is_type(v, json_type_double)) {
        d = json_object_get_double(v);
        if (isfinite(d) && d > -9e15 && d < 9e15) {
            /* rounded down, without libm's floor */
            *iat = (apr_int64_t)d;
            *iat -= (double)*iat > d;
            return 1;
        }
    }
    return 0;
}

mai_status_t mai_dpop_claims_parse(apr_pool_t *p, const char *json,
                                   apr_size_t len, mai_dpop_claims_t *out)
{
    json_tokener *tok;
    json_object *root;
    mai_status_t s = MAI_STATUS_DPOP_PROOF_MALFORMED;
    size_t end = 0;

    memset(out, 0, sizeof(*out));
    if (!json || !len || len > INT_MAX) {
        return s;
    }
    tok = json_tokener_new_ex(MAX_DEPTH);
    if (!tok) {
        return MAI_STATUS_INTERNAL;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    root = json_tokener_parse_ex(tok, json, (int)len);
    if (root) {
        end = json_tokener_get_parse_end(tok);
    }
    json_tokener_free(tok);
    if (root && end == len && json_object_is_type(root, json_type_object)
        && get_string(p, root, "htm", &out->htm) == 1
        && get_string(p, root, "htu", &out->htu) == 1
        && get_string(p, root, "jti", &out->jti) == 1 && out->jti[0]
        && get_string(p, root, "ath", &out->ath) == 1
        && get_string(p, root, "nonce", &out->nonce) >= 0
        && get_iat(root, &out->iat)) {
        s = MAI_OK;
    }
    if (root) {
        json_object_put(root);
    }
    if (s != MAI_OK) {
        memset(out, 0, sizeof(*out));
    }
    return s;
}

static int is_unreserved(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
           || c == '~';
}

/* The path from s up to '?', '#' or the end, with percent-encodings
 * normalized; NULL for a broken escape or a control character. */
static const char *norm_path(apr_pool_t *p, const char *s)
{
    apr_size_t n = strcspn(s, "?#"), i;
    char *out = apr_palloc(p, n + 2), *o = out;
    int hi, lo, c;

    if (n == 0) {
        *o++ = '/';
    }
    for (i = 0; i < n; i++) {
        c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f) {
            return NULL;
        }
        if (c != '%') {
            *o++ = (char)c;
            continue;
        }
        if (i + 2 >= n) {
            return NULL;
        }
        hi = mai_lex_hexval((unsigned char)s[i + 1]);
        lo = mai_lex_hexval((unsigned char)s[i + 2]);
        if (hi < 0 || lo < 0) {
            return NULL;
        }
        c = hi * 16 + lo;
        if (is_unreserved(c)) {
            *o++ = (char)c;
        }
        else {
            *o++ = '%';
            *o++ = "0123456789ABCDEF"[hi];
            *o++ = "0123456789ABCDEF"[lo];
        }
        i += 2;
    }
    *o = '\0';
    return out;
}

const char *mai_dpop_htu_normalize(apr_pool_t *p, const char *uri)
{
    const char *s, *auth, *auth_end, *host_end, *path;
    int tls;
    long port = 0;
    char *host;
    apr_size_t i;

    if (!uri) {
        return NULL;
    }
    if (!strncasecmp(uri, "https://", 8)) {
        tls = 1;
        auth = uri + 8;
    }
    else if (!strncasecmp(uri, "http://", 7)) {
        tls = 0;
        auth = uri + 7;
    }
    else {
        return NULL;
    }
    auth_end = auth + strcspn(auth, "/?#");
    if (memchr(auth, '@', auth_end - auth) || auth_end == auth) {
        return NULL;
    }
    if (*auth == '[') {
        host_end = memchr(auth, ']', auth_end - auth);
        if (!host_end) {
            return NULL;
        }
        host_end++;
    }
    else {
        host_end = memchr(auth, ':', auth_end - auth);
        host_end = host_end ? host_end : auth_end;
    }
    if (host_end == auth) {
        return NULL;
    }
    if (host_end < auth_end) {
        if (*host_end != ':') {
            return NULL;
        }
        for (s = host_end + 1; s < auth_end; s++) {
            if (*s < '0' || *s > '9' || port > 65535) {
                return NULL;
            }
            port = port * 10 + (*s - '0');
        }
        if (port > 65535) {
            return NULL;
        }
    }
    host = apr_pstrmemdup(p, auth, host_end - auth);
    for (i = 0; host[i]; i++) {
        /* ASCII only: a URI carries an IDN as punycode */
        if ((unsigned char)host[i] <= 0x20 || (unsigned char)host[i] >= 0x7f) {
            return NULL;
        }
        host[i] = (char)apr_tolower(host[i]);
    }
    path = norm_path(p, auth_end);
    if (!path) {
        return NULL;
    }
    /* an empty port (host:) is the default one too (RFC 3986 6.2.3) */
    if (port == 0 || port == (tls ? 443 : 80)) {
        return apr_pstrcat(p, tls ? "https://" : "http://", host, path,
                           NULL);
    }
    return apr_psprintf(p, "%s://%s:%ld%s", tls ? "https" : "http", host,
                        port, path);
}

const char *mai_dpop_request_htu(apr_pool_t *p, const char *scheme,
                                 const char *host, unsigned port,
                                 const char *path)
{
    return mai_dpop_htu_normalize(
        p, apr_psprintf(p, "%s://%s:%u%s", scheme, host, port,
                        path && *path == '/' ? path : "/"));
}

static char *b64url(apr_pool_t *p, const unsigned char *d, apr_size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
                              "tuvwxyz0123456789-_";
    char *out = apr_palloc(p, (n + 2) / 3 * 4 + 1), *o = out;
    apr_size_t i;
    apr_uint32_t v;

    for (i = 0; i + 2 < n; i += 3) {
        v = (apr_uint32_t)d[i] << 16 | (apr_uint32_t)d[i + 1] << 8 | d[i + 2];
        *o++ = abc[v >> 18];
        *o++ = abc[(v >> 12) & 63];
        *o++ = abc[(v >> 6) & 63];
        *o++ = abc[v & 63];
    }
    if (i < n) {
        v = (apr_uint32_t)d[i] << 16
            | (i + 1 < n ? (apr_uint32_t)d[i + 1] << 8 : 0);
        *o++ = abc[v >> 18];
        *o++ = abc[(v >> 12) & 63];
        if (i + 1 < n) {
            *o++ = abc[(v >> 6) & 63];
        }
    }
    *o = '\0';
    return out;
}

const char *mai_dpop_ath(apr_pool_t *p, const char *token)
{
    unsigned char d[MAI_DIGEST_LEN];

    mai_digest_sha256(token, strlen(token), d);
    return b64url(p, d, sizeof(d));
}

mai_status_t mai_dpop_check_claims(apr_pool_t *p,
                                   const mai_dpop_claims_t *cl,
                                   const char *method,
                                   const char *request_htu,
                                   const char *token, apr_int64_t now,
                                   apr_int64_t window, apr_int64_t skew)
{
    const char *htu;

    if (strcmp(cl->htm, method)) {
        return MAI_STATUS_DPOP_PROOF_HTM;
    }
    htu = mai_dpop_htu_normalize(p, cl->htu);
    if (!htu || !request_htu || strcmp(htu, request_htu)) {
        return MAI_STATUS_DPOP_PROOF_HTU;
    }
    /* written as now -/+ so an iat near INT64_MIN/MAX cannot overflow */
    if (cl->iat < now - window - skew || cl->iat > now + skew) {
        return MAI_STATUS_DPOP_PROOF_IAT;
    }
    if (strcmp(cl->ath, mai_dpop_ath(p, token))) {
        return MAI_STATUS_DPOP_PROOF_ATH;
    }
    return MAI_OK;
}

apr_int64_t mai_dpop_replay_ttl(apr_int64_t window, apr_int64_t skew)
{
    /* iat may be skew ahead of now and is accepted until window + skew
     * behind it */
    return window + 2 * skew;
}

void mai_dpop_replay_key(apr_pool_t *p, const mai_hmac_key_t *k,
                         const char *jkt, const char *jti,
                         unsigned char key[MAI_DIGEST_LEN])
{
    static const char label[] = "mai-dpop-jti";
    apr_size_t lj = strlen(jkt), li = strlen(jti);
    apr_size_t n = sizeof(label) + lj + 1 + li;
    unsigned char *msg = apr_palloc(p, n);

    /* label NUL jkt NUL jti: neither the thumbprint nor a jti (checked
     * by mai_dpop_claims_parse) holds a NUL, so the split is unique */
    memcpy(msg, label, sizeof(label));
    memcpy(msg + sizeof(label), jkt, lj);
    msg[sizeof(label) + lj] = '\0';
    memcpy(msg + sizeof(label) + lj + 1, jti, li);
    mai_hmac(k, msg, n, key);
}

static const char *nonce_of(apr_pool_t *p, const mai_hmac_key_t *k,
                            apr_int64_t period)
{
    static const char label[] = "mai-dpop-nonce";
    unsigned char msg[sizeof(label) + 8], mac[MAI_DIGEST_LEN];

    memcpy(msg, label, sizeof(label));
    mai_lex_put_be64(msg + sizeof(label), (apr_uint64_t)period);
    mai_hmac(k, msg, sizeof(msg), mac);
    /* 128 bits are plenty for a value no one can compute without k */
    return b64url(p, mac, 16);
}

const char *mai_dpop_nonce(apr_pool_t *p, const mai_hmac_key_t *k,
                           apr_int64_t now)
{
    return nonce_of(p, k, now / MAI_DPOP_NONCE_PERIOD);
}

int mai_dpop_nonce_ok(apr_pool_t *p, const mai_hmac_key_t *k,
                      const char *nonce, apr_int64_t now)
{
    apr_int64_t period = now / MAI_DPOP_NONCE_PERIOD;

    return nonce && (!strcmp(nonce, nonce_of(p, k, period))
                     || !strcmp(nonce, nonce_of(p, k, period - 1)));
}

const char *mai_dpop_result_jkt(const mai_result_t *res)
{
    const mai_claim_t *cnf = mai_result_claim(res, "cnf");
    int i;

    for (i = 0; cnf && cnf->kind == MAI_CLAIM_OBJECT && i < cnf->nmembers;
         i++) {
        if (!strcmp(cnf->members[i].name, "jkt")
            && cnf->members[i].kind == MAI_CLAIM_STRING
            && cnf->members[i].text && cnf->members[i].text[0]) {
            return cnf->members[i].text;
        }
    }
    return NULL;
}

int mai_dpop_result_bound(const mai_result_t *res)
{
    return mai_dpop_result_jkt(res)
           || (res->token_type && !strcasecmp(res->token_type, "DPoP"));
}

const char *mai_dpop_error_description(mai_status_t s)
{
    switch (s) {
    case MAI_STATUS_DPOP_PROOF_MISSING:
        return "DPoP proof missing";
    case MAI_STATUS_DPOP_PROOF_MULTIPLE:
        return "more than one DPoP proof";
    case MAI_STATUS_DPOP_PROOF_MALFORMED:
        return "DPoP proof malformed or missing claims";
    case MAI_STATUS_DPOP_PROOF_TYP:
        return "DPoP proof typ is not dpop+jwt";
    case MAI_STATUS_DPOP_PROOF_ALG:
        return "DPoP proof alg not supported";
    case MAI_STATUS_DPOP_PROOF_KEY:
        return "DPoP proof jwk missing, private or unusable";
    case MAI_STATUS_DPOP_PROOF_SIGNATURE:
        return "DPoP proof signature invalid";
    case MAI_STATUS_DPOP_PROOF_HTM:
        return "DPoP proof htm mismatch";
    case MAI_STATUS_DPOP_PROOF_HTU:
        return "DPoP proof htu mismatch";
    case MAI_STATUS_DPOP_PROOF_IAT:
        return "DPoP proof iat outside the accepted window";
    case MAI_STATUS_DPOP_PROOF_ATH:
        return "DPoP proof ath mismatch";
    case MAI_STATUS_DPOP_PROOF_REPLAY:
        return "DPoP proof replayed";
    case MAI_STATUS_DPOP_PROOF_NONCE:
        return "Resource server requires nonce in DPoP proof";
    case MAI_STATUS_DPOP_KEY_MISMATCH:
        return "invalid DPoP key binding";
    case MAI_STATUS_DPOP_UNBOUND:
        return "token is not DPoP-bound";
    case MAI_STATUS_DPOP_AS_BEARER:
        return "DPoP-bound token sent as Bearer";
    case MAI_STATUS_DPOP_REQUIRED:
        return "DPoP required";
    default:
        return NULL;
    }
}
