#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A tiny app for the mod_proxy tests: answers every request with a JSON
object holding the method, path and the request headers exactly as they
arrived (a list of [name, value] pairs, original case, duplicates kept).

Run: backend.py [LOGFILE] ; prints "READY <port>" and serves on 127.0.0.1
until its stdin is closed. With LOGFILE, every request is also appended to
it as one JSON line (the same object), before the answer goes out, so a test
can check everything the backend ever saw."""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


RECORD = {"path": None, "lock": threading.Lock()}


def record(line):
    if RECORD["path"] is None:
        return
    with RECORD["lock"]:
        with open(RECORD["path"], "ab") as f:
            f.write(line + b"\n")


class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without NODELAY, Nagle
    # and the peer's delayed ACK add 40 ms to every answer.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def _echo(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        out = json.dumps({"method": self.command, "path": self.path,
                          "headers": [[k, v] for k, v in self.headers.items()],
                          "body": body}).encode()
        record(out)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    def __getattr__(self, name):
        # every method (HEAD, OPTIONS, PATCH, made-up ones) is echoed and
        # recorded: nothing that reaches the backend goes unseen
        if name.startswith("do_"):
            return self._echo
        raise AttributeError(name)


class Server(ThreadingHTTPServer):
    daemon_threads = True


def main():
    if len(sys.argv) > 1:
        RECORD["path"] = sys.argv[1]
    srv = Server(("127.0.0.1", 0), Echo)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    sys.stdout.write("READY %d\n" % srv.server_address[1])
    sys.stdout.flush()
    sys.stdin.read()


if __name__ == "__main__":
    main()
