/* SPDX-License-Identifier: Apache-2.0 */
/* purge_form.h: what a purge request asks for (SetHandler
 * auth-introspect-purge): the SHA-256 of one token, from a urlencoded
 * form with token=... or token_sha256=<64 hex>. Pure. */
#ifndef MAI_PURGE_FORM_H
#define MAI_PURGE_FORM_H

#include <apr_pools.h>
#include "status.h"
#include "digest.h"

/** The largest purge body read: a token of MAI_TOKEN_MAX_LEN bytes,
 * every byte percent-encoded, and room for the field name. */
#define MAI_PURGE_BODY_MAX (3 * 4096 + 64)

/** True when a Content-Type value is application/x-www-form-urlencoded
 * (any case, parameters such as charset allowed). NULL is false. */
int mai_purge_form_type_ok(const char *content_type);

/**
 * The token hash a purge body of len bytes names. Exactly one of the
 * fields token (a valid bearer token: its SHA-256 is taken) or
 * token_sha256 (64 hex digits, either case) must be present, once;
 * other fields are ignored. MAI_OK with hash set; MAI_STATUS_MALFORMED
 * with *why (a static text naming no value) otherwise.
 */
mai_status_t mai_purge_form_parse(apr_pool_t *p, const char *body,
                                  apr_size_t len,
                                  unsigned char hash[MAI_DIGEST_LEN],
                                  const char **why);

#endif
