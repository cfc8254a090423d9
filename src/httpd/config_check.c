/* SPDX-License-Identifier: Apache-2.0 */
/* config_check.c: a missing endpoint, an unloaded cache provider or a
 * shared cache without its secret is found at startup and by `apachectl
 * -t`, with the place named, rather than on the first request. The
 * parsed directive tree is the one place that still knows where each
 * line was written. */
#include "mai_private.h"
#include <apr_strings.h>
#include "cache.h"
#include "config_check.h"

#define MAKE_SECRET "openssl rand -hex 32 > " \
    "/etc/apache2/introspect-cache.secret"

/* AuthIntrospectLocalJWT in this list: 1 for on or only, 0 for off, -1
 * when absent (inherited). only: 2. The last line wins, as in httpd. */
static int local_jwt_in(const ap_directive_t *list)
{
    int mode = -1;

    for (; list; list = list->next) {
        if (!strcasecmp(list->directive, "AuthIntrospectLocalJWT")
            && list->args) {
            mode = !strcasecmp(list->args, "only") ? 2
                   : !strcasecmp(list->args, "on") ? 1 : 0;
        }
    }
    return mode;
}

static int has_endpoint(const ap_directive_t *list)
{
    /* AuthIntrospectLocalJWT only needs no endpoint: it has the keys */
    if (local_jwt_in(list) == 2) {
        return 1;
    }
    for (; list; list = list->next) {
        /* a metadata URL names the endpoint (RFC 8414 discovery) */
        if (!strcasecmp(list->directive, "AuthIntrospectEndpoint")
            || !strcasecmp(list->directive, "AuthIntrospectMetadataURL")) {
            return 1;
        }
    }
    return 0;
}

static const char *section_path(apr_pool_t *p, const ap_directive_t *d)
{
    const char *a = d->args ? d->args : "";
    apr_size_t n = strlen(a);
    if (n && a[n - 1] == '>') {
        n--;
    }
    return apr_pstrmemdup(p, a, n);
}

/* A sibling <Location /> with an endpoint covers <Location /api>. */
static int covered_by_sibling_with(apr_pool_t *p,
                                   const ap_directive_t *section,
                                   int (*has)(const ap_directive_t *));

static int covered_by_sibling(apr_pool_t *p, const ap_directive_t *section)
{
    return covered_by_sibling_with(p, section, has_endpoint);
}

static int covered_by_sibling_with(apr_pool_t *p,
                                   const ap_directive_t *section,
                                   int (*has)(const ap_directive_t *))
{
    const ap_directive_t *sib;
    const char *path = section_path(p, section);

    if (!section->parent) {
        return 0;
    }
    for (sib = section->parent->first_child; sib; sib = sib->next) {
        const char *sp;
        if (sib == section || strcasecmp(sib->directive, section->directive)
            || !has(sib->first_child)) {
            continue;
        }
        sp = section_path(p, sib);
        if (!strncmp(path, sp, strlen(sp))) {
            return 1;
        }
    }
    return 0;
}

static const char *walk(apr_pool_t *p, const ap_directive_t *list,
                        int inherited)
{
    int covered = inherited || has_endpoint(list);
    const ap_directive_t *d;

    for (d = list; d; d = d->next) {
        if (!strcasecmp(d->directive, "AuthType") && d->args
            && !strcasecmp(d->args, "Bearer") && !covered
            && !(d->parent && covered_by_sibling(p, d->parent))) {
            return apr_psprintf(p, "%s:%d: AuthType Bearer in %s%s%s has no "
                                "AuthIntrospectEndpoint nor "
                                "AuthIntrospectMetadataURL (set it there or "
                                "in an enclosing section; or, for JWT "
                                "access tokens alone, AuthIntrospectLocalJWT "
                                "only)", d->filename,
                                d->line_num,
                                d->parent ? d->parent->directive : "",
                                d->parent ? " " : "server config",
                                d->parent ? d->parent->args : "");
        }
        if (d->first_child) {
            const char *err = walk(p, d->first_child, covered);
            if (err) {
                return err;
            }
        }
    }
    return NULL;
}

static int has_any(const ap_directive_t *list, const char *a, const char *b)
{
    for (; list; list = list->next) {
        if (!strcasecmp(list->directive, a)
            || !strcasecmp(list->directive, b)) {
            return 1;
        }
    }
    return 0;
}

/* What AuthIntrospectResponseFormat jwt needs: an issuer for the iss
 * check, and a JWK set for the signature. */
static int has_issuer(const ap_directive_t *list)
{
    return has_any(list, "AuthIntrospectIssuer",
                   "AuthIntrospectMetadataURL");
}

static int has_jwks(const ap_directive_t *list)
{
    return has_any(list, "AuthIntrospectJWKS", "AuthIntrospectMetadataURL");
}

static const char *walk_jwt(apr_pool_t *p, const ap_directive_t *list,
                            int issuer, int jwks)
{
    const ap_directive_t *d, *sec;
    const char *err;

    issuer = issuer || has_issuer(list);
    jwks = jwks || has_jwks(list);
    for (d = list; d; d = d->next) {
        sec = d->parent;
        if (!strcasecmp(d->directive, "AuthIntrospectResponseFormat")
            && d->args && !strcasecmp(d->args, "jwt")
            && (!(issuer || (sec && covered_by_sibling_with(p, sec,
                                                            has_issuer)))
                || !(jwks || (sec && covered_by_sibling_with(p, sec,
                                                             has_jwks))))) {
            return apr_psprintf(p, "%s:%d: AuthIntrospectResponseFormat jwt "
                                "needs the issuer (AuthIntrospectIssuer or "
                                "AuthIntrospectMetadataURL) and its JWK set "
                                "(AuthIntrospectJWKS or "
                                "AuthIntrospectMetadataURL) in this or an "
                                "enclosing section", d->filename,
                                d->line_num);
        }
        if (d->first_child
            && (err = walk_jwt(p, d->first_child, issuer, jwks))) {
            return err;
        }
    }
    return NULL;
}

/* AuthType Bearer where AuthIntrospectLocalJWT is on or only (in its
 * section or an enclosing one) needs the issuer whose JWTs those are,
 * and its keys. */
static const char *walk_local_jwt(apr_pool_t *p, const ap_directive_t *list,
                                  int local, int issuer, int jwks)
{
    const ap_directive_t *d;
    int own = local_jwt_in(list);

    local = own >= 0 ? own : local;
    issuer = issuer || has_issuer(list);
    jwks = jwks || has_jwks(list);
    for (d = list; d; d = d->next) {
        if (!strcasecmp(d->directive, "AuthType") && d->args
            && !strcasecmp(d->args, "Bearer") && local > 0 && !jwks
            && !(d->parent && covered_by_sibling_with(p, d->parent,
                                                    has_jwks))) {
            return apr_psprintf(p, "%s:%d: AuthType Bearer in %s%s%s with "
                                "AuthIntrospectLocalJWT %s has no "
                                "AuthIntrospectJWKS nor "
                                "AuthIntrospectMetadataURL: the issuer's "
                                "keys are needed", d->filename, d->line_num,
                                d->parent ? d->parent->directive : "",
                                d->parent ? " " : "server config",
                                d->parent ? d->parent->args : "",
                                local == 2 ? "only" : "on");
        }
        if (!strcasecmp(d->directive, "AuthType") && d->args
            && !strcasecmp(d->args, "Bearer") && local > 0 && !issuer
            && !(d->parent && covered_by_sibling_with(p, d->parent,
                                                    has_issuer))) {
            return apr_psprintf(p, "%s:%d: AuthType Bearer in %s%s%s with "
                                "AuthIntrospectLocalJWT %s has no "
                                "AuthIntrospectIssuer nor "
                                "AuthIntrospectMetadataURL: a JWT is "
                                "verified only for its issuer", d->filename,
                                d->line_num,
                                d->parent ? d->parent->directive : "",
                                d->parent ? " " : "server config",
                                d->parent ? d->parent->args : "",
                                local == 2 ? "only" : "on");
        }
        if (d->first_child) {
            const char *err = walk_local_jwt(p, d->first_child, local,
                                             issuer, jwks);
            if (err) {
                return err;
            }
        }
    }
    return NULL;
}

/* The last `name` line in the tree (the one that wins), or NULL. */
static const ap_directive_t *find_last(const ap_directive_t *list,
                                       const char *name)
{
    const ap_directive_t *d, *found = NULL, *inner;

    for (d = list; d; d = d->next) {
        if (!strcasecmp(d->directive, name)) {
            found = d;
        }
        if (d->first_child && (inner = find_last(d->first_child, name))) {
            found = inner;
        }
    }
    return found;
}

static const char *where(apr_pool_t *p, const ap_directive_t *d,
                         const char *fallback)
{
    return d ? apr_psprintf(p, "%s:%d: %s", d->filename, d->line_num,
                            d->directive)
             : fallback;
}

/* Plain http off loopback shows tokens and the client secret to the
 * network: refused unless AuthIntrospectAllowInsecureHTTP On. Checked
 * here, not in the directive's setter, because that server-wide switch
 * may come after the endpoint in the file. .htaccess cannot name an
 * endpoint, so the tree holds them all. */
static const char *check_insecure(apr_pool_t *p, const ap_directive_t *list,
                                  int allow)
{
    const ap_directive_t *d;
    const char *err;

    for (d = list; d; d = d->next) {
        const char *a = d->args ? d->args : "";
        mai_url_t u;

        if ((!strcasecmp(d->directive, "AuthIntrospectEndpoint")
             || !strcasecmp(d->directive, "AuthIntrospectMetadataURL")
             || !strcasecmp(d->directive, "AuthIntrospectJWKS"))
            && !allow && !mai_url_parse(p, ap_getword_conf(p, &a), &u)
            && mai_url_is_insecure(&u)) {
            return apr_psprintf(p, "%s:%d: %s %s: "
                                "http:// sends tokens and the client secret "
                                "in clear; it is allowed to a loopback host "
                                "(127.0.0.0/8, ::1, localhost), elsewhere "
                                "use https:// or set "
                                "AuthIntrospectAllowInsecureHTTP On",
                                d->filename, d->line_num, d->directive,
                                u.authority);
        }
        if (d->first_child
            && (err = check_insecure(p, d->first_child, allow))) {
            return err;
        }
    }
    return NULL;
}

/* Credentials with no proxy to send them to: a typo, or a proxy line
 * lost in an edit. */
static int check_proxy(apr_pool_t *ptemp, server_rec *main_s)
{
    server_rec *s;

    for (s = main_s; s; s = s->next) {
        mai_server_conf_t *sc = ap_get_module_config(s->module_config,
                                                     &auth_introspect_module);
        if (mai_conf_proxy_credentials_unused(sc)) {
            ap_log_error(APLOG_MARK, APLOG_ERR | APLOG_STARTUP, 0, main_s,
                         MAI_LOGNO(01302) "AuthIntrospectProxyCredentials "
                         "in %s:%u without an AuthIntrospectProxy to send "
                         "them to", s->server_hostname ? s->server_hostname
                         : "(main server)", (unsigned)s->port);
            return 0;
        }
    }
    return 1;
}

static int check_cache(apr_pool_t *ptemp, server_rec *s)
{
    mai_server_conf_t *sc = ap_get_module_config(s->module_config,
                                                 &auth_introspect_module);
    const ap_directive_t *d = find_last(ap_conftree, "AuthIntrospectCache");
    const char *at = where(ptemp, d, "AuthIntrospectCache (default shmcb)");
    mai_cache_t *probe;
    /* created in ptemp only to see it can be; post_config makes the real
     * one (creating does not connect or allocate shared memory) */
    const char *err = mai_cache_create(ptemp, mai_conf_cache_provider(sc),
                                       mai_conf_cache_args(sc), &probe);

    if (err) {
        ap_log_error(APLOG_MARK, APLOG_ERR | APLOG_STARTUP, 0, s,
                     MAI_LOGNO(00103) "%s: %s", at, err);
        return 0;
    }
    if (mai_conf_cache_needs_secret(sc) && !mai_conf_cache_secret(sc)) {
        ap_log_error(APLOG_MARK, APLOG_ERR | APLOG_STARTUP, 0, s,
                     MAI_LOGNO(00104) "%s %s: a cache other hosts can reach "
                     "needs AuthIntrospectCacheSecret file:PATH (the same "
                     "on every server that shares it), or anyone who can "
                     "write to it could forge answers; make one with: "
                     MAKE_SECRET, at, mai_conf_cache_provider(sc));
        return 0;
    }
    return 1;
}

/* An inline client secret works, but mod_info, config dumps and backups
 * of the config show it: say so, never the value. */
static void warn_inline_secrets(const ap_directive_t *list, server_rec *s)
{
    const ap_directive_t *d;

    for (d = list; d; d = d->next) {
        const char *a = d->args ? d->args : "";
        if (*a == '"' || *a == '\'') {
            a++;
        }
        if (!strcasecmp(d->directive, "AuthIntrospectClientSecret")
            && strncmp(a, "env:", 4) && strncmp(a, "file:", 5)) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, MAI_LOGNO(00105)
                         "%s:%d: AuthIntrospectClientSecret is given inline, "
                         "so mod_info and copies of the configuration show "
                         "it; use file:PATH or env:NAME", d->filename,
                         d->line_num);
        }
        if (d->first_child) {
            warn_inline_secrets(d->first_child, s);
        }
    }
}

/* The operator chose plain http: every start says what that costs. */
static void warn_insecure(server_rec *s)
{
    mai_server_conf_t *sc = ap_get_module_config(s->module_config,
                                                 &auth_introspect_module);
    if (mai_conf_allow_insecure_http(sc)) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, MAI_LOGNO(01301)
                     "AuthIntrospectAllowInsecureHTTP On: introspection "
                     "calls to plain http endpoints off loopback carry "
                     "tokens, their claims and the client secret in "
                     "clear; use it only on a network you trust (such as "
                     "a cluster's own)");
    }
}

/* The first AuthIntrospectClientAuth line naming method, or NULL. */
static const ap_directive_t *find_method(const ap_directive_t *list,
                                         const char *method)
{
    const ap_directive_t *d, *inner;

    for (d = list; d; d = d->next) {
        if (!strcasecmp(d->directive, "AuthIntrospectClientAuth") && d->args
            && !strcasecmp(d->args, method)) {
            return d;
        }
        if (d->first_child && (inner = find_method(d->first_child, method))) {
            return inner;
        }
    }
    return NULL;
}

/* A JWT client authentication with nothing to sign with anywhere in the
 * configuration. Sections merge in ways the tree does not show, so only
 * this certain case is refused here; a location that still ends up
 * without its key logs MAI01702 on its first call. */
static const char *check_assertion_keys(apr_pool_t *p,
                                        const ap_directive_t *tree)
{
    static const char *const need[][2] = {
        { "private_key_jwt", "AuthIntrospectClientKey" },
        { "client_secret_jwt", "AuthIntrospectClientSecret" } };
    const ap_directive_t *d;
    int i;

    for (i = 0; i < 2; i++) {
        if ((d = find_method(tree, need[i][0])) && !find_last(tree,
                                                             need[i][1])) {
            return apr_psprintf(p, "%s:%d: AuthIntrospectClientAuth %s "
                                "needs %s", d->filename, d->line_num,
                                need[i][0], need[i][1]);
        }
    }
    return NULL;
}

int mai_config_check(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                     server_rec *s)
{
    const char *err = walk(ptemp, ap_conftree, 0);
    int ok = 1;

    if (err) {
        ap_log_error(APLOG_MARK, APLOG_ERR | APLOG_STARTUP, 0, s,
                     MAI_LOGNO(00102) "%s", err);
        ok = 0;
    }
    err = walk_jwt(ptemp, ap_conftree, 0, 0);
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_ERR | APLOG_STARTUP, 0, s,
                     MAI_LOGNO(01608) "%s", err);
        ok = 0;
    }
    ok = check_cache(ptemp, s) && ok;
    err = walk_local_jwt(ptemp, ap_conftree, 0, 0, 0);
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_ERR | APLOG_STARTUP, 0, s,
                     MAI_LOGNO(02000) "%s", err);
        ok = 0;
    }
    err = check_insecure(ptemp, ap_conftree, mai_conf_allow_insecure_http(
        ap_get_module_config(s->module_config, &auth_introspect_module)));
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_ERR | APLOG_STARTUP, 0, s,
                     MAI_LOGNO(01300) "%s", err);
        ok = 0;
    }
    ok = check_proxy(ptemp, s) && ok;
    err = check_assertion_keys(ptemp, ap_conftree);
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_ERR | APLOG_STARTUP, 0, s,
                     MAI_LOGNO(01700) "%s", err);
        ok = 0;
    }
    /* a real start warns from post_config, once the error log is open */
    if (ap_state_query(AP_SQ_RUN_MODE) != AP_SQ_RM_NORMAL) {
        warn_inline_secrets(ap_conftree, s);
        warn_insecure(s);
    }
    return ok ? OK : HTTP_INTERNAL_SERVER_ERROR;
}

void mai_config_warn(apr_pool_t *ptemp, server_rec *s)
{
    /* not in the preliminary pass: once per start or restart is enough */
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG) {
        warn_inline_secrets(ap_conftree, s);
        warn_insecure(s);
    }
}
