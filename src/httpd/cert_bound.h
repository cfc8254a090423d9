/* SPDX-License-Identifier: Apache-2.0 */
/* cert_bound.h: certificate-bound access tokens at the resource (RFC 8705
 * section 3): the certificate the request came with, from mod_ssl or a
 * trusted front end's header, against the answer's cnf."x5t#S256". */
#ifndef MAI_CERT_BOUND_H
#define MAI_CERT_BOUND_H

#include <httpd.h>
#include "result.h"
#include "status.h"

/** In register_hooks: find mod_ssl's ssl_var_lookup once modules are
 * loaded (optional: without mod_ssl no request has a certificate). */
void mai_cert_bound_register(void);

/**
 * MAI_OK when res names no certificate thumbprint, or names the one of
 * the certificate r came with: from AuthIntrospectClientCertHeader when
 * r's server sets it, else from mod_ssl (SSL_CLIENT_CERT of the
 * connection, the same for subrequests and internal redirects).
 * NO_CLIENT_CERT or CERT_MISMATCH otherwise, with a log line that says
 * where the certificate was looked for.
 */
mai_status_t mai_cert_bound_check(request_rec *r, const mai_result_t *res,
                                  const char *token_id);

#endif
