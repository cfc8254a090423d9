/* SPDX-License-Identifier: Apache-2.0 */
/* tls.c: verification is on unless the operator turns it off, and the
 * host name is checked by OpenSSL itself (SSL_set1_host / set1_ip_asc). */
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <apr_file_io.h>
#include "lex.h"
#include "tls.h"

struct mai_tls_ctx {
    SSL_CTX *ctx;
    int verify;
    apr_thread_mutex_t *lock;      /* guards session */
    SSL_SESSION *session;          /* last resumable session, or NULL */
};

static apr_status_t free_ctx(void *data)
{
    mai_tls_ctx_t *t = data;
    if (t->session) {
        SSL_SESSION_free(t->session);
        t->session = NULL;
    }
    SSL_CTX_free(t->ctx);
    return APR_SUCCESS;
}

static const char *ssl_err(apr_pool_t *p, const char *what)
{
    char buf[256];
    unsigned long e = ERR_get_error();
    ERR_error_string_n(e, buf, sizeof(buf));
    ERR_clear_error();
    return apr_psprintf(p, "%s: %s", what, e ? buf : "unknown error");
}

const char *mai_tls_ctx_create(apr_pool_t *p, const char *ca_file,
                               int verify, mai_tls_ctx_t **out)
{
    mai_tls_ctx_t *t = apr_pcalloc(p, sizeof(*t));

    t->ctx = SSL_CTX_new(TLS_client_method());
    if (!t->ctx) {
        return ssl_err(p, "cannot create a TLS context");
    }
    apr_pool_cleanup_register(p, t, free_ctx, apr_pool_cleanup_null);
    apr_thread_mutex_create(&t->lock, APR_THREAD_MUTEX_DEFAULT, p);
    SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
    /* a record in one read(), not its 5-byte header and then the rest:
     * one system call less an answer (http_client.c checks what is read
     * ahead past an answer) */
    SSL_CTX_set_read_ahead(t->ctx, 1);
    /* the client side keeps sessions itself (mai_tls_keep_session) */
    SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_CLIENT
                                   | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    t->verify = verify;
    if (verify) {
        SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
        if (ca_file) {
            if (!SSL_CTX_load_verify_locations(t->ctx, ca_file, NULL)) {
                return ssl_err(p, apr_psprintf(p, "cannot load CA file %s",
                                               ca_file));
            }
        }
        else if (!SSL_CTX_set_default_verify_paths(t->ctx)) {
            return ssl_err(p, "cannot load the system CA store");
        }
    }
    else {
        SSL_CTX_set_verify(t->ctx, SSL_VERIFY_NONE, NULL);
    }
    *out = t;
    return NULL;
}

mai_tls_ctx_t *mai_tls_ctx_share(apr_pool_t *p, mai_tls_ctx_t *base)
{
    mai_tls_ctx_t *t = apr_pcalloc(p, sizeof(*t));

    SSL_CTX_up_ref(base->ctx);
    t->ctx = base->ctx;
    t->verify = base->verify;
    apr_pool_cleanup_register(p, t, free_ctx, apr_pool_cleanup_null);
    apr_thread_mutex_create(&t->lock, APR_THREAD_MUTEX_DEFAULT, p);
    return t;
}

const char *mai_tls_check_ca_file(apr_pool_t *p, const char *path)
{
    apr_file_t *f;
    apr_status_t rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, p);
    STACK_OF(X509_INFO) *infos;
    BIO *bio;
    int i, certs = 0;

    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "cannot read CA file %s: %pm", path, &rv);
    }
    apr_file_close(f);
    /* the same reader SSL_CTX_load_verify_locations uses */
    bio = BIO_new_file(path, "r");
    infos = bio ? PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (!infos) {
        return ssl_err(p, apr_psprintf(p, "CA file %s is not valid PEM",
                                       path));
    }
    for (i = 0; i < sk_X509_INFO_num(infos); i++) {
        certs += sk_X509_INFO_value(infos, i)->x509 != NULL;
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    return certs ? NULL : apr_psprintf(p, "CA file %s holds no PEM "
                                       "certificate", path);
}

/* A passphrase-protected key would make OpenSSL prompt on the terminal
 * of a daemon: refuse it instead (the key is read unattended). */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    return 0;
}

/* The first certificate of cert_path and the key of key_path, or an error
 * naming the file; the caller frees what it got. */
static const char *read_pair(apr_pool_t *p, const char *cert_path,
                             const char *key_path, X509 **x, EVP_PKEY **k)
{
    apr_file_t *f;
    apr_status_t rv;
    BIO *bio;

    *x = NULL;
    *k = NULL;
    rv = apr_file_open(&f, cert_path, APR_FOPEN_READ, 0, p);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "cannot read certificate file %s: %pm",
                            cert_path, &rv);
    }
    apr_file_close(f);
    rv = apr_file_open(&f, key_path, APR_FOPEN_READ, 0, p);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "cannot read key file %s: %pm", key_path,
                            &rv);
    }
    apr_file_close(f);
    bio = BIO_new_file(cert_path, "r");
    *x = bio ? PEM_read_bio_X509(bio, NULL, no_passphrase, NULL) : NULL;
    BIO_free(bio);
    if (!*x) {
        return ssl_err(p, apr_psprintf(p, "certificate file %s holds no "
                                       "PEM certificate", cert_path));
    }
    bio = BIO_new_file(key_path, "r");
    *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)
             : NULL;
    BIO_free(bio);
    if (!*k) {
        /* the file name only: OpenSSL's reason never quotes the key */
        return ssl_err(p, apr_psprintf(p, "key file %s holds no PEM private "
                                       "key without a passphrase",
                                       key_path));
    }
    return NULL;
}

const char *mai_tls_check_client_cert(apr_pool_t *p, const char *cert_path,
                                      const char *key_path)
{
    X509 *x;
    EVP_PKEY *k;
    const char *err = read_pair(p, cert_path, key_path, &x, &k);

    if (!err && X509_check_private_key(x, k) != 1) {
        ERR_clear_error();
        err = apr_psprintf(p, "the key in %s is not the key of the "
                           "certificate in %s", key_path, cert_path);
    }
    X509_free(x);
    EVP_PKEY_free(k);
    return err;
}

const char *mai_tls_ctx_use_cert(apr_pool_t *p, mai_tls_ctx_t *t,
                                 const char *cert_path, const char *key_path)
{
    SSL_CTX_set_default_passwd_cb(t->ctx, no_passphrase);
    /* the chain file: the client's certificate, then any intermediates */
    if (SSL_CTX_use_certificate_chain_file(t->ctx, cert_path) != 1) {
        return ssl_err(p, apr_psprintf(p, "cannot load certificate file %s",
                                       cert_path));
    }
    if (SSL_CTX_use_PrivateKey_file(t->ctx, key_path, SSL_FILETYPE_PEM)
        != 1) {
        return ssl_err(p, apr_psprintf(p, "cannot load key file %s",
                                       key_path));
    }
    if (SSL_CTX_check_private_key(t->ctx) != 1) {
        ERR_clear_error();
        return apr_psprintf(p, "the key in %s is not the key of the "
                            "certificate in %s", key_path, cert_path);
    }
    return NULL;
}

SSL *mai_tls_new_ssl(mai_tls_ctx_t *t, const char *host)
{
    SSL *ssl = SSL_new(t->ctx);
    int ip = mai_lex_is_ip_literal(host), ok = 1;

    if (!ssl) {
        return NULL;
    }
    /* RFC 6066 section 3: SNI carries host names, never addresses */
    if (!ip) {
        ok = SSL_set_tlsext_host_name(ssl, host) == 1;
    }
    /* an ignored failure here would accept any trusted certificate,
     * whatever name it was issued for */
    if (ok && t->verify) {
        if (ip) {
            ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
                                               host) == 1;
        }
        else {
            SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            ok = SSL_set1_host(ssl, host) == 1;
        }
    }
    if (!ok) {
        SSL_free(ssl);
        return NULL;
    }
    apr_thread_mutex_lock(t->lock);
    if (t->session) {
        SSL_set_session(ssl, t->session);
    }
    apr_thread_mutex_unlock(t->lock);
    return ssl;
}

void mai_tls_keep_session(mai_tls_ctx_t *t, SSL *ssl)
{
    SSL_SESSION *s = SSL_get1_session(ssl);

    if (!s) {
        return;
    }
    if (!SSL_SESSION_is_resumable(s)) {
        SSL_SESSION_free(s);
        return;
    }
    apr_thread_mutex_lock(t->lock);
    if (t->session) {
        SSL_SESSION_free(t->session);
    }
    t->session = s;
    apr_thread_mutex_unlock(t->lock);
}

const char *mai_tls_error(apr_pool_t *p, SSL *ssl, int ret)
{
    long vr = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
    char buf[256];
    unsigned long e = ERR_get_error();

    ERR_clear_error();
    if (vr != X509_V_OK) {
        return apr_psprintf(p, "certificate verification failed: %s",
                            X509_verify_cert_error_string(vr));
    }
    if (e) {
        ERR_error_string_n(e, buf, sizeof(buf));
        return apr_pstrdup(p, buf);
    }
    return apr_psprintf(p, "TLS error %d",
                        ssl ? SSL_get_error(ssl, ret) : ret);
}

void mai_tls_init_process(void)
{
    OPENSSL_init_ssl(OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_LOAD_SSL_STRINGS
                     | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL);
}
