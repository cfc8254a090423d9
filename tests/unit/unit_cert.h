/* SPDX-License-Identifier: Apache-2.0 */
/* unit_cert.h: self-signed certificates made at test time, written as CA
 * files, for the IO tests. Included after unit.h (it asserts), so
 * everything is static. */
#ifndef MAI_UNIT_CERT_H
#define MAI_UNIT_CERT_H

#include <apr_file_io.h>
#include <apr_strings.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

/* ---- test certificates ---------------------------------------------- */

typedef struct {
    EVP_PKEY *key;
    X509 *cert;
    const char *pem_path;     /* the certificate as PEM, a CA file */
} cert_t;

/* A self-signed certificate for san (e.g. "IP:127.0.0.1"), written as PEM
 * to a temporary file deleted when p goes. */
static void make_cert(cert_t *c, apr_pool_t *p, const char *san,
                      long serial)
{
    X509_NAME *name;
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    apr_file_t *f = NULL;
    const char *tmp = NULL;
    char *path;
    BIO *bio = BIO_new(BIO_s_mem());
    char *pem;
    long len;

    c->key = EVP_EC_gen("P-256");
    c->cert = X509_new();
    assert_non_null(c->key);
    X509_set_version(c->cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c->cert), serial);
    X509_gmtime_adj(X509_getm_notBefore(c->cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(c->cert), 86400);
    X509_set_pubkey(c->cert, c->key);
    /* a CN that is no host name, so only the SAN can match */
    name = X509_get_subject_name(c->cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *)"mai test server",
                               -1, -1, 0);
    X509_set_issuer_name(c->cert, name);
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, c->cert, c->cert, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
    assert_non_null(ext);
    X509_add_ext(c->cert, ext, -1);
    X509_EXTENSION_free(ext);
    assert_true(X509_sign(c->cert, c->key, EVP_sha256()) > 0);
    PEM_write_bio_X509(bio, c->cert);
    len = BIO_get_mem_data(bio, &pem);
    assert_int_equal(apr_temp_dir_get(&tmp, p), APR_SUCCESS);
    path = apr_pstrcat(p, tmp, "/mai_test_certXXXXXX", NULL);
    assert_int_equal(apr_file_mktemp(&f, path, 0, p), APR_SUCCESS);
    assert_int_equal(apr_file_write_full(f, pem, (apr_size_t)len, NULL),
                     APR_SUCCESS);
    apr_file_flush(f);
    BIO_free(bio);
    c->pem_path = path;
}

/* The two certificates the TLS tests share, made once per test group:
 * "good" names 127.0.0.1 and localhost, "wrong" only other.example. */
static apr_pool_t *unit_certs_pool;
static cert_t good;
static cert_t wrong;

static inline int unit_certs_setup(void **state)
{
    apr_pool_create(&unit_certs_pool, NULL);
    make_cert(&good, unit_certs_pool, "IP:127.0.0.1,DNS:localhost", 1);
    make_cert(&wrong, unit_certs_pool, "DNS:other.example", 2);
    return 0;
}

static inline int unit_certs_teardown(void **state)
{
    X509_free(good.cert);
    EVP_PKEY_free(good.key);
    X509_free(wrong.cert);
    EVP_PKEY_free(wrong.key);
    apr_pool_destroy(unit_certs_pool);
    return 0;
}

#endif
