# SPDX-License-Identifier: Apache-2.0
"""AuthIntrospectCacheSecret: whoever can write to the shared cache but
lacks the secret can only evict. Entries forged by someone who knows
everything else (the module's code, the endpoint, the client id, a token of
their own, the keys they see appear in Redis) are never found or never
open; servers with the same secret share answers, servers with different
secrets never do; what changes an answer or how far it is trusted (TLS
verification, CA file, token type hint) is part of the key."""
import json
import os
import secrets
import time

import pytest

from harness import asserts, forge, stores

CGI = "/f/cgi/env.cgi"
FILE = "/f/static.txt"
# MAI00311: a shared cache entry failed authentication
REJECTED = r"\[auth_introspect:warn\].*MAI00311:"
FORMATS = ["v1-no-secret", "v2-empty-secret", "v2-guessed-secret",
           "v3-empty-secret", "v3-guessed-secret", "v4-empty-secret",
           "v4-guessed-secret"]


def _who(r):
    asserts.granted(r)
    return r.json()["REMOTE_USER"]


def _admin_json():
    now = int(time.time())
    return json.dumps({"active": True, "sub": "admin", "scope": "admin",
                       "client_id": "app-1", "iat": now, "exp": now + 3600})


def _forge(fmt, env, token, lookup_key=None):
    """(Redis key, sealed admin answer) as the attacker makes them in
    layout FMT, without the session's cache secret."""
    guess = {"v2-empty-secret": b"", "v3-empty-secret": b"",
             "v4-empty-secret": b"",
             "v2-guessed-secret": secrets.token_hex(32).encode(),
             "v3-guessed-secret": secrets.token_hex(32).encode(),
             "v4-guessed-secret": secrets.token_hex(32).encode()}.get(fmt)
    now = int(time.time())
    if fmt.startswith("v1"):
        key = lookup_key or forge.key_v1(env.mock_url(), env.client_id,
                                         token)
        return (forge.redis_key(key),
                forge.seal_v1(token, key, True, now, _admin_json()))
    key = lookup_key or forge.key_v2(guess, env.mock_url(), env.client_id,
                                     token)
    seal = getattr(forge, "seal_" + fmt[:2])
    return (forge.redis_key(key),
            seal(guess, token, key, True, now, _admin_json()))


class TestForgedEntries:
    """One node, no per-process cache, so every request reads Redis."""
    EXTRA_MODULES = ("socache_redis",)
    NEEDS = ("own_redis",)

    @staticmethod
    def conf(env):
        return ("AuthIntrospectCacheL1Entries 0\n"
                + env.cache_lines("redis:127.0.0.1:%d" % env.own_redis_port)
                + env.protect("/f"))

    @pytest.fixture(autouse=True)
    def _port(self, env, _config):
        self.port = env.own_redis_port

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_forged_under_computed_key_not_found(self, client, tokens, mock,
                                                 env, fmt):
        """The attacker computes the key of a token the AS calls inactive
        and stores an active admin answer there: never read."""
        tok = tokens.answer({"active": False})
        key, entry = _forge(fmt, env, tok)
        assert stores.redis_cmd(self.port, "SET", key, entry, "EX",
                                300) == b"OK"
        asserts.invalid_token(client.get(FILE, token=tok))
        assert len(mock.calls_for(tok)) == 1

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_forged_over_observed_key_refused(self, client, tokens, mock,
                                              env, errlog, fmt):
        """The attacker sends their own token (sub mallory), sees which key
        appears in Redis, and overwrites its value with an admin answer
        sealed for that token and key: refused (MAI00311), the endpoint is
        asked again and its answer served."""
        errlog.expect(REJECTED)
        tok = tokens.active(sub="mallory", scope="read")
        before = stores.redis_keys(self.port)
        assert _who(client.get(CGI, token=tok)) == "mallory"
        (key,) = stores.redis_keys(self.port) - before
        _, entry = _forge(fmt, env, tok, lookup_key=forge.lookup_key(key))
        assert stores.redis_cmd(self.port, "SET", key, entry,
                                "KEEPTTL") == b"OK"
        r = client.get(CGI, token=tok)
        assert _who(r) == "mallory"
        assert r.json()["INTROSPECT_SCOPE"] == "read"
        assert len(mock.calls_for(tok)) == 2
        assert "MAI00311" in errlog.error_text()

    @pytest.mark.parametrize("seal", ["v2", "v3", "v4"])
    def test_control_with_the_secret_the_forgery_opens(self, client, tokens,
                                                       mock, env, seal):
        """Control for the tests above (the forging code is right, only the
        secret is missing there): with the secret itself, the same forgery
        is read and believed. That is why the secret file must be kept as
        private as the cache server's admin password."""
        tok = tokens.answer({"active": False})
        secret = env.cache_secret.encode()
        key = forge.key_v2(secret, env.mock_url(), env.client_id, tok)
        entry = getattr(forge, "seal_" + seal)(secret, tok, key, True,
                                               int(time.time()),
                                               _admin_json())
        assert stores.redis_cmd(self.port, "SET", forge.redis_key(key),
                                entry, "EX", 300) == b"OK"
        assert _who(client.get(CGI, token=tok)) == "admin"
        assert mock.calls_for(tok) == []


class TestTwoSecrets:
    """Node A with the session's secret, node B with another one, on one
    Redis: they never read each other's entries."""
    EXTRA_MODULES = ("socache_redis",)
    NEEDS = ("own_redis",)
    OTHER = "other-" + secrets.token_hex(32)

    @staticmethod
    def body(env):
        return env.protect("/f")

    @staticmethod
    def conf(env):
        return (env.cache_lines("redis:127.0.0.1:%d" % env.own_redis_port)
                + TestTwoSecrets.body(env))

    @pytest.fixture(autouse=True)
    def _node_b_up(self, env, node_b, _config):
        env.add_session_secret(self.OTHER)
        node_b.ensure(env.cache_lines("redis:127.0.0.1:%d"
                                      % env.own_redis_port,
                                      secret=self.OTHER) + self.body(env),
                      extra_modules=self.EXTRA_MODULES)
        self.port = env.own_redis_port

    def test_no_sharing(self, client, client_b, tokens, mock):
        tok = tokens.active(sub="olga")
        before = stores.redis_keys(self.port)
        assert _who(client.get(CGI, token=tok)) == "olga"
        assert _who(client_b.get(CGI, token=tok)) == "olga"
        assert len(mock.calls_for(tok)) == 2
        # each keeps its own entry, under its own key
        assert len(stores.redis_keys(self.port) - before) == 2
        for _ in range(2):
            assert _who(client.get(CGI, token=tok)) == "olga"
            assert _who(client_b.get(CGI, token=tok)) == "olga"
        assert len(mock.calls_for(tok)) == 2


class TestKeyScope:
    """Same endpoint and client id; only TLS verification, the CA file or
    the token type hint differ: each location asks the endpoint itself."""

    @staticmethod
    def conf(env):
        url = env.mock.url(kind="https_good", host="localhost")
        ca = "AuthIntrospectTLSCAFile " + env.ca_file
        return "\n".join([
            env.protect("/k-verify", ca, endpoint=url),
            env.protect("/k-noverify", ca, "AuthIntrospectTLSVerify Off",
                        endpoint=url),
            env.protect("/k-noca", "AuthIntrospectTLSVerify Off",
                        endpoint=url),
            env.protect("/k-nohint", ca, "AuthIntrospectTokenTypeHint none",
                        endpoint=url),
            env.protect("/k-verify2", ca, endpoint=url),
        ])

    def test_tls_verify_off_does_not_fill_the_verified_cache(
            self, client, tokens, mock):
        tok = tokens.active(sub="nina")
        for prefix in ("/k-noverify", "/k-noca", "/k-nohint", "/k-verify"):
            assert _who(client.get(prefix + "/cgi/env.cgi",
                                   token=tok)) == "nina"
        assert len(mock.calls_for(tok)) == 4
        # the same settings elsewhere do share
        assert _who(client.get("/k-verify2/cgi/env.cgi", token=tok)) == "nina"
        assert len(mock.calls_for(tok)) == 4
