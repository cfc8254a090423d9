/* lookup.h: the answer for a token: from the cache, else from the
 * endpoint (and then cached). */
#ifndef MAI_LOOKUP_H
#define MAI_LOOKUP_H

#include <httpd.h>
#include "config.h"
#include "result.h"

/**
 * The endpoint's answer for token (token_hash: its SHA-256), parsed: a cached one when the cache
 * holds one still young enough for this location's TTLs, else a fresh
 * call whose answer is then cached. Endpoint failures (the 503 family)
 * are returned as is and never cached, unless an active answer past its
 * TTL is still within AuthIntrospectStaleIfError: then that answer is used.
 * On BREAKER_OPEN, *retry_after is the time until the next probe (else
 * left 0). *res lives in r->pool (or is held for it by the L1).
 */
mai_status_t mai_lookup(request_rec *r, const mai_dir_conf_t *c,
                        const char *token,
                        const unsigned char *token_hash,
                        const char *token_id,
                        apr_int64_t now, const mai_result_t **res,
                        apr_interval_time_t *retry_after);

#endif
