# SPDX-License-Identifier: Apache-2.0
"""Helper processes of the test world: the mock AS, the proxied backend,
the real AS (oidc-provider), redis and memcached. Each is a subprocess
started once per session, on free loopback ports, stopped by its PID."""
import base64
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.parse

from .ports import free_port, wait_listening

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class SetupError(Exception):
    """A dependency of the suite is missing: fail, never skip."""


def _stderr_file(workdir, name):
    """Helpers write their stderr to a file: a pipe nobody reads would fill
    up (tracebacks of broken connections) and block them."""
    return open(os.path.join(workdir, name + ".stderr"), "w+b")


def _read_ready(proc, what, timeout=30):
    """Wait for the 'READY ...' line of PROC; returns what follows it."""
    import selectors
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    buf = b""
    while time.monotonic() < deadline:
        if not sel.select(timeout=0.2):
            if proc.poll() is not None:
                break
            continue
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break
        buf += chunk
        if b"\n" in buf:
            line = buf.split(b"\n", 1)[0].decode()
            if line.startswith("READY "):
                return line[6:]
            raise SetupError("%s said %r" % (what, line))
    stop_process(proc)
    err = ""
    f = getattr(proc, "errfile", None)
    if f is not None:
        f.seek(0)
        err = f.read().decode("utf-8", "replace")
    raise SetupError("%s did not become ready (exit %r): %s"
                     % (what, proc.returncode, err.strip()[-2000:]))


def stop_process(proc, timeout=10):
    if proc.poll() is not None:
        return
    try:
        if proc.stdin:
            proc.stdin.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class MockAS:
    """Runs mock_as/server.py and talks to its control API."""

    def __init__(self, certdir, workdir):
        err = _stderr_file(workdir, "mock_as")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "mock_as", "server.py"),
             certdir],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
        self.proc.errfile = err
        self.ports = json.loads(_read_ready(self.proc, "mock AS"))
        self.port = self.ports["http"]

    def stop(self):
        stop_process(self.proc)

    def url(self, path="/introspect", kind="http", host="127.0.0.1"):
        """The endpoint URL; KIND is http or https_good / https_wronghost /
        https_expired / https_untrusted."""
        scheme = "http" if kind == "http" else "https"
        return "%s://%s:%d%s" % (scheme, host, self.ports[kind], path)

    def _call(self, method, path, obj=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            body = json.dumps(obj).encode() if obj is not None else None
            conn.request(method, path, body=body,
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
            if resp.status != 200:
                raise RuntimeError("mock AS %s %s: %d" % (method, path,
                                                           resp.status))
            return json.loads(data)
        finally:
            conn.close()

    def reset(self):
        self._call("POST", "/_control", {"reset": True})

    def tokens(self, mapping):
        """Set TOKEN -> introspection response for each entry."""
        self._call("POST", "/_control", {"tokens": mapping})

    def token(self, token, response, path=None):
        """TOKEN's answer; with PATH, only on that endpoint path (which then
        answers it before the table shared by every path)."""
        if path:
            self._call("POST", "/_control",
                       {"path_tokens": {path: {token: response}}})
        else:
            self.tokens({token: response})

    def mode(self, mode, path="*", **params):
        spec = dict(params, mode=mode)
        self._call("POST", "/_control", {"modes": {path: spec}})

    def require_auth(self, method, client_id=None, secret=None):
        self._call("POST", "/_control", {"auth": {
            "method": method, "id": client_id, "secret": secret}})

    def only_from(self, addresses):
        """Answer introspection calls only from these client addresses
        (None: from all); others are closed unanswered, as by a firewall
        that lets only a proxy through. reset() clears it."""
        self._call("POST", "/_control", {"only_from": addresses})

    def drop_idle(self):
        """Close every connection the mock AS holds open; returns how
        many."""
        return self._call("POST", "/_control", {"drop_idle": True})["dropped"]

    def metadata(self, path, document):
        """Serve DOCUMENT (authorization-server metadata) on GET PATH;
        reset() clears it."""
        self._call("POST", "/_control", {"metadata": {path: document}})

    def metadata_gets(self):
        """How many metadata documents were served since reset()."""
        return self._call("GET", "/_metadata_gets")["gets"]

    def calls(self, path_prefix="/introspect"):
        return [c for c in self._call("GET", "/_calls")
                if c["path"].startswith(path_prefix)]

    def calls_for(self, token):
        return [c for c in self.calls() if c["form"].get("token") == [token]]


class Backend:
    """backend.py: the app behind mod_proxy, echoing request headers."""

    def __init__(self, workdir):
        err = _stderr_file(workdir, "backend")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "backend.py")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
        self.proc.errfile = err
        self.port = int(_read_ready(self.proc, "backend"))

    def stop(self):
        stop_process(self.proc)


class RealAS:
    """panva's oidc-provider (real_as/server.js) on loopback."""

    RESOURCE = "https://api.mai.test"
    OTHER_RESOURCE = "https://other.mai.test"

    def __init__(self, workdir, client_secret, rs_secret, token_ttl=600,
                 resources=None, plugins=(), extra=None, name="real_as",
                 client_cert=None):
        """plugins: names of real_as/plugins/*.js to load; extra: more
        keys for the JSON file the plugins read; name: the file names in
        workdir, so a test can run its own provider next to the session's
        one. With extra {"scheme": "https", "tls_ca": CA file} the token
        requests go over https, verified against that CA; client_cert
        (cert, key): they present it (mutual TLS) and send client_id in
        the form instead of Basic credentials."""
        real = os.path.join(HERE, "real_as")
        if not os.path.isdir(os.path.join(real, "node_modules",
                                          "oidc-provider")):
            raise SetupError(
                "oidc-provider is not installed: run `npm ci` in "
                "tests/integration/real_as (the README's test command "
                "does this)")
        node = shutil.which("node")
        if not node:
            raise SetupError("node is not installed (apt-get install nodejs)")
        self.client_id = "mai-app"
        self.client_secret = client_secret
        self.rs_id = "mai-rs"
        self.rs_secret = rs_secret
        self.client_cert = client_cert
        self.tls_ca = (extra or {}).get("tls_ca")
        cfg = {"client_id": self.client_id, "client_secret": client_secret,
               "rs_id": self.rs_id, "rs_secret": rs_secret,
               "resources": resources or {self.RESOURCE: "read write",
                                          self.OTHER_RESOURCE: "read"},
               "token_ttl": token_ttl, "plugins": list(plugins)}
        cfg.update(extra or {})
        path = os.path.join(workdir, name + ".json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        os.chmod(path, 0o600)
        err = _stderr_file(workdir, name)
        self.proc = subprocess.Popen(
            [node, os.path.join(real, "server.js"), path], cwd=real,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
        self.proc.errfile = err
        self.port = int(_read_ready(self.proc, "oidc-provider", timeout=60))
        self.issuer = "%s://127.0.0.1:%d" % (cfg.get("scheme", "http"),
                                             self.port)
        self.introspection_url = self.issuer + "/token/introspection"

    def stop(self):
        stop_process(self.proc)

    def _connection(self):
        if not self.issuer.startswith("https:"):
            return http.client.HTTPConnection("127.0.0.1", self.port,
                                              timeout=10)
        ctx = ssl.create_default_context(cafile=self.tls_ca)
        if self.client_cert:
            ctx.load_cert_chain(*self.client_cert)
        return http.client.HTTPSConnection("127.0.0.1", self.port,
                                           timeout=10, context=ctx)

    def _post(self, path, form):
        cred = "%s:%s" % (urllib.parse.quote_plus(self.client_id),
                          urllib.parse.quote_plus(self.client_secret))
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.client_cert:
            form = dict(form, client_id=self.client_id)
        else:
            headers["Authorization"] = "Basic " + base64.b64encode(
                cred.encode()).decode()
        conn = self._connection()
        try:
            conn.request("POST", path, body=urllib.parse.urlencode(form),
                         headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def issue(self, scope="read write", resource=None):
        """A fresh opaque access token via client_credentials."""
        status, body = self._post("/token", {
            "grant_type": "client_credentials", "scope": scope,
            "resource": resource or self.RESOURCE})
        if status != 200:
            raise RuntimeError("token request failed: %d %r" % (status, body))
        return json.loads(body)["access_token"]

    def revoke(self, token):
        status, body = self._post("/token/revocation", {
            "token": token, "token_type_hint": "access_token"})
        if status != 200:
            raise RuntimeError("revocation failed: %d %r" % (status, body))


class Redis:
    """redis-server on a free loopback port (or PORT: a restart on the
    port a stopped instance had)."""

    def __init__(self, workdir, port=None):
        exe = shutil.which("redis-server")
        if not exe:
            raise SetupError("redis-server is not installed "
                             "(apt-get install redis-server)")
        self.workdir = workdir
        self.port = port or free_port()
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", workdir,
             "--protected-mode", "yes"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        if not wait_listening(self.port, timeout=10,
                              alive=lambda: self.proc.poll() is None):
            stop_process(self.proc)
            raise SetupError("redis-server did not start")

    @property
    def pid(self):
        return self.proc.pid

    def kill(self):
        """SIGKILL by PID, as a crashed cache server; waits for the end."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self):
        """A fresh (empty) redis-server on the same port."""
        self.kill()
        self.__init__(self.workdir, self.port)

    def stop(self):
        stop_process(self.proc)


class Memcached:
    def __init__(self):
        exe = shutil.which("memcached")
        if not exe:
            raise SetupError("memcached is not installed "
                             "(apt-get install memcached)")
        self.port = free_port()
        args = [exe, "-l", "127.0.0.1", "-p", str(self.port), "-U", "0"]
        if os.geteuid() == 0:
            args += ["-u", "nobody"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        if not wait_listening(self.port, timeout=10,
                              alive=lambda: self.proc.poll() is None):
            stop_process(self.proc)
            raise SetupError("memcached did not start")

    def stop(self):
        stop_process(self.proc)
