/* SPDX-License-Identifier: Apache-2.0 */
/* token_prf.c: SipHash-2-4 with 128-bit output (Aumasson and Bernstein,
 * "SipHash: a fast short-input PRF", and its reference code's 128-bit
 * variant), written out here: through OpenSSL's EVP_MAC the same hash of
 * a 40-byte token cost about 1,300 instructions under callgrind, most of
 * it the provider's dispatch and parameter handling around some 250 of
 * hashing. test_token_prf holds it to the reference vectors and to
 * OpenSSL's EVP_MAC "SIPHASH" (size 16) on many inputs. The key comes
 * from OpenSSL's RAND_bytes. */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <apr.h>
#include "token_prf.h"

#define KEY_LEN 16              /* SipHash's key */

struct mai_token_prf {
    apr_uint64_t k0, k1;
};

#define ROTL(x, b) (apr_uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND                                                        \
    do {                                                                \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);       \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                          \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                          \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);       \
    } while (0)

/* little-endian, whatever the machine's order (one load where the
 * machine is little-endian, as the x86 and ARM servers are) */
static apr_uint64_t load64(const unsigned char *p)
{
#if !APR_IS_BIGENDIAN
    apr_uint64_t v;

    memcpy(&v, p, sizeof(v));
    return v;
#else
    return (apr_uint64_t)p[0] | (apr_uint64_t)p[1] << 8
           | (apr_uint64_t)p[2] << 16 | (apr_uint64_t)p[3] << 24
           | (apr_uint64_t)p[4] << 32 | (apr_uint64_t)p[5] << 40
           | (apr_uint64_t)p[6] << 48 | (apr_uint64_t)p[7] << 56;
#endif
}

static void store64(unsigned char *p, apr_uint64_t v)
{
    int i;

    for (i = 0; i < 8; i++) {
        p[i] = (unsigned char)(v >> (8 * i));
    }
}

mai_token_prf_t *mai_token_prf_create_key(apr_pool_t *p,
                                          const unsigned char key[KEY_LEN])
{
    mai_token_prf_t *k = apr_palloc(p, sizeof(*k));

    k->k0 = load64(key);
    k->k1 = load64(key + 8);
    return k;
}

mai_token_prf_t *mai_token_prf_create(apr_pool_t *p)
{
    unsigned char key[KEY_LEN];
    mai_token_prf_t *k;

    if (RAND_bytes(key, KEY_LEN) != 1) {
        return NULL;
    }
    k = mai_token_prf_create_key(p, key);
    /* the key lives on only in k */
    OPENSSL_cleanse(key, KEY_LEN);
    return k;
}

int mai_token_prf(const mai_token_prf_t *k, const void *data,
                  apr_size_t len, unsigned char out[MAI_PRF_LEN])
{
    const unsigned char *in = data, *end = in + (len & ~(apr_size_t)7);
    apr_uint64_t v0 = 0x736f6d6570736575ULL ^ k->k0;
    apr_uint64_t v1 = 0x646f72616e646f6dULL ^ k->k1 ^ 0xee;  /* 128-bit */
    apr_uint64_t v2 = 0x6c7967656e657261ULL ^ k->k0;
    apr_uint64_t v3 = 0x7465646279746573ULL ^ k->k1;
    apr_uint64_t b = (apr_uint64_t)len << 56, m;
    int left = (int)(len & 7), i;

    for (; in != end; in += 8) {
        m = load64(in);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    for (i = left - 1; i >= 0; i--) {
        b |= (apr_uint64_t)in[i] << (8 * i);
    }
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xee;
    for (i = 0; i < 4; i++) {
        SIPROUND;
    }
    store64(out, v0 ^ v1 ^ v2 ^ v3);
    v1 ^= 0xdd;
    for (i = 0; i < 4; i++) {
        SIPROUND;
    }
    store64(out + 8, v0 ^ v1 ^ v2 ^ v3);
    return 1;
}
