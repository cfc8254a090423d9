# SPDX-License-Identifier: Apache-2.0
"""A failing cache server never fails a request. Two nodes share a Redis of
this module; the test kills it (SIGKILL by PID) while traffic goes on:
every request is still answered correctly from the endpoint, each process
logs the fault (MAI00601) at most once per 10 s, and once Redis is back on
the same port the shared cache is used again without any restart."""
import re
import time

import pytest

from harness import asserts

CGI = "/x/cgi/env.cgi"
FAULT = r"\[auth_introspect:error\].*MAI00601:"
# httpd's mod_socache_redis reports each failed operation itself, at crit,
# without any rate limit (AH03478 store, AH03479 retrieve, ...): not ours.
PROVIDER_FAULT = r"\[socache_redis:(crit|error)\].*AH0\d{4}: scache_rd"
FAULT_INTERVAL = 10
# How long reconnecting may take: apr_redis retries a server it marked
# dead after a few seconds; far below this bound.
RECOVERY_BOUND = 30
RUN = 6
LINE_RE = re.compile(r"^\[\w{3} (\w{3} +\d+ [\d:.]+) (\d{4})\] "
                     r"\[[^\]]+\] \[pid (\d+):tid \d+\]")
EXTRA_MODULES = ("socache_redis",)
NEEDS = ("own_redis",)


def conf(env):
    return (env.cache_lines("redis:127.0.0.1:%d" % env.own_redis_port)
            + env.protect("/x"))


@pytest.fixture(autouse=True)
def _node_b_up(env, node_b, _config):
    node_b.ensure(conf(env), extra_modules=EXTRA_MODULES)


def _who(client, tok):
    r = client.get(CGI, token=tok)
    asserts.granted(r)
    return r.json()["REMOTE_USER"]


def _faults(text):
    """{pid: [seconds since the epoch of each MAI00601 line]}."""
    out = {}
    for line in text.splitlines():
        if "MAI00601" not in line:
            continue
        m = LINE_RE.match(line)
        assert m, line
        t = time.mktime(time.strptime(
            "%s %s" % (m.group(1).split(".")[0], m.group(2)),
            "%b %d %H:%M:%S %Y")) + float("0." + m.group(1).split(".")[1])
        out.setdefault(m.group(3), []).append(t)
    return out


def test_redis_killed_then_restarted(client, client_b, tokens, mock, errlog,
                                     env, own_redis):
    errlog.expect(FAULT, PROVIDER_FAULT)
    # the shared cache works: A's answer is served by B
    warm = tokens.active(sub="warm")
    assert _who(client, warm) == "warm"
    assert _who(client_b, warm) == "warm"
    assert len(mock.calls_for(warm)) == 1

    own_redis.kill()
    down_from = env.errlog_size()
    t_down = time.monotonic()
    users = ["d%02d" % i for i in range(10)]
    down = {u: tokens.active(sub=u) for u in users}
    for u, tok in down.items():
        assert _who(client, tok) == u
        assert _who(client_b, tok) == u
        assert _who(client, tok) == u
        assert len(mock.calls_for(tok)) >= 1
    assert _who(client_b, warm) == "warm"
    down_log = env.errlog_since(down_from)
    down_took = time.monotonic() - t_down
    faults = _faults(down_log)
    assert faults, "no MAI00601 while redis was down"
    if down_took < FAULT_INTERVAL - 1:
        for pid, times in faults.items():
            assert len(times) == 1, (pid, times)

    own_redis.restart()
    # Every process reconnects by itself; done when RUN tokens in a row,
    # each fetched through one node, were then served by the other one
    # with no further call (and no fault logged meanwhile).
    deadline = time.monotonic() + RECOVERY_BOUND
    run, n = 0, 0
    run_from = env.errlog_size()
    while run < RUN:
        assert time.monotonic() < deadline, \
            "the shared cache was not used again after redis came back"
        n += 1
        user = "back%d" % n
        tok = tokens.active(sub=user)
        first, second = (client, client_b) if n % 2 else (client_b, client)
        assert _who(first, tok) == user
        for _ in range(3):
            assert _who(second, tok) == user
        if len(mock.calls_for(tok)) == 1:
            run += 1
        else:
            run, run_from = 0, env.errlog_size()
            time.sleep(0.2)
    assert "MAI00601" not in env.errlog_since(run_from)

    # at most once per 10 s per process over the whole outage
    for pid, times in _faults(errlog.error_text()).items():
        for a, b in zip(times, times[1:]):
            assert b - a > FAULT_INTERVAL - 1, (pid, times)
