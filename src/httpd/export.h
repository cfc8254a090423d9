/* SPDX-License-Identifier: Apache-2.0 */
/* export.h: claims to the environment and to request headers. */
#ifndef MAI_EXPORT_H
#define MAI_EXPORT_H

#include <httpd.h>
#include "config.h"
#include "result.h"

/** INTROSPECT_* environment (AuthIntrospectSetEnv) and X-Introspect-*
 * request headers (AuthIntrospectSetHeaders) from res, as chosen by
 * AuthIntrospectExportClaims, ExportClaimsHeader and
 * ExportMaxHeaderBytes; logs once when the cap leaves headers out. */
void mai_export(request_rec *r, const mai_dir_conf_t *c,
                const mai_result_t *res);

#endif
