/* SPDX-License-Identifier: Apache-2.0 */
/* test_status.c: the status table maps each outcome once and right. */
#include "unit.h"
#include "status.h"

static void test_client_failures(void **state)
{
    assert_int_equal(mai_status_http(MAI_STATUS_NO_TOKEN), 401);
    assert_null(mai_status_bearer_error(MAI_STATUS_NO_TOKEN));
    assert_null(mai_status_bearer_error(MAI_STATUS_OTHER_SCHEME));
    assert_int_equal(mai_status_http(MAI_STATUS_MALFORMED), 400);
    assert_string_equal(mai_status_bearer_error(MAI_STATUS_MALFORMED),
                        "invalid_request");
    assert_int_equal(mai_status_http(MAI_STATUS_EXPIRED), 401);
    assert_string_equal(mai_status_bearer_error(MAI_STATUS_EXPIRED),
                        "invalid_token");
    assert_int_equal(mai_status_log_level(MAI_STATUS_INACTIVE), MAI_LOG_INFO);
}

static void test_endpoint_failures(void **state)
{
    int s;
    for (s = MAI_STATUS_ENDPOINT_UNREACHABLE;
         s <= MAI_STATUS_ENDPOINT_DUPLICATE_MEMBER; s++) {
        assert_true(mai_status_is_endpoint_failure(s));
        assert_int_equal(mai_status_http(s), 503);
        assert_null(mai_status_bearer_error(s));
        assert_int_equal(mai_status_log_level(s), MAI_LOG_ERR);
    }
    assert_false(mai_status_is_endpoint_failure(MAI_STATUS_INACTIVE));
    assert_true(mai_status_is_endpoint_failure(MAI_STATUS_BREAKER_OPEN));
}

/* The in-flight cap is a 503 of ours, not the endpoint's: StaleIfError
 * must not stretch a cached answer's life because of it. */
static void test_overloaded_is_not_the_endpoint(void **state)
{
    assert_int_equal(mai_status_http(MAI_STATUS_OVERLOADED), 503);
    assert_false(mai_status_is_endpoint_failure(MAI_STATUS_OVERLOADED));
}

static void test_names_and_bounds(void **state)
{
    assert_string_equal(mai_status_name(MAI_STATUS_WRONG_ISSUER),
                        "WRONG_ISSUER");
    assert_int_equal(mai_status_http(MAI_OK), 0);
    /* an out-of-range value maps to INTERNAL rather than reading past */
    assert_int_equal(mai_status_http((mai_status_t)9999), 500);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_client_failures),
    UNIT_TEST(test_endpoint_failures),
    UNIT_TEST(test_overloaded_is_not_the_endpoint),
    UNIT_TEST(test_names_and_bounds),
};
UNIT_MAIN(tests)
