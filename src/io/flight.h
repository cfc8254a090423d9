/* SPDX-License-Identifier: Apache-2.0 */
/* flight.h: single-flight. Concurrent requests in one process for the
 * same uncached token share one endpoint call: the first leads, the rest
 * wait for its answer. */
#ifndef MAI_FLIGHT_H
#define MAI_FLIGHT_H

#include <apr_pools.h>
#include <apr_time.h>
#include "status.h"
#include "digest.h"
#include "answer.h"

typedef struct mai_flights mai_flights_t;
typedef struct mai_flight mai_flight_t;

/** The per-process registry, living in p (pchild). */
mai_flights_t *mai_flights_create(apr_pool_t *p);

/**
 * Join the flight for key. Returns 1 when the caller leads: it makes the
 * call and must end with mai_flight_land. Returns 0 after another leader
 * landed within the deadline: *a is the leader's answer (status, and on
 * MAI_OK its result, copied into p, and fetched_at; retry_after is 0, as
 * a waiter was never refused a call). Returns -1 when the deadline passed
 * first (the caller then gives up, never calls itself); *a is untouched.
 */
int mai_flight_join(mai_flights_t *f, const unsigned char *key,
                    apr_time_t deadline, apr_pool_t *p, mai_flight_t **fl,
                    mai_answer_t *a);

/** The leader's answer: wakes every waiter and ends the flight. The
 * result (on MAI_OK) is copied, so it need not outlive the call. */
void mai_flight_land(mai_flights_t *f, mai_flight_t *fl,
                     const mai_answer_t *a);

/** How many joins wait on key's flight now (0 when none is in flight).
 * The unit tests land only once every waiter is in, whatever the speed. */
int mai_flight_waiters(mai_flights_t *f, const unsigned char *key);

#endif
