/* SPDX-License-Identifier: Apache-2.0 */
/* dpop_proof.c: CPU time per DPoP proof check, natively, without httpd:
 * the path of mai_dpop_check_request (header check, mai_jws_parse_proof
 * with the proof-key cache, typ, signature, claims, htm/htu/iat/ath,
 * replay key, the server-wide replay table) over N fresh ES256 proofs of one
 * key, made beforehand. Also the two parts that dominate it alone: the
 * verification with a built key and cjose's import of the key. CPU time
 * is this thread's (CLOCK_THREAD_CPUTIME_ID), so other processes on the
 * machine change it less than wall time. Built and run by
 * bench/dpop_proof. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <cjose/cjose.h>
#include "jose.h"
#include "dpop.h"
#include "digest.h"
#include "replay_shm.h"

#define HTU "http://127.0.0.1:8080/p/hello.txt"
#define TOKEN "dpop-bench-token-0123456789abcdef"

static double cpu_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* n compact proofs signed by k, each with its own jti. */
static const char **make_proofs(apr_pool_t *p, cjose_jwk_t *k, int n,
                                apr_int64_t now)
{
    const char **out = apr_palloc(p, n * sizeof(*out));
    const char *pub, *payload, *ser;
    char *s;
    cjose_err err;
    cjose_header_t *h;
    cjose_jws_t *jws;
    int i;

    s = cjose_jwk_to_json(k, false, &err);
    pub = apr_pstrdup(p, s);
    cjose_get_dealloc()(s);
    for (i = 0; i < n; i++) {
        h = cjose_header_new(&err);
        cjose_header_set(h, CJOSE_HDR_ALG, "ES256", &err);
        cjose_header_set(h, "typ", "dpop+jwt", &err);
        cjose_header_set_raw(h, "jwk", pub, &err);
        payload = apr_psprintf(p, "{\"htm\":\"GET\",\"htu\":\"" HTU "\","
                               "\"iat\":%" APR_INT64_T_FMT ",\"jti\":\"j%d\","
                               "\"ath\":\"%s\"}", now, i,
                               mai_dpop_ath(p, TOKEN));
        jws = cjose_jws_sign(k, h, (const uint8_t *)payload,
                             strlen(payload), &err);
        if (jws == NULL || !cjose_jws_export(jws, &ser, &err)) {
            fprintf(stderr, "dpop_proof: cannot sign a proof\n");
            exit(1);
        }
        out[i] = apr_pstrdup(p, ser);
        cjose_jws_release(jws);
        cjose_header_release(h);
    }
    return out;
}

/* One proof through the checks mai_dpop_check_request makes; 1 if it
 * passes. */
static int check(apr_pool_t *r, const char *hdr, mai_key_cache_t *keys,
                 const mai_hmac_key_t *hk, mai_replay_shm_t *replay,
                 const char *htu, apr_int64_t now)
{
    mai_jws_t jws;
    mai_dpop_claims_t cl;
    const char *jkt;
    unsigned char key[MAI_DIGEST_LEN];
    apr_time_t t = apr_time_now();

    return mai_dpop_proof_header(hdr) == MAI_OK
        && mai_jws_parse_proof(r, hdr, strlen(hdr), keys, &jws)
           == MAI_JOSE_OK
        && mai_dpop_typ_ok(jws.typ) && mai_jws_has_jwk(&jws)
        && mai_jws_verify_proof(r, &jws, MAI_JOSE_ASYMMETRIC, keys, &jkt)
           == MAI_JOSE_OK
        && mai_dpop_claims_parse(r, jws.payload, jws.payload_len, &cl)
           == MAI_OK
        && mai_dpop_check_claims(r, &cl, "GET", htu, TOKEN, now, 3600, 30)
           == MAI_OK
        && (mai_dpop_replay_key(r, hk, jkt, cl.jti, key), 1)
        && mai_replay_shm_add(replay, key, t + apr_time_from_sec(120), t)
           == MAI_REPLAY_NEW;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    int cache = !(argc > 2 && strcmp(argv[2], "--no-cache") == 0);
    apr_pool_t *p, *r;
    cjose_err err;
    cjose_jwk_t *k, *imported;
    cjose_jws_t *jws;
    const char **proofs, *htu;
    char *pub;
    mai_key_cache_t *keys;
    mai_hmac_key_t *hk;
    mai_replay_shm_t *replay;
    apr_int64_t now;
    double t0;
    int i, ok = 0;

    if (n < 1 || n > 1000000) {
        fprintf(stderr, "usage: dpop_proof [N] [--no-cache]\n");
        return 2;
    }
    apr_initialize();
    apr_pool_create(&p, NULL);
    apr_pool_create(&r, p);
    now = apr_time_sec(apr_time_now());
    k = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err);
    proofs = make_proofs(p, k, n, now);
    keys = cache ? mai_jose_proof_keys_create(p) : NULL;
    hk = mai_hmac_key_make(p, "bench-cache-secret-0123456789abc", 32);
    if (mai_replay_shm_create(p, 1048576, &replay) != NULL) {
        return 1;
    }
    htu = mai_dpop_htu_normalize(p, HTU);

    t0 = cpu_us();
    for (i = 0; i < n; i++) {
        ok += check(r, proofs[i], keys, hk, replay, htu, now);
        apr_pool_clear(r);
    }
    printf("proof check (%s): %.1f us CPU per proof, %d of %d passed\n",
           cache ? "proof-key cache" : "no cache", (cpu_us() - t0) / n,
           ok, n);

    t0 = cpu_us();
    for (i = 0; i < n; i++) {
        jws = cjose_jws_import(proofs[i], strlen(proofs[i]), &err);
        ok += jws != NULL && cjose_jws_verify(jws, k, &err);
        cjose_jws_release(jws);
    }
    printf("cjose_jws_import + cjose_jws_verify alone: %.1f us\n",
           (cpu_us() - t0) / n);

    pub = cjose_jwk_to_json(k, false, &err);
    t0 = cpu_us();
    for (i = 0; i < n; i++) {
        imported = cjose_jwk_import(pub, strlen(pub), &err);
        cjose_jwk_release(imported);
    }
    printf("cjose_jwk_import of the key alone: %.1f us\n",
           (cpu_us() - t0) / n);
    cjose_get_dealloc()(pub);
    cjose_jwk_release(k);
    apr_pool_destroy(p);
    apr_terminate();
    return ok == 2 * n ? 0 : 1;
}
