# SPDX-License-Identifier: Apache-2.0
"""Helpers of the fault, load and hostile-input tests (test_200, test_210):
a private mock AS that can be killed and restarted on its port, a backend
that records every request it sees, a bounded load generator and a raw
HTTP/1.1 client for bytes http.client refuses to send."""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from .services import HERE, MockAS, _read_ready, _stderr_file, stop_process


class PrivateMock(MockAS):
    """A mock AS of one test module, plain HTTP only: its PORT survives
    kill() + start(), and DEFAULT answers every token not in its table."""

    def __init__(self, workdir, default=None, port=0):
        self.workdir = workdir
        self.default = default
        self.port = port
        self.proc = None
        self.starts = 0
        self.start()

    def start(self):
        """Start (again) on the same port; returns once it answers."""
        argv = [sys.executable, os.path.join(HERE, "mock_as", "server.py"),
                "-", "--no-tls", "--http-port", str(self.port)]
        if self.default is not None:
            argv += ["--default", json.dumps(self.default)]
        err = _stderr_file(self.workdir, "private_mock_%d" % self.starts)
        self.starts += 1
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=err)
        self.proc.errfile = err
        self.ports = json.loads(_read_ready(self.proc, "private mock AS"))
        self.port = self.ports["http"]

    def kill(self):
        """SIGKILL by PID (a crashed server: no goodbye on any socket)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stats(self):
        return self._call("GET", "/_stats")

    def stop(self):
        stop_process(self.proc)


class RecordingBackend:
    """backend.py writing every request it sees to a JSON-lines file."""

    def __init__(self, workdir, name="recording_backend"):
        self.log_path = os.path.join(workdir, name + ".jsonl")
        open(self.log_path, "w").close()
        err = _stderr_file(workdir, name)
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "backend.py"),
             self.log_path],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
        self.proc.errfile = err
        self.port = int(_read_ready(self.proc, "recording backend"))

    def seen(self):
        """Every request the backend received so far, oldest first."""
        with open(self.log_path, "rb") as f:
            return [json.loads(l) for l in f.read().splitlines() if l]

    def stop(self):
        stop_process(self.proc)


class Sample:
    __slots__ = ("kind", "t0", "t1", "status", "retry_after")

    def __init__(self, kind, t0, t1, status, retry_after=None):
        self.kind, self.t0, self.t1 = kind, t0, t1
        self.status, self.retry_after = status, retry_after

    @property
    def took(self):
        return self.t1 - self.t0

    def __repr__(self):
        return "<%s %s at %.2f took %.3fs>" % (self.kind, self.status,
                                               self.t0, self.took)


class Load:
    """A bounded load on loopback: THREADS workers, each on its own
    keep-alive connection, looping over JOB(i) -> (kind, path, headers)
    until stop() or SECONDS. Every answer is kept as a Sample (times from
    time.monotonic()). PAUSE seconds between requests keep it bounded."""

    def __init__(self, port, test_name, job, threads=6, seconds=60,
                 pause=0.005, timeout=30):
        self.port = port
        self.test_name = test_name
        self.job = job
        self.threads = threads
        self.seconds = seconds
        self.pause = pause
        self.timeout = timeout
        self.samples = []
        self.errors = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers = []
        self._count = 0

    def _next(self):
        with self._lock:
            self._count += 1
            return self._count

    def _worker(self, wid):
        conn = None
        deadline = time.monotonic() + self.seconds
        while not self._stop.is_set() and time.monotonic() < deadline:
            kind, path, headers = self.job(self._next(), wid)
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                  timeout=self.timeout)
            t0 = time.monotonic()
            try:
                conn.putrequest("GET", path, skip_accept_encoding=True)
                for k, v in headers:
                    conn.putheader(k, v)
                conn.putheader("X-Test-Name", self.test_name)
                conn.endheaders()
                resp = conn.getresponse()
                resp.read()
                t1 = time.monotonic()
                s = Sample(kind, t0, t1, resp.status,
                           resp.getheader("Retry-After"))
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as exc:
                t1 = time.monotonic()
                s = Sample(kind, t0, t1, None)
                with self._lock:
                    self.errors.append((kind, t0, repr(exc)))
                conn.close()
                conn = None
            with self._lock:
                self.samples.append(s)
            if self.pause:
                time.sleep(self.pause)
        if conn is not None:
            conn.close()

    def start(self):
        for i in range(self.threads):
            t = threading.Thread(target=self._worker, args=(i,),
                                 daemon=True)
            t.start()
            self._workers.append(t)
        return self

    def stop(self):
        self._stop.set()
        for t in self._workers:
            t.join(timeout=self.timeout + 5)
        return self.samples

    def of(self, kind, since=None, until=None):
        """Samples of KIND that started in [SINCE, UNTIL)."""
        with self._lock:
            out = list(self.samples)
        return [s for s in out if s.kind == kind
                and (since is None or s.t0 >= since)
                and (until is None or s.t0 < until)]


class RawResponse:
    def __init__(self, status, reason, headers, body, raw):
        self.status = status
        self.reason = reason
        self.headers = headers      # [(name, value)], in order
        self.body = body
        self.raw = raw

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def __repr__(self):
        return "<RawResponse %r %r headers=%r body=%r>" % (
            self.status, self.reason, self.headers, self.body[:200])


def read_response(f, head_only=False):
    """Read one HTTP/1.x response from F, a binary file on a socket
    (Content-Length, chunked or until close)."""
    raw = b""
    line = f.readline(65537)
    while line.startswith(b"HTTP/1.1 1"):
        # an interim response (100 Continue): skip it and its blank line
        while f.readline(65537) not in (b"\r\n", b"\n", b""):
            pass
        line = f.readline(65537)
    raw += line
    if not line:
        return None
    if not line.startswith(b"HTTP/"):
        # an HTTP/0.9 answer: the body alone, until close
        body = line + f.read()
        return RawResponse(None, "", [], body, body)
    parts = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    status = int(parts[1])
    reason = parts[2] if len(parts) > 2 else ""
    headers = []
    while True:
        line = f.readline(65537)
        raw += line
        if line in (b"\r\n", b"\n", b""):
            break
        k, _, v = line.decode("latin-1").partition(":")
        headers.append((k.strip(), v.strip()))
    hd = {k.lower(): v for k, v in headers}
    body = b""
    if head_only or status in (204, 304) or 100 <= status < 200:
        pass
    elif "chunked" in hd.get("transfer-encoding", "").lower():
        while True:
            size = int(f.readline(65537).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while f.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                break
            body += f.read(size)
            f.readline(3)
    elif "content-length" in hd:
        body = f.read(int(hd["content-length"]))
    else:
        body = f.read()
    return RawResponse(status, reason, headers, body, raw + body)


def raw_request(port, data, timeout=15, head_only=False):
    """Send DATA (bytes, a whole request) on a fresh connection, then read
    one response; None when httpd closed the connection without one."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        try:
            return read_response(s.makefile("rb"), head_only=head_only)
        except ConnectionResetError:
            return None
