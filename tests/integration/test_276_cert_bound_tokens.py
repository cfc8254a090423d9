# SPDX-License-Identifier: Apache-2.0
"""Certificate-bound access tokens at the resource (RFC 8705 section 3):
oidc-provider over https issues tokens bound to the client certificate of
the token request (cnf.x5t#S256); httpd with mod_ssl (SSLVerifyClient
optional_no_ca) lets such a token in only with that certificate. Behind a
TLS-terminating front end (here a TLS virtual host of the same httpd that
forwards SSL_CLIENT_CERT in a header, as mod_headers does) the certificate
comes from AuthIntrospectClientCertHeader, which only the virtual host
that sets it trusts."""
import http.client
import ssl
import urllib.parse

import pytest

from harness import asserts, mtls
from harness.ports import free_port

CGI = "/cgi/env.cgi"
TLS_PORT = free_port()
HDR_PORT = free_port()
FE_PORT = free_port()
HEADER = "X-SSL-Client-Cert"
REFUSED = r"\[auth_introspect:info\].*MAI0(0301|180[12]):"
# Debian's mod_ssl may be built against a newer OpenSSL patch release
# than the one installed: it says so at every start
SSL_BUILD_WARNING = r"\[ssl:warn\].*AH01882:"


@pytest.fixture(autouse=True)
def _ssl_start_warning(errlog):
    errlog.expect(SSL_BUILD_WARNING)


@pytest.fixture(scope="module")
def provider(env):
    app = mtls.client_cert(env, "app", "mai-app")
    mtls.client_cert(env, "other", "mai-other")
    p = mtls.Provider(env, "real_as_bound", app_cn="mai-app", app_cert=app)
    env.bound_provider = p
    yield p
    p.stop()


def _tls_vhost(env, port, *lines):
    good_pem, good_key = env.ca.good
    inner = "\n".join("    " + l for l in (
        "SSLEngine on", "SSLCertificateFile " + good_pem,
        "SSLCertificateKeyFile " + good_key,
        "SSLVerifyClient optional_no_ca") + lines)
    return "Listen 127.0.0.1:%d\n<VirtualHost 127.0.0.1:%d>\n%s\n" \
           "</VirtualHost>" % (port, port, inner)


class TestCertificateBound:
    NEEDS = ("provider",)
    EXTRA_MODULES = ("ssl",)

    @staticmethod
    def conf(env):
        ras = env.bound_provider.real
        return "\n".join([
            # the main server's location, so every virtual host has it
            env.protect("/bound", "AuthIntrospectTLSCAFile " + env.ca_file,
                        "AuthIntrospectClientID " + ras.rs_id,
                        env.secret_line(ras.rs_secret),
                        "AuthIntrospectCacheTTL 60", creds=False,
                        endpoint=env.bound_provider.introspection_url),
            "SSLSessionCache shmcb:%s/ssl_scache(512000)" % env.run_dir,
            # mod_ssl asks for a certificate; any will do (the token
            # names the one it wants)
            _tls_vhost(env, TLS_PORT),
            # the back end behind a front end: trusts the header
            "Listen 127.0.0.1:%d\n<VirtualHost 127.0.0.1:%d>\n"
            "    AuthIntrospectClientCertHeader %s\n</VirtualHost>"
            % (HDR_PORT, HDR_PORT, HEADER),
            # the front end: terminates TLS, forwards the certificate as
            # httpd's own forwarding does, after removing a client's copy
            _tls_vhost(env, FE_PORT, "RequestHeader unset " + HEADER,
                       'RequestHeader set %s "%%{SSL_CLIENT_CERT}s"'
                       % HEADER,
                       "ProxyPass /bound/ http://127.0.0.1:%d/bound/"
                       % HDR_PORT),
        ])

    def _token(self, provider, errlog):
        tok = provider.real.issue()
        errlog.secret(tok)
        return tok

    def _tls(self, client, env, port, cert, path, token, headers=None):
        ctx = ssl.create_default_context(cafile=env.ca_file)
        if cert:
            ctx.load_cert_chain(*mtls.client_cert(env, cert, "mai-" + cert))
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=30,
                                           context=ctx)
        try:
            return client.request("GET", path, token=token, conn=conn,
                                  headers=headers)
        finally:
            conn.close()

    def test_right_certificate(self, client, provider, env, errlog):
        tok = self._token(provider, errlog)
        r = self._tls(client, env, TLS_PORT, "app", "/bound" + CGI, tok)
        asserts.granted(r)
        assert r.json()["INTROSPECT_CLIENT_ID"] == provider.real.client_id
        want = mtls.thumbprint(mtls.client_cert(env, "app", "mai-app")[0])
        assert "MAI01803" in errlog.error_text()
        assert want in errlog.error_text()

    def test_other_certificate(self, client, provider, env, errlog):
        errlog.expect(REFUSED)
        tok = self._token(provider, errlog)
        asserts.invalid_token(self._tls(client, env, TLS_PORT, "other",
                                        "/bound" + CGI, tok))
        text = errlog.error_text()
        assert "MAI01802" in text and "CERT_MISMATCH" in text, text
        # the token still works with its own certificate (not cached as
        # refused)
        asserts.granted(self._tls(client, env, TLS_PORT, "app",
                                  "/bound" + CGI, tok))

    def test_no_certificate(self, client, provider, env, errlog):
        errlog.expect(REFUSED)
        tok = self._token(provider, errlog)
        asserts.invalid_token(self._tls(client, env, TLS_PORT, None,
                                        "/bound" + CGI, tok))
        text = errlog.error_text()
        assert "MAI01801" in text and "NO_CLIENT_CERT" in text, text

    def test_plain_http(self, client, provider, errlog):
        errlog.expect(REFUSED)
        tok = self._token(provider, errlog)
        asserts.invalid_token(client.get("/bound" + CGI, token=tok))
        assert "NO_CLIENT_CERT" in errlog.error_text()

    # -- behind a front end --------------------------------------------
    def test_front_end_right_certificate(self, client, provider, env,
                                         errlog):
        tok = self._token(provider, errlog)
        asserts.granted(self._tls(client, env, FE_PORT, "app",
                                  "/bound" + CGI, tok))

    def test_front_end_other_certificate(self, client, provider, env,
                                         errlog):
        errlog.expect(REFUSED)
        tok = self._token(provider, errlog)
        asserts.invalid_token(self._tls(client, env, FE_PORT, "other",
                                        "/bound" + CGI, tok))
        assert "CERT_MISMATCH" in errlog.error_text()

    def test_front_end_strips_a_forged_header(self, client, provider, env,
                                              errlog):
        """A client without a certificate sends the right one's PEM in the
        header: the front end replaces it."""
        errlog.expect(REFUSED)
        tok = self._token(provider, errlog)
        asserts.invalid_token(self._tls(
            client, env, FE_PORT, None, "/bound" + CGI, tok,
            headers={HEADER: self._pem_header(env, "app")}))
        assert "NO_CLIENT_CERT" in errlog.error_text()

    def _pem_header(self, env, name):
        with open(mtls.client_cert(env, name, "mai-" + name)[0]) as f:
            return " ".join(f.read().split("\n")).strip()

    def _direct(self, client, port, tok, value):
        headers = {HEADER: value} if value is not None else None
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            return client.request("GET", "/bound" + CGI, token=tok,
                                  conn=conn, headers=headers)
        finally:
            conn.close()

    @pytest.mark.parametrize("form", ["pem-spaces", "url-encoded", "der"])
    def test_header_forms(self, client, provider, env, errlog, form):
        """What nginx ($ssl_client_escaped_cert), httpd (mod_headers) and
        others send, straight to the virtual host that trusts it."""
        tok = self._token(provider, errlog)
        pem = open(mtls.client_cert(env, "app", "mai-app")[0]).read()
        value = {"pem-spaces": self._pem_header(env, "app"),
                 "url-encoded": urllib.parse.quote(pem, safe=""),
                 "der": "".join(l for l in pem.splitlines()
                                if "-----" not in l)}[form]
        asserts.granted(self._direct(client, HDR_PORT, tok, value))

    def test_header_wrong_and_absent(self, client, provider, env, errlog):
        errlog.expect(REFUSED)
        tok = self._token(provider, errlog)
        asserts.invalid_token(self._direct(client, HDR_PORT, tok,
                                           self._pem_header(env, "other")))
        asserts.invalid_token(self._direct(client, HDR_PORT, tok, None))
        asserts.invalid_token(self._direct(client, HDR_PORT, tok,
                                           "not a certificate"))
        text = errlog.error_text()
        assert "CERT_MISMATCH" in text and "NO_CLIENT_CERT" in text, text
        assert "in the header " + HEADER in text

    def test_header_not_trusted_elsewhere(self, client, provider, env,
                                          errlog):
        """The main server (no AuthIntrospectClientCertHeader) ignores
        the header: a client cannot claim a certificate with it."""
        errlog.expect(REFUSED)
        tok = self._token(provider, errlog)
        asserts.invalid_token(self._direct(client, self._main_port(env),
                                           tok,
                                           self._pem_header(env, "app")))
        assert "NO_CLIENT_CERT" in errlog.error_text()

    def _main_port(self, env):
        return env.port
