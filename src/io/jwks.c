/* SPDX-License-Identifier: Apache-2.0 */
/* jwks.c: JWK sets through remote_doc.c, which fetches and keeps them;
 * here only what makes a JWK set of a document (jose.c parses it). */
#include <apr_strings.h>
#include "jwks.h"
#include "remote_doc.h"

/* A refresh that failed is tried again after this; the old set serves. */
#define RETRY_REFRESH apr_time_from_sec(60)

struct mai_jwks_cache {
    mai_rdocs_t *docs;
};

mai_jwks_cache_t *mai_jwks_cache_create(apr_pool_t *p)
{
    mai_jwks_cache_t *c = apr_pcalloc(p, sizeof(*c));

    c->docs = mai_rdocs_create(p);
    return c;
}

static mai_status_t parse(void *baton, apr_pool_t *vp, const char *body,
                          apr_size_t len, const mai_log_sink_t *log,
                          const void **value)
{
    const mai_http_target_t *t = mai_endpoint_target(baton);
    const char *why;
    mai_jwks_t *set = mai_jwks_parse(vp, body, len, &why);

    if (!set) {
        mai_log(log, MAI_LOG_ERR, MAI_LOGNO(01600)
                "JWK set %s%s refused: %s", t->url.authority, t->url.path,
                why);
        return MAI_STATUS_ENDPOINT_BAD_JWKS;
    }
    mai_log(log, MAI_LOG_DEBUG, MAI_LOGNO(01601)
            "JWK set %s%s fetched: %d usable signature keys",
            t->url.authority, t->url.path, mai_jwks_count(set));
    *value = set;
    return MAI_OK;
}

static void doc_req(const mai_jwks_req_t *q, mai_rdoc_req_t *rq)
{
    rq->endpoint = q->endpoint;
    rq->what = "JWK set";
    rq->accept = "Accept: application/jwk-set+json, application/json";
    rq->parse = parse;
    rq->baton = q->endpoint;
    rq->refresh = q->refresh;
    rq->retry = RETRY_REFRESH;
    rq->timeout = q->timeout;
    rq->connect_timeout = q->connect_timeout;
}

mai_status_t mai_jwks_get(mai_jwks_cache_t *c, apr_pool_t *rp,
                          const mai_jwks_req_t *q, const mai_log_sink_t *log,
                          const mai_jwks_t **keys,
                          apr_interval_time_t *retry_after)
{
    mai_rdoc_req_t rq;
    const void *v;
    mai_status_t s;

    doc_req(q, &rq);
    s = mai_rdoc_get(c->docs, rp, &rq, log, &v, retry_after);
    *keys = v;
    return s;
}

mai_status_t mai_jwks_refetch(mai_jwks_cache_t *c, apr_pool_t *rp,
                              const mai_jwks_req_t *q,
                              const mai_log_sink_t *log,
                              const mai_jwks_t **keys,
                              apr_interval_time_t *retry_after)
{
    mai_rdoc_req_t rq;
    const void *v;
    mai_status_t s;

    doc_req(q, &rq);
    s = mai_rdoc_refetch(c->docs, rp, &rq, q->refetch, log, &v,
                         retry_after);
    *keys = v;
    return s;
}
