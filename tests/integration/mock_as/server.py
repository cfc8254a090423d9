#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A fault-injecting mock RFC 7662 authorization server.

Run: server.py CERTDIR [--http-port N] [--no-tls] [--default JSON]
                       [--no-record]
Listens on 127.0.0.1 with one plain-HTTP port and one HTTPS port per
certificate in CERTDIR (good, wronghost, expired, untrusted), all sharing
one state, then prints one line "READY {json of ports}" on stdout.
--http-port binds the plain port to N (a restart on the port a killed
instance had); --no-tls serves the plain port only (CERTDIR may be "-");
--default gives the answer for tokens not in the table (instead of
{"active": false}), kept across resets; --no-record keeps no call records
(long load runs), only the counters of GET /_stats.

Introspection: POST to any path starting with /introspect. The answer for a
token comes from the token table (default {"active": false}); how it is
delivered comes from the mode for that path (exact match) or the default
mode "*".

Control API (plain port or any other; JSON bodies):
  POST /_control  {"reset": true,            clear tokens, modes, calls, auth
                   "tokens": {TOKEN: RESPONSE_OBJECT, ...},   (merged)
                   "path_tokens": {PATH: {TOKEN: RESPONSE_OBJECT}},
                                 (merged; PATH's own answers, before
                                  "tokens": a second endpoint on one mock)
                   "modes": {PATH or "*": MODE}, (merged)
                   "auth": {"method": "basic"|"post"|"none",
                            "id": ..., "secret": ...} or null,
                   "default": RESPONSE_OBJECT}  (unknown tokens; kept
                                                 across resets)
  GET  /_calls    every recorded introspection call, oldest first
  GET  /_stats    {"calls": N, "active": N, "max_active": N}: introspection
                  calls received, being handled now, and the most handled
                  at the same time since the last reset (a handler counts
                  until its answer is written or it saw the client leave)
MODE is {"mode": NAME, ...}:
  normal                 answer with JSON and Content-Length
  slow      seconds=S    wait S seconds, then answer normally
  status    code=N       answer N with a small JSON error body
  garbage                200, Content-Type application/json, body not JSON
  html                   200, Content-Type text/html, an HTML page
  chunked   chunk=N      answer with Transfer-Encoding: chunked (N bytes per
                         chunk, default 7)
  close                  read the request, then close without answering
  truncated              announce a longer Content-Length than is sent, close
  bigbody   size=N       200, a valid JSON object padded to about N bytes
                         (default 300 KiB) with claims of 1000 characters,
                         Content-Length
  bigchunked size=N      same, chunked
  interim                a "100 Continue" interim response first, then the
                         normal answer
  deepjson  depth=N      the normal answer plus a claim "deep" nested so
                         that the document is N levels deep (the top-level
                         object is level 1)
  manyclaims count=N     the normal answer padded with claims c0000, ... to
                         exactly N top-level members
  bigclaim  size=N       the normal answer plus one claim "big" whose string
                         value is N characters
  manyheaders count=N    the normal answer with N header fields in all
  longheader size=N      the normal answer with one header line of exactly N
                         bytes including its CRLF
  cutchunk               chunked; the first chunk announces the whole body
                         but only half of it is sent, then close
  chunksize text=T       chunked, with T as the first chunk-size line
  drip      seconds=S    the normal answer, one byte every S seconds
                         (default 0.2), so no single read ever waits long
  raw       data=B64     send these bytes (base64), then close
  reset                  read the request, then abort the connection (RST)
  body      data=B64 ctype=T   200 with exactly these bytes (base64) as
                         the body and Content-Type T (default
                         application/token-introspection+jwt): an answer
                         the test made itself (a signed JWT, a JWE)
  trailing  data=B64     the normal answer (Content-Length) followed, in
                         the same write, by these bytes (default: a whole
                         forged 200 answer with "active": true), as a
                         desynchronised server or proxy would send; the
                         connection stays open for the next request
Control also takes {"only_from": [ADDRESS, ...]} (null: everyone; reset
clears it): an introspection call from any other address is recorded and
its connection closed without an answer, as a firewall that lets only a
proxy through would (each call records its client's address as
"peer_host"). And {"drop_idle": true}: close every open connection except
the control request's own (a keep-alive connection the client has pooled
goes stale, as when the server's idle timeout ends it).
With "auth" set, a call whose client credentials do not match gets 401
(like a real AS) before the mode applies.
"""
import argparse
import base64
import json
import os
import select
import socket
import struct
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.default = {"active": False}
        self.record = True
        self.reset()

    def reset(self):
        self.tokens = {}
        self.path_tokens = {}
        self.modes = {}
        self.calls = []
        self.auth = None
        self.only_from = None
        self.ncalls = 0
        self.active = 0
        self.max_active = 0
        self.metadata = {}      # path -> RFC 8414 document served on GET
        self.metadata_gets = 0

    def enter(self):
        with self.lock:
            self.ncalls += 1
            self.active += 1
            self.max_active = max(self.max_active, self.active)

    def leave(self):
        with self.lock:
            self.active -= 1

    def mode_for(self, path):
        with self.lock:
            return self.modes.get(path) or self.modes.get("*") or \
                {"mode": "normal"}


STATE = State()
CONNS = set()
CONNS_LOCK = threading.Lock()


def parse_basic(header):
    """Decode Authorization: Basic per RFC 6749 2.3.1: base64, then split at
    the first colon, then form-urldecode each half."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True)
        raw = raw.decode("utf-8")
    except Exception:
        return {"error": "undecodable"}
    if ":" not in raw:
        return {"error": "no colon", "raw": raw}
    rid, rsecret = raw.split(":", 1)
    return {"raw_id": rid, "raw_secret": rsecret,
            "id": urllib.parse.unquote_plus(rid),
            "secret": urllib.parse.unquote_plus(rsecret)}


def padded(answer, size):
    """ANSWER plus claims pad000, pad001, ... of at most 1000 characters
    each (a big but ordinary response: no single huge value), serialised
    to exactly SIZE bytes when SIZE allows."""
    obj = dict(answer)
    base = len(json.dumps(obj))
    i = 0
    while True:
        room = size - base - len(', "pad000": ""')
        if room <= 0:
            break
        n = min(room, 1000)
        obj["pad%03d" % i] = "x" * n
        base = len(json.dumps(obj))
        i += 1
    return json.dumps(obj).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without NODELAY, Nagle
    # and the peer's delayed ACK add 40 ms to every answer.
    disable_nagle_algorithm = True
    server_version = "mock-as"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        with CONNS_LOCK:
            CONNS.add(self.connection)

    def finish(self):
        with CONNS_LOCK:
            CONNS.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    # -- plumbing ---------------------------------------------------------
    def _read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, code, body, ctype="application/json", extra=None):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _send_json(self, code, obj):
        self._send(code, json.dumps(obj))

    def _send_chunked(self, body, chunk):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(0, len(body), chunk):
            part = body[i:i + chunk]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # -- control ----------------------------------------------------------
    def do_GET(self):
        if self.path == "/_calls":
            with STATE.lock:
                calls = list(STATE.calls)
            self._send_json(200, calls)
        elif self.path == "/_stats":
            with STATE.lock:
                stats = {"calls": STATE.ncalls, "active": STATE.active,
                         "max_active": STATE.max_active}
            self._send_json(200, stats)
        elif self.path == "/_health":
            self._send_json(200, {"ok": True})
        elif self.path == "/_metadata_gets":
            with STATE.lock:
                n = STATE.metadata_gets
            self._send_json(200, {"gets": n})
        elif self.path in STATE.metadata:
            with STATE.lock:
                STATE.metadata_gets += 1
                doc = STATE.metadata[self.path]
            self._send_json(200, doc)
        else:
            self._send_json(404, {"error": "not_found"})

    def do_POST(self):
        body = self._read_body()
        if self.path == "/_control":
            return self._control(body)
        if self.path.split("?")[0].startswith("/introspect"):
            return self._introspect(body)
        self._send_json(404, {"error": "not_found"})

    def _control(self, body):
        req = json.loads(body or b"{}")
        with STATE.lock:
            if req.get("reset"):
                STATE.reset()
            STATE.tokens.update(req.get("tokens") or {})
            for path, table in (req.get("path_tokens") or {}).items():
                STATE.path_tokens.setdefault(path, {}).update(table)
            STATE.modes.update(req.get("modes") or {})
            STATE.metadata.update(req.get("metadata") or {})
            if "auth" in req:
                STATE.auth = req["auth"]
            if "default" in req:
                STATE.default = req["default"]
            if "only_from" in req:
                STATE.only_from = req["only_from"]
        dropped = 0
        if req.get("drop_idle"):
            with CONNS_LOCK:
                others = [c for c in CONNS if c is not self.connection]
            for c in others:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                    dropped += 1
                except OSError:
                    pass
        self._send_json(200, {"ok": True, "dropped": dropped})

    # -- introspection ----------------------------------------------------
    def _record(self, body):
        text = body.decode("utf-8", "replace")
        form = urllib.parse.parse_qs(text, keep_blank_values=True)
        call = {
            "time": time.time(),
            "method": self.command,
            "path": self.path,
            "version": self.request_version,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": text,
            "form": form,
            "basic": parse_basic(self.headers.get("Authorization")),
            "tls": isinstance(self.connection, ssl.SSLSocket),
            "sni": getattr(self.server, "last_sni", {}).get(
                self.client_address),
            "port": self.server.server_address[1],
            # the client's port: calls over one connection share it
            "peer": self.client_address[1],
            "peer_host": self.client_address[0],
        }
        if STATE.record:
            with STATE.lock:
                STATE.calls.append(call)
        return call

    def _client_ok(self, call):
        auth = STATE.auth
        if not auth:
            return True
        method = auth.get("method", "basic")
        form = call["form"]
        if method == "basic":
            b = call["basic"] or {}
            return b.get("id") == auth["id"] and \
                b.get("secret") == auth["secret"]
        if method == "post":
            return call["basic"] is None and \
                form.get("client_id") == [auth["id"]] and \
                form.get("client_secret") == [auth["secret"]]
        return call["basic"] is None and "client_secret" not in form

    def _introspect(self, body):
        STATE.enter()
        try:
            return self._introspect_counted(body)
        finally:
            STATE.leave()

    def _client_gone(self, seconds):
        """Wait SECONDS; True as soon as the client closed the connection
        (then this call no longer counts as one being handled)."""
        deadline = time.monotonic() + seconds
        sock = self.connection
        plain = not isinstance(sock, ssl.SSLSocket)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if not plain:
                time.sleep(min(left, 0.05))
                continue
            r, _, _ = select.select([sock], [], [], min(left, 0.05))
            if r:
                try:
                    if sock.recv(1, socket.MSG_PEEK) == b"":
                        return True
                except OSError:
                    return True
                # A pipelined byte: nothing we expect; keep waiting.
                time.sleep(min(left, 0.05))

    def _abandon(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send_raw_close(self, data):
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            pass
        self._abandon()

    def _introspect_counted(self, body):
        call = self._record(body)
        with STATE.lock:
            only = STATE.only_from
        if only is not None and call["peer_host"] not in only:
            self.close_connection = True
            return self._abandon()
        if not self._client_ok(call):
            return self._send(401, json.dumps({"error": "invalid_client"}),
                              extra={"WWW-Authenticate": 'Basic realm="as"'})
        tokens = call["form"].get("token") or [""]
        with STATE.lock:
            own = STATE.path_tokens.get(self.path.split("?")[0], {})
            answer = own.get(tokens[0]) or \
                STATE.tokens.get(tokens[0], STATE.default)
        mode = STATE.mode_for(self.path)
        name = mode.get("mode", "normal")
        payload = json.dumps(answer).encode()
        if name == "slow":
            if self._client_gone(float(mode.get("seconds", 5))):
                return self._abandon()
            return self._send(200, payload)
        special = self._special(name, mode, answer, payload)
        if special is not False:
            return special
        if name == "status":
            code = int(mode.get("code", 500))
            return self._send(code, json.dumps({"error": "server_error"}))
        if name == "garbage":
            return self._send(200, b"{\"active\": tru\x00e,,, <<not json")
        if name == "html":
            return self._send(200, "<html><body>Sign in</body></html>",
                              ctype="text/html")
        if name == "interim":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            return self._send(200, payload)
        if name == "chunked":
            return self._send_chunked(payload, int(mode.get("chunk", 7)))
        if name == "close":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if name == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload) + 100))
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if name in ("bigbody", "bigchunked"):
            size = int(mode.get("size", 300 * 1024))
            big = padded(answer, size)
            if name == "bigchunked":
                return self._send_chunked(big, 8192)
            return self._send(200, big)
        return self._send(200, payload)


    # -- the fault modes of the hardening tests ---------------------------
    def _special(self, name, mode, answer, payload):
        """Modes added for test_200; False when NAME is none of them."""
        if name == "deepjson":
            depth = int(mode.get("depth", 1000))
            # the top-level object is level 1, "deep": [...] level 2...
            deep = "[" * (depth - 1) + "]" * (depth - 1)
            obj = dict(answer)
            obj.pop("deep", None)
            text = json.dumps(obj)
            body = text[:-1] + (", " if obj else "") + '"deep": ' + deep + "}"
            return self._send(200, body)
        if name == "manyclaims":
            obj = dict(answer)
            i = 0
            while len(obj) < int(mode.get("count", 1001)):
                obj["c%04d" % i] = i
                i += 1
            return self._send(200, json.dumps(obj))
        if name == "bigclaim":
            obj = dict(answer, big="b" * int(mode.get("size", 65537)))
            return self._send(200, json.dumps(obj))
        if name == "manyheaders":
            # _send writes Content-Type, Content-Length, Cache-Control, and
            # send_response Server and Date: 5 fields
            extra = {"X-Pad-%03d" % i: "p"
                     for i in range(int(mode.get("count", 101)) - 5)}
            return self._send(200, payload, extra=extra)
        if name == "longheader":
            size = int(mode.get("size", 8193))
            name_ = "X-Long"
            pad = size - len(name_) - len(": ") - 2
            return self._send(200, payload, extra={name_: "l" * pad})
        if name == "cutchunk":
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n")
            cut = payload[:len(payload) // 2]
            return self._send_raw_close(
                head + b"%x\r\n" % len(payload) + cut)
        if name == "chunksize":
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n")
            text = mode.get("text", "ffffffffffffffffffff").encode()
            return self._send_raw_close(head + text + b"\r\n" + payload
                                        + b"\r\n0\r\n\r\n")
        if name == "drip":
            step = float(mode.get("seconds", 0.2))
            data = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(payload)) + payload
            for i in range(len(data)):
                try:
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                except OSError:
                    return self._abandon()
                if self._client_gone(step):
                    return self._abandon()
            return None
        if name == "raw":
            return self._send_raw_close(base64.b64decode(mode.get("data",
                                                                  "")))
        if name == "trailing":
            forged = json.dumps({"active": True, "sub": "forged"}).encode()
            extra = base64.b64decode(mode["data"]) if "data" in mode else (
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % len(forged) + forged)
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(payload))
            try:
                self.wfile.write(head + payload + extra)
                self.wfile.flush()
            except OSError:
                return self._abandon()
            return None
        if name == "body":
            return self._send(200, base64.b64decode(mode.get("data", "")),
                              ctype=mode.get(
                                  "ctype",
                                  "application/token-introspection+jwt"))
        if name == "reset":
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET,
                                           socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.connection.close()
            except OSError:
                pass
            return None
        return False


class TLSServer(ThreadingHTTPServer):
    """HTTPS that does the handshake in the request thread (not in accept),
    so a client that stalls or rejects our certificate blocks nobody, and
    that records the SNI name each client sent."""
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, addr, handler, certfile, keyfile):
        super().__init__(addr, handler)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(certfile, keyfile)
        self.ctx.sni_callback = self._sni
        self.last_sni = {}

    def _sni(self, sslobj, name, ctx):
        try:
            self.last_sni[sslobj.getpeername()] = name
        except OSError:
            pass

    def finish_request(self, request, client_address):
        try:
            request.settimeout(30)
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass


class PlainServer(ThreadingHTTPServer):
    daemon_threads = True
    # many httpd threads connecting at once (load tests): the default
    # backlog of 5 would drop SYNs and stall connects for a second
    request_queue_size = 256


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("certdir")
    ap.add_argument("--http-port", type=int, default=0)
    ap.add_argument("--no-tls", action="store_true")
    ap.add_argument("--default")
    ap.add_argument("--no-record", action="store_true")
    args = ap.parse_args()
    certdir = args.certdir
    if args.default:
        STATE.default = json.loads(args.default)
    STATE.record = not args.no_record
    servers = {"http": PlainServer(("127.0.0.1", args.http_port), Handler)}
    for name in () if args.no_tls else ("good", "wronghost", "expired",
                                         "untrusted"):
        servers["https_" + name] = TLSServer(
            ("127.0.0.1", 0), Handler,
            os.path.join(certdir, name + ".pem"),
            os.path.join(certdir, name + ".key"))
    ports = {}
    for name, srv in servers.items():
        ports[name] = srv.server_address[1]
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    sys.stdout.write("READY " + json.dumps(ports) + "\n")
    sys.stdout.flush()
    try:
        # Exit when the test session (our parent) closes our stdin.
        sys.stdin.read()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
