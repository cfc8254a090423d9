/* SPDX-License-Identifier: Apache-2.0 */
/* cache.c: the socache lifecycle as httpd's own modules do it: provider
 * looked up at config time, initialized in post_config, mutex reattached
 * in child_init. A failing cache server never fails a request. */
#include <apr_strings.h>
#include <apr_atomic.h>
#include <ap_provider.h>
#include <ap_socache.h>
#include <util_mutex.h>
#include <openssl/rand.h>
#include "mai_private.h"
#include "cache.h"
#include "cache_entry.h"

#define MAI_MUTEX_TYPE "auth-introspect-cache"
/* shmcb's own default (512 KB) holds about 1,300 answers; 16 MB holds
 * about 40,000, enough for the default 10,000 per process L1s to sit on */
#define MAI_SHMCB_DEFAULT_SIZE "16777216"
#define MAI_FAULT_LOG_INTERVAL apr_time_from_sec(10)

struct mai_cache {
    const ap_socache_provider_t *provider;
    ap_socache_instance_t *instance;
    const char *name;
    apr_global_mutex_t *mutex;         /* only for NOTMPSAFE providers */
    volatile apr_uint32_t last_fault;  /* seconds; rate-limits fault logs */
};

const char *mai_cache_create(apr_pool_t *p, const char *provider,
                             const char *args, mai_cache_t **out)
{
    mai_cache_t *c;
    const char *err;

    *out = NULL;
    if (!strcasecmp(provider, "none")) {
        return NULL;
    }
    c = apr_pcalloc(p, sizeof(*c));
    c->name = apr_pstrdup(p, provider);
    if (!strcasecmp(provider, "shmcb") && !args) {
        /* the file name is only shmcb's fallback where anonymous shared
         * memory is missing; the size is what matters */
        args = apr_pstrcat(p, ap_runtime_dir_relative(p, "auth_introspect"),
                           "(" MAI_SHMCB_DEFAULT_SIZE ")", NULL);
    }
    c->provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, provider,
                                     AP_SOCACHE_PROVIDER_VERSION);
    if (!c->provider) {
        return apr_psprintf(p, "socache provider '%s' is not available: "
                            "load it first (LoadModule socache_%s_module "
                            "modules/mod_socache_%s.so, or a2enmod "
                            "socache_%s)", provider, provider, provider,
                            provider);
    }
    err = c->provider->create(&c->instance, args, p, p);
    if (err) {
        return apr_psprintf(p, "socache provider '%s': %s", provider, err);
    }
    *out = c;
    return NULL;
}

const char *mai_cache_secret_setup(apr_pool_t *pconf, server_rec *s,
                                   const char *configured,
                                   const mai_hmac_key_t **out)
{
    static const char tag[] = "mai_cache_random_secret";
    apr_pool_t *keep = s->process->pool;
    void *random = NULL;
    const void *secret = configured;
    apr_size_t len = configured ? strlen(configured) : 0;

    if (!configured) {
        /* shmcb and none only (config_check refuses the rest): the cache
         * never leaves this process tree, so a secret of our own will do */
        apr_pool_userdata_get(&random, tag, keep);
        if (!random) {
            random = apr_palloc(keep, MAI_CACHE_SECRET_MIN);
            if (RAND_bytes(random, MAI_CACHE_SECRET_MIN) != 1) {
                return "cannot make a random cache secret (RAND_bytes)";
            }
            apr_pool_userdata_set(random, tag, NULL, keep);
        }
        secret = random;
        len = MAI_CACHE_SECRET_MIN;
    }
    *out = mai_hmac_key_make(pconf, secret, len);
    return *out ? NULL : "cannot prepare the cache secret (SHA-256 failed)";
}

/* The mutex type must be registered before the config is read, so
 * `Mutex` can configure it; the glue calls this from pre_config. */
void mai_cache_register_mutex(apr_pool_t *pconf)
{
    ap_mutex_register(pconf, MAI_MUTEX_TYPE, NULL, APR_LOCK_DEFAULT, 0);
}

const char *mai_cache_init(mai_cache_t *c, apr_pool_t *pconf,
                           apr_pool_t *ptemp, server_rec *s)
{
    struct ap_socache_hints hints = { 0 };
    apr_status_t rv;

    hints.avg_id_len = MAI_DIGEST_LEN;
    hints.avg_obj_size = 1024;
    hints.expiry_interval = 30;
    if (c->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) {
        rv = ap_global_mutex_create(&c->mutex, NULL, MAI_MUTEX_TYPE, NULL, s,
                                    pconf, 0);
        if (rv != APR_SUCCESS) {
            return apr_psprintf(ptemp, "cannot create the cache mutex: %pm",
                                &rv);
        }
    }
    rv = c->provider->init(c->instance, "mod_auth_introspect", &hints, s,
                           pconf);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(ptemp, "cannot initialize socache '%s': %pm",
                            c->name, &rv);
    }
    return NULL;
}

void mai_cache_child_init(mai_cache_t *c, apr_pool_t *pchild, server_rec *s)
{
    /* a nonce base of this process's own (cache_entry.c) */
    if (c && mai_cache_entry_child_init() != MAI_OK) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, MAI_LOGNO(01400)
                     "cannot prepare sealing for the shared cache in this "
                     "process (random generator or AES-256-GCM failed); "
                     "answers will not be stored there");
    }
    if (c && c->mutex) {
        const char *f = apr_global_mutex_lockfile(c->mutex);
        apr_global_mutex_child_init(&c->mutex, f, pchild);
    }
}

static void fault(mai_cache_t *c, server_rec *s, const char *op,
                  apr_status_t rv)
{
    apr_uint32_t now = (apr_uint32_t)apr_time_sec(apr_time_now());
    apr_uint32_t last = apr_atomic_read32(&c->last_fault);

    /* one line per 10 s per process, whichever thread wins the swap */
    if (now - last < apr_time_sec(MAI_FAULT_LOG_INTERVAL)
        || apr_atomic_cas32(&c->last_fault, now, last) != last) {
        return;
    }
    ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, MAI_LOGNO(00601)
                 "shared cache '%s' %s failed; answering from the "
                 "introspection endpoint until it recovers (logged at most "
                 "every 10 s)", c->name, op);
}

mai_status_t mai_cache_get(mai_cache_t *c, server_rec *s, apr_pool_t *p,
                           const unsigned char *key, unsigned char **data,
                           apr_size_t *len)
{
    unsigned int n = MAI_CACHE_MAX_VALUE;
    unsigned char *buf = apr_palloc(p, n);
    apr_status_t rv;

    if (c->mutex && apr_global_mutex_lock(c->mutex) != APR_SUCCESS) {
        return MAI_STATUS_CACHE_MISS;
    }
    rv = c->provider->retrieve(c->instance, s, key, MAI_DIGEST_LEN, buf, &n,
                               p);
    if (c->mutex) {
        apr_global_mutex_unlock(c->mutex);
    }
    if (rv == APR_NOTFOUND || APR_STATUS_IS_ENOENT(rv)) {
        return MAI_STATUS_CACHE_MISS;
    }
    if (rv != APR_SUCCESS) {
        fault(c, s, "lookup", rv);
        return MAI_STATUS_CACHE_MISS;
    }
    *data = buf;
    *len = n;
    return MAI_OK;
}

void mai_cache_put(mai_cache_t *c, server_rec *s, apr_pool_t *p,
                   const unsigned char *key, apr_time_t expiry,
                   const unsigned char *data, apr_size_t len)
{
    apr_status_t rv;

    if (len > MAI_CACHE_MAX_VALUE) {
        return;
    }
    if (c->mutex && apr_global_mutex_lock(c->mutex) != APR_SUCCESS) {
        return;
    }
    rv = c->provider->store(c->instance, s, key, MAI_DIGEST_LEN, expiry,
                            (unsigned char *)data, (unsigned int)len, p);
    if (c->mutex) {
        apr_global_mutex_unlock(c->mutex);
    }
    if (rv != APR_SUCCESS) {
        fault(c, s, "store", rv);
    }
}
