# SPDX-License-Identifier: Apache-2.0
"""RFC 8414 / OpenID Connect Discovery: AuthIntrospectMetadataURL alone
(with the client's credentials) finds the introspection endpoint and the
issuer; the document is fetched by the first request, never at startup;
a document for another issuer or one that cannot be fetched is an endpoint
failure (503 with Retry-After), never a 401."""
from harness import asserts, logtags
from harness.ports import free_port

CGI = "/cgi/env.cgi"
FILE = "/static.txt"
WK = "/.well-known/oauth-authorization-server"
DEAD_PORT = free_port()
DEAD_PORT2 = free_port()
OTHER_ISS = "https://other-issuer.example"

# metadata fetch failures (MAI01500-01506) and their transport causes
DISCOVERY_FAILURE = r"\[auth_introspect:error\].*MAI0150[0-6]:"


class TestDiscoveryRealAS:
    """Against oidc-provider: nothing but the metadata URL and the
    client's credentials."""
    NEEDS = ("real_as",)

    @staticmethod
    def conf(env):
        ras = env.real_as
        creds = ["AuthIntrospectClientID " + ras.rs_id,
                 env.secret_line(ras.rs_secret)]
        return "\n".join([
            env.protect("/oidc", "AuthIntrospectCacheTTL 0",
                        "AuthIntrospectMetadataURL " + ras.issuer
                        + "/.well-known/openid-configuration", *creds,
                        endpoint="", creds=False),
            env.protect("/oauth", "AuthIntrospectCacheTTL 0",
                        "AuthIntrospectMetadataURL " + ras.issuer + WK,
                        *creds, endpoint="", creds=False),
        ])

    def _issue(self, ras, errlog):
        tok = ras.issue()
        errlog.secret(tok)
        return tok

    def test_openid_configuration(self, client, real_as, tokens, errlog):
        r = client.get("/oidc" + CGI, token=self._issue(real_as, errlog))
        asserts.granted(r)
        assert r.json()["INTROSPECT_ISS"] == real_as.issuer
        asserts.invalid_token(client.get("/oidc" + CGI, token=tokens.new()))

    def test_oauth_authorization_server(self, client, real_as, tokens,
                                        errlog):
        asserts.granted(client.get("/oauth" + CGI,
                                   token=self._issue(real_as, errlog)))
        asserts.invalid_token(client.get("/oauth" + CGI,
                                         token=tokens.new()))


def meta(env, name):
    """The metadata URL of mock issuer NAME, and that issuer."""
    return env.mock.url(WK + "/" + name), env.mock.url("/" + name)


def serve(mock, name, base=None, **doc):
    """Serve mock issuer NAME's document: its own issuer and introspection
    endpoint /introspect/NAME (on BASE, the mock's http URL by default)
    unless DOC says otherwise."""
    base = base or "http://127.0.0.1:%d" % mock.port
    out = {"issuer": base + "/" + name,
           "introspection_endpoint": base + "/introspect/" + name}
    out.update(doc)
    mock.metadata(WK + "/" + name, out)
    return out["issuer"]


def conf(env):
    def loc(prefix, name, *lines, endpoint=""):
        return env.protect(prefix, "AuthIntrospectCacheTTL 0",
                           "AuthIntrospectMetadataURL " + meta(env, name)[0],
                           *lines, endpoint=endpoint)
    return "\n".join([
        loc("/ok", "ok"),
        loc("/ok-other-iss", "ok", "AuthIntrospectIssuer " + OTHER_ISS),
        loc("/bad-issuer", "bad"),
        env.protect("/down", "AuthIntrospectMetadataURL http://127.0.0.1:%d%s"
                    % (DEAD_PORT, WK), endpoint=""),
        loc("/explicit", "explicit",
            endpoint=env.mock.url("/introspect/explicit")),
        loc("/insecure", "insecure"),
        loc("/methods", "methods"),
        env.protect("/tls", "AuthIntrospectCacheTTL 0",
                    "AuthIntrospectTLSCAFile " + env.ca_file,
                    "AuthIntrospectMetadataURL " + tls_meta(env),
                    endpoint=""),
        env.protect("/tls-untrusted", "AuthIntrospectCacheTTL 0",
                    "AuthIntrospectMetadataURL " + tls_meta(env),
                    endpoint=""),
        env.protect("/down2", "AuthIntrospectMetadataURL "
                    "http://127.0.0.1:%d%s" % (DEAD_PORT2, WK), endpoint=""),
    ])


def tls_base(mock):
    return mock.url("", kind="https_good", host="localhost")


def tls_meta(env):
    return tls_base(env.mock) + WK + "/tls"


class TestDiscovery:
    def test_discovered_endpoint_and_issuer(self, client, mock, tokens):
        iss = serve(mock, "ok")
        tok = tokens.active(iss=iss)
        asserts.granted(client.get("/ok" + FILE, token=tok))
        assert mock.calls_for(tok)[0]["path"] == "/introspect/ok"
        # the discovered issuer is the issuer check
        other = tokens.active(iss=OTHER_ISS)
        asserts.invalid_token(client.get("/ok" + FILE, token=other))
        asserts.invalid_token(client.get("/ok" + FILE,
                                         token=tokens.active(iss=None)))
        # unless AuthIntrospectIssuer says otherwise
        asserts.granted(client.get("/ok-other-iss" + FILE, token=other))
        asserts.invalid_token(client.get("/ok-other-iss" + FILE, token=tok))

    def test_issuer_mismatch_is_503(self, client, mock, tokens, errlog):
        errlog.expect(DISCOVERY_FAILURE, logtags.ENDPOINT_FAILURE)
        serve(mock, "bad", issuer="http://127.0.0.1:%d/evil" % mock.port)
        tok = tokens.active()
        asserts.unavailable(client.get("/bad-issuer" + FILE, token=tok))
        assert "MAI01503" in errlog.error_text()
        assert mock.calls_for(tok) == []

    def test_unreachable_metadata_is_503(self, client, tokens, errlog):
        # httpd started although this metadata URL cannot be reached
        errlog.expect(DISCOVERY_FAILURE, logtags.ENDPOINT_FAILURE)
        asserts.unavailable(client.get("/down" + FILE,
                                       token=tokens.active()))
        assert "MAI01501" in errlog.error_text()

    def test_explicit_endpoint_wins(self, client, mock, tokens):
        iss = serve(mock, "explicit")
        tok = tokens.active(iss=iss)
        asserts.granted(client.get("/explicit" + FILE, token=tok))
        assert [c["path"] for c in mock.calls_for(tok)] == [
            "/introspect/explicit"]
        assert mock.metadata_gets() == 0
        # the metadata URL still names the issuer
        asserts.invalid_token(client.get(
            "/explicit" + FILE, token=tokens.active(iss=OTHER_ISS)))

    def test_insecure_discovered_endpoint_refused(self, client, mock, tokens,
                                                  errlog):
        errlog.expect(DISCOVERY_FAILURE, logtags.ENDPOINT_FAILURE)
        iss = serve(mock, "insecure",
                    introspection_endpoint="http://192.0.2.1/introspect")
        asserts.unavailable(client.get("/insecure" + FILE,
                                       token=tokens.active(iss=iss)))
        assert "MAI01505" in errlog.error_text()

    def test_unlisted_auth_method_warned(self, client, mock, tokens,
                                         errlog):
        errlog.expect(r"\[auth_introspect:warn\].*MAI01507:")
        iss = serve(mock, "methods",
                    introspection_endpoint_auth_methods_supported=[
                        "private_key_jwt"])
        asserts.granted(client.get("/methods" + FILE,
                                   token=tokens.active(iss=iss)))
        assert "MAI01507" in errlog.error_text()

    def test_metadata_and_endpoint_over_tls(self, client, mock, tokens):
        iss = serve(mock, "tls", base=tls_base(mock))
        tok = tokens.active(iss=iss)
        asserts.granted(client.get("/tls" + FILE, token=tok))
        call = mock.calls_for(tok)[0]
        assert call["path"] == "/introspect/tls" and call["tls"]

    def test_metadata_tls_verified(self, client, mock, tokens, errlog):
        # the test CA is not in the system store: the fetch fails
        errlog.expect(DISCOVERY_FAILURE, logtags.ENDPOINT_FAILURE)
        iss = serve(mock, "tls", base=tls_base(mock))
        tok = tokens.active(iss=iss)
        asserts.unavailable(client.get("/tls-untrusted" + FILE, token=tok))
        assert mock.calls_for(tok) == []

    def test_failed_fetches_open_the_breaker(self, client, tokens, errlog):
        errlog.expect(DISCOVERY_FAILURE, logtags.ENDPOINT_FAILURE,
                      r"\[auth_introspect:error\].*MAI00706:")
        # 5 failures in a row (the default) open it, in each process
        seen = ""
        for _ in range(40):
            asserts.unavailable(client.get("/down2" + FILE,
                                           token=tokens.new()))
            seen = errlog.error_text()
            if "MAI00706" in seen:
                break
        assert "MAI00706" in seen
