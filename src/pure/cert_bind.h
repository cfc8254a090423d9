/* SPDX-License-Identifier: Apache-2.0 */
/* cert_bind.h: certificate-bound access tokens (RFC 8705 section 3): the
 * thumbprint the answer's cnf names, and the one of the certificate the
 * client presented, from mod_ssl or a trusted front end's header. Pure. */
#ifndef MAI_CERT_BIND_H
#define MAI_CERT_BIND_H

#include <apr_pools.h>
#include "result.h"
#include "status.h"

/** The cnf member this file checks (result.c lets it through). */
#define MAI_CNF_X5T_S256 "x5t#S256"

/** The answer's cnf."x5t#S256" when it is a string, else NULL (result.c
 * refuses a cnf whose x5t#S256 is anything but a string). */
const char *mai_cert_bind_x5t(const mai_result_t *res);

/**
 * The RFC 8705 thumbprint (base64url without padding of the SHA-256 of
 * the DER) of one certificate given as text, from p, or NULL when the
 * text is none of:
 *  - PEM: "-----BEGIN CERTIFICATE-----", base64, "-----END
 *    CERTIFICATE-----"; line breaks, spaces or tabs anywhere between
 *    (mod_ssl's SSL_CLIENT_CERT has line breaks; mod_headers turns them
 *    into spaces when it forwards the variable); anything after the END
 *    line (a chain) is ignored;
 *  - that PEM percent-encoded (nginx's $ssl_client_escaped_cert,
 *    Traefik, Envoy): told by a "%" in the text; "+" stays "+";
 *  - the base64 of the DER alone, with or without white space.
 * The base64 must be canonical (only its alphabet, "=" padding at the
 * end, a length that is a multiple of 4).
 */
const char *mai_cert_thumbprint(apr_pool_t *p, const char *text);

/**
 * The binding rule for an answer that names x5t (not NULL): NO_CLIENT_CERT
 * when cert_thumbprint is NULL (no certificate, or one that could not be
 * read), CERT_MISMATCH when it differs (compared in constant time), MAI_OK
 * when it is the same.
 */
mai_status_t mai_cert_bind_check(const char *x5t,
                                 const char *cert_thumbprint);

#endif
