/* SPDX-License-Identifier: Apache-2.0 */
/* result_jsonc.h: the json-c answer parser kept as a test oracle
 * (result_jsonc.c). Not part of the module. */
#ifndef MAI_RESULT_JSONC_H
#define MAI_RESULT_JSONC_H

#include "result.h"

/** mai_result_parse as json-c's tree made it: same contract. */
mai_status_t mai_result_parse_jsonc(apr_pool_t *p, const char *json,
                                    apr_size_t len,
                                    const mai_result_t **out);

#endif
