# SPDX-License-Identifier: Apache-2.0
"""Shared-cache capacity: the default AuthIntrospectCache (shmcb, 64 MB)
holds 50,000 realistic answers (600 bytes of JSON), and a shmcb too small
for the tokens in use says so in the log (MAI01401, with the directive to
raise). One process, L1 off, so every repeat is read from shmcb; the mock
AS counts the calls (/_stats)."""
import concurrent.futures
import json
import re
import time

from harness import asserts, conf as confmod

FILE = "/static.txt"
TOKENS = 50000
WORKERS = 8
EVICTED = r"\[auth_introspect:warn\].*MAI01401:.*AuthIntrospectCache shmcb"


def realistic_answer(size=600):
    """A Keycloak-like active answer of exactly SIZE bytes (as
    bench/capacity measures)."""
    now = int(time.time())
    obj = {"active": True, "exp": now + 86400, "iat": now, "jti": "",
           "iss": "https://idp.example.com/realms/main",
           "aud": ["api.example.com", "account"],
           "sub": "5f1c8a52-0c49-4a5e-8f0e-7d2b1e9b3c41",
           "client_id": "web-app", "scope": "openid profile email api.read",
           "name": "Alice Example", "preferred_username": "alice",
           "email": "alice@example.com",
           "realm_access": {"roles": ["offline_access", "user",
                                      "api-reader", "api-writer"]},
           "token_type": "Bearer"}
    text = json.dumps(obj, separators=(",", ":"))
    obj["jti"] = "j" * (size - len(text))
    return obj


class _Unknown:
    """Every token the mock AS does not know gets ANSWER during a test
    (then the usual inactive answer again)."""

    def answer_all(self, mock, answer):
        mock._call("POST", "/_control", {"default": answer})

    def restore(self, mock):
        mock._call("POST", "/_control", {"default": {"active": False}})

    @staticmethod
    def calls(mock):
        return mock._call("GET", "/_stats")["calls"]

    @staticmethod
    def send_all(client, prefix, toks, deadline):
        """Each token once, from WORKERS keep-alive connections; returns
        the statuses that were not 200."""
        def run(part):
            bad = []
            conn = client.connection()
            try:
                for tok in part:
                    if time.monotonic() > deadline:
                        return bad + ["deadline"]
                    r = client.get(prefix + FILE, conn=conn, headers={
                        "Authorization": "Bearer " + tok})
                    if r.status != 200:
                        bad.append(r.status)
            finally:
                conn.close()
            return bad
        parts = [toks[i::WORKERS] for i in range(WORKERS)]
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as ex:
            return [b for bad in ex.map(run, parts) for b in bad]


class TestDefaultHolds50000(_Unknown):
    @staticmethod
    def conf(env):
        # the default AuthIntrospectCache; warn only: 100,000 requests at
        # trace8 would be gigabytes of log for the police to read
        return (confmod.ONE_PROCESS + "AuthIntrospectCacheL1Entries 0\n"
                + "LogLevel warn\n" + env.protect("/cap"))

    def test_second_pass_makes_no_call(self, client, mock, errlog):
        toks = ["cap%06d.%s" % (i, "x" * 20) for i in range(TOKENS)]
        # a sample stands for all of them in the log police's search
        errlog.secret(*toks[::5000])
        self.answer_all(mock, realistic_answer())
        try:
            deadline = time.monotonic() + 600
            before = self.calls(mock)
            assert self.send_all(client, "/cap", toks, deadline) == []
            first = self.calls(mock) - before
            assert self.send_all(client, "/cap", toks, deadline) == []
            second = self.calls(mock) - before - first
        finally:
            self.restore(mock)
        assert first == TOKENS
        # every answer still in shmcb: nothing evicted, nothing asked again
        assert second == 0


SHMCB_INIT = re.compile(r"AH00822: for (\d+) bytes .* recommending (\d+) "
                        r"subcaches, (\d+) indexes each")


def shmcb_inits(errlog):
    """(bytes, subcaches, indexes) of every shmcb the log saw set up."""
    return [tuple(int(g) for g in m.groups())
            for m in SHMCB_INIT.finditer(errlog.error_text())]


class TestDefaultIsSharded:
    """shmcb has one lock and scans a subcache's entries one by one: the
    default's 64 MB is 64 shmcb instances of 1 MB, each with its own lock
    and subcaches of about 100 entries (not one of 128 subcaches of 780,
    scanned twice by every miss when full)."""
    @staticmethod
    def conf(env):
        return ("LogLevel warn socache_shmcb:debug\n"
                + env.protect("/p"))

    def test_64_shards_of_1mb(self, client, tokens, errlog):
        asserts.granted(client.get("/p" + FILE, token=tokens.active()))
        inits = shmcb_inits(errlog)
        assert inits and len(inits) % 64 == 0, inits
        for size, subcaches, indexes in inits:
            assert 1000000 < size <= 1048576
            assert subcaches * indexes >= 1500
            assert indexes <= 100


class TestLargeAnswers:
    """A part of the default shmcb (1 MB) has subcaches of about 63 KB,
    and shmcb logs an error on every entry larger than that: answers of
    up to 32 KB are shared, larger ones are not offered to shmcb."""
    @staticmethod
    def conf(env):
        return (confmod.ONE_PROCESS + "AuthIntrospectCacheL1Entries 0\n"
                + env.protect("/p"))

    def test_up_to_32kb_shared_larger_not_offered(self, client, tokens,
                                                   mock, errlog):
        calls = {}
        for size in (20000, 40000, 62000):
            tok = tokens.active(sub="big", pad="p" * size)
            for _ in range(2):
                asserts.granted(client.get("/p" + FILE, token=tok))
            calls[size] = len(mock.calls_for(tok))
        assert calls == {20000: 1, 40000: 2, 62000: 2}, calls
        assert "subcache data area" not in errlog.error_text()


class TestSmallIsOneShard:
    @staticmethod
    def conf(env):
        return ("LogLevel warn socache_shmcb:debug\n"
                "AuthIntrospectCache shmcb:%s/one(1048576)\n" % env.run_dir
                + env.protect("/p"))

    def test_one_instance(self, client, tokens, errlog):
        asserts.granted(client.get("/p" + FILE, token=tokens.active()))
        inits = shmcb_inits(errlog)
        assert inits and all(i == inits[0] for i in inits), inits
        assert inits[0][0] > 1000000


class TestTooSmallSaysSo(_Unknown):
    @staticmethod
    def conf(env):
        return (confmod.ONE_PROCESS + "AuthIntrospectCacheL1Entries 0\n"
                + "AuthIntrospectCache shmcb:%s/small(1048576)\n"
                % env.run_dir + env.protect("/small"))

    def test_eviction_logged_once(self, client, tokens, mock, errlog):
        errlog.expect(EVICTED)
        # 1 MB holds about 1,500 such answers: 2,500 push the first out
        toks = [tokens.new("ev") for _ in range(2500)]
        self.answer_all(mock, realistic_answer())
        try:
            assert self.send_all(client, "/small", toks,
                                 time.monotonic() + 300) == []
            before = self.calls(mock)
            for tok in toks[:20]:
                asserts.granted(client.get("/small" + FILE, token=tok))
            again = self.calls(mock) - before
        finally:
            self.restore(mock)
        assert again == 20
        lines = [l for l in errlog.error_text().splitlines()
                 if re.search(EVICTED, l)]
        # at most once per 10 s per process
        assert len(lines) == 1, lines
