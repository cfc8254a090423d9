/* SPDX-License-Identifier: Apache-2.0 */
/* lookup.h: the answer for a token: from the cache, else from the
 * endpoint (and then cached). */
#ifndef MAI_LOOKUP_H
#define MAI_LOOKUP_H

#include <httpd.h>
#include "config.h"
#include "answer.h"
#include "request_state.h"

/**
 * The endpoint's answer for st->token (st is read for the token and its
 * log name, never written): a cached one when a cache holds one still
 * young enough for this location's TTLs (freshness.c), else a fresh call
 * whose answer is then cached. CacheTTL 0 reuses no active answer, but
 * inactive ones still for NegativeCacheTTL. Failures (the 503 family)
 * are returned as is and never cached, unless the endpoint itself failed
 * (not our in-flight cap) and an active answer past its TTL is still
 * within AuthIntrospectStaleIfError: then that answer is used. On
 * BREAKER_OPEN, retry_after is the time until the next probe. The result
 * (NULL unless status is MAI_OK) lives in r->pool or is held for it by
 * L1; an L1 hit costs no allocation and no copy.
 */
mai_answer_t mai_lookup(request_rec *r, const mai_dir_conf_t *c,
                        mai_req_state_t *st, apr_int64_t now);

#endif
