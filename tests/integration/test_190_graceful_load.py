# SPDX-License-Identifier: Apache-2.0
"""`apache2 -k graceful` under load: a thread pool keeps sending requests
(static files and a proxied app) with cached tokens while httpd is
gracefully restarted twice; not one request may fail. With a shared Redis
the new processes find the answers there: no endpoint call either."""
import concurrent.futures
import threading
import time

WORKERS = 8
# Requests sent before, between and after the restarts.
BEFORE, BETWEEN, AFTER = 60, 120, 120
MAX_REQUESTS = 5000
USERS = ["g%d" % i for i in range(6)]
# Room in the scoreboard for the old generation's processes while they
# finish their requests (the frame's ServerLimit 2 has none: httpd then
# says AH03490 "scoreboard is full"); still two active processes.
# MaxRequestWorkers counts the old generation's busy workers too.
ROOM = "ServerLimit 8\nMaxRequestWorkers 80\n"


def _locations(env):
    """Static files, and an app behind mod_proxy that echoes the
    X-Introspect-Sub header it got (no CGI here: mod_cgid's daemon
    restarts with httpd and may refuse a request meanwhile, AH10246)."""
    be = "http://127.0.0.1:%d/" % env.backend.port
    return (env.protect("/g")
            + env.protect("/gp", "AuthIntrospectSetHeaders On",
                          "ProxyPass " + be))


def _sub(r):
    got = [v for k, v in r.json()["headers"]
           if k.lower() == "x-introspect-sub"]
    return got[0] if len(got) == 1 else got


class _Load:
    def _run(self, client, httpd, toks):
        stop = threading.Event()
        lock = threading.Lock()
        done = [0]
        failures = []

        def worker(n):
            i = n
            while not stop.is_set():
                u = USERS[i % len(USERS)]
                i += 1
                path = "/gp/app" if i % 5 == 0 else "/g/static.txt"
                try:
                    r = client.get(path, token=toks[u], timeout=30)
                    ok = r.status == 200 and (
                        path.endswith(".txt") or _sub(r) == u)
                    what = (path, r.status, r.headers.get("Retry-After"))
                except Exception as exc:     # a reset, a timeout, ...
                    ok, what = False, (path, repr(exc))
                with lock:
                    done[0] += 1
                    if not ok:
                        failures.append(what)
                    if done[0] >= MAX_REQUESTS:
                        stop.set()

        def wait_for(n):
            deadline = time.monotonic() + 60
            while done[0] < n and not stop.is_set():
                assert time.monotonic() < deadline, "load stalled"
                time.sleep(0.01)

        with concurrent.futures.ThreadPoolExecutor(WORKERS) as ex:
            futs = [ex.submit(worker, n) for n in range(WORKERS)]
            try:
                wait_for(BEFORE)
                httpd.graceful()
                wait_for(done[0] + BETWEEN)
                httpd.graceful()
                wait_for(done[0] + AFTER)
            finally:
                stop.set()
                for f in futs:
                    f.result(timeout=60)
        assert done[0] < MAX_REQUESTS, "graceful restarts took too long"
        assert failures == [], "%d of %d requests failed: %r" % (
            len(failures), done[0], failures[:5])
        return done[0]

    def _prime(self, client, tokens):
        toks = {u: tokens.active(sub=u) for u in USERS}
        for u, tok in toks.items():
            r = client.get("/gp/app", token=tok)
            assert r.status == 200 and _sub(r) == u, r
        return toks


class TestShmcb(_Load):
    @staticmethod
    def conf(env):
        return ROOM + _locations(env)

    def test_graceful_under_load(self, client, httpd, tokens):
        toks = self._prime(client, tokens)
        self._run(client, httpd, toks)


class TestRedis(_Load):
    EXTRA_MODULES = ("socache_redis",)
    NEEDS = ("own_redis",)

    @staticmethod
    def conf(env):
        return (ROOM
                + env.cache_lines("redis:127.0.0.1:%d" % env.own_redis_port)
                + _locations(env))

    def test_graceful_under_load_no_new_calls(self, client, httpd, tokens,
                                              mock):
        toks = self._prime(client, tokens)
        self._run(client, httpd, toks)
        for tok in toks.values():
            assert len(mock.calls_for(tok)) == 1

