# SPDX-License-Identifier: Apache-2.0
"""TTL edge cases at each cache level. The same rules must hold whichever
level answers: both levels (per-process L1 + shmcb), the shared cache
alone (AuthIntrospectCacheL1Entries 0, Redis, so the test can see and
empty it) and the per-process cache alone (AuthIntrospectCache none, one
process). An answer is never reused past exp, CacheTTL 0 always asks,
inactive answers live NegativeCacheTTL, and StaleIfError stretches only
active answers, only while the endpoint fails, never past exp.

The module counts age in whole seconds, so waits are chosen to be on the
safe side of a second boundary whatever the fractions are."""
import time

import pytest

from harness import asserts, conf as confmod, logtags, stores

FILE = "/static.txt"
CGI = "/cgi/env.cgi"
STALE_USED = r"\[auth_introspect:warn\].*MAI00316:"
# The breaker stays out of the way: these tests make the endpoint fail on
# purpose, and its own behaviour is tested elsewhere.
COMMON = "AuthIntrospectBreaker 0 10\n"


def _locations(env):
    return "\n".join([
        # exp decides alone: long TTL, and StaleIfError keeps the entry in
        # the shared cache well past exp
        env.protect("/e", "AuthIntrospectStaleIfError 300"),
        env.protect("/e0", "AuthIntrospectCacheTTL 0"),
        env.protect("/en", "AuthIntrospectNegativeCacheTTL 2"),
        env.protect("/es", "AuthIntrospectCacheTTL 1",
                    "AuthIntrospectStaleIfError 2"),
        env.protect("/esn", "AuthIntrospectNegativeCacheTTL 2",
                    "AuthIntrospectStaleIfError 300"),
    ])


def _until(t):
    time.sleep(max(0.0, t - time.time()))


def _timed(client, path, tok):
    """(response, time before sending, time after the answer)."""
    t0 = time.time()
    r = client.get(path, token=tok)
    return r, t0, time.time()


class _Edges:
    @pytest.mark.slow
    def test_not_reused_after_exp(self, client, tokens, mock):
        """exp 2 s away, CacheTTL 60: reused before exp, asked again (and
        now inactive) after it."""
        exp = int(time.time()) + 2
        tok = tokens.active(exp=exp)
        asserts.granted(client.get("/e" + FILE, token=tok))
        mock.token(tok, {"active": False})
        asserts.granted(client.get("/e" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 1
        _until(exp + 0.05)
        asserts.invalid_token(client.get("/e" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 2

    def test_ttl_zero_asks_every_time(self, client, tokens, mock):
        tok = tokens.active(sub="zed")
        for i in range(3):
            r = client.get("/e0" + CGI, token=tok)
            asserts.granted(r)
            assert r.json()["REMOTE_USER"] == "zed"
            assert len(mock.calls_for(tok)) == i + 1
        mock.token(tok, {"active": False})
        asserts.invalid_token(client.get("/e0" + FILE, token=tok))

    @pytest.mark.slow
    def test_negative_ttl(self, client, tokens, mock):
        """Inactive answer reused within NegativeCacheTTL 2 (even though
        the AS changed its mind), asked again after it."""
        tok = tokens.answer({"active": False})
        r, _, t1 = _timed(client, "/en" + FILE, tok)
        asserts.invalid_token(r)
        mock.token(tok, tokens.claims())
        asserts.invalid_token(client.get("/en" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 1
        _until(t1 + 2.05)
        asserts.granted(client.get("/en" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 2

    @pytest.mark.slow
    def test_stale_if_error_window(self, client, tokens, mock, errlog):
        """CacheTTL 1, StaleIfError 2: the endpoint fails once the TTL has
        passed: 200 from the stale answer (MAI00316) within the window,
        503 after it."""
        errlog.expect(STALE_USED, logtags.ENDPOINT_FAILURE)
        tok = tokens.active(sub="stella")
        r, _, t1 = _timed(client, "/es" + CGI, tok)
        asserts.granted(r)
        mock.mode("status", code=500)
        _until(t1 + 1.05)
        r = client.get("/es" + CGI, token=tok)
        asserts.granted(r)
        assert r.json()["REMOTE_USER"] == "stella"
        assert len(mock.calls_for(tok)) == 2
        assert "MAI00316" in errlog.error_text()
        _until(t1 + 3.05)
        asserts.unavailable(client.get("/es" + FILE, token=tok))

    @pytest.mark.slow
    def test_stale_never_for_inactive(self, client, tokens, mock, errlog):
        errlog.expect(logtags.ENDPOINT_FAILURE)
        tok = tokens.answer({"active": False})
        r, _, t1 = _timed(client, "/esn" + FILE, tok)
        asserts.invalid_token(r)
        _until(t1 + 2.05)
        mock.mode("status", code=500)
        asserts.unavailable(client.get("/esn" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 2
        assert "MAI00316" not in errlog.error_text()

    @pytest.mark.slow
    def test_stale_never_past_exp(self, client, tokens, mock, errlog):
        """StaleIfError 300 but exp has passed: the endpoint failing gives
        503, not the old answer (which the clock skew would still let
        through)."""
        errlog.expect(logtags.ENDPOINT_FAILURE)
        exp = int(time.time()) + 2
        tok = tokens.active(exp=exp)
        asserts.granted(client.get("/e" + FILE, token=tok))
        mock.mode("status", code=500)
        _until(exp + 0.05)
        asserts.unavailable(client.get("/e" + FILE, token=tok))
        assert "MAI00316" not in errlog.error_text()


class TestBothLevels(_Edges):
    """The default: L1 in each of the two processes, shmcb shared."""

    @staticmethod
    def conf(env):
        return COMMON + _locations(env)


class TestL2Only(_Edges):
    """AuthIntrospectCacheL1Entries 0: every hit comes from Redis."""
    EXTRA_MODULES = ("socache_redis",)
    NEEDS = ("own_redis",)

    @staticmethod
    def conf(env):
        return (COMMON + "AuthIntrospectCacheL1Entries 0\n"
                + env.cache_lines("redis:127.0.0.1:%d" % env.own_redis_port)
                + _locations(env))

    @pytest.fixture(autouse=True)
    def _port(self, env, _config):
        self.port = env.own_redis_port

    def test_answers_come_from_the_shared_cache(self, client, tokens, mock):
        users = ["l2a", "l2b", "l2c"]
        toks = {u: tokens.active(sub=u) for u in users}
        before = stores.redis_keys(self.port)
        for u in users:
            r = client.get("/e" + CGI, token=toks[u])
            assert r.json()["REMOTE_USER"] == u
        assert len(stores.redis_keys(self.port) - before) == 3
        for _ in range(2):
            for u in reversed(users):
                r = client.get("/e" + CGI, token=toks[u])
                assert r.json()["REMOTE_USER"] == u
        assert all(len(mock.calls_for(t)) == 1 for t in toks.values())
        # nothing else remembers the answers: emptying Redis costs a call
        stores.redis_cmd(self.port, "FLUSHALL")
        for u in users:
            r = client.get("/e" + CGI, token=toks[u])
            assert r.json()["REMOTE_USER"] == u
        assert all(len(mock.calls_for(t)) == 2 for t in toks.values())

    def test_ttl_zero_stores_nothing(self, client, tokens):
        before = stores.redis_keys(self.port)
        asserts.granted(client.get("/e0" + FILE, token=tokens.active()))
        assert stores.redis_keys(self.port) == before


class TestL1Only(_Edges):
    """AuthIntrospectCache none, one process: every hit comes from L1."""

    @staticmethod
    def conf(env):
        return (confmod.ONE_PROCESS + COMMON + "AuthIntrospectCache none\n"
                + _locations(env))

    def test_second_request_makes_no_call(self, client, tokens, mock):
        users = ["l1a", "l1b", "l1c"]
        toks = {u: tokens.active(sub=u) for u in users}
        for _ in range(3):
            for u in users:
                r = client.get("/e" + CGI, token=toks[u])
                assert r.json()["REMOTE_USER"] == u
        assert all(len(mock.calls_for(t)) == 1 for t in toks.values())


class _ShortLived:
    """An answer that may live only about a second in the shared cache
    (CacheTTL 1, NegativeCacheTTL 1, or exp one second away) is no failure
    of the cache server: a healthy Redis or memcached must not be reported
    as failing (MAI00601 at error), and the request is answered."""

    @staticmethod
    def body(env):
        return "\n".join([
            env.protect("/d"),
            env.protect("/d1", "AuthIntrospectCacheTTL 1"),
            env.protect("/dn1", "AuthIntrospectNegativeCacheTTL 1"),
        ])

    def test_cache_ttl_1(self, client, tokens, errlog):
        asserts.granted(client.get("/d1" + FILE, token=tokens.active()))
        assert "MAI00601" not in errlog.error_text()

    def test_negative_ttl_1(self, client, tokens, errlog):
        tok = tokens.answer({"active": False})
        asserts.invalid_token(client.get("/dn1" + FILE, token=tok))
        assert "MAI00601" not in errlog.error_text()

    def test_exp_in_one_second(self, client, tokens, errlog):
        tok = tokens.active(exp=int(time.time()) + 1)
        asserts.granted(client.get("/d" + FILE, token=tok))
        assert "MAI00601" not in errlog.error_text()


class TestShortLivedRedis(_ShortLived):
    EXTRA_MODULES = ("socache_redis",)
    NEEDS = ("own_redis",)

    @staticmethod
    def conf(env):
        return (env.cache_lines("redis:127.0.0.1:%d" % env.own_redis_port)
                + _ShortLived.body(env))


class TestShortLivedMemcache(_ShortLived):
    EXTRA_MODULES = ("socache_memcache",)
    NEEDS = ("memcached",)

    @staticmethod
    def conf(env):
        return (env.cache_lines("memcache:127.0.0.1:%d" % env.memcached_port)
                + _ShortLived.body(env))
