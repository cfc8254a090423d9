# SPDX-License-Identifier: Apache-2.0
"""Every row of the Responses table (RFC 6750 section 3), with the exact
WWW-Authenticate values, except the endpoint failures (test_030)."""
import hashlib
import time

import pytest

from harness import asserts

ISSUER = "https://as.mai.test"
FILE = "/static.txt"


def conf(env):
    return "\n".join([
        env.protect("/r"),
        env.protect("/iss", "AuthIntrospectIssuer " + ISSUER),
        env.protect("/skew0", "AuthIntrospectClockSkew 0"),
        env.protect("/types", "AuthIntrospectTokenTypes Bearer",
                    "AuthIntrospectTokenTypes n_a"),
        env.protect("/multi", "AuthIntrospectAcceptTokenIn header query "
                              "form cookie:at"),
        env.protect("/realm", realm="Other Realm"),
        env.protect("/quote", realm='say "hi"'),
        'Alias /lower/ "%s/"' % env.htdocs,
        "<Location /lower/>",
        "    AuthType bearer",
        '    AuthName "lower"',
        "    AuthIntrospectEndpoint " + env.mock_url(),
        "    Require valid-user",
        "</Location>",
    ])


def _logged_why(errlog, tok, name):
    """The refusal (MAI00301, info) names the token by hash and says
    why."""
    digest = hashlib.sha256(tok.encode()).hexdigest()[:8]
    lines = [l for l in errlog.error_text().splitlines()
             if "MAI00301:" in l and digest in l.lower()]
    assert lines and lines[-1].rstrip().endswith("(%s)" % name), lines
    assert "[auth_introspect:info]" in lines[-1], lines


class TestNoToken:
    def test_no_token(self, client, mock):
        r = client.get("/r" + FILE)
        asserts.no_token(r)
        assert mock.calls() == []

    def test_no_token_post(self, client, mock):
        r = client.post("/r/cgi/env.cgi", body={"a": "b"})
        asserts.no_token(r)
        assert mock.calls() == []

    def test_realm_is_authname(self, client):
        asserts.no_token(client.get("/realm" + FILE), realm="Other Realm")

    def test_realm_quoted_string_escaped(self, client):
        """AuthName 'say "hi"' must stay one RFC 7230 quoted-string."""
        r = client.get("/quote" + FILE)
        assert r.status == 401, r
        assert r.all("WWW-Authenticate") == [
            r'Bearer realm="say \"hi\""',
            r'DPoP realm="say \"hi\"", algs="%s"' % asserts.DPOP_ALGS], r

    @pytest.mark.parametrize("value", [
        "Basic dXNlcjpwYXNzd29yZA==",
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"/\", "
        "response=\"0\"",
        "Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXeg",
        "Bearertoken-without-space",
    ], ids=["basic", "digest", "negotiate", "glued"])
    def test_other_scheme(self, client, mock, value):
        r = client.get("/r" + FILE, headers={"Authorization": value})
        asserts.no_token(r)
        assert mock.calls() == []

    def test_token_in_unaccepted_source_is_no_token(self, client, tokens,
                                                    mock):
        tok = tokens.active()
        asserts.no_token(client.get("/r" + FILE,
                                    query={"access_token": tok}))
        asserts.no_token(client.get("/r" + FILE, cookies={"at": tok}))
        assert mock.calls() == []


class TestMalformed:
    @pytest.mark.parametrize("shape", [
        "{t} extra", "{t},{t}", "{t}\"", "{t}=x", "={t}", "{t}@x", "{t}%41",
        "{t}!", "{t}\tx", "{t}(x)", "{t}:x", "{t};x", "{t}\\x", "{t}\u00e9",
        "a{t}==b",
    ], ids=["space", "comma", "quote", "inner-equals", "leading-equals",
            "at", "percent", "bang", "tab", "parens", "colon", "semicolon",
            "backslash", "non-ascii", "equals-then-char"])
    def test_bad_characters(self, client, tokens, mock, shape):
        tok = shape.format(t=tokens.new())
        r = client.get("/r" + FILE, token=tok)
        asserts.invalid_request(r)
        assert mock.calls() == []

    @pytest.mark.parametrize("value", ["Bearer", "Bearer ", "Bearer    "],
                             ids=["bare", "one-space", "spaces"])
    def test_empty_header_token(self, client, mock, value):
        r = client.get("/r" + FILE, headers={"Authorization": value})
        asserts.invalid_request(r)
        assert mock.calls() == []

    def test_empty_query_token(self, client, mock):
        r = client.get("/multi" + FILE, query={"access_token": ""})
        asserts.invalid_request(r)
        assert mock.calls() == []

    def test_empty_cookie_token(self, client, mock):
        r = client.get("/multi" + FILE, headers={"Cookie": "at="})
        asserts.invalid_request(r)
        assert mock.calls() == []

    def test_too_long(self, client, tokens, mock):
        tok = tokens.new()
        tok = tok + "A" * (4097 - len(tok))
        errlog_tok = tok
        tokens.police.secret(errlog_tok)
        r = client.get("/r" + FILE, token=tok)
        asserts.invalid_request(r)
        assert mock.calls() == []

    def test_longest_allowed(self, client, tokens, mock):
        tok = tokens.new()
        tok = tok + "A" * (4096 - len(tok))
        mock.token(tok, tokens.claims())
        tokens.police.secret(tok)
        asserts.granted(client.get("/r" + FILE, token=tok))
        assert [c["form"]["token"] for c in mock.calls()] == [[tok]]

    @pytest.mark.parametrize("where", [
        "header+query", "header+cookie", "query+cookie", "header+form",
        "query+form", "query-twice", "cookie-twice", "two-headers"])
    def test_token_sent_twice(self, client, tokens, mock, where):
        tok = tokens.active()
        kw = {"headers": []}
        path = "/multi/cgi/env.cgi"
        if "header" in where:
            kw["token"] = tok
        if where == "two-headers":
            kw["headers"].append(("Authorization", "Bearer " + tok))
        if "query" in where:
            path += "?access_token=" + tok
        if where == "query-twice":
            path += "&access_token=" + tok
        if "cookie" in where:
            c = "at=" + tok
            if where == "cookie-twice":
                c += "; other=1; at=" + tok
            kw["headers"].append(("Cookie", c))
            tokens.police.secret(tok)
        if "form" in where:
            kw["body"] = {"access_token": tok, "x": "y"}
            method = "POST"
        else:
            method = "GET"
        r = client.request(method, path, **kw)
        asserts.invalid_request(r)
        assert mock.calls() == []


class TestInvalidToken:
    """Each case: the endpoint answered, but the token is not acceptable."""

    def _check(self, client, tokens, response, path="/r"):
        tok = tokens.answer(response)
        r = client.get(path + FILE, token=tok)
        asserts.invalid_token(r)
        return r

    def test_inactive(self, client, tokens, mock):
        self._check(client, tokens, {"active": False})
        assert len(mock.calls()) == 1

    def test_unknown_token(self, client, tokens, mock):
        tok = tokens.new()
        asserts.invalid_token(client.get("/r" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 1

    def test_inactive_with_claims(self, client, tokens):
        self._check(client, tokens, tokens.claims(active=False))

    def test_expired(self, client, tokens):
        now = int(time.time())
        self._check(client, tokens, tokens.claims(exp=now - 3600,
                                                  iat=now - 7200))

    def test_expired_beyond_zero_skew(self, client, tokens):
        self._check(client, tokens,
                    tokens.claims(exp=int(time.time()) - 3), path="/skew0")

    def test_expired_within_skew_is_accepted(self, client, tokens):
        tok = tokens.active(exp=int(time.time()) - 3)
        asserts.granted(client.get("/r" + FILE, token=tok))

    def test_not_yet_valid(self, client, tokens):
        self._check(client, tokens,
                    tokens.claims(nbf=int(time.time()) + 3600))

    def test_not_yet_valid_zero_skew(self, client, tokens):
        self._check(client, tokens,
                    tokens.claims(nbf=int(time.time()) + 10), path="/skew0")

    def test_nbf_within_skew_is_accepted(self, client, tokens):
        tok = tokens.active(nbf=int(time.time()) + 10)
        asserts.granted(client.get("/r" + FILE, token=tok))

    @pytest.mark.parametrize("iss", [
        "https://evil.mai.test", "https://AS.mai.test", ISSUER + "/", "",
        None], ids=["other", "case", "trailing-slash", "empty", "missing"])
    def test_wrong_issuer(self, client, tokens, iss):
        self._check(client, tokens, tokens.claims(iss=iss), path="/iss")

    def test_right_issuer(self, client, tokens):
        tok = tokens.active(iss=ISSUER)
        asserts.granted(client.get("/iss" + FILE, token=tok))

    def test_refresh_token(self, client, tokens):
        self._check(client, tokens, tokens.claims(token_type="refresh_token"))

    @pytest.mark.parametrize("claims", [
        {"token_type": "REFRESH_TOKEN"},
        {"token_type": "urn:ietf:params:oauth:token-type:refresh_token"},
        {"token_type": "URN:IETF:PARAMS:OAUTH:TOKEN-TYPE:REFRESH_TOKEN"},
        {"typ": "Refresh"},
        {"typ": "Offline"},
        {"typ": "offline", "token_type": "Bearer"},
    ], ids=["upper-case", "rfc8693-uri", "uri-upper-case", "keycloak-refresh",
            "keycloak-offline", "typ-any-case"])
    def test_refresh_token_spellings(self, client, tokens, errlog, claims):
        tok = tokens.answer(tokens.claims(**claims))
        asserts.invalid_token(client.get("/r" + FILE, token=tok))
        _logged_why(errlog, tok, "REFRESH_TOKEN")

    @pytest.mark.parametrize("claims,why", [
        ({"cnf": {"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}},
          "DPOP_AS_BEARER"),
        # checked against the request's certificate (test_276): none here
        ({"cnf": {"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}},
         "NO_CLIENT_CERT"),
        ({"token_type": "Bearer", "cnf": {"jkt": "a"}}, "DPOP_AS_BEARER"),
        ({"cnf": {"kid": "unknown-method"}}, "BOUND_TOKEN"),
        ({"token_type": "DPoP"}, "DPOP_AS_BEARER"),
        ({"token_type": "dpop", "cnf": {"jkt": "a"}}, "DPOP_AS_BEARER"),
    ], ids=["cnf-jkt", "cnf-x5t", "bearer-with-cnf", "cnf-other",
            "dpop", "dpop-lower-with-jkt"])
    def test_sender_constrained(self, client, tokens, errlog, claims, why):
        """A bound token replayed without its proof must never pass as a
        bearer token: a DPoP-bound one (cnf.jkt, token_type DPoP) is
        refused as sent as Bearer (AuthIntrospectDPoP allowed, the
        default; test_280_dpop.py has the proofs), any other binding until
        the location can check it."""
        tok = tokens.answer(tokens.claims(**claims))
        asserts.invalid_token(client.get("/r" + FILE, token=tok))
        _logged_why(errlog, tok, why)

    @pytest.mark.parametrize("claims", [
        {"token_type": "Bearer"}, {"token_type": "access_token"},
        {"typ": "Bearer"}, {"cnf": {}}, {"cnf": None},
    ], ids=["bearer", "access-token", "keycloak-bearer", "empty-cnf",
            "null-cnf"])
    def test_access_token_type_accepted(self, client, tokens, claims):
        resp = tokens.claims(**claims)
        resp.update(claims)          # keep an explicit null
        tok = tokens.answer(resp)
        asserts.granted(client.get("/r" + FILE, token=tok))

    @pytest.mark.parametrize("claims", [
        {"sub": None, "client_id": None},
        {"sub": "", "client_id": None},
        {"sub": None, "client_id": ""},
        {"sub": {"id": "alice"}, "client_id": None},
        {"sub": ["alice"], "client_id": None},
        {"sub": None, "client_id": None, "username": "alice"},
    ], ids=["none", "empty-sub", "empty-client-id", "object-sub",
            "array-sub", "other-claim-only"])
    def test_no_remote_user_claim(self, client, tokens, claims):
        self._check(client, tokens, tokens.claims(**claims))

    @pytest.mark.parametrize("active", [
        "true", 1, "yes", [True], {"v": True}, "missing", None],
        ids=["string", "one", "yes", "array", "object", "missing", "null"])
    def test_active_not_json_true(self, client, tokens, active):
        resp = tokens.claims()
        if active == "missing":
            del resp["active"]
        else:
            resp["active"] = active
        self._check(client, tokens, resp)

    def test_client_cannot_tell_why(self, client, tokens):
        """Every invalid_token answer looks the same."""
        now = int(time.time())
        answers = [{"active": False},
                   tokens.claims(exp=now - 3600),
                   tokens.claims(nbf=now + 3600),
                   tokens.claims(token_type="refresh_token"),
                   tokens.claims(typ="Offline"),
                   tokens.claims(cnf={"jkt": "a"}),
                   tokens.claims(token_type="DPoP"),
                   tokens.claims(sub=None, client_id=None),
                   tokens.claims(active="true")]
        seen = set()
        for a in answers:
            r = self._check(client, tokens, a)
            hdrs = sorted((k.lower(), v) for k, v in r.headers.items()
                          if k.lower() not in ("date",))
            seen.add((r.body, tuple(hdrs)))
        assert len(seen) == 1, seen

    def test_log_names_token_by_hash_only(self, client, tokens, errlog):
        tok = tokens.answer({"active": False})
        asserts.invalid_token(client.get("/r" + FILE, token=tok))
        digest = hashlib.sha256(tok.encode()).hexdigest()[:8]
        lines = [l for l in errlog.error_text().splitlines()
                 if digest in l.lower()]
        assert lines, "no log line names the token by its SHA-256 prefix"
        # A token failure is the client's problem: info, never error/warn.
        assert any("[auth_introspect:info]" in l for l in lines), lines


class TestTokenTypes:
    """/types has AuthIntrospectTokenTypes Bearer N_A: token_type must be
    there and listed (any case). /r has no list."""

    @pytest.mark.parametrize("token_type", ["Bearer", "bearer", "N_A"])
    def test_listed_type_granted(self, client, tokens, token_type):
        tok = tokens.active(token_type=token_type)
        asserts.granted(client.get("/types" + FILE, token=tok))

    @pytest.mark.parametrize("token_type", [
        None, "access_token", "mac", "", "Bearer "],
        ids=["missing", "other", "mac", "empty", "trailing-space"])
    def test_missing_or_other_type_refused(self, client, tokens, errlog,
                                           token_type):
        resp = tokens.claims()
        if token_type is not None:
            resp["token_type"] = token_type
        tok = tokens.answer(resp)
        asserts.invalid_token(client.get("/types" + FILE, token=tok))
        _logged_why(errlog, tok, "WRONG_TOKEN_TYPE")

    def test_refresh_token_without_type(self, client, tokens, mock):
        """oidc-provider answers a refresh token with active true and no
        token_type: only a location with a list can tell."""
        tok = tokens.answer(tokens.claims())
        asserts.invalid_token(client.get("/types" + FILE, token=tok))
        asserts.granted(client.get("/r" + FILE, token=tok))

    def test_checked_on_cached_answer(self, client, tokens, mock):
        """The rule is the location's, applied to a cached answer too."""
        tok = tokens.active(token_type="access_token")
        asserts.granted(client.get("/r" + FILE, token=tok))
        asserts.invalid_token(client.get("/types" + FILE, token=tok))
        asserts.granted(client.get("/r" + FILE, token=tok))
        assert len(mock.calls_for(tok)) == 1

    def test_fixed_refusals_win(self, client, tokens, errlog):
        for claims, why in [({"token_type": "DPoP"}, "DPOP_AS_BEARER"),
                            ({"token_type": "Bearer", "typ": "Refresh"},
                             "REFRESH_TOKEN"),
                            ({"token_type": "Bearer", "cnf": {"jkt": "k"}},
                             "DPOP_AS_BEARER"),
                            ({"token_type": "Bearer",
                              "cnf": {"x5t#S256": "k"}}, "NO_CLIENT_CERT"),
                            ({"token_type": "Bearer",
                              "cnf": {"x5t": "k"}}, "BOUND_TOKEN")]:
            tok = tokens.answer(tokens.claims(**claims))
            asserts.invalid_token(client.get("/types" + FILE, token=tok))
            _logged_why(errlog, tok, why)


class TestGranted:
    def test_active_token(self, client, tokens, mock):
        tok = tokens.active()
        r = client.get("/r" + FILE, token=tok)
        asserts.granted(r)
        assert r.text == "static file\n"
        assert len(mock.calls()) == 1

    @pytest.mark.parametrize("scheme", ["bearer", "BEARER", "bEaReR"])
    def test_scheme_case_insensitive(self, client, tokens, scheme):
        tok = tokens.active()
        r = client.get("/r" + FILE,
                       headers={"Authorization": scheme + " " + tok})
        asserts.granted(r)

    def test_unaccepted_source_ignored_next_to_header(self, client, tokens,
                                                      mock):
        """/r accepts only the header: a query token is not a second
        method there."""
        tok = tokens.active()
        other = tokens.new()
        r = client.get("/r" + FILE, token=tok,
                       query={"access_token": other})
        asserts.granted(r)
        assert [c["form"]["token"] for c in mock.calls()] == [[tok]]


class TestConnectionReuse:
    def test_auth_type_case_insensitive(self, client, tokens):
        asserts.no_token(client.get("/lower" + FILE), realm="lower")
        asserts.granted(client.get("/lower" + FILE, token=tokens.active()))

    def test_no_decision_leaks_across_keepalive_requests(self, client,
                                                         tokens):
        """Several requests on one connection: each is judged alone."""
        good = tokens.active(sub="kim")
        bad = tokens.answer({"active": False})
        conn = client.connection()
        try:
            seq = [(good, 200), (None, 401), (bad, 401), (good, 200),
                   ("bad token", 400), (None, 401)]
            for tok, want in seq:
                r = client.get("/r/cgi/env.cgi", token=tok, conn=conn)
                assert r.status == want, (tok is good, r)
                if want == 200:
                    assert r.json()["REMOTE_USER"] == "kim"
                if want == 401 and tok is None:
                    asserts.no_token(r)
        finally:
            conn.close()
