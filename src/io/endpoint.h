/* SPDX-License-Identifier: Apache-2.0 */
/* endpoint.h: admission to an introspection endpoint: the registry set up
 * at startup, the per-endpoint call slots (MaxInflight) and breaker. */
#ifndef MAI_ENDPOINT_H
#define MAI_ENDPOINT_H

#include <apr_pools.h>
#include <apr_time.h>
#include "status.h"
#include "url.h"
#include "log.h"
#include "config.h"
#include "http_client.h"

typedef struct mai_endpoint mai_endpoint_t;
typedef struct mai_endpoints mai_endpoints_t;

typedef struct mai_endpoint_limits {
    int max_idle;                   /* pooled idle connections */
    apr_interval_time_t idle_timeout;
    int max_inflight;               /* concurrent calls */
    int breaker_failures;           /* failures in a row that open it */
    apr_interval_time_t breaker_open;
} mai_endpoint_limits_t;

/** The limits sc's directives (or config.c's defaults) give every
 * endpoint: the one place they are read for endpoints. */
void mai_endpoint_limits_from_conf(const mai_server_conf_t *sc,
                                   mai_endpoint_limits_t *out);

/** The registry of endpoints, living in p. Filled at startup in the
 * parent (as root: CA files are read there), inherited by the children,
 * which only look endpoints up; each child keeps its own connections,
 * call slots and breaker in its copy. The limits apply to every
 * endpoint. */
mai_endpoints_t *mai_endpoints_create(apr_pool_t *p,
                                      const mai_endpoint_limits_t *limits);

/**
 * Set up the endpoint for url with these TLS settings, reached through
 * proxy (NULL: directly), unless there is one: its TLS context (the CA
 * file is read now, once per file and setting, shared by every endpoint
 * using it, each endpoint with its own session slot) and connection
 * pool. The same URL through another proxy, or the same proxy with other
 * credentials, is another endpoint, with its own connections and
 * breaker. For startup only: not thread-safe.
 * @return NULL, or an error message for the operator (from p).
 */
const char *mai_endpoints_add(mai_endpoints_t *reg, apr_pool_t *p,
                              const char *url_text, const mai_url_t *url,
                              const char *ca_file, int verify,
                              const mai_proxy_t *proxy);

/** A client certificate and its key (PEM files, AuthIntrospectClientCert)
 * presented to the endpoint; cert_file NULL: none. */
typedef struct mai_client_cert {
    const char *cert_file;
    const char *key_file;
} mai_client_cert_t;

/**
 * mai_endpoints_add with a client identity: cert (NULL or cert_file NULL:
 * none) is part of the endpoint's identity, like the CA file. The same
 * https URL with another certificate, or none, is another endpoint with
 * its own TLS context (the certificate and key loaded now), connections,
 * session slot and breaker; a plain http URL ignores it.
 */
const char *mai_endpoints_add_cert(mai_endpoints_t *reg, apr_pool_t *p,
                                   const char *url_text,
                                   const mai_url_t *url,
                                   const char *ca_file, int verify,
                                   const mai_proxy_t *proxy,
                                   const mai_client_cert_t *cert);

/** mai_endpoints_find for the endpoint set up with this certificate. */
mai_endpoint_t *mai_endpoints_find_cert(const mai_endpoints_t *reg,
                                        const char *url_text,
                                        const char *ca_file, int verify,
                                        const mai_proxy_t *proxy,
                                        const mai_client_cert_t *cert);

/** The endpoint set up for these settings, or NULL. Allocates nothing,
 * takes no lock (the registry no longer changes). */
mai_endpoint_t *mai_endpoints_find(const mai_endpoints_t *reg,
                                   const char *url_text, const char *ca_file,
                                   int verify, const mai_proxy_t *proxy);

/**
 * Before a call: the circuit breaker must allow it (else
 * MAI_STATUS_BREAKER_OPEN and *retry_after set) and a call slot must free
 * up before the deadline (else MAI_STATUS_OVERLOADED). On MAI_OK the
 * caller must call mai_endpoint_leave.
 */
mai_status_t mai_endpoint_enter(mai_endpoint_t *ep, apr_time_t deadline,
                                apr_interval_time_t *retry_after);

/** After a call: frees the slot and tells the breaker how it went
 * (`failed`: the endpoint gave no usable answer). */
void mai_endpoint_leave(mai_endpoint_t *ep, int failed,
                        const mai_log_sink_t *log);

/** What mai_http_post needs to reach the endpoint: its URL, TLS context
 * and idle connections. Lives as long as the registry. */
const mai_http_target_t *mai_endpoint_target(const mai_endpoint_t *ep);

/** Every endpoint of the registry, for the metrics set-up (startup only:
 * not thread-safe). */
void mai_endpoints_each(mai_endpoints_t *reg,
                       void (*fn)(void *baton, mai_endpoint_t *ep),
                       void *baton);

/** The endpoint's metrics id (metrics.c), -1 until one is set. */
void mai_endpoint_set_metrics_id(mai_endpoint_t *ep, int id);
int mai_endpoint_metrics_id(const mai_endpoint_t *ep);

/**
 * A new endpoint for url (one an authorization server's metadata named,
 * so not set up at startup) with base's TLS settings and proxy: the TLS
 * context set up at startup for them is shared (the CA file is read again
 * only when base is plain http and url is https). Its own connections,
 * call slots and breaker, in p. Not registered: the caller keeps it, and
 * serializes calls (p is not thread-safe).
 * @return NULL, or an error message (from p).
 */
const char *mai_endpoints_derive(const mai_endpoints_t *reg, apr_pool_t *p,
                                 const mai_endpoint_t *base,
                                 const mai_url_t *url, mai_endpoint_t **out);

/** At startup: the "Authorization: Basic" line for these credentials
 * (the configuration's own strings; secret NULL: empty), made once so a
 * call does not encode them again. Not thread-safe. */
void mai_endpoints_add_basic(mai_endpoints_t *reg, const char *id,
                             const char *secret);

/** The line made at startup for exactly these strings (by address: a
 * request's settings hold its sections' own pointers), or NULL: then the
 * caller makes it. Read-only, so safe in any thread. */
const char *mai_endpoint_basic_header(const mai_endpoint_t *ep,
                                      const char *id, const char *secret);

/** The client certificate the endpoint presents (cert_file NULL: none). */
const mai_client_cert_t *mai_endpoint_client_cert(const mai_endpoint_t *ep);

/** The TLS settings the endpoint was set up with. */
const char *mai_endpoint_ca_file(const mai_endpoint_t *ep);
int mai_endpoint_verify(const mai_endpoint_t *ep);

#endif
