/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_jose.c: the JWS / JWK set input path (jose.c, signed_claims.c):
 * what an authorization server, a token or a DPoP proof can send.
 *
 * Input: one mode byte, then the bytes.
 *   mode % 3 == 0: a JWK set document: parsed; a set has a key.
 *   mode % 3 == 1: a compact JWS: split and decoded, verified with a fixed
 *                  set (an RSA and an EC key; the seeds hold JWS those
 *                  keys signed), verified with its embedded jwk, then
 *                  twice as a DPoP proof with a run-wide proof-key cache
 *                  (the second time its header may be a cache hit), and
 *                  its payload read as a signed introspection response.
 *   mode % 3 == 2: a JWK (JSON text): its RFC 7638 thumbprint; the same
 *                  text read as a signed introspection response's payload.
 * Invariants: nothing but an allow-listed alg ever verifies, and with
 * the fixed set only under its kids; a thumbprint is 43 base64url
 * characters; a parsed JWS has an alg and a NUL-terminated payload; a
 * proof's outcome and thumbprint with the cache are those without it. */
#include <string.h>
#include "fuzz.h"
/* LeakSanitizer: the run-wide proof-key cache's allocator is reachable
 * only through APR's own (mmap'ed, unscanned) blocks */
#if defined(__SANITIZE_ADDRESS__)
#define MAI_HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MAI_HAVE_LSAN 1
#endif
#endif
#ifdef MAI_HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif
#include "jose.h"
#include "signed_claims.h"
#include "result.h"

/* Public halves only: r1 (RSA 2048), e1 (EC P-256). */
static const char keyset[] =
    "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r1\",\"use\":\"sig\",\""
    "n\":\"pnjZzGpVNxdXHIeTjSMLPJMGdyymIT3qJimE7zdNjaCTllxQCMqicf"
    "eJPvQ9ivlKcGJEyqKzhW7u3F98tSy9-kun2xD-pvIJgEwL7sR8M3HgjH9wrA"
    "wDn9AWANN0DaR3gGrBt1FODb5R7Yg44Q7gZ_bAID7oVGkDu0gbGnMgJsiRbr"
    "N0gPIQMNb7t62mMlJEVwsnk6aT89tUQ0RpbHP3nZk5sci9Wp6RAoSZzXcNj2"
    "I6latLolBprLchocsRgrCN5TuQ4coyyI5rRA088DTh4rs_ru5MulIxu7gNPq"
    "5LQBrDIaRO3BSjm0kncZjgImAE63arBn_Qub-_gG3NwyQKLQ\",\"e\":\"A"
    "QAB\"},{\"kty\":\"EC\",\"kid\":\"e1\",\"use\":\"sig\",\"crv\""
    ":\"P-256\",\"x\":\"vASk4mFit2Ta2DXKDf1NbL7V-Rh4-7nejnHXmAIVR"
    "Qs\",\"y\":\"ZeACxivUCvp6eztArf5bGan0R3FbrUK_bYlieDsX7lw\"}]"
    "}";

static const mai_jwks_t *fixed_set(void)
{
    static apr_pool_t *p;
    static const mai_jwks_t *set;
    const char *why;

    if (!set) {
        /* lives for the whole run, like a process's set */
        apr_pool_create(&p, NULL);
        set = mai_jwks_parse(p, keyset, sizeof(keyset) - 1, &why);
        MAI_FUZZ_ASSERT(set && mai_jwks_count(set) == 2);
    }
    return set;
}

/* The proof-key cache of the run, like a process's. */
static mai_key_cache_t *proof_keys(void)
{
    static apr_pool_t *p;
    static mai_key_cache_t *keys;

    if (!keys) {
#ifdef MAI_HAVE_LSAN
        __lsan_disable();
#endif
        apr_pool_create(&p, NULL);
        keys = mai_jose_proof_keys_create(p);
#ifdef MAI_HAVE_LSAN
        __lsan_enable();
#endif
        MAI_FUZZ_ASSERT(keys != NULL);
    }
    return keys;
}

/* s as a DPoP proof through the cache, twice: what the embedded jwk gave
 * without the cache (plain, tp). */
static void proof_input(apr_pool_t *p, const char *s, size_t n,
                        mai_jose_result_t plain, const char *tp)
{
    mai_jws_t jws;
    const char *tp2;
    int round;

    for (round = 0; round < 2; round++) {
        MAI_FUZZ_ASSERT(mai_jws_parse_proof(p, s, n, proof_keys(), &jws)
                        == MAI_JOSE_OK);
        MAI_FUZZ_ASSERT(jws.alg != NULL && jws.payload != NULL);
        MAI_FUZZ_ASSERT(mai_jws_verify_proof(p, &jws, MAI_JOSE_ASYMMETRIC,
                                             proof_keys(), &tp2) == plain);
        MAI_FUZZ_ASSERT(plain != MAI_JOSE_OK || !strcmp(tp, tp2));
    }
}

static int b64url_only(const char *s)
{
    for (; *s; s++) {
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')
              || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_')) {
            return 0;
        }
    }
    return 1;
}

/* An RFC 9701 payload (signed_claims.c): the answer's bytes, taken from
 * the payload as they are, parse only where the whole payload does. */
static void claims_input(apr_pool_t *p, const char *payload, size_t n)
{
    mai_signed_expect_t e = { "https://as", "rs", 1700000000, 30, 60 };
    const mai_result_t *inner, *whole;
    const char *answer, *why;
    mai_sc_check_t which;
    apr_size_t alen;

    if (mai_signed_claims(p, payload, n, &e, &answer, &alen, &which, &why)
        == MAI_OK) {
        MAI_FUZZ_ASSERT(answer && strlen(answer) == alen && answer[0] == '{');
        if (mai_result_parse(p, answer, alen, &inner) == MAI_OK) {
            MAI_FUZZ_ASSERT(mai_result_parse(p, payload, n, &whole)
                            == MAI_OK);
        }
    }
    else {
        MAI_FUZZ_ASSERT(answer == NULL && which != MAI_SC_OK);
    }
}

static void jws_input(apr_pool_t *p, const char *s, size_t n)
{
    const char *tp;
    mai_jws_t jws;
    mai_jose_result_t r = mai_jws_parse(p, s, n, &jws);

    if (r != MAI_JOSE_OK) {
        return;
    }
    MAI_FUZZ_ASSERT(jws.alg != NULL && jws.payload != NULL);
    MAI_FUZZ_ASSERT(strlen(jws.payload) <= jws.payload_len);
    if (mai_jws_verify(&jws, fixed_set(), MAI_JOSE_ASYMMETRIC)
        == MAI_JOSE_OK) {
        MAI_FUZZ_ASSERT(mai_jose_alg_bit(jws.alg) != 0);
        MAI_FUZZ_ASSERT(!jws.kid || !strcmp(jws.kid, "r1")
                        || !strcmp(jws.kid, "e1"));
    }
    /* the caller's allow-list is honoured: nothing verifies under none */
    MAI_FUZZ_ASSERT(mai_jws_verify(&jws, fixed_set(), 0) != MAI_JOSE_OK);
    r = mai_jws_verify_embedded(p, &jws, MAI_JOSE_ASYMMETRIC, &tp);
    if (r == MAI_JOSE_OK) {
        MAI_FUZZ_ASSERT(mai_jose_alg_bit(jws.alg) != 0);
        MAI_FUZZ_ASSERT(tp && strlen(tp) == 43 && b64url_only(tp));
    }
    proof_input(p, s, n, r, tp);
    claims_input(p, jws.payload, jws.payload_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    char *s;
    const char *why, *tp;
    mai_jwks_t *set;

    if (size < 1) {
        return 0;
    }
    p = mai_fuzz_pool();
    s = mai_fuzz_dup(data + 1, size - 1, data[0] % 3 == 2);
    switch (data[0] % 3) {
    case 0:
        set = mai_jwks_parse(p, s, size - 1, &why);
        MAI_FUZZ_ASSERT(set ? mai_jwks_count(set) > 0 : why != NULL);
        break;
    case 1:
        jws_input(p, s, size - 1);
        break;
    default:
        tp = mai_jwk_thumbprint(p, s);
        MAI_FUZZ_ASSERT(!tp || (strlen(tp) == 43 && b64url_only(tp)));
        claims_input(p, s, size - 1);
        break;
    }
    free(s);
    mai_fuzz_pool_free(p);
    return 0;
}
