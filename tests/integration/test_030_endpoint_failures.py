# SPDX-License-Identifier: Apache-2.0
"""The endpoint cannot give an answer: the client gets 503 with Retry-After
and no WWW-Authenticate; the error log says why (ERR level, MAI tag)."""
import base64
import hashlib
import json
import time

import pytest

from harness import asserts, logtags
from harness.ports import Blackhole, free_port

FILE = "/static.txt"
TIMEOUT = 1          # AuthIntrospectTimeout of /slow
FRACTION = 0.5       # AuthIntrospectTimeout of /slow-frac
CONNECT = 0.5        # connect limit of /blackhole (whole call: 5 s)
DEAD_PORT = free_port()
BLACKHOLE = Blackhole()


def conf(env):
    m = env.mock
    ca = "AuthIntrospectTLSCAFile " + env.ca_file
    return "\n".join([
        # Every test here makes the endpoint fail on purpose: the circuit
        # breaker (5 failures in a row open it) would turn later tests'
        # calls into instant 503s without a call. Its own behaviour is not
        # part of these tests.
        "AuthIntrospectBreaker 0 1",
        env.protect("/down", endpoint="http://127.0.0.1:%d/introspect"
                    % DEAD_PORT),
        env.protect("/slow", "AuthIntrospectTimeout %d" % TIMEOUT,
                    endpoint=m.url("/introspect/slow")),
        env.protect("/slow-frac", "AuthIntrospectTimeout %s" % FRACTION,
                    endpoint=m.url("/introspect/slow")),
        env.protect("/blackhole", "AuthIntrospectTimeout 5 %s" % CONNECT,
                    endpoint="http://127.0.0.1:%d/introspect"
                    % BLACKHOLE.port),
        env.protect("/fault", endpoint=m.url("/introspect/fault")),
        env.protect("/tls-good", ca,
                    endpoint=m.url(kind="https_good", host="localhost")),
        env.protect("/tls-good-ip", ca,
                    endpoint=m.url(kind="https_good", host="127.0.0.1")),
        env.protect("/tls-wronghost", ca,
                    endpoint=m.url(kind="https_wronghost", host="localhost")),
        env.protect("/tls-expired", ca,
                    endpoint=m.url(kind="https_expired", host="localhost")),
        env.protect("/tls-untrusted", ca,
                    endpoint=m.url(kind="https_untrusted", host="localhost")),
        env.protect("/tls-system-store",
                    endpoint=m.url(kind="https_good", host="localhost")),
        env.protect("/tls-plain-port", ca,
                    endpoint="https://localhost:%d/introspect" % m.port),
        env.protect("/tls-off", "AuthIntrospectTLSVerify Off",
                    endpoint=m.url(kind="https_wronghost", host="localhost")),
        env.protect("/tls-off-untrusted", "AuthIntrospectTLSVerify Off",
                    endpoint=m.url(kind="https_untrusted", host="localhost")),
    ])


@pytest.fixture
def failing(errlog):
    errlog.expect(logtags.ENDPOINT_FAILURE)
    return errlog


class TestUnreachable:
    def test_connection_refused(self, client, tokens, failing):
        asserts.unavailable(client.get("/down" + FILE,
                                       token=tokens.active()))

    def test_timeout(self, client, tokens, mock, failing):
        mock.mode("slow", path="/introspect/slow", seconds=TIMEOUT + 4)
        tok = tokens.active()
        t0 = time.monotonic()
        r = client.get("/slow" + FILE, token=tok)
        elapsed = time.monotonic() - t0
        asserts.unavailable(r)
        assert elapsed < TIMEOUT + 2.5, "took %.1fs" % elapsed
        assert len(mock.calls_for(tok)) == 1

    def test_fractional_timeout(self, client, tokens, mock, failing):
        mock.mode("slow", path="/introspect/slow", seconds=4)
        t0 = time.monotonic()
        r = client.get("/slow-frac" + FILE, token=tokens.active())
        elapsed = time.monotonic() - t0
        asserts.unavailable(r)
        assert elapsed < FRACTION + 1.5, "took %.1fs" % elapsed

    def test_connect_timeout(self, client, tokens, failing):
        """connect() hangs: the connect limit (0.5 s), not the whole-call
        limit (5 s), ends the wait."""
        t0 = time.monotonic()
        r = client.get("/blackhole" + FILE, token=tokens.active())
        elapsed = time.monotonic() - t0
        asserts.unavailable(r)
        assert elapsed < CONNECT + 1.5, "took %.1fs" % elapsed

    def test_failure_logged_at_error_level(self, client, tokens, errlog,
                                           failing):
        tok = tokens.active()
        asserts.unavailable(client.get("/down" + FILE, token=tok))
        digest = hashlib.sha256(tok.encode()).hexdigest()[:8]
        lines = [l for l in errlog.error_text().splitlines()
                 if "[auth_introspect:error]" in l]
        assert lines, "no error-level line for an unreachable endpoint"
        assert any(digest in l.lower() for l in lines), lines

    def test_slow_but_within_timeout(self, client, tokens, mock):
        mock.mode("slow", path="/introspect/slow", seconds=TIMEOUT / 4)
        asserts.granted(client.get("/slow" + FILE, token=tokens.active()))

    def test_failure_is_not_cached(self, client, tokens, mock, failing):
        tok = tokens.active()
        mock.mode("status", path="/introspect/fault", code=500)
        asserts.unavailable(client.get("/fault" + FILE, token=tok))
        mock.mode("normal", path="/introspect/fault")
        asserts.granted(client.get("/fault" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 2


class TestBadAnswers:
    @pytest.mark.parametrize("mode,params", [
        ("status", {"code": 500}),
        ("status", {"code": 502}),
        ("status", {"code": 404}),
        ("status", {"code": 400}),
        ("status", {"code": 401}),
        ("status", {"code": 403}),
        ("status", {"code": 302}),
        ("status", {"code": 204}),
        ("garbage", {}),
        ("html", {}),
        ("close", {}),
        ("truncated", {}),
        ("bigbody", {"size": 257 * 1024}),
        ("bigchunked", {"size": 257 * 1024}),
    ], ids=["500", "502", "404", "400", "401", "403", "302", "204", "garbage",
            "html", "close", "truncated", "bigbody", "bigchunked"])
    def test_fault(self, client, tokens, mock, errlog, failing, mode,
                   params):
        if params.get("code") == 204:
            # the mock sends a body with its 204: bytes after a complete
            # response, so that connection is not pooled
            errlog.expect(r"\[auth_introspect:warn\].*MAI00708:")
        mock.mode(mode, path="/introspect/fault", **params)
        tok = tokens.active()
        asserts.unavailable(client.get("/fault" + FILE, token=tok))
        assert len(mock.calls_for(tok)) >= 1

    def test_endpoint_rejects_credentials(self, client, tokens, mock, env,
                                          failing):
        mock.require_auth("basic", env.client_id, "not-" + env.client_secret)
        asserts.unavailable(client.get("/fault" + FILE,
                                       token=tokens.active()))

    def test_endpoint_accepts_credentials(self, client, tokens, mock, env):
        mock.require_auth("basic", env.client_id, env.client_secret)
        asserts.granted(client.get("/fault" + FILE, token=tokens.active()))

    def test_interim_response_skipped(self, client, tokens, mock):
        mock.mode("interim", path="/introspect/fault")
        asserts.granted(client.get("/fault" + FILE, token=tokens.active()))

    def test_stale_pooled_connection(self, client, tokens, mock):
        """The AS closes idle keep-alive connections (its idle timeout):
        the next calls must not fail because a pooled connection died."""
        for _ in range(8):
            asserts.granted(client.get("/fault" + FILE,
                                       token=tokens.active()))
        assert mock.drop_idle() >= 1
        time.sleep(0.2)
        for _ in range(8):
            asserts.granted(client.get("/fault" + FILE,
                                       token=tokens.active()))

    @pytest.mark.parametrize("chunk", [1, 7, 4096])
    def test_chunked_answer_is_fine(self, client, tokens, mock, chunk):
        mock.mode("chunked", path="/introspect/fault", chunk=chunk)
        asserts.granted(client.get("/fault" + FILE, token=tokens.active()))

    @pytest.mark.parametrize("mode", ["bigbody", "bigchunked"])
    def test_big_answer_under_limit_is_fine(self, client, tokens, mock,
                                            mode):
        mock.mode(mode, path="/introspect/fault", size=255 * 1024)
        asserts.granted(client.get("/fault" + FILE, token=tokens.active()))


def _raw_answer(text):
    """A 200 whose body is TEXT exactly (json.dumps cannot repeat a
    name)."""
    body = text.encode()
    head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n" % len(body)).encode()
    return {"data": base64.b64encode(head + body).decode()}


def _claims_text(**extra):
    now = int(time.time())
    claims = {"sub": "alice", "client_id": "app-1", "scope": "read",
              "exp": now + 3600}
    claims.update(extra)
    return json.dumps(claims)[1:-1]


class TestAmbiguousAnswers:
    """JSON does not say which of two members with one name counts, and
    json-c keeps the last: an answer repeating a name, at any depth and
    however escaped, is no answer (503), and so is a name holding U+0000
    (json-c cuts the name there)."""

    @pytest.mark.parametrize("body,reason", [
        ('{"active":false,"active":true,%s}', "repeats a member name"),
        ('{"active":true,"active":false,%s}', "repeats a member name"),
        ('{"active":false,%s,"\\u0061ctive":true}', "repeats a member name"),
        ('{"active":true,%s,"cnf":{"jkt":"a","jkt":"b"}}',
         "repeats a member name"),
        ('{"active":true,%s,"roles":[{"r":"user","r":"admin"}]}',
         "repeats a member name"),
        ('{"active":true,%s,"x\\u0000y":1}', "not an introspection JSON"),
        ('{"active":true,%s,"active\\u0000":false}',
         "not an introspection JSON"),
        # json-c takes single quotes; a '"' inside them must not hide the
        # second "active" from the member count
        ("{\"active\":false,\"active\":true,%s,'a\"':1,'b\"':2}",
         "not an introspection JSON"),
    ], ids=["top-false-then-true", "top-true-then-false", "escaped",
            "nested-object", "in-array", "nul-in-name", "nul-after-active",
            "single-quotes-hiding-a-duplicate"])
    def test_refused_as_endpoint_failure(self, client, tokens, mock, errlog,
                                         failing, body, reason):
        mock.mode("raw", path="/introspect/fault",
                  **_raw_answer(body % _claims_text()))
        tok = tokens.new()
        asserts.unavailable(client.get("/fault" + FILE, token=tok))
        digest = hashlib.sha256(tok.encode()).hexdigest()[:8]
        lines = [l for l in errlog.error_text().splitlines()
                 if "MAI00313:" in l and digest in l.lower()]
        assert lines and reason in lines[0], errlog.error_text()

    def test_same_name_in_different_objects_is_fine(self, client, tokens,
                                                    mock):
        mock.mode("raw", path="/introspect/fault", **_raw_answer(
            '{"active":true,%s,"a":{"sub":"x","a":{"a":1}},'
            '"b":[{"a":1},{"a":2}],"k:v":"\\"sub\\":1"}'
            % _claims_text()))
        asserts.granted(client.get("/fault" + FILE, token=tokens.new()))


class TestTLS:
    @pytest.mark.parametrize("where", ["/tls-good", "/tls-good-ip"])
    def test_good_certificate(self, client, tokens, mock, where):
        tok = tokens.active()
        asserts.granted(client.get(where + FILE, token=tok))
        [call] = mock.calls_for(tok)
        assert call["tls"] is True

    def test_sni_sent(self, client, tokens, mock):
        tok = tokens.active()
        asserts.granted(client.get("/tls-good" + FILE, token=tok))
        [call] = mock.calls_for(tok)
        assert call["sni"] == "localhost"

    @pytest.mark.parametrize("where", [
        "/tls-wronghost", "/tls-expired", "/tls-untrusted",
        "/tls-system-store", "/tls-plain-port"])
    def test_bad_certificate(self, client, tokens, mock, failing, where):
        tok = tokens.active()
        asserts.unavailable(client.get(where + FILE, token=tok))
        # The token must not have been sent over the unverified connection.
        assert mock.calls_for(tok) == []

    @pytest.mark.parametrize("where", ["/tls-off", "/tls-off-untrusted"])
    def test_verify_off(self, client, tokens, mock, where):
        tok = tokens.active()
        asserts.granted(client.get(where + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 1
