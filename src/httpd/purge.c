/* SPDX-License-Identifier: Apache-2.0 */
/* purge.c: SetHandler auth-introspect-purge. A POST naming one token (or
 * its SHA-256) removes its answers, for every scope this configuration
 * can look up under (purge_scopes.c), from the shared cache, and
 * through the purge journal from every process's L1 on this host; other
 * hosts' L1s follow within AuthIntrospectCacheL1Recheck (lookup.c).
 * Who may purge is ordinary httpd access control on the location. The
 * answer never echoes the token; the log names it by its hash prefix. */
#include <apr_strings.h>
#include "mai_private.h"
#include "purge.h"
#include "metrics.h"
#include "purge_form.h"
#include "purge_journal.h"
#include "purge_scopes.h"
#include "cache.h"
#include "cache_l1.h"

static int answer(request_rec *r, int status, const char *json)
{
    r->status = status;
    ap_set_content_type(r, "application/json");
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    ap_rputs(json, r);
    ap_rputs("\n", r);
    return OK;
}

static int bad_request(request_rec *r, const char *why)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01001)
                  "purge refused: %s", why);
    /* why is one of purge_form.c's fixed texts: no input in it */
    return answer(r, HTTP_BAD_REQUEST,
                  apr_psprintf(r->pool, "{\"error\":\"invalid_request\","
                               "\"error_description\":\"%s\"}", why));
}

/* The whole body, up to MAI_PURGE_BODY_MAX bytes; NULL with *why set
 * when it is larger or cannot be read. */
static const char *read_body(request_rec *r, apr_size_t *len,
                             const char **why)
{
    char *buf = apr_palloc(r->pool, MAI_PURGE_BODY_MAX + 1);
    apr_size_t n = 0;
    long got = 1;
    int i;

    *why = "request body cannot be read";
    if (ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK) != OK) {
        return NULL;
    }
    if (r->remaining > MAI_PURGE_BODY_MAX) {
        *why = "body too large";
        return NULL;
    }
    if (ap_should_client_block(r)) {
        /* each read gives at least a byte: bounded by the buffer */
        for (i = 0; got > 0 && i <= MAI_PURGE_BODY_MAX + 1; i++) {
            got = ap_get_client_block(r, buf + n, MAI_PURGE_BODY_MAX + 1 - n);
            if (got < 0) {
                return NULL;
            }
            n += (apr_size_t)got;
            if (n > MAI_PURGE_BODY_MAX) {
                *why = "body too large";
                return NULL;
            }
        }
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Shared-cache entries removed over every scope; *faults counts keys the
 * provider failed on. */
static int purge_shared(request_rec *r, const unsigned char *hash,
                        int *faults)
{
    const mai_purge_scopes_t *sc = mai_proc.purge_scopes;
    unsigned char key[MAI_DIGEST_LEN];
    int i, rc, n = 0;

    *faults = 0;
    for (i = 0; sc && i < sc->nelts; i++) {
        mai_digest_cache_key_of_hash(mai_proc.cache_secret, &sc->scope[i],
                                     hash, key);
        rc = mai_cache_remove(mai_proc.cache, r->server, r->pool, key);
        if (rc < 0) {
            ++*faults;
        }
        else {
            n += rc;
        }
    }
    return n;
}

int mai_purge_handler(request_rec *r)
{
    unsigned char hash[MAI_DIGEST_LEN];
    const char *body, *why, *id;
    apr_size_t len = 0;
    int n, faults = 0;

    if (!r->handler || strcmp(r->handler, MAI_PURGE_HANDLER)) {
        return DECLINED;
    }
    if (r->method_number != M_POST) {
        /* httpd's own 405 would list OPTIONS and TRACE too */
        apr_table_setn(r->headers_out, "Allow", "POST");
        return answer(r, HTTP_METHOD_NOT_ALLOWED,
                      "{\"error\":\"method_not_allowed\"}");
    }
    if (!mai_purge_form_type_ok(apr_table_get(r->headers_in,
                                              "Content-Type"))) {
        return bad_request(r, "Content-Type must be "
                           "application/x-www-form-urlencoded");
    }
    body = read_body(r, &len, &why);
    if (!body || mai_purge_form_parse(r->pool, body, len, hash, &why)
                 != MAI_OK) {
        return bad_request(r, why);
    }
    id = apr_psprintf(r->pool, "%02x%02x%02x%02x", hash[0], hash[1],
                      hash[2], hash[3]);
    if (mai_proc.cache) {
        n = purge_shared(r, hash, &faults);
    }
    else {
        /* no shared cache: what this process's L1 held is the count */
        n = mai_proc.l1 ? mai_l1_purge_hash(mai_proc.l1, hash) : 0;
    }
    /* every process on this host, this one included, on its next lookup */
    if (mai_proc.purge_journal) {
        mai_purge_journal_add(mai_proc.purge_journal, hash);
    }
    mai_metrics_purged((apr_uint32_t)n);
    if (faults) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01002)
                      "purge of token %s incomplete: the shared cache "
                      "failed on %d of %d keys (%d entries removed); "
                      "repeat the purge", id, faults,
                      mai_proc.purge_scopes->nelts, n);
        apr_table_setn(r->headers_out, "Retry-After", "1");
        return answer(r, HTTP_SERVICE_UNAVAILABLE,
                      apr_psprintf(r->pool, "{\"error\":\"shared cache "
                                   "unavailable\",\"purged\":%d}", n));
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01000)
                  "purged token %s: %d entries removed", id, n);
    return answer(r, HTTP_OK,
                  apr_psprintf(r->pool, "{\"purged\":%d}", n));
}
