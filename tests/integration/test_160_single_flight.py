# SPDX-License-Identifier: Apache-2.0
"""Single-flight: in one process, concurrent requests for the same uncached
token make one endpoint call and share its answer; the waiting is bounded
by the call timeout. httpd runs as one event-MPM process with enough
threads for every request at once, and the mock AS answers after 300 ms,
so the requests really overlap."""
import concurrent.futures
import re
import threading
import time

from harness import asserts, conf as confmod, logtags

CGI = "/f/cgi/env.cgi"
FILE = "/f/static.txt"
N = 50
SHORT_TIMEOUT = 1
ONE_PROCESS = confmod.ONE_PROCESS
PID_RE = re.compile(r"\[pid (\d+):tid \d+\]")


def conf(env):
    return ONE_PROCESS + "\n".join([
        env.protect("/f"),
        env.protect("/f-short", "AuthIntrospectTimeout %d" % SHORT_TIMEOUT),
    ])


def _burst(client, jobs):
    """Send every (path, token) of JOBS at the same moment, each on its own
    connection opened beforehand; returns [(response, seconds)]."""
    conns = [client.connection(timeout=60) for _ in jobs]
    for c in conns:
        c.connect()
    start = threading.Barrier(len(jobs))

    def one(i):
        path, tok = jobs[i]
        start.wait(timeout=30)
        t0 = time.monotonic()
        try:
            r = client.request("GET", path, token=tok, conn=conns[i])
        finally:
            conns[i].close()
        return r, time.monotonic() - t0

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(jobs)) as ex:
        return list(ex.map(one, range(len(jobs))))


def _pids(text, tag):
    return {m.group(1) for line in text.splitlines() if tag in line
            for m in [PID_RE.search(line)] if m}


def test_fifty_concurrent_requests_make_one_call(client, tokens, mock,
                                                 errlog):
    mock.mode("slow", seconds=0.3)
    tok = tokens.active(sub="alice", scope="read")
    results = _burst(client, [(CGI, tok)] * N)
    for r, _ in results:
        asserts.granted(r)
        assert r.json()["REMOTE_USER"] == "alice"
        assert r.json()["INTROSPECT_SCOPE"] == "read"
    assert len(mock.calls_for(tok)) == 1
    log = errlog.error_text()
    # really one process, and the others did wait for the leader's call
    assert len(_pids(log, "MAI00303")) == 1, _pids(log, "MAI00303")
    assert log.count("MAI00315") >= 1


def test_inactive_token_one_call(client, tokens, mock):
    mock.mode("slow", seconds=0.3)
    tok = tokens.answer({"active": False})
    for r, _ in _burst(client, [(FILE, tok)] * N):
        asserts.invalid_token(r)
    assert len(mock.calls_for(tok)) == 1


def test_two_tokens_two_calls_no_mixing(client, tokens, mock):
    """Followers take the answer of their own token's call only."""
    mock.mode("slow", seconds=0.3)
    toks = {"ann": tokens.active(sub="ann"), "ben": tokens.active(sub="ben")}
    jobs = [(CGI, toks["ann" if i % 2 else "ben"]) for i in range(N)]
    for (r, _), (_, tok) in zip(_burst(client, jobs), jobs):
        want = "ann" if tok == toks["ann"] else "ben"
        asserts.granted(r)
        assert r.json()["REMOTE_USER"] == want
    for tok in toks.values():
        assert len(mock.calls_for(tok)) == 1


def test_waiting_bounded_by_call_timeout(client, tokens, mock, errlog):
    """The endpoint answers after 4 s, the call timeout is 1 s: every
    request gets 503 within the timeout (plus slack for scheduling), and
    still only one call was made."""
    errlog.expect(logtags.ENDPOINT_FAILURE)
    mock.mode("slow", seconds=4)
    tok = tokens.active()
    results = _burst(client, [("/f-short/static.txt", tok)] * N)
    for r, took in results:
        asserts.unavailable(r)
        assert took < SHORT_TIMEOUT + 2, took
    assert len(mock.calls_for(tok)) == 1
