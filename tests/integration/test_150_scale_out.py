# SPDX-License-Identifier: Apache-2.0
"""Scaling out: two httpd servers ("node A" and "node B", as behind a load
balancer) share one Redis or memcached. A token introspected through one
node is served by the other without an endpoint call; what the cache
server holds reveals neither tokens nor claims; an entry changed in the
cache server is rejected, never served."""
import time

import pytest

from harness import asserts, stores

CGI = "/s/cgi/env.cgi"
FILE = "/s/static.txt"
MARKER = "alice-secret-marker"
# MAI00311: a shared cache entry failed authentication (docs/log-messages).
REJECTED = r"\[auth_introspect:warn\].*MAI00311:"


def _body(env, cache):
    return (env.cache_lines(cache) + env.protect("/s")
            + env.protect("/s-other", "AuthIntrospectClientID other-rs",
                          env.secret_line(env.client_secret),
                          creds=False))


def _who(r):
    asserts.granted(r)
    return r.json()["REMOTE_USER"]


class _TwoNodes:
    """Node A is the suite's httpd (env.httpd), node B a second httpd with
    the same configuration; both on the same mock AS."""

    @pytest.fixture(autouse=True)
    def _node_b_up(self, env, node_b, _config):
        node_b.ensure(self.conf(env), extra_modules=self.EXTRA_MODULES)

    def test_a_then_b_makes_no_call(self, client, client_b, tokens, mock):
        tok = tokens.active(sub="bob", scope="read write")
        first = client.get(CGI, token=tok).json()
        assert first["REMOTE_USER"] == "bob"
        for _ in range(4):
            seen = client_b.get(CGI, token=tok).json()
            assert seen["REMOTE_USER"] == "bob"
            assert seen["INTROSPECT_SCOPE"] == "read write"
            assert seen["INTROSPECT_CLAIMS"] == first["INTROSPECT_CLAIMS"]
        assert len(mock.calls_for(tok)) == 1

    def test_b_then_a_makes_no_call(self, client, client_b, tokens, mock):
        tok = tokens.active(sub="carl")
        assert _who(client_b.get(CGI, token=tok)) == "carl"
        for _ in range(4):
            assert _who(client.get(CGI, token=tok)) == "carl"
        assert len(mock.calls_for(tok)) == 1

    def test_inactive_answer_shared(self, client, client_b, tokens, mock):
        tok = tokens.answer({"active": False})
        asserts.invalid_token(client.get(FILE, token=tok))
        for _ in range(3):
            asserts.invalid_token(client_b.get(FILE, token=tok))
        assert len(mock.calls_for(tok)) == 1

    def test_tokens_not_mixed_between_nodes(self, client, client_b, tokens,
                                            mock):
        toks = {u: tokens.active(sub=u) for u in ("u1", "u2", "u3")}
        for u, tok in toks.items():
            assert _who(client.get(CGI, token=tok)) == u
        for u, tok in reversed(list(toks.items())):
            assert _who(client_b.get(CGI, token=tok)) == u
        for tok in toks.values():
            assert len(mock.calls_for(tok)) == 1

    def test_dump_holds_no_token_or_claims(self, client, client_b, tokens,
                                           mock):
        """Traffic with a token whose answer says sub alice-secret-marker,
        through both nodes, then a full dump of the cache server: not the
        token, not the marker, raw or in hex or base64."""
        before = self.dump()
        tok = tokens.active(sub=MARKER, email=MARKER + "@mai.test")
        assert _who(client.get(CGI, token=tok)) == MARKER
        assert _who(client_b.get(CGI, token=tok)) == MARKER
        asserts.granted(client.get(FILE, token=tok))
        bad = tokens.answer({"active": False, "sub": MARKER})
        asserts.invalid_token(client_b.get(FILE, token=bad))
        # the shared-cache store may finish just after the response went
        # out, and memcached's crawler can miss a key just written: look
        # again for a few seconds before calling it missing
        deadline = time.monotonic() + 5
        while True:
            after = self.dump()
            new = set(after) - set(before)
            if len(new) >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert len(new) >= 2, "the answers were not stored in the server"
        assert stores.find_leaks(after, {
            "token": tok, "inactive token": bad, "marker": MARKER}) == []
        assert len(mock.calls_for(tok)) == 1


class TestRedis(_TwoNodes):
    EXTRA_MODULES = ("socache_redis",)
    NEEDS = ("own_redis",)

    @staticmethod
    def conf(env):
        return _body(env, "redis:127.0.0.1:%d" % env.own_redis_port)

    @pytest.fixture(autouse=True)
    def _port(self, env, _config):
        self.port = env.own_redis_port

    def dump(self):
        return stores.redis_dump(self.port)


class TestMemcache(_TwoNodes):
    EXTRA_MODULES = ("socache_memcache",)
    NEEDS = ("memcached",)

    @staticmethod
    def conf(env):
        return _body(env, "memcache:127.0.0.1:%d" % env.memcached_port)

    @pytest.fixture(autouse=True)
    def _port(self, env, _config):
        self.port = env.memcached_port

    def dump(self):
        return stores.memcached_dump(self.port)


class TestTamperedRedis:
    """The test edits what node A stored in Redis; node B must notice
    (MAI00311), ask the endpoint and serve its answer."""
    EXTRA_MODULES = ("socache_redis",)
    NEEDS = ("own_redis",)

    @staticmethod
    def conf(env):
        return TestRedis.conf(env)

    @pytest.fixture(autouse=True)
    def _node_b_up(self, env, node_b, _config):
        node_b.ensure(self.conf(env), extra_modules=self.EXTRA_MODULES)

    @pytest.fixture(autouse=True)
    def _port(self, env, _config):
        self.port = env.own_redis_port

    def _stored_by_a(self, client, tok, expect):
        """Request TOK through node A; returns the one key it stored."""
        before = stores.redis_keys(self.port)
        r = client.get(CGI if expect == 200 else FILE, token=tok)
        assert r.status == expect, r
        new = stores.redis_keys(self.port) - before
        assert len(new) == 1, new
        return new.pop()

    def _set(self, key, value):
        assert stores.redis_cmd(self.port, "SET", key, value,
                                "KEEPTTL") == b"OK"

    @pytest.mark.parametrize("where", ["first", "middle", "last"])
    def test_flipped_byte_is_rejected(self, client, client_b, tokens, mock,
                                      errlog, where):
        errlog.expect(REJECTED)
        tok = tokens.active(sub="grace")
        key = self._stored_by_a(client, tok, 200)
        value = bytearray(stores.redis_cmd(self.port, "GET", key))
        i = {"first": 0, "middle": len(value) // 2,
             "last": len(value) - 1}[where]
        value[i] ^= 0x01
        self._set(key, bytes(value))
        assert _who(client_b.get(CGI, token=tok)) == "grace"
        assert len(mock.calls_for(tok)) == 2
        assert "MAI00311" in errlog.error_text()
        # the fresh answer replaced the bad entry: B's other process, or a
        # later request, finds it without another call
        assert stores.redis_cmd(self.port, "GET", key) != bytes(value)
        for _ in range(3):
            assert _who(client_b.get(CGI, token=tok)) == "grace"
        assert len(mock.calls_for(tok)) == 2

    def test_entry_swapped_between_tokens_is_rejected(self, client, client_b,
                                                      tokens, mock, errlog):
        """The active answer of one token copied over the key of an
        inactive one must not make the inactive token work."""
        errlog.expect(REJECTED)
        good = tokens.active(sub="heidi")
        bad = tokens.answer({"active": False})
        good_key = self._stored_by_a(client, good, 200)
        bad_key = self._stored_by_a(client, bad, 401)
        self._set(bad_key, stores.redis_cmd(self.port, "GET", good_key))
        asserts.invalid_token(client_b.get(FILE, token=bad))
        assert len(mock.calls_for(bad)) == 2
        assert "MAI00311" in errlog.error_text()
        assert _who(client_b.get(CGI, token=good)) == "heidi"
        assert len(mock.calls_for(good)) == 1

    def test_entry_moved_between_keys_of_one_token_is_rejected(
            self, client, client_b, tokens, mock, errlog):
        """Same token, two client ids: two keys, and entries sealed under
        the same token-derived key. The AS said inactive to one and active
        to the other; the active entry moved over the inactive one's key
        must not open (it is bound to its own key)."""
        errlog.expect(REJECTED)
        tok = tokens.answer({"active": False})
        inactive_key = self._stored_by_a(client, tok, 401)
        mock.token(tok, tokens.claims(sub="judy"))
        before = stores.redis_keys(self.port)
        asserts.granted(client.get("/s-other/static.txt", token=tok))
        (active_key,) = stores.redis_keys(self.port) - before
        mock.token(tok, {"active": False})
        self._set(inactive_key,
                  stores.redis_cmd(self.port, "GET", active_key))
        asserts.invalid_token(client_b.get(FILE, token=tok))
        assert len(mock.calls_for(tok)) == 3
        assert "MAI00311" in errlog.error_text()

    def test_garbage_value_is_rejected(self, client, client_b, tokens, mock,
                                       errlog):
        errlog.expect(REJECTED)
        tok = tokens.active(sub="ivan")
        key = self._stored_by_a(client, tok, 200)
        self._set(key, b'{"active":true,"sub":"mallory"}')
        assert _who(client_b.get(CGI, token=tok)) == "ivan"
        assert len(mock.calls_for(tok)) == 2
