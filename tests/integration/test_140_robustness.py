# SPDX-License-Identifier: Apache-2.0
"""Concurrency and restarts: the module under the event MPM's threads and
processes, and across a graceful restart."""
import concurrent.futures

from harness import asserts

CGI = "/cgi/env.cgi"


def conf(env):
    return "\n".join([
        env.protect("/k"),
        env.protect("/k0", "AuthIntrospectCacheTTL 0"),
    ])


def _who(client, path, tok):
    r = client.get(path, token=tok)
    return r.status, (r.json().get("REMOTE_USER") if r.status == 200
                      else None)


class TestConcurrency:
    def test_parallel_requests_get_their_own_user(self, client, tokens,
                                                  mock):
        users = ["u%02d" % i for i in range(12)]
        toks = {u: tokens.active(sub=u) for u in users}
        bad = [tokens.answer({"active": False}) for _ in range(4)]
        jobs = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=12) as ex:
            for round_ in range(3):
                for u in users:
                    path = "/k0" + CGI if round_ == 1 else "/k" + CGI
                    jobs.append((u, ex.submit(_who, client, path, toks[u])))
                for b in bad:
                    jobs.append((None, ex.submit(_who, client, "/k" + CGI,
                                                 b)))
            for u, fut in jobs:
                status, who = fut.result(timeout=60)
                if u is None:
                    assert status == 401
                else:
                    assert (status, who) == (200, u)


class TestRestart:
    def test_graceful_restart(self, client, tokens, httpd):
        tok = tokens.active(sub="before")
        assert _who(client, "/k" + CGI, tok) == (200, "before")
        httpd.graceful()
        assert _who(client, "/k" + CGI, tok) == (200, "before")
        tok2 = tokens.active(sub="after")
        assert _who(client, "/k0" + CGI, tok2) == (200, "after")
        asserts.no_token(client.get("/k" + CGI))

    def test_two_graceful_restarts(self, client, tokens, httpd):
        httpd.graceful()
        httpd.graceful()
        tok = tokens.active(sub="again")
        assert _who(client, "/k0" + CGI, tok) == (200, "again")
