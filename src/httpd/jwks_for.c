/* SPDX-License-Identifier: Apache-2.0 */
/* jwks_for.c: which JWK set a location uses, and through which endpoint
 * (set up at startup, like the introspection endpoint: same TLS rules). */
#include "mai_private.h"
#include "jwks_for.h"
#include "jwks.h"
#include "discovery.h"
#include "endpoint.h"
#include "httpd_log.h"
#include "config_values.h"

static mai_endpoint_t *set_up(request_rec *r, const mai_dir_conf_t *c,
                              const char *url)
{
    mai_endpoint_t *ep = mai_endpoints_find(
        mai_proc.endpoints, url, mai_conf_tls_ca_file(c),
        mai_conf_tls_verify(c),
        mai_conf_proxy(ap_get_module_config(r->server->module_config,
                                            &auth_introspect_module)));

    if (!ep) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01604)
                      "no endpoint was set up at startup for the JWK set "
                      "or metadata URL %s with AuthIntrospectTLSCAFile %s "
                      "and TLSVerify %s", url,
                      mai_conf_tls_ca_file(c)
                      ? mai_conf_tls_ca_file(c) : "(system store)",
                      mai_conf_tls_verify(c) ? "On" : "Off");
    }
    return ep;
}

/* The request for this location's set: its endpoint, through discovery
 * when only a metadata URL names it. */
static mai_status_t req_of(request_rec *r, const mai_dir_conf_t *c,
                           mai_jwks_req_t *q,
                           apr_interval_time_t *retry_after)
{
    mai_discovery_req_t dq;

    *retry_after = 0;
    q->refresh = mai_conf_metadata_refresh(c);
    q->refetch = mai_conf_jwks_refetch(c);
    q->timeout = mai_conf_timeout(c);
    q->connect_timeout = mai_conf_connect_timeout(c);
    /* an explicit AuthIntrospectJWKS wins over the metadata's jwks_uri */
    if (mai_conf_jwks_text(c)) {
        q->endpoint = set_up(r, c, mai_conf_jwks_text(c));
        return q->endpoint ? MAI_OK : MAI_STATUS_INTERNAL;
    }
    if (!mai_conf_metadata_text(c)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01605)
                      "this location needs the authorization server's JWK "
                      "set: set AuthIntrospectJWKS or "
                      "AuthIntrospectMetadataURL");
        return MAI_STATUS_INTERNAL;
    }
    dq.metadata = set_up(r, c, mai_conf_metadata_text(c));
    if (!dq.metadata) {
        return MAI_STATUS_INTERNAL;
    }
    dq.issuer = mai_conf_metadata_issuer(c);
    dq.client_auth = mai_cv_client_auth_name(mai_conf_client_auth(c));
    dq.refresh = mai_conf_metadata_refresh(c);
    dq.timeout = q->timeout;
    dq.connect_timeout = q->connect_timeout;
    return mai_discovery_jwks(mai_proc.discovery, r->pool, &dq,
                              mai_httpd_log_request(r), &q->endpoint,
                              retry_after);
}

mai_status_t mai_jwks_for(request_rec *r, const mai_dir_conf_t *c,
                          const mai_jwks_t **keys,
                          apr_interval_time_t *retry_after)
{
    mai_jwks_req_t q;
    mai_status_t s = req_of(r, c, &q, retry_after);

    *keys = NULL;
    if (s != MAI_OK) {
        return s;
    }
    return mai_jwks_get(mai_proc.jwks, r->pool, &q,
                        mai_httpd_log_request(r), keys, retry_after);
}

mai_status_t mai_jwks_unknown_kid(request_rec *r, const mai_dir_conf_t *c,
                                  const mai_jwks_t **keys,
                                  apr_interval_time_t *retry_after)
{
    mai_jwks_req_t q;
    mai_status_t s = req_of(r, c, &q, retry_after);

    *keys = NULL;
    if (s != MAI_OK) {
        return s;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MAI_LOGNO(01606)
                  "a JWS names a kid the JWK set does not hold: fetching "
                  "the set again (at most once per %" APR_TIME_T_FMT " s)",
                  apr_time_sec(q.refetch));
    return mai_jwks_refetch(mai_proc.jwks, r->pool, &q,
                            mai_httpd_log_request(r), keys, retry_after);
}
