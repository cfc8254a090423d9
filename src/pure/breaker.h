/* SPDX-License-Identifier: Apache-2.0 */
/* breaker.h: a circuit breaker for one endpoint. Pure: time is passed in
 * and the caller serializes access (the endpoint's lock). */
#ifndef MAI_BREAKER_H
#define MAI_BREAKER_H

#include <apr_time.h>

typedef enum {
    MAI_BREAKER_CLOSED,     /* calls flow */
    MAI_BREAKER_OPEN,       /* calls refused until the open time is over */
    MAI_BREAKER_PROBING     /* one probe call decides */
} mai_breaker_state_t;

typedef struct mai_breaker {
    int threshold;                /* consecutive failures that open it;
                                   * 0 = never opens */
    apr_interval_time_t open_for;
    int failures;
    mai_breaker_state_t state;
    apr_time_t opened_at;
} mai_breaker_t;

/** A closed breaker opening after `threshold` consecutive failures for
 * `open_for`. */
void mai_breaker_init(mai_breaker_t *b, int threshold,
                      apr_interval_time_t open_for);

/**
 * May a call go out now? 1 yes, 0 no. Once the open time is over, the
 * first caller is let through as the probe (state PROBING) and everyone
 * else is refused until the probe is recorded. When refusing,
 * *retry_after gets the time until the next probe (at least 1 s).
 */
int mai_breaker_allow(mai_breaker_t *b, apr_time_t now,
                      apr_interval_time_t *retry_after);

/**
 * The outcome of an allowed call. A success closes the breaker and resets
 * the count; a failure counts, and opens it at the threshold or when the
 * probe failed. Returns 1 when this call changed the state (for logging).
 */
int mai_breaker_record(mai_breaker_t *b, int ok, apr_time_t now);

/** The caller allowed as the probe never made its call (no slot): the
 * next caller probes instead, at once. */
void mai_breaker_probe_not_sent(mai_breaker_t *b);

#endif
