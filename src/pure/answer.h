/* SPDX-License-Identifier: Apache-2.0 */
/* answer.h: the endpoint's answer for one token as it travels from the
 * lookup (caches, single-flight, the call) to authn. Pure. */
#ifndef MAI_ANSWER_H
#define MAI_ANSWER_H

#include <apr_time.h>
#include "status.h"
#include "result.h"

typedef struct mai_answer {
    mai_status_t status;           /* MAI_OK or why there is no answer */
    const mai_result_t *result;    /* the parsed answer, on MAI_OK only */
    apr_int64_t fetched_at;        /* when the endpoint gave it (s) */
    apr_interval_time_t retry_after;  /* on BREAKER_OPEN: until the next
                                       * probe; else 0 */
    const struct mai_export_prepared *exports;  /* result's exports as
                                       * prepared in L1 (export_plan.h),
                                       * or NULL */
} mai_answer_t;

#endif
