/* SPDX-License-Identifier: Apache-2.0 */
/* endpoint_setup.c: every endpoint a request can use is set up once, at
 * startup, in the parent (as root: CA files and client keys are read
 * here, not by a child on its first request, and a failure stops startup
 * instead of costing every request). AuthIntrospectEndpoint, TLSCAFile,
 * TLSVerify and ClientCert cannot be set in .htaccess, so the parsed
 * sections hold every value.
 *
 * A request's settings are a merge of its sections: the endpoint may come
 * from a <Location>, the CA file from a <Directory>. So per server, every
 * endpoint URL is set up with every CA file, TLSVerify value and client
 * certificate (and none) that server's sections name (most configurations
 * name one of each). */
#include "mai_private.h"
#include <apr_hash.h>
#include <apr_strings.h>
#include <mod_proxy.h>
#include "endpoint.h"
#include "endpoint_setup.h"

#define PROXY_SECTIONS "mai_proxy_sections"

/* The values one server's sections name. */
typedef struct {
    apr_pool_t *p;
    apr_hash_t *urls;          /* URL text -> its parsed mai_url_t: the
                                * endpoints' and the metadata URLs */
    apr_hash_t *cas;           /* CA file -> itself */
    int system_ca;             /* the system store is reachable */
    int verify[2];             /* TLSVerify Off / On is reachable */
    apr_hash_t *certs;         /* "cert\nkey" -> mai_client_cert_t: the
                                * AuthIntrospectClientCert pairs named */
    apr_hash_t *ids;           /* AuthIntrospectClientID strings, and */
    apr_hash_t *secrets;       /* ClientSecret ones, by address */
    const mai_dir_conf_t *server;  /* the server's own settings */
    const char *err;           /* the first misconfiguration seen */
    const char *no_cert;       /* a section with tls_client_auth and no
                                * certificate, which is an error only
                                * when no section names one (an
                                * enclosing section may give it) */
} values_t;

typedef struct {
    server_rec *s;
    ap_conf_vector_t *section;
} proxy_section_t;

/* A section's settings over the server's own: what a request there gets
 * unless another section adds to them (lookup.c checks that case). */
static const char *check_tls_auth(values_t *v, const mai_dir_conf_t *dc)
{
    const mai_dir_conf_t *eff = v->server && dc != v->server
                                ? mai_dir_conf_merge(v->p, v->server, dc)
                                : dc;
    const mai_url_t *url = mai_conf_endpoint(eff)
                           ? mai_conf_endpoint(eff)
                           : mai_conf_metadata_url(eff);
    const char *name = mai_cv_client_auth_name(mai_conf_client_auth(eff));

    if (!MAI_AUTH_IS_TLS(mai_conf_client_auth(eff))) {
        return NULL;
    }
    if (!mai_conf_client_cert(eff) && !v->no_cert) {
        v->no_cert = apr_psprintf(v->p, "AuthIntrospectClientAuth %s needs "
                                  "AuthIntrospectClientCert", name);
    }
    if (url && !url->tls) {
        return apr_psprintf(v->p, "AuthIntrospectClientAuth %s needs an "
                            "https endpoint, not %s", name,
                            mai_conf_endpoint(eff)
                            ? mai_conf_endpoint_text(eff)
                            : mai_conf_metadata_text(eff));
    }
    return NULL;
}

/* A configuration string in set h, by its address. */
static void remember(apr_pool_t *p, apr_hash_t *h, const char *s)
{
    const char **k;

    if (s) {
        k = apr_palloc(p, sizeof(*k));
        *k = s;
        apr_hash_set(h, k, sizeof(*k), s);
    }
}

/* `defaults`: the server's own settings, whose values (set or default)
 * apply wherever no section sets another. */
static void note(void *baton, const mai_dir_conf_t *dc, int defaults)
{
    values_t *v = baton;
    const char *ca;
    int verify;
    mai_client_cert_t *cert;

    if (!dc) {
        /* no directive of ours in this section; the server's own
         * settings are then all defaults (httpd makes one anyway) */
        v->system_ca |= defaults;
        v->verify[1] |= defaults;
        return;
    }
    if (defaults) {
        v->server = dc;
    }
    if (!v->err) {
        v->err = check_tls_auth(v, dc);
    }
    if (mai_conf_client_cert(dc)) {
        cert = apr_pcalloc(v->p, sizeof(*cert));
        cert->cert_file = mai_conf_client_cert(dc);
        cert->key_file = mai_conf_client_cert_key(dc);
        apr_hash_set(v->certs, apr_pstrcat(v->p, cert->cert_file, "\n",
                                           cert->key_file, NULL),
                     APR_HASH_KEY_STRING, cert);
    }
    remember(v->p, v->ids, mai_conf_client_id(dc));
    remember(v->p, v->secrets, mai_conf_client_secret(dc));
    if (mai_conf_endpoint_text(dc)) {
        apr_hash_set(v->urls, mai_conf_endpoint_text(dc),
                     APR_HASH_KEY_STRING, mai_conf_endpoint(dc));
    }
    /* discovery (RFC 8414) fetches through an endpoint set up here */
    if (mai_conf_metadata_text(dc)) {
        apr_hash_set(v->urls, mai_conf_metadata_text(dc),
                     APR_HASH_KEY_STRING, mai_conf_metadata_url(dc));
    }
    /* and so does the JWK set (jwks.c) */
    if (mai_conf_jwks_text(dc)) {
        apr_hash_set(v->urls, mai_conf_jwks_text(dc), APR_HASH_KEY_STRING,
                     mai_conf_jwks_url(dc));
    }
    ca = mai_conf_tls_ca_file(dc);
    if (ca) {
        apr_hash_set(v->cas, ca, APR_HASH_KEY_STRING, ca);
    }
    else if (defaults) {
        v->system_ca = 1;
    }
    verify = defaults ? mai_conf_tls_verify(dc) : mai_conf_tls_verify_own(dc);
    if (verify >= 0) {
        v->verify[verify ? 1 : 0] = 1;
    }
}

/* What a walk calls for each section. */
typedef struct {
    mai_section_fn *fn;
    void *baton;
} walker_t;

static void walk_sections(walker_t *w, const apr_array_header_t *a);

/* A section, and the <Files> and <If> sections nested in it. */
static void walk_one(walker_t *w, ap_conf_vector_t *section, int defaults)
{
    core_dir_config *core = ap_get_core_module_config(section);

    w->fn(w->baton, ap_get_module_config(section, &auth_introspect_module),
          defaults);
    if (core) {
        walk_sections(w, core->sec_file);
        walk_sections(w, core->sec_if);
    }
}

static void walk_sections(walker_t *w, const apr_array_header_t *a)
{
    int i;

    for (i = 0; a && i < a->nelts; i++) {
        walk_one(w, APR_ARRAY_IDX(a, i, ap_conf_vector_t *), 0);
    }
}

/* mod_proxy hands us each <Proxy> section of each server (its own
 * post_config runs before ours); they are walked with that server's. */
static int proxy_section(apr_pool_t *p, apr_pool_t *plog, apr_pool_t *ptemp,
                         server_rec *s, ap_conf_vector_t *section)
{
    apr_array_header_t *list = NULL;

    apr_pool_userdata_get((void **)&list, PROXY_SECTIONS, p);
    if (!list) {
        list = apr_array_make(p, 4, sizeof(proxy_section_t));
        apr_pool_userdata_set(list, PROXY_SECTIONS, apr_pool_cleanup_null,
                              p);
    }
    APR_ARRAY_PUSH(list, proxy_section_t).s = s;
    APR_ARRAY_IDX(list, list->nelts - 1, proxy_section_t).section = section;
    return OK;
}

void mai_endpoint_setup_register(void)
{
    APR_OPTIONAL_HOOK(proxy, section_post_config, proxy_section, NULL, NULL,
                      APR_HOOK_MIDDLE);
}

void mai_sections_walk(apr_pool_t *pconf, server_rec *s, mai_section_fn *fn,
                       void *baton)
{
    core_server_config *core = ap_get_core_module_config(s->module_config);
    apr_array_header_t *proxies = NULL;
    walker_t w;
    int i;

    w.fn = fn;
    w.baton = baton;
    walk_one(&w, s->lookup_defaults, 1);
    /* a virtual host's arrays hold the main server's sections too */
    walk_sections(&w, core->sec_dir);
    walk_sections(&w, core->sec_url);
    apr_pool_userdata_get((void **)&proxies, PROXY_SECTIONS, pconf);
    for (i = 0; proxies && i < proxies->nelts; i++) {
        proxy_section_t *ps = &APR_ARRAY_IDX(proxies, i, proxy_section_t);
        if (ps->s == s) {
            walk_one(&w, ps->section, 0);
        }
    }
}

/* Plain http to a loopback endpoint through a proxy elsewhere crosses
 * the network all the same. */
static const char *insecure_via_proxy(values_t *v, const mai_url_t *url,
                                      const mai_proxy_t *px, int allow)
{
    if (!px || url->tls || allow
        || mai_url_is_loopback_host(px->url->host)) {
        return NULL;
    }
    return apr_psprintf(v->p, "plain http through the proxy %s, which is "
                        "not on loopback, sends tokens and the client "
                        "secret in clear; use https:// or set "
                        "AuthIntrospectAllowInsecureHTTP On",
                        px->url->authority);
}

/* One URL and TLS setting with no client certificate and with each one
 * named (https only: plain http has no TLS to present it on). */
static const char *add_each_cert(mai_endpoints_t *reg, values_t *v,
                                 const char *text, const mai_url_t *url,
                                 const char *ca, int verify,
                                 const mai_proxy_t *px)
{
    apr_hash_index_t *i;
    const char *err = mai_endpoints_add(reg, v->p, text, url, ca, verify,
                                        px);

    for (i = apr_hash_first(v->p, v->certs); i && !err && url->tls;
         i = apr_hash_next(i)) {
        err = mai_endpoints_add_cert(reg, v->p, text, url, ca, verify, px,
                                     apr_hash_this_val(i));
    }
    return err;
}

/* Every URL of this server with every reachable TLS setting and client
 * certificate, through this server's proxy. */
static const char *add_all(mai_endpoints_t *reg, values_t *v,
                           const mai_proxy_t *px, int allow_insecure)
{
    apr_hash_index_t *u, *c;
    int verify;

    for (u = apr_hash_first(v->p, v->urls); u; u = apr_hash_next(u)) {
        const mai_url_t *url = apr_hash_this_val(u);
        const char *text = apr_hash_this_key(u), *err;

        err = insecure_via_proxy(v, url, px,
                                 allow_insecure);
        if (err) {
            return apr_psprintf(v->p, "introspection endpoint %s: %s",
                                text, err);
        }

        for (verify = 0; verify < 2; verify++) {
            if (!v->verify[verify]) {
                continue;
            }
            err = v->system_ca || !verify
                  ? add_each_cert(reg, v, text, url, NULL, verify, px)
                  : NULL;
            for (c = apr_hash_first(v->p, v->cas); c && !err && verify;
                 c = apr_hash_next(c)) {
                err = add_each_cert(reg, v, text, url, apr_hash_this_val(c),
                                    verify, px);
            }
            if (err) {
                return apr_psprintf(v->p, "introspection endpoint %s: %s",
                                    text, err);
            }
        }
    }
    return NULL;
}

/* The Basic credentials line for every client id with every secret (or
 * none) this server's sections name, so that a call finds it made
 * (introspect.c). A request's id and secret can come from different
 * sections, hence every pair; far more pairs than any real configuration
 * has are left to be made per call. */
#define MAX_BASIC_PAIRS 256

static void add_basic(mai_endpoints_t *reg, values_t *v)
{
    apr_hash_index_t *i, *j;

    if (apr_hash_count(v->ids) * (apr_hash_count(v->secrets) + 1)
        > MAX_BASIC_PAIRS) {
        return;
    }
    for (i = apr_hash_first(v->p, v->ids); i; i = apr_hash_next(i)) {
        mai_endpoints_add_basic(reg, apr_hash_this_val(i), NULL);
        for (j = apr_hash_first(v->p, v->secrets); j; j = apr_hash_next(j)) {
            mai_endpoints_add_basic(reg, apr_hash_this_val(i),
                                    apr_hash_this_val(j));
        }
    }
}

const char *mai_endpoint_setup(apr_pool_t *pconf, apr_pool_t *ptemp,
                               server_rec *main_s, mai_endpoints_t **out)
{
    mai_server_conf_t *sc = ap_get_module_config(main_s->module_config,
                                                 &auth_introspect_module);
    mai_endpoint_limits_t lim;
    server_rec *s;

    mai_endpoint_limits_from_conf(sc, &lim);
    *out = mai_endpoints_create(pconf, &lim);
    for (s = main_s; s; s = s->next) {
        values_t v = { 0 };
        const char *err;

        v.p = ptemp;
        v.urls = apr_hash_make(ptemp);
        v.cas = apr_hash_make(ptemp);
        v.certs = apr_hash_make(ptemp);
        v.ids = apr_hash_make(ptemp);
        v.secrets = apr_hash_make(ptemp);
        mai_sections_walk(pconf, s, note, &v);
        if (!v.err && v.no_cert && !apr_hash_count(v.certs)) {
            v.err = v.no_cert;
        }
        if (v.err) {
            return apr_psprintf(ptemp, "%s:%u: %s", s->server_hostname
                                ? s->server_hostname : "(main server)",
                                (unsigned)s->port, v.err);
        }
        err = add_all(*out, &v, mai_conf_proxy(ap_get_module_config(
                          s->module_config, &auth_introspect_module)),
                      mai_conf_allow_insecure_http(sc));
        if (err) {
            return err;
        }
        add_basic(*out, &v);
    }
    return NULL;
}
