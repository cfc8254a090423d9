/* SPDX-License-Identifier: Apache-2.0 */
/* test_deny_rules.c: what a refused Bearer request is told, from the
 * facts its judgement recorded (status, challenge, 401 -> 403). */
#include "unit.h"
#include "deny_rules.h"

static void test_unmet_records_aud_and_scope_only(void **state)
{
    apr_pool_t *p = *state;
    mai_deny_facts_t f = { 0 };

    mai_deny_facts_unmet(p, &f, MAI_POLICY_CLAIM, "groups ops");
    mai_deny_facts_unmet(p, &f, MAI_POLICY_CLIENT, "app-1");
    assert_int_equal(f.aud_failed, 0);
    assert_null(f.scope_missing);
    assert_null(mai_deny_scope_challenge(p, "api", &f));

    mai_deny_facts_unmet(p, &f, MAI_POLICY_SCOPE, "read write");
    mai_deny_facts_unmet(p, &f, MAI_POLICY_SCOPE, "admin");
    assert_int_equal(f.aud_failed, 0);
    assert_int_equal(f.scope_missing->nelts, 2);
    mai_deny_facts_unmet(p, &f, MAI_POLICY_AUD, "https://a.test");
    assert_int_equal(f.aud_failed, 1);
    assert_int_equal(f.forbid, 0);
}

/* the one builder of insufficient_scope, for note_auth_failure and the
 * error filter alike: every unmet line's scopes, in order */
static void test_scope_challenge(void **state)
{
    apr_pool_t *p = *state;
    mai_deny_facts_t f = { 0 };

    mai_deny_facts_unmet(p, &f, MAI_POLICY_SCOPE, "read write");
    assert_string_equal(mai_deny_scope_challenge(p, "api", &f),
                        "Bearer realm=\"api\", error=\"insufficient_scope\", "
                        "scope=\"read write\"");
    mai_deny_facts_unmet(p, &f, MAI_POLICY_SCOPE, "admin");
    assert_string_equal(mai_deny_scope_challenge(p, NULL, &f),
                        "Bearer error=\"insufficient_scope\", "
                        "scope=\"read write admin\"");
    /* an empty array (never filled) is no unmet scope */
    f.scope_missing = apr_array_make(p, 1, sizeof(const char *));
    assert_null(mai_deny_scope_challenge(p, "api", &f));
}

static void test_note_refused_token(void **state)
{
    apr_pool_t *p = *state;
    mai_deny_facts_t f = { 0 };

    assert_string_equal(mai_deny_note(p, "api", MAI_STATUS_NO_TOKEN, &f),
                        "Bearer realm=\"api\"");
    assert_string_equal(mai_deny_note(p, "api", MAI_STATUS_EXPIRED, &f),
                        "Bearer realm=\"api\", error=\"invalid_token\"");
    assert_string_equal(mai_deny_note(p, "api", MAI_STATUS_MALFORMED, &f),
                        "Bearer realm=\"api\", error=\"invalid_request\"");
    /* a refused token is never forbidden, whatever Require said */
    mai_deny_facts_unmet(p, &f, MAI_POLICY_SCOPE, "read");
    assert_string_equal(mai_deny_note(p, "api", MAI_STATUS_INACTIVE, &f),
                        "Bearer realm=\"api\", error=\"invalid_token\"");
    assert_int_equal(f.forbid, 0);
}

static void test_note_aud_is_invalid_token(void **state)
{
    apr_pool_t *p = *state;
    mai_deny_facts_t f = { 0 };

    mai_deny_facts_unmet(p, &f, MAI_POLICY_SCOPE, "read");
    mai_deny_facts_unmet(p, &f, MAI_POLICY_AUD, "https://a.test");
    assert_string_equal(mai_deny_note(p, "api", MAI_OK, &f),
                        "Bearer realm=\"api\", error=\"invalid_token\"");
    assert_int_equal(f.forbid, 0);
}

static void test_note_valid_token_is_forbidden(void **state)
{
    apr_pool_t *p = *state;
    mai_deny_facts_t f = { 0 };

    /* oauth-claim, oauth-client, Require not ...: 403, no challenge */
    mai_deny_facts_unmet(p, &f, MAI_POLICY_CLIENT, "app-1");
    assert_null(mai_deny_note(p, "api", MAI_OK, &f));
    assert_int_equal(f.forbid, 1);

    f = (mai_deny_facts_t){ 0 };
    mai_deny_facts_unmet(p, &f, MAI_POLICY_SCOPE, "write");
    assert_string_equal(mai_deny_note(p, "api", MAI_OK, &f),
                        "Bearer realm=\"api\", error=\"insufficient_scope\", "
                        "scope=\"write\"");
    assert_int_equal(f.forbid, 1);
}

static void test_final(void **state)
{
    mai_deny_facts_t f = { 0 };
    apr_pool_t *p = *state;

    /* a 401 becomes 403 only once note_auth_failure judged it so */
    assert_int_equal(mai_deny_final(MAI_OK, &f, 401, 0), MAI_DENY_KEEP);
    f.forbid = 1;
    assert_int_equal(mai_deny_final(MAI_OK, &f, 401, 1), MAI_DENY_FORBID);
    assert_int_equal(mai_deny_final(MAI_OK, &f, 404, 0), MAI_DENY_KEEP);
    assert_int_equal(mai_deny_final(MAI_STATUS_EXPIRED, &f, 401, 1),
                     MAI_DENY_KEEP);

    /* httpd's own 403 (AuthzSendForbiddenOnFailure On) */
    f = (mai_deny_facts_t){ 0 };
    assert_int_equal(mai_deny_final(MAI_OK, &f, 403, 0), MAI_DENY_KEEP);
    mai_deny_facts_unmet(p, &f, MAI_POLICY_SCOPE, "read");
    assert_int_equal(mai_deny_final(MAI_OK, &f, 403, 0), MAI_DENY_ADD_SCOPE);
    /* a challenge already there is kept */
    assert_int_equal(mai_deny_final(MAI_OK, &f, 403, 1), MAI_DENY_KEEP);
    assert_int_equal(mai_deny_final(MAI_STATUS_NO_USER, &f, 403, 0),
                     MAI_DENY_KEEP);
    /* an unmet audience is invalid_token, never insufficient_scope */
    mai_deny_facts_unmet(p, &f, MAI_POLICY_AUD, "https://a.test");
    assert_int_equal(mai_deny_final(MAI_OK, &f, 403, 0), MAI_DENY_KEEP);
}

static void test_http(void **state)
{
    (void)state;
    assert_int_equal(mai_deny_http(MAI_STATUS_NO_TOKEN), 401);
    assert_int_equal(mai_deny_http(MAI_STATUS_NO_USER), 401);
    assert_int_equal(mai_deny_http(MAI_STATUS_MALFORMED), 400);
    assert_int_equal(mai_deny_http(MAI_STATUS_ENDPOINT_TIMEOUT), 503);
    assert_int_equal(mai_deny_http(MAI_STATUS_OVERLOADED), 503);
    assert_int_equal(mai_deny_http(MAI_STATUS_INTERNAL), 500);
    /* not refusals: never a 0 or a 200 back to httpd */
    assert_int_equal(mai_deny_http(MAI_OK), 500);
    assert_int_equal(mai_deny_http(MAI_STATUS_CACHE_MISS), 500);
}

static void test_retry_after(void **state)
{
    (void)state;
    /* the known delay wins; whole seconds, rounded up */
    assert_int_equal(mai_deny_retry_after(apr_time_from_sec(7),
                                          apr_time_from_sec(3)), 7);
    assert_int_equal(mai_deny_retry_after(0, apr_time_from_sec(3)), 3);
    assert_int_equal(mai_deny_retry_after(0, apr_time_from_msec(1500)), 2);
    assert_int_equal(mai_deny_retry_after(1, apr_time_from_sec(30)), 1);
    assert_int_equal(mai_deny_retry_after(0, 0), 0);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_unmet_records_aud_and_scope_only),
    UNIT_TEST(test_scope_challenge),
    UNIT_TEST(test_note_refused_token),
    UNIT_TEST(test_note_aud_is_invalid_token),
    UNIT_TEST(test_note_valid_token_is_forbidden),
    UNIT_TEST(test_final),
    UNIT_TEST(test_http),
    UNIT_TEST(test_retry_after),
};
UNIT_MAIN(tests)
