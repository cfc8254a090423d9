# SPDX-License-Identifier: Apache-2.0
"""A legacy CGI program sees REMOTE_USER and the INTROSPECT_* claims; a
client can never spoof them."""
import json
import time

import pytest

from harness import asserts

CGI = "/cgi/env.cgi"


EXTRA_MODULES = ("setenvif",)


def conf(env):
    return "\n".join([
        env.protect("/e"),
        env.protect("/setenvif", 'SetEnvIf X-Introspect-Sub "(.+)" '
                    "SPOOFED=$1", 'SetEnvIf X_Introspect_Sub "(.+)" '
                    "SPOOFED2=$1"),
        env.protect("/ru", "AuthIntrospectRemoteUserClaim email sub"),
        env.protect("/noenv", "AuthIntrospectSetEnv Off"),
    ])


def _introspect_vars(seen):
    return {k: v for k, v in seen.items() if k.startswith("INTROSPECT_")}


class TestClaims:
    def test_claims_exported(self, client, tokens):
        now = int(time.time())
        resp = {"active": True, "sub": "alice", "client_id": "app-1",
                "scope": "read write", "iat": now, "exp": now + 3600,
                "aud": ["https://a.mai.test", "https://b.mai.test"],
                "iss": "https://as.mai.test",
                "https://mai.test/role": "admin",
                "groups": ["ops", "dev"], "level": 42, "ratio": 0.5,
                "flag": True, "off": False,
                "ext": {"x": 1, "y": [1, 2], "z": {"k": "v"}}}
        tok = tokens.answer(resp)
        r = client.get("/e" + CGI, token=tok)
        asserts.granted(r)
        seen = r.json()
        assert seen["REMOTE_USER"] == "alice"
        assert seen["INTROSPECT_SUB"] == "alice"
        assert seen["INTROSPECT_CLIENT_ID"] == "app-1"
        assert seen["INTROSPECT_SCOPE"] == "read write"
        assert seen["INTROSPECT_AUD"] == \
            "https://a.mai.test https://b.mai.test"
        assert seen["INTROSPECT_ISS"] == "https://as.mai.test"
        assert seen["INTROSPECT_EXP"] == str(now + 3600)
        assert seen["INTROSPECT_IAT"] == str(now)
        assert seen["INTROSPECT_ACTIVE"] == "true"
        assert seen["INTROSPECT_HTTPS___MAI_TEST_ROLE"] == "admin"
        assert seen["INTROSPECT_GROUPS"] == "ops dev"
        assert seen["INTROSPECT_LEVEL"] == "42"
        assert float(seen["INTROSPECT_RATIO"]) == 0.5
        assert seen["INTROSPECT_FLAG"] == "true"
        assert seen["INTROSPECT_OFF"] == "false"
        # Objects as compact JSON.
        assert json.loads(seen["INTROSPECT_EXT"]) == resp["ext"]
        assert ", " not in seen["INTROSPECT_EXT"]
        assert ": " not in seen["INTROSPECT_EXT"]
        # The whole response, compact.
        assert json.loads(seen["INTROSPECT_CLAIMS"]) == resp
        assert ", " not in seen["INTROSPECT_CLAIMS"]

    def test_auth_type(self, client, tokens):
        """RFC 3875 4.1.1: a protected script gets AUTH_TYPE (httpd takes
        it from r->ap_auth_type, which the authenticating module sets)."""
        seen = client.get("/e" + CGI, token=tokens.active()).json()
        assert seen.get("AUTH_TYPE", "").lower() == "bearer", seen

    def test_only_response_claims_exported(self, client, tokens):
        tok = tokens.answer({"active": True, "sub": "bob"})
        seen = client.get("/e" + CGI, token=tok).json()
        assert set(_introspect_vars(seen)) == {
            "INTROSPECT_ACTIVE", "INTROSPECT_SUB", "INTROSPECT_CLAIMS"}

    def test_aud_string(self, client, tokens):
        tok = tokens.active(aud="https://a.mai.test")
        seen = client.get("/e" + CGI, token=tok).json()
        assert seen["INTROSPECT_AUD"] == "https://a.mai.test"

    def test_claim_called_claims_loses_to_whole_response(self, client,
                                                         tokens):
        resp = tokens.claims(claims="not the response")
        tok = tokens.answer(resp)
        seen = client.get("/e" + CGI, token=tok).json()
        assert json.loads(seen["INTROSPECT_CLAIMS"]) == resp

    def test_array_of_objects_as_json(self, client, tokens):
        resp = tokens.claims(roles=[{"name": "a"}, {"name": "b"}])
        tok = tokens.answer(resp)
        seen = client.get("/e" + CGI, token=tok).json()
        assert json.loads(seen["INTROSPECT_ROLES"]) == resp["roles"]


class TestRemoteUser:
    def test_default_falls_back_to_client_id(self, client, tokens):
        tok = tokens.active(sub=None, client_id="svc-9")
        seen = client.get("/e" + CGI, token=tok).json()
        assert seen["REMOTE_USER"] == "svc-9"

    def test_empty_sub_falls_back(self, client, tokens):
        tok = tokens.active(sub="", client_id="svc-9")
        seen = client.get("/e" + CGI, token=tok).json()
        assert seen["REMOTE_USER"] == "svc-9"

    def test_numeric_sub(self, client, tokens):
        tok = tokens.active(sub=12345)
        seen = client.get("/e" + CGI, token=tok).json()
        assert seen["REMOTE_USER"] == "12345"

    def test_configured_claim_first(self, client, tokens):
        tok = tokens.active(email="alice@mai.test")
        seen = client.get("/ru" + CGI, token=tok).json()
        assert seen["REMOTE_USER"] == "alice@mai.test"

    def test_configured_claim_fallback(self, client, tokens):
        tok = tokens.active()
        seen = client.get("/ru" + CGI, token=tok).json()
        assert seen["REMOTE_USER"] == "alice"

    def test_configured_claims_all_missing(self, client, tokens):
        tok = tokens.active(sub=None, client_id="svc-9")
        asserts.invalid_token(client.get("/ru" + CGI, token=tok))


class TestSetEnvOff:
    def test_no_claims_but_remote_user(self, client, tokens):
        tok = tokens.active()
        r = client.get("/noenv" + CGI, token=tok)
        asserts.granted(r)
        seen = r.json()
        assert seen["REMOTE_USER"] == "alice"
        assert _introspect_vars(seen) == {}


class TestSpoofing:
    SPOOF = [("X-Introspect-Sub", "mallory"),
             ("X_Introspect_Sub", "mallory2"),
             ("x-introspect-scope", "admin"),
             ("X-INTROSPECT-CLAIMS", '{"sub":"mallory"}'),
             ("X-Introspect-Extra", "1")]

    def test_removed_before_other_modules_see_them(self, client, tokens):
        """Per-directory SetEnvIf (header_parser, like the removal) must not
        see the spoofed header either."""
        r = client.get("/setenvif" + CGI, token=tokens.active(),
                       headers=self.SPOOF)
        asserts.granted(r)
        seen = r.json()
        assert "SPOOFED" not in r.text and "mallory" not in r.text, seen

    @pytest.mark.parametrize("where", ["/e", "/noenv"])
    def test_spoofed_headers_never_reach_cgi(self, client, tokens, where):
        tok = tokens.active(scope="read")
        r = client.get(where + CGI, token=tok, headers=self.SPOOF)
        asserts.granted(r)
        seen = r.json()
        assert [k for k in seen if k.startswith("HTTP_X_INTROSPECT")] == []
        assert seen["REMOTE_USER"] == "alice"
        if where == "/e":
            assert seen["INTROSPECT_SUB"] == "alice"
            assert seen["INTROSPECT_SCOPE"] == "read"
            assert "INTROSPECT_EXTRA" not in seen
