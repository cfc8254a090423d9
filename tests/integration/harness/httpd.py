# SPDX-License-Identifier: Apache-2.0
"""A private Debian apache2 (event MPM) run from a rendered config.

One instance per session; ensure(body) restarts it only when the rendered
config differs from the running one. It runs with MALLOC_CHECK_=3 and a
random MALLOC_PERTURB_, is started with `apache2 -f CONF -k start` and
stopped by the PID in its pid file.
"""
import os
import random
import signal
import subprocess
import time

from . import conf as confmod
from .ports import wait_listening

APACHE2 = "/usr/sbin/apache2"


class StartError(Exception):
    pass


class StartResult:
    def __init__(self, ok, rc, output, log):
        self.ok = ok
        self.rc = rc
        self.output = output    # stdout + stderr of `apache2 -k start`
        self.log = log          # what the error log gained meanwhile

    @property
    def text(self):
        return self.output + "\n" + self.log

    def __repr__(self):
        return "StartResult(ok=%r, rc=%r)\n--- output:\n%s\n--- log:\n%s" % (
            self.ok, self.rc, self.output, self.log[-4000:])


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid) as f:
            # A zombie is as good as gone: its reaper may never come.
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Httpd:
    def __init__(self, env):
        self.env = env
        self.conf_path = os.path.join(env.server_root, "httpd.conf")
        self.pidfile = os.path.join(env.run_dir, "httpd.pid")
        self.running_conf = None
        self.pid = None
        self.starts = 0
        self.perturb = None

    # -- public -----------------------------------------------------------
    def render(self, body, **kw):
        return confmod.render(self.env, body, **kw)

    def ensure(self, body, **kw):
        """Run httpd with BODY; restart only when the config changed."""
        text = self.render(body, **kw)
        if text == self.running_conf and self.pid and _alive(self.pid):
            return
        res = self._restart(text)
        if not res.ok:
            raise StartError("httpd did not start:\n%r" % res)

    def try_start(self, body, **kw):
        """Start with BODY, expecting that it may fail; returns a
        StartResult. httpd stays stopped when it failed."""
        return self._restart(self.render(body, **kw))

    def stop(self):
        pid = self.pid or self._pid_from_file()
        self.pid = None
        self.running_conf = None
        if not pid or not _alive(pid):
            self._reap_orphans()
            return
        # graceful-stop, not SIGTERM: on an ungraceful stop the event
        # MPM's main thread closes its workers' sockets itself
        # (close_worker_sockets), racing workers that are ending their
        # connections; with MALLOC_PERTURB_ a lost race is a child
        # SIGSEGV at exit (AH00052, about one run in four of three test
        # files). GracefulShutdownTimeout (conf.py) bounds the wait.
        try:
            os.kill(pid, signal.SIGWINCH)
        except ProcessLookupError:
            self._reap_orphans()
            return
        deadline = time.monotonic() + 20
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)
        self._reap_orphans()

    def _reap_orphans(self):
        """Processes of this instance that outlived its parent (seen under
        load: the mod_cgid daemon of an httpd stopped right after it
        started). Ours by their command line, which names our config."""
        mine = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    cmd = f.read().split(b"\0")
            except OSError:
                continue
            if cmd[:1] == [APACHE2.encode()] and \
                    self.conf_path.encode() in cmd:
                mine.append(int(d))
        for sig in (signal.SIGTERM, signal.SIGKILL):
            mine = [p for p in mine if _alive(p)]
            for p in mine:
                try:
                    os.kill(p, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 2
            while any(_alive(p) for p in mine) and \
                    time.monotonic() < deadline:
                time.sleep(0.05)

    def graceful(self, timeout=15):
        """`apache2 -k graceful` (same config) and wait until the new
        generation says it is resuming normal operations."""
        before = self.env.errlog_size()
        penv = dict(os.environ, LANG="C", **self.env.httpd_env)
        subprocess.run([APACHE2, "-f", self.conf_path, "-k", "graceful"],
                       env=penv, capture_output=True, timeout=60, check=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "AH00489" in self.env.errlog_since(before):
                return
            time.sleep(0.05)
        raise StartError("no AH00489 after a graceful restart")

    def configtest(self, body, **kw):
        """`apache2 -t` on BODY (written beside the running config, which
        stays as it is): (exit status, stdout + stderr, config path)."""
        path = os.path.join(self.env.server_root, "configtest.conf")
        with open(path, "w") as f:
            f.write(self.render(body, **kw))
        penv = {k: v for k, v in os.environ.items()
                if not k.startswith("MAI_TEST_SECRET")}
        penv.update(self.env.httpd_env, LANG="C")
        proc = subprocess.run([APACHE2, "-f", path, "-t"], env=penv,
                              capture_output=True, text=True, timeout=60,
                              cwd=self.env.server_root)
        return proc.returncode, proc.stdout + proc.stderr, path

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.env.port

    # -- internals --------------------------------------------------------
    def _pid_from_file(self):
        try:
            with open(self.pidfile) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def _restart(self, text):
        self.stop()
        try:
            os.unlink(self.pidfile)
        except FileNotFoundError:
            pass
        with open(self.conf_path, "w") as f:
            f.write(text)
        log_before = self.env.errlog_size()
        self.perturb = random.randint(1, 255)
        penv = dict(os.environ)
        penv.update({"MALLOC_CHECK_": "3",
                     "MALLOC_PERTURB_": str(self.perturb),
                     "LANG": "C"})
        for k in list(penv):
            if k.startswith("MAI_TEST_SECRET"):
                del penv[k]
        penv.update(self.env.httpd_env)
        proc = subprocess.run([APACHE2, "-f", self.conf_path, "-k", "start"],
                              env=penv, capture_output=True, text=True,
                              timeout=60, cwd=self.env.server_root)
        self.starts += 1
        output = proc.stdout + proc.stderr
        if proc.returncode != 0:
            return StartResult(False, proc.returncode, output,
                               self.env.errlog_since(log_before))
        pid = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            pid = self._pid_from_file()
            if pid:
                break
            time.sleep(0.05)
        ok = bool(pid) and wait_listening(self.env.port, timeout=15,
                                          alive=lambda: _alive(pid))
        if not ok:
            # It detached but died during the second config pass or in
            # child init (or never wrote a pid file).
            if pid and _alive(pid):
                self.pid = pid
                self.stop()
            return StartResult(False, None, output,
                               self.env.errlog_since(log_before))
        self.pid = pid
        self.running_conf = text
        return StartResult(True, 0, output,
                           self.env.errlog_since(log_before))
