# SPDX-License-Identifier: Apache-2.0
"""Metrics: SetHandler auth-introspect-metrics serves the Prometheus text
exposition format 0.0.4, summed over every child process, and mod_status
shows the same figures. After a known sequence of requests each figure
moved by exactly what the sequence implies (differences between two
scrapes, so tests of one class may share an httpd). The output is read
with a real Prometheus parser (Debian's python3-prometheus-client).
Access is ordinary httpd access control."""
import concurrent.futures
import http.client
import os
import re
import threading
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from harness import asserts, conf as confmod, logtags
from harness.ports import free_port

FILE = "/static.txt"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
EXTRA_MODULES = ("status",)
PID_RE = re.compile(r"\[pid (\d+):tid \d+\]")
DOWN_PORT = free_port()          # nothing listens here
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                       "..", "src", "pure", "status.h")) as _f:
    STATUSES = re.findall(r"^\s*X\((\w+),", _f.read(), re.M)

# Each process serves one connection and goes (MaxConnectionsPerChild 1):
# every request on a connection of its own is served by another process,
# so the figures are sums over many processes.
PROCESS_PER_CONNECTION = """\
StartServers 4
ServerLimit 16
ThreadsPerChild 1
MaxRequestWorkers 16
MinSpareThreads 4
MaxSpareThreads 8
MaxConnectionsPerChild 1
"""
# httpd says so while the next processes are still starting, or while
# the slots are held by processes still exiting
WORKERS_BUSY = r"\[mpm_event:error\].*AH0(0484|3490):"

READERS = """\
<Location /metrics>
    SetHandler auth-introspect-metrics
    Require ip 127.0.0.1
</Location>
<Location /metrics-elsewhere>
    SetHandler auth-introspect-metrics
    Require ip 192.0.2.1
</Location>
<Location /server-status>
    SetHandler server-status
    Require ip 127.0.0.1
</Location>
"""


def scrape(client, path="/metrics"):
    """{(sample name, ((label, value), ...)): value} from a GET, parsed by
    prometheus_client; also checks the content type and that every
    counter family's samples end in _total."""
    r = client.get(path)
    assert r.status == 200, r
    assert r.header("Content-Type") == CONTENT_TYPE, r
    out = {}
    for fam in text_string_to_metric_families(r.text):
        assert fam.documentation, fam.name
        for s in fam.samples:
            if fam.type == "counter":
                assert s.name.endswith("_total"), s
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


class Figures:
    """Two scrapes: what moved in between."""

    def __init__(self, before, after):
        self.before = before
        self.after = after

    def delta(self, name, **labels):
        key = (name, tuple(sorted(labels.items())))
        assert key in self.after, (key, sorted(self.after)[:20])
        return self.after[key] - self.before.get(key, 0)

    def moved(self):
        """Every series that changed (the histogram's _sum aside)."""
        return {k: v - self.before.get(k, 0) for k, v in self.after.items()
                if v != self.before.get(k, 0)}


def _pids(text, tag):
    return {m.group(1) for line in text.splitlines() if tag in line
            for m in [PID_RE.search(line)] if m}


def _together(client, jobs):
    """Send every (path, token) of JOBS at the same moment, each on its own
    connection; returns the responses in order."""
    conns = [client.connection(timeout=60) for _ in jobs]
    for c in conns:
        c.connect()
    start = threading.Barrier(len(jobs))

    def one(i):
        path, tok = jobs[i]
        start.wait(timeout=30)
        try:
            return client.request("GET", path, token=tok, conn=conns[i])
        finally:
            conns[i].close()

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(jobs)) as ex:
        return list(ex.map(one, range(len(jobs))))


class TestAcrossProcesses:
    """No L1: every hit is an L2 (shmcb) hit, whichever process serves."""
    EXTRA_MODULES = EXTRA_MODULES

    @pytest.fixture(autouse=True)
    def _busy(self, errlog, client, monkeypatch):
        errlog.expect(WORKERS_BUSY)
        # An event-MPM process at MaxConnectionsPerChild may have taken
        # one more connection from the listener before it noticed; it
        # closes it unread on its way out, and the client sees a reset
        # before any byte of an answer. httpd writes its answer before it
        # closes a connection it has read, so a reset with no answer is a
        # request never served (nothing counted): send it again. Once in
        # a full CI run such a connection was neither answered nor closed
        # for the client's whole 60 s: no answer within 20 s on loopback
        # is the same request never served.
        plain = client.request

        def request(*a, **kw):
            kw.setdefault("timeout", 20)
            for attempt in range(5):
                try:
                    return plain(*a, **kw)
                except (ConnectionResetError, TimeoutError,
                        http.client.RemoteDisconnected):
                    if attempt == 4 or kw.get("conn") is not None:
                        raise
            raise AssertionError("unreachable")
        monkeypatch.setattr(client, "request", request)

    @staticmethod
    def conf(env):
        return "\n".join([
            PROCESS_PER_CONNECTION,
            "AuthIntrospectCacheL1Entries 0",
            READERS,
            env.protect("/m"),
            env.protect("/fail", endpoint=env.mock_url("/introspect/fail")),
            env.protect("/junk", endpoint=env.mock_url("/introspect/junk")),
        ])

    def test_known_sequence_exact(self, client, tokens, mock, errlog, env):
        errlog.expect(logtags.ENDPOINT_FAILURE, WORKERS_BUSY)
        mock.mode("status", path="/introspect/fail", code=500)
        mock.mode("garbage", path="/introspect/junk")
        ep = env.mock_url("/introspect")
        before = scrape(client)
        log_from = env.errlog_size()

        tok = tokens.active(sub="alice")
        for _ in range(4):              # a miss, then 3 L2 hits
            asserts.granted(client.get("/m" + FILE, token=tok))
        gone = tokens.answer({"active": False})
        for _ in range(2):              # a miss, then an L2 hit
            asserts.invalid_token(client.get("/m" + FILE, token=gone))
        asserts.no_token(client.get("/m" + FILE))
        asserts.unavailable(client.get("/fail" + FILE,
                                       token=tokens.active()))
        asserts.unavailable(client.get("/junk" + FILE,
                                       token=tokens.active()))
        # slower calls, for the histogram
        mock.mode("slow", path="/introspect", seconds=0.5)
        for i in range(3):
            asserts.granted(client.get("/m" + FILE,
                                       token=tokens.active(sub="p%d" % i)))
        # every accepted token was served by a process of its own
        pids = _pids(env.errlog_since(log_from), "MAI00303")
        assert len(pids) == 7, pids

        f = Figures(before, scrape(client))
        assert f.delta("mai_requests_total", outcome="ok") == 7
        assert f.delta("mai_requests_total", outcome="inactive") == 2
        assert f.delta("mai_requests_total", outcome="no_token") == 1
        assert f.delta("mai_requests_total", outcome="endpoint_http") == 1
        assert f.delta("mai_requests_total",
                       outcome="endpoint_bad_json") == 1
        assert f.delta("mai_cache_l1_hits_total") == 0
        assert f.delta("mai_cache_l2_hits_total") == 4
        assert f.delta("mai_cache_misses_total") == 7
        assert f.delta("mai_endpoint_calls_total", endpoint=ep,
                       result="ok") == 5
        assert f.delta("mai_endpoint_calls_total",
                       endpoint=env.mock_url("/introspect/fail"),
                       result="endpoint_http") == 1
        assert f.delta("mai_endpoint_calls_total",
                       endpoint=env.mock_url("/introspect/junk"),
                       result="endpoint_bad_json") == 1
        hist = "mai_endpoint_call_duration_seconds"
        assert f.delta(hist + "_count", endpoint=ep) == 5
        assert f.delta(hist + "_bucket", endpoint=ep, le="+Inf") == 5
        # the three slow calls took over 0.5 s each
        assert f.delta(hist + "_bucket", endpoint=ep, le="0.5") <= 2
        assert f.delta(hist + "_sum", endpoint=ep) >= 1.5
        # nothing else moved
        expected = {
            ("mai_requests_total", "outcome"), ("mai_cache_l2_hits_total",),
            ("mai_cache_misses_total",), ("mai_endpoint_calls_total",),
            (hist + "_bucket",), (hist + "_sum",), (hist + "_count",)}
        for (name, labels) in f.moved():
            assert (name,) in expected or \
                (name, labels[0][0]) in expected, (name, labels)

    def test_format_and_methods(self, client):
        r = client.get("/metrics")
        assert r.status == 200, r
        assert r.header("Cache-Control") == "no-store"
        text = r.text
        types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))
        assert types["mai_requests_total"] == "counter"
        assert types["mai_endpoint_call_duration_seconds"] == "histogram"
        assert types["mai_endpoint_breaker_open"] == "gauge"
        for name, kind in types.items():
            assert kind != "counter" or name.endswith("_total"), name
        # one outcome label per status of src/pure/status.h, in its order
        outcomes = re.findall(r'^mai_requests_total\{outcome="(\w+)"\}',
                              text, re.M)
        assert outcomes == [n.lower() for n in STATUSES], outcomes
        head = client.request("HEAD", "/metrics")
        assert head.status == 200 and head.body == b"", head
        assert head.header("Content-Type") == CONTENT_TYPE
        for method in ("POST", "PUT", "DELETE"):
            r = client.request(method, "/metrics", body="x")
            assert r.status == 405, r
            assert "GET" in r.header("Allow").split(","), r
            assert method not in r.header("Allow").split(","), r

    def test_access_control(self, client, errlog):
        errlog.expect(logtags.AUTHZ_DENIED)
        r = client.get("/metrics-elsewhere")
        assert r.status == 403, r
        assert "mai_requests_total" not in r.text

    def test_mod_status(self, client, tokens):
        asserts.granted(client.get("/m" + FILE, token=tokens.active()))
        prom = scrape(client)
        r = client.get("/server-status?auto")
        assert r.status == 200, r
        auto = dict(line.split(": ", 1) for line in r.text.splitlines()
                    if ": " in line)
        ok = prom[("mai_requests_total", (("outcome", "ok"),))]
        assert int(auto["AuthIntrospectRequests[ok]"]) == ok
        assert int(auto["AuthIntrospectL2Hits"]) == \
            prom[("mai_cache_l2_hits_total", ())]
        names = {v: k[len("AuthIntrospectEndpoint["):-len("]Name")]
                 for k, v in auto.items() if k.endswith("]Name")}
        i = names[client_ep(tokens)]
        calls = prom[("mai_endpoint_calls_total",
                      (("endpoint", client_ep(tokens)), ("result", "ok")))]
        assert int(auto["AuthIntrospectEndpoint[%s]Calls[ok]" % i]) == calls
        page = client.get("/server-status")
        assert page.status == 200
        assert "<h2>mod_auth_introspect</h2>" in page.text
        assert "<tr><td>mai_cache_l2_hits_total</td>" in page.text
        plain = client.get("/server-status?notable")
        assert plain.status == 200
        assert "<pre>AuthIntrospectEndpoint[" in plain.text

    def test_graceful_restart_keeps_counts(self, client, tokens, env,
                                           errlog):
        asserts.granted(client.get("/m" + FILE, token=tokens.active()))
        before = scrape(client)
        env.httpd.graceful()
        after = scrape(client)
        assert after == before
        asserts.granted(client.get("/m" + FILE, token=tokens.active()))
        f = Figures(before, scrape(client))
        assert f.delta("mai_requests_total", outcome="ok") == 1


def client_ep(tokens):
    """The mock AS's /introspect URL as the label shows it."""
    return tokens.mock.url("/introspect")


class TestOneProcess:
    """One process: L1 hits, single-flight joins, the in-flight cap, the
    breaker, stale answers and shared cache faults, each exact."""
    EXTRA_MODULES = EXTRA_MODULES + ("socache_redis",)

    @staticmethod
    def conf(env):
        down = "http://127.0.0.1:%d/introspect" % DOWN_PORT
        return "\n".join([
            confmod.ONE_PROCESS,
            "AuthIntrospectMaxInflight 1",
            "AuthIntrospectBreaker 2 30",
            READERS,
            "<Location /purge>\n    SetHandler auth-introspect-purge\n"
            "    Require ip 127.0.0.1\n</Location>",
            env.protect("/s"),
            env.protect("/cap-hog", "AuthIntrospectTimeout 5",
                        endpoint=env.mock_url("/introspect/cap")),
            env.protect("/cap", "AuthIntrospectTimeout 1",
                        endpoint=env.mock_url("/introspect/cap")),
            env.protect("/down", endpoint=down),
            env.protect("/stale", "AuthIntrospectCacheTTL 1",
                        "AuthIntrospectStaleIfError 60",
                        "AuthIntrospectTimeout 1",
                        endpoint=env.mock_url("/introspect/stale")),
        ])

    def test_l1_hits(self, client, tokens):
        before = scrape(client)
        tok = tokens.active()
        for _ in range(3):
            asserts.granted(client.get("/s" + FILE, token=tok))
        f = Figures(before, scrape(client))
        assert f.delta("mai_cache_misses_total") == 1
        assert f.delta("mai_cache_l1_hits_total") == 2
        assert f.delta("mai_cache_l2_hits_total") == 0
        assert f.delta("mai_requests_total", outcome="ok") == 3

    def test_purges(self, client, tokens, mock):
        """A purge of a cached token counts one purge and one entry; a
        purge of a token never seen counts one purge and no entry."""
        tok = tokens.active()
        asserts.granted(client.get("/s" + FILE, token=tok))
        before = scrape(client)
        r = client.post("/purge", body={"token": tok})
        assert r.status == 200 and r.json()["purged"] == 1, r
        r = client.post("/purge", body={"token": tokens.active()})
        assert r.status == 200 and r.json()["purged"] == 0, r
        f = Figures(before, scrape(client))
        assert f.delta("mai_purges_total") == 2
        assert f.delta("mai_purged_entries_total") == 1
        asserts.granted(client.get("/s" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 2

    def test_single_flight_joins(self, client, tokens, mock):
        mock.mode("slow", path="/introspect", seconds=0.5)
        tok = tokens.active()
        before = scrape(client)
        for r in _together(client, [("/s" + FILE, tok)] * 5):
            asserts.granted(r)
        f = Figures(before, scrape(client))
        assert len(mock.calls_for(tok)) == 1
        assert f.delta("mai_singleflight_joins_total") == 4
        assert f.delta("mai_endpoint_calls_total",
                       endpoint=client_ep(tokens), result="ok") == 1

    def test_inflight_cap(self, client, tokens, mock, errlog):
        """The only slot is held by a 2 s call; a second token waits for
        it and gets 503 when its 1 s timeout is near."""
        errlog.expect(logtags.ENDPOINT_FAILURE)
        ep = tokens.mock.url("/introspect/cap")
        mock.mode("slow", path="/introspect/cap", seconds=2)
        before = scrape(client)
        hog_tok = tokens.active()
        hog = {}
        t = threading.Thread(target=lambda: hog.setdefault(
            "r", client.get("/cap-hog" + FILE, token=hog_tok)))
        t.start()
        try:
            for _ in range(200):
                if mock._call("GET", "/_stats")["active"] >= 1:
                    break
                time.sleep(0.02)
            asserts.unavailable(client.get("/cap" + FILE,
                                           token=tokens.active()))
        finally:
            t.join()
        asserts.granted(hog["r"])
        f = Figures(before, scrape(client))
        assert f.delta("mai_endpoint_inflight_waits_total", endpoint=ep) == 1
        assert f.delta("mai_endpoint_inflight_rejections_total",
                       endpoint=ep) == 1
        assert f.delta("mai_requests_total", outcome="overloaded") == 1
        assert f.delta("mai_endpoint_calls_total", endpoint=ep,
                       result="ok") == 1
        assert f.delta("mai_endpoint_call_duration_seconds_bucket",
                       endpoint=ep, le="1") == 0
        assert f.delta("mai_endpoint_call_duration_seconds_bucket",
                       endpoint=ep, le="2.5") == 1

    def test_breaker(self, client, tokens, errlog):
        errlog.expect(logtags.ENDPOINT_FAILURE,
                      r"\[auth_introspect:error\].*MAI00706:")
        ep = "http://127.0.0.1:%d/introspect" % DOWN_PORT
        before = scrape(client)
        assert before[("mai_endpoint_breaker_open",
                       (("endpoint", ep),))] == 0
        for _ in range(3):
            asserts.unavailable(client.get("/down" + FILE,
                                           token=tokens.active()))
        f = Figures(before, scrape(client))
        assert f.delta("mai_endpoint_calls_total", endpoint=ep,
                       result="endpoint_unreachable") == 2
        assert f.delta("mai_requests_total",
                       outcome="endpoint_unreachable") == 2
        assert f.delta("mai_requests_total", outcome="breaker_open") == 1
        assert f.delta("mai_endpoint_breaker_openings_total",
                       endpoint=ep) == 1
        assert f.after[("mai_endpoint_breaker_open",
                        (("endpoint", ep),))] == 1

    def test_stale_answer(self, client, tokens, mock, errlog):
        errlog.expect(logtags.ENDPOINT_FAILURE,
                      r"\[auth_introspect:warn\].*MAI00316:")
        ep = tokens.mock.url("/introspect/stale")
        tok = tokens.active()
        before = scrape(client)
        asserts.granted(client.get("/stale" + FILE, token=tok))
        time.sleep(2.1)                 # past its CacheTTL of 1 s
        mock.mode("slow", path="/introspect/stale", seconds=3)
        asserts.granted(client.get("/stale" + FILE, token=tok))
        f = Figures(before, scrape(client))
        assert f.delta("mai_stale_answers_total") == 1
        assert f.delta("mai_requests_total", outcome="ok") == 2
        assert f.delta("mai_endpoint_calls_total", endpoint=ep,
                       result="endpoint_timeout") == 1


class TestCacheFaults:
    """A shared cache that cannot be reached: each failed lookup and store
    is counted (the log says so at most every 10 s per process)."""
    EXTRA_MODULES = EXTRA_MODULES + ("socache_redis",)

    @staticmethod
    def conf(env):
        return "\n".join([
            confmod.ONE_PROCESS,
            env.cache_lines("redis:127.0.0.1:%d" % DOWN_PORT),
            READERS,
            env.protect("/r"),
        ])

    def test_faults_counted(self, client, tokens, errlog):
        errlog.expect(r"\[auth_introspect:error\].*MAI00601:",
                      r"\[socache_redis:(crit|error)\].*AH0\d{4}: scache_rd")
        before = scrape(client)
        tok = tokens.active()
        for _ in range(3):
            asserts.granted(client.get("/r" + FILE, token=tok))
        f = Figures(before, scrape(client))
        # the first request looked in L2 and stored there, both failing;
        # the next two were L1 hits
        assert f.delta("mai_cache_faults_total", operation="lookup") == 1
        assert f.delta("mai_cache_faults_total", operation="store") == 1
        assert f.delta("mai_cache_misses_total") == 1
        assert f.delta("mai_cache_l1_hits_total") == 2
        assert f.delta("mai_requests_total", outcome="ok") == 3
