/* SPDX-License-Identifier: Apache-2.0 */
/* dpop_request.c: the httpd half of a DPoP proof check: the request's
 * own method and URI, the signature through jose.h, the replay store
 * (the shared cache, else this process's table). Each refusal has a log
 * line of its own saying which check failed; neither the proof nor the
 * token is ever logged (the token by its hash prefix only). */
#include <locale.h>
#include <pthread.h>
#include <apr_strings.h>
#include "mai_private.h"
#include "dpop_request.h"
#include "dpop.h"
#include "jose.h"
#include "cache.h"
#include "replay_table.h"
#include "replay_shm.h"

/* The request the client sent: a subrequest or internal redirect is
 * checked against the method and URI the proof was made for. */
static request_rec *client_request(request_rec *r)
{
    int i;

    /* bounded: httpd stops internal redirects after 10 by default */
    for (i = 0; i < 100 && (r->main || r->prev); i++) {
        r = r->main ? r->main : r->prev;
    }
    return r;
}

/* scheme, host and port as httpd reports them: ap_http_scheme (the
 * scheme of ServerName when it has one, else http or https per mod_ssl),
 * the Host header or ServerName and the port per UseCanonicalName. Behind
 * a TLS-terminating proxy: ServerName https://public.example and
 * UseCanonicalName On (docs/dpop.md). */
static const char *request_htu(request_rec *r)
{
    return mai_dpop_request_htu(r->pool, ap_http_scheme(r),
                                ap_get_server_name_for_url(r),
                                ap_get_server_port(r), r->parsed_uri.path);
}

/* One line per kind of refusal, each with its own tag. */
static mai_status_t refuse(request_rec *r, mai_req_state_t *st,
                           mai_status_t s, const char *detail)
{
    const char *id = mai_state_token_id(r, st);

    switch (s) {
    case MAI_STATUS_DPOP_PROOF_MISSING:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01900)
                      "token %s: DPoP scheme without a DPoP header", id);
        break;
    case MAI_STATUS_DPOP_PROOF_MULTIPLE:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01901)
                      "token %s: more than one DPoP header", id);
        break;
    case MAI_STATUS_DPOP_PROOF_MALFORMED:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01902)
                      "token %s: DPoP proof malformed: %s", id, detail);
        break;
    case MAI_STATUS_DPOP_PROOF_TYP:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01903)
                      "token %s: DPoP proof typ is not dpop+jwt", id);
        break;
    case MAI_STATUS_DPOP_PROOF_ALG:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01904)
                      "token %s: DPoP proof alg %s is not allowed (one "
                      "of " MAI_DPOP_ALGS ")", id, detail);
        break;
    case MAI_STATUS_DPOP_PROOF_KEY:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01905)
                      "token %s: DPoP proof jwk: %s", id, detail);
        break;
    case MAI_STATUS_DPOP_PROOF_SIGNATURE:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01906)
                      "token %s: DPoP proof signature: %s", id, detail);
        break;
    case MAI_STATUS_DPOP_PROOF_HTM:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01907)
                      "token %s: DPoP proof htm is not the method %s", id,
                      detail);
        break;
    case MAI_STATUS_DPOP_PROOF_HTU:
        /* both URIs: what makes a proxy set-up right (docs/dpop.md) */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01908)
                      "token %s: DPoP proof htu is not this request's "
                      "URI: %s", id, detail);
        break;
    case MAI_STATUS_DPOP_PROOF_IAT:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01909)
                      "token %s: DPoP proof iat outside the window: %s",
                      id, detail);
        break;
    case MAI_STATUS_DPOP_PROOF_ATH:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01910)
                      "token %s: DPoP proof ath is not the hash of the "
                      "token sent", id);
        break;
    case MAI_STATUS_DPOP_PROOF_REPLAY:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01911)
                      "token %s: DPoP proof jti used before (%s)", id,
                      detail);
        break;
    case MAI_STATUS_DPOP_PROOF_NONCE:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAI_LOGNO(01914)
                      "token %s: DPoP proof %s server nonce "
                      "(AuthIntrospectDPoPNonce On): answered "
                      "use_dpop_nonce with a fresh DPoP-Nonce", id, detail);
        break;
    default:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAI_LOGNO(01912)
                      "token %s: DPoP proof check failed: %s", id,
                      mai_status_reason(s));
        break;
    }
    return s;
}

static mai_status_t jose_status(mai_jose_result_t j)
{
    switch (j) {
    case MAI_JOSE_OK:
        return MAI_OK;
    case MAI_JOSE_ALG:
        return MAI_STATUS_DPOP_PROOF_ALG;
    case MAI_JOSE_BAD_KEY:
    case MAI_JOSE_UNKNOWN_KID:
        return MAI_STATUS_DPOP_PROOF_KEY;
    case MAI_JOSE_SIGNATURE:
        return MAI_STATUS_DPOP_PROOF_SIGNATURE;
    default:
        return MAI_STATUS_DPOP_PROOF_MALFORMED;
    }
}

/* The jti in the server-wide table (shmcb or none): one step under its
 * set's lock, so no other request of any process waits on it. */
static mai_status_t remember_shm(request_rec *r, mai_req_state_t *st,
                                 const unsigned char *key,
                                 apr_time_t expiry, apr_time_t now)
{
    switch (mai_replay_shm_add(mai_proc.dpop_replay_shm, key, expiry,
                               now)) {
    case MAI_REPLAY_NEW:
        return MAI_OK;
    case MAI_REPLAY_SEEN:
        return refuse(r, st, MAI_STATUS_DPOP_PROOF_REPLAY,
                      "the server's replay table");
    case MAI_REPLAY_FULL:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, MAI_LOGNO(02100)
                      "token %s: the DPoP replay table is full near this "
                      "proof's slot: refused rather than unremembered "
                      "(raise AuthIntrospectDPoPReplayEntries)",
                      mai_state_token_id(r, st));
        return MAI_STATUS_DPOP_PROOF_REPLAY;
    default:
        return refuse(r, st, MAI_STATUS_INTERNAL, "replay table lock");
    }
}

/* The jti, under the thumbprint of the key that signed it, remembered
 * for as long as its proof could pass the iat check: in the server-wide
 * table (shmcb or none), else in the shared cache (redis or memcache:
 * every server), else, or while that cache fails, in this process's
 * table. */
static mai_status_t remember(request_rec *r, const mai_dir_conf_t *c,
                             mai_req_state_t *st, const char *jkt,
                             const char *jti, apr_time_t now)
{
    unsigned char key[MAI_DIGEST_LEN];
    apr_time_t expiry = now + apr_time_from_sec(mai_dpop_replay_ttl(
        mai_conf_dpop_window(c), mai_conf_clock_skew(c)));
    int added = -1;

    mai_dpop_replay_key(r->pool, mai_proc.cache_secret, jkt, jti, key);
    if (mai_proc.dpop_replay_shm) {
        return remember_shm(r, st, key, expiry, now);
    }
    if (mai_proc.cache) {
        added = mai_cache_add(mai_proc.cache, r->server, r->pool, key,
                              expiry);
    }
    if (added == 1) {
        return MAI_OK;
    }
    if (added == 0) {
        return refuse(r, st, MAI_STATUS_DPOP_PROOF_REPLAY, "shared cache");
    }
    if (!mai_proc.dpop_replay) {
        return refuse(r, st, MAI_STATUS_INTERNAL, "no replay store");
    }
    switch (mai_replay_table_add(mai_proc.dpop_replay, key, expiry, now)) {
    case MAI_REPLAY_NEW:
        return MAI_OK;
    case MAI_REPLAY_SEEN:
        return refuse(r, st, MAI_STATUS_DPOP_PROOF_REPLAY,
                      "this process's table");
    default:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, MAI_LOGNO(01913)
                      "token %s: this process's DPoP replay table is full "
                      "near this proof's slot: refused rather than "
                      "unremembered (use a shared AuthIntrospectCache)",
                      mai_state_token_id(r, st));
        return MAI_STATUS_DPOP_PROOF_REPLAY;
    }
}

static mai_status_t check_proof(request_rec *r, const mai_dir_conf_t *c,
                                mai_req_state_t *st, const char **jkt)
{
    request_rec *cr = client_request(r);
    const char *hdr = apr_table_get(cr->headers_in, "DPoP"), *htu;
    mai_jws_t jws;
    mai_dpop_claims_t cl;
    mai_jose_result_t j;
    mai_status_t s;
    apr_time_t now = apr_time_now();
    apr_int64_t sec = apr_time_sec(now);

    *jkt = NULL;
    s = mai_dpop_proof_header(hdr);
    if (s != MAI_OK) {
        return refuse(r, st, s, "not a compact JWS");
    }
    if (mai_jws_parse_proof(r->pool, hdr, strlen(hdr), mai_proc.proof_keys,
                            &jws) != MAI_JOSE_OK) {
        return refuse(r, st, MAI_STATUS_DPOP_PROOF_MALFORMED,
                      "not a compact JWS");
    }
    if (!mai_dpop_typ_ok(jws.typ)) {
        return refuse(r, st, MAI_STATUS_DPOP_PROOF_TYP, NULL);
    }
    /* before the key is even read: none, HS256 and unknown names never
     * get near a verifier */
    if (!jws.alg || !(mai_jose_alg_bit(jws.alg) & MAI_JOSE_ASYMMETRIC)) {
        return refuse(r, st, MAI_STATUS_DPOP_PROOF_ALG,
                      jws.alg ? ap_escape_logitem(r->pool, jws.alg) : "-");
    }
    if (!mai_jws_has_jwk(&jws)) {
        return refuse(r, st, MAI_STATUS_DPOP_PROOF_KEY, "missing");
    }
    j = mai_jws_verify_proof(r->pool, &jws, MAI_JOSE_ASYMMETRIC,
                             mai_proc.proof_keys, jkt);
    s = jose_status(j);
    if (s != MAI_OK) {
        *jkt = NULL;
        return refuse(r, st, s, s == MAI_STATUS_DPOP_PROOF_ALG
                      ? ap_escape_logitem(r->pool, jws.alg)
                      : mai_jose_reason(j));
    }
    if (mai_dpop_claims_parse(r->pool, jws.payload, jws.payload_len, &cl)
        != MAI_OK) {
        return refuse(r, st, MAI_STATUS_DPOP_PROOF_MALFORMED,
                      "claims htm, htu, iat, jti, ath missing or mistyped");
    }
    htu = request_htu(cr);
    s = mai_dpop_check_claims(r->pool, &cl, cr->method, htu, st->token, sec,
                              mai_conf_dpop_window(c),
                              mai_conf_clock_skew(c));
    switch (s) {
    case MAI_OK:
        break;
    case MAI_STATUS_DPOP_PROOF_HTM:
        return refuse(r, st, s, cr->method);
    case MAI_STATUS_DPOP_PROOF_HTU:
        return refuse(r, st, s, apr_psprintf(
            r->pool, "proof %s, request %s",
            ap_escape_logitem(r->pool, cl.htu), htu ? htu : "-"));
    case MAI_STATUS_DPOP_PROOF_IAT:
        return refuse(r, st, s, apr_psprintf(
            r->pool, "iat %" APR_INT64_T_FMT ", now %" APR_INT64_T_FMT
            ", window %d s, skew %d s", cl.iat, sec,
            mai_conf_dpop_window(c), mai_conf_clock_skew(c)));
    default:
        return refuse(r, st, s, NULL);
    }
    /* after the signature (a nonce is worth nothing in a forged proof),
     * before the jti is spent: the client retries with the same key */
    if (mai_conf_dpop_nonce(c)
        && !mai_dpop_nonce_ok(r->pool, mai_proc.cache_secret, cl.nonce,
                              sec)) {
        apr_table_setn(r->err_headers_out, "DPoP-Nonce",
                       mai_dpop_nonce(r->pool, mai_proc.cache_secret, sec));
        return refuse(r, st, MAI_STATUS_DPOP_PROOF_NONCE,
                      cl.nonce ? "has no current" : "lacks the");
    }
    return remember(r, c, st, *jkt, cl.jti, now);
}

/* The "C" locale object: glibc hands out one static object for it, never
 * freed (other C libraries allocate it once here). */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* The check runs with this thread's locale set to "C". json-c (0.14 and
 * later) switches to a "C" LC_NUMERIC around every json_tokener_parse_ex
 * call with duplocale, newlocale and freelocale, which in glibc take the
 * process-wide locale lock for writing unless the thread's locale is
 * already the "C" object: two JSON documents a proof (header, claims) made
 * six write locks of one lock shared by all of httpd's threads. Parsing
 * is the same either way (json-c parses numbers in "C"; jansson, OpenSSL
 * and httpd's logging do not depend on the locale). */
mai_status_t mai_dpop_check_request(request_rec *r, const mai_dir_conf_t *c,
                                    mai_req_state_t *st, const char **jkt)
{
    locale_t old = (locale_t)0;
    mai_status_t s;

    pthread_once(&c_locale_once, make_c_locale);
    if (c_locale != (locale_t)0) {
        old = uselocale(c_locale);
    }
    s = check_proof(r, c, st, jkt);
    if (old != (locale_t)0) {
        uselocale(old);
    }
    return s;
}
