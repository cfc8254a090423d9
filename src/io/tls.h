/* SPDX-License-Identifier: Apache-2.0 */
/* tls.h: OpenSSL client contexts for the introspection endpoint. */
#ifndef MAI_TLS_H
#define MAI_TLS_H

#include <apr_pools.h>
#include <openssl/ssl.h>

typedef struct mai_tls_ctx mai_tls_ctx_t;

/**
 * A client context: TLS 1.2 or newer; with verify, the chain is checked
 * against ca_file (NULL = the system store) and, per connection, the host
 * name. The SSL_CTX is freed by a cleanup on p.
 * @return NULL, or an error message for the operator (from p).
 */
const char *mai_tls_ctx_create(apr_pool_t *p, const char *ca_file,
                               int verify, mai_tls_ctx_t **out);

/**
 * Another handle on base's SSL_CTX (CA file loaded once) with its own
 * session slot: endpoints on other hosts must never offer each other's
 * sessions, which would skip the certificate check on resumption.
 */
mai_tls_ctx_t *mai_tls_ctx_share(apr_pool_t *p, mai_tls_ctx_t *base);

/**
 * The CA file can be read and holds at least one PEM certificate.
 * @return NULL, or an error naming the file (from p).
 */
const char *mai_tls_check_ca_file(apr_pool_t *p, const char *path);

/**
 * AuthIntrospectClientCert's files, checked when the directive is read:
 * both readable, a PEM certificate in cert_path, a PEM private key
 * without a passphrase in key_path, and that key the certificate's.
 * @return NULL, or an error naming the file (never the key's content).
 */
const char *mai_tls_check_client_cert(apr_pool_t *p, const char *cert_path,
                                      const char *key_path);

/**
 * Present this certificate (chain) and key on every connection made with
 * t (RFC 8705 mutual TLS). At startup, as root: the key stays in memory,
 * the children never read the file.
 * @return NULL, or an error naming the file.
 */
const char *mai_tls_ctx_use_cert(apr_pool_t *p, mai_tls_ctx_t *t,
                                 const char *cert_path, const char *key_path);

/**
 * A new SSL for one connection to host: SNI (for names, not addresses),
 * host name or IP verification, and the last session for resumption.
 * The caller frees it with SSL_free. NULL when any of these cannot be
 * set (the OpenSSL error queue says why): the call must then fail.
 */
SSL *mai_tls_new_ssl(mai_tls_ctx_t *ctx, const char *host);

/** Keep ssl's session for the next connection (resumption). Thread-safe. */
void mai_tls_keep_session(mai_tls_ctx_t *ctx, SSL *ssl);

/** Text of the last OpenSSL error on this thread, for logs (from p). */
const char *mai_tls_error(apr_pool_t *p, SSL *ssl, int ret);

/** Initialise OpenSSL without its exit handler, before anything else in
 * the process uses it (mod_ssl does the same): at exit a child's worker
 * threads and pool cleanups may still touch TLS and hash contexts, which
 * OpenSSL's own atexit clean-up would already have freed. */
void mai_tls_init_process(void);

#endif
