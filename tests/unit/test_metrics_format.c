/* SPDX-License-Identifier: Apache-2.0 */
/* test_metrics_format.c: the three text forms of the counters: exact
 * Prometheus lines (HELP/TYPE, labels and their escaping, cumulative
 * buckets, the sum in seconds), mod_status ?auto keys and the HTML
 * table's escaping. */
#include "unit.h"
#include "metrics_format.h"

typedef struct {
    apr_uint64_t global[MAI_MG_COUNT];
    apr_uint64_t endpoints[2 * MAI_ME_COUNT];
    int open[2];
    const char *names[2];
    mai_metrics_view_t v;
} fixture_t;

static void fill(fixture_t *f)
{
    memset(f, 0, sizeof(*f));
    f->global[MAI_MG_REQUESTS + MAI_OK] = 7;
    f->global[MAI_MG_REQUESTS + MAI_STATUS_INACTIVE] = 2;
    f->global[MAI_MG_L1_HITS] = 4;
    f->global[MAI_MG_L2_HITS] = 1;
    f->global[MAI_MG_MISSES] = 3;
    f->global[MAI_MG_FAULT_STORE] = 5;
    f->global[MAI_MG_PURGED] = 12;
    f->endpoints[MAI_ME_CALLS + MAI_OK] = 2;
    f->endpoints[MAI_ME_CALLS + MAI_STATUS_ENDPOINT_TIMEOUT] = 1;
    f->endpoints[MAI_ME_CALLS + MAI_STATUS_INTERNAL] = 1;
    f->endpoints[MAI_ME_BUCKETS + 0] = 1;        /* <= 5 ms */
    f->endpoints[MAI_ME_BUCKETS + 3] = 2;        /* <= 50 ms */
    f->endpoints[MAI_ME_BUCKETS + MAI_METRICS_BUCKETS - 1] = 1;
    f->endpoints[MAI_ME_SUM_US] = 12070042;      /* 12.070042 s */
    f->endpoints[MAI_ME_WAITS] = 6;
    f->endpoints[MAI_ME_OVERLOADED] = 3;
    f->endpoints[MAI_ME_OPENINGS] = 1;
    f->endpoints[MAI_ME_COUNT + MAI_ME_CALLS + MAI_OK] = 9;
    f->open[0] = 1;
    f->names[0] = "https://as.example:8443/introspect";
    f->names[1] = "http://127.0.0.1/x\"y\\z<b>";
    f->v.global = f->global;
    f->v.n_endpoints = 2;
    f->v.endpoint_names = f->names;
    f->v.endpoints = f->endpoints;
    f->v.breaker_open = f->open;
}

/* The whole line: at a line start and ending in a line feed. */
static void has_line(const char *text, const char *line)
{
    const char *at = text;
    size_t n = strlen(line);

    while ((at = strstr(at, line)) != NULL) {
        if ((at == text || at[-1] == '\n') && at[n] == '\n') {
            return;
        }
        at++;
    }
    fail_msg("no line \"%s\" in:\n%s", line, text);
}

static void test_bucket(void **state)
{
    assert_int_equal(mai_metrics_bucket(0), 0);
    assert_int_equal(mai_metrics_bucket(5000), 0);     /* le is inclusive */
    assert_int_equal(mai_metrics_bucket(5001), 1);
    assert_int_equal(mai_metrics_bucket(1000000), 7);
    assert_int_equal(mai_metrics_bucket(10000000), 10);
    assert_int_equal(mai_metrics_bucket(10000001), MAI_METRICS_BUCKETS - 1);
}

static void test_prometheus(void **state)
{
    fixture_t f;
    const char *t;

    fill(&f);
    t = mai_metrics_format(*state, &f.v, MAI_METRICS_PROMETHEUS);
    has_line(t, "# TYPE mai_requests_total counter");
    has_line(t, "mai_requests_total{outcome=\"ok\"} 7");
    has_line(t, "mai_requests_total{outcome=\"inactive\"} 2");
    /* one label per status, zero or not */
    has_line(t, "mai_requests_total{outcome=\"internal\"} 0");
    has_line(t, "mai_requests_total{outcome=\"cache_corrupt\"} 0");
    has_line(t, "mai_cache_l1_hits_total 4");
    has_line(t, "mai_cache_l2_hits_total 1");
    has_line(t, "mai_cache_misses_total 3");
    has_line(t, "mai_cache_faults_total{operation=\"lookup\"} 0");
    has_line(t, "mai_cache_faults_total{operation=\"store\"} 5");
    has_line(t, "mai_purges_total 0");
    has_line(t, "mai_purged_entries_total 12");
    has_line(t, "# TYPE mai_endpoint_calls_total counter");
    has_line(t, "mai_endpoint_calls_total{endpoint=\"https://as.example:"
             "8443/introspect\",result=\"ok\"} 2");
    has_line(t, "mai_endpoint_calls_total{endpoint=\"https://as.example:"
             "8443/introspect\",result=\"endpoint_timeout\"} 1");
    /* not a call result, but it happened */
    has_line(t, "mai_endpoint_calls_total{endpoint=\"https://as.example:"
             "8443/introspect\",result=\"internal\"} 1");
    assert_null(strstr(t, "result=\"overloaded\""));
    assert_null(strstr(t, "result=\"breaker_open\""));
    has_line(t, "# TYPE mai_endpoint_call_duration_seconds histogram");
    has_line(t, "mai_endpoint_call_duration_seconds_bucket{endpoint=\""
             "https://as.example:8443/introspect\",le=\"0.005\"} 1");
    has_line(t, "mai_endpoint_call_duration_seconds_bucket{endpoint=\""
             "https://as.example:8443/introspect\",le=\"0.025\"} 1");
    has_line(t, "mai_endpoint_call_duration_seconds_bucket{endpoint=\""
             "https://as.example:8443/introspect\",le=\"0.05\"} 3");
    has_line(t, "mai_endpoint_call_duration_seconds_bucket{endpoint=\""
             "https://as.example:8443/introspect\",le=\"10\"} 3");
    has_line(t, "mai_endpoint_call_duration_seconds_bucket{endpoint=\""
             "https://as.example:8443/introspect\",le=\"+Inf\"} 4");
    has_line(t, "mai_endpoint_call_duration_seconds_sum{endpoint=\""
             "https://as.example:8443/introspect\"} 12.070042");
    has_line(t, "mai_endpoint_call_duration_seconds_count{endpoint=\""
             "https://as.example:8443/introspect\"} 4");
    has_line(t, "mai_endpoint_inflight_waits_total{endpoint=\""
             "https://as.example:8443/introspect\"} 6");
    has_line(t, "mai_endpoint_inflight_rejections_total{endpoint=\""
             "https://as.example:8443/introspect\"} 3");
    has_line(t, "mai_endpoint_breaker_openings_total{endpoint=\""
             "https://as.example:8443/introspect\"} 1");
    has_line(t, "# TYPE mai_endpoint_breaker_open gauge");
    has_line(t, "mai_endpoint_breaker_open{endpoint=\""
             "https://as.example:8443/introspect\"} 1");
    /* the second endpoint: quote and backslash escaped */
    has_line(t, "mai_endpoint_calls_total{endpoint=\"http://127.0.0.1/"
             "x\\\"y\\\\z<b>\",result=\"ok\"} 9");
    has_line(t, "mai_endpoint_breaker_open{endpoint=\"http://127.0.0.1/"
             "x\\\"y\\\\z<b>\"} 0");
    assert_int_equal(t[strlen(t) - 1], '\n');
}

/* Every family once, HELP before TYPE, TYPE before its samples. */
static void test_prometheus_families(void **state)
{
    fixture_t f;
    const char *t, *help, *type, *first;
    /* each family and how its first sample starts */
    static const char *const names[][2] = {
        { "mai_requests_total", "mai_requests_total{" },
        { "mai_cache_l1_hits_total", "mai_cache_l1_hits_total " },
        { "mai_endpoint_call_duration_seconds",
          "mai_endpoint_call_duration_seconds_bucket{" },
        { "mai_endpoint_breaker_open", "mai_endpoint_breaker_open{" }
    };
    char buf[128];
    size_t i;

    fill(&f);
    t = mai_metrics_format(*state, &f.v, MAI_METRICS_PROMETHEUS);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(buf, sizeof(buf), "# HELP %s ", names[i][0]);
        help = strstr(t, buf);
        assert_non_null(help);
        assert_null(strstr(help + 1, buf));
        snprintf(buf, sizeof(buf), "# TYPE %s ", names[i][0]);
        type = strstr(t, buf);
        assert_non_null(type);
        snprintf(buf, sizeof(buf), "\n%s", names[i][1]);
        first = strstr(t, buf);
        assert_true(help < type && type < first);
    }
}

static void test_status_auto(void **state)
{
    fixture_t f;
    const char *t;

    fill(&f);
    t = mai_metrics_format(*state, &f.v, MAI_METRICS_STATUS_AUTO);
    has_line(t, "AuthIntrospectEndpoint[0]Name: "
             "https://as.example:8443/introspect");
    has_line(t, "AuthIntrospectRequests[ok]: 7");
    has_line(t, "AuthIntrospectRequests[inactive]: 2");
    has_line(t, "AuthIntrospectL1Hits: 4");
    has_line(t, "AuthIntrospectCacheFaults[store]: 5");
    has_line(t, "AuthIntrospectEndpoint[0]Calls[endpoint_timeout]: 1");
    has_line(t, "AuthIntrospectEndpoint[1]Calls[ok]: 9");
    has_line(t, "AuthIntrospectEndpoint[0]CallSecondsBucket[0.05]: 3");
    has_line(t, "AuthIntrospectEndpoint[0]CallSecondsSum: 12.070042");
    has_line(t, "AuthIntrospectEndpoint[0]CallSecondsCount: 4");
    has_line(t, "AuthIntrospectEndpoint[0]InflightRejections: 3");
    has_line(t, "AuthIntrospectEndpoint[0]BreakerOpen: 1");
    assert_null(strstr(t, "# "));
    assert_null(strstr(t, "<tr>"));
}

static void test_status_html(void **state)
{
    fixture_t f;
    const char *t;

    fill(&f);
    t = mai_metrics_format(*state, &f.v, MAI_METRICS_STATUS_HTML);
    assert_non_null(strstr(t, "<tr><td>mai_cache_l1_hits_total</td>"
                              "<td>4</td></tr>"));
    assert_non_null(strstr(t, "<tr><td>mai_requests_total{outcome=&quot;"
                              "ok&quot;}</td><td>7</td></tr>"));
    /* the endpoint's name cannot inject markup */
    assert_non_null(strstr(t, "x\\&quot;y\\\\z&lt;b&gt;"));
    assert_null(strstr(t, "<b>"));
    assert_non_null(strstr(t, "</table>\n"));
}

static void test_no_endpoints(void **state)
{
    apr_uint64_t g[MAI_MG_COUNT] = { 0 };
    mai_metrics_view_t v = { 0 };
    const char *t;

    v.global = g;
    t = mai_metrics_format(*state, &v, MAI_METRICS_PROMETHEUS);
    has_line(t, "mai_cache_misses_total 0");
    /* families without samples still say what they are */
    has_line(t, "# TYPE mai_endpoint_calls_total counter");
    assert_null(strstr(t, "endpoint=\""));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bucket),
    UNIT_TEST(test_prometheus),
    UNIT_TEST(test_prometheus_families),
    UNIT_TEST(test_status_auto),
    UNIT_TEST(test_status_html),
    UNIT_TEST(test_no_endpoints),
};
UNIT_MAIN(tests)
