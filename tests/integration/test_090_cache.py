# SPDX-License-Identifier: Apache-2.0
"""The introspection cache: TTLs, negative caching, never past exp, keyed by
endpoint + client id + token, and per-location checks on cached answers."""
import time

import pytest

from harness import asserts, logtags

FILE = "/static.txt"
ISSUER = "https://as.mai.test"


def conf(env):
    return "\n".join([
        env.protect("/c"),
        env.protect("/c-iss", "AuthIntrospectIssuer " + ISSUER),
        env.protect("/c-admin", "Require oauth-scope admin"),
        env.protect("/c-user", "AuthIntrospectRemoteUserClaim email"),
        env.protect("/c-other-client", "AuthIntrospectClientID other-rs",
                    env.secret_line(env.client_secret),
                    creds=False),
        env.protect("/c-other-endpoint",
                    endpoint=env.mock_url("/introspect/other")),
        env.protect("/c0", "AuthIntrospectCacheTTL 0"),
        env.protect("/c1", "AuthIntrospectCacheTTL 1"),
        env.protect("/n0", "AuthIntrospectNegativeCacheTTL 0"),
        env.protect("/n1", "AuthIntrospectNegativeCacheTTL 2"),
    ])



class TestKeepAlive:
    """lookup.c keeps the last token of a connection with its L1 key:
    other tokens on the same connection, the same length and all but one
    byte alike, still find their own answers."""

    def test_tokens_alternate_on_one_connection(self, client, tokens, mock):
        a = tokens.active(sub="alice")
        b = a[:-1] + ("x" if a[-1] != "x" else "y")
        dead = a[:-1] + ("z" if a[-1] != "z" else "w")
        tokens.police.secret(b)
        tokens.police.secret(dead)
        mock.token(b, tokens.claims(sub="bob"))
        mock.token(dead, {"active": False})
        conn = client.connection()
        try:
            for _ in range(2):
                for tok, user in ((a, "alice"), (b, "bob"), (dead, None),
                                  (a, "alice")):
                    r = client.get("/c/cgi/env.cgi", token=tok, conn=conn)
                    if user is None:
                        asserts.invalid_token(r)
                    else:
                        assert r.json()["REMOTE_USER"] == user
        finally:
            conn.close()
        assert len(mock.calls_for(a)) == 1
        assert len(mock.calls_for(b)) == 1

class TestPositive:
    def test_second_request_makes_no_call(self, client, tokens, mock):
        tok = tokens.active()
        for _ in range(5):
            asserts.granted(client.get("/c" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 1

    def test_cached_answer_keeps_claims(self, client, tokens):
        tok = tokens.active(sub="carol", scope="read")
        first = client.get("/c/cgi/env.cgi", token=tok).json()
        second = client.get("/c/cgi/env.cgi", token=tok).json()
        for seen in (first, second):
            assert seen["REMOTE_USER"] == "carol"
            assert seen["INTROSPECT_SCOPE"] == "read"
        assert first["INTROSPECT_CLAIMS"] == second["INTROSPECT_CLAIMS"]

    def test_ttl_zero_calls_every_time(self, client, tokens, mock):
        tok = tokens.active()
        for _ in range(3):
            asserts.granted(client.get("/c0" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 3

    @pytest.mark.slow
    def test_ttl_expires(self, client, tokens, mock):
        tok = tokens.active()
        asserts.granted(client.get("/c1" + FILE, token=tok))
        time.sleep(1.6)
        asserts.granted(client.get("/c1" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 2

    @pytest.mark.slow
    def test_never_reused_past_exp(self, client, tokens, mock):
        """exp is 2 s away, the TTL 60 s and the clock skew 30 s: after exp
        the answer must be fetched again (here: now inactive)."""
        exp = int(time.time()) + 2
        tok = tokens.active(exp=exp)
        asserts.granted(client.get("/c" + FILE, token=tok))
        mock.token(tok, {"active": False})
        time.sleep(max(0.0, exp - time.time()) + 1.1)
        asserts.invalid_token(client.get("/c" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 2

    def test_revocation_visible_with_ttl_zero(self, client, tokens, mock):
        tok = tokens.active()
        asserts.granted(client.get("/c0" + FILE, token=tok))
        mock.token(tok, {"active": False})
        asserts.invalid_token(client.get("/c0" + FILE, token=tok))


class TestNegative:
    def test_inactive_cached(self, client, tokens, mock):
        tok = tokens.answer({"active": False})
        for _ in range(3):
            asserts.invalid_token(client.get("/c" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 1

    def test_negative_ttl_zero(self, client, tokens, mock):
        tok = tokens.answer({"active": False})
        for _ in range(3):
            asserts.invalid_token(client.get("/n0" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 3

    @pytest.mark.slow
    def test_negative_ttl_expires(self, client, tokens, mock):
        tok = tokens.answer({"active": False})
        asserts.invalid_token(client.get("/n1" + FILE, token=tok))
        mock.token(tok, tokens.claims())
        asserts.invalid_token(client.get("/n1" + FILE, token=tok))
        time.sleep(2.6)
        asserts.granted(client.get("/n1" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 2

    def test_endpoint_failure_not_cached(self, client, tokens, mock, errlog):
        errlog.expect(logtags.ENDPOINT_FAILURE)
        tok = tokens.active()
        mock.mode("status", code=500)
        asserts.unavailable(client.get("/c" + FILE, token=tok))
        mock.mode("normal")
        asserts.granted(client.get("/c" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 2


class TestKey:
    def test_other_client_id_not_shared(self, client, tokens, mock, env):
        tok = tokens.active()
        asserts.granted(client.get("/c" + FILE, token=tok))
        asserts.granted(client.get("/c-other-client" + FILE, token=tok))
        ids = sorted(c["basic"]["id"] for c in mock.calls_for(tok))
        assert ids == sorted([env.client_id, "other-rs"])

    def test_other_endpoint_not_shared(self, client, tokens, mock):
        tok = tokens.active()
        asserts.granted(client.get("/c" + FILE, token=tok))
        asserts.granted(client.get("/c-other-endpoint" + FILE, token=tok))
        paths = sorted(c["path"] for c in mock.calls_for(tok))
        assert paths == ["/introspect", "/introspect/other"]

    def test_other_token_not_shared(self, client, tokens, mock):
        a, b = tokens.active(sub="a"), tokens.active(sub="b")
        assert client.get("/c/cgi/env.cgi", token=a).json()["REMOTE_USER"] \
            == "a"
        assert client.get("/c/cgi/env.cgi", token=b).json()["REMOTE_USER"] \
            == "b"


class TestChecksOnCachedAnswers:
    """The cache holds the endpoint's answer; issuer, REMOTE_USER claim and
    Require lines are checked per location on every request."""

    def test_issuer_checked_on_cached_answer(self, client, tokens, mock):
        tok = tokens.active(iss="https://other.mai.test")
        asserts.granted(client.get("/c" + FILE, token=tok))
        asserts.invalid_token(client.get("/c-iss" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 1

    def test_require_checked_on_cached_answer(self, client, tokens, mock,
                                              errlog):
        errlog.expect(logtags.AUTHZ_DENIED)
        tok = tokens.active(scope="read")
        asserts.granted(client.get("/c" + FILE, token=tok))
        asserts.insufficient_scope(client.get("/c-admin" + FILE, token=tok),
                                   "admin")
        asserts.insufficient_scope(client.get("/c-admin" + FILE, token=tok),
                                   "admin")
        assert len(mock.calls_for(tok)) == 1

    def test_remote_user_claim_per_location(self, client, tokens, mock):
        tok = tokens.active(email="dave@mai.test", sub="dave")
        assert client.get("/c/cgi/env.cgi", token=tok).json()[
            "REMOTE_USER"] == "dave"
        assert client.get("/c-user/cgi/env.cgi", token=tok).json()[
            "REMOTE_USER"] == "dave@mai.test"
        assert len(mock.calls_for(tok)) == 1

    @pytest.mark.slow
    def test_expiry_checked_on_cached_answer(self, client, tokens, mock):
        """Cached while valid; once exp + skew has passed the request is
        refused whatever the cache holds."""
        exp = int(time.time()) - 28
        tok = tokens.active(exp=exp)
        asserts.granted(client.get("/c" + FILE, token=tok))
        time.sleep(max(0.0, exp + 30 - time.time()) + 1.1)
        asserts.invalid_token(client.get("/c" + FILE, token=tok))
