/* SPDX-License-Identifier: Apache-2.0 */
/* breaker.c: closed -> open after N failures in a row; open -> probing
 * when the time is up; the probe's outcome closes or reopens it. While
 * open, uncached tokens get 503 at once instead of waiting for timeouts
 * that would tie up every worker. */
#include "breaker.h"

void mai_breaker_init(mai_breaker_t *b, int threshold,
                      apr_interval_time_t open_for)
{
    b->threshold = threshold;
    b->open_for = open_for;
    b->failures = 0;
    b->state = MAI_BREAKER_CLOSED;
    b->opened_at = 0;
}

static apr_interval_time_t until_probe(const mai_breaker_t *b,
                                       apr_time_t now)
{
    apr_interval_time_t left = b->opened_at + b->open_for - now;
    return left < APR_USEC_PER_SEC ? APR_USEC_PER_SEC : left;
}

int mai_breaker_allow(mai_breaker_t *b, apr_time_t now,
                      apr_interval_time_t *retry_after)
{
    switch (b->state) {
    case MAI_BREAKER_CLOSED:
        return 1;
    case MAI_BREAKER_OPEN:
        if (now - b->opened_at >= b->open_for) {
            b->state = MAI_BREAKER_PROBING;
            return 1;
        }
        *retry_after = until_probe(b, now);
        return 0;
    case MAI_BREAKER_PROBING:
    default:
        /* the probe is out: nobody else until it is back */
        *retry_after = APR_USEC_PER_SEC;
        return 0;
    }
}

void mai_breaker_probe_not_sent(mai_breaker_t *b)
{
    if (b->state == MAI_BREAKER_PROBING) {
        b->state = MAI_BREAKER_OPEN;
        b->opened_at -= b->open_for;
    }
}

int mai_breaker_record(mai_breaker_t *b, int ok, apr_time_t now)
{
    mai_breaker_state_t before = b->state;

    if (ok) {
        b->failures = 0;
        b->state = MAI_BREAKER_CLOSED;
    }
    else if (b->state == MAI_BREAKER_PROBING) {
        b->state = MAI_BREAKER_OPEN;
        b->opened_at = now;
    }
    else if (b->state == MAI_BREAKER_CLOSED && b->threshold > 0
             && ++b->failures >= b->threshold) {
        b->state = MAI_BREAKER_OPEN;
        b->opened_at = now;
    }
    return before != b->state;
}
