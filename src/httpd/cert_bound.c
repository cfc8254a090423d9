/* SPDX-License-Identifier: Apache-2.0 */
/* cert_bound.c: where the client certificate comes from. mod_ssl knows
 * it for a TLS connection it terminated; behind a TLS-terminating front
 * end only a header can carry it, and only the operator can say that the
 * front end sets that header and strips it from clients: so the header
 * is read only where AuthIntrospectClientCertHeader names it, and then it
 * is the only source (the front end's own connection may carry a client
 * certificate of its own). */
#include "mai_private.h"
#include <apr_optional.h>
#include <mod_ssl.h>
#include "cert_bound.h"
#include "cert_bind.h"

static APR_OPTIONAL_FN_TYPE(ssl_var_lookup) *var_lookup;

static void retrieve(void)
{
    var_lookup = APR_RETRIEVE_OPTIONAL_FN(ssl_var_lookup);
}

void mai_cert_bound_register(void)
{
    ap_hook_optional_fn_retrieve(retrieve, NULL, NULL, APR_HOOK_MIDDLE);
}

static int count_one(void *n, const char *key, const char *value)
{
    (*(int *)n)++;
    return 1;
}

/* The header's value when it is there once; two copies mean a client
 * added one that the front end did not replace: neither is trusted. */
static const char *from_header(request_rec *r, const char *name,
                               const char **why)
{
    int n = 0;

    apr_table_do(count_one, &n, r->headers_in, name, NULL);
    *why = n ? "more than one " : "no ";
    return n == 1 ? apr_table_get(r->headers_in, name) : NULL;
}

mai_status_t mai_cert_bound_check(request_rec *r, const mai_result_t *res,
                                  const char *token_id)
{
    const char *x5t = mai_cert_bind_x5t(res), *text = NULL, *thumb = NULL;
    const char *header, *why = "no ";
    request_rec *first = r;
    mai_server_conf_t *sc;
    mai_status_t s;

    if (!x5t) {
        return MAI_OK;
    }
    /* a subrequest's or internal redirect's headers and connection are
     * those of the request the client sent */
    while (first->main || first->prev) {
        first = first->main ? first->main : first->prev;
    }
    sc = ap_get_module_config(r->server->module_config,
                              &auth_introspect_module);
    header = mai_conf_client_cert_header(sc);
    if (header) {
        text = from_header(first, header, &why);
    }
    else if (var_lookup) {
        text = var_lookup(r->pool, r->server, first->connection, first,
                          "SSL_CLIENT_CERT");
    }
    if (text && *text) {
        thumb = mai_cert_thumbprint(r->pool, text);
        why = "an unreadable ";
    }
    s = mai_cert_bind_check(x5t, thumb);
    if (s == MAI_STATUS_NO_CLIENT_CERT) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01801)
                      "token %s: bound to a client certificate "
                      "(x5t#S256 %s); the request has %sclient "
                      "certificate %s%s", token_id, x5t, why,
                      header ? "in the header " : "from mod_ssl",
                      header ? header : (var_lookup ? "" : " (not loaded)"));
    }
    else if (s == MAI_STATUS_CERT_MISMATCH) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01802)
                      "token %s: bound to the client certificate with "
                      "x5t#S256 %s; the request's (%s%s) is %s",
                      token_id, x5t, header ? "header " : "mod_ssl",
                      header ? header : "", thumb);
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(01803)
                      "token %s: bound to the client certificate the "
                      "request came with (x5t#S256 %s)", token_id, x5t);
    }
    return s;
}
