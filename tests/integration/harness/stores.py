# SPDX-License-Identifier: Apache-2.0
"""Raw clients for the cache servers (standard library only): enough RESP
to dump and edit Redis, enough of memcached's text protocol to dump it,
and the spellings of a secret to look for in a dump."""
import base64
import binascii
import socket
import urllib.parse


# -- Redis (RESP2) ---------------------------------------------------------
class RedisError(Exception):
    pass


def _resp_read(f):
    line = f.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("redis closed the connection")
    kind, rest = line[:1], line[1:-2]
    if kind == b"-":
        raise RedisError(rest.decode("utf-8", "replace"))
    if kind in (b"+", b":"):
        return rest
    if kind == b"$":
        n = int(rest)
        return None if n < 0 else f.read(n + 2)[:-2]
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_resp_read(f) for _ in range(n)]
    raise ValueError(line)


def redis_cmd(port, *args):
    """One command to redis over RESP; returns the decoded reply."""
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(out)
        return _resp_read(s.makefile("rb"))


def redis_keys(port):
    """Every key, by SCAN (not KEYS: what a careful operator would run)."""
    keys, cursor = set(), b"0"
    while True:
        cursor, batch = redis_cmd(port, "SCAN", cursor, "COUNT", 1000)
        keys.update(batch)
        if cursor == b"0":
            return keys


def redis_dump(port):
    """{key: value} of the whole server (SCAN + GET)."""
    out = {}
    for k in redis_keys(port):
        v = redis_cmd(port, "GET", k)
        if v is not None:
            out[k] = v
    return out


# -- memcached (text protocol) ---------------------------------------------
def _mc_until(sock, end):
    buf = b""
    while not buf.endswith(end):
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("memcached closed the connection")
        buf += chunk
    return buf


def _mc_metadump(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"lru_crawler metadump all\r\n")
        text = _mc_until(s, b"END\r\n").decode("ascii", "replace")
    keys = set()
    # metadump ends its lines with a bare LF, only END gets CRLF
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith("key="):
            raw = line.split(" ", 1)[0][4:]
            keys.add(urllib.parse.unquote_to_bytes(raw))
        elif line.startswith(("ERROR", "CLIENT_ERROR", "SERVER_ERROR")):
            raise RuntimeError("memcached metadump: " + line)
    return keys


def memcached_keys(port):
    """Every live key, from `lru_crawler metadump all`. The crawler skips
    an item that is being moved between LRU segments at that moment, so a
    key just written can be missing from one dump: the union of three
    (memcached_get then tells live from gone)."""
    keys = set()
    for _ in range(3):
        keys |= _mc_metadump(port)
    return keys


def memcached_get(port, key):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"get " + key + b"\r\n")
        buf = _mc_until(s, b"END\r\n")
    if buf == b"END\r\n":
        return None
    head, rest = buf.split(b"\r\n", 1)
    n = int(head.split()[3])
    return rest[:n]


def memcached_dump(port):
    """{key: value} of the whole server (metadump + get of each key)."""
    out = {}
    for k in memcached_keys(port):
        v = memcached_get(port, k)
        if v is not None:
            out[k] = v
    return out


# -- what must not appear ----------------------------------------------------
def _b64_cores(data):
    """Base64 (standard and URL-safe) spellings of DATA at any of the three
    byte alignments it can have inside a larger encoded blob: the
    characters that depend on DATA alone."""
    out = set()
    for k in range(3):
        enc = base64.b64encode(b"\0" * k + data).rstrip(b"=")
        core = enc[(8 * k + 5) // 6:-2]
        if len(core) >= 12:
            out.add(core)
            out.add(core.translate(bytes.maketrans(b"+/", b"-_")))
    return out


def spellings(secret):
    """SECRET raw, in hex (both cases) and in base64: none of these may be
    found in a dump of the cache server."""
    raw = secret.encode() if isinstance(secret, str) else secret
    hx = binascii.hexlify(raw)
    return {raw, hx, hx.upper()} | _b64_cores(raw)


def find_leaks(dump, secrets):
    """[(what, key)] for every secret spelling found in a key or value of
    DUMP ({key: value})."""
    leaks = []
    for name, secret in secrets.items():
        forms = spellings(secret)
        for k, v in dump.items():
            for blob in (k, v):
                if any(f in blob for f in forms):
                    leaks.append((name, k))
    return leaks
