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

/* Every row of the table, as status.h's X-macro lists it: adding a
 * status anywhere in the list puts it under these checks. */
typedef struct {
    mai_status_t s;
    const char *name;
    int http;
    const char *error;
    int level;
} row_t;

#define ROW(n, reason, http, error, level) \
    { MAI_STATUS_##n, #n, http, error, level },
static const row_t rows[] = { MAI_STATUS_LIST(ROW) };
#undef ROW
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* Each status reads back its own row (the table is indexed in order). */
static void test_table_rows(void **state)
{
    size_t i;

    assert_int_equal(NROWS, MAI_STATUS_COUNT_);
    for (i = 0; i < NROWS; i++) {
        assert_int_equal(rows[i].s, i);
        assert_string_equal(mai_status_name(rows[i].s), rows[i].name);
        assert_int_equal(mai_status_http(rows[i].s), rows[i].http);
        assert_int_equal(mai_status_log_level(rows[i].s), rows[i].level);
        if (rows[i].error) {
            assert_string_equal(mai_status_bearer_error(rows[i].s),
                                rows[i].error);
        }
        else {
            assert_null(mai_status_bearer_error(rows[i].s));
        }
        assert_non_null(mai_status_reason(rows[i].s));
    }
}

/* Every ENDPOINT_* status is an endpoint failure: a 503 with no bearer
 * error, logged at ERR; the only other endpoint failure is the open
 * breaker (the endpoint failed before). */
static void test_endpoint_failures(void **state)
{
    size_t i, endpoint = 0;

    for (i = 0; i < NROWS; i++) {
        mai_status_t s = rows[i].s;
        if (strncmp(rows[i].name, "ENDPOINT_", 9) == 0) {
            endpoint++;
            assert_true(mai_status_is_endpoint_failure(s));
            assert_int_equal(mai_status_http(s), 503);
            assert_null(mai_status_bearer_error(s));
            assert_int_equal(mai_status_log_level(s), MAI_LOG_ERR);
        }
        else {
            assert_int_equal(mai_status_is_endpoint_failure(s),
                             s == MAI_STATUS_BREAKER_OPEN);
        }
    }
    assert_true(endpoint >= 9);          /* the nine of today, or more */
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
    UNIT_TEST(test_table_rows),
    UNIT_TEST(test_endpoint_failures),
    UNIT_TEST(test_overloaded_is_not_the_endpoint),
    UNIT_TEST(test_names_and_bounds),
};
UNIT_MAIN(tests)
