/* SPDX-License-Identifier: Apache-2.0 */
/* jose.c: JWS verification and JWK sets through cjose. cjose does the
 * cryptography; this file decides what is acceptable before cjose sees
 * anything: the shape of the compact form, the algorithm (allow-list,
 * asymmetric only, fitting the key's type, size and curve), the keys
 * (public, for signatures, RSA of 2048 bits or more). The header is read
 * with json-c first, so an alg we never accept ("none", HS256, junk)
 * never reaches cjose's code paths at all. */
#include <limits.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_encode.h>
#include <json-c/json.h>
#include <openssl/sha.h>
#include <cjose/cjose.h>
#include "jose.h"

/* Far above any JWS the module meets (a signed answer, an access token,
 * a DPoP proof), low enough that nothing decodes megabytes. */
#define MAX_COMPACT (1024 * 1024)
#define MAX_HEADER (16 * 1024)
#define MAX_DEPTH 16
#define MAX_KEYS 64
#define MIN_RSA_BITS 2048

#define RSA_ALGS (MAI_JOSE_RS256 | MAI_JOSE_RS384 | MAI_JOSE_RS512 \
                  | MAI_JOSE_PS256 | MAI_JOSE_PS384 | MAI_JOSE_PS512)

static const struct {
    const char *name;
    unsigned bit;
} alg_names[] = {
    { "RS256", MAI_JOSE_RS256 }, { "RS384", MAI_JOSE_RS384 },
    { "RS512", MAI_JOSE_RS512 }, { "PS256", MAI_JOSE_PS256 },
    { "PS384", MAI_JOSE_PS384 }, { "PS512", MAI_JOSE_PS512 },
    { "ES256", MAI_JOSE_ES256 }, { "ES384", MAI_JOSE_ES384 },
    { "ES512", MAI_JOSE_ES512 }
};

/* Members that make a JWK private (RSA, EC) or symmetric (oct). */
static const char *const private_members[] = {
    "d", "p", "q", "dp", "dq", "qi", "oth", "k"
};

typedef struct {
    cjose_jwk_t *jwk;
    const char *kid;            /* NULL when the key has none */
    unsigned algs;              /* what it may verify */
} jwk_entry_t;

struct mai_jwks {
    jwk_entry_t *keys;
    int n;
};

unsigned mai_jose_alg_bit(const char *name)
{
    apr_size_t i;

    if (name == NULL) {
        return 0;
    }
    for (i = 0; i < sizeof(alg_names) / sizeof(alg_names[0]); i++) {
        if (strcmp(name, alg_names[i].name) == 0) {
            return alg_names[i].bit;
        }
    }
    return 0;
}

const char *mai_jose_reason(mai_jose_result_t r)
{
    switch (r) {
    case MAI_JOSE_OK:
        return "ok";
    case MAI_JOSE_MALFORMED:
        return "not a well-formed compact JWS";
    case MAI_JOSE_ENCRYPTED:
        return "a JWE (encrypted), which is not supported";
    case MAI_JOSE_ALG:
        return "alg missing, not allowed or not the key's";
    case MAI_JOSE_UNKNOWN_KID:
        return "no key with this kid";
    case MAI_JOSE_BAD_KEY:
        return "key is private or unusable";
    case MAI_JOSE_SIGNATURE:
        return "signature does not verify";
    }
    return "unknown";
}

static apr_status_t release_jwk(void *k)
{
    cjose_jwk_release(k);
    return APR_SUCCESS;
}

static apr_status_t release_jws(void *j)
{
    cjose_jws_release(j);
    return APR_SUCCESS;
}

static apr_status_t put_json(void *o)
{
    json_object_put(o);
    return APR_SUCCESS;
}

/* One JSON object, strict, nothing after it; owned by p from here on. */
static json_object *parse_object(apr_pool_t *p, const char *json,
                                 apr_size_t len)
{
    json_tokener *tok;
    json_object *o;
    size_t end;

    if (len == 0 || len > INT_MAX) {
        return NULL;
    }
    tok = json_tokener_new_ex(MAX_DEPTH);
    if (tok == NULL) {
        return NULL;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    o = json_tokener_parse_ex(tok, json, (int)len);
    end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (o == NULL) {
        return NULL;
    }
    apr_pool_cleanup_register(p, o, put_json, apr_pool_cleanup_null);
    while (end < len && (json[end] == ' ' || json[end] == '\t'
                         || json[end] == '\n' || json[end] == '\r')) {
        end++;
    }
    if (end != len || !json_object_is_type(o, json_type_object)) {
        return NULL;
    }
    return o;
}

/* A member's string value: 1 and *out (from p), 0 when absent, -1 when
 * not a string or holding U+0000 (a C string would cut it short, and a
 * kid cut short could name another key). */
static int get_string(apr_pool_t *p, json_object *o, const char *name,
                      const char **out)
{
    json_object *v;
    const char *s;
    int len;

    *out = NULL;
    if (!json_object_object_get_ex(o, name, &v)) {
        return 0;
    }
    if (!json_object_is_type(v, json_type_string)) {
        return -1;
    }
    s = json_object_get_string(v);
    len = json_object_get_string_len(v);
    if (len < 0 || memchr(s, '\0', (size_t)len) != NULL) {
        return -1;
    }
    *out = apr_pstrmemdup(p, s, (apr_size_t)len);
    return 1;
}

static int has_private_member(json_object *key)
{
    apr_size_t i;

    for (i = 0; i < sizeof(private_members) / sizeof(private_members[0]);
         i++) {
        if (json_object_object_get_ex(key, private_members[i], NULL)) {
            return 1;
        }
    }
    return 0;
}

/* What a cjose key may verify, from its type, size and curve alone: RSA
 * of 2048 bits or more for RS and PS, each curve its one ES algorithm. */
static unsigned algs_of_key(const cjose_jwk_t *jwk)
{
    cjose_err err;

    switch (cjose_jwk_get_kty(jwk, &err)) {
    case CJOSE_JWK_KTY_RSA:
        return cjose_jwk_get_keysize(jwk, &err) >= MIN_RSA_BITS
            ? RSA_ALGS : 0;
    case CJOSE_JWK_KTY_EC:
        switch (cjose_jwk_EC_get_curve(jwk, &err)) {
        case CJOSE_JWK_EC_P_256:
            return MAI_JOSE_ES256;
        case CJOSE_JWK_EC_P_384:
            return MAI_JOSE_ES384;
        case CJOSE_JWK_EC_P_521:
            return MAI_JOSE_ES512;
        default:
            return 0;
        }
    default:
        return 0;
    }
}

/* Byte classes for the scans: 1 the base64url alphabet (A-Z, a-z, 0-9,
 * "-", "_"), 2 the dot, 0 anything else. A table, since a DPoP proof's
 * few hundred characters are scanned on every request. */
static const unsigned char char_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static int b64url_char(char c)
{
    return char_class[(unsigned char)c] == 1;
}

/* Text cjose's base64url decoder takes without failing an assertion:
 * an "=" after the first character of a quantum ("A=AA") aborts the
 * process (found by fuzz_jose), so only base64url characters, and not
 * 4n+1 long (which no encoder makes). */
static int b64url_ok(const char *s, apr_size_t len)
{
    apr_size_t i;

    if (len % 4 == 1) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (!b64url_char(s[i])) {
            return 0;
        }
    }
    return 1;
}

/* A member cjose will decode: present, a string, and base64url it can
 * take. */
static int b64url_member(apr_pool_t *p, json_object *key, const char *name)
{
    const char *v;

    return get_string(p, key, name, &v) == 1 && *v
           && b64url_ok(v, strlen(v));
}

/* A JWK object as a cjose public key, released with p; NULL when cjose
 * cannot read it. Only kty RSA and EC reach cjose, and only with the
 * members it decodes vetted first. */
static cjose_jwk_t *import_key(apr_pool_t *p, json_object *key)
{
    const char *kty, *text;
    size_t len;
    cjose_err err;
    cjose_jwk_t *jwk;

    if (get_string(p, key, "kty", &kty) != 1) {
        return NULL;
    }
    if (strcmp(kty, "RSA") == 0) {
        if (!b64url_member(p, key, "n") || !b64url_member(p, key, "e")) {
            return NULL;
        }
    }
    else if (strcmp(kty, "EC") != 0 || !b64url_member(p, key, "x")
             || !b64url_member(p, key, "y")) {
        return NULL;
    }
    text = json_object_to_json_string_length(key, JSON_C_TO_STRING_PLAIN,
                                             &len);
    if (text == NULL) {
        return NULL;
    }
    jwk = cjose_jwk_import(text, len, &err);
    if (jwk != NULL) {
        apr_pool_cleanup_register(p, jwk, release_jwk,
                                  apr_pool_cleanup_null);
    }
    return jwk;
}

/* 1 when key_ops is absent or lists "verify". */
static int ops_allow_verify(json_object *key)
{
    json_object *ops, *op;
    size_t i, n;

    if (!json_object_object_get_ex(key, "key_ops", &ops)) {
        return 1;
    }
    if (!json_object_is_type(ops, json_type_array)) {
        return 0;
    }
    n = json_object_array_length(ops);
    for (i = 0; i < n; i++) {
        op = json_object_array_get_idx(ops, i);
        if (json_object_is_type(op, json_type_string)
            && strcmp(json_object_get_string(op), "verify") == 0) {
            return 1;
        }
    }
    return 0;
}

/* One member of a set: 1 and *k filled when usable, 0 when skipped. */
static int take_key(apr_pool_t *p, json_object *o, jwk_entry_t *k)
{
    const char *use, *alg;
    unsigned algs;

    if (!json_object_is_type(o, json_type_object) || has_private_member(o)
        || get_string(p, o, "use", &use) < 0
        || (use != NULL && strcmp(use, "sig") != 0)
        || get_string(p, o, "alg", &alg) < 0
        || get_string(p, o, "kid", &k->kid) < 0 || !ops_allow_verify(o)) {
        return 0;
    }
    k->jwk = import_key(p, o);
    if (k->jwk == NULL) {
        return 0;
    }
    algs = algs_of_key(k->jwk);
    if (alg != NULL) {
        /* a key for one algorithm (or for encryption: RSA-OAEP) */
        algs &= mai_jose_alg_bit(alg);
    }
    k->algs = algs;
    return algs != 0;
}

mai_jwks_t *mai_jwks_parse(apr_pool_t *p, const char *json, apr_size_t len,
                           const char **why)
{
    json_object *root, *arr;
    mai_jwks_t *set;
    size_t i, n;

    *why = NULL;
    root = json != NULL ? parse_object(p, json, len) : NULL;
    if (root == NULL) {
        *why = "not a JSON object";
        return NULL;
    }
    if (!json_object_object_get_ex(root, "keys", &arr)
        || !json_object_is_type(arr, json_type_array)) {
        *why = "no \"keys\" array";
        return NULL;
    }
    n = json_object_array_length(arr);
    if (n > MAX_KEYS) {
        *why = apr_psprintf(p, "more than %d keys", MAX_KEYS);
        return NULL;
    }
    set = apr_pcalloc(p, sizeof(*set));
    set->keys = apr_pcalloc(p, (n ? n : 1) * sizeof(jwk_entry_t));
    for (i = 0; i < n; i++) {
        if (take_key(p, json_object_array_get_idx(arr, i),
                     &set->keys[set->n])) {
            set->n++;
        }
    }
    if (set->n == 0) {
        *why = "no usable signature key (RSA of 2048 bits or more, EC "
            "P-256, P-384 or P-521; use \"sig\"; no private members)";
        return NULL;
    }
    return set;
}

int mai_jwks_count(const mai_jwks_t *keys)
{
    return keys ? keys->n : 0;
}

/* base64url text (no padding) decoded into p, NUL-terminated. */
static const char *b64url_decode(apr_pool_t *p, const char *s,
                                 apr_size_t len, apr_size_t *out_len)
{
    uint8_t *buf = NULL;
    size_t n = 0;
    cjose_err err;
    const char *copy;

    if (!cjose_base64url_decode(s, len, &buf, &n, &err)) {
        return NULL;
    }
    copy = apr_pstrmemdup(p, (const char *)buf, n);
    cjose_get_dealloc()(buf);
    *out_len = n;
    return copy;
}

/* The cheap test, before any decoding: only base64url characters and
 * dots, three parts (a JWS: header and payload not empty; the signature
 * is empty for alg "none", which is then refused by name) or five (a
 * JWE). Returns the number of parts or 0; dots[] gets the first two
 * dots' offsets. */
static int shape(const char *s, apr_size_t len, apr_size_t dots[2])
{
    apr_size_t i, ndots = 0;

    if (len < 5 || len > MAX_COMPACT) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        switch (char_class[(unsigned char)s[i]]) {
        case 1:
            break;
        case 2:
            if (ndots < 2) {
                dots[ndots] = i;
            }
            if (++ndots > 4) {
                return 0;
            }
            break;
        default:
            return 0;
        }
    }
    if (ndots == 4) {
        return 5;
    }
    /* and no part 4n+1 long, which no encoder makes ("=" and every
     * other character that could trip cjose's decoder are out already) */
    if (ndots != 2 || dots[0] == 0 || dots[1] == dots[0] + 1
        || dots[0] % 4 == 1 || (dots[1] - dots[0] - 1) % 4 == 1
        || (len - dots[1] - 1) % 4 == 1) {
        return 0;
    }
    return 3;
}

/* cjose's half of a parse: its own object for the verification, whose
 * alg must be out->alg, and the payload. */
static mai_jose_result_t import_signed(apr_pool_t *p, const char *compact,
                                       apr_size_t len, mai_jws_t *out)
{
    const char *cjose_alg;
    cjose_jws_t *jws;
    cjose_err err;
    uint8_t *plain = NULL;
    size_t plain_len = 0;

    jws = cjose_jws_import(compact, len, &err);
    if (jws == NULL) {
        return MAI_JOSE_MALFORMED;
    }
    apr_pool_cleanup_register(p, jws, release_jws, apr_pool_cleanup_null);
    /* cjose read the header with its own JSON library: the alg it will
     * verify with must be the one checked here (a repeated member could
     * otherwise mean one thing to each) */
    cjose_alg = cjose_header_get(cjose_jws_get_protected(jws),
                                 CJOSE_HDR_ALG, &err);
    if (cjose_alg == NULL || strcmp(cjose_alg, out->alg) != 0
        || !cjose_jws_get_plaintext(jws, &plain, &plain_len, &err)) {
        return MAI_JOSE_MALFORMED;
    }
    out->payload = apr_pstrmemdup(p, (const char *)plain, plain_len);
    out->payload_len = plain_len;
    out->impl = jws;
    return MAI_JOSE_OK;
}

/* The header read with json-c, then import_signed; dots from shape. */
static mai_jose_result_t parse_checked(apr_pool_t *p, const char *compact,
                                       apr_size_t len,
                                       const apr_size_t dots[2],
                                       mai_jws_t *out)
{
    apr_size_t hlen, plen;
    const char *hjson;
    json_object *hdr, *v;

    hjson = b64url_decode(p, compact, dots[0], &hlen);
    hdr = hjson != NULL ? parse_object(p, hjson, hlen) : NULL;
    if (hdr == NULL || get_string(p, hdr, "alg", &out->alg) != 1
        || get_string(p, hdr, "kid", &out->kid) < 0
        || get_string(p, hdr, "typ", &out->typ) < 0
        /* no extension is understood here (RFC 7515 4.1.11), and "b64"
         * (RFC 7797) would change what the signature covers */
        || json_object_object_get_ex(hdr, "crit", NULL)
        || json_object_object_get_ex(hdr, "b64", NULL)) {
        return MAI_JOSE_MALFORMED;
    }
    if (json_object_object_get_ex(hdr, "jwk", &v)) {
        if (!json_object_is_type(v, json_type_object)) {
            return MAI_JOSE_MALFORMED;
        }
        out->jwk_json = apr_pstrdup(p, json_object_to_json_string_ext(
                                           v, JSON_C_TO_STRING_PLAIN));
        out->jwk_impl = v;
    }
    if (mai_jose_alg_bit(out->alg) == 0) {
        /* never verified (mai_jws_verify says MAI_JOSE_ALG), so cjose is
         * not asked to parse it; the payload is still decoded for
         * callers that log what it was */
        out->payload = b64url_decode(p, compact + dots[0] + 1,
                                     dots[1] - dots[0] - 1, &plen);
        out->payload_len = plen;
        return out->payload != NULL ? MAI_JOSE_OK : MAI_JOSE_MALFORMED;
    }
    return import_signed(p, compact, len, out);
}

/* The shape test: MAI_JOSE_OK with dots filled, or why not. */
static mai_jose_result_t split(const char *compact, apr_size_t len,
                               apr_size_t dots[2])
{
    int parts = compact != NULL ? shape(compact, len, dots) : 0;

    if (parts == 5) {
        return MAI_JOSE_ENCRYPTED;
    }
    if (parts != 3 || dots[0] > MAX_HEADER) {
        return MAI_JOSE_MALFORMED;
    }
    return MAI_JOSE_OK;
}

mai_jose_result_t mai_jws_parse(apr_pool_t *p, const char *compact,
                                apr_size_t len, mai_jws_t *out)
{
    apr_size_t dots[2];
    mai_jose_result_t r;

    memset(out, 0, sizeof(*out));
    r = split(compact, len, dots);
    return r == MAI_JOSE_OK ? parse_checked(p, compact, len, dots, out) : r;
}

mai_jose_result_t mai_jws_verify(const mai_jws_t *jws,
                                 const mai_jwks_t *keys, unsigned algs)
{
    unsigned bit = mai_jose_alg_bit(jws->alg) & algs & MAI_JOSE_ASYMMETRIC;
    int i, named = 0, fit = 0;
    cjose_err err;

    if (bit == 0 || jws->impl == NULL) {
        return MAI_JOSE_ALG;
    }
    if (keys == NULL) {
        return jws->kid ? MAI_JOSE_UNKNOWN_KID : MAI_JOSE_ALG;
    }
    for (i = 0; i < keys->n; i++) {
        const jwk_entry_t *k = &keys->keys[i];

        if (jws->kid != NULL
            && (k->kid == NULL || strcmp(k->kid, jws->kid) != 0)) {
            continue;
        }
        named = 1;
        if (!(k->algs & bit)) {
            continue;
        }
        fit = 1;
        if (cjose_jws_verify(jws->impl, k->jwk, &err)) {
            return MAI_JOSE_OK;
        }
    }
    if (jws->kid != NULL && !named) {
        return MAI_JOSE_UNKNOWN_KID;
    }
    return fit ? MAI_JOSE_SIGNATURE : MAI_JOSE_ALG;
}

/* RFC 7638: the required members only, in lexicographic order, no white
 * space; SHA-256; base64url without padding. The values are used as sent,
 * so they must need no JSON escaping (base64url, or a known curve). */
static const char *thumbprint(apr_pool_t *p, json_object *key)
{
    const char *kty, *a, *b, *c = NULL, *text, *s;
    unsigned char d[SHA256_DIGEST_LENGTH];
    apr_size_t len;

    if (get_string(p, key, "kty", &kty) != 1) {
        return NULL;
    }
    if (strcmp(kty, "RSA") == 0) {
        if (get_string(p, key, "e", &a) != 1
            || get_string(p, key, "n", &b) != 1) {
            return NULL;
        }
        text = apr_pstrcat(p, "{\"e\":\"", a, "\",\"kty\":\"RSA\",\"n\":\"",
                           b, "\"}", NULL);
    }
    else if (strcmp(kty, "EC") == 0) {
        if (get_string(p, key, "crv", &c) != 1
            || get_string(p, key, "x", &a) != 1
            || get_string(p, key, "y", &b) != 1
            || (strcmp(c, "P-256") != 0 && strcmp(c, "P-384") != 0
                && strcmp(c, "P-521") != 0)) {
            return NULL;
        }
        text = apr_pstrcat(p, "{\"crv\":\"", c, "\",\"kty\":\"EC\",\"x\":\"",
                           a, "\",\"y\":\"", b, "\"}", NULL);
    }
    else {
        return NULL;
    }
    for (s = a; *s; s++) {
        if (!b64url_char(*s)) {
            return NULL;
        }
    }
    for (s = b; *s; s++) {
        if (!b64url_char(*s)) {
            return NULL;
        }
    }
    SHA256((const unsigned char *)text, strlen(text), d);
    return apr_pencode_base64_binary(p, d, sizeof(d),
                                     APR_ENCODE_BASE64URL
                                     | APR_ENCODE_NOPADDING, &len);
}

const char *mai_jwk_thumbprint(apr_pool_t *p, const char *jwk_json)
{
    json_object *key = jwk_json != NULL
        ? parse_object(p, jwk_json, strlen(jwk_json)) : NULL;

    return key != NULL ? thumbprint(p, key) : NULL;
}

/* What the proof-key cache keeps beside a key stored under a proof's
 * header: the facts mai_jws_parse read from those very header bytes
 * when a proof under them verified. Only headers with a typ and without
 * a kid are kept this way, so every field of mai_jws_t a header hit sets
 * is one of these (jwk_json stays NULL: mai_jws_has_jwk). */
typedef struct {
    char tp[48];                /* RFC 7638, 43 characters */
    char alg[8];
    char typ[40];
} proof_facts_t;

/* the facts must fit the blob the cache keeps */
typedef char proof_facts_fit[sizeof(proof_facts_t) <= MAI_KEY_CACHE_INFO
                             ? 1 : -1];

/* The cache key of a header: "h." and its base64url text, the bytes the
 * signature covers; a "." is never in a thumbprint, so the two kinds of
 * key cannot meet. */
static const char *header_key(apr_pool_t *p, const char *compact,
                              apr_size_t hlen)
{
    char *k = apr_palloc(p, hlen + 3);

    k[0] = 'h';
    k[1] = '.';
    memcpy(k + 2, compact, hlen);
    k[hlen + 2] = '\0';
    return k;
}

/* 1 and f filled when jws's header can be kept by its text. */
static int facts_of(const mai_jws_t *jws, const char *tp, proof_facts_t *f)
{
    memset(f, 0, sizeof(*f));
    if (jws->proof_hdr == NULL || jws->kid != NULL || jws->typ == NULL
        || strlen(tp) >= sizeof(f->tp) || strlen(jws->alg) >= sizeof(f->alg)
        || strlen(jws->typ) >= sizeof(f->typ)) {
        return 0;
    }
    strcpy(f->tp, tp);
    strcpy(f->alg, jws->alg);
    strcpy(f->typ, jws->typ);
    return 1;
}

mai_jose_result_t mai_jws_parse_proof(apr_pool_t *p, const char *compact,
                                      apr_size_t len, mai_key_cache_t *keys,
                                      mai_jws_t *out)
{
    apr_size_t dots[2];
    mai_jose_result_t r;
    proof_facts_t f;
    const char *key;
    void *jwk;

    memset(out, 0, sizeof(*out));
    r = split(compact, len, dots);
    if (r != MAI_JOSE_OK) {
        return r;
    }
    if (keys != NULL && dots[0] + 2 <= MAI_KEY_CACHE_KEY_MAX) {
        key = header_key(p, compact, dots[0]);
        jwk = mai_key_cache_get_info(keys, p, key, &f);
        if (jwk != NULL) {
            /* byte for byte the header of a proof that verified: what
             * reading it gave then, it gives now (a private member,
             * crit, b64, a bad alg or key were all refused then), so
             * only cjose's half runs, for this proof's signature */
            out->alg = apr_pstrdup(p, f.alg);
            out->typ = apr_pstrdup(p, f.typ);
            out->proof_key = jwk;
            out->proof_tp = apr_pstrdup(p, f.tp);
            return import_signed(p, compact, len, out);
        }
        out->proof_hdr = key;
    }
    return parse_checked(p, compact, len, dots, out);
}

int mai_jws_has_jwk(const mai_jws_t *jws)
{
    return jws->jwk_json != NULL || jws->proof_key != NULL;
}

/* The proof-key cache's release function. */
static void release_cached_jwk(void *k)
{
    cjose_jwk_release(k);
}

mai_key_cache_t *mai_jose_proof_keys_create(apr_pool_t *p)
{
    return mai_key_cache_create(p, MAI_JOSE_PROOF_KEYS, release_cached_jwk);
}

mai_jose_result_t mai_jws_verify_embedded(apr_pool_t *p,
                                          const mai_jws_t *jws,
                                          unsigned algs,
                                          const char **thumbprint_out)
{
    return mai_jws_verify_proof(p, jws, algs, NULL, thumbprint_out);
}

/* The key a proof's header holds, its thumbprint, and whether it came
 * from the cache (*cached: then it is not stored again). */
static mai_jose_result_t proof_key(apr_pool_t *p, const mai_jws_t *jws,
                                   mai_key_cache_t *keys, cjose_jwk_t **jwk,
                                   const char **tp, int *cached)
{
    json_object *key;

    if (jws->proof_key != NULL) {
        /* a header hit (mai_jws_parse_proof): key and thumbprint as
         * they were when this header's proof verified */
        *jwk = jws->proof_key;
        *tp = jws->proof_tp;
        *cached = 1;
        return MAI_JOSE_OK;
    }
    /* the header's own object when mai_jws_parse made jws (the text is
     * that object written out, so reading it again would give the same
     * members) */
    key = jws->jwk_impl;
    if (key == NULL && jws->jwk_json != NULL) {
        key = parse_object(p, jws->jwk_json, strlen(jws->jwk_json));
    }
    if (key == NULL || has_private_member(key)) {
        return MAI_JOSE_BAD_KEY;
    }
    *tp = thumbprint(p, key);
    if (*tp == NULL) {
        return MAI_JOSE_BAD_KEY;
    }
    /* Equal thumbprints are the same key: the thumbprint is SHA-256 over
     * every member the key is built from (EC: crv, x, y; RSA: e, n; both
     * kty), each taken verbatim, checked to need no JSON escaping (a
     * known curve name, base64url), in RFC 7638's fixed order and form,
     * so two different keys share one only by a SHA-256 collision. The
     * members outside it (kid, alg, use) build nothing and cjose's import
     * reads none of them (not even a kid that is not a string); a private
     * member was refused above, per proof. The cache compares whole
     * thumbprints and only ever holds keys that verified a proof. */
    *jwk = mai_key_cache_get(keys, p, *tp);
    *cached = *jwk != NULL;
    if (*jwk == NULL) {
        *jwk = import_key(p, key);
    }
    return *jwk != NULL ? MAI_JOSE_OK : MAI_JOSE_BAD_KEY;
}

mai_jose_result_t mai_jws_verify_proof(apr_pool_t *p, const mai_jws_t *jws,
                                       unsigned algs, mai_key_cache_t *keys,
                                       const char **thumbprint_out)
{
    unsigned bit = mai_jose_alg_bit(jws->alg) & algs & MAI_JOSE_ASYMMETRIC;
    cjose_jwk_t *jwk = NULL;
    const char *tp = NULL;
    cjose_err err;
    proof_facts_t facts;
    mai_jose_result_t r;
    int cached = 0;

    *thumbprint_out = NULL;
    if (bit == 0 || jws->impl == NULL) {
        return MAI_JOSE_ALG;
    }
    r = proof_key(p, jws, keys, &jwk, &tp, &cached);
    if (r != MAI_JOSE_OK) {
        return r;
    }
    if (!(algs_of_key(jwk) & bit)) {
        /* an RSA key under 2048 bits fits no algorithm at all */
        return algs_of_key(jwk) == 0 ? MAI_JOSE_BAD_KEY : MAI_JOSE_ALG;
    }
    if (!cjose_jws_verify(jws->impl, jwk, &err)) {
        return MAI_JOSE_SIGNATURE;
    }
    if (!cached && keys != NULL) {
        /* from p's to the cache's: held for p until p is cleared; under
         * the header's text when it can be, so the next proof with this
         * header is not even read, else under the thumbprint */
        apr_pool_cleanup_kill(p, jwk, release_jwk);
        if (facts_of(jws, tp, &facts)) {
            mai_key_cache_put_info(keys, p, jws->proof_hdr, jwk, &facts);
        }
        else {
            mai_key_cache_put(keys, p, tp, jwk);
        }
    }
    *thumbprint_out = tp;
    return MAI_JOSE_OK;
}
