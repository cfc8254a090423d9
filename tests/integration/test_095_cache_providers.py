# SPDX-License-Identifier: Apache-2.0
"""AuthIntrospectCache with redis and memcache works like shmcb: shared by
all processes, surviving an httpd restart, never holding a raw token."""
import secrets

from harness import asserts
from harness.stores import redis_cmd

FILE = "/static.txt"


class _Provider:
    def test_second_request_makes_no_call(self, client, tokens, mock):
        tok = tokens.active()
        for _ in range(4):
            asserts.granted(client.get("/p" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 1

    def test_survives_httpd_restart(self, client, tokens, mock, httpd, env):
        tok = tokens.active(sub="frank")
        asserts.granted(client.get("/p" + FILE, token=tok))
        httpd.stop()
        httpd.ensure(self.conf(env), extra_modules=self.EXTRA_MODULES)
        r = client.get("/p/cgi/env.cgi", token=tok)
        asserts.granted(r)
        assert r.json()["REMOTE_USER"] == "frank"
        assert len(mock.calls_for(tok)) == 1

    def test_negative_cached(self, client, tokens, mock):
        tok = tokens.answer({"active": False})
        for _ in range(3):
            asserts.invalid_token(client.get("/p" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 1


class TestRedis(_Provider):
    EXTRA_MODULES = ("socache_redis",)
    NEEDS = ("redis",)

    @staticmethod
    def conf(env):
        return (env.cache_lines("redis:127.0.0.1:%d" % env.redis_port)
                + env.protect("/p"))

    def test_store_holds_no_token_or_claims(self, client, tokens, redis):
        marker = "erin-" + secrets.token_hex(8)
        tok = tokens.active(sub=marker)
        asserts.granted(client.get("/p" + FILE, token=tok))
        keys = redis_cmd(redis.port, "KEYS", "*")
        assert keys, "nothing was stored in redis"
        for k in keys:
            v = redis_cmd(redis.port, "GET", k) or b""
            for blob in (k, v):
                assert tok.encode() not in blob
                assert marker.encode() not in blob


class TestMemcache(_Provider):
    EXTRA_MODULES = ("socache_memcache",)
    NEEDS = ("memcached",)

    @staticmethod
    def conf(env):
        return (env.cache_lines("memcache:127.0.0.1:%d" % env.memcached_port)
                + env.protect("/p"))
