# SPDX-License-Identifier: Apache-2.0
"""The harness itself: httpd without our module, the mock AS, the CA, the
backend. These pass before the module exists and catch a broken world."""
import http.client
import json
import ssl

import pytest


class TestPlainHttpd:
    MODULE = False

    @staticmethod
    def conf(env):
        return ('Alias /plain/ "%s/"\n'
                'ProxyPass /proxy/ http://127.0.0.1:%d/\n'
                % (env.htdocs, env.backend.port))

    def test_static(self, client):
        r = client.get("/plain/static.txt")
        assert r.status == 200
        assert r.text == "static file\n"

    def test_cgi_runs(self, client):
        r = client.post("/cgi-bin/env.cgi?x=1", body="a=b&c=d",
                        headers={"Content-Type": "text/plain"})
        assert r.status == 200, r
        env = r.json()
        assert env["QUERY_STRING"] == "x=1"
        assert env["body"] == "a=b&c=d"
        assert "REMOTE_USER" not in env

    def test_proxy_echoes_headers(self, client):
        r = client.get("/proxy/x?y=1", headers={"X-Foo": "bar"})
        assert r.status == 200, r
        echo = r.json()
        assert echo["path"] == "/x?y=1"
        assert ["X-Foo", "bar"] in echo["headers"]

    def test_access_log_has_test_name(self, client, env, errlog):
        client.get("/plain/static.txt?access_token=zzzzzzzzzz")
        errlog.requests  # the police waits for the line
        text = errlog._wait_access_lines()
        assert 'GET /plain/static.txt 200 "%s"' % errlog.test_name in text
        assert "zzzzzzzzzz" not in text


class TestMockAS:
    def _post(self, port, path, body, headers=None, tls_ctx=None):
        if tls_ctx:
            conn = http.client.HTTPSConnection("localhost", port,
                                               context=tls_ctx, timeout=10)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("POST", path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            conn.close()

    def test_records_and_answers(self, mock):
        mock.token("abc", {"active": True, "sub": "x"})
        st, hdrs, body = self._post(
            mock.port, "/introspect", "token=abc&token_type_hint=access_token",
            {"Authorization": "Basic bWFpJTNBcnM6cyUyMHAlMjY=",
             "Content-Type": "application/x-www-form-urlencoded"})
        assert st == 200
        assert json.loads(body) == {"active": True, "sub": "x"}
        [call] = mock.calls()
        assert call["method"] == "POST"
        assert call["form"] == {"token": ["abc"],
                                "token_type_hint": ["access_token"]}
        assert call["basic"]["id"] == "mai:rs"
        assert call["basic"]["secret"] == "s p&"

    def test_unknown_token_inactive(self, mock):
        st, _, body = self._post(mock.port, "/introspect", "token=nope")
        assert (st, json.loads(body)) == (200, {"active": False})

    def test_modes(self, mock):
        mock.mode("status", code=500)
        assert self._post(mock.port, "/introspect", "token=a")[0] == 500
        mock.mode("chunked")
        st, hdrs, body = self._post(mock.port, "/introspect", "token=a")
        assert hdrs.get("Transfer-Encoding") == "chunked"
        assert json.loads(body) == {"active": False}
        mock.mode("bigbody")
        st, hdrs, body = self._post(mock.port, "/introspect", "token=a")
        assert len(body) >= 300 * 1024 and json.loads(body)["active"] is False
        mock.mode("close")
        with pytest.raises((http.client.RemoteDisconnected,
                            ConnectionError)):
            self._post(mock.port, "/introspect", "token=a")

    def test_auth_required(self, mock):
        mock.require_auth("post", "id1", "sec1")
        st, _, _ = self._post(mock.port, "/introspect", "token=a")
        assert st == 401
        st, _, _ = self._post(mock.port, "/introspect",
                              "token=a&client_id=id1&client_secret=sec1")
        assert st == 200

    def test_tls_good_and_sni(self, mock, env):
        ctx = ssl.create_default_context(cafile=env.ca_file)
        st, _, _ = self._post(mock.ports["https_good"], "/introspect",
                              "token=a", tls_ctx=ctx)
        assert st == 200
        [call] = mock.calls()
        assert call["tls"] is True
        assert call["sni"] == "localhost"

    @pytest.mark.parametrize("kind", ["https_wronghost", "https_expired",
                                      "https_untrusted"])
    def test_tls_bad_certs_rejected(self, mock, env, kind):
        ctx = ssl.create_default_context(cafile=env.ca_file)
        with pytest.raises(ssl.SSLCertVerificationError):
            self._post(mock.ports[kind], "/introspect", "token=a",
                       tls_ctx=ctx)


class TestLogPolice:
    """The police on synthetic logs: it must catch what it is for."""

    def _police(self, tmp_path, error, access, name="t::x"):
        from harness.errorlog import Police
        e, a = tmp_path / "error.log", tmp_path / "access.log"
        e.write_text("")
        a.write_text("")
        p = Police(str(e), str(a), name, set())
        with open(e, "a") as f:
            f.write(error)
        with open(a, "a") as f:
            f.write(access)
        return p

    LINE = "[Sun Nov 22 02:08:08.1 2026] [%s:%s] [pid 1:tid 2] %s\n"

    def test_clean(self, tmp_path):
        p = self._police(tmp_path, self.LINE % ("core", "notice", "AH1: ok")
                         + self.LINE % ("auth_introspect", "info", "x"), "")
        assert p.problems() == []

    def test_undeclared_error_and_warn(self, tmp_path):
        p = self._police(tmp_path,
                         self.LINE % ("auth_introspect", "error",
                                      "MAI00001: a")
                         + self.LINE % ("core", "warn", "AH00001: b"), "")
        assert len(p.problems()) == 2
        p.expect(r"MAI00001")
        assert len(p.problems()) == 1

    def test_crash_lines(self, tmp_path):
        p = self._police(tmp_path, self.LINE % (
            "core", "notice", "AH00052: child pid 7 exit signal Aborted (6)")
            + "free(): invalid pointer\n", "")
        assert len(p.problems()) == 2

    def test_secrets(self, tmp_path):
        p = self._police(tmp_path, self.LINE % (
            "auth_introspect", "trace8", "body token=abc%2Bdef%2F"),
            'GET / 200 "t::x"\n')
        p.secret("abc+def/")
        assert len(p.problems()) == 1
        p2 = self._police(tmp_path, "", 'GET /abc+def/ 200 "t::x"\n')
        p2.secret("abc+def/")
        assert len(p2.problems()) == 1

    def test_waits_for_access_lines(self, tmp_path):
        import threading
        import time
        p = self._police(tmp_path, "", "")
        p.requests = 1

        def late():
            time.sleep(0.3)
            with open(p.access.path, "a") as f:
                f.write('GET /s3cr3t-token 200 "t::x"\n')
        threading.Thread(target=late).start()
        p.secret("s3cr3t-token")
        assert len(p.problems()) == 1
