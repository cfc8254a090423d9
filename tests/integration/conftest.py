# SPDX-License-Identifier: Apache-2.0
"""Fixtures of the integration suite.

Session: a temporary ServerRoot with a copy of htdocs, the test CA, the
mock AS, the proxied backend, one httpd (restarted only when a test class
needs a different config), and on demand the real AS, redis, memcached.

Per test: the mock AS is reset, the log police watches the error and
access logs, `client` sends requests tagged with the test's node id and
`tokens` makes random tokens (registered as secrets) and answers for them.

A test class (or module) gives its config as a function conf(env) -> body
(see harness.conf.protect); optional class attributes EXTRA_MODULES
(Debian module names) and MODULE (False: run httpd without our module).
"""
import hashlib
import os
import secrets as pysecrets
import shutil
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import conf as confmod                      # noqa: E402
from harness.ca import TestCA                            # noqa: E402
from harness.client import Client, header_safe           # noqa: E402
from harness.errorlog import Police, basic_forms, secret_forms  # noqa: E402
from harness.httpd import Httpd                          # noqa: E402
from harness.ports import free_port                      # noqa: E402
from harness import services                             # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
MODULE_SO = os.environ.get(
    "MAI_MODULE", os.path.join(TOP, ".libs", "mod_auth_introspect.so"))


class Env:
    """Everything a test needs to know about the test world."""

    def __init__(self, root):
        self.root = root
        self.server_root = os.path.join(root, "server")
        self.run_dir = os.path.join(root, "run")
        self.log_dir = os.path.join(root, "logs")
        self.cert_dir = os.path.join(root, "certs")
        self.htdocs = os.path.join(root, "htdocs")
        for d in (self.server_root, self.run_dir, self.log_dir,
                  self.cert_dir):
            os.makedirs(d)
        shutil.copytree(os.path.join(HERE, "htdocs"), self.htdocs)
        for d in (root, self.server_root, self.run_dir, self.cert_dir):
            os.chmod(d, 0o755)
        self.error_log = os.path.join(self.log_dir, "error.log")
        self.access_log = os.path.join(self.log_dir, "access.log")
        self.moddir = "/usr/lib/apache2/modules"
        # A private copy: a rebuild during the session (make relinks the
        # file in place) must not change or crash the running httpd.
        self.module_so = os.path.join(root, "mod_auth_introspect.so")
        if os.path.exists(MODULE_SO):
            shutil.copy2(MODULE_SO, self.module_so)
        self.module_source = MODULE_SO
        self.run_user = self.run_group = "www-data"
        self.port = free_port()
        self.client_id = "mai-rs"
        self.client_secret = "cs-" + pysecrets.token_urlsafe(18)
        self.env_secret = "es-" + pysecrets.token_urlsafe(18)
        self.file_secret = "fs-" + pysecrets.token_urlsafe(18)
        self.secret_file = os.path.join(root, "client-secret.txt")
        with open(self.secret_file, "w") as f:
            f.write(self.file_secret + "\nsecond line is ignored\n")
        os.chmod(self.secret_file, 0o600)
        # the client secret protect() configures, from a file: an inline
        # one would make every start log MAI00105
        self.client_secret_file = self.secret_path(self.client_secret)
        # AuthIntrospectCacheSecret of every server in the session (64 hex
        # characters, as `openssl rand -hex 32` makes them)
        self.cache_secret = pysecrets.token_hex(32)
        self.cache_secret_file = self.secret_path(self.cache_secret)
        self.cache_env_secret = pysecrets.token_hex(32)
        self.httpd_env = {"MAI_TEST_SECRET_ENV": self.env_secret,
                          "MAI_TEST_SECRET_CACHE_ENV": self.cache_env_secret}
        self.session_secrets = set()
        for s in (self.client_secret, self.env_secret, self.file_secret):
            self.add_session_secret(s, self.client_id)
        self.add_session_secret(self.cache_secret)
        self.add_session_secret(self.cache_env_secret)
        self.ca = TestCA(self.cert_dir)
        for name in os.listdir(self.cert_dir):
            p = os.path.join(self.cert_dir, name)
            if os.path.isfile(p):
                os.chmod(p, 0o644)
        self.ca_file = self.ca.ca
        self.mock = None
        self.backend = None

    def secret_path(self, secret):
        """A file (0600) whose first line is SECRET; the same file for the
        same secret."""
        name = "secret-%s.txt" % hashlib.sha256(
            secret.encode()).hexdigest()[:16]
        path = os.path.join(self.root, name)
        if not os.path.exists(path):
            with open(path, "w") as f:
                f.write(secret + "\n")
            os.chmod(path, 0o600)
        return path

    def secret_line(self, secret):
        """AuthIntrospectClientSecret SECRET, from a file (see
        secret_path)."""
        return "AuthIntrospectClientSecret file:" + self.secret_path(secret)

    def cache_lines(self, spec, secret=None):
        """AuthIntrospectCache SPEC with the session's cache secret (or
        SECRET, a file of its own) in front of a config body."""
        path = self.cache_secret_file if secret is None \
            else self.secret_path(secret)
        return ("AuthIntrospectCache %s\nAuthIntrospectCacheSecret file:%s\n"
                % (spec, path))

    def add_session_secret(self, secret, client_id=None):
        self.session_secrets |= secret_forms(secret)
        if client_id:
            self.session_secrets |= basic_forms(client_id, secret)

    def mock_url(self, path="/introspect", kind="http", host="127.0.0.1"):
        return self.mock.url(path, kind, host)

    def errlog_size(self):
        try:
            return os.path.getsize(self.error_log)
        except OSError:
            return 0

    def errlog_since(self, offset):
        try:
            with open(self.error_log, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def protect(self, prefix, *lines, **kw):
        return confmod.protect(self, prefix, *lines, **kw)


class NodeEnv:
    """A second httpd of the same world ("node B" behind a load balancer):
    its own port, ServerRoot (config file) and run dir (pid file, mutexes,
    cgid socket); everything else, the logs included, is node A's, so the
    log police watches both nodes."""

    def __init__(self, env, name):
        self._env = env
        base = os.path.join(env.root, name)
        self.server_root = os.path.join(base, "server")
        self.run_dir = os.path.join(base, "run")
        for d in (base, self.server_root, self.run_dir):
            os.makedirs(d, exist_ok=True)
            os.chmod(d, 0o755)
        self.port = free_port()

    def __getattr__(self, name):
        return getattr(self._env, name)


def _setup_fail(exc):
    pytest.fail("test world set-up failed: %s" % exc, pytrace=False)


@pytest.fixture(scope="session")
def env():
    root = tempfile.mkdtemp(prefix="mai-it-")
    e = None
    started = []
    try:
        e = Env(root)
        e.mock = services.MockAS(e.cert_dir, root)
        started.append(e.mock)
        e.backend = services.Backend(root)
        started.append(e.backend)
        e.httpd = Httpd(e)
    except (services.SetupError, RuntimeError, OSError) as exc:
        for s in started:
            s.stop()
        _setup_fail(exc)
    yield e
    e.httpd.stop()
    for s in reversed(started):
        s.stop()
    if os.environ.get("MAI_KEEP_TMP"):
        sys.stderr.write("\nkept test world in %s\n" % root)
    else:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def httpd(env):
    return env.httpd


@pytest.fixture(scope="session")
def real_as(env):
    try:
        ras = services.RealAS(env.root,
                              "app " + pysecrets.token_urlsafe(12) + "&+",
                              "rs:" + pysecrets.token_urlsafe(12) + " %&+/")
    except (services.SetupError, RuntimeError) as exc:
        _setup_fail(exc)
    env.add_session_secret(ras.client_secret, ras.client_id)
    env.add_session_secret(ras.rs_secret, ras.rs_id)
    env.real_as = ras
    yield ras
    ras.stop()


@pytest.fixture(scope="session")
def redis(env):
    try:
        r = services.Redis(env.root)
    except services.SetupError as exc:
        _setup_fail(exc)
    env.redis_port = r.port
    yield r
    r.stop()


@pytest.fixture(scope="session")
def memcached(env):
    try:
        m = services.Memcached()
    except services.SetupError as exc:
        _setup_fail(exc)
    env.memcached_port = m.port
    yield m
    m.stop()


@pytest.fixture(scope="module")
def node_b(env):
    """A second httpd ("node B"), stopped at the end of the module. Start
    it with node_b.ensure(body, extra_modules=...) like env.httpd; its
    port is node_b.env.port."""
    h = Httpd(NodeEnv(env, "node-b"))
    yield h
    h.stop()


@pytest.fixture(scope="module")
def own_redis(env):
    """A redis-server of this module alone, which its tests may flush, kill
    and restart (the session's `redis` is shared by other modules)."""
    try:
        r = services.Redis(env.root)
    except services.SetupError as exc:
        _setup_fail(exc)
    env.own_redis_port = r.port
    yield r
    r.stop()


@pytest.fixture(autouse=True)
def errlog(request, env):
    """The log police of this test (see harness/errorlog.py)."""
    return Police(env.error_log, env.access_log,
                  header_safe(request.node.nodeid), env.session_secrets)


@pytest.fixture(autouse=True)
def mock(env):
    env.mock.reset()
    return env.mock


def _conf_source(request):
    for holder in (request.cls, request.module):
        if holder is not None and getattr(holder, "conf", None):
            return holder
    return None


@pytest.fixture(autouse=True)
def _config(request, env, errlog):
    holder = _conf_source(request)
    if holder is None:
        return
    module = getattr(holder, "MODULE", True)
    if module and not os.path.exists(env.module_so):
        pytest.fail("module not built: %s is missing (run `autoreconf -fi "
                    "&& ./configure && make` at the top)" % env.module_source,
                    pytrace=False)
    # Fixtures a conf() may need (real AS, redis, memcached) by name.
    for name in getattr(holder, "NEEDS", ()):
        request.getfixturevalue(name)
    body = holder.conf(env)
    env.httpd.ensure(body, module=module,
                     extra_modules=getattr(holder, "EXTRA_MODULES", ()))


@pytest.fixture
def client(request, env, errlog):
    return Client(env.port, request.node.nodeid, errlog)


@pytest.fixture
def client_b(request, node_b, errlog):
    """Like client, for node B (start node B first)."""
    return Client(node_b.env.port, request.node.nodeid, errlog)


class Tokens:
    """Random tokens (RFC 6750 b64token) registered as secrets."""

    def __init__(self, mock, police):
        self.mock = mock
        self.police = police

    def new(self, prefix="tk"):
        tok = prefix + "." + pysecrets.token_urlsafe(24)
        self.police.secret(tok)
        return tok

    def claims(self, **claims):
        """A typical active response: sub alice, valid for an hour."""
        now = int(time.time())
        out = {"active": True, "sub": "alice", "client_id": "app-1",
               "scope": "read write", "iat": now, "exp": now + 3600}
        out.update(claims)
        return {k: v for k, v in out.items() if v is not None}

    def active(self, **claims):
        """A new token the mock AS calls active with CLAIMS."""
        tok = self.new()
        self.mock.token(tok, self.claims(**claims))
        return tok

    def answer(self, response):
        """A new token the mock AS answers with exactly RESPONSE."""
        tok = self.new()
        self.mock.token(tok, response)
        return tok


@pytest.fixture
def tokens(mock, errlog):
    return Tokens(mock, errlog)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    outcome = yield
    police = item.funcargs.get("errlog") if hasattr(item, "funcargs") \
        else None
    if police is None:
        return
    if outcome.excinfo is not None:
        text = police.error_text()
        if text:
            item.add_report_section("call", "httpd error log (this test)",
                                    text[-20000:])
        return
    problems = police.problems()
    if problems:
        item.add_report_section("call", "httpd error log (this test)",
                                police.error_text()[-20000:])
        raise AssertionError("log police:\n  " + "\n  ".join(problems))
