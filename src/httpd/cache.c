/* SPDX-License-Identifier: Apache-2.0 */
/* cache.c: the socache lifecycle as httpd's own modules do it: provider
 * looked up at config time, initialized in post_config, mutex reattached
 * in child_init. A failing cache server never fails a request. */
#include <apr_strings.h>
#include <apr_atomic.h>
#include <ap_provider.h>
#include <ap_socache.h>
#include <util_mutex.h>
#include <apr_shm.h>
#include <openssl/rand.h>
#include "mai_private.h"
#include "cache.h"
#include "metrics.h"
#include "cache_entry.h"
#include "evict_watch.h"
#include "robust_mutex.h"

#define MAI_MUTEX_TYPE "auth-introspect-cache"
/* Measured with bench/capacity (docs/directives.md): 64 MB holds about
 * 96,000 answers of 600 bytes of JSON, or 100,000 small ones (then the
 * index is the bound); 16 MB held 13,500 small ones. */
#define MAI_SHMCB_DEFAULT_SIZE "67108864"
/* What an entry costs: about 640 bytes sealed (a 600-byte answer and 38
 * bytes of envelope). shmcb sizes its index from this hint: the old 1024
 * gave one index slot per 1,056 bytes, so small answers ran out of slots
 * with most of the memory unused. */
#define MAI_AVG_ENTRY 640
#define MAI_FAULT_LOG_INTERVAL apr_time_from_sec(10)
/* shmcb has one lock for all its memory, taken twice a miss (look-up and
 * store), and finds an entry by comparing every entry of one subcache in
 * turn, twice a miss: a full 64 MB has 128 subcaches of 780. So its
 * memory is split into shards, each a shmcb with a lock of its own and
 * subcaches of about 100 entries at 1 MB, the shard picked by a key byte
 * (keys are HMAC outputs, so shards fill evenly; shmcb picks its subcache
 * by the first byte, so the shard uses another). One shard per
 * MAI_SHMCB_SHARD_MIN bytes, at most MAI_SHMCB_SHARDS. */
#define MAI_SHMCB_SHARDS 64
#define MAI_SHMCB_SHARD_MIN (1024 * 1024)
/* shmcb refuses (and logs at error, each time) an entry larger than one
 * subcache's data area: about 63 KB at 1 MB, more in a larger shard, so a
 * sharded shmcb takes entries of up to half that; a larger answer stays
 * in each process's L1 */
#define MAI_SHMCB_SHARD_VALUE_MAX (MAI_SHMCB_SHARD_MIN / 32)
/* evictions a process must see within one interval before it logs: a
 * purge (which other processes cannot tell from an eviction) removes a
 * few entries, a cache too small for its tokens many */
#define MAI_EVICTIONS_TO_LOG 10

typedef struct {
    ap_socache_instance_t *instance;
    pthread_mutex_t *lock;             /* shmcb: in shared memory */
    apr_global_mutex_t *mutex;         /* other NOTMPSAFE providers */
} mai_cache_shard_t;

/* A shard's lock on a cache line of its own */
typedef union {
    pthread_mutex_t lock;
    char line[64 * ((sizeof(pthread_mutex_t) + 63) / 64)];
} mai_shard_lock_t;

struct mai_cache {
    const ap_socache_provider_t *provider;
    mai_cache_shard_t *shards;
    unsigned int nshards;              /* more than 1 for shmcb only */
    apr_size_t max_value;              /* larger values are not stored */
    const char *name;
    mai_evict_watch_t *evictions;      /* per child, shmcb only */
    volatile apr_uint32_t last_fault;  /* seconds; rate-limits fault logs */
};

/* shmcb's "PATH(SIZE)" as one "PATH.i(SIZE/n)" a shard; n is 1 (and
 * the arguments shmcb's own to judge) when they do not read that way. */
static const char **shmcb_shard_args(apr_pool_t *p, const char *args,
                                     unsigned int *n)
{
    const char *open = strrchr(args, '(');
    apr_size_t len = strlen(args);
    char *end;
    apr_int64_t size;
    const char **out;
    unsigned int i;

    *n = 1;
    out = apr_palloc(p, MAI_SHMCB_SHARDS * sizeof(*out));
    out[0] = args;
    if (!open || open == args || len < 3 || args[len - 1] != ')') {
        return out;
    }
    size = apr_strtoi64(open + 1, &end, 10);
    if (end != args + len - 1 || size < 2 * MAI_SHMCB_SHARD_MIN) {
        return out;
    }
    *n = (unsigned int)(size / MAI_SHMCB_SHARD_MIN);
    if (*n > MAI_SHMCB_SHARDS) {
        *n = MAI_SHMCB_SHARDS;
    }
    for (i = 0; i < *n; i++) {
        out[i] = apr_psprintf(p, "%.*s.%u(%" APR_INT64_T_FMT ")",
                              (int)(open - args), args, i, size / *n);
    }
    return out;
}

static mai_cache_shard_t *shard_of(mai_cache_t *c, const unsigned char *key)
{
    return &c->shards[c->nshards == 1 ? 0 : key[1] % c->nshards];
}

/* 1 when locked. A shmcb part whose last holder died is taken over as it
 * is, as an fcntl lock (httpd's Mutex) would be: what it then reads is
 * opened by AES-GCM, so a torn entry is a miss, never a wrong answer. */
static int shard_lock(mai_cache_shard_t *sh)
{
    if (sh->lock) {
        return mai_robust_mutex_lock(sh->lock) == 0;
    }
    return !sh->mutex || apr_global_mutex_lock(sh->mutex) == APR_SUCCESS;
}

static void shard_unlock(mai_cache_shard_t *sh)
{
    if (sh->lock) {
        pthread_mutex_unlock(sh->lock);
    }
    else if (sh->mutex) {
        apr_global_mutex_unlock(sh->mutex);
    }
}

/* shmcb's parts get robust process-shared mutexes in shared memory of
 * their own (pconf, as shmcb's): no lock file and, uncontended, no
 * system call, where httpd's Mutex under Debian's `Mutex file:` default
 * is an fcntl lock, two system calls a use, four a miss. */
static const char *shmcb_locks(mai_cache_t *c, apr_pool_t *pconf)
{
    apr_shm_t *shm;
    mai_shard_lock_t *locks;
    apr_status_t rv = apr_shm_create(&shm, c->nshards * sizeof(*locks),
                                     NULL, pconf);
    const char *err;
    unsigned int i;

    if (rv != APR_SUCCESS) {
        return apr_psprintf(pconf, "cannot make the cache's locks "
                            "(anonymous shared memory): %pm", &rv);
    }
    locks = apr_shm_baseaddr_get(shm);
    err = mai_robust_mutex_init(pconf, &locks[0].lock, sizeof(*locks),
                                c->nshards);
    if (err) {
        return apr_pstrcat(pconf, "cannot make the cache's locks: ", err,
                           NULL);
    }
    for (i = 0; i < c->nshards; i++) {
        c->shards[i].lock = &locks[i].lock;
    }
    return NULL;
}

const char *mai_cache_create(apr_pool_t *p, const char *provider,
                             const char *args, mai_cache_t **out)
{
    mai_cache_t *c;
    const char *err;
    const char **shard_args = &args;
    unsigned int i;

    *out = NULL;
    if (!strcasecmp(provider, "none")) {
        return NULL;
    }
    c = apr_pcalloc(p, sizeof(*c));
    c->name = apr_pstrdup(p, provider);
    c->nshards = 1;
    if (!strcasecmp(provider, "shmcb")) {
        if (!args) {
            /* the file name is only shmcb's fallback where anonymous
             * shared memory is missing; the size is what matters */
            args = apr_pstrcat(p,
                               ap_runtime_dir_relative(p, "auth_introspect"),
                               "(" MAI_SHMCB_DEFAULT_SIZE ")", NULL);
        }
        shard_args = shmcb_shard_args(p, args, &c->nshards);
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
    c->max_value = c->nshards > 1 ? MAI_SHMCB_SHARD_VALUE_MAX
                                  : MAI_CACHE_MAX_VALUE;
    c->shards = apr_pcalloc(p, c->nshards * sizeof(*c->shards));
    for (i = 0; i < c->nshards; i++) {
        err = c->provider->create(&c->shards[i].instance, shard_args[i], p,
                                  p);
        if (err) {
            return apr_psprintf(p, "socache provider '%s': %s", provider,
                                err);
        }
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
    unsigned int i;

    hints.avg_id_len = MAI_DIGEST_LEN;
    hints.avg_obj_size = MAI_AVG_ENTRY;
    hints.expiry_interval = 30;
    if (!strcasecmp(c->name, "shmcb")) {
        const char *err = shmcb_locks(c, pconf);

        if (err) {
            return err;
        }
    }
    for (i = 0; i < c->nshards; i++) {
        mai_cache_shard_t *sh = &c->shards[i];

        if ((c->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) && !sh->lock) {
            rv = ap_global_mutex_create(&sh->mutex, NULL, MAI_MUTEX_TYPE,
                                        NULL, s, pconf, 0);
            if (rv != APR_SUCCESS) {
                return apr_psprintf(ptemp, "cannot create the cache mutex: "
                                    "%pm", &rv);
            }
        }
        rv = c->provider->init(sh->instance, "mod_auth_introspect", &hints,
                               s, pconf);
        if (rv != APR_SUCCESS) {
            return apr_psprintf(ptemp, "cannot initialize socache '%s': %pm",
                                c->name, &rv);
        }
    }
    return NULL;
}

void mai_cache_child_init(mai_cache_t *c, apr_pool_t *pchild, server_rec *s)
{
    unsigned int i;

    /* a nonce base of this process's own (cache_entry.c) */
    if (c && mai_cache_entry_child_init() != MAI_OK) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, MAI_LOGNO(01400)
                     "cannot prepare sealing for the shared cache in this "
                     "process (random generator or AES-256-GCM failed); "
                     "answers will not be stored there");
    }
    /* shmcb only: nothing else removes its entries before they expire
     * (no flush, no server of its own), so a miss of a fresh one means it
     * is too small; redis and memcached have their own statistics */
    if (c && !strcasecmp(c->name, "shmcb")) {
        c->evictions = mai_evict_watch_create(pchild);
    }
    for (i = 0; c && i < c->nshards; i++) {
        apr_global_mutex_t **m = &c->shards[i].mutex;

        if (*m) {
            apr_global_mutex_child_init(m, apr_global_mutex_lockfile(*m),
                                        pchild);
        }
    }
}

static void fault(mai_cache_t *c, server_rec *s, const char *op,
                  apr_status_t rv)
{
    apr_uint32_t now = (apr_uint32_t)apr_time_sec(apr_time_now());
    apr_uint32_t last = apr_atomic_read32(&c->last_fault);

    mai_metrics_count(strcmp(op, "store") ? MAI_MG_FAULT_LOOKUP
                                           : MAI_MG_FAULT_STORE);

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

/* A fresh answer this process stored is gone: the cache is too small
 * for the tokens in use, and each such miss costs an endpoint call. */
static void evicted(mai_cache_t *c, server_rec *s)
{
    if (!mai_evict_watch_log_due(c->evictions, apr_time_now(),
                                 MAI_FAULT_LOG_INTERVAL,
                                 MAI_EVICTIONS_TO_LOG)) {
        return;
    }
    ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, MAI_LOGNO(01401)
                 "shared cache '%s' is dropping answers before they expire "
                 "(it is too small for the tokens in use), so the endpoint "
                 "is asked again: raise its size, AuthIntrospectCache "
                 "%s:PATH(BYTES) (default 64 MB; logged at most every 10 s)",
                 c->name, c->name);
}

mai_status_t mai_cache_get(mai_cache_t *c, server_rec *s, apr_pool_t *p,
                           const unsigned char *key, unsigned char **data,
                           apr_size_t *len)
{
    mai_cache_shard_t *sh = shard_of(c, key);
    unsigned int n = MAI_CACHE_MAX_VALUE;
    unsigned char *buf = apr_palloc(p, n);
    apr_status_t rv;

    if (!shard_lock(sh)) {
        return MAI_STATUS_CACHE_MISS;
    }
    rv = c->provider->retrieve(sh->instance, s, key, MAI_DIGEST_LEN, buf, &n,
                               p);
    shard_unlock(sh);
    if (rv == APR_NOTFOUND || APR_STATUS_IS_ENOENT(rv)) {
        if (c->evictions
            && mai_evict_watch_missed(c->evictions, key, apr_time_now())) {
            evicted(c, s);
        }
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

int mai_cache_put(mai_cache_t *c, server_rec *s, apr_pool_t *p,
                  const unsigned char *key, apr_time_t expiry,
                  const unsigned char *data, apr_size_t len)
{
    mai_cache_shard_t *sh = shard_of(c, key);
    apr_status_t rv;

    if (len > c->max_value) {
        return 0;
    }
    if (!shard_lock(sh)) {
        return 0;
    }
    rv = c->provider->store(sh->instance, s, key, MAI_DIGEST_LEN, expiry,
                            (unsigned char *)data, (unsigned int)len, p);
    shard_unlock(sh);
    if (rv != APR_SUCCESS) {
        fault(c, s, "store", rv);
        return 0;
    }
    if (c->evictions) {
        mai_evict_watch_stored(c->evictions, key, expiry);
    }
    return 1;
}

/* Providers disagree on what remove says of a missing key, so a retrieve
 * first tells whether there was an entry to count. */
int mai_cache_remove(mai_cache_t *c, server_rec *s, apr_pool_t *p,
                     const unsigned char *key)
{
    mai_cache_shard_t *sh = shard_of(c, key);
    unsigned int n = MAI_CACHE_MAX_VALUE;
    unsigned char *buf = apr_palloc(p, n);
    apr_status_t rv, got;

    if (!shard_lock(sh)) {
        return -1;
    }
    got = c->provider->retrieve(sh->instance, s, key, MAI_DIGEST_LEN, buf,
                                &n, p);
    rv = c->provider->remove(sh->instance, s, key, MAI_DIGEST_LEN, p);
    shard_unlock(sh);
    if (got != APR_SUCCESS && got != APR_NOTFOUND
        && !APR_STATUS_IS_ENOENT(got)) {
        fault(c, s, "purge lookup", got);
        return -1;
    }
    if (rv != APR_SUCCESS && rv != APR_NOTFOUND && !APR_STATUS_IS_ENOENT(rv)
        && got == APR_SUCCESS) {
        fault(c, s, "remove", rv);
        return -1;
    }
    return got == APR_SUCCESS;
}

int mai_cache_add(mai_cache_t *c, server_rec *s, apr_pool_t *p,
                  const unsigned char *key, apr_time_t expiry)
{
    mai_cache_shard_t *sh = shard_of(c, key);
    unsigned char one = 1, buf[8];
    unsigned int n = sizeof(buf);
    apr_status_t got, rv = APR_SUCCESS;

    /* a NOTMPSAFE provider (shmcb) holds the global mutex across both
     * calls, so two processes cannot both find the key absent; redis and
     * memcache have no atomic add through socache (docs/dpop.md) */
    if (!shard_lock(sh)) {
        return -1;
    }
    got = c->provider->retrieve(sh->instance, s, key, MAI_DIGEST_LEN, buf,
                                &n, p);
    if (got == APR_NOTFOUND || APR_STATUS_IS_ENOENT(got)) {
        rv = c->provider->store(sh->instance, s, key, MAI_DIGEST_LEN, expiry,
                                &one, 1, p);
    }
    shard_unlock(sh);
    if (got == APR_SUCCESS) {
        return 0;
    }
    if (got != APR_NOTFOUND && !APR_STATUS_IS_ENOENT(got)) {
        fault(c, s, "lookup", got);
        return -1;
    }
    if (rv != APR_SUCCESS) {
        fault(c, s, "store", rv);
        return -1;
    }
    return 1;
}
