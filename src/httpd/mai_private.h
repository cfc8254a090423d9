/* SPDX-License-Identifier: Apache-2.0 */
/* mai_private.h: what every httpd-facing file shares: the module record,
 * per-module log levels, and the process-wide state. */
#ifndef MAI_PRIVATE_H
#define MAI_PRIVATE_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_core.h>
#include <http_protocol.h>
#include "log.h"
#include "config.h"

extern module AP_MODULE_DECLARE_DATA auth_introspect_module;
#if defined(APLOG_USE_MODULE) && !defined(MAI_GLUE)
APLOG_USE_MODULE(auth_introspect);
#endif

struct mai_cache;
struct mai_endpoints;
struct mai_l1;
struct mai_flights;
struct mai_hmac_key;
struct mai_purge_journal;
struct mai_purge_reader;
struct mai_purge_scopes;
struct mai_scope_keys;
struct mai_discovery;
struct mai_replay_table;
struct mai_jwks_cache;
struct mai_key_cache;

/** Process-wide state, set up in post_config and child_init. */
typedef struct mai_process {
    struct mai_cache *cache;           /* shared cache (L2), or NULL */
    struct mai_endpoints *endpoints;   /* post_config; each child its copy */
    struct mai_l1 *l1;                 /* per child, or NULL */
    struct mai_flights *flights;       /* per child */
    const struct mai_hmac_key *cache_secret;  /* keys L1, L2 and entries */
    struct mai_purge_journal *purge_journal;  /* post_config, shared */
    struct mai_purge_reader *purge_reader;    /* per child, or NULL */
    struct mai_purge_scopes *purge_scopes;    /* post_config */
    int l1_recheck;      /* seconds; 0 = L1 answers are never rechecked */
    struct mai_scope_keys *scope_keys; /* per child: prepared key prefixes */
    struct mai_discovery *discovery;   /* per child: RFC 8414 documents */
    struct mai_replay_table *dpop_replay; /* per child: DPoP jti seen
                                           * here, without (or when
                                           * failing) the shared cache */
    struct mai_jwks_cache *jwks;       /* per child: JWK sets */
    struct mai_key_cache *proof_keys;  /* per child: DPoP proof keys */
    struct mai_replay_shm *dpop_replay_shm; /* post_config, shared: DPoP
                                           * jti of every process, with
                                           * shmcb or none */
} mai_process_t;

extern mai_process_t mai_proc;

static APR_INLINE mai_dir_conf_t *mai_dconf(request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &auth_introspect_module);
}

#endif
