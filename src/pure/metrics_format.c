/* SPDX-License-Identifier: Apache-2.0 */
/* metrics_format.c: one walk over the figures, written three ways: the
 * Prometheus text exposition format 0.0.4 for SetHandler
 * auth-introspect-metrics, and mod_status's ?auto lines and HTML table,
 * so every reader sees the same series. docs/metrics.md lists them. */
#include <apr_strings.h>
#include <apr_lib.h>
#include "metrics_format.h"

/* Upper bounds in microseconds, and as Prometheus's le label. */
static const apr_interval_time_t bucket_us[MAI_METRICS_BUCKETS - 1] = {
    5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000,
    5000000, 10000000
};
static const char *const bucket_le[MAI_METRICS_BUCKETS] = {
    "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5",
    "10", "+Inf"
};

int mai_metrics_bucket(apr_interval_time_t us)
{
    int i;

    for (i = 0; i < MAI_METRICS_BUCKETS - 1 && us > bucket_us[i]; i++) {
    }
    return i;
}

typedef struct {
    const char *name;      /* Prometheus family name */
    const char *type;      /* counter, gauge, histogram */
    const char *help;
    const char *key;       /* mod_status ?auto key after AuthIntrospect */
} family_t;

/* The output, growing in the pool. */
typedef struct {
    apr_pool_t *p;
    mai_metrics_style_t style;
    char *buf;
    apr_size_t len, cap;
} out_t;

static void put_n(out_t *o, const char *s, apr_size_t n)
{
    if (o->len + n + 1 > o->cap) {
        apr_size_t cap = (o->len + n + 1) * 2;
        char *b = apr_palloc(o->p, cap);
        if (o->len) {
            memcpy(b, o->buf, o->len);
        }
        o->buf = b;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void put(out_t *o, const char *s)
{
    put_n(o, s, strlen(s));
}

/* A label value: backslash, double quote and line feed escaped, as the
 * exposition format wants. */
static void put_label(out_t *o, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"') {
            put_n(o, "\\", 1);
            put_n(o, s, 1);
        }
        else if (*s == '\n') {
            put_n(o, "\\n", 2);
        }
        else {
            put_n(o, s, 1);
        }
    }
}

static void put_html(out_t *o, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': put(o, "&amp;"); break;
        case '<': put(o, "&lt;"); break;
        case '>': put(o, "&gt;"); break;
        case '"': put(o, "&quot;"); break;
        default: put_n(o, s, 1);
        }
    }
}

/* ?auto keys and values are one line each: nothing that ends one. */
static void put_line_text(out_t *o, const char *s)
{
    for (; *s; s++) {
        put_n(o, *s == '\n' || *s == '\r' ? " " : s, 1);
    }
}

static const char *status_label(apr_pool_t *p, mai_status_t s)
{
    char *l = apr_pstrdup(p, mai_status_name(s)), *c;

    for (c = l; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return l;
}

static void family(out_t *o, const family_t *f)
{
    if (o->style != MAI_METRICS_PROMETHEUS) {
        return;
    }
    put(o, "# HELP ");
    put(o, f->name);
    put(o, " ");
    put(o, f->help);
    put(o, "\n# TYPE ");
    put(o, f->name);
    put(o, " ");
    put(o, f->type);
    put(o, "\n");
}

/* One sample of family f: the Prometheus series (name, suffix, labels)
 * or the ?auto key (AuthIntrospect, Endpoint[i], key, key suffix,
 * [label value]). ep < 0: no endpoint; lname NULL: no other label. */
typedef struct {
    const char *suffix;      /* _bucket, _sum, _count or "" */
    const char *key_suffix;  /* Bucket, Sum, Count or "" */
    int ep;
    const char *lname, *lvalue;
} sample_t;

static void series(out_t *o, const family_t *f, const sample_t *s,
                   const mai_metrics_view_t *v)
{
    put(o, f->name);
    put(o, s->suffix);
    if (s->ep < 0 && !s->lname) {
        return;
    }
    put(o, "{");
    if (s->ep >= 0) {
        put(o, "endpoint=\"");
        put_label(o, v->endpoint_names[s->ep]);
        put(o, s->lname ? "\"," : "\"");
    }
    if (s->lname) {
        put(o, s->lname);
        put(o, "=\"");
        put_label(o, s->lvalue);
        put(o, "\"");
    }
    put(o, "}");
}

static void sample(out_t *o, const family_t *f, const sample_t *s,
                   const mai_metrics_view_t *v, const char *value)
{
    out_t name = { 0 };

    switch (o->style) {
    case MAI_METRICS_PROMETHEUS:
        series(o, f, s, v);
        break;
    case MAI_METRICS_STATUS_AUTO:
        put(o, "AuthIntrospect");
        if (s->ep >= 0) {
            put(o, apr_psprintf(o->p, "Endpoint[%d]", s->ep));
        }
        put(o, f->key);
        put(o, s->key_suffix);
        if (s->lvalue) {
            put(o, "[");
            put_line_text(o, s->lvalue);
            put(o, "]");
        }
        put(o, ":");
        break;
    case MAI_METRICS_STATUS_HTML:
        name.p = o->p;
        series(&name, f, s, v);
        put(o, "<tr><td>");
        put_html(o, name.buf);
        put(o, "</td><td>");
        break;
    }
    put(o, o->style == MAI_METRICS_STATUS_HTML ? "" : " ");
    put(o, value);
    put(o, o->style == MAI_METRICS_STATUS_HTML ? "</td></tr>\n" : "\n");
}

static const char *u64(apr_pool_t *p, apr_uint64_t n)
{
    return apr_psprintf(p, "%" APR_UINT64_T_FMT, n);
}

/* A family without labels but the endpoint (ep < 0: none). */
static void plain(out_t *o, const mai_metrics_view_t *v, const family_t *f,
                  int ep, apr_uint64_t n)
{
    sample_t s = { "", "", -1, NULL, NULL };

    s.ep = ep;
    sample(o, f, &s, v, u64(o->p, n));
}

static void globals(out_t *o, const mai_metrics_view_t *v)
{
    static const family_t requests = { "mai_requests_total", "counter",
        "Bearer checks by outcome (one label per status of the status "
        "table; ok: the token was accepted).", "Requests" };
    static const family_t faults = { "mai_cache_faults_total", "counter",
        "Shared cache (L2) operations that failed, by operation.",
        "CacheFaults" };
    static const struct { family_t f; int i; } simple[] = {
        { { "mai_cache_l1_hits_total", "counter",
            "Answers found fresh in the per-process cache (L1).",
            "L1Hits" }, MAI_MG_L1_HITS },
        { { "mai_cache_l2_hits_total", "counter",
            "Answers found fresh in the shared cache (L2).", "L2Hits" },
          MAI_MG_L2_HITS },
        { { "mai_cache_misses_total", "counter",
            "Lookups that found no fresh answer in either cache.",
            "Misses" }, MAI_MG_MISSES },
        { { "mai_singleflight_joins_total", "counter",
            "Requests that took the answer of another request's endpoint "
            "call for the same token (single-flight).",
            "SingleFlightJoins" }, MAI_MG_JOINS },
        { { "mai_stale_answers_total", "counter",
            "Cached answers past their TTL served because the endpoint "
            "failed (AuthIntrospectStaleIfError).", "StaleAnswers" },
          MAI_MG_STALE },
        { { "mai_cache_entries_rejected_total", "counter",
            "Shared cache entries refused: tampered, swapped or sealed "
            "with another key.", "CacheEntriesRejected" }, MAI_MG_REJECTED },
        { { "mai_purges_total", "counter",
            "Purge requests handled.", "Purges" }, MAI_MG_PURGES },
        { { "mai_purged_entries_total", "counter",
            "Cache entries removed by purge requests.", "PurgedEntries" },
          MAI_MG_PURGED },
    };
    sample_t s = { "", "", -1, NULL, NULL };
    int i;

    family(o, &requests);
    s.lname = "outcome";
    for (i = 0; i < MAI_STATUS_COUNT_; i++) {
        s.lvalue = status_label(o->p, (mai_status_t)i);
        sample(o, &requests, &s, v, u64(o->p, v->global[MAI_MG_REQUESTS + i]));
    }
    for (i = 0; i < (int)(sizeof(simple) / sizeof(simple[0])); i++) {
        family(o, &simple[i].f);
        plain(o, v, &simple[i].f, -1, v->global[simple[i].i]);
    }
    family(o, &faults);
    s.lname = "operation";
    s.lvalue = "lookup";
    sample(o, &faults, &s, v, u64(o->p, v->global[MAI_MG_FAULT_LOOKUP]));
    s.lvalue = "store";
    sample(o, &faults, &s, v, u64(o->p, v->global[MAI_MG_FAULT_STORE]));
}

/* A call result: what a call that went out can end with. The rest (an
 * internal error, say) is written only when it happened. */
static int call_result(mai_status_t s)
{
    return s == MAI_OK || (mai_status_is_endpoint_failure(s)
                           && s != MAI_STATUS_BREAKER_OPEN);
}

static void calls(out_t *o, const mai_metrics_view_t *v)
{
    static const family_t f = { "mai_endpoint_calls_total", "counter",
        "Introspection calls made, by endpoint and result (ok, or the "
        "status that failed the call).", "Calls" };
    sample_t s = { "", "", 0, "result", NULL };
    int e, i;

    family(o, &f);
    for (e = 0; e < v->n_endpoints; e++) {
        const apr_uint64_t *c = v->endpoints + e * MAI_ME_COUNT;
        s.ep = e;
        for (i = 0; i < MAI_STATUS_COUNT_; i++) {
            if (call_result((mai_status_t)i) || c[MAI_ME_CALLS + i]) {
                s.lvalue = status_label(o->p, (mai_status_t)i);
                sample(o, &f, &s, v, u64(o->p, c[MAI_ME_CALLS + i]));
            }
        }
    }
}

static void histogram(out_t *o, const mai_metrics_view_t *v)
{
    static const family_t f = { "mai_endpoint_call_duration_seconds",
        "histogram", "Introspection call duration, from a call slot taken "
        "to the answer read, by endpoint.", "CallSeconds" };
    sample_t b = { "_bucket", "Bucket", 0, "le", NULL };
    sample_t t = { "_sum", "Sum", 0, NULL, NULL };
    apr_uint64_t total, us;
    int e, i;

    family(o, &f);
    for (e = 0; e < v->n_endpoints; e++) {
        const apr_uint64_t *c = v->endpoints + e * MAI_ME_COUNT;
        b.ep = t.ep = e;
        total = 0;
        for (i = 0; i < MAI_METRICS_BUCKETS; i++) {
            total += c[MAI_ME_BUCKETS + i];     /* cumulative */
            b.lvalue = bucket_le[i];
            sample(o, &f, &b, v, u64(o->p, total));
        }
        us = c[MAI_ME_SUM_US];
        t.suffix = "_sum";
        t.key_suffix = "Sum";
        sample(o, &f, &t, v, apr_psprintf(o->p, "%" APR_UINT64_T_FMT
                                          ".%06" APR_UINT64_T_FMT,
                                          us / 1000000, us % 1000000));
        t.suffix = "_count";
        t.key_suffix = "Count";
        sample(o, &f, &t, v, u64(o->p, total));
    }
}

static void admission(out_t *o, const mai_metrics_view_t *v)
{
    static const struct { family_t f; int i; } per_ep[] = {
        { { "mai_endpoint_inflight_waits_total", "counter",
            "Calls that waited for a slot (AuthIntrospectMaxInflight).",
            "InflightWaits" }, MAI_ME_WAITS },
        { { "mai_endpoint_inflight_rejections_total", "counter",
            "Requests answered 503 because no slot freed up in time "
            "(AuthIntrospectMaxInflight).", "InflightRejections" },
          MAI_ME_OVERLOADED },
        { { "mai_endpoint_breaker_openings_total", "counter",
            "Times a process's circuit breaker opened "
            "(AuthIntrospectBreaker).", "BreakerOpenings" },
          MAI_ME_OPENINGS },
    };
    static const family_t open = { "mai_endpoint_breaker_open", "gauge",
        "1 while the circuit breaker of at least one process refuses "
        "calls to the endpoint, else 0.", "BreakerOpen" };
    int e, i;

    for (i = 0; i < (int)(sizeof(per_ep) / sizeof(per_ep[0])); i++) {
        family(o, &per_ep[i].f);
        for (e = 0; e < v->n_endpoints; e++) {
            plain(o, v, &per_ep[i].f, e,
                  v->endpoints[e * MAI_ME_COUNT + per_ep[i].i]);
        }
    }
    family(o, &open);
    for (e = 0; e < v->n_endpoints; e++) {
        plain(o, v, &open, e, v->breaker_open[e] ? 1 : 0);
    }
}

char *mai_metrics_format(apr_pool_t *p, const mai_metrics_view_t *v,
                         mai_metrics_style_t style)
{
    out_t o = { 0 };
    int e;

    o.p = p;
    o.style = style;
    put(&o, "");
    if (style == MAI_METRICS_STATUS_HTML) {
        put(&o, "<hr />\n<h2>mod_auth_introspect</h2>\n<table border=\"0\">"
            "\n<tr><th>series</th><th>value</th></tr>\n");
    }
    for (e = 0; style == MAI_METRICS_STATUS_AUTO && e < v->n_endpoints;
         e++) {
        put(&o, apr_psprintf(p, "AuthIntrospectEndpoint[%d]Name: ", e));
        put_line_text(&o, v->endpoint_names[e]);
        put(&o, "\n");
    }
    globals(&o, v);
    calls(&o, v);
    histogram(&o, v);
    admission(&o, v);
    if (style == MAI_METRICS_STATUS_HTML) {
        put(&o, "</table>\n");
    }
    return o.buf;
}
