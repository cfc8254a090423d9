/* SPDX-License-Identifier: Apache-2.0 */
/* test_config.c: defaults, setters and the field-by-field merge. For every
 * field: the default when neither section sets it, an unset inner section
 * inherits, a set inner section overrides, and an inner section that sets
 * the default value still overrides the outer one. */
#include "unit.h"
#include "config.h"

typedef struct {
    mai_dir_conf_t *base;
    mai_dir_conf_t *add;
} pair_t;

static pair_t fresh(apr_pool_t *p)
{
    pair_t t;
    t.base = mai_dir_conf_create(p);
    t.add = mai_dir_conf_create(p);
    return t;
}

static const mai_dir_conf_t *merge(apr_pool_t *p, pair_t t)
{
    return mai_dir_conf_merge(p, t.base, t.add);
}

/* An empty outer and an empty inner section, merged. */
static const mai_dir_conf_t *merged_empty(apr_pool_t *p)
{
    return merge(p, fresh(p));
}

static void ok(const char *err, const char *what)
{
    if (err) {
        fail_msg("%s rejected: %s", what, err);
    }
}

static void bad(const char *err, const char *what)
{
    if (!err) {
        fail_msg("%s accepted", what);
    }
    assert_true(strlen(err) > 0);
}

#define OK(call) ok((call), #call)
#define BAD(call) bad((call), #call)

/* ---- endpoint ---- */

static void test_endpoint(void **state)
{
    apr_pool_t *p = *state;
    pair_t t;
    const mai_dir_conf_t *m;
    const mai_url_t *u;

    assert_null(mai_conf_endpoint(mai_dir_conf_create(p)));
    assert_null(mai_conf_endpoint_text(merged_empty(p)));
    assert_null(mai_conf_endpoint(merged_empty(p)));

    t = fresh(p);
    OK(mai_conf_set_endpoint(p, t.base, "https://as.example/introspect"));
    m = merge(p, t);
    assert_string_equal(mai_conf_endpoint_text(m),
                        "https://as.example/introspect");
    u = mai_conf_endpoint(m);
    assert_non_null(u);
    assert_int_equal(u->tls, 1);
    assert_string_equal(u->host, "as.example");
    assert_int_equal(u->port, 443);
    assert_string_equal(u->path, "/introspect");

    /* the inner URL and its parsed form replace the outer ones together */
    OK(mai_conf_set_endpoint(p, t.add, "http://127.0.0.1:8080/i"));
    m = merge(p, t);
    assert_string_equal(mai_conf_endpoint_text(m), "http://127.0.0.1:8080/i");
    u = mai_conf_endpoint(m);
    assert_int_equal(u->tls, 0);
    assert_string_equal(u->host, "127.0.0.1");
    assert_int_equal(u->port, 8080);
    assert_string_equal(u->path, "/i");
    /* merging leaves both inputs as they were */
    assert_string_equal(mai_conf_endpoint_text(t.base),
                        "https://as.example/introspect");
    assert_string_equal(mai_conf_endpoint(t.base)->host, "as.example");
}

static void endpoint_ok(apr_pool_t *p, const char *url)
{
    mai_dir_conf_t *c = mai_dir_conf_create(p);
    const char *err = mai_conf_set_endpoint(p, c, url);

    if (err) {
        fail_msg("rejected %s: %s", url, err);
    }
    assert_string_equal(mai_conf_endpoint_text(c), url);
    assert_non_null(mai_conf_endpoint(c));
    assert_false(mai_url_is_insecure(mai_conf_endpoint(c)));
}

/* Taken, but startup refuses it without AuthIntrospectAllowInsecureHTTP
 * (a server-wide setting that may come later in the file). */
static void endpoint_insecure(apr_pool_t *p, const char *url)
{
    mai_dir_conf_t *c = mai_dir_conf_create(p);
    const char *err = mai_conf_set_endpoint(p, c, url);

    if (err) {
        fail_msg("rejected %s: %s", url, err);
    }
    assert_true(mai_url_is_insecure(mai_conf_endpoint(c)));
}

static void endpoint_bad(apr_pool_t *p, const char *url)
{
    mai_dir_conf_t *c = mai_dir_conf_create(p);
    const char *err = mai_conf_set_endpoint(p, c, url);

    if (!err) {
        fail_msg("accepted %s", url);
    }
    assert_true(strlen(err) > 0);
    assert_null(mai_conf_endpoint(c));
    assert_null(mai_conf_endpoint_text(c));
}

static void test_endpoint_transport(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *c = mai_dir_conf_create(p);

    /* https goes anywhere */
    endpoint_ok(p, "https://as.example/introspect");
    endpoint_ok(p, "https://10.1.2.3:8443/oauth/introspect");
    endpoint_ok(p, "https://[2001:db8::1]/introspect");
    endpoint_ok(p, "HTTPS://AS.EXAMPLE/x");
    endpoint_ok(p, "https://127.0.0.1/x");
    /* plain http to this machine */
    endpoint_ok(p, "http://127.0.0.1/introspect");
    endpoint_ok(p, "http://127.0.0.1:9000/introspect");
    endpoint_ok(p, "http://127.8.9.10/x");
    endpoint_ok(p, "http://[::1]:9000/introspect");
    endpoint_ok(p, "http://[::ffff:127.0.0.1]/x");
    endpoint_ok(p, "http://localhost/introspect");
    endpoint_ok(p, "http://LocalHost:8080/x");
    endpoint_ok(p, "HTTP://localhost/x");
    endpoint_insecure(p, "http://as.example/introspect");
    endpoint_insecure(p, "http://10.0.0.1/introspect");
    endpoint_insecure(p, "http://192.168.1.1:8080/x");
    endpoint_insecure(p, "http://0.0.0.0/x");
    endpoint_insecure(p, "http://[::]/x");
    endpoint_insecure(p, "http://[2001:db8::1]/x");
    endpoint_insecure(p, "http://[::2]/x");
    endpoint_insecure(p, "http://128.0.0.1/x");
    /* names that merely look local */
    endpoint_insecure(p, "http://localhost.example.com/x");
    endpoint_insecure(p, "http://localhost./x");
    endpoint_insecure(p, "http://127.0.0.1.nip.io/x");
    endpoint_insecure(p, "http://127.1/x");
    endpoint_insecure(p, "http://0x7f000001/x");
    endpoint_insecure(p, "http://2130706433/x");
    endpoint_bad(p, "http://user@127.0.0.1/x");
    endpoint_bad(p, "http://evil.example@127.0.0.1/x");
    /* not a URL we take at all */
    endpoint_bad(p, "");
    endpoint_bad(p, "ftp://as.example/x");
    endpoint_bad(p, "as.example/introspect");
    endpoint_bad(p, "https://");
    endpoint_bad(p, "https://as.example:0/x");
    endpoint_bad(p, "https://as example/x");

    /* a rejected URL does not replace an accepted one */
    OK(mai_conf_set_endpoint(p, c, "https://as.example/i"));
    BAD(mai_conf_set_endpoint(p, c, "ftp://as.example/i"));
    assert_string_equal(mai_conf_endpoint_text(c), "https://as.example/i");
    assert_int_equal(mai_conf_endpoint(c)->tls, 1);
}

/* ---- client id, secret, CA file, issuer: strings without a default ---- */

typedef const char *(*str_set_fn)(apr_pool_t *, mai_dir_conf_t *,
                                  const char *);
typedef const char *(*str_get_fn)(const mai_dir_conf_t *);

static void check_string_field(apr_pool_t *p, str_set_fn set, str_get_fn get,
                               int empty_ok)
{
    pair_t t;
    char buf[16];

    assert_null(get(mai_dir_conf_create(p)));
    assert_null(get(merged_empty(p)));

    t = fresh(p);
    OK(set(p, t.base, "outer"));
    assert_string_equal(get(merge(p, t)), "outer");
    OK(set(p, t.add, "inner"));
    assert_string_equal(get(merge(p, t)), "inner");
    assert_string_equal(get(t.base), "outer");

    /* unset outer, set inner */
    t = fresh(p);
    OK(set(p, t.add, "inner"));
    assert_string_equal(get(merge(p, t)), "inner");

    /* the value is a copy from the pool, not the caller's buffer */
    t = fresh(p);
    strcpy(buf, "copied");
    OK(set(p, t.base, buf));
    buf[0] = 'X';
    assert_string_equal(get(t.base), "copied");

    if (!empty_ok) {
        BAD(set(p, t.base, ""));
        assert_string_equal(get(t.base), "copied");
    }
}

static void test_client_id(void **state)
{
    check_string_field(*state, mai_conf_set_client_id, mai_conf_client_id, 0);
}

static void test_client_secret(void **state)
{
    check_string_field(*state, mai_conf_set_client_secret,
                       mai_conf_client_secret, 0);
}

static void test_tls_ca_file(void **state)
{
    check_string_field(*state, mai_conf_set_tls_ca_file,
                       mai_conf_tls_ca_file, 1);
}

static void test_issuer(void **state)
{
    check_string_field(*state, mai_conf_set_issuer, mai_conf_issuer, 0);
}

/* ---- client authentication ---- */

/* RFC 7523 assertions: the keys are opaque here (jose_sign.h); the HMAC
 * key goes wherever the secret it was made from goes. */
static void test_assertion_settings(void **state)
{
    apr_pool_t *p = *state;
    int k1, k2, h1, h2;
    const struct mai_sign_key *key1 = (const void *)&k1;
    const struct mai_sign_key *key2 = (const void *)&k2;
    const struct mai_sign_key *hmac1 = (const void *)&h1;
    const struct mai_sign_key *hmac2 = (const void *)&h2;
    const mai_dir_conf_t *m;
    pair_t t = fresh(p);

    m = merge(p, t);
    assert_null(mai_conf_client_key(m));
    assert_null(mai_conf_client_secret_key(m));
    assert_int_equal(mai_conf_assertion_aud(m), MAI_ASSERT_AUD_ISSUER);
    assert_int_equal(mai_conf_assertion_reuse(m), 0);

    OK(mai_conf_set_client_auth(t.base, "private_key_jwt"));
    mai_conf_set_client_key(t.base, key1);
    OK(mai_conf_set_client_secret(p, t.base, "outer"));
    mai_conf_set_client_secret_key(t.base, hmac1);
    OK(mai_conf_set_assertion_aud(t.base, "both"));
    OK(mai_conf_set_assertion_reuse(t.base, "5"));
    m = merge(p, t);
    assert_int_equal(mai_conf_client_auth(m), MAI_AUTH_PRIVATE_KEY_JWT);
    assert_ptr_equal(mai_conf_client_key(m), key1);
    assert_ptr_equal(mai_conf_client_secret_key(m), hmac1);
    assert_int_equal(mai_conf_assertion_aud(m), MAI_ASSERT_AUD_BOTH);
    assert_int_equal(mai_conf_assertion_reuse(m), 5);

    /* an inner secret brings its own HMAC key; an inner key wins */
    OK(mai_conf_set_client_secret(p, t.add, "inner"));
    mai_conf_set_client_secret_key(t.add, hmac2);
    mai_conf_set_client_key(t.add, key2);
    OK(mai_conf_set_assertion_aud(t.add, "endpoint"));
    OK(mai_conf_set_assertion_reuse(t.add, "0"));
    m = merge(p, t);
    assert_string_equal(mai_conf_client_secret(m), "inner");
    assert_ptr_equal(mai_conf_client_secret_key(m), hmac2);
    assert_ptr_equal(mai_conf_client_key(m), key2);
    assert_int_equal(mai_conf_assertion_aud(m), MAI_ASSERT_AUD_ENDPOINT);
    assert_int_equal(mai_conf_assertion_reuse(m), 0);

    BAD(mai_conf_set_assertion_aud(t.add, "token_endpoint"));
    BAD(mai_conf_set_assertion_reuse(t.add, "31"));
    BAD(mai_conf_set_assertion_reuse(t.add, "-1"));
    assert_int_equal(mai_conf_assertion_aud(t.add), MAI_ASSERT_AUD_ENDPOINT);
    assert_int_equal(mai_conf_assertion_reuse(t.add), 0);
}

static void test_client_auth(void **state)
{
    apr_pool_t *p = *state;
    pair_t t;

    assert_int_equal(mai_conf_client_auth(mai_dir_conf_create(p)),
                     MAI_AUTH_BASIC);
    assert_int_equal(mai_conf_client_auth(merged_empty(p)), MAI_AUTH_BASIC);

    t = fresh(p);
    OK(mai_conf_set_client_auth(t.base, "client_secret_post"));
    assert_int_equal(mai_conf_client_auth(merge(p, t)), MAI_AUTH_POST);
    OK(mai_conf_set_client_auth(t.add, "none"));
    assert_int_equal(mai_conf_client_auth(merge(p, t)), MAI_AUTH_NONE);
    /* back to the default over a non-default outer value */
    OK(mai_conf_set_client_auth(t.add, "Client_Secret_Basic"));
    assert_int_equal(mai_conf_client_auth(merge(p, t)), MAI_AUTH_BASIC);
    assert_int_equal(mai_conf_client_auth(t.base), MAI_AUTH_POST);

    /* a rejected word leaves the setting alone */
    BAD(mai_conf_set_client_auth(t.base, "client_secret_jwx"));
    BAD(mai_conf_set_client_auth(t.base, ""));
    assert_int_equal(mai_conf_client_auth(t.base), MAI_AUTH_POST);
    t = fresh(p);
    BAD(mai_conf_set_client_auth(t.add, "basic"));
    assert_int_equal(mai_conf_client_auth(t.add), MAI_AUTH_BASIC);
}

/* ---- On/Off flags ---- */

typedef void (*flag_set_fn)(mai_dir_conf_t *, int);
typedef int (*flag_get_fn)(const mai_dir_conf_t *);

static void check_flag_field(apr_pool_t *p, flag_set_fn set, flag_get_fn get,
                             int def)
{
    pair_t t;

    assert_int_equal(get(mai_dir_conf_create(p)), def);
    assert_int_equal(get(merged_empty(p)), def);

    /* outer sets the other value: inherited */
    t = fresh(p);
    set(t.base, !def);
    assert_int_equal(get(merge(p, t)), !def);
    /* inner sets the default back: it wins */
    set(t.add, def);
    assert_int_equal(get(merge(p, t)), def);
    assert_int_equal(get(t.base), !def);

    /* outer sets the default, inner the other value */
    t = fresh(p);
    set(t.base, def);
    set(t.add, !def);
    assert_int_equal(get(merge(p, t)), !def);

    /* only inner set */
    t = fresh(p);
    set(t.add, !def);
    assert_int_equal(get(merge(p, t)), !def);

    /* any non-zero is On, and reads back as exactly 1 */
    t = fresh(p);
    set(t.base, 42);
    assert_int_equal(get(t.base), 1);
    set(t.base, 0);
    assert_int_equal(get(t.base), 0);
}

static void test_tls_verify(void **state)
{
    check_flag_field(*state, mai_conf_set_tls_verify, mai_conf_tls_verify, 1);
}

/* What a section sets itself, for the start-up walk: unset is -1, even
 * though the effective value is On. */
static void test_tls_verify_own(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *c = mai_dir_conf_create(p);

    assert_int_equal(mai_conf_tls_verify_own(c), -1);
    assert_int_equal(mai_conf_tls_verify(c), 1);
    mai_conf_set_tls_verify(c, 0);
    assert_int_equal(mai_conf_tls_verify_own(c), 0);
    mai_conf_set_tls_verify(c, 1);
    assert_int_equal(mai_conf_tls_verify_own(c), 1);
}

static void test_set_env(void **state)
{
    check_flag_field(*state, mai_conf_set_env, mai_conf_export_env, 1);
}

static void test_set_headers(void **state)
{
    check_flag_field(*state, mai_conf_set_headers, mai_conf_export_headers, 0);
}

/* ---- whole seconds: clock skew and the cache lifetimes ---- */

typedef const char *(*num_set_fn)(mai_dir_conf_t *, const char *);
typedef int (*num_get_fn)(const mai_dir_conf_t *);

static void check_seconds_field(apr_pool_t *p, num_set_fn set, num_get_fn get,
                                int def, const char *def_text, int max,
                                const char *max_text, const char *over_max)
{
    pair_t t;

    assert_int_equal(get(mai_dir_conf_create(p)), def);
    assert_int_equal(get(merged_empty(p)), def);

    t = fresh(p);
    OK(set(t.base, "9"));
    assert_int_equal(get(merge(p, t)), 9);
    OK(set(t.add, "11"));
    assert_int_equal(get(merge(p, t)), 11);
    OK(set(t.add, def_text));
    assert_int_equal(get(merge(p, t)), def);
    assert_int_equal(get(t.base), 9);

    /* 0 is a value like any other, not "unset": it is inherited and it
     * overrides */
    t = fresh(p);
    OK(set(t.base, "0"));
    assert_int_equal(get(merge(p, t)), 0);
    assert_int_equal(get(merge(p, (pair_t){ mai_dir_conf_create(p),
                                            t.base })), 0);
    OK(set(t.add, "7"));
    assert_int_equal(get(merge(p, t)), 7);

    /* the limits, and rejects that leave the value alone */
    t = fresh(p);
    OK(set(t.base, max_text));
    assert_int_equal(get(t.base), max);
    OK(set(t.base, "12"));
    BAD(set(t.base, over_max));
    BAD(set(t.base, "-1"));
    BAD(set(t.base, ""));
    BAD(set(t.base, "1.5"));
    BAD(set(t.base, "5s"));
    BAD(set(t.base, "ten"));
    assert_int_equal(get(t.base), 12);
    BAD(set(t.add, "abc"));
    assert_int_equal(get(t.add), def);
    assert_int_equal(get(merge(p, t)), 12);
}

static void test_clock_skew(void **state)
{
    check_seconds_field(*state, mai_conf_set_clock_skew, mai_conf_clock_skew,
                        30, "30", 3600, "3600", "3601");
}

static void test_cache_ttl(void **state)
{
    check_seconds_field(*state, mai_conf_set_cache_ttl, mai_conf_cache_ttl,
                        60, "60", 31536000, "31536000", "31536001");
}

static void test_negative_ttl(void **state)
{
    check_seconds_field(*state, mai_conf_set_negative_ttl,
                        mai_conf_negative_ttl, 5, "5", 31536000, "31536000",
                        "31536001");
}

/* ---- timeouts ---- */

static void test_timeout_defaults(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *c = mai_dir_conf_create(p);

    assert_int_equal(mai_conf_timeout(c), apr_time_from_sec(5));
    assert_int_equal(mai_conf_connect_timeout(c), apr_time_from_sec(2));
    assert_int_equal(mai_conf_timeout(merged_empty(p)), apr_time_from_sec(5));
    assert_int_equal(mai_conf_connect_timeout(merged_empty(p)),
                     apr_time_from_sec(2));

    /* without an explicit connect timeout it is min(2 s, whole call) */
    OK(mai_conf_set_timeout(c, "10", NULL));
    assert_int_equal(mai_conf_timeout(c), apr_time_from_sec(10));
    assert_int_equal(mai_conf_connect_timeout(c), apr_time_from_sec(2));
    OK(mai_conf_set_timeout(c, "2", NULL));
    assert_int_equal(mai_conf_connect_timeout(c), apr_time_from_sec(2));
    OK(mai_conf_set_timeout(c, "1", NULL));
    assert_int_equal(mai_conf_connect_timeout(c), apr_time_from_sec(1));
    OK(mai_conf_set_timeout(c, "0.25", NULL));
    assert_int_equal(mai_conf_timeout(c), 250000);
    assert_int_equal(mai_conf_connect_timeout(c), 250000);

    /* explicit connect timeouts, up to the whole-call timeout */
    OK(mai_conf_set_timeout(c, "10", "3"));
    assert_int_equal(mai_conf_timeout(c), apr_time_from_sec(10));
    assert_int_equal(mai_conf_connect_timeout(c), apr_time_from_sec(3));
    OK(mai_conf_set_timeout(c, "3", "3"));
    assert_int_equal(mai_conf_connect_timeout(c), apr_time_from_sec(3));
    OK(mai_conf_set_timeout(c, "3", "0.1"));
    assert_int_equal(mai_conf_connect_timeout(c), 100000);
    /* a later directive without a connect part drops the earlier one */
    OK(mai_conf_set_timeout(c, "10", NULL));
    assert_int_equal(mai_conf_connect_timeout(c), apr_time_from_sec(2));
}

static void test_timeout_rejects(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *c = mai_dir_conf_create(p);

    OK(mai_conf_set_timeout(c, "8", "4"));
    BAD(mai_conf_set_timeout(c, "3", "4"));
    BAD(mai_conf_set_timeout(c, "3", "3.000001"));
    BAD(mai_conf_set_timeout(c, "0.5", "1"));
    BAD(mai_conf_set_timeout(c, "0", NULL));
    BAD(mai_conf_set_timeout(c, "3601", NULL));
    BAD(mai_conf_set_timeout(c, "abc", NULL));
    BAD(mai_conf_set_timeout(c, "", NULL));
    BAD(mai_conf_set_timeout(c, "5", "0"));
    BAD(mai_conf_set_timeout(c, "5", "abc"));
    BAD(mai_conf_set_timeout(c, "5", ""));
    BAD(mai_conf_set_timeout(c, "5", "-1"));
    BAD(mai_conf_set_timeout(c, "abc", "1"));
    /* none of them touched either value */
    assert_int_equal(mai_conf_timeout(c), apr_time_from_sec(8));
    assert_int_equal(mai_conf_connect_timeout(c), apr_time_from_sec(4));

    c = mai_dir_conf_create(p);
    BAD(mai_conf_set_timeout(c, "3", "4"));
    assert_int_equal(mai_conf_timeout(c), apr_time_from_sec(5));
    assert_int_equal(mai_conf_connect_timeout(c), apr_time_from_sec(2));
}

static void test_timeout_merge(void **state)
{
    apr_pool_t *p = *state;
    pair_t t;
    const mai_dir_conf_t *m;

    /* whole-call timeout: inherit, override, override with the default */
    t = fresh(p);
    OK(mai_conf_set_timeout(t.base, "9", NULL));
    m = merge(p, t);
    assert_int_equal(mai_conf_timeout(m), apr_time_from_sec(9));
    assert_int_equal(mai_conf_connect_timeout(m), apr_time_from_sec(2));
    OK(mai_conf_set_timeout(t.add, "20", NULL));
    assert_int_equal(mai_conf_timeout(merge(p, t)), apr_time_from_sec(20));
    OK(mai_conf_set_timeout(t.add, "5", NULL));
    assert_int_equal(mai_conf_timeout(merge(p, t)), apr_time_from_sec(5));
    assert_int_equal(mai_conf_timeout(t.base), apr_time_from_sec(9));

    /* connect timeout: inherit, override, override with the default */
    t = fresh(p);
    OK(mai_conf_set_timeout(t.base, "10", "1"));
    m = merge(p, t);
    assert_int_equal(mai_conf_timeout(m), apr_time_from_sec(10));
    assert_int_equal(mai_conf_connect_timeout(m), apr_time_from_sec(1));
    OK(mai_conf_set_timeout(t.add, "10", "4"));
    assert_int_equal(mai_conf_connect_timeout(merge(p, t)),
                     apr_time_from_sec(4));
    OK(mai_conf_set_timeout(t.add, "10", "2"));
    assert_int_equal(mai_conf_connect_timeout(merge(p, t)),
                     apr_time_from_sec(2));
    assert_int_equal(mai_conf_connect_timeout(t.base), apr_time_from_sec(1));

    /* an inherited connect timeout is still capped by a shorter inner
     * whole-call timeout */
    t = fresh(p);
    OK(mai_conf_set_timeout(t.base, "10", "8"));
    OK(mai_conf_set_timeout(t.add, "3", NULL));
    m = merge(p, t);
    assert_int_equal(mai_conf_timeout(m), apr_time_from_sec(3));
    assert_true(mai_conf_connect_timeout(m) <= apr_time_from_sec(3));

    /* only the inner section set */
    t = fresh(p);
    OK(mai_conf_set_timeout(t.add, "1.5", "0.5"));
    m = merge(p, t);
    assert_int_equal(mai_conf_timeout(m), 1500000);
    assert_int_equal(mai_conf_connect_timeout(m), 500000);
}

/* ---- token type hint ---- */

static void test_token_type_hint(void **state)
{
    apr_pool_t *p = *state;
    pair_t t;
    mai_dir_conf_t *c;
    char buf[16];

    assert_string_equal(mai_conf_token_type_hint(mai_dir_conf_create(p)),
                        "access_token");
    assert_string_equal(mai_conf_token_type_hint(merged_empty(p)),
                        "access_token");

    c = mai_dir_conf_create(p);
    OK(mai_conf_set_token_type_hint(p, c, "none"));
    assert_null(mai_conf_token_type_hint(c));
    OK(mai_conf_set_token_type_hint(p, c, "NONE"));
    assert_null(mai_conf_token_type_hint(c));
    strcpy(buf, "refresh_token");
    OK(mai_conf_set_token_type_hint(p, c, buf));
    buf[0] = 'X';
    assert_string_equal(mai_conf_token_type_hint(c), "refresh_token");
    BAD(mai_conf_set_token_type_hint(p, c, ""));
    assert_string_equal(mai_conf_token_type_hint(c), "refresh_token");

    /* inherit, override, override with the default */
    t = fresh(p);
    OK(mai_conf_set_token_type_hint(p, t.base, "refresh_token"));
    assert_string_equal(mai_conf_token_type_hint(merge(p, t)),
                        "refresh_token");
    OK(mai_conf_set_token_type_hint(p, t.add, "urn:x:custom"));
    assert_string_equal(mai_conf_token_type_hint(merge(p, t)),
                        "urn:x:custom");
    OK(mai_conf_set_token_type_hint(p, t.add, "access_token"));
    assert_string_equal(mai_conf_token_type_hint(merge(p, t)),
                        "access_token");
    /* "none" is a setting, so it overrides an inherited hint ... */
    OK(mai_conf_set_token_type_hint(p, t.add, "none"));
    assert_null(mai_conf_token_type_hint(merge(p, t)));
    assert_string_equal(mai_conf_token_type_hint(t.base), "refresh_token");

    /* ... is itself inherited rather than read as unset ... */
    t = fresh(p);
    OK(mai_conf_set_token_type_hint(p, t.base, "none"));
    assert_null(mai_conf_token_type_hint(merge(p, t)));
    /* ... even through a second level of merging ... */
    assert_null(mai_conf_token_type_hint(
        mai_dir_conf_merge(p, merge(p, t), mai_dir_conf_create(p))));
    /* ... and an inner section can turn the default back on */
    OK(mai_conf_set_token_type_hint(p, t.add, "access_token"));
    assert_string_equal(mai_conf_token_type_hint(merge(p, t)),
                        "access_token");
}

/* ---- AcceptTokenIn ---- */

static void test_token_sources(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *c = mai_dir_conf_create(p);

    assert_int_equal(mai_conf_token_sources(c), MAI_SRC_HEADER);
    assert_null(mai_conf_token_cookie(c));
    assert_int_equal(mai_conf_token_sources(merged_empty(p)), MAI_SRC_HEADER);
    assert_null(mai_conf_token_cookie(merged_empty(p)));

    /* the first word replaces the default list; later words add to it */
    OK(mai_conf_add_token_source(p, c, "query"));
    assert_int_equal(mai_conf_token_sources(c), MAI_SRC_QUERY);
    OK(mai_conf_add_token_source(p, c, "form"));
    assert_int_equal(mai_conf_token_sources(c), MAI_SRC_QUERY | MAI_SRC_FORM);
    OK(mai_conf_add_token_source(p, c, "cookie:at"));
    OK(mai_conf_add_token_source(p, c, "header"));
    assert_int_equal(mai_conf_token_sources(c), MAI_SRC_QUERY | MAI_SRC_FORM
                                                    | MAI_SRC_COOKIE
                                                    | MAI_SRC_HEADER);
    assert_string_equal(mai_conf_token_cookie(c), "at");

    /* bad words change nothing */
    BAD(mai_conf_add_token_source(p, c, "cookie:other"));
    BAD(mai_conf_add_token_source(p, c, "cookie:"));
    BAD(mai_conf_add_token_source(p, c, "cookie:a;b"));
    BAD(mai_conf_add_token_source(p, c, "bearer"));
    BAD(mai_conf_add_token_source(p, c, ""));
    assert_string_equal(mai_conf_token_cookie(c), "at");
    c = mai_dir_conf_create(p);
    BAD(mai_conf_add_token_source(p, c, "headers"));
    assert_int_equal(mai_conf_token_sources(c), MAI_SRC_HEADER);
}

static void test_token_sources_merge(void **state)
{
    apr_pool_t *p = *state;
    pair_t t;
    const mai_dir_conf_t *m;

    /* unset inherits, cookie name included */
    t = fresh(p);
    OK(mai_conf_add_token_source(p, t.base, "header"));
    OK(mai_conf_add_token_source(p, t.base, "cookie:sess"));
    m = merge(p, t);
    assert_int_equal(mai_conf_token_sources(m),
                     MAI_SRC_HEADER | MAI_SRC_COOKIE);
    assert_string_equal(mai_conf_token_cookie(m), "sess");

    /* a set list replaces the inherited one whole, not bit by bit, and
     * the outer cookie name does not leak through */
    OK(mai_conf_add_token_source(p, t.add, "query"));
    m = merge(p, t);
    assert_int_equal(mai_conf_token_sources(m), MAI_SRC_QUERY);
    assert_null(mai_conf_token_cookie(m));

    /* setting the default list overrides a non-default outer one */
    t = fresh(p);
    OK(mai_conf_add_token_source(p, t.base, "query"));
    OK(mai_conf_add_token_source(p, t.base, "form"));
    OK(mai_conf_add_token_source(p, t.add, "header"));
    assert_int_equal(mai_conf_token_sources(merge(p, t)), MAI_SRC_HEADER);
    assert_int_equal(mai_conf_token_sources(t.base),
                     MAI_SRC_QUERY | MAI_SRC_FORM);

    /* an inner cookie replaces an outer cookie name */
    t = fresh(p);
    OK(mai_conf_add_token_source(p, t.base, "cookie:outer"));
    OK(mai_conf_add_token_source(p, t.add, "cookie:inner"));
    m = merge(p, t);
    assert_int_equal(mai_conf_token_sources(m), MAI_SRC_COOKIE);
    assert_string_equal(mai_conf_token_cookie(m), "inner");
    assert_string_equal(mai_conf_token_cookie(t.base), "outer");

    /* only the inner section set */
    t = fresh(p);
    OK(mai_conf_add_token_source(p, t.add, "cookie:x"));
    m = merge(p, t);
    assert_int_equal(mai_conf_token_sources(m), MAI_SRC_COOKIE);
    assert_string_equal(mai_conf_token_cookie(m), "x");

    /* three levels: the outermost list survives two empty sections */
    t = fresh(p);
    OK(mai_conf_add_token_source(p, t.base, "cookie:deep"));
    m = mai_dir_conf_merge(p, merge(p, t), mai_dir_conf_create(p));
    assert_int_equal(mai_conf_token_sources(m), MAI_SRC_COOKIE);
    assert_string_equal(mai_conf_token_cookie(m), "deep");
}

/* ---- RemoteUserClaim, TokenTypes (lists of words) ---- */

static void claims_are(const apr_array_header_t *a, int n, ...)
{
    va_list ap;
    int i;

    assert_non_null(a);
    if (a->nelts != n) {
        fail_msg("%d claims, want %d", a->nelts, n);
    }
    assert_int_equal(a->elt_size, sizeof(const char *));
    va_start(ap, n);
    for (i = 0; i < n; i++) {
        assert_string_equal(APR_ARRAY_IDX(a, i, const char *),
                            va_arg(ap, const char *));
    }
    va_end(ap);
}

static void test_user_claims(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *c = mai_dir_conf_create(p);
    char buf[16];

    claims_are(mai_conf_user_claims(c), 2, "sub", "client_id");
    claims_are(mai_conf_user_claims(merged_empty(p)), 2, "sub", "client_id");

    /* the first claim replaces the default list; later ones append */
    strcpy(buf, "email");
    OK(mai_conf_add_user_claim(p, c, buf));
    buf[0] = 'X';
    claims_are(mai_conf_user_claims(c), 1, "email");
    OK(mai_conf_add_user_claim(p, c, "preferred_username"));
    OK(mai_conf_add_user_claim(p, c, "sub"));
    claims_are(mai_conf_user_claims(c), 3, "email", "preferred_username",
               "sub");
    BAD(mai_conf_add_user_claim(p, c, ""));
    BAD(mai_conf_add_user_claim(p, c, "a\nb"));
    claims_are(mai_conf_user_claims(c), 3, "email", "preferred_username",
               "sub");

    /* a bad first claim leaves the default in place */
    c = mai_dir_conf_create(p);
    BAD(mai_conf_add_user_claim(p, c, "x\ty"));
    claims_are(mai_conf_user_claims(c), 2, "sub", "client_id");
}

static void test_user_claims_merge(void **state)
{
    apr_pool_t *p = *state;
    pair_t t;

    t = fresh(p);
    OK(mai_conf_add_user_claim(p, t.base, "email"));
    OK(mai_conf_add_user_claim(p, t.base, "upn"));
    claims_are(mai_conf_user_claims(merge(p, t)), 2, "email", "upn");

    /* replaced as a whole, not appended to */
    OK(mai_conf_add_user_claim(p, t.add, "username"));
    claims_are(mai_conf_user_claims(merge(p, t)), 1, "username");
    claims_are(mai_conf_user_claims(t.base), 2, "email", "upn");

    /* setting exactly the default list overrides */
    t = fresh(p);
    OK(mai_conf_add_user_claim(p, t.base, "email"));
    OK(mai_conf_add_user_claim(p, t.add, "sub"));
    OK(mai_conf_add_user_claim(p, t.add, "client_id"));
    claims_are(mai_conf_user_claims(merge(p, t)), 2, "sub", "client_id");

    /* only the inner section set */
    t = fresh(p);
    OK(mai_conf_add_user_claim(p, t.add, "email"));
    claims_are(mai_conf_user_claims(merge(p, t)), 1, "email");
}

/* ---- the whole struct at once ---- */

/* Every field set to a non-default value in one section. */
static mai_dir_conf_t *all_set(apr_pool_t *p)
{
    mai_dir_conf_t *c = mai_dir_conf_create(p);

    OK(mai_conf_set_endpoint(p, c, "https://as.example/i"));
    OK(mai_conf_set_client_id(p, c, "rs"));
    OK(mai_conf_set_client_secret(p, c, "not-a-real-secret"));
    OK(mai_conf_set_client_auth(c, "client_secret_post"));
    OK(mai_conf_set_tls_ca_file(p, c, "/etc/ca.pem"));
    mai_conf_set_tls_verify(c, 0);
    OK(mai_conf_set_timeout(c, "9", "1"));
    OK(mai_conf_set_token_type_hint(p, c, "none"));
    OK(mai_conf_add_token_source(p, c, "cookie:at"));
    OK(mai_conf_add_user_claim(p, c, "email"));
    OK(mai_conf_set_issuer(p, c, "https://as.example"));
    OK(mai_conf_add_token_type(p, c, "Bearer", 0));
    OK(mai_conf_set_clock_skew(c, "0"));
    mai_conf_set_env(c, 0);
    mai_conf_set_headers(c, 1);
    OK(mai_conf_set_cache_ttl(c, "0"));
    OK(mai_conf_set_negative_ttl(c, "0"));
    return c;
}

static void assert_all_set(const mai_dir_conf_t *m)
{
    assert_string_equal(mai_conf_endpoint_text(m), "https://as.example/i");
    assert_string_equal(mai_conf_endpoint(m)->path, "/i");
    assert_string_equal(mai_conf_client_id(m), "rs");
    assert_string_equal(mai_conf_client_secret(m), "not-a-real-secret");
    assert_int_equal(mai_conf_client_auth(m), MAI_AUTH_POST);
    assert_string_equal(mai_conf_tls_ca_file(m), "/etc/ca.pem");
    assert_int_equal(mai_conf_tls_verify(m), 0);
    assert_int_equal(mai_conf_timeout(m), apr_time_from_sec(9));
    assert_int_equal(mai_conf_connect_timeout(m), apr_time_from_sec(1));
    assert_null(mai_conf_token_type_hint(m));
    assert_int_equal(mai_conf_token_sources(m), MAI_SRC_COOKIE);
    assert_string_equal(mai_conf_token_cookie(m), "at");
    claims_are(mai_conf_user_claims(m), 1, "email");
    assert_string_equal(mai_conf_issuer(m), "https://as.example");
    claims_are(mai_conf_token_types(m), 1, "Bearer");
    assert_int_equal(mai_conf_clock_skew(m), 0);
    assert_int_equal(mai_conf_export_env(m), 0);
    assert_int_equal(mai_conf_export_headers(m), 1);
    assert_int_equal(mai_conf_cache_ttl(m), 0);
    assert_int_equal(mai_conf_negative_ttl(m), 0);
}

/* ---- TokenTypes ---- */

#define SERVER 0    /* server config, <Directory>, <Location>, ... */
#define HTACCESS 1

static mai_dir_conf_t *types_conf(apr_pool_t *p, int htaccess, int n, ...)
{
    mai_dir_conf_t *c = mai_dir_conf_create(p);
    va_list ap;
    int i;

    va_start(ap, n);
    for (i = 0; i < n; i++) {
        OK(mai_conf_add_token_type(p, c, va_arg(ap, const char *),
                                   htaccess));
    }
    va_end(ap);
    return c;
}

static void test_token_types(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *c = mai_dir_conf_create(p);
    char buf[16];

    /* unset by default: any token_type, or none, passes */
    assert_null(mai_conf_token_types(c));
    assert_null(mai_conf_token_types(merged_empty(p)));

    /* words append within a section; the value is copied */
    strcpy(buf, "Bearer");
    OK(mai_conf_add_token_type(p, c, buf, SERVER));
    buf[0] = 'X';
    OK(mai_conf_add_token_type(p, c, "access_token", SERVER));
    claims_are(mai_conf_token_types(c), 2, "Bearer", "access_token");

    /* refused: empty, control characters, the types always refused */
    BAD(mai_conf_add_token_type(p, c, "", SERVER));
    BAD(mai_conf_add_token_type(p, c, "a\nb", SERVER));
    BAD(mai_conf_add_token_type(p, c, "refresh_token", SERVER));
    BAD(mai_conf_add_token_type(p, c, "Refresh_Token", HTACCESS));
    BAD(mai_conf_add_token_type(p, c,
        "urn:ietf:params:oauth:token-type:refresh_token", SERVER));
    BAD(mai_conf_add_token_type(p, c, "DPoP", SERVER));
    BAD(mai_conf_add_token_type(p, c, "dpop", HTACCESS));
    claims_are(mai_conf_token_types(c), 2, "Bearer", "access_token");

    /* a bad first word leaves the section unset */
    c = mai_dir_conf_create(p);
    BAD(mai_conf_add_token_type(p, c, "DPoP", SERVER));
    assert_null(mai_conf_token_types(c));
}

static void test_token_types_merge(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *outer = types_conf(p, SERVER, 2, "Bearer", "N_A");
    const mai_dir_conf_t *m;

    /* an unset inner section inherits, through two levels */
    m = mai_dir_conf_merge(p, outer, mai_dir_conf_create(p));
    claims_are(mai_conf_token_types(m), 2, "Bearer", "N_A");
    m = mai_dir_conf_merge(p, m, mai_dir_conf_create(p));
    claims_are(mai_conf_token_types(m), 2, "Bearer", "N_A");

    /* a section of the server configuration replaces: it may widen */
    m = mai_dir_conf_merge(p, outer,
                           types_conf(p, SERVER, 2, "access_token", "mac"));
    claims_are(mai_conf_token_types(m), 2, "access_token", "mac");
    m = mai_dir_conf_merge(p, mai_dir_conf_create(p),
                           types_conf(p, SERVER, 1, "mac"));
    claims_are(mai_conf_token_types(m), 1, "mac");
    claims_are(mai_conf_token_types(outer), 2, "Bearer", "N_A");
}

static void test_token_types_htaccess_narrows(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *outer = types_conf(p, SERVER, 3, "Bearer", "N_A",
                                       "access_token");
    mai_dir_conf_t *ht = types_conf(p, HTACCESS, 3, "ACCESS_TOKEN", "mac",
                                    "bearer");
    mai_dir_conf_t *ht2 = types_conf(p, HTACCESS, 2, "N_A", "Bearer");
    mai_dir_conf_t *loc = types_conf(p, SERVER, 1, "mac");
    const mai_dir_conf_t *m, *m2;

    /* only the types both allow, in the outer spelling: "mac" stays out */
    m = mai_dir_conf_merge(p, outer, ht);
    claims_are(mai_conf_token_types(m), 2, "Bearer", "access_token");
    /* a nested .htaccess narrows further, never back */
    m2 = mai_dir_conf_merge(p, m, ht2);
    claims_are(mai_conf_token_types(m2), 1, "Bearer");
    /* httpd may merge the two .htaccess configs first: same answer */
    m = mai_dir_conf_merge(p, outer, mai_dir_conf_merge(p, ht, ht2));
    claims_are(mai_conf_token_types(m), 1, "Bearer");
    /* ... and an .htaccess config merged into an empty one still only
     * narrows what comes later */
    m = mai_dir_conf_merge(p, outer,
                           mai_dir_conf_merge(p, mai_dir_conf_create(p), ht));
    claims_are(mai_conf_token_types(m), 2, "Bearer", "access_token");

    /* nothing in common: every token is refused, not every one let in */
    m = mai_dir_conf_merge(p, outer, types_conf(p, HTACCESS, 1, "mac"));
    claims_are(mai_conf_token_types(m), 0);

    /* no inherited list (anything goes): the .htaccess list applies */
    m = mai_dir_conf_merge(p, mai_dir_conf_create(p), ht2);
    claims_are(mai_conf_token_types(m), 2, "N_A", "Bearer");
    m = mai_dir_conf_merge(p, merged_empty(p), ht2);
    claims_are(mai_conf_token_types(m), 2, "N_A", "Bearer");

    /* a <Location> merged after the directory walk replaces */
    m = mai_dir_conf_merge(p, mai_dir_conf_merge(p, outer, ht), loc);
    claims_are(mai_conf_token_types(m), 1, "mac");

    /* the inputs are unchanged */
    claims_are(mai_conf_token_types(outer), 3, "Bearer", "N_A",
               "access_token");
    claims_are(mai_conf_token_types(ht), 3, "ACCESS_TOKEN", "mac", "bearer");
}

static void test_merge_whole(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *full = all_set(p);
    const mai_dir_conf_t *m;

    assert_all_set(full);
    /* an empty inner section inherits every field, through two levels */
    m = mai_dir_conf_merge(p, full, mai_dir_conf_create(p));
    assert_all_set(m);
    assert_all_set(mai_dir_conf_merge(p, m, mai_dir_conf_create(p)));
    /* an empty outer section takes every inner field */
    assert_all_set(mai_dir_conf_merge(p, mai_dir_conf_create(p), full));
    /* and merging with itself is stable */
    assert_all_set(mai_dir_conf_merge(p, full, full));
}

/* An inner section that sets every field back to its default. */
static void test_merge_all_defaults_override(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *add = mai_dir_conf_create(p);
    const mai_dir_conf_t *m;

    OK(mai_conf_set_client_auth(add, "client_secret_basic"));
    mai_conf_set_tls_verify(add, 1);
    OK(mai_conf_set_timeout(add, "5", "2"));
    OK(mai_conf_set_token_type_hint(p, add, "access_token"));
    OK(mai_conf_add_token_source(p, add, "header"));
    OK(mai_conf_add_user_claim(p, add, "sub"));
    OK(mai_conf_add_user_claim(p, add, "client_id"));
    OK(mai_conf_set_clock_skew(add, "30"));
    mai_conf_set_env(add, 1);
    mai_conf_set_headers(add, 0);
    OK(mai_conf_set_cache_ttl(add, "60"));
    OK(mai_conf_set_negative_ttl(add, "5"));

    m = mai_dir_conf_merge(p, all_set(p), add);
    assert_int_equal(mai_conf_client_auth(m), MAI_AUTH_BASIC);
    assert_int_equal(mai_conf_tls_verify(m), 1);
    assert_int_equal(mai_conf_timeout(m), apr_time_from_sec(5));
    assert_int_equal(mai_conf_connect_timeout(m), apr_time_from_sec(2));
    assert_string_equal(mai_conf_token_type_hint(m), "access_token");
    assert_int_equal(mai_conf_token_sources(m), MAI_SRC_HEADER);
    assert_null(mai_conf_token_cookie(m));
    claims_are(mai_conf_user_claims(m), 2, "sub", "client_id");
    assert_int_equal(mai_conf_clock_skew(m), 30);
    assert_int_equal(mai_conf_export_env(m), 1);
    assert_int_equal(mai_conf_export_headers(m), 0);
    assert_int_equal(mai_conf_cache_ttl(m), 60);
    assert_int_equal(mai_conf_negative_ttl(m), 5);
    /* fields with no default and not set inside stay inherited */
    assert_string_equal(mai_conf_endpoint_text(m), "https://as.example/i");
    assert_string_equal(mai_conf_client_id(m), "rs");
    assert_string_equal(mai_conf_issuer(m), "https://as.example");
}

/* ---- server config: AuthIntrospectCache ---- */

static void cache_ok(apr_pool_t *p, const char *spec, const char *provider,
                     const char *args)
{
    mai_server_conf_t *s = mai_server_conf_create(p);
    const char *err = mai_conf_set_cache(p, s, spec);

    if (err) {
        fail_msg("rejected \"%s\": %s", spec, err);
    }
    assert_string_equal(mai_conf_cache_provider(s), provider);
    if (args) {
        assert_string_equal(mai_conf_cache_args(s), args);
    } else {
        assert_null(mai_conf_cache_args(s));
    }
}

static void cache_bad(apr_pool_t *p, const char *spec)
{
    mai_server_conf_t *s = mai_server_conf_create(p);
    const char *err = mai_conf_set_cache(p, s, spec);

    if (!err) {
        fail_msg("accepted \"%s\"", spec);
    }
    assert_true(strlen(err) > 0);
}

static void test_cache_spec(void **state)
{
    apr_pool_t *p = *state;
    mai_server_conf_t *s = mai_server_conf_create(p);

    assert_string_equal(mai_conf_cache_provider(s), "shmcb");
    assert_null(mai_conf_cache_args(s));

    cache_ok(p, "redis:127.0.0.1:6379", "redis", "127.0.0.1:6379");
    cache_ok(p, "memcache:localhost:11211", "memcache", "localhost:11211");
    cache_ok(p, "memcache:a:11211,b:11211", "memcache", "a:11211,b:11211");
    cache_ok(p, "shmcb", "shmcb", NULL);
    cache_ok(p, "shmcb:", "shmcb", NULL);
    cache_ok(p, "shmcb:/run/mai_cache(512000)", "shmcb",
             "/run/mai_cache(512000)");
    cache_ok(p, "dbm:/var/cache/x", "dbm", "/var/cache/x");
    cache_ok(p, "none", "none", NULL);
    cache_ok(p, "NONE", "NONE", NULL);

    cache_bad(p, "none:x");
    cache_bad(p, "None:127.0.0.1");
    cache_bad(p, "");
    cache_bad(p, ":x");
    cache_bad(p, ":");
    cache_bad(p, "::1");
}

static void test_server_merge(void **state)
{
    apr_pool_t *p = *state;
    mai_server_conf_t *base, *add;
    const mai_server_conf_t *m;

    /* default when neither sets it */
    base = mai_server_conf_create(p);
    add = mai_server_conf_create(p);
    m = mai_server_conf_merge(p, base, add);
    assert_string_equal(mai_conf_cache_provider(m), "shmcb");
    assert_null(mai_conf_cache_args(m));

    /* unset inherits, arguments included */
    OK(mai_conf_set_cache(p, base, "redis:127.0.0.1:6379"));
    m = mai_server_conf_merge(p, base, add);
    assert_string_equal(mai_conf_cache_provider(m), "redis");
    assert_string_equal(mai_conf_cache_args(m), "127.0.0.1:6379");

    /* set overrides, and the outer arguments do not leak to a provider
     * that was given none */
    OK(mai_conf_set_cache(p, add, "memcache"));
    m = mai_server_conf_merge(p, base, add);
    assert_string_equal(mai_conf_cache_provider(m), "memcache");
    assert_null(mai_conf_cache_args(m));

    /* set to the default overrides */
    add = mai_server_conf_create(p);
    OK(mai_conf_set_cache(p, add, "shmcb"));
    m = mai_server_conf_merge(p, base, add);
    assert_string_equal(mai_conf_cache_provider(m), "shmcb");
    assert_null(mai_conf_cache_args(m));
    assert_string_equal(mai_conf_cache_provider(base), "redis");

    /* "none" is a setting like any other */
    base = mai_server_conf_create(p);
    OK(mai_conf_set_cache(p, base, "none"));
    m = mai_server_conf_merge(p, base, mai_server_conf_create(p));
    assert_string_equal(mai_conf_cache_provider(m), "none");
    m = mai_server_conf_merge(p, mai_server_conf_create(p), base);
    assert_string_equal(mai_conf_cache_provider(m), "none");
}

/* AuthIntrospectCacheL1Recheck: 0..3600 s, default 5, merged like the
 * other server settings. */
static void test_l1_recheck(void **state)
{
    apr_pool_t *p = *state;
    mai_server_conf_t *base = mai_server_conf_create(p);
    mai_server_conf_t *add = mai_server_conf_create(p);

    assert_int_equal(mai_conf_l1_recheck(base), 5);
    assert_non_null(mai_conf_set_l1_recheck(base, "-1"));
    assert_non_null(mai_conf_set_l1_recheck(base, "3601"));
    assert_non_null(mai_conf_set_l1_recheck(base, "1.5"));
    assert_non_null(mai_conf_set_l1_recheck(base, ""));
    assert_int_equal(mai_conf_l1_recheck(base), 5);
    OK(mai_conf_set_l1_recheck(base, "0"));
    assert_int_equal(mai_conf_l1_recheck(base), 0);
    assert_int_equal(mai_conf_l1_recheck(mai_server_conf_merge(p, base, add)),
                     0);
    OK(mai_conf_set_l1_recheck(add, "3600"));
    assert_int_equal(mai_conf_l1_recheck(mai_server_conf_merge(p, base, add)),
                     3600);
}

/* AuthIntrospectProxy / ProxyCredentials / AllowInsecureHTTP: defaults,
 * "none", and credentials that never follow a vhost to its own proxy. */
static void test_proxy(void **state)
{
    apr_pool_t *p = *state;
    mai_server_conf_t *base = mai_server_conf_create(p), *add, *m;
    const char *err;

    assert_null(mai_conf_proxy(base));
    assert_false(mai_conf_allow_insecure_http(base));
    OK(mai_conf_set_proxy(p, base, "http://proxy.example:3128"));
    assert_string_equal(mai_conf_proxy(base)->url->host, "proxy.example");
    assert_int_equal(mai_conf_proxy(base)->url->port, 3128);
    assert_null(mai_conf_proxy(base)->auth);
    BAD(mai_conf_set_proxy(p, base, "https://proxy.example:3128"));
    BAD(mai_conf_set_proxy(p, base, "http://u:pw@proxy.example:3128"));
    BAD(mai_conf_set_proxy(p, base, "http://proxy.example:3128/x"));
    BAD(mai_conf_set_proxy(p, base, "proxy.example:3128"));
    /* a refused value leaves the accepted one */
    assert_int_equal(mai_conf_proxy(base)->url->port, 3128);

    OK(mai_conf_proxy_credentials_spec("file:/etc/apache2/proxy.cred"));
    OK(mai_conf_proxy_credentials_spec("env:PROXY_CRED"));
    BAD(mai_conf_proxy_credentials_spec("user:secret-pw"));
    err = mai_conf_set_proxy_credentials(p, base, "nocolon-secret-pw");
    assert_non_null(err);
    assert_null(strstr(err, "secret-pw"));
    BAD(mai_conf_set_proxy_credentials(p, base, ":pw"));
    OK(mai_conf_set_proxy_credentials(p, base, "user:pw"));
    assert_string_equal(mai_conf_proxy(base)->auth, "Basic dXNlcjpwdw==");

    /* a vhost inherits both */
    m = mai_server_conf_merge(p, base, mai_server_conf_create(p));
    assert_string_equal(mai_conf_proxy(m)->url->host, "proxy.example");
    assert_string_equal(mai_conf_proxy(m)->auth, "Basic dXNlcjpwdw==");
    /* a vhost with its own proxy does not send it the outer credentials */
    add = mai_server_conf_create(p);
    OK(mai_conf_set_proxy(p, add, "http://other.example:8080"));
    m = mai_server_conf_merge(p, base, add);
    assert_string_equal(mai_conf_proxy(m)->url->host, "other.example");
    assert_null(mai_conf_proxy(m)->auth);
    /* its own credentials for the inherited proxy */
    add = mai_server_conf_create(p);
    OK(mai_conf_set_proxy_credentials(p, add, "v:w"));
    m = mai_server_conf_merge(p, base, add);
    assert_string_equal(mai_conf_proxy(m)->url->host, "proxy.example");
    assert_string_equal(mai_conf_proxy(m)->auth, "Basic djp3");
    /* "none" turns an inherited proxy off, and its credentials with it */
    add = mai_server_conf_create(p);
    OK(mai_conf_set_proxy(p, add, "NONE"));
    m = mai_server_conf_merge(p, base, add);
    assert_null(mai_conf_proxy(m));
    assert_false(mai_conf_proxy_credentials_unused(m));
    /* credentials with no proxy at all are reported */
    add = mai_server_conf_create(p);
    OK(mai_conf_set_proxy_credentials(p, add, "v:w"));
    assert_true(mai_conf_proxy_credentials_unused(add));
    assert_false(mai_conf_proxy_credentials_unused(base));

    mai_conf_set_allow_insecure_http(base, 1);
    assert_true(mai_conf_allow_insecure_http(base));
    m = mai_server_conf_merge(p, base, mai_server_conf_create(p));
    assert_true(mai_conf_allow_insecure_http(m));
    add = mai_server_conf_create(p);
    mai_conf_set_allow_insecure_http(add, 0);
    assert_false(mai_conf_allow_insecure_http(
        mai_server_conf_merge(p, base, add)));
}

/* AuthIntrospectCacheSecret: file:/env: only, 32 bytes at least, never
 * quoted in an error; which providers need one. */
static void test_cache_secret(void **state)
{
    apr_pool_t *p = *state;
    mai_server_conf_t *s = mai_server_conf_create(p), *t;
    const char *short31 = "0123456789abcdef0123456789abcde";
    const char *ok32 = "0123456789abcdef0123456789abcdef";
    const char *err;

    assert_null(mai_conf_cache_secret(s));
    OK(mai_conf_cache_secret_spec("file:/etc/apache2/cache.secret"));
    OK(mai_conf_cache_secret_spec("env:MAI_CACHE_SECRET"));
    BAD(mai_conf_cache_secret_spec(ok32));
    BAD(mai_conf_cache_secret_spec("File:/x"));

    err = mai_conf_set_cache_secret(p, s, short31);
    assert_non_null(err);
    assert_null(strstr(err, short31));
    assert_non_null(strstr(err, "31 bytes"));
    assert_non_null(strstr(err, "openssl rand -hex 32"));
    BAD(mai_conf_set_cache_secret(p, s, ""));
    assert_null(mai_conf_cache_secret(s));
    OK(mai_conf_set_cache_secret(p, s, ok32));
    assert_string_equal(mai_conf_cache_secret(s), ok32);

    /* inherited by virtual hosts, which cannot set their own */
    t = mai_server_conf_merge(p, s, mai_server_conf_create(p));
    assert_string_equal(mai_conf_cache_secret(t), ok32);

    /* only shmcb and none (the default: shmcb) do without one */
    t = mai_server_conf_create(p);
    assert_false(mai_conf_cache_needs_secret(t));
    OK(mai_conf_set_cache(p, t, "SHMCB:/run/x(512000)"));
    assert_false(mai_conf_cache_needs_secret(t));
    OK(mai_conf_set_cache(p, t, "none"));
    assert_false(mai_conf_cache_needs_secret(t));
    OK(mai_conf_set_cache(p, t, "redis:127.0.0.1:6379"));
    assert_true(mai_conf_cache_needs_secret(t));
    OK(mai_conf_set_cache(p, t, "memcache:127.0.0.1:11211"));
    assert_true(mai_conf_cache_needs_secret(t));
    OK(mai_conf_set_cache(p, t, "dbm:/var/cache/x"));
    assert_true(mai_conf_cache_needs_secret(t));
}

/* ---- AuthIntrospectExportClaims, ExportClaimsHeader,
 * ExportMaxHeaderBytes ---- */

#include "claim_path.h"

static const char *export_name(const mai_dir_conf_t *c, int i)
{
    const apr_array_header_t *a = mai_conf_export_claims(c);

    assert_non_null(a);
    return APR_ARRAY_IDX(a, i, const mai_claim_path_t *)->name;
}

static void test_export_claims(void **state)
{
    apr_pool_t *p = *state;
    pair_t t;
    const mai_dir_conf_t *m;

    assert_null(mai_conf_export_claims(merged_empty(p)));
    t = fresh(p);
    OK(mai_conf_add_export_claim(p, t.base, "sub"));
    OK(mai_conf_add_export_claim(p, t.base, "realm_access.roles"));
    OK(mai_conf_add_export_claim(p, t.base, "a\\.b"));
    m = merge(p, t);
    assert_int_equal(mai_conf_export_claims(m)->nelts, 3);
    assert_string_equal(export_name(m, 0), "sub");
    assert_string_equal(export_name(m, 1), "realm_access.roles");
    assert_string_equal(export_name(m, 2), "a.b");
    assert_int_equal(APR_ARRAY_IDX(mai_conf_export_claims(m), 2,
                                   const mai_claim_path_t *)->nsegs, 1);
    /* an inner list replaces the outer one */
    OK(mai_conf_add_export_claim(p, t.add, "email"));
    m = merge(p, t);
    assert_int_equal(mai_conf_export_claims(m)->nelts, 1);
    assert_string_equal(export_name(m, 0), "email");
    /* "*" in an inner section brings back every claim */
    t.add = mai_dir_conf_create(p);
    OK(mai_conf_add_export_claim(p, t.add, "*"));
    assert_null(mai_conf_export_claims(merge(p, t)));
    /* ...and an outer "*" is inherited until an inner list replaces it */
    assert_null(mai_conf_export_claims(merge(p, (pair_t){ t.add,
                                          mai_dir_conf_create(p) })));
    assert_string_equal(export_name(merge(p, (pair_t){ t.add, t.base }), 0),
                        "sub");
    /* "*" stands alone; "\\*" is a claim called "*" */
    BAD(mai_conf_add_export_claim(p, t.add, "sub"));
    BAD(mai_conf_add_export_claim(p, t.base, "*"));
    t.add = mai_dir_conf_create(p);
    OK(mai_conf_add_export_claim(p, t.add, "\\*"));
    assert_string_equal(export_name(t.add, 0), "*");
    BAD(mai_conf_add_export_claim(p, t.add, "a..b"));
    BAD(mai_conf_add_export_claim(p, t.add, ""));
    assert_int_equal(mai_conf_export_claims(t.add)->nelts, 1);
}

static void test_export_whole_header(void **state)
{
    check_flag_field(*state, mai_conf_set_export_whole_header,
                     mai_conf_export_whole_header, 1);
}

static void test_export_max_header_bytes(void **state)
{
    check_seconds_field(*state, mai_conf_set_export_max_header_bytes,
                        mai_conf_export_max_header_bytes, 6144, "6144",
                        1048576, "1048576", "1048577");
}

/* AuthIntrospectClientCert: the pair travels together, an inner section
 * wins, unset is NULL. */
static void test_client_cert(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *base = mai_dir_conf_create(p);
    mai_dir_conf_t *add = mai_dir_conf_create(p);
    mai_dir_conf_t *m;

    assert_null(mai_conf_client_cert(base));
    assert_null(mai_conf_client_cert_key(base));
    OK(mai_conf_set_client_cert(p, base, "/a.pem", "/a.key"));
    m = mai_dir_conf_merge(p, base, add);
    assert_string_equal(mai_conf_client_cert(m), "/a.pem");
    assert_string_equal(mai_conf_client_cert_key(m), "/a.key");
    OK(mai_conf_set_client_cert(p, add, "/b.pem", "/b.key"));
    m = mai_dir_conf_merge(p, base, add);
    assert_string_equal(mai_conf_client_cert(m), "/b.pem");
    assert_string_equal(mai_conf_client_cert_key(m), "/b.key");
}

/* AuthIntrospectClientCertHeader: a header name or none; a virtual host
 * inherits the main server's unless it says none. */
static void test_client_cert_header(void **state)
{
    apr_pool_t *p = *state;
    mai_server_conf_t *base = mai_server_conf_create(p);
    mai_server_conf_t *add = mai_server_conf_create(p);

    assert_null(mai_conf_client_cert_header(base));
    BAD(mai_conf_set_client_cert_header(p, base, ""));
    BAD(mai_conf_set_client_cert_header(p, base, "X Cert"));
    BAD(mai_conf_set_client_cert_header(p, base, "X-Cert:"));
    OK(mai_conf_set_client_cert_header(p, base, "X-SSL-Client-Cert"));
    assert_string_equal(mai_conf_client_cert_header(
        mai_server_conf_merge(p, base, add)), "X-SSL-Client-Cert");
    OK(mai_conf_set_client_cert_header(p, add, "None"));
    assert_null(mai_conf_client_cert_header(
        mai_server_conf_merge(p, base, add)));
    assert_string_equal(mai_conf_client_cert_header(
        mai_server_conf_merge(p, add, base)), "X-SSL-Client-Cert");
}

/* ---- JWK set and signed answers ---- */

static void test_jwks(void **state)
{
    apr_pool_t *p = *state;
    pair_t t = fresh(p);

    assert_null(mai_conf_jwks_text(merged_empty(p)));
    assert_int_equal(mai_conf_jwks_refetch(merged_empty(p)),
                     apr_time_from_sec(60));
    BAD(mai_conf_set_jwks(p, t.add, "ftp://as/jwks"));
    BAD(mai_conf_set_jwks_refetch(t.add, "86401"));
    BAD(mai_conf_set_jwks_refetch(t.add, "-1"));
    OK(mai_conf_set_jwks(p, t.base, "https://as/jwks"));
    OK(mai_conf_set_jwks_refetch(t.base, "5"));
    assert_string_equal(mai_conf_jwks_text(merge(p, t)), "https://as/jwks");
    assert_string_equal(mai_conf_jwks_url(merge(p, t))->path, "/jwks");
    assert_int_equal(mai_conf_jwks_refetch(merge(p, t)),
                     apr_time_from_sec(5));
    /* an inner section setting the default still overrides */
    OK(mai_conf_set_jwks(p, t.add, "https://other/keys"));
    OK(mai_conf_set_jwks_refetch(t.add, "60"));
    assert_string_equal(mai_conf_jwks_text(merge(p, t)),
                        "https://other/keys");
    assert_int_equal(mai_conf_jwks_refetch(merge(p, t)),
                     apr_time_from_sec(60));
    OK(mai_conf_set_jwks_refetch(t.add, "0"));
    assert_int_equal(mai_conf_jwks_refetch(merge(p, t)), 0);
}

static void test_response_format(void **state)
{
    apr_pool_t *p = *state;
    pair_t t = fresh(p);

    assert_int_equal(mai_conf_response_jwt(merged_empty(p)), 0);
    BAD(mai_conf_set_response_format(t.add, "xml"));
    BAD(mai_conf_set_response_format(t.add, ""));
    OK(mai_conf_set_response_format(t.base, "JWT"));
    assert_int_equal(mai_conf_response_jwt(merge(p, t)), 1);
    OK(mai_conf_set_response_format(t.add, "json"));
    assert_int_equal(mai_conf_response_jwt(merge(p, t)), 0);
}

/* ---- JWT access tokens verified locally ---- */

static void test_local_jwt(void **state)
{
    apr_pool_t *p = *state;
    pair_t t = fresh(p);

    assert_int_equal(mai_conf_local_jwt(merged_empty(p)), 0);
    OK(mai_conf_set_local_jwt(t.base, "only"));
    assert_int_equal(mai_conf_local_jwt(merge(p, t)), 2);
    /* an inner section may set it back to the default */
    OK(mai_conf_set_local_jwt(t.add, "off"));
    assert_int_equal(mai_conf_local_jwt(merge(p, t)), 0);
    OK(mai_conf_set_local_jwt(t.add, "ON"));
    assert_int_equal(mai_conf_local_jwt(merge(p, t)), 1);
    BAD(mai_conf_set_local_jwt(t.add, "yes"));
    assert_int_equal(mai_conf_local_jwt(t.add), 1);
}

static void test_local_jwt_type(void **state)
{
    apr_pool_t *p = *state;
    pair_t t = fresh(p);

    assert_int_equal(mai_conf_local_jwt_lenient(merged_empty(p)), 0);
    OK(mai_conf_set_local_jwt_type(t.base, "lenient"));
    assert_int_equal(mai_conf_local_jwt_lenient(merge(p, t)), 1);
    OK(mai_conf_set_local_jwt_type(t.add, "Strict"));
    assert_int_equal(mai_conf_local_jwt_lenient(merge(p, t)), 0);
    BAD(mai_conf_set_local_jwt_type(t.add, "any"));
}

static void test_local_jwt_introspect_after(void **state)
{
    apr_pool_t *p = *state;
    pair_t t = fresh(p);

    assert_int_equal(mai_conf_local_jwt_introspect_after(merged_empty(p)),
                     0);
    OK(mai_conf_set_local_jwt_introspect_after(t.base, "300"));
    assert_int_equal(mai_conf_local_jwt_introspect_after(merge(p, t)), 300);
    OK(mai_conf_set_local_jwt_introspect_after(t.add, "off"));
    assert_int_equal(mai_conf_local_jwt_introspect_after(merge(p, t)), 0);
    OK(mai_conf_set_local_jwt_introspect_after(t.add, "31536000"));
    BAD(mai_conf_set_local_jwt_introspect_after(t.add, "0"));
    BAD(mai_conf_set_local_jwt_introspect_after(t.add, "31536001"));
    BAD(mai_conf_set_local_jwt_introspect_after(t.add, "5m"));
    assert_int_equal(mai_conf_local_jwt_introspect_after(t.add), 31536000);
}

/* Never the scope of an endpoint, even one at the same URL with the
 * same issuer as client id; strict and lenient apart too. */
static void test_local_jwt_scope(void **state)
{
    apr_pool_t *p = *state;
    mai_dir_conf_t *c = mai_dir_conf_create(p);
    mai_cache_scope_t local, ep, lenient;

    OK(mai_conf_set_metadata_url(p, c, "https://as.test/.well-known/"
                                 "oauth-authorization-server"));
    OK(mai_conf_set_endpoint(p, c, "https://as.test/.well-known/"
                             "oauth-authorization-server"));
    OK(mai_conf_set_client_id(p, c, "https://as.test"));
    local = mai_conf_local_jwt_scope(c);
    ep = mai_conf_cache_scope(c);
    assert_string_equal(local.client_id, "https://as.test");
    assert_string_equal(local.endpoint, ep.endpoint);
    assert_false(mai_cache_scope_equal(&local, &ep));
    OK(mai_conf_set_local_jwt_type(c, "lenient"));
    lenient = mai_conf_local_jwt_scope(c);
    assert_false(mai_cache_scope_equal(&local, &lenient));
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_endpoint),
    UNIT_TEST(test_endpoint_transport),
    UNIT_TEST(test_client_id),
    UNIT_TEST(test_client_secret),
    UNIT_TEST(test_tls_ca_file),
    UNIT_TEST(test_issuer),
    UNIT_TEST(test_client_auth),
    UNIT_TEST(test_assertion_settings),
    UNIT_TEST(test_tls_verify),
    UNIT_TEST(test_tls_verify_own),
    UNIT_TEST(test_set_env),
    UNIT_TEST(test_set_headers),
    UNIT_TEST(test_clock_skew),
    UNIT_TEST(test_cache_ttl),
    UNIT_TEST(test_negative_ttl),
    UNIT_TEST(test_timeout_defaults),
    UNIT_TEST(test_timeout_rejects),
    UNIT_TEST(test_timeout_merge),
    UNIT_TEST(test_token_type_hint),
    UNIT_TEST(test_token_sources),
    UNIT_TEST(test_token_sources_merge),
    UNIT_TEST(test_user_claims),
    UNIT_TEST(test_user_claims_merge),
    UNIT_TEST(test_token_types),
    UNIT_TEST(test_token_types_merge),
    UNIT_TEST(test_token_types_htaccess_narrows),
    UNIT_TEST(test_merge_whole),
    UNIT_TEST(test_merge_all_defaults_override),
    UNIT_TEST(test_cache_spec),
    UNIT_TEST(test_server_merge),
    UNIT_TEST(test_cache_secret),
    UNIT_TEST(test_export_claims),
    UNIT_TEST(test_export_whole_header),
    UNIT_TEST(test_export_max_header_bytes),
    UNIT_TEST(test_l1_recheck),
    UNIT_TEST(test_proxy),
    UNIT_TEST(test_client_cert),
    UNIT_TEST(test_client_cert_header),
    UNIT_TEST(test_jwks),
    UNIT_TEST(test_response_format),
    UNIT_TEST(test_local_jwt),
    UNIT_TEST(test_local_jwt_type),
    UNIT_TEST(test_local_jwt_introspect_after),
    UNIT_TEST(test_local_jwt_scope),
};
UNIT_MAIN(tests)
