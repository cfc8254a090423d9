# SPDX-License-Identifier: Apache-2.0
"""Claims for real servers: `Require oauth-claim` with dotted paths into
answers shaped like Keycloak's (realm_access.roles,
resource_access.<client>.roles) and Ory Hydra's (ext.*), the `\\.`
escape, and what reaches the application: AuthIntrospectExportClaims,
AuthIntrospectExportClaimsHeader, AuthIntrospectExportMaxHeaderBytes and
its log line (MAI01201)."""
import json
import re
import time

import pytest

from harness import asserts, logtags

FILE = "/static.txt"
CGI = "/cgi/env.cgi"
CAP = 2000
# The cap's log line: a warn from this module, tag MAI01201.
CUT = r"\[auth_introspect:warn\].*MAI01201:"

REQUIRES = {
    "/kc-realm": "realm_access.roles admin",
    "/kc-client": "resource_access.my-app.roles editor",
    "/hy-tenant": "ext.tenant acme",
    "/hy-groups": "ext.groups g2",
    "/hy-bool": "ext.email_verified true",
    "/hy-num": "ext.level 3",
    "/hy-grid": "ext.grid a",
    "/dot-nested": "x.y nested",
    "/dot-escaped": "x\\.y flat",
    "/dot-deep": "a\\.b.c yes",
    "/dot-quoted": '"a\\.b.c" yes',
    "/flat": "groups ops",
}


def conf(env):
    be = "http://127.0.0.1:%d/" % env.backend.port
    out = [
        env.protect("/cgi-all"),
        env.protect("/cgi-sel", "AuthIntrospectExportClaims sub "
                    "realm_access.roles resource_access.my-app.roles "
                    "ext.tenant missing.claim"),
        env.protect("/app-all", "AuthIntrospectSetHeaders On",
                    "AuthIntrospectExportMaxHeaderBytes 0",
                    "ProxyPass " + be),
        env.protect("/app-sel", "AuthIntrospectSetHeaders On",
                    "AuthIntrospectExportClaims sub realm_access.roles "
                    "resource_access.my-app.roles",
                    "AuthIntrospectExportClaimsHeader Off",
                    "ProxyPass " + be),
        env.protect("/app-nowhole", "AuthIntrospectSetHeaders On",
                    "AuthIntrospectExportClaimsHeader Off",
                    "ProxyPass " + be),
        env.protect("/app-cap", "AuthIntrospectSetHeaders On",
                    "AuthIntrospectExportMaxHeaderBytes %d" % CAP,
                    "ProxyPass " + be),
        env.protect("/app-default", "AuthIntrospectSetHeaders On",
                    "ProxyPass " + be),
    ]
    return "\n".join(out)


def keycloak(roles=("admin", "offline_access", "uma_authorization"),
             **extra):
    """An access token introspected by Keycloak: the token's own claims,
    roles nested per realm and per client."""
    now = int(time.time())
    out = {"exp": now + 300, "iat": now, "jti": "9f1c2a7e-kc",
           "iss": "https://kc.mai.test/realms/demo", "aud": "account",
           "sub": "5c1d-uuid", "typ": "Bearer", "azp": "my-app",
           "session_state": "4e2b-ss", "acr": "1",
           "realm_access": {"roles": list(roles)},
           "resource_access": {"my-app": {"roles": ["editor"]},
                               "account": {"roles": ["manage-account",
                                                     "view-profile"]}},
           "scope": "openid profile email", "email_verified": False,
           "preferred_username": "alice", "client_id": "my-app",
           "username": "alice", "token_type": "Bearer", "active": True}
    out.update(extra)
    return out


def hydra(**ext):
    """An access token introspected by Ory Hydra: extra claims under ext."""
    now = int(time.time())
    e = {"tenant": "acme", "groups": ["g1", "g2"], "email_verified": True,
         "level": 3, "grid": [["a"]]}
    e.update(ext)
    return {"active": True, "client_id": "hydra-client", "sub": "bob",
            "scope": "read", "exp": now + 300, "iat": now,
            "iss": "https://hydra.mai.test/", "token_type": "Bearer",
            "token_use": "access_token", "ext": e}


def _get(client, tokens, path, resp):
    return client.get(path + FILE, token=tokens.answer(resp))


def _denied(r):
    """A valid token that lacks a claim: 403, no challenge."""
    assert r.status == 403, r
    assert r.all("WWW-Authenticate") == [], r


@pytest.fixture
def denied(errlog):
    errlog.expect(logtags.AUTHZ_DENIED)
    return errlog


class TestNestedRequire:
    """Its own configuration, with no new directive: on a module without
    dotted paths these fail on their assertions, not on the start."""

    @staticmethod
    def conf(env):
        return "\n".join(env.protect(p, "Require oauth-claim " + r)
                         for p, r in REQUIRES.items())

    def test_keycloak_realm_roles(self, client, tokens, denied):
        asserts.granted(_get(client, tokens, "/kc-realm", keycloak()))
        _denied(_get(client, tokens, "/kc-realm",
                     keycloak(roles=["user", "Admin", "admins"])))
        _denied(_get(client, tokens, "/kc-realm",
                     keycloak(roles=[])))
        # the role in another place of the answer does not count
        _denied(_get(client, tokens, "/kc-realm",
                     keycloak(roles=["user"], admin="admin",
                              resource_access={"x": {"roles": ["admin"]}})))

    def test_keycloak_client_roles(self, client, tokens, denied):
        asserts.granted(_get(client, tokens, "/kc-client", keycloak()))
        _denied(_get(client, tokens, "/kc-client", keycloak(
            resource_access={"other-app": {"roles": ["editor"]}})))
        _denied(_get(client, tokens, "/kc-client", keycloak(
            resource_access={"my-app": {"roles": "editor2"}})))

    def test_hydra_ext(self, client, tokens, denied):
        for path in ("/hy-tenant", "/hy-groups", "/hy-bool", "/hy-num"):
            asserts.granted(_get(client, tokens, path, hydra()))
        _denied(_get(client, tokens, "/hy-tenant", hydra(tenant="acme2")))
        _denied(_get(client, tokens, "/hy-groups", hydra(groups=["g1"])))
        _denied(_get(client, tokens, "/hy-bool",
                     hydra(email_verified=False)))
        # booleans and numbers compare as their JSON text
        _denied(_get(client, tokens, "/hy-bool",
                     hydra(email_verified="True")))
        _denied(_get(client, tokens, "/hy-num", hydra(level=3.0)))
        _denied(_get(client, tokens, "/hy-num", hydra(level=[1, 2])))
        asserts.granted(_get(client, tokens, "/hy-num", hydra(level="3")))
        # no ext at all, or ext not an object
        resp = hydra()
        del resp["ext"]
        _denied(_get(client, tokens, "/hy-tenant", resp))
        _denied(_get(client, tokens, "/hy-tenant",
                     dict(hydra(), ext="acme")))

    def test_arrays_of_arrays_and_objects_never_match(self, client, tokens,
                                                      denied):
        asserts.granted(_get(client, tokens, "/hy-grid", hydra(grid=["a"])))
        _denied(_get(client, tokens, "/hy-grid", hydra()))
        _denied(_get(client, tokens, "/hy-grid", hydra(grid=[{"a": 1}])))
        _denied(_get(client, tokens, "/hy-grid", hydra(grid={"a": "a"})))

    def test_dot_steps_and_escape(self, client, tokens, denied):
        both = {"active": True, "sub": "s", "x.y": "flat",
                "x": {"y": "nested"}, "a.b": {"c": "yes"}}
        # a dot steps into the object; \. is a dot inside a name
        asserts.granted(_get(client, tokens, "/dot-nested", both))
        asserts.granted(_get(client, tokens, "/dot-escaped", both))
        asserts.granted(_get(client, tokens, "/dot-deep", both))
        asserts.granted(_get(client, tokens, "/dot-quoted", both))
        # each finds only its own
        _denied(_get(client, tokens, "/dot-nested",
                     {"active": True, "sub": "s", "x.y": "nested"}))
        _denied(_get(client, tokens, "/dot-escaped",
                     {"active": True, "sub": "s", "x": {"y": "flat"}}))
        _denied(_get(client, tokens, "/dot-deep",
                     {"active": True, "sub": "s", "a": {"b": {"c": "yes"}}}))

    def test_nested_members_bound(self, client, tokens, errlog):
        """10,000 members of nested objects in all (docs/security.md):
        the bound is accepted, one more is refused like any answer past
        a limit (503)."""
        errlog.expect(logtags.ENDPOINT_FAILURE)

        def answer(n):
            resp = {"active": True, "sub": "s",
                    "realm_access": {"roles": ["admin"]}}
            left = n - 1    # realm_access has one member
            for k in range(5):
                cnt = left // (5 - k)
                left -= cnt
                resp["o%d" % k] = {"m%d" % i: i for i in range(cnt)}
            return resp
        asserts.granted(_get(client, tokens, "/kc-realm", answer(10000)))
        asserts.unavailable(_get(client, tokens, "/kc-realm",
                                 answer(10001)))

    def test_flat_names_as_before(self, client, tokens, denied):
        asserts.granted(_get(client, tokens, "/flat",
                             keycloak(groups=["dev", "ops"])))
        _denied(_get(client, tokens, "/flat", keycloak(groups=["dev"])))
        # and a nested path beside it, on the same answer
        asserts.granted(_get(client, tokens, "/kc-realm",
                             keycloak(groups=["dev", "ops"])))


def _introspect_headers(echo):
    return {k: v for k, v in echo["headers"]
            if k.lower().startswith("x-introspect-")}


def _header_bytes(headers):
    """What the headers take on the wire: name, ": ", value, CRLF."""
    return sum(len(k) + len(v) + 4 for k, v in headers.items())


class TestExportClaims:
    def test_cgi_selection(self, client, tokens):
        resp = keycloak(ext={"tenant": "acme"})
        seen = client.get("/cgi-sel" + CGI, token=tokens.answer(resp)).json()
        got = {k: v for k, v in seen.items() if k.startswith("INTROSPECT_")}
        assert got.pop("INTROSPECT_SUB") == "5c1d-uuid"
        assert got.pop("INTROSPECT_REALM_ACCESS_ROLES") == \
            "admin offline_access uma_authorization"
        assert got.pop("INTROSPECT_RESOURCE_ACCESS_MY_APP_ROLES") == "editor"
        assert got.pop("INTROSPECT_EXT_TENANT") == "acme"
        # the whole answer stays; nothing else is exported
        assert json.loads(got.pop("INTROSPECT_CLAIMS")) == resp
        assert got == {}
        # REMOTE_USER does not depend on the selection
        assert seen["REMOTE_USER"] == "5c1d-uuid"

    def test_cgi_default_is_every_top_level_claim(self, client, tokens):
        resp = keycloak()
        seen = client.get("/cgi-all" + CGI, token=tokens.answer(resp)).json()
        got = {k for k in seen if k.startswith("INTROSPECT_")}
        assert "INTROSPECT_PREFERRED_USERNAME" in got
        assert json.loads(seen["INTROSPECT_REALM_ACCESS"]) == \
            resp["realm_access"]
        # nested members get no variable of their own by default
        assert "INTROSPECT_REALM_ACCESS_ROLES" not in got
        assert len(got) == len(resp) + 1
        # the default cap is on headers only: with a huge answer the CGI
        # environment still has everything
        big = keycloak(roles=["role-%04d" % i for i in range(600)])
        seen = client.get("/cgi-all" + CGI, token=tokens.answer(big)).json()
        assert json.loads(seen["INTROSPECT_CLAIMS"]) == big

    def test_proxy_selection_without_whole_answer(self, client, tokens):
        resp = keycloak()
        r = client.get("/app-sel/", token=tokens.answer(resp))
        asserts.granted(r)
        assert _introspect_headers(r.json()) == {
            "X-Introspect-Sub": "5c1d-uuid",
            "X-Introspect-Realm-Access-Roles":
                "admin offline_access uma_authorization",
            "X-Introspect-Resource-Access-My-App-Roles": "editor"}

    def test_whole_answer_header_off(self, client, tokens):
        resp = keycloak(claims="a claim called claims")
        r = client.get("/app-nowhole/", token=tokens.answer(resp))
        asserts.granted(r)
        got = _introspect_headers(r.json())
        assert "X-Introspect-Claims" not in got
        # the per-claim headers all still go, the claim called "claims"
        # never takes the whole answer's name
        assert got["X-Introspect-Preferred-Username"] == "alice"
        assert json.loads(got["X-Introspect-Realm-Access"]) == \
            resp["realm_access"]
        assert len(got) == len(resp) - 1
        r = client.get("/app-all/", token=tokens.answer(resp))
        assert json.loads(_introspect_headers(r.json())[
            "X-Introspect-Claims"]) == resp


def _fitting(client, tokens, resp, pad_name, cap):
    """RESP with claim PAD_NAME padded so that its X-Introspect-* headers
    (measured at the uncapped /app-all) take exactly CAP bytes. A plain
    pad byte counts twice (its header and the whole answer), a '"' three
    times (escaped in the JSON)."""
    resp = dict(resp, **{pad_name: ""})
    r = client.get("/app-all/", token=tokens.answer(resp))
    asserts.granted(r)
    room = cap - _header_bytes(_introspect_headers(r.json()))
    assert room >= 3, room
    quotes = 1 if room % 2 else 0
    resp[pad_name] = '"' * quotes + "p" * ((room - 3 * quotes) // 2)
    r = client.get("/app-all/", token=tokens.answer(resp))
    assert _header_bytes(_introspect_headers(r.json())) == cap
    return resp


def _cut_lines(errlog):
    return [l for l in errlog.error_text().splitlines() if "MAI01201" in l]


class TestHeaderCap:
    def test_largest_answer_that_fits_is_not_cut(self, client, tokens,
                                                 errlog):
        resp = _fitting(client, tokens, keycloak(), "pad", CAP)
        r = client.get("/app-cap/", token=tokens.answer(resp))
        asserts.granted(r)
        got = _introspect_headers(r.json())
        assert json.loads(got["X-Introspect-Claims"]) == resp
        assert _header_bytes(got) == CAP
        assert _cut_lines(errlog) == []

    def test_one_byte_more_cuts_the_whole_answer_first(self, client, tokens,
                                                       errlog):
        errlog.expect(CUT)
        resp = _fitting(client, tokens, keycloak(), "pad", CAP)
        resp["pad"] += "q"
        r = client.get("/app-cap/", token=tokens.answer(resp))
        asserts.granted(r)
        got = _introspect_headers(r.json())
        assert "X-Introspect-Claims" not in got
        # every per-claim header is still there
        assert got["X-Introspect-Pad"] == resp["pad"]
        assert len(got) == len(resp)
        assert _header_bytes(got) <= CAP
        lines = _cut_lines(errlog)
        assert len(lines) == 1, lines
        assert re.search(r"1 exported header\(s\) left out.*: "
                         r"X-Introspect-Claims$", lines[0]), lines[0]

    def test_many_roles_cut_with_one_line(self, client, tokens, errlog):
        errlog.expect(CUT)
        roles = ["role-%04d" % i for i in range(300)]
        resp = keycloak(roles=roles)
        r = client.get("/app-cap/", token=tokens.answer(resp))
        asserts.granted(r)
        got = _introspect_headers(r.json())
        assert _header_bytes(got) <= CAP
        # the whole answer and the big realm_access are gone, the small
        # claims after realm_access in the answer still fit
        assert "X-Introspect-Claims" not in got
        assert "X-Introspect-Realm-Access" not in got
        assert got["X-Introspect-Preferred-Username"] == "alice"
        assert got["X-Introspect-Active"] == "true"
        lines = _cut_lines(errlog)
        assert len(lines) == 1, lines
        assert "X-Introspect-Realm-Access" in lines[0]
        assert "X-Introspect-Claims" in lines[0]
        # names only: no role, no claim value
        assert "role-0" not in lines[0]
        assert "alice" not in lines[0]

    def test_default_cap_keeps_an_8k_backend_safe(self, client, tokens,
                                                  errlog):
        errlog.expect(CUT)
        roles = ["role-%04d" % i for i in range(600)]
        resp = keycloak(roles=roles)
        r = client.get("/app-default/", token=tokens.answer(resp))
        asserts.granted(r)
        got = _introspect_headers(r.json())
        assert _header_bytes(got) <= 6144
        assert "X-Introspect-Claims" not in got
        assert got["X-Introspect-Sub"] == "5c1d-uuid"
        assert len(_cut_lines(errlog)) == 1
        # the same answer without the cap would not have fitted
        r = client.get("/app-all/", token=tokens.answer(resp))
        assert _header_bytes(_introspect_headers(r.json())) > 8192


class TestConfigErrors:
    @pytest.mark.parametrize("line", [
        "Require oauth-claim realm_access..roles admin",
        "Require oauth-claim .roles admin",
        "Require oauth-claim 'realm_access.roles admin",
        "AuthIntrospectExportClaims * sub",
        "AuthIntrospectExportClaims sub.",
        "AuthIntrospectExportMaxHeaderBytes -1",
        "AuthIntrospectExportMaxHeaderBytes 1048577",
        "AuthIntrospectExportClaimsHeader maybe",
    ])
    def test_refused_by_configtest(self, httpd, env, line):
        rc, out, _ = httpd.configtest(env.protect("/bad", line))
        assert rc != 0, out
        assert "Syntax OK" not in out

    def test_url_like_path_warns(self, httpd, env):
        rc, out, _ = httpd.configtest(env.protect(
            "/url", "Require oauth-claim https://mai.test/roles admin"))
        assert rc == 0, out
        assert re.search(r"MAI01202: .*configtest\.conf:\d+: Require "
                         r"oauth-claim https://mai\.test/roles", out), out

    def test_accepted_by_configtest(self, httpd, env):
        rc, out, _ = httpd.configtest(env.protect(
            "/good", "Require oauth-claim https://mai\\.test/roles admin",
            "AuthIntrospectExportClaims sub realm_access.roles a\\.b",
            "AuthIntrospectExportClaimsHeader Off",
            "AuthIntrospectExportMaxHeaderBytes 0"))
        assert rc == 0, out
        assert "MAI01202" not in out
