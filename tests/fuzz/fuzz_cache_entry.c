/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_cache_entry.c: the sealed shared-cache value.
 *
 * Input, twice over: (1) the bytes of an entry as read back from redis or
 * memcached, opened with a fixed token and lookup key; (2) the plaintext
 * of an entry (byte 0: active flag, bytes 1-8: fetched_at, the rest: the
 * JSON), which must seal, open to exactly what went in, and refuse to
 * open once one bit chosen by the input is flipped, once truncated, or
 * under another token, key or secret. The seeds include entries sealed
 * with the token, key and secret below (sealed_*: version 2, v3_*:
 * version 3), so (1) also walks the successful paths. */
#include <string.h>
#include "fuzz.h"
#include "cache_entry.h"

#define TOKEN "mai-fuzz-token-2YotnFZFEjr1zCsicMWpAA"
#define OVERHEAD (1 + 12 + 16 + 9)

static const unsigned char key[32] = {
    'm', 'a', 'i', '-', 'f', 'u', 'z', 'z', 1, 2, 3, 4, 5, 6, 7, 8,
    9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24
};

/* the cache secret the seeds were sealed with */
#define SECRET "mai-fuzz-cache-secret-0123456789abcdef"

static const mai_hmac_key_t *secret(apr_pool_t *p)
{
    return mai_hmac_key_make(p, SECRET, sizeof(SECRET) - 1);
}

typedef mai_cache_entry_t opened_t;

static mai_status_t open_with(apr_pool_t *p, const mai_hmac_key_t *sk,
                              const char *token, const unsigned char *k,
                              const unsigned char *data, apr_size_t len,
                              opened_t *o)
{
    /* an exactly sized copy: reading past the entry is an ASan report */
    unsigned char *copy = (unsigned char *)mai_fuzz_dup(data, len, 0);
    unsigned char th[MAI_DIGEST_LEN];
    mai_cache_entry_key_t ek;
    mai_status_t st;

    mai_digest_sha256(token, strlen(token), th);
    ek.secret = sk;
    ek.token = token;
    ek.token_hash = th;
    ek.lookup_key = k;
    o->active = -1;
    o->json = NULL;
    st = mai_cache_entry_open(p, &ek, copy, len, o);
    free(copy);
    MAI_FUZZ_ASSERT(st == MAI_OK || st == MAI_STATUS_CACHE_CORRUPT);
    if (st == MAI_OK) {
        MAI_FUZZ_ASSERT(o->active == 0 || o->active == 1);
        MAI_FUZZ_ASSERT(o->json && o->json_len == len - OVERHEAD);
        MAI_FUZZ_ASSERT(o->json[o->json_len] == '\0');
    }
    return st;
}

static mai_status_t open_copy(apr_pool_t *p, const char *token,
                              const unsigned char *k,
                              const unsigned char *data, apr_size_t len,
                              opened_t *o)
{
    return open_with(p, secret(p), token, k, data, len, o);
}

static void roundtrip(apr_pool_t *p, const uint8_t *data, size_t size)
{
    unsigned char *sealed, other[32], th[MAI_DIGEST_LEN];
    apr_size_t len, i, bit;
    apr_uint64_t t = 0;
    opened_t o, in;
    mai_cache_entry_key_t ek;

    for (i = 1; i < 9; i++) {
        t = t << 8 | data[i];
    }
    mai_digest_sha256(TOKEN, strlen(TOKEN), th);
    ek.secret = secret(p);
    ek.token = TOKEN;
    ek.token_hash = th;
    ek.lookup_key = key;
    in.active = data[0] & 1;
    in.fetched_at = (apr_int64_t)t;
    in.json = (const char *)data + 9;
    in.json_len = size - 9;
    MAI_FUZZ_ASSERT(mai_cache_entry_seal(p, &ek, &in, &sealed, &len)
                    == MAI_OK);
    MAI_FUZZ_ASSERT(len == size - 9 + OVERHEAD);
    MAI_FUZZ_ASSERT(open_copy(p, TOKEN, key, sealed, len, &o) == MAI_OK);
    MAI_FUZZ_ASSERT(o.active == (data[0] & 1));
    MAI_FUZZ_ASSERT(o.fetched_at == (apr_int64_t)t);
    MAI_FUZZ_ASSERT(o.json_len == size - 9 &&
                    memcmp(o.json, data + 9, size - 9) == 0);

    MAI_FUZZ_ASSERT(open_copy(p, TOKEN, key, sealed, len - 1, &o) ==
                    MAI_STATUS_CACHE_CORRUPT);
    MAI_FUZZ_ASSERT(open_copy(p, TOKEN "x", key, sealed, len, &o) ==
                    MAI_STATUS_CACHE_CORRUPT);
    MAI_FUZZ_ASSERT(open_with(p, mai_hmac_key_make(p, SECRET "x",
                                                   sizeof(SECRET)),
                              TOKEN, key, sealed, len, &o) ==
                    MAI_STATUS_CACHE_CORRUPT);
    memcpy(other, key, sizeof(other));
    other[31 - (data[1] & 31)] ^= 1;
    MAI_FUZZ_ASSERT(open_copy(p, TOKEN, other, sealed, len, &o) ==
                    MAI_STATUS_CACHE_CORRUPT);
    bit = ((apr_size_t)data[2] << 8 | data[3]) % (len * 8);
    sealed[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    MAI_FUZZ_ASSERT(open_copy(p, TOKEN, key, sealed, len, &o) ==
                    MAI_STATUS_CACHE_CORRUPT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = mai_fuzz_pool();
    opened_t o;

    open_copy(p, TOKEN, key, data, size, &o);
    if (size >= 9) {
        roundtrip(p, data, size);
    }
    mai_fuzz_pool_free(p);
    return 0;
}
