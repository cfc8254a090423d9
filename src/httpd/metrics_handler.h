/* SPDX-License-Identifier: Apache-2.0 */
/* metrics_handler.h: SetHandler auth-introspect-metrics and the
 * mod_status section. */
#ifndef MAI_METRICS_HANDLER_H
#define MAI_METRICS_HANDLER_H

#include "mai_private.h"

struct mai_endpoints;

/** post_config: the counters' shared memory, kept in the process pool,
 * and an id for every endpoint set up. NULL or an error message. */
const char *mai_metrics_handler_setup(server_rec *s,
                                      struct mai_endpoints *eps);

/** register_hooks: the handler and mod_status's status_hook. */
void mai_metrics_handler_register(void);

#endif
