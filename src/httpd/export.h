/* SPDX-License-Identifier: Apache-2.0 */
/* export.h: claims to the environment and to request headers. */
#ifndef MAI_EXPORT_H
#define MAI_EXPORT_H

#include <httpd.h>
#include "config.h"
#include "result.h"
#include "export_plan.h"

/** This location's export options (AuthIntrospectSetEnv, SetHeaders,
 * ExportClaims, ExportClaimsHeader, ExportMaxHeaderBytes). @return 0
 * when it exports nothing. */
int mai_export_opts(const mai_dir_conf_t *c, mai_export_opts_t *o);

/** INTROSPECT_* environment (AuthIntrospectSetEnv) and X-Introspect-*
 * request headers (AuthIntrospectSetHeaders) from res, as chosen by
 * AuthIntrospectExportClaims, ExportClaimsHeader and
 * ExportMaxHeaderBytes; logs once when the cap leaves headers out.
 * prepared: res's exports as prepared when it entered L1, or NULL; used
 * when made for this location's options. */
void mai_export(request_rec *r, const mai_dir_conf_t *c,
                const mai_result_t *res,
                const mai_export_prepared_t *prepared);

#endif
