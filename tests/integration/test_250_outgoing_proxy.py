# SPDX-License-Identifier: Apache-2.0
"""Getting to the server (issue 10 section 5): introspection calls through
a real HTTP forward proxy (Debian's tinyproxy), plain http off loopback
only with AuthIntrospectAllowInsecureHTTP On, and a name with several
addresses whose first one is black-holed.

The proxy connects out from 127.0.0.2 (tinyproxy's Bind), and the mock AS
can be told to answer only calls from there (only_from): a firewall that
lets only the proxy through. A call that went around the proxy fails."""
import os
import re
import secrets
import subprocess

import pytest

from conftest import NodeEnv
from harness import asserts, logtags
from harness.client import Client
from harness.conf import ONE_PROCESS
from harness.httpd import Httpd
from harness.ports import Blackhole, free_port, wait_listening
from harness.services import _stderr_file, stop_process

HERE = os.path.dirname(os.path.abspath(__file__))
FILE = "/static.txt"
PROXY_OUT = "127.0.0.2"          # tinyproxy's source address upstream
PROXY_USER = "mai-proxy"
PROXY_PASS = "pp-" + secrets.token_urlsafe(15)
WRONG_PASS = "wp-" + secrets.token_urlsafe(15)
# the name of the multi-address test: not loopback by the module's rule,
# like an in-cluster Hydra admin API
CLUSTER_NAME = "hydra-admin.cluster.internal"
PROXY_ENV = "MAI_TEST_SECRET_PROXY_ENV"

PROXY_ERROR = r"\[auth_introspect:error\].*MAI0130[3-8]:"
INSECURE_WARNING = r"\[auth_introspect:warn\].*MAI01301:"


class Tinyproxy:
    """tinyproxy in the foreground on a free loopback port, with a config
    of our own: clients from 127.0.0.1 only, upstream connections from
    127.0.0.2, CONNECT to the given ports only, Basic credentials."""

    def __init__(self, workdir, connect_ports, user, password):
        self.dir = os.path.join(workdir, "tinyproxy")
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o777)
        self.port = free_port()
        self.log_path = os.path.join(self.dir, "tinyproxy.log")
        lines = ["Port %d" % self.port, "Listen 127.0.0.1",
                 "Bind %s" % PROXY_OUT, "Timeout 30",
                 'LogFile "%s"' % self.log_path, "LogLevel Info",
                 "MaxClients 100", "Allow 127.0.0.1",
                 "BasicAuth %s %s" % (user, password)]
        lines += ["ConnectPort %d" % p for p in connect_ports]
        conf = os.path.join(self.dir, "tinyproxy.conf")
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        err = _stderr_file(workdir, "tinyproxy")
        self.proc = subprocess.Popen(["tinyproxy", "-d", "-c", conf],
                                     stdin=subprocess.DEVNULL, stdout=err,
                                     stderr=err)
        if not wait_listening(self.port, timeout=15,
                              alive=lambda: self.proc.poll() is None):
            stop_process(self.proc)
            err.seek(0)
            pytest.fail("tinyproxy did not start (Debian package tinyproxy; "
                        "scripts/setup.sh installs it): %s"
                        % err.read().decode("utf-8", "replace")[-2000:],
                        pytrace=False)

    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        stop_process(self.proc)


@pytest.fixture(scope="module")
def tinyproxy(env):
    env.add_session_secret(PROXY_PASS, PROXY_USER)
    env.add_session_secret(WRONG_PASS, PROXY_USER)
    # AuthIntrospectProxyCredentials env:... of TestCredentialsFromEnv
    env.httpd_env[PROXY_ENV] = "%s:%s" % (PROXY_USER, PROXY_PASS)
    tp = Tinyproxy(env.root, [env.mock.ports["https_good"]], PROXY_USER,
                   PROXY_PASS)
    env.tinyproxy = tp
    yield tp
    tp.stop()


def _cred_file(env, password):
    return env.secret_path("%s:%s" % (PROXY_USER, password))


def _https(env):
    return env.mock.url(kind="https_good", host="localhost")


def _header(call, name):
    return [v for k, v in call["headers"] if k.lower() == name.lower()]


class TestThroughProxy:
    NEEDS = ("tinyproxy",)

    @staticmethod
    def conf(env):
        return "\n".join([
            ONE_PROCESS,
            "AuthIntrospectProxy " + env.tinyproxy.url(),
            "AuthIntrospectProxyCredentials file:"
            + _cred_file(env, PROXY_PASS),
            "AuthIntrospectBreaker 0 1",
            env.protect("/px-http"),
            env.protect("/px-https", "AuthIntrospectTLSCAFile "
                        + env.ca_file, endpoint=_https(env)),
            env.protect("/px-wrongca", "AuthIntrospectTLSCAFile "
                        + env.ca.other_ca, endpoint=_https(env)),
        ])

    def test_http_goes_through_proxy(self, client, tokens, mock, tinyproxy):
        mock.only_from([PROXY_OUT])
        tok = tokens.active()
        asserts.granted(client.get("/px-http" + FILE, token=tok))
        (call,) = mock.calls_for(tok)
        assert call["peer_host"] == PROXY_OUT
        assert any("tinyproxy" in v for v in _header(call, "Via")), call
        # absolute form: the proxy read the request line itself
        assert ("POST http://127.0.0.1:%d/introspect" % mock.port
                in tinyproxy.log())

    def test_https_tunnel_verified_end_to_end(self, client, tokens, mock,
                                              tinyproxy):
        mock.only_from([PROXY_OUT])
        tok = tokens.active()
        asserts.granted(client.get("/px-https" + FILE, token=tok))
        (call,) = mock.calls_for(tok)
        assert call["peer_host"] == PROXY_OUT
        assert call["tls"] is True
        # TLS with the endpoint itself: SNI names it, not the proxy
        assert call["sni"] == "localhost"
        # the proxy's credentials went to the proxy, not into the tunnel
        assert _header(call, "Proxy-Authorization") == []
        assert _header(call, "Via") == []
        assert ("CONNECT localhost:%d" % mock.ports["https_good"]
                in tinyproxy.log())

    def test_tunnel_pooled_for_its_endpoint(self, client, tokens, mock):
        mock.only_from([PROXY_OUT])
        t1, t2 = tokens.active(), tokens.active()
        asserts.granted(client.get("/px-https" + FILE, token=t1))
        asserts.granted(client.get("/px-https" + FILE, token=t2))
        (c1,) = mock.calls_for(t1)
        (c2,) = mock.calls_for(t2)
        # one process, a keep-alive answer: the second call used the same
        # tunnel (the proxy's same upstream connection)
        assert c1["peer"] == c2["peer"]

    def test_wrong_ca_fails_inside_tunnel(self, client, tokens, mock,
                                          errlog, tinyproxy):
        errlog.expect(logtags.ENDPOINT_FAILURE)
        before = tinyproxy.log().count("CONNECT localhost:%d"
                                       % mock.ports["https_good"])
        tok = tokens.active()
        asserts.unavailable(client.get("/px-wrongca" + FILE, token=tok))
        assert mock.calls_for(tok) == []
        assert "MAI00701" in errlog.error_text()
        # the tunnel was opened: our own check refused the certificate
        assert tinyproxy.log().count("CONNECT localhost:%d"
                                     % mock.ports["https_good"]) > before


class TestCredentialsFromEnv:
    NEEDS = ("tinyproxy",)

    @staticmethod
    def conf(env):
        return "\n".join([
            "AuthIntrospectProxy " + env.tinyproxy.url(),
            "AuthIntrospectProxyCredentials env:" + PROXY_ENV,
            env.protect("/px-env"),
        ])

    def test_env_credentials_work_and_leave_the_environment(
            self, httpd, client, tokens, mock):
        """Read once, taken out of the environment of httpd and of every
        process it starts (the bytes wiped, as /proc/PID/environ shows the
        initial block), still there after a graceful restart."""
        mock.only_from([PROXY_OUT])
        pids = []
        for d in os.listdir("/proc"):
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    if httpd.conf_path.encode() in f.read().split(b"\0"):
                        pids.append(d)
            except OSError:
                continue
        assert len(pids) >= 2, pids
        for pid in pids:
            with open("/proc/%s/environ" % pid, "rb") as f:
                assert PROXY_PASS.encode() not in f.read(), pid
        asserts.granted(client.get("/px-env" + FILE,
                                   token=tokens.active()))
        httpd.graceful()
        tok = tokens.active()
        asserts.granted(client.get("/px-env" + FILE, token=tok))
        (call,) = mock.calls_for(tok)
        assert call["peer_host"] == PROXY_OUT


class TestDirectPathBlocked:
    """Without the proxy, the mock AS (answering only the proxy's address)
    is unreachable: what the tests above got, they got through it."""

    @staticmethod
    def conf(env):
        return "\n".join(["AuthIntrospectBreaker 0 1",
                          env.protect("/direct")])

    def test_direct_call_refused(self, client, tokens, mock, errlog):
        errlog.expect(logtags.ENDPOINT_FAILURE)
        mock.only_from([PROXY_OUT])
        tok = tokens.active()
        asserts.unavailable(client.get("/direct" + FILE, token=tok))
        (call,) = mock.calls_for(tok)
        assert call["peer_host"] == "127.0.0.1"


class TestProxyRefuses:
    """Wrong credentials. tinyproxy 1.11 answers them with 401 (not 407);
    to CONNECT, any non-2xx answer is the proxy's refusal."""
    NEEDS = ("tinyproxy",)

    @staticmethod
    def conf(env):
        return "\n".join([
            ONE_PROCESS,
            "AuthIntrospectProxy " + env.tinyproxy.url(),
            "AuthIntrospectProxyCredentials file:"
            + _cred_file(env, WRONG_PASS),
            "AuthIntrospectBreaker 2 30",
            env.protect("/bad-https", "AuthIntrospectTLSCAFile "
                        + env.ca_file, endpoint=_https(env)),
        ])

    def test_refused_connect_is_503_and_counts_for_breaker(
            self, client, tokens, mock, errlog, tinyproxy):
        errlog.expect(PROXY_ERROR, logtags.ENDPOINT_FAILURE,
                      r"MAI00706:")
        proxy = "127.0.0.1:%d" % tinyproxy.port
        for _ in range(2):
            asserts.unavailable(client.get("/bad-https" + FILE,
                                           token=tokens.active()))
        text = errlog.error_text()
        lines = [l for l in text.splitlines() if "MAI01303" in l]
        assert len(lines) == 2, text
        assert proxy in lines[0], lines[0]
        assert re.search(r"HTTP 40[17] \(check AuthIntrospectProxyCred",
                         lines[0]), lines[0]
        assert "localhost:%d" % mock.ports["https_good"] in lines[0]
        # two failures in a row opened the breaker: the third is refused
        # without asking the proxy
        assert "MAI00706" in text
        connects = tinyproxy.log().count("CONNECT localhost:")
        asserts.unavailable(client.get("/bad-https" + FILE,
                                       token=tokens.active()))
        assert tinyproxy.log().count("CONNECT localhost:") == connects
        assert mock.calls() == []
        # the log police checks that neither password (nor its Basic
        # form) is in any log line


class TestProxyWithoutCredentials:
    """No credentials at all: tinyproxy's 407, to CONNECT and to a plain
    http call in absolute form."""
    NEEDS = ("tinyproxy",)

    @staticmethod
    def conf(env):
        return "\n".join([
            "AuthIntrospectProxy " + env.tinyproxy.url(),
            "AuthIntrospectBreaker 0 1",
            env.protect("/nocred-https", "AuthIntrospectTLSCAFile "
                        + env.ca_file, endpoint=_https(env)),
            env.protect("/nocred-http"),
        ])

    def test_connect_407(self, client, tokens, mock, errlog, tinyproxy):
        errlog.expect(PROXY_ERROR, logtags.ENDPOINT_FAILURE)
        asserts.unavailable(client.get("/nocred-https" + FILE,
                                       token=tokens.active()))
        lines = [l for l in errlog.error_text().splitlines()
                 if "MAI01303" in l]
        assert len(lines) == 1
        assert "127.0.0.1:%d" % tinyproxy.port in lines[0]
        assert "HTTP 407" in lines[0]
        assert mock.calls() == []

    def test_http_407(self, client, tokens, mock, errlog, tinyproxy):
        errlog.expect(PROXY_ERROR, logtags.ENDPOINT_FAILURE)
        asserts.unavailable(client.get("/nocred-http" + FILE,
                                       token=tokens.active()))
        lines = [l for l in errlog.error_text().splitlines()
                 if "MAI01304" in l]
        assert len(lines) == 1
        assert "127.0.0.1:%d" % tinyproxy.port in lines[0]
        assert mock.calls() == []


def _loc(env, path, endpoint, *lines):
    return env.protect(path, *lines, endpoint=endpoint)


class TestInsecureHTTP:
    """No conf(): each test starts httpd itself."""

    def test_off_refuses_remote_http_naming_the_line(self, httpd, env,
                                                     errlog):
        errlog.expect(logtags.CONFIG_ERROR)
        body = _loc(env, "/insecure",
                    "http://%s:4445/admin/oauth2/introspect" % CLUSTER_NAME)
        res = httpd.try_start(body)
        assert not res.ok, res
        assert "MAI01300" in res.text, res.text
        assert "httpd.conf:" in res.text
        assert "AuthIntrospectAllowInsecureHTTP" in res.text
        rc, text, path = httpd.configtest(body)
        assert rc != 0 and "MAI01300" in text, text
        assert os.path.basename(path) + ":" in text, text

    def test_plain_http_via_remote_proxy_refused(self, httpd, env, errlog):
        errlog.expect(logtags.CONFIG_ERROR)
        res = httpd.try_start("AuthIntrospectProxy http://proxy.example:3128"
                              "\n" + env.protect("/insecure"))
        assert not res.ok, res
        assert "proxy.example:3128" in res.text, res.text
        assert "AuthIntrospectAllowInsecureHTTP" in res.text

    def test_proxy_credentials_need_a_proxy(self, httpd, env, errlog):
        errlog.expect(logtags.CONFIG_ERROR)
        res = httpd.try_start("AuthIntrospectProxyCredentials file:"
                              + _cred_file(env, PROXY_PASS) + "\n"
                              + env.protect("/insecure"))
        assert not res.ok and "MAI01302" in res.text, res

    @pytest.mark.parametrize("line", [
        "AuthIntrospectProxy https://127.0.0.1:3128",
        "AuthIntrospectProxy http://user:pw@127.0.0.1:3128",
        "AuthIntrospectProxy http://127.0.0.1:3128/path",
        "AuthIntrospectProxyCredentials " + PROXY_USER + ":inline",
    ], ids=["https-proxy", "userinfo", "path", "inline-credentials"])
    def test_bad_proxy_values_refused(self, httpd, env, errlog, line):
        errlog.expect(logtags.CONFIG_ERROR)
        res = httpd.try_start(line + "\n" + env.protect("/insecure"))
        # httpd names the line (AH00526) and our reason follows
        assert not res.ok and "AH00526" in res.text, res
        assert "inline" not in res.text

    def test_allow_insecure_only_in_main_server(self, httpd, env, errlog):
        errlog.expect(logtags.CONFIG_ERROR)
        res = httpd.try_start(
            "<VirtualHost 127.0.0.1:%d>\nAuthIntrospectAllowInsecureHTTP On"
            "\n</VirtualHost>\n" % free_port() + env.protect("/insecure"))
        assert not res.ok and "AuthIntrospectAllowInsecureHTTP" in res.text


class _PrivateEnv(NodeEnv):
    """The session's world with a private httpd: its own port, ServerRoot
    and run dir (conftest's NodeEnv), and the getaddrinfo shim in its
    environment; logs are the session's, so the log police watches it."""

    def __init__(self, env, name, shim, addrs):
        super().__init__(env, name)
        self.httpd_env = dict(env.httpd_env, LD_PRELOAD=shim,
                              MAI_SHIM_NAME=CLUSTER_NAME,
                              MAI_SHIM_ADDRS=",".join(addrs))


def _build_shim(env):
    src = os.path.join(HERE, "shim", "getaddrinfo_shim.c")
    out = os.path.join(env.root, "getaddrinfo_shim.so")
    if not os.path.exists(out):
        subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", out, src,
                        "-ldl"], check=True)
        os.chmod(out, 0o755)
    return out


@pytest.fixture(scope="module")
def multi(env):
    """A private httpd for which CLUSTER_NAME resolves to 127.0.0.2 (a
    black hole: a listener that never accepts, its backlog full) and then
    127.0.0.1, both on the mock AS's port."""
    hole = Blackhole(host=PROXY_OUT, port=env.mock.port)
    h = Httpd(_PrivateEnv(env, "multi", _build_shim(env),
                          [PROXY_OUT, "127.0.0.1"]))
    yield h
    h.stop()
    hole.close()


class TestMultiAddress:
    """No conf(): the test starts the private httpd."""

    def test_black_holed_first_address_does_not_eat_the_budget(
            self, multi, env, tokens, mock, errlog, request):
        errlog.expect(INSECURE_WARNING)
        endpoint = "http://%s:%d/introspect" % (CLUSTER_NAME, mock.port)
        multi.ensure("\n".join([
            "AuthIntrospectAllowInsecureHTTP On",
            "AuthIntrospectBreaker 0 1",
            # 2 s to connect: the first address alone would take it all
            env.protect("/multi", "AuthIntrospectTimeout 5 2",
                        endpoint=endpoint)]))
        # the warning of this start, at startup
        assert "MAI01301" in errlog.error_text()
        client = Client(multi.env.port, request.node.nodeid, errlog)
        tok = tokens.active()
        asserts.granted(client.get("/multi" + FILE, token=tok))
        (call,) = mock.calls_for(tok)
        assert call["peer_host"] == "127.0.0.1"
        # the second address was tried while the first hung
        lines = [l for l in errlog.error_text().splitlines()
                 if "MAI01309" in l]
        assert lines and "127.0.0.1" in lines[0], errlog.error_text()
