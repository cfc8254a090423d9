# SPDX-License-Identifier: Apache-2.0
"""RFC 9728 protected-resource metadata, and interop with a client nobody
on the team wrote: the official MCP TypeScript SDK (mcp/, pinned in
package-lock.json). An MCP server built with the SDK (Streamable HTTP,
one tool) runs behind httpd + the module via mod_proxy; the SDK's client
with its client-credentials OAuth provider, given only the MCP URL,
discovers the metadata from the 401, the authorization server
(oidc-provider) through RFC 8414, gets a token for the resource (RFC 8707)
and calls the tool. Then the metadata document and the challenges are
checked byte for byte, and tokens for another resource get 401."""
import json
import os
import re
import secrets as pysecrets
import shutil
import subprocess
import time

import pytest

from harness import asserts, logtags, services

HERE = os.path.dirname(os.path.abspath(__file__))
MCP = os.path.join(HERE, "mcp")
WK = "/.well-known/oauth-protected-resource"
CGI = "/cgi/env.cgi"
TOOLS = "mcp:tools"


class McpWorld:
    """The SDK's MCP server and an oidc-provider that knows its resource
    identifiers, both on loopback, stopped by PID at the end."""

    def __init__(self, env):
        if not os.path.isdir(os.path.join(MCP, "node_modules", "@modelcontextprotocol",
                                          "sdk")):
            raise services.SetupError(
                "@modelcontextprotocol/sdk is not installed: run `npm ci` "
                "in tests/integration/mcp (scripts/setup.sh does this)")
        self.node = shutil.which("node")
        if not self.node:
            raise services.SetupError("node is not installed")
        base = "http://127.0.0.1:%d" % env.port
        self.resource = base + "/mcp"
        self.other = base + "/other-mcp"
        self.open = base + "/open/"  # protect() makes <Location /open/>
        self.mocked = base + "/mocked/"
        work = os.path.join(env.root, "mcp")
        os.makedirs(work, exist_ok=True)
        err = open(os.path.join(work, "mcp_server.stderr"), "w+b")
        self.server = subprocess.Popen(
            [self.node, os.path.join(MCP, "server.js")], cwd=MCP,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
        self.server.errfile = err
        try:
            self.port = int(services._read_ready(self.server, "MCP server"))
            # The SDK sends client_id:secret in Basic without the form
            # encoding of RFC 6749 2.3.1: a URL-safe secret reads the same
            # either way.
            self.as_ = services.RealAS(
                work, pysecrets.token_hex(16),
                "rs:" + pysecrets.token_urlsafe(12) + " %&+/",
                resources={self.resource: TOOLS + " mcp:read",
                           self.other: TOOLS + " mcp:read",
                           self.open: TOOLS})
        except Exception:
            services.stop_process(self.server)
            raise

    def stop(self):
        self.as_.stop()
        services.stop_process(self.server)

    def run_client(self, url, scope=TOOLS, preset=None):
        """The SDK's client against URL (holding token PRESET to begin
        with); its one JSON line."""
        envv = dict(os.environ, MCP_CLIENT_SECRET=self.as_.client_secret)
        if preset:
            envv["MCP_PRESET_TOKEN"] = preset
        out = subprocess.run(
            [self.node, os.path.join(MCP, "client.js"), url,
             self.as_.client_id, scope], cwd=MCP, env=envv,
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=60)
        assert out.returncode == 0, out
        return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def mcp_world(env):
    try:
        w = McpWorld(env)
    except (services.SetupError, RuntimeError) as exc:
        pytest.fail("MCP test world set-up failed: %s" % exc, pytrace=False)
    env.add_session_secret(w.as_.client_secret, w.as_.client_id)
    env.add_session_secret(w.as_.rs_secret, w.as_.rs_id)
    env.mcp = w
    yield w
    w.stop()


def _introspect(env, w):
    return ["AuthIntrospectEndpoint " + w.as_.introspection_url,
            "AuthIntrospectClientID " + w.as_.rs_id,
            env.secret_line(w.as_.rs_secret),
            "AuthIntrospectIssuer " + w.as_.issuer,
            "AuthIntrospectCacheTTL 0"]


def _dpop_challenge(realm, resource):
    """The second challenge of a 401 (AuthIntrospectDPoP allowed)."""
    return 'DPoP realm="%s", algs="%s", resource_metadata="%s"' % (
        realm, asserts.DPOP_ALGS, _metadata_url(resource))


def _metadata_url(resource):
    scheme, rest = resource.split("://", 1)
    host, path = rest.split("/", 1)
    return "%s://%s%s/%s" % (scheme, host, WK, path)


class TestMcp:
    NEEDS = ("mcp_world",)

    @staticmethod
    def conf(env):
        w = env.mcp
        mcp = "\n".join("    " + l for l in [
            'AuthType Bearer', 'AuthName "mcp"'] + _introspect(env, w) + [
            "AuthIntrospectResource " + w.resource,
            "AuthIntrospectAuthorizationServers " + w.as_.issuer,
            'AuthIntrospectResourceName "mai test tools"',
            "AuthIntrospectResourceDocumentation https://docs.mai.test/mcp",
            "AuthIntrospectAcceptTokenIn header form",
            "AuthIntrospectSetHeaders On",
            "Require oauth-scope " + TOOLS,
            "ProxyPass http://127.0.0.1:%d/mcp" % w.port])
        return "\n".join([
            "<Location /mcp>\n%s\n</Location>" % mcp,
            # audience binding off: any resource's token is taken here
            env.protect("/open", *_introspect(env, w), endpoint="",
                        creds=False).replace(
                "</Location>",
                "    AuthIntrospectResource %s\n"
                "    AuthIntrospectAuthorizationServers %s\n"
                "    AuthIntrospectResourceAudience Off\n"
                "</Location>" % (w.open, w.as_.issuer)),
            # the binding on (the default), to /open/'s identifier: a
            # token for /other-mcp is refused here, and the metadata is
            # only at /open/'s path
            env.protect("/open-bound", *_introspect(env, w), endpoint="",
                        creds=False).replace(
                "</Location>",
                "    AuthIntrospectResource %s\n</Location>" % w.open),
            # asks the mock AS, which records every call
            env.protect("/mocked", "AuthIntrospectResource %s" % w.mocked,
                        "AuthIntrospectResourceAudience Off"),
            # no resource: challenges as they always were
            env.protect("/plain", *_introspect(env, w), endpoint="",
                        creds=False),
        ])

    @pytest.fixture(autouse=True)
    def _world(self, mcp_world, errlog):
        self.w = mcp_world
        self.errlog = errlog

    def _issue(self, resource, scope=TOOLS):
        tok = self.w.as_.issue(scope=scope, resource=resource)
        self.errlog.secret(tok)
        return tok

    def _access_log(self, env):
        with open(env.access_log) as f:
            return f.read()

    def _access_log_after(self, env, before, want):
        """The access log past BEFORE once it has WANT (it is written
        after the response went out), waiting at most 3 s."""
        for _ in range(60):
            log = self._access_log(env)[before:]
            if all(w in log for w in want):
                break
            time.sleep(0.05)
        return log

    def test_sdk_client_discovers_and_calls_tool(self, env, errlog):
        before = len(self._access_log(env))
        out = self.w.run_client(self.w.resource)
        assert out.get("ok") is True, out
        assert out["tools"] == ["whoami"]
        # the tool saw the token's client through the module's header
        assert out["result"] == "client_id=" + self.w.as_.client_id
        # what discovery found: our document, then the AS by RFC 8414
        assert out["resource"] == self.w.resource
        assert out["scopes_supported"] == [TOOLS]
        assert out["authorization_server"].rstrip("/") == self.w.as_.issuer
        assert out["token_endpoint"] == self.w.as_.issuer + "/token"
        # the SDK was refused first, read the metadata, then got through
        want = ["POST /mcp 401", "GET %s/mcp 200" % WK, "POST /mcp 200"]
        log = self._access_log_after(env, before, want)
        for w in want:
            assert w in log, log

    def test_sdk_client_with_a_token_for_another_resource(self):
        """An agent holding a token for another MCP server presents it to
        this one: the module refuses it with 401 (RFC 8707 audience), so
        the SDK discovers and gets a token for this resource. Without the
        audience binding the old token would pass and never be replaced."""
        other = self._issue(self.w.other)
        out = self.w.run_client(self.w.resource, preset=other)
        assert out.get("ok") is True, out
        assert out["result"] == "client_id=" + self.w.as_.client_id
        assert out["preset_replaced"] is True, out

    def test_token_for_another_resource_is_401(self, client):
        other = self._issue(self.w.other)
        r = client.post("/mcp", token=other, body="{}",
                        headers={"Content-Type": "application/json"})
        assert r.status == 401, r
        assert r.all("WWW-Authenticate") == [
            'Bearer realm="mcp", error="invalid_token", resource_metadata="%s"'
            % _metadata_url(self.w.resource),
            _dpop_challenge("mcp", self.w.resource)], r
        # the same token where the binding is off is fine
        asserts.granted(client.get("/open" + CGI, token=other))
        # and one for the location's own resource is too
        asserts.granted(client.get("/open" + CGI,
                                   token=self._issue(self.w.open)))

    def test_wrong_audience_logged(self, client, errlog):
        r = client.get("/open-bound" + CGI, token=self._issue(self.w.other))
        assert r.status == 401, r
        assert r.all("WWW-Authenticate") == [
            asserts.challenge(error="invalid_token")
            + ', resource_metadata="%s"' % _metadata_url(self.w.open),
            _dpop_challenge(asserts.REALM, self.w.open)], r
        assert re.search(r"\[auth_introspect:info\].*MAI00301: token "
                         r"[0-9a-f]{8}: refused: .*WRONG_AUDIENCE",
                         errlog.error_text()), errlog.error_text()

    def test_challenge_without_token(self, client):
        r = client.post("/mcp", body="{}",
                        headers={"Content-Type": "application/json"})
        assert r.status == 401, r
        assert r.all("WWW-Authenticate") == [
            'Bearer realm="mcp", resource_metadata="%s"'
            % _metadata_url(self.w.resource),
            _dpop_challenge("mcp", self.w.resource)], r

    def test_challenge_insufficient_scope(self, client, errlog):
        errlog.expect(logtags.AUTHZ_DENIED)
        r = client.post("/mcp", token=self._issue(self.w.resource, "mcp:read"),
                        body="{}", headers={"Content-Type": "application/json"})
        assert r.status == 403, r
        assert r.all("WWW-Authenticate") == [
            'Bearer realm="mcp", error="insufficient_scope", scope="%s", '
            'resource_metadata="%s"' % (TOOLS, _metadata_url(self.w.resource))]

    def test_challenge_unchanged_without_resource(self, client):
        asserts.no_token(client.get("/plain" + CGI))
        asserts.invalid_token(client.get("/plain" + CGI, token="nope"))

    def test_metadata_document(self, client):
        r = client.get(WK + "/mcp")
        assert r.status == 200, r
        assert r.header("Content-Type") == "application/json"
        assert r.header("Access-Control-Allow-Origin") == "*"
        assert r.json() == {
            "resource": self.w.resource,
            "authorization_servers": [self.w.as_.issuer],
            "scopes_supported": [TOOLS],
            "bearer_methods_supported": ["header", "body"],
            "resource_name": "mai test tools",
            "resource_documentation": "https://docs.mai.test/mcp",
        }
        # no scopes known, the default AcceptTokenIn
        assert client.get(WK + "/open/").json() == {
            "resource": self.w.open,
            "authorization_servers": [self.w.as_.issuer],
            "bearer_methods_supported": ["header"],
        }

    def test_metadata_needs_no_token_and_ignores_one(self, client, tokens,
                                                      mock):
        """Public, and a token sent along is never introspected (the
        lookup of the location stops before authentication)."""
        tok = tokens.active()
        r = client.get(WK + "/mocked/", token=tok)
        assert r.status == 200, r
        assert r.json()["resource"] == self.w.mocked
        assert mock.calls_for(tok) == []
        # the location itself does ask
        asserts.granted(client.get("/mocked" + CGI, token=tok))
        assert len(mock.calls_for(tok)) == 1

    def test_metadata_head_and_other_methods(self, client):
        r = client.request("HEAD", WK + "/mcp")
        assert r.status == 200 and r.body == b"", r
        assert r.header("Content-Type") == "application/json"
        r = client.post(WK + "/mcp", body="x")
        assert r.status == 405, r
        assert "GET" in r.header("Allow")

    def test_metadata_only_at_the_resource_path(self, client):
        # /open-bound's identifier has the path /open/, not /open-bound/
        assert client.get(WK + "/open-bound/").status == 404
        assert client.get(WK + "/open").status == 404
        assert client.get(WK + "/plain").status == 404
        assert client.get(WK + "/mcp/x").status == 404
        assert client.get(WK).status == 404
        assert client.get(WK + "x/mcp").status == 404
