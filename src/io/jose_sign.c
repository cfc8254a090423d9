/* SPDX-License-Identifier: Apache-2.0 */
/* jose_sign.c: keys for RFC 7523 client assertions and the signing itself,
 * all through cjose (no hand-made signature). OpenSSL only reads PEM
 * files and hands the key's numbers to cjose; json-c only looks at a JWK
 * file's members before cjose imports it. */
#include <string.h>
#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_thread_mutex.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <cjose/cjose.h>
#include <json.h>
#include "jose_sign.h"
#include "client_assertion.h"

#define KEY_FILE_MAX (64 * 1024)
/* a reused assertion and what it was made for are kept in fixed buffers:
 * an RSA-4096 assertion with long URLs stays well below */
#define REUSE_MAX 4096

struct mai_sign_key {
    cjose_jwk_t *jwk;
    const char *alg;
    const char *kid;
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;
#endif
    /* AuthIntrospectClientAssertionReuse: the last assertion made */
    apr_time_t made;
    char made_for[REUSE_MAX];
    char made_jws[REUSE_MAX];
};

static apr_status_t release_jwk(void *data)
{
    mai_sign_key_t *k = data;

    if (k->jwk) {
        cjose_jwk_release(k->jwk);
        k->jwk = NULL;
    }
    return APR_SUCCESS;
}

static mai_sign_key_t *new_key(apr_pool_t *p, cjose_jwk_t *jwk)
{
    mai_sign_key_t *k = apr_pcalloc(p, sizeof(*k));

    k->jwk = jwk;
    apr_pool_cleanup_register(p, k, release_jwk, apr_pool_cleanup_null);
#if APR_HAS_THREADS
    apr_thread_mutex_create(&k->lock, APR_THREAD_MUTEX_DEFAULT, p);
#endif
    return k;
}

/* Private key material in a pool is wiped when the pool goes: the
 * loader's own short-lived pool, destroyed once cjose holds the key. */
typedef struct {
    void *buf;
    apr_size_t len;
} secret_buf_t;

static apr_status_t wipe(void *data)
{
    secret_buf_t *b = data;

    OPENSSL_cleanse(b->buf, b->len);
    return APR_SUCCESS;
}

static void *secret_alloc(apr_pool_t *p, apr_size_t len)
{
    secret_buf_t *b = apr_palloc(p, sizeof(*b));

    b->buf = apr_pcalloc(p, len);
    b->len = len;
    apr_pool_cleanup_register(p, b, wipe, apr_pool_cleanup_null);
    return b->buf;
}

static const char *read_file(apr_pool_t *p, const char *path, char **text,
                             apr_size_t *len)
{
    apr_file_t *f;
    char *buf = secret_alloc(p, KEY_FILE_MAX + 1);
    apr_size_t n = KEY_FILE_MAX;
    apr_status_t rv;

    rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_FPROT_OS_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "cannot open key file %s: %pm", path, &rv);
    }
    rv = apr_file_read_full(f, buf, n, &n);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        return apr_psprintf(p, "cannot read key file %s: %pm", path, &rv);
    }
    if (n == KEY_FILE_MAX) {
        return apr_psprintf(p, "key file %s is larger than %d bytes", path,
                            KEY_FILE_MAX);
    }
    *text = buf;
    *len = n;
    return NULL;
}

#define EDDSA_REFUSED "Ed25519 and Ed448 keys (EdDSA) cannot be used: " \
    "cjose 0.6 has no EdDSA; use an EC P-256 or an RSA key"

/* RFC 7638: SHA-256 over the required public members in lexical order,
 * base64url. The members are base64url text, so no escaping is needed. */
static const char *thumbprint(apr_pool_t *p, const char *canonical)
{
    unsigned char md[SHA256_DIGEST_LENGTH];

    SHA256((const unsigned char *)canonical, strlen(canonical), md);
    return mai_b64url(p, md, sizeof(md));
}

/* The big number as exactly `pad` bytes (0: its own length), in p, wiped
 * with p; NULL when the key lacks it. */
static unsigned char *bn_param(apr_pool_t *p, const EVP_PKEY *pk,
                               const char *name, int pad, size_t *len)
{
    BIGNUM *bn = NULL;
    unsigned char *out;
    int n;

    if (!EVP_PKEY_get_bn_param(pk, name, &bn)) {
        return NULL;
    }
    n = pad ? pad : BN_num_bytes(bn);
    out = secret_alloc(p, n + 1);
    if (BN_bn2binpad(bn, out, n) != n) {
        BN_clear_free(bn);
        return NULL;
    }
    BN_clear_free(bn);
    *len = (size_t)n;
    return out;
}

static const char *from_rsa(apr_pool_t *p, apr_pool_t *tmp,
                            const EVP_PKEY *pk,
                            mai_sign_key_t **out, const char **tp)
{
    cjose_jwk_rsa_keyspec s;
    cjose_jwk_t *jwk;
    cjose_err err;

    if (EVP_PKEY_get_bits(pk) < 2048) {
        return apr_psprintf(p, "RSA key of %d bits: 2048 at least",
                            EVP_PKEY_get_bits(pk));
    }
    memset(&s, 0, sizeof(s));
    s.n = bn_param(tmp, pk, OSSL_PKEY_PARAM_RSA_N, 0, &s.nlen);
    s.e = bn_param(tmp, pk, OSSL_PKEY_PARAM_RSA_E, 0, &s.elen);
    s.d = bn_param(tmp, pk, OSSL_PKEY_PARAM_RSA_D, 0, &s.dlen);
    s.p = bn_param(tmp, pk, OSSL_PKEY_PARAM_RSA_FACTOR1, 0, &s.plen);
    s.q = bn_param(tmp, pk, OSSL_PKEY_PARAM_RSA_FACTOR2, 0, &s.qlen);
    s.dp = bn_param(tmp, pk, OSSL_PKEY_PARAM_RSA_EXPONENT1, 0, &s.dplen);
    s.dq = bn_param(tmp, pk, OSSL_PKEY_PARAM_RSA_EXPONENT2, 0, &s.dqlen);
    s.qi = bn_param(tmp, pk, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, 0, &s.qilen);
    if (!s.n || !s.e || !s.d) {
        return "not an RSA private key";
    }
    jwk = cjose_jwk_create_RSA_spec(&s, &err);
    if (!jwk) {
        return apr_psprintf(p, "cjose refused the RSA key: %s",
                            err.message);
    }
    *out = new_key(p, jwk);
    (*out)->alg = "RS256";
    *tp = thumbprint(p, apr_pstrcat(p, "{\"e\":\"", mai_b64url(p, s.e, s.elen),
                                    "\",\"kty\":\"RSA\",\"n\":\"",
                                    mai_b64url(p, s.n, s.nlen), "\"}",
                                    NULL));
    return NULL;
}

static const char *from_ec(apr_pool_t *p, apr_pool_t *tmp,
                           const EVP_PKEY *pk,
                           mai_sign_key_t **out, const char **tp)
{
    cjose_jwk_ec_keyspec s;
    cjose_jwk_t *jwk;
    cjose_err err;
    char group[64];
    const char *crv, *alg;
    int nid, size;

    if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME,
                                        group, sizeof(group), NULL)) {
        return "EC key without a named curve";
    }
    nid = OBJ_txt2nid(group);
    if (nid == NID_X9_62_prime256v1) {
        crv = "P-256";
        alg = "ES256";
        size = 32;
    }
    else if (nid == NID_secp384r1) {
        crv = "P-384";
        alg = "ES384";
        size = 48;
    }
    else if (nid == NID_secp521r1) {
        crv = "P-521";
        alg = "ES512";
        size = 66;
    }
    else {
        return apr_psprintf(p, "EC curve %s: P-256, P-384 or P-521 only",
                            group);
    }
    memset(&s, 0, sizeof(s));
    s.crv = (cjose_jwk_ec_curve)nid;
    s.d = bn_param(tmp, pk, OSSL_PKEY_PARAM_PRIV_KEY, size, &s.dlen);
    s.x = bn_param(tmp, pk, OSSL_PKEY_PARAM_EC_PUB_X, size, &s.xlen);
    s.y = bn_param(tmp, pk, OSSL_PKEY_PARAM_EC_PUB_Y, size, &s.ylen);
    if (!s.d || !s.x || !s.y) {
        return "not an EC private key";
    }
    jwk = cjose_jwk_create_EC_spec(&s, &err);
    if (!jwk) {
        return apr_psprintf(p, "cjose refused the EC key: %s", err.message);
    }
    *out = new_key(p, jwk);
    (*out)->alg = alg;
    *tp = thumbprint(p, apr_pstrcat(p, "{\"crv\":\"", crv,
                                    "\",\"kty\":\"EC\",\"x\":\"",
                                    mai_b64url(p, s.x, s.xlen),
                                    "\",\"y\":\"",
                                    mai_b64url(p, s.y, s.ylen), "\"}",
                                    NULL));
    return NULL;
}

/* No passphrase prompt at startup: an encrypted key fails to load. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

static const char *from_pem(apr_pool_t *p, apr_pool_t *tmp, const char *text,
                            apr_size_t len,
                            mai_sign_key_t **out, const char **tp)
{
    BIO *bio = BIO_new_mem_buf(text, (int)len);
    EVP_PKEY *pk = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase,
                                                 NULL)
                       : NULL;
    const char *err;

    BIO_free(bio);
    if (!pk) {
        return strstr(text, "ENCRYPTED")
               ? "encrypted private keys are not supported (httpd reads "
                 "the key at startup, without a passphrase)"
               : "no PEM private key or JWK in the file";
    }
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA:
        err = from_rsa(p, tmp, pk, out, tp);
        break;
    case EVP_PKEY_EC:
        err = from_ec(p, tmp, pk, out, tp);
        break;
    case EVP_PKEY_ED25519:
    case EVP_PKEY_ED448:
        err = EDDSA_REFUSED;
        break;
    default:
        err = "not an RSA or EC private key (RSA-PSS-only keys included: "
              "use a plain RSA key)";
    }
    EVP_PKEY_free(pk);
    return err;
}

static const char *member(json_object *o, const char *name)
{
    json_object *v;

    return json_object_object_get_ex(o, name, &v)
           && json_object_is_type(v, json_type_string)
           ? json_object_get_string(v) : NULL;
}

/* The JWK's own alg when it fits the key, else the default for it. */
static const char *jwk_alg(apr_pool_t *p, const char *want, const char *def,
                           const char **alg)
{
    if (!want || !strcmp(want, def)
        || (!strcmp(def, "RS256") && !strcmp(want, "PS256"))) {
        /* a copy: want lives in the JSON object freed after loading */
        *alg = apr_pstrdup(p, want ? want : def);
        return NULL;
    }
    return apr_psprintf(p, "JWK alg %s does not fit the key (%s%s)", want,
                        def, strcmp(def, "RS256") ? "" : " or PS256");
}

static const char *from_jwk(apr_pool_t *p, const char *text, apr_size_t len,
                            mai_sign_key_t **out, const char **tp)
{
    json_object *o = json_tokener_parse(text);
    const char *kty, *crv, *err = NULL, *alg = NULL, *canonical = NULL;
    cjose_jwk_t *jwk;
    cjose_err cerr;

    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return "the file is not a JSON object (a JWK) nor PEM";
    }
    kty = member(o, "kty");
    crv = member(o, "crv");
    if (!kty) {
        err = "JWK without kty";
    }
    else if (!strcmp(kty, "OKP")) {
        err = EDDSA_REFUSED;
    }
    else if (!strcmp(kty, "oct")) {
        err = "a symmetric JWK: client_secret_jwt takes "
              "AuthIntrospectClientSecret";
    }
    else if (strcmp(kty, "RSA") && strcmp(kty, "EC")) {
        err = apr_psprintf(p, "JWK kty %s: RSA or EC only", kty);
    }
    else if (!member(o, "d")) {
        err = "the JWK has no private part (d)";
    }
    else if (!strcmp(kty, "RSA")) {
        canonical = apr_pstrcat(p, "{\"e\":\"", member(o, "e"),
                                "\",\"kty\":\"RSA\",\"n\":\"",
                                member(o, "n"), "\"}", NULL);
        err = jwk_alg(p, member(o, "alg"), "RS256", &alg);
    }
    else if (!crv || (strcmp(crv, "P-256") && strcmp(crv, "P-384")
                      && strcmp(crv, "P-521"))) {
        err = "JWK crv: P-256, P-384 or P-521 only";
    }
    else {
        canonical = apr_pstrcat(p, "{\"crv\":\"", crv,
                                "\",\"kty\":\"EC\",\"x\":\"",
                                member(o, "x"), "\",\"y\":\"",
                                member(o, "y"), "\"}", NULL);
        err = jwk_alg(p, member(o, "alg"),
                      !strcmp(crv, "P-256") ? "ES256"
                      : !strcmp(crv, "P-384") ? "ES384" : "ES512", &alg);
    }
    if (!err && (jwk = cjose_jwk_import(text, len, &cerr)) == NULL) {
        err = apr_psprintf(p, "cjose refused the JWK: %s", cerr.message);
    }
    if (!err && cjose_jwk_get_kty(jwk, &cerr) == CJOSE_JWK_KTY_RSA
        && cjose_jwk_get_keysize(jwk, &cerr) < 2048) {
        cjose_jwk_release(jwk);
        err = "RSA key shorter than 2048 bits";
    }
    if (!err) {
        *out = new_key(p, jwk);
        (*out)->alg = alg;
        *tp = member(o, "kid") ? apr_pstrdup(p, member(o, "kid"))
                               : thumbprint(p, canonical);
    }
    json_object_put(o);
    return err;
}

const char *mai_sign_key_load(apr_pool_t *p, const char *path,
                              const char *kid, mai_sign_key_t **out)
{
    char *text = NULL;
    apr_size_t len = 0;
    apr_pool_t *tmp;
    const char *err, *tp = NULL;

    apr_pool_create(&tmp, p);
    err = read_file(tmp, path, &text, &len);
    if (!err) {
        text += strspn(text, " \t\r\n");
        len = strlen(text);
        err = *text == '{' ? from_jwk(p, text, len, out, &tp)
                           : from_pem(p, tmp, text, len, out, &tp);
        err = err ? apr_psprintf(p, "key file %s: %s", path, err) : NULL;
    }
    else {
        err = apr_pstrdup(p, err);
    }
    apr_pool_destroy(tmp);
    if (err) {
        return err;
    }
    (*out)->kid = kid ? apr_pstrdup(p, kid) : tp;
    return NULL;
}

const char *mai_sign_key_hmac(apr_pool_t *p, const char *secret,
                              mai_sign_key_t **out)
{
    cjose_err err;
    cjose_jwk_t *jwk = cjose_jwk_create_oct_spec(
        (const uint8_t *)secret, strlen(secret), &err);

    if (!jwk) {
        return apr_psprintf(p, "cjose refused the client secret as an "
                            "HMAC key: %s", err.message);
    }
    *out = new_key(p, jwk);
    (*out)->alg = "HS256";
    return NULL;
}

const char *mai_sign_key_alg(const mai_sign_key_t *k)
{
    return k->alg;
}

const char *mai_sign_key_kid(const mai_sign_key_t *k)
{
    return k->kid;
}

const char *mai_sign_compact(apr_pool_t *p, const mai_sign_key_t *k,
                             const char *payload, apr_size_t len,
                             const char **compact)
{
    cjose_err err;
    cjose_header_t *h = cjose_header_new(&err);
    cjose_jws_t *jws = NULL;
    const char *ser = NULL, *why = NULL;

    if (!h || !cjose_header_set(h, CJOSE_HDR_ALG, k->alg, &err)
        || (k->kid && !cjose_header_set(h, CJOSE_HDR_KID, k->kid, &err))
        || !cjose_header_set(h, "typ", "JWT", &err)) {
        why = "cannot build the JWS header";
    }
    else if (!(jws = cjose_jws_sign(k->jwk, h, (const uint8_t *)payload,
                                    len, &err))
             || !cjose_jws_export(jws, &ser, &err)) {
        why = apr_psprintf(p, "cjose could not sign: %s", err.message);
    }
    else {
        *compact = apr_pstrdup(p, ser);
    }
    cjose_jws_release(jws);
    cjose_header_release(h);
    return why;
}

static const char *fresh(apr_pool_t *p, const mai_sign_key_t *k,
                         const mai_assertion_req_t *q, const char **out)
{
    unsigned char rnd[MAI_ASSERTION_JTI_BYTES];
    const char *claims;

    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        return "no random bytes for the jti";
    }
    claims = mai_client_assertion_claims(
        p, q->client_id, q->aud, q->aud2, mai_b64url(p, rnd, sizeof(rnd)),
        (apr_int64_t)apr_time_sec(apr_time_now()), MAI_ASSERTION_LIFE);
    if (!claims) {
        return "no client id or audience for the assertion";
    }
    return mai_sign_compact(p, k, claims, strlen(claims), out);
}

const char *mai_client_assertion(apr_pool_t *p, const mai_sign_key_t *k,
                                 const mai_assertion_req_t *q,
                                 const char **out)
{
    /* the cache lives in the key (read-only configuration otherwise),
     * under its lock */
    mai_sign_key_t *mk = (mai_sign_key_t *)k;
    const char *made_for, *err;
    apr_time_t now;

    if (q->reuse <= 0) {
        return fresh(p, k, q, out);
    }
    made_for = apr_pstrcat(p, q->client_id ? q->client_id : "", "\n",
                           q->aud ? q->aud : "", "\n",
                           q->aud2 ? q->aud2 : "", NULL);
    now = apr_time_now();
#if APR_HAS_THREADS
    apr_thread_mutex_lock(mk->lock);
#endif
    if (mk->made && now - mk->made < apr_time_from_sec(q->reuse)
        && now >= mk->made && !strcmp(mk->made_for, made_for)) {
        *out = apr_pstrdup(p, mk->made_jws);
        err = NULL;
    }
    else if (!(err = fresh(p, k, q, out)) && strlen(made_for) < REUSE_MAX
             && strlen(*out) < REUSE_MAX) {
        strcpy(mk->made_for, made_for);
        strcpy(mk->made_jws, *out);
        mk->made = now;
    }
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(mk->lock);
#endif
    return err;
}
