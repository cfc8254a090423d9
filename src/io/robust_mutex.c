/* SPDX-License-Identifier: Apache-2.0 */
/* robust_mutex.c: see robust_mutex.h. */
#include <errno.h>
#include <string.h>
#include <apr_strings.h>
#include "robust_mutex.h"

const char *mai_robust_mutex_init(apr_pool_t *p, void *first,
                                  apr_size_t stride, apr_size_t n)
{
    pthread_mutexattr_t a;
    apr_size_t i;
    int rc;

    if ((rc = pthread_mutexattr_init(&a)) != 0) {
        return apr_psprintf(p, "pthread_mutexattr_init: %s", strerror(rc));
    }
    rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    if (rc == 0) {
        rc = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    }
    for (i = 0; rc == 0 && i < n; i++) {
        rc = pthread_mutex_init(
            (pthread_mutex_t *)((char *)first + i * stride), &a);
    }
    pthread_mutexattr_destroy(&a);
    return rc ? apr_psprintf(p, "a process-shared robust mutex: %s",
                             strerror(rc)) : NULL;
}

int mai_robust_mutex_lock(pthread_mutex_t *m)
{
    int rc = pthread_mutex_lock(m);

    if (rc == EOWNERDEAD) {
        rc = pthread_mutex_consistent(m);
    }
    return rc;
}
