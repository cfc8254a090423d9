# SPDX-License-Identifier: Apache-2.0
"""Require oauth-scope / oauth-aud / oauth-claim / oauth-client, alone and
combined with RequireAny / RequireAll / Require not."""
import pytest

from harness import asserts, logtags

FILE = "/static.txt"


def conf(env):
    return "\n".join([
        env.protect("/scope", "Require oauth-scope read write"),
        env.protect("/aud", "Require oauth-aud https://a.mai.test "
                            "https://b.mai.test"),
        env.protect("/claim", "Require oauth-claim groups ops security"),
        env.protect("/claim-num", "Require oauth-claim level 42"),
        env.protect("/claim-bool", "Require oauth-claim admin true"),
        env.protect("/claim-quoted", 'Require oauth-claim name "Alice Smith" '
                                     "'Bob Jones'"),
        env.protect("/client", "Require oauth-client app-1 app-2"),
        env.protect("/any", "<RequireAny>", "    Require oauth-scope admin",
                    "    Require oauth-client app-1", "</RequireAny>"),
        env.protect("/all", "<RequireAll>",
                    "    Require oauth-aud https://a.mai.test",
                    "    Require oauth-scope write", "</RequireAll>"),
        env.protect("/not", "<RequireAll>", "    Require valid-user",
                    "    Require not oauth-client bad-bot", "</RequireAll>"),
        env.protect("/any-aud", "<RequireAny>",
                    "    Require oauth-aud https://a.mai.test",
                    "    Require oauth-client app-1", "</RequireAny>"),
        # the deny path's edges (TestFinalAnswer)
        env.protect("/scope-fof", "AuthzSendForbiddenOnFailure On",
                    "Require oauth-scope read write"),
        env.protect("/claim-fof", "AuthzSendForbiddenOnFailure On",
                    "Require oauth-claim groups ops"),
        env.protect("/scope-edl", "ErrorDocument 401 /notfound.html",
                    "Require oauth-scope read write"),
        env.protect("/scope-edt", 'ErrorDocument 401 "custom refusal"',
                    "Require oauth-scope read write"),
    ])


@pytest.fixture
def denied(errlog):
    """mod_authz_core logs each refusal at ERR level."""
    errlog.expect(logtags.AUTHZ_DENIED)
    return errlog


def _get(client, tokens, path, **claims):
    return client.get(path + FILE, token=tokens.active(**claims))


class TestScope:
    @pytest.mark.parametrize("scope", ["read write", "write read",
                                       "admin read write", "read  write"])
    def test_all_present(self, client, tokens, scope):
        asserts.granted(_get(client, tokens, "/scope", scope=scope))

    @pytest.mark.parametrize("scope", ["read", "write", "", None,
                                       "readwrite", "read writer",
                                       "READ WRITE",
                                       "read,write"])
    def test_missing(self, client, tokens, denied, scope):
        r = _get(client, tokens, "/scope", scope=scope)
        asserts.insufficient_scope(r, "read write")


class TestAudience:
    @pytest.mark.parametrize("aud", [
        "https://a.mai.test", "https://b.mai.test",
        ["https://x.mai.test", "https://b.mai.test"]])
    def test_matches(self, client, tokens, aud):
        asserts.granted(_get(client, tokens, "/aud", aud=aud))

    @pytest.mark.parametrize("aud", [
        "https://c.mai.test", ["https://c.mai.test", "https://d.mai.test"],
        None, "", [], "https://A.mai.test", "https://a.mai.test/"])
    def test_unmet_is_invalid_token(self, client, tokens, denied, aud):
        asserts.invalid_token(_get(client, tokens, "/aud", aud=aud))


class TestClaim:
    @pytest.mark.parametrize("path,claims", [
        ("/claim", {"groups": ["dev", "ops"]}),
        ("/claim", {"groups": "security"}),
        ("/claim-num", {"level": 42}),
        ("/claim-num", {"level": "42"}),
        ("/claim-num", {"level": [1, 42]}),
        ("/claim-bool", {"admin": True}),
        ("/claim-quoted", {"name": "Alice Smith"}),
        ("/claim-quoted", {"name": "Bob Jones"}),
    ])
    def test_matches(self, client, tokens, path, claims):
        asserts.granted(_get(client, tokens, path, **claims))

    @pytest.mark.parametrize("path,claims", [
        ("/claim", {"groups": ["dev"]}),
        ("/claim", {"groups": "Ops"}),
        ("/claim", {"groups": "ops security"}),
        ("/claim", {}),
        ("/claim", {"groups": {"ops": True}}),
        ("/claim-num", {"level": 41}),
        ("/claim-num", {"level": 42.5}),
        ("/claim-bool", {"admin": False}),
        ("/claim-bool", {"admin": "yes"}),
        ("/claim-quoted", {"name": "Alice"}),
    ])
    def test_unmet_is_forbidden(self, client, tokens, denied, path, claims):
        r = _get(client, tokens, path, **claims)
        assert r.status == 403, r
        assert not any("insufficient_scope" in v
                       for v in r.all("WWW-Authenticate")), r


class TestClient:
    @pytest.mark.parametrize("cid", ["app-1", "app-2"])
    def test_listed(self, client, tokens, cid):
        asserts.granted(_get(client, tokens, "/client", client_id=cid))

    @pytest.mark.parametrize("cid", ["app-3", "APP-1", None])
    def test_not_listed(self, client, tokens, denied, cid):
        r = _get(client, tokens, "/client", client_id=cid)
        assert r.status == 403, r


class TestCombinations:
    def test_any_other_branch_grants_without_challenge(self, client, tokens):
        r = _get(client, tokens, "/any", scope="read", client_id="app-1")
        asserts.granted(r)
        assert r.all("WWW-Authenticate") == []

    def test_any_scope_branch_grants(self, client, tokens):
        asserts.granted(_get(client, tokens, "/any", scope="admin",
                             client_id="app-9"))

    def test_any_all_branches_fail(self, client, tokens, denied):
        r = _get(client, tokens, "/any", scope="read", client_id="app-9")
        assert r.status == 403, r

    def test_any_aud_branch_fails_other_grants(self, client, tokens):
        r = _get(client, tokens, "/any-aud", aud="https://z.mai.test",
                 client_id="app-1")
        asserts.granted(r)

    def test_all_met(self, client, tokens):
        asserts.granted(_get(client, tokens, "/all", aud="https://a.mai.test",
                             scope="read write"))

    def test_all_scope_unmet(self, client, tokens, denied):
        r = _get(client, tokens, "/all", aud="https://a.mai.test",
                 scope="read")
        asserts.insufficient_scope(r, "write")

    def test_all_aud_unmet(self, client, tokens, denied):
        r = _get(client, tokens, "/all", aud="https://z.mai.test",
                 scope="write")
        asserts.invalid_token(r)

    def test_not_excluded_client(self, client, tokens, denied):
        r = _get(client, tokens, "/not", client_id="bad-bot")
        assert r.status == 403, r

    def test_not_other_client(self, client, tokens):
        asserts.granted(_get(client, tokens, "/not", client_id="good-bot"))

    def test_inactive_token_is_401_not_403(self, client, tokens):
        tok = tokens.answer({"active": False})
        asserts.invalid_token(client.get("/scope" + FILE, token=tok))


class TestFinalAnswer:
    """What src/httpd/deny.c makes of httpd's answer to a valid token
    without the rights: a whole 403 (status line, challenge and page),
    with or without AuthzSendForbiddenOnFailure, and the ErrorDocument
    edges its top comment describes (docs/directives.md)."""

    def test_forbidden_page(self, client, tokens, denied):
        """httpd chose the 401 page before the error filter ran: the page
        sent is still the 403's."""
        r = _get(client, tokens, "/scope", scope="read")
        asserts.insufficient_scope(r, "read write")
        assert "<title>403 Forbidden</title>" in r.text, r
        assert "Unauthorized" not in r.text, r

    def test_forbidden_on_failure_gets_the_scope(self, client, tokens,
                                                 denied):
        r = _get(client, tokens, "/scope-fof", scope="read")
        asserts.insufficient_scope(r, "read write")

    def test_forbidden_on_failure_other_rule(self, client, tokens, denied):
        r = _get(client, tokens, "/claim-fof", groups=["dev"])
        assert r.status == 403, r
        assert r.all("WWW-Authenticate") == [], r

    def test_forbidden_on_failure_refused_token(self, client, tokens):
        tok = tokens.answer({"active": False})
        asserts.invalid_token(client.get("/scope-fof" + FILE, token=tok))

    def test_local_error_document_keeps_401(self, client, tokens, denied):
        """httpd redirects to the page instead of sending an error
        response: the error filter never runs, the challenge set before
        the redirect is kept."""
        r = _get(client, tokens, "/scope-edl", scope="read")
        # a valid token without the rights: its one challenge, no DPoP one
        asserts.refused(r, 401, "insufficient_scope", scope="read write",
                        dpop=False)
        assert r.text == "not found page\n"

    def test_text_error_document_becomes_403(self, client, tokens, denied):
        r = _get(client, tokens, "/scope-edt", scope="read")
        asserts.insufficient_scope(r, "read write")
        assert "<title>403 Forbidden</title>" in r.text, r
        assert "custom refusal" not in r.text, r

    def test_text_error_document_for_refused_token(self, client, tokens):
        tok = tokens.answer({"active": False})
        r = client.get("/scope-edt" + FILE, token=tok)
        asserts.invalid_token(r)
        assert r.text == "custom refusal", r
