# SPDX-License-Identifier: Apache-2.0
"""An app behind mod_proxy sees the X-Introspect-* headers (SetHeaders On)
and never a client's spoofed ones."""
import json

import pytest

from harness import asserts

SPOOF = [("X-Introspect-Sub", "mallory"),
         ("x_introspect_sub", "mallory2"),
         ("X_INTROSPECT_SCOPE", "admin"),
         ("x-introspect-claims", '{"sub":"mallory"}'),
         ("X-Introspect-Roles", "root"),
         ("x-InTrOsPeCt-aud", "https://evil.test")]


def conf(env):
    be = "http://127.0.0.1:%d/" % env.backend.port
    return "\n".join([
        env.protect("/app", "AuthIntrospectSetHeaders On", "ProxyPass " + be),
        env.protect("/app-off", "ProxyPass " + be),
        env.protect("/app-noenv", "AuthIntrospectSetHeaders On",
                    "AuthIntrospectSetEnv Off", "ProxyPass " + be),
    ])


def _introspect_headers(echo):
    """Headers the backend got whose name is in the X-Introspect family,
    spelled with dashes or underscores, in any case."""
    return [(k, v) for k, v in echo["headers"]
            if k.lower().replace("_", "-").startswith("x-introspect-")]


class TestHeaders:
    def test_claims_as_headers(self, client, tokens):
        resp = tokens.claims(aud=["https://a.mai.test", "https://b.mai.test"],
                             client_id="app-1", groups=["ops", "dev"],
                             ext={"x": 1})
        tok = tokens.answer(resp)
        r = client.get("/app/some/path?q=1", token=tok)
        asserts.granted(r)
        echo = r.json()
        assert echo["path"] == "/some/path?q=1"
        got = dict(_introspect_headers(echo))
        assert got["X-Introspect-Sub"] == "alice"
        assert got["X-Introspect-Scope"] == "read write"
        assert got["X-Introspect-Client-Id"] == "app-1"
        assert got["X-Introspect-Aud"] == \
            "https://a.mai.test https://b.mai.test"
        assert got["X-Introspect-Groups"] == "ops dev"
        assert got["X-Introspect-Exp"] == str(resp["exp"])
        assert json.loads(got["X-Introspect-Ext"]) == {"x": 1}
        assert json.loads(got["X-Introspect-Claims"]) == resp

    def test_each_header_once(self, client, tokens):
        r = client.get("/app/", token=tokens.active())
        names = [k.lower() for k, _ in _introspect_headers(r.json())]
        assert len(names) == len(set(names)), names

    def test_off_sends_none(self, client, tokens):
        r = client.get("/app-off/", token=tokens.active())
        asserts.granted(r)
        assert _introspect_headers(r.json()) == []

    def test_headers_without_env(self, client, tokens):
        r = client.get("/app-noenv/", token=tokens.active())
        asserts.granted(r)
        got = dict(_introspect_headers(r.json()))
        assert got["X-Introspect-Sub"] == "alice"

    def test_control_characters_never_in_headers(self, client, tokens):
        tok = tokens.active(note="a\u0001b", tabbed="a\tb", delete="a\x7fb",
                            nl="a\nb", fine="plain")
        r = client.get("/app/", token=tok)
        asserts.granted(r)
        got = dict(_introspect_headers(r.json()))
        for name in ("X-Introspect-Note", "X-Introspect-Tabbed",
                     "X-Introspect-Delete", "X-Introspect-Nl"):
            assert name not in got, name
        assert got["X-Introspect-Fine"] == "plain"
        assert got["X-Introspect-Sub"] == "alice"
        for k, v in got.items():
            assert not any(ord(c) < 0x20 or ord(c) == 0x7f for c in v), k


class TestSpoofing:
    @pytest.mark.parametrize("where", ["/app", "/app-off", "/app-noenv"])
    def test_spoofed_headers_never_reach_backend(self, client, tokens,
                                                 where):
        tok = tokens.active(scope="read")
        r = client.get(where + "/", token=tok, headers=SPOOF)
        asserts.granted(r)
        got = _introspect_headers(r.json())
        values = [v for _, v in got]
        for _, bad in SPOOF:
            assert bad not in values
        if where == "/app-off":
            assert got == []
        else:
            d = dict(got)
            assert d["X-Introspect-Sub"] == "alice"
            assert d["X-Introspect-Scope"] == "read"
            assert "X-Introspect-Roles" not in d
            assert "X-Introspect-Aud" not in d

    def test_spoofed_headers_removed_when_refused(self, client, tokens):
        """Nothing to see for the backend on a refused request either: the
        request never gets there."""
        r = client.get("/app/", headers=SPOOF)
        asserts.no_token(r)
