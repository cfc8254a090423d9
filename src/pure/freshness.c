/* SPDX-License-Identifier: Apache-2.0 */
/* freshness.c: the reuse rules for cached answers. The caches keep each
 * answer with the time it was fetched; every reader judges its age
 * against its own location's TTLs, so locations with different TTLs can
 * share one cache. */
#include "freshness.h"

/* Answers dated further ahead than this are not trusted: a node of the
 * shared cache whose clock runs fast, or ours stepped back. */
#define FUTURE_SLACK 60

static apr_int64_t ttl_for(const mai_fresh_conf_t *f, const mai_result_t *res)
{
    return res->active ? f->ttl : f->negative_ttl;
}

int mai_fresh_reuses(const mai_fresh_conf_t *f)
{
    /* CacheTTL 0 alone still reuses inactive answers */
    return f->ttl > 0 || f->negative_ttl > 0;
}

apr_int64_t mai_fresh_cache_life(const mai_fresh_conf_t *f,
                                 const mai_result_t *res, apr_int64_t now)
{
    apr_int64_t life;

    if (!res->active) {
        return f->negative_ttl;
    }
    life = f->ttl;
    /* compared as now + life: an exp from the wire near INT64_MIN would
     * overflow exp - now (and the difference is taken only when exp is
     * ahead of now) */
    if (res->has_exp && res->exp < now + life) {
        life = res->exp > now ? res->exp - now : 0;
    }
    return life > 0 ? life + f->stale_if_error : 0;
}

mai_freshness_t mai_fresh_judge(const mai_fresh_conf_t *f,
                                const mai_result_t *res,
                                apr_int64_t fetched, apr_int64_t now)
{
    apr_int64_t age = now - fetched;
    apr_int64_t limit = ttl_for(f, res);

    /* a TTL of 0 reuses nothing, not even stale (and not an answer
     * another node's clock dated slightly ahead) */
    if (limit <= 0 || age < -FUTURE_SLACK
        || (res->has_exp && res->exp <= now)) {
        return MAI_FRESH_NO;
    }
    if (age < limit) {
        return MAI_FRESH_YES;
    }
    if (res->active && age < limit + f->stale_if_error) {
        return MAI_FRESH_STALE;
    }
    return MAI_FRESH_NO;
}

int mai_fresh_ttl_zero(const mai_fresh_conf_t *f, const mai_result_t *res)
{
    return ttl_for(f, res) <= 0;
}
