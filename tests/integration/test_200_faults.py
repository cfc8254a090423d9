# SPDX-License-Identifier: Apache-2.0
"""Faults under load: the authorization server dies and comes back, answers
too late, answers garbage or hostile bodies, or is asked too much at once.
httpd must stay up (no child lost to a signal), answer within the
configured timeouts, never let an unverified request through, and keep
serving cached tokens and unprotected locations.

Time appears only as upper bounds derived from AuthIntrospectTimeout and
AuthIntrospectBreaker; MARGIN is the scheduling slack of a loaded 2-core
machine on top of them."""
import base64
import concurrent.futures
import json
import os
import re
import secrets as pysecrets
import threading
import time

import pytest

from harness import asserts, logtags
from harness.client import header_safe
from harness.faults import Load, PrivateMock
from harness.ports import free_port

FILE = "/static.txt"
MARGIN = 1.5
TIMEOUT = 1            # AuthIntrospectTimeout of every faulty location
BREAKER_FAILURES = 3   # AuthIntrospectBreaker of the outage test
BREAKER_SECONDS = 1
OUTAGE = 10            # seconds the AS stays dead
SLOW_ANSWER = 10       # the slow endpoint answers after this long
PRIVATE_PORT = free_port()
HTTPD_PROCS = 2        # StartServers = ServerLimit of the frame

BREAKER_OPENED = r"\[auth_introspect:error\].*MAI00706:"
BREAKER_CLOSED = r"MAI00707:"
SIGNAL_RE = re.compile(r"exit signal|seg fault|Segmentation fault|"
                       r"AddressSanitizer|double free|corrupted", re.I)


def _answer(sub="alice"):
    now = int(time.time())
    return {"active": True, "sub": sub, "client_id": "app-1",
            "scope": "read", "iat": now, "exp": now + 3600}


@pytest.fixture(scope="module")
def pmock(env):
    """The mock AS this module kills: every token is active."""
    m = PrivateMock(env.root, default=_answer("load"), port=PRIVATE_PORT)
    yield m
    m.stop()


def _children(httpd_pid):
    """PIDs of httpd's child processes (workers and the cgid daemon)."""
    out = set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == httpd_pid and fields[0] != "Z":
            out.add(int(d))
    return out


def _started_children(httpd_pid, workers=None):
    """The children once all of them are up (the workers and the cgid
    daemon): right after a (re)start httpd is still forking them."""
    want = (HTTPD_PROCS if workers is None else workers) + 1
    deadline = time.monotonic() + 15
    kids = _children(httpd_pid)
    while len(kids) < want and time.monotonic() < deadline:
        time.sleep(0.1)
        kids = _children(httpd_pid)
    assert len(kids) == want, kids
    return kids


def _no_signal_lines(text):
    bad = [l for l in text.splitlines() if SIGNAL_RE.search(l)]
    assert bad == [], "httpd lost a child or corrupted memory:\n" + \
        "\n".join(bad[:10])


def _prefix(police, letter):
    """A random token prefix registered as a secret: every token
    PREFIX.N of a load run is then caught if it reaches a log."""
    p = letter + pysecrets.token_urlsafe(12).replace("-", "x")
    police.secret(p)
    return p


def _summary(samples):
    out = {}
    for s in samples:
        out[s.status] = out.get(s.status, 0) + 1
    return out


# -- the AS dies for 10 s under load -----------------------------------------

def outage_conf(env):
    return "\n".join([
        "AuthIntrospectBreaker %d %d" % (BREAKER_FAILURES, BREAKER_SECONDS),
        env.protect("/o", "AuthIntrospectTimeout %d 0.5" % TIMEOUT,
                    "AuthIntrospectCacheTTL 300",
                    endpoint="http://127.0.0.1:%d/introspect"
                    % PRIVATE_PORT),
    ])


class TestOutage:
    conf = staticmethod(outage_conf)
    NEEDS = ("pmock",)

    def test_as_killed_and_restarted_under_load(self, env, httpd, pmock,
                                                client, errlog, request):
        errlog.expect(logtags.ENDPOINT_FAILURE, BREAKER_OPENED)
        name = header_safe(request.node.nodeid)
        cached_prefix = _prefix(errlog, "c")
        cached = ["%s.%d" % (cached_prefix, i) for i in range(8)]
        new_prefix = _prefix(errlog, "n")
        children = _started_children(httpd.pid)
        log0 = env.errlog_size()

        # Warm the shared cache (and one process's L1) with the cached set.
        for tok in cached:
            asserts.granted(client.get("/o" + FILE, token=tok))

        def job(i, wid):
            if i % 2:
                return ("cached", "/o" + FILE,
                        [("Authorization", "Bearer " + cached[i % 8])])
            return ("new", "/o" + FILE,
                    [("Authorization", "Bearer %s.%d" % (new_prefix, i))])

        load = Load(env.port, name, job, threads=6, seconds=45,
                    pause=0.01).start()
        try:
            time.sleep(2)
            t_kill = time.monotonic()
            pmock.kill()
            time.sleep(OUTAGE)
            t_relaunch = time.monotonic()
            pmock.start()
            t_back = time.monotonic()
            recovered_by = t_back + BREAKER_SECONDS + TIMEOUT + MARGIN
            time.sleep(recovered_by - time.monotonic() + 3)
        finally:
            load.stop()
        errlog.requests += len(load.samples)
        log = env.errlog_since(log0)

        assert load.errors == [], load.errors[:5]
        # cached tokens: 200 before, during and after the outage
        hits = load.of("cached")
        assert len(hits) > 100 and _summary(hits) == {200: len(hits)}, \
            _summary(hits)
        during = load.of("cached", t_kill + 0.5, t_relaunch)
        assert len(during) > 50, "too few cached requests during the outage"
        # uncached tokens before the kill: the AS answers
        before = load.of("new", until=t_kill - 0.5)
        assert before and _summary(before) == {200: len(before)}, \
            _summary(before)
        # during the outage: 503 + Retry-After (SECONDS or TIMEOUT, rounded
        # up), never a 200 nor any other answer, within the timeout
        down = load.of("new", t_kill, t_relaunch)
        assert len(down) > 50, "too few uncached requests during the outage"
        assert _summary(down) == {503: len(down)}, _summary(down)
        assert {s.retry_after for s in down} == {"1"}, \
            {s.retry_after for s in down}
        slowest = max(down, key=lambda s: s.took)
        assert slowest.took < TIMEOUT + MARGIN, slowest
        # the breaker opened and most of those 503s never tried to connect:
        # per process FAILURES, then at most one probe per SECONDS
        assert re.search(BREAKER_OPENED, log), "no MAI00706 line"
        probes = OUTAGE // BREAKER_SECONDS + 2
        connects = len(re.findall(r"MAI00703:", log))
        assert connects <= HTTPD_PROCS * (BREAKER_FAILURES + probes), \
            (connects, len(down))
        assert len(re.findall(r"\(BREAKER_OPEN\)", log)) > len(down) / 2
        # after the AS is back: 200s again within SECONDS + TIMEOUT
        late = load.of("new", recovered_by)
        assert len(late) > 20 and _summary(late) == {200: len(late)}, \
            _summary(late)
        first_ok = min(s.t1 for s in load.of("new", t_relaunch)
                       if s.status == 200)
        assert first_ok - t_back < BREAKER_SECONDS + TIMEOUT + MARGIN
        closed = [m.start() for m in re.finditer(BREAKER_CLOSED, log)]
        opened = [m.start() for m in re.finditer(BREAKER_OPENED, log)]
        assert closed and max(closed) > min(opened), \
            "no MAI00707 after MAI00706"
        # nobody died
        _no_signal_lines(log)
        assert _children(httpd.pid) == children, \
            "httpd children changed: a child died and was replaced"


# -- the AS answers after 10 s ------------------------------------------------

def slow_conf(env):
    return "\n".join([
        # off, so that every request really waits for its call: the worst
        # case for httpd's workers
        "AuthIntrospectBreaker 0 1",
        env.protect("/s", "AuthIntrospectTimeout %d" % TIMEOUT,
                    endpoint=env.mock_url("/introspect/slow")),
        'Alias /open/ "%s/"' % env.htdocs,
    ])


class TestSlowEndpoint:
    conf = staticmethod(slow_conf)

    def test_answer_after_ten_seconds(self, env, httpd, mock, errlog,
                                      request):
        errlog.expect(logtags.ENDPOINT_FAILURE)
        mock.mode("slow", path="/introspect/slow", seconds=SLOW_ANSWER)
        name = header_safe(request.node.nodeid)
        prefix = _prefix(errlog, "s")
        children = _started_children(httpd.pid)
        log0 = env.errlog_size()

        def job(i, wid):
            if wid < 2:
                return ("open", "/open" + FILE, [])
            return ("slow", "/s" + FILE,
                    [("Authorization", "Bearer %s.%d" % (prefix, i))])

        t_start = time.monotonic()
        load = Load(env.port, name, job, threads=10, seconds=45,
                    pause=0.01).start()
        try:
            time.sleep(SLOW_ANSWER + 2)
        finally:
            load.stop()
        t_end = time.monotonic()
        errlog.requests += len(load.samples)

        assert load.errors == [], load.errors[:5]
        slow = load.of("slow")
        assert len(slow) >= 8 * SLOW_ANSWER / (TIMEOUT + MARGIN), len(slow)
        assert _summary(slow) == {503: len(slow)}, _summary(slow)
        assert {s.retry_after for s in slow} == {str(TIMEOUT)}
        worst = max(slow, key=lambda s: s.took)
        assert worst.took < TIMEOUT + MARGIN, worst
        # each of them made exactly its one call (no retry, no breaker)
        calls = {}
        for c in mock.calls("/introspect/slow"):
            tok = c["form"]["token"][0]
            calls[tok] = calls.get(tok, 0) + 1
        assert set(calls.values()) == {1}, calls
        assert len(calls) >= len(slow)
        # the unprotected location kept being served, in every second
        opened = load.of("open")
        assert _summary(opened) == {200: len(opened)}, _summary(opened)
        worst = max(opened, key=lambda s: s.took)
        assert worst.took < TIMEOUT, worst
        for sec in range(int(t_end - t_start) - 1):
            lo = t_start + sec
            assert any(lo <= s.t1 < lo + 1 for s in opened), \
                "no unprotected request served in second %d" % sec
        _no_signal_lines(env.errlog_since(log0))
        assert _children(httpd.pid) == children


# -- hostile and broken answers -----------------------------------------------

def _raw(data):
    return {"data": base64.b64encode(data).decode()}


OK_JSON = json.dumps(_answer()).encode()
NUL_JSON = OK_JSON[:-1] + b', "note": "a\\u0000b"}'
# (id, mode, params, expected status): each on a fresh token
ANSWERS = [
    ("deep-1000", "deepjson", {"depth": 1000}, 503),
    ("deep-33", "deepjson", {"depth": 33}, 503),
    ("deep-32", "deepjson", {"depth": 32}, 200),
    ("claims-1001", "manyclaims", {"count": 1001}, 503),
    ("claims-1000", "manyclaims", {"count": 1000}, 200),
    ("claim-64k+1", "bigclaim", {"size": 65537}, 503),
    ("claim-64k", "bigclaim", {"size": 65536}, 200),
    ("headers-101", "manyheaders", {"count": 101}, 503),
    ("headers-100", "manyheaders", {"count": 100}, 200),
    ("header-line-8193", "longheader", {"size": 8193}, 503),
    ("header-line-8192", "longheader", {"size": 8192}, 200),
    ("body-300k", "bigbody", {"size": 300 * 1024}, 503),
    ("cut-mid-chunk", "cutchunk", {}, 503),
    ("chunk-size-overflow", "chunksize",
     {"text": "1" + "0" * 20}, 503),
    ("chunk-size-negative", "chunksize", {"text": "-1"}, 503),
    ("chunk-size-1GiB", "chunksize", {"text": "40000000"}, 503),
    ("chunk-size-not-hex", "chunksize", {"text": "zz"}, 503),
    ("reset", "reset", {}, 503),
    ("status-line-garbage", "raw", _raw(b"HTTP/1.1 2000 OK\r\n\r\n"), 503),
    ("not-http", "raw", _raw(b"SSH-2.0-OpenSSH_9.2\r\n"), 503),
    ("http-0.9-body", "raw", _raw(OK_JSON), 503),
    ("nul-in-header", "raw", _raw(
        b"HTTP/1.1 200 OK\r\nContent-Type: app\x00lication/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(OK_JSON), OK_JSON)), 503),
    ("header-without-colon", "raw", _raw(
        b"HTTP/1.1 200 OK\r\nContent-Type application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(OK_JSON), OK_JSON)), 503),
    ("two-content-lengths", "raw", _raw(
        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Length: 5\r\n"
        b"\r\n%s" % (len(OK_JSON), OK_JSON)), 503),
    ("negative-content-length", "raw", _raw(
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n" + OK_JSON), 503),
    ("huge-content-length", "raw", _raw(
        b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n"
        b"\r\n" + OK_JSON), 503),
    ("unknown-transfer-coding", "raw", _raw(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n" + OK_JSON),
     503),
    ("status-line-only", "raw", _raw(b"HTTP/1.1 200 OK\r\n"), 503),
    ("endless-interim", "raw", _raw(b"HTTP/1.1 100 Continue\r\n\r\n" * 2000),
     503),
    ("json-with-nul", "raw", _raw(
        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
        % (len(NUL_JSON), NUL_JSON)), 503),
]


def bad_answers_conf(env):
    return "\n".join([
        "AuthIntrospectBreaker 0 1",
        env.protect("/f", "AuthIntrospectTimeout %d" % TIMEOUT,
                    endpoint=env.mock_url("/introspect/fault")),
        env.protect("/wrong-host", "AuthIntrospectTimeout %d" % TIMEOUT,
                    "AuthIntrospectTLSCAFile " + env.ca_file,
                    endpoint=env.mock_url(kind="https_wronghost",
                                          host="localhost")),
    ])


class TestBadAnswers:
    conf = staticmethod(bad_answers_conf)

    @pytest.mark.parametrize("mode,params,want",
                             [a[1:] for a in ANSWERS],
                             ids=[a[0] for a in ANSWERS])
    def test_answer(self, client, tokens, mock, errlog, mode, params, want):
        errlog.expect(logtags.ENDPOINT_FAILURE)
        mock.mode(mode, path="/introspect/fault", **params)
        tok = tokens.active()
        t0 = time.monotonic()
        r = client.get("/f" + FILE, token=tok)
        took = time.monotonic() - t0
        if want == 503:
            asserts.unavailable(r)
        else:
            asserts.granted(r)
        assert took < TIMEOUT + MARGIN, "took %.1fs" % took
        assert len(mock.calls_for(tok)) >= 1

    def test_dripping_answer_bounded_by_whole_call_timeout(
            self, client, tokens, mock, errlog):
        """One byte every 0.2 s: each read is quick, the whole call is
        not; the call deadline, not a per-read timeout, ends it."""
        errlog.expect(logtags.ENDPOINT_FAILURE)
        mock.mode("drip", path="/introspect/fault", seconds=0.2)
        t0 = time.monotonic()
        r = client.get("/f" + FILE, token=tokens.active())
        took = time.monotonic() - t0
        asserts.unavailable(r)
        assert took < TIMEOUT + MARGIN, "took %.1fs" % took

    def test_fault_storm_under_load(self, env, httpd, client, tokens, mock,
                                    errlog):
        """Every broken answer in turn, and a TLS endpoint with a
        certificate for another host, while 12 requests at a time arrive
        in both processes: all 503, then 200 again, nobody dies."""
        errlog.expect(logtags.ENDPOINT_FAILURE)
        children = _started_children(httpd.pid)
        log0 = env.errlog_size()
        storm = [a for a in ANSWERS if a[3] == 503] + [
            ("garbage", "garbage", {}, 503),
            ("status-500", "status", {"code": 500}, 503),
            ("truncated", "truncated", {}, 503),
            ("close", "close", {}, 503),
            ("normal", "normal", {}, 200)]

        def one(tok, where="/f"):
            t0 = time.monotonic()
            r = client.get(where + FILE, token=tok)
            return r, time.monotonic() - t0

        with concurrent.futures.ThreadPoolExecutor(max_workers=12) as ex:
            for ident, mode, params, want in storm:
                mock.mode(mode, path="/introspect/fault", **params)
                toks = [tokens.active() for _ in range(12)]
                for r, took in ex.map(one, toks):
                    assert r.status == want, (ident, r)
                    if want == 503:
                        asserts.unavailable(r)
                    assert took < TIMEOUT + MARGIN, (ident, took)
            toks = [tokens.active() for _ in range(12)]
            for r, took in ex.map(one, toks, ["/wrong-host"] * 12):
                asserts.unavailable(r)
                assert took < TIMEOUT + MARGIN, ("wrong host", took)
            # the token never went over the unverified connection
            assert [c for t in toks for c in mock.calls_for(t)] == []
        _no_signal_lines(env.errlog_since(log0))
        assert _children(httpd.pid) == children


# -- AuthIntrospectMaxInflight ------------------------------------------------

INFLIGHT = 2
CAP_TIMEOUT = 2       # AuthIntrospectTimeout of /cap
CAP_SLOW = 1.5        # every call takes this long at the AS: a request
                      # that waited for a slot cannot finish a call in time
CAP_CLIENTS = 10


def inflight_conf(env):
    return "\n".join([
        # one process, so the per-process cap is the cap the AS sees
        "StartServers 1",
        "ServerLimit 1",
        # room for every client at once: a full server would log AH00484
        "ThreadsPerChild 16",
        "MaxRequestWorkers 16",
        "MinSpareThreads 1",
        "MaxSpareThreads 16",
        "AuthIntrospectMaxInflight %d" % INFLIGHT,
        "AuthIntrospectBreaker 0 1",
        env.protect("/cap", "AuthIntrospectTimeout %d" % CAP_TIMEOUT,
                    endpoint=env.mock_url("/introspect/cap")),
    ])


class TestMaxInflight:
    conf = staticmethod(inflight_conf)

    def test_cap_on_concurrent_calls(self, client, tokens, mock, errlog):
        errlog.expect(logtags.ENDPOINT_FAILURE)
        mock.mode("slow", path="/introspect/cap", seconds=CAP_SLOW)
        toks = [tokens.active() for _ in range(CAP_CLIENTS)]
        go = threading.Barrier(CAP_CLIENTS)

        def one(tok):
            go.wait()
            t0 = time.monotonic()
            r = client.get("/cap" + FILE, token=tok)
            return tok, r, time.monotonic() - t0

        with concurrent.futures.ThreadPoolExecutor(CAP_CLIENTS) as ex:
            results = list(ex.map(one, toks))
        stats = mock._call("GET", "/_stats")
        assert stats["max_active"] == INFLIGHT, stats
        ok = [t for t, r, _ in results if r.status == 200]
        refused = [(t, r, took) for t, r, took in results
                   if r.status != 200]
        # in CAP_TIMEOUT seconds INFLIGHT slots finish at most this many
        capacity = INFLIGHT * int(CAP_TIMEOUT / CAP_SLOW)
        assert 1 <= len(ok) <= capacity, [r.status for _, r, _ in results]
        assert len(refused) >= CAP_CLIENTS - capacity
        for tok, r, took in refused:
            asserts.unavailable(r)
            assert took < CAP_TIMEOUT + MARGIN, took
        for tok in ok:
            assert len(mock.calls_for(tok)) == 1
        # the clients do not all start in the same instant: a slot freed
        # when the first waiters time out can still go to a later arrival
        # whose own timeout has not run out, so allow one more round
        # counted per token of this test: a call still arriving from an
        # earlier test's requests must not count against this one
        ours = sum(len(mock.calls_for(t)) for t in toks)
        assert ours <= INFLIGHT * (int(CAP_TIMEOUT / CAP_SLOW) + 1), ours

    def test_waiting_for_a_slot_counts_against_the_timeout(
            self, client, tokens, mock, errlog):
        """Four at once, two slots, calls of 1.5 s, a timeout of 2 s: the
        two that had to wait for a slot cannot get an answer within their
        timeout, so they get 503 (not a 200 after up to twice the
        timeout)."""
        errlog.expect(logtags.ENDPOINT_FAILURE)
        mock.mode("slow", path="/introspect/cap", seconds=CAP_SLOW)
        n = 2 * INFLIGHT
        toks = [tokens.active() for _ in range(n)]
        go = threading.Barrier(n)

        def one(tok):
            go.wait()
            t0 = time.monotonic()
            r = client.get("/cap" + FILE, token=tok)
            return r.status, time.monotonic() - t0

        with concurrent.futures.ThreadPoolExecutor(n) as ex:
            results = list(ex.map(one, toks))
        statuses = sorted(s for s, _ in results)
        assert statuses == [200] * INFLIGHT + [503] * INFLIGHT, results
        assert max(t for _, t in results) < CAP_TIMEOUT + MARGIN, results

    def test_cap_frees_its_slots(self, client, tokens, mock):
        """After the burst, calls flow again one after the other."""
        for _ in range(2 * INFLIGHT + 1):
            asserts.granted(client.get("/cap" + FILE,
                                       token=tokens.active()))
