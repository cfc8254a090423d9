/* SPDX-License-Identifier: Apache-2.0 */
/* robust_mutex.h: process-shared robust mutexes in shared memory, made
 * by the parent before the children fork. Uncontended, a lock and an
 * unlock are two atomic operations and no system call (an fcntl lock,
 * httpd's Mutex under Debian's `Mutex file:` default, is two system calls
 * and a kernel lock shared by every process). Robust: a child that dies
 * holding one does not stop it for good; the next locker takes it over. */
#ifndef MAI_ROBUST_MUTEX_H
#define MAI_ROBUST_MUTEX_H

#include <pthread.h>
#include <apr_pools.h>

/**
 * Initialise n mutexes, the first at first and each stride bytes after
 * the one before (a mutex inside each element of an array). @return NULL,
 * or an error string from p.
 */
const char *mai_robust_mutex_init(apr_pool_t *p, void *first,
                                  apr_size_t stride, apr_size_t n);

/**
 * Lock m: 0, or an errno value. A mutex whose holder died is taken over
 * as it is: whatever it guards must stay usable after a write cut short
 * (each user says why it does).
 */
int mai_robust_mutex_lock(pthread_mutex_t *m);

#endif
