/* SPDX-License-Identifier: Apache-2.0 */
/* purge_scopes.c: the cache key is HMAC(secret; scope, SHA-256(token)),
 * and the shared cache cannot be listed; so a purge removes the key of
 * every scope a request could have used. A request's scope is merged
 * from its sections (the endpoint from a <Location>, the client id from
 * the server, ...), so per server every value each part takes anywhere
 * is combined with every value of the others: a few more keys than can
 * occur, never one less. Most configurations give exactly one scope. */
#include "mai_private.h"
#include <apr_hash.h>
#include <apr_strings.h>
#include "endpoint_setup.h"
#include "purge_scopes.h"

/* A NULL setting is a value too ("none"), distinct from every string. */
#define NONE_KEY "\001none"

typedef struct {
    apr_pool_t *p;
    const mai_dir_conf_t *empty;      /* what the defaults read from */
    apr_hash_t *endpoints, *clients, *cas, *hints;
    int verify[2];
    int format[2];                  /* AuthIntrospectResponseFormat json, jwt */
} parts_t;

static void add_text(apr_hash_t *h, const char *v)
{
    apr_hash_set(h, v ? v : NONE_KEY, APR_HASH_KEY_STRING, v ? v : "");
}

static const char *text_of(const apr_hash_index_t *i)
{
    const char *k = apr_hash_this_key((apr_hash_index_t *)i);
    return strcmp(k, NONE_KEY) ? k : NULL;
}

/* A section's unset settings read as the defaults: they are added too,
 * which is what the server's own unset settings give anyway. */
static void note(void *baton, const mai_dir_conf_t *dc, int defaults)
{
    parts_t *v = baton;

    if (!dc) {
        dc = v->empty;
    }
    if (mai_conf_endpoint_text(dc)) {
        add_text(v->endpoints, mai_conf_endpoint_text(dc));
    }
    /* a discovered endpoint's answers are keyed by the metadata URL */
    if (mai_conf_metadata_text(dc)) {
        add_text(v->endpoints, mai_conf_metadata_text(dc));
    }
    add_text(v->clients, mai_conf_client_id(dc));
    add_text(v->cas, mai_conf_tls_ca_file(dc));
    add_text(v->hints, mai_conf_token_type_hint(dc));
    v->verify[mai_conf_tls_verify(dc) ? 1 : 0] = 1;
    v->format[mai_conf_response_jwt(dc) ? 1 : 0] = 1;
}

/* Serialized scope, the registry's dedup key: length-prefixed parts. */
static const char *scope_id(apr_pool_t *p, const mai_cache_scope_t *s)
{
    const char *parts[4] = { s->endpoint, s->client_id, s->ca_file,
                             s->hint };
    const char *out = s->signed_answer ? (s->tls_verify ? "1j" : "0j")
                                       : (s->tls_verify ? "1" : "0");
    int i;

    for (i = 0; i < 4; i++) {
        out = parts[i] ? apr_psprintf(p, "%s|%" APR_SIZE_T_FMT ":%s", out,
                                      strlen(parts[i]), parts[i])
                       : apr_pstrcat(p, out, "|-", NULL);
    }
    return out;
}

static void combine(parts_t *v, apr_hash_t *all, apr_pool_t *pconf)
{
    apr_hash_index_t *e, *c, *a, *h;
    mai_cache_scope_t s;
    int verify, format;

    for (e = apr_hash_first(v->p, v->endpoints); e; e = apr_hash_next(e))
    for (c = apr_hash_first(v->p, v->clients); c; c = apr_hash_next(c))
    for (a = apr_hash_first(v->p, v->cas); a; a = apr_hash_next(a))
    for (h = apr_hash_first(v->p, v->hints); h; h = apr_hash_next(h))
    for (verify = 0; verify < 2; verify++)
    for (format = 0; format < 2; format++) {
        const char *id;
        mai_cache_scope_t *keep;

        if (!v->verify[verify] || !v->format[format]) {
            continue;
        }
        s.endpoint = text_of(e);
        s.client_id = text_of(c);
        s.ca_file = text_of(a);
        s.hint = text_of(h);
        s.tls_verify = verify;
        s.signed_answer = format;
        id = scope_id(v->p, &s);
        if (!apr_hash_get(all, id, APR_HASH_KEY_STRING)) {
            keep = apr_pmemdup(pconf, &s, sizeof(s));
            keep->endpoint = apr_pstrdup(pconf, s.endpoint);
            keep->client_id = apr_pstrdup(pconf, s.client_id);
            keep->ca_file = apr_pstrdup(pconf, s.ca_file);
            keep->hint = apr_pstrdup(pconf, s.hint);
            apr_hash_set(all, id, APR_HASH_KEY_STRING, keep);
        }
    }
}

mai_purge_scopes_t *mai_purge_scopes_collect(apr_pool_t *pconf,
                                             apr_pool_t *ptemp,
                                             server_rec *main_s)
{
    mai_purge_scopes_t *out = apr_pcalloc(pconf, sizeof(*out));
    apr_hash_t *all = apr_hash_make(ptemp);
    const mai_dir_conf_t *empty = mai_dir_conf_create(ptemp);
    mai_cache_scope_t *list;
    apr_hash_index_t *i;
    server_rec *s;

    for (s = main_s; s; s = s->next) {
        parts_t v = { 0 };

        v.p = ptemp;
        v.empty = empty;
        v.endpoints = apr_hash_make(ptemp);
        v.clients = apr_hash_make(ptemp);
        v.cas = apr_hash_make(ptemp);
        v.hints = apr_hash_make(ptemp);
        mai_sections_walk(pconf, s, note, &v);
        combine(&v, all, pconf);
    }
    list = apr_pcalloc(pconf, sizeof(*list) * (apr_hash_count(all) + 1));
    for (i = apr_hash_first(ptemp, all); i; i = apr_hash_next(i)) {
        list[out->nelts++] = *(mai_cache_scope_t *)apr_hash_this_val(i);
    }
    out->scope = list;
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, main_s, MAI_LOGNO(01004)
                 "a purge removes each token's key under %d cache scope(s)",
                 out->nelts);
    return out;
}
