# SPDX-License-Identifier: Apache-2.0
"""Mutual TLS to the introspection endpoint (RFC 8705 section 2), against
oidc-provider over https: tls_client_auth (subject DN, certificate from
the CA) and self_signed_tls_client_auth (the client's registered
certificate) work end to end; a wrong certificate or none is refused by
the provider (503, MAI00802); two locations with one endpoint URL and
two certificates each authenticate as their own client, with their own
pooled connections; the key file never reaches a log; the directive's
files are checked by `apache2 -t`."""
import os
import re

import pytest

from harness import asserts, logtags, mtls

CGI = "/cgi/env.cgi"
CLIENT_AUTH_FAILURE = (r"\[auth_introspect:error\].*"
                       r"MAI00(304|802):")


@pytest.fixture(scope="module")
def provider(env):
    rs_tls = mtls.client_cert(env, "rs-tls", "mai-rs-tls")
    rs_tls2 = mtls.client_cert(env, "rs-tls2", "mai-rs-tls2")
    rs_self = mtls.self_signed(env, "rs-self", "mai-rs-self")
    mtls.client_cert(env, "rs-other", "mai-rs-other")
    p = mtls.Provider(env, "real_as_mtls", clients=[
        {"client_id": "mai-rs-tls", "method": "tls_client_auth",
         "subject_dn": "CN=mai-rs-tls"},
        {"client_id": "mai-rs-tls2", "method": "tls_client_auth",
         "subject_dn": "CN=mai-rs-tls2"},
        {"client_id": "mai-rs-self", "method": "self_signed_tls_client_auth",
         "cert": rs_self[0]},
    ])
    env.mtls_provider = p
    env.mtls_certs = {"tls": rs_tls, "tls2": rs_tls2, "self": rs_self}
    yield p
    p.stop()


def _cert(env, name):
    pem, key = mtls.client_cert(env, "rs-" + name, "mai-" + name) \
        if name != "self" else mtls.self_signed(env, "rs-self", "mai-rs-self")
    return "AuthIntrospectClientCert file:%s file:%s" % (pem, key)


def _loc(env, prefix, client_id, auth, cert_name=None):
    lines = ["AuthIntrospectTLSCAFile " + env.ca_file,
             "AuthIntrospectClientID " + client_id,
             "AuthIntrospectClientAuth " + auth,
             "AuthIntrospectCacheTTL 0"]
    if cert_name:
        lines.append(_cert(env, cert_name))
    return env.protect(prefix, *lines, creds=False,
                       endpoint=env.mtls_provider.introspection_url)


class TestMutualTLS:
    NEEDS = ("provider",)

    @staticmethod
    def conf(env):
        return "\n".join([
            _loc(env, "/tls", "mai-rs-tls", "tls_client_auth", "tls"),
            _loc(env, "/tls2", "mai-rs-tls2", "tls_client_auth", "tls2"),
            _loc(env, "/self", "mai-rs-self", "self_signed_tls_client_auth",
                 "self"),
            # the certificate of another client
            _loc(env, "/wrong", "mai-rs-tls", "tls_client_auth", "other"),
            # no certificate: client_id alone
            _loc(env, "/nocert", "mai-rs-tls", "none"),
            # tls_client_auth whose certificate no enclosing section gives:
            # startup lets it pass (others name one), the request is 500
            _loc(env, "/unset", "mai-rs-tls", "tls_client_auth"),
            # discovery (RFC 8414): the metadata URL's endpoint and the
            # endpoint it names present the location's certificate (the
            # same URL without one is set up for /nocert above)
            env.protect("/disc", "AuthIntrospectTLSCAFile " + env.ca_file,
                        "AuthIntrospectClientID mai-rs-tls",
                        "AuthIntrospectClientAuth tls_client_auth",
                        "AuthIntrospectCacheTTL 0", _cert(env, "tls"),
                        "AuthIntrospectMetadataURL "
                        + env.mtls_provider.real.issuer
                        + "/.well-known/openid-configuration",
                        creds=False, endpoint=""),
        ])

    def _token(self, provider, errlog):
        tok = provider.real.issue()
        errlog.secret(tok)
        return tok

    def _keys_secret(self, env, errlog):
        for pem, key in env.mtls_certs.values():
            errlog.secret(*mtls.key_body(key))

    def test_tls_client_auth(self, client, provider, env, errlog):
        self._keys_secret(env, errlog)
        seen = len(provider.introspections())
        r = client.get("/tls" + CGI, token=self._token(provider, errlog))
        asserts.granted(r)
        assert r.json()["INTROSPECT_CLIENT_ID"] == provider.real.client_id
        assert provider.introspections()[seen:] == [("mai-rs-tls", 200)]

    def test_self_signed_tls_client_auth(self, client, provider, env,
                                         errlog):
        self._keys_secret(env, errlog)
        seen = len(provider.introspections())
        asserts.granted(client.get("/self" + CGI,
                                   token=self._token(provider, errlog)))
        assert provider.introspections()[seen:] == [("mai-rs-self", 200)]

    def test_wrong_certificate_refused(self, client, provider, errlog):
        errlog.expect(CLIENT_AUTH_FAILURE)
        asserts.unavailable(client.get("/wrong" + CGI,
                                       token=self._token(provider, errlog)))
        assert provider.introspections()[-1][1] == 401
        text = errlog.error_text()
        assert "MAI00802" in text and "ENDPOINT_CLIENT_AUTH" in text, text

    def test_no_certificate_refused(self, client, provider, errlog):
        errlog.expect(CLIENT_AUTH_FAILURE)
        asserts.unavailable(client.get("/nocert" + CGI,
                                       token=self._token(provider, errlog)))
        assert provider.introspections()[-1][1] == 401
        text = errlog.error_text()
        assert "MAI00802" in text and "ENDPOINT_CLIENT_AUTH" in text, text

    def test_discovered_endpoint_keeps_the_certificate(self, client,
                                                       provider, env,
                                                       errlog):
        self._keys_secret(env, errlog)
        seen = len(provider.introspections())
        asserts.granted(client.get("/disc" + CGI,
                                   token=self._token(provider, errlog)))
        assert provider.introspections()[seen:] == [("mai-rs-tls", 200)]

    def test_tls_auth_without_certificate_is_500(self, client, provider,
                                                 errlog):
        errlog.expect(r"\[auth_introspect:error\].*MAI01800:",
                      r"\[auth_introspect:error\].*MAI00301:")
        seen = len(provider.introspections())
        r = client.get("/unset" + CGI, token=self._token(provider, errlog))
        assert r.status == 500, r
        assert "needs AuthIntrospectClientCert" in errlog.error_text()
        assert provider.introspections()[seen:] == []

    def test_same_url_two_certificates(self, client, provider, env,
                                       errlog):
        """Interleaved on kept-alive connections: a pooled connection or a
        resumed session of one identity handed to the other would make the
        provider see the wrong certificate (401, then 503 here)."""
        self._keys_secret(env, errlog)
        seen = len(provider.introspections())
        for _ in range(3):
            for prefix in ("/tls", "/tls2"):
                asserts.granted(client.get(
                    prefix + CGI, token=self._token(provider, errlog)))
        assert provider.introspections()[seen:] == [
            ("mai-rs-tls", 200), ("mai-rs-tls2", 200)] * 3


def _body(env, *lines):
    return env.protect("/cfg", "AuthIntrospectClientID mai-rs-tls",
                       "AuthIntrospectClientAuth tls_client_auth", *lines,
                       creds=False,
                       endpoint="https://127.0.0.1:9/token/introspection")


class TestConfig:
    """`apache2 -t` and startup refusals; no conf(): nothing is started."""

    def _configtest(self, httpd, body, errlog):
        """The output of a failed `apache2 -t`, which names the file and
        the line of the AuthIntrospectClientCert directive."""
        rc, out, path = httpd.configtest(body)
        assert rc != 0, out
        m = re.search(r"Syntax error on line (\d+) of (\S+):", out)
        assert m and m.group(2) == path, out
        with open(path) as f:
            line = f.read().splitlines()[int(m.group(1)) - 1]
        assert line.strip().startswith("AuthIntrospectClientCert "), line
        return out

    def test_key_not_the_certificates(self, httpd, env, errlog):
        tls = mtls.client_cert(env, "rs-tls", "mai-rs-tls")
        other = mtls.client_cert(env, "rs-other", "mai-rs-other")
        errlog.secret(*mtls.key_body(other[1]))
        out = self._configtest(httpd, _body(
            env, "AuthIntrospectClientCert file:%s file:%s"
            % (tls[0], other[1])), errlog)
        assert "is not the key of the certificate" in out, out
        assert other[1] in out
        for line in mtls.key_body(other[1]):
            assert line not in out

    @pytest.mark.parametrize("case", ["missing", "not-pem", "no-prefix",
                                      "key-is-cert"])
    def test_bad_files(self, httpd, env, errlog, case):
        tls = mtls.client_cert(env, "rs-tls", "mai-rs-tls")
        junk = env.secret_path("not a certificate")
        arg = {"missing": "file:%s file:/nonexistent/k.pem" % tls[0],
               "not-pem": "file:%s file:%s" % (junk, tls[1]),
               "no-prefix": "%s %s" % tls,
               "key-is-cert": "file:%s file:%s" % (tls[0], tls[0])}[case]
        out = self._configtest(httpd, _body(
            env, "AuthIntrospectClientCert " + arg), errlog)
        want = {"missing": "/nonexistent/k.pem", "not-pem": junk,
                "no-prefix": "file:CERT file:KEY",
                "key-is-cert": tls[0]}[case]
        assert want in out, out

    def test_http_endpoint_refused_at_startup(self, httpd, env, errlog):
        tls = mtls.client_cert(env, "rs-tls", "mai-rs-tls")
        errlog.expect(logtags.CONFIG_ERROR)
        body = env.protect("/cfg", "AuthIntrospectClientID mai-rs-tls",
                           "AuthIntrospectClientAuth tls_client_auth",
                           "AuthIntrospectClientCert file:%s file:%s" % tls,
                           creds=False,
                           endpoint="http://127.0.0.1:9/introspect")
        res = httpd.try_start(body)
        assert not res.ok, res
        assert "needs an https endpoint" in res.text, res

    def test_tls_auth_without_certificate_refused(self, httpd, env, errlog):
        errlog.expect(logtags.CONFIG_ERROR)
        res = httpd.try_start(_body(env))
        assert not res.ok, res
        assert "needs AuthIntrospectClientCert" in res.text, res


class TestNotInHtaccess:
    """Neither directive may come from an .htaccess file: a directory
    owner must not choose the certificate sent to the endpoint, nor make
    the server trust a header for client certificates."""

    @staticmethod
    def conf(env):
        return "\n".join([
            'Alias /ht/ "%s/htaccess/"' % env.htdocs,
            '<Directory "%s/htaccess">' % env.htdocs,
            "    AuthIntrospectEndpoint " + env.mock_url(),
            "    AuthIntrospectClientID " + env.client_id,
            "    " + env.secret_line(env.client_secret),
            "</Directory>",
        ])

    @pytest.fixture
    def htaccess(self, env):
        path = os.path.join(env.htdocs, "htaccess", ".htaccess")

        def write(*lines):
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")
            os.chmod(path, 0o644)
        yield write
        if os.path.exists(path):
            os.unlink(path)

    @pytest.mark.parametrize("line", [
        "AuthIntrospectClientCert file:/etc/ssl/x.pem file:/etc/ssl/x.key",
        "AuthIntrospectClientCertHeader X-SSL-Client-Cert",
    ])
    def test_not_allowed(self, client, tokens, mock, errlog, htaccess,
                         line):
        errlog.expect(logtags.HTACCESS_NOT_ALLOWED)
        htaccess("AuthType Bearer", 'AuthName "ht"', line,
                 "Require valid-user")
        r = client.get("/ht/file.txt", token=tokens.active())
        assert r.status == 500, r
        assert mock.calls() == []
        assert line.split()[0] in errlog.error_text()
