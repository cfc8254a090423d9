# SPDX-License-Identifier: Apache-2.0
"""Issue 8, the endpoint side: negative caching on its own with CacheTTL 0,
StaleIfError only for the endpoint's own failures (never for the local
in-flight cap), no pooled connection after bytes past a response, and
endpoints (TLS context, CA file) set up once at startup.

One process (the per-process in-flight cap and connection pool are the
ones the mock AS sees) with one call slot."""
import os
import shutil
import subprocess
import threading
import time

from harness import asserts, conf as confmod, logtags
from harness.httpd import APACHE2

FILE = "/static.txt"
STALE_TIMEOUT = 2      # AuthIntrospectTimeout of /stale
EXTRA_BYTES = r"\[auth_introspect:warn\].*MAI00708:"
STALE_USED = r"\[auth_introspect:warn\].*MAI00316:"


def _ca_copy(env, name):
    """A copy of the test CA that a test may delete."""
    path = os.path.join(env.server_root, name)
    shutil.copyfile(env.ca_file, path)
    os.chmod(path, 0o644)
    return path


def conf(env):
    tls = env.mock_url("/introspect", kind="https_good", host="localhost")
    return "\n".join([
        confmod.ONE_PROCESS,
        "AuthIntrospectMaxInflight 1",
        "AuthIntrospectBreaker 0 1",
        env.protect("/c"),
        env.protect("/nz", "AuthIntrospectCacheTTL 0",
                    "AuthIntrospectNegativeCacheTTL 60"),
        env.protect("/stale", "AuthIntrospectCacheTTL 1",
                    "AuthIntrospectStaleIfError 60",
                    "AuthIntrospectTimeout %d" % STALE_TIMEOUT,
                    endpoint=env.mock_url("/introspect/stale")),
        env.protect("/trail", endpoint=env.mock_url("/introspect/trail")),
        env.protect("/tls", "AuthIntrospectTLSCAFile "
                    + _ca_copy(env, "ca-gone.pem"), endpoint=tls),
        # the endpoint from a <Location>, its CA file from a <Directory>:
        # a merge the start-up set-up must foresee
        env.protect("/tls-merged", endpoint=tls),
        # only mod_proxy knows its <Proxy> sections: it shows them to us
        "ProxyPass /px/ http://127.0.0.1:%d/" % env.backend.port,
        '<Proxy "http://127.0.0.1:%d/*">' % env.backend.port,
        "\n".join(confmod.directives(endpoint=tls, env=env)),
        "    AuthIntrospectTLSCAFile " + _ca_copy(env, "ca-proxy.pem"),
        "    Require valid-user",
        "</Proxy>",
        '<Directory "%s/dir">' % env.htdocs,
        "    AuthIntrospectTLSCAFile " + _ca_copy(env, "ca-merged.pem"),
        "</Directory>",
    ])


class TestNegativeCacheWithTTLZero:
    def test_inactive_answer_cached(self, client, tokens, mock):
        tok = tokens.answer({"active": False})
        for _ in range(3):
            asserts.invalid_token(client.get("/nz" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 1

    def test_active_answer_never_reused(self, client, tokens, mock):
        tok = tokens.active()
        for _ in range(3):
            asserts.granted(client.get("/nz" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 3

    def test_active_answer_cached_elsewhere_not_used(self, client, tokens,
                                                     mock):
        """/c caches the answer under the same key (same endpoint and
        client id); /nz still asks, and sees the revocation."""
        tok = tokens.active()
        asserts.granted(client.get("/c" + FILE, token=tok))
        mock.token(tok, {"active": False})
        asserts.invalid_token(client.get("/nz" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 2


def _wait_for_call_in_progress(mock):
    for _ in range(200):
        if mock._call("GET", "/_stats")["active"] >= 1:
            return
        time.sleep(0.02)
    raise AssertionError("the slow call never reached the mock AS")


class TestStaleIfErrorScope:
    def _cached_then_revoked(self, client, tokens, mock):
        """An active answer cached at /stale, now past its TTL of 1 s and
        revoked at the AS."""
        tok = tokens.active()
        asserts.granted(client.get("/stale" + FILE, token=tok))
        mock.token(tok, {"active": False})
        time.sleep(2.1)
        return tok

    def test_not_for_the_inflight_cap(self, client, tokens, mock, errlog):
        """The only call slot is taken by a slow call for another token:
        the revoked token finds no slot. That is our cap, not the
        endpoint failing: 503, not the stale 200."""
        errlog.expect(logtags.ENDPOINT_FAILURE)
        tok = self._cached_then_revoked(client, tokens, mock)
        mock.mode("slow", path="/introspect/stale", seconds=5)
        other = tokens.active()
        hog = threading.Thread(
            target=lambda: client.get("/stale" + FILE, token=other))
        hog.start()
        try:
            _wait_for_call_in_progress(mock)
            r = client.get("/stale" + FILE, token=tok)
        finally:
            hog.join()
        asserts.unavailable(r)
        assert mock.calls_for(tok)[1:] == []
        assert "MAI00316" not in errlog.error_text()

    def test_still_for_the_endpoint_timing_out(self, client, tokens, mock,
                                               errlog):
        errlog.expect(logtags.ENDPOINT_FAILURE)
        errlog.expect(STALE_USED)
        tok = self._cached_then_revoked(client, tokens, mock)
        mock.mode("slow", path="/introspect/stale", seconds=5)
        asserts.granted(client.get("/stale" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 2
        assert "MAI00316" in errlog.error_text()


class TestBytesAfterResponse:
    def test_connection_not_reused(self, client, tokens, mock, errlog):
        """The AS sends a forged second answer right behind each real
        one: each call must go over a new connection, so no call can
        ever read bytes meant for (or smuggled behind) another."""
        errlog.expect(EXTRA_BYTES)
        mock.mode("trailing", path="/introspect/trail")
        toks = [tokens.answer({"active": False}) for _ in range(4)]
        for tok in toks:
            asserts.invalid_token(client.get("/trail" + FILE, token=tok))
        peers = {c["peer"] for t in toks for c in mock.calls_for(t)}
        assert len(peers) == len(toks), peers
        assert "MAI00708" in errlog.error_text()

    def test_well_framed_answers_reuse_the_connection(self, client, tokens,
                                                      mock):
        toks = [tokens.answer({"active": False}) for _ in range(4)]
        for tok in toks:
            asserts.invalid_token(client.get("/trail" + FILE, token=tok))
        peers = {c["peer"] for t in toks for c in mock.calls_for(t)}
        assert len(peers) == 1, peers


class TestEndpointSetUpAtStartup:
    def test_ca_file_gone_after_startup_does_not_matter(self, client,
                                                        tokens, env):
        """The CA file was read once, at startup; a child does not read it
        again on its first request."""
        os.unlink(os.path.join(env.server_root, "ca-gone.pem"))
        asserts.granted(client.get("/tls" + FILE, token=tokens.active()))

    def test_endpoint_in_a_proxy_section(self, client, tokens):
        asserts.granted(client.get("/px/anything", token=tokens.active()))
        asserts.no_token(client.get("/px/anything"))

    def test_ca_file_from_another_section(self, client, tokens):
        asserts.granted(client.get("/tls-merged/dir/index.html",
                                   token=tokens.active()))


def _configtest(env, httpd, body, name):
    path = os.path.join(env.server_root, name)
    with open(path, "w") as f:
        f.write(httpd.render(body))
    penv = dict(os.environ, LANG="C")
    penv.update(env.httpd_env)
    return subprocess.run([APACHE2, "-f", path, "-t"], env=penv,
                          capture_output=True, text=True, timeout=60,
                          cwd=env.server_root)


class TestCAFileCheckedAtStartup:
    """apache2 -t: the setter checks the file, so httpd names it with the
    configuration file and line."""

    def _refused(self, env, httpd, ca):
        body = env.protect("/bad-ca", "AuthIntrospectTLSCAFile " + ca,
                           endpoint=env.mock_url(kind="https_good"))
        res = _configtest(env, httpd, body, "ca-test.conf")
        out = res.stdout + res.stderr
        assert res.returncode != 0, out
        assert ca in out, out
        assert "ca-test.conf" in out and " line " in out, out
        for secret in env.session_secrets:
            assert secret not in out
        return out

    def test_missing_ca_file(self, env, httpd):
        self._refused(env, httpd, os.path.join(env.server_root, "no-ca.pem"))

    def test_ca_file_without_certificate(self, env, httpd):
        path = os.path.join(env.server_root, "not-a-ca.pem")
        with open(path, "w") as f:
            f.write("not a certificate\n")
        self._refused(env, httpd, path)

    def test_good_ca_file_passes(self, env, httpd):
        body = env.protect("/good-ca", "AuthIntrospectTLSCAFile "
                           + env.ca_file,
                           endpoint=env.mock_url(kind="https_good"))
        res = _configtest(env, httpd, body, "ca-good.conf")
        assert res.returncode == 0, res.stdout + res.stderr
