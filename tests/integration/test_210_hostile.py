# SPDX-License-Identifier: Apache-2.0
"""A battery of malformed and hostile requests, sent as raw bytes (most of
them are things http.client refuses to send). Each gets its documented
status: the module's Responses table (docs/directives.md) or, for bytes
httpd itself refuses before any module runs, httpd's documented defaults
(HttpProtocolOptions Strict, LimitRequestFieldSize 8190, LimitRequestFields
100, LimitRequestLine 8190, AllowEncodedSlashes Off).

Every protected location proxies to a backend that records every request
it receives. After each case the record must show: a request reached the
backend only when the case expects a 200, exactly once, with the module's
X-Introspect-* headers for that case's own token, and never a header a
client sent in the X-Introspect / X_Introspect family."""
import json
import socket
import time

import pytest

from harness import asserts
from harness.conf import REALM
from harness.client import header_safe
from harness.faults import RecordingBackend, raw_request, read_response

SPOOF = "SPOOF"    # in every spoofed value; must never reach the backend

# expected answers
OK = "200"                 # granted, seen once by the backend
NO_TOKEN = "401"           # Bearer realm="R"
BAD = "400"                # Bearer realm="R", error="invalid_request"
INVALID = "401-invalid"    # Bearer realm="R", error="invalid_token"
CORE_400 = "core-400"      # httpd refused the bytes: no challenge
CORE_404 = "core-404"
CORE_414 = "core-414"

LOCATIONS = {
    "/h": "header",
    "/hq": "header query",
    "/hf": "header form",
    "/c": "cookie:at",
    "/all": "header query form cookie:at",
}


@pytest.fixture(scope="module")
def recorder(env):
    b = RecordingBackend(env.root)
    env.recorder_port = b.port
    yield b
    b.stop()


def conf(env):
    out = []
    for prefix, sources in LOCATIONS.items():
        out.append(env.protect(prefix,
                               "AuthIntrospectAcceptTokenIn " + sources,
                               "AuthIntrospectSetHeaders On",
                               "ProxyPass http://127.0.0.1:%d/"
                               % env.recorder_port))
    return "\n".join(out)


NEEDS = ("recorder",)


# -- the cases ---------------------------------------------------------------
# Each case: (id, expected, path, header lines, extras). Header lines are
# (name, value) pairs or raw bytes (sent as they are, CRLF added). In
# values and paths, {t} is replaced by the case's own active token, {i} by
# an inactive one. extras: method, body, version, host (False: none),
# raw (bytes replacing the whole request line).

def C(ident, want, path, headers=(), **extra):
    return (ident, want, path, list(headers), extra)


FORM = ("Content-Type", "application/x-www-form-urlencoded")
BEARER = ("Authorization", "Bearer {t}")

SPOOF_NAMES = [
    "X-Introspect-Sub", "x-introspect-sub", "X-INTROSPECT-SUB",
    "X_Introspect_Sub", "x_introspect_sub", "X_INTROSPECT_SUB",
    "X-Introspect_Sub", "X_Introspect-Sub", "x-InTrOsPeCt-sUb",
    "X-Introspect-Claims", "X-Introspect-Roles", "X-Introspect-Active",
    "X-Introspect-Scope", "X_introspect_client_id", "X-Introspect-",
    "X_Introspect_", "X-Introspect-Exp", "X-INTROSPECT-AUD",
]

CASES = [
    # the token in the Authorization header
    C("no-auth", NO_TOKEN, "/h/x"),
    C("valid", OK, "/h/x", [BEARER]),
    C("basic", NO_TOKEN, "/h/x", [("Authorization", "Basic dTpw")]),
    C("proxy-authorization", NO_TOKEN, "/h/x",
      [("Proxy-Authorization", "Bearer {t}")]),
    C("scheme-lower", OK, "/h/x", [("authorization", "bearer {t}")]),
    C("scheme-upper", OK, "/h/x", [("AUTHORIZATION", "BEARER {t}")]),
    C("no-space-after-colon", OK, "/h/x", [b"Authorization:Bearer {t}"]),
    C("trailing-spaces", OK, "/h/x", [b"Authorization: Bearer {t}   "]),
    C("two-spaces", OK, "/h/x", [("Authorization", "Bearer  {t}")]),
    C("tab-separator", BAD, "/h/x", [("Authorization", "Bearer\t{t}")]),
    C("glued", NO_TOKEN, "/h/x", [("Authorization", "Bearer{t}")]),
    C("bare-bearer", BAD, "/h/x", [("Authorization", "Bearer")]),
    C("extra-word", BAD, "/h/x", [("Authorization", "Bearer {t} x")]),
    C("two-headers-same-token", BAD, "/h/x", [BEARER, BEARER]),
    C("two-headers-other-token", BAD, "/h/x",
      [BEARER, ("Authorization", "Bearer {i}")]),
    C("two-headers-basic-first", NO_TOKEN, "/h/x",
      [("Authorization", "Basic dTpw"), BEARER]),
    C("fifty-headers", BAD, "/h/x", [BEARER] * 50),
    C("comma-list", BAD, "/h/x", [("Authorization", "Bearer {t}, Basic x")]),
    C("inactive", INVALID, "/h/x", [("Authorization", "Bearer {i}")]),
    C("padding-only", BAD, "/h/x", [("Authorization", "Bearer ====")]),
    C("padding-inside", BAD, "/h/x", [("Authorization", "Bearer {t}=a")]),
    C("token-4097", BAD, "/h/x",
      [("Authorization", "Bearer {t}" + "A" * 4097)]),
    C("token-8000", BAD, "/h/x",
      [("Authorization", "Bearer " + "A" * 8000)]),
    C("token-8192-over-field-limit", CORE_400, "/h/x",
      [("Authorization", "Bearer " + "A" * 8192)]),
    C("nul-in-token", CORE_400, "/h/x", [b"Authorization: Bearer ab\x00cd"]),
    C("nul-in-other-header", CORE_400, "/h/x",
      [BEARER, b"X-Other: a\x00b"]),
    C("bare-cr-in-token", CORE_400, "/h/x",
      [b"Authorization: Bearer {t}\rX-Introspect-Sub: SPOOF"]),
    C("utf8-token", BAD, "/h/x",
      [("Authorization", "Bearer t\u00f6k\u00e9n".encode().decode(
          "latin-1"))]),
    C("utf8-lookalike-scheme", NO_TOKEN, "/h/x",
      [("Authorization", "B\u0435arer {t}".encode().decode("latin-1"))]),
    C("latin1-byte-in-token", BAD, "/h/x",
      [b"Authorization: Bearer ab\xffcd"]),
    C("control-char-in-token", CORE_400, "/h/x",
      [b"Authorization: Bearer ab\x01cd"]),
    C("del-in-token", CORE_400, "/h/x", [b"Authorization: Bearer ab\x7fcd"]),
    # httpd replaces an obs-fold with a space (RFC 7230 3.2.4 allows that)
    C("obs-fold-authorization", OK, "/h/x",
      [b"Authorization: Bearer", b" {t}"]),
    C("lf-injection", CORE_400, "/h/x",
      [b"Authorization: Bearer {t}\nX-Introspect-Sub: SPOOF"]),
    C("crlf-injection-after-token", OK, "/h/x",
      [b"Authorization: Bearer {t}\r\nX-Introspect-Sub: SPOOF"]),
    C("space-before-colon", CORE_400, "/h/x",
      [BEARER, b"X-Introspect-Sub : SPOOF"]),
    C("tab-before-colon", CORE_400, "/h/x",
      [BEARER, b"X-Introspect-Sub\t: SPOOF"]),
    C("leading-whitespace-line", CORE_400, "/h/x",
      [b" X-Introspect-Sub: SPOOF", BEARER]),
    C("obs-fold-spoof", OK, "/h/x",
      [BEARER, b"X-Introspect-Sub: a", b"\tSPOOF"]),
    C("unicode-header-name", CORE_400, "/h/x",
      [BEARER, "X-\u0406ntrospect-Sub: SPOOF".encode()]),
    C("header-without-colon", CORE_400, "/h/x",
      [BEARER, b"X-Introspect-Sub SPOOF"]),
    C("long-header-line", CORE_400, "/h/x",
      [BEARER, ("X-Big", "b" * 9000)]),
    C("too-many-headers", CORE_400, "/h/x",
      [BEARER] + [("X-F%03d" % n, "v") for n in range(101)]),
    C("long-request-line", CORE_414, "/h/" + "p" * 9000, [BEARER]),
    # spoofed X-Introspect-* in every spelling, with and without a token
] + [
    C("spoof-%02d-%s" % (k, n), OK, "/h/x", [BEARER, (n, SPOOF + "-mallory")])
    for k, n in enumerate(SPOOF_NAMES)
] + [
    C("spoof-all-at-once", OK, "/h/x",
      [BEARER] + [(n, SPOOF) for n in SPOOF_NAMES]),
    C("spoof-no-token", NO_TOKEN, "/h/x",
      [(n, SPOOF) for n in SPOOF_NAMES]),
    C("spoof-inactive-token", INVALID, "/h/x",
      [("Authorization", "Bearer {i}")] + [(n, SPOOF) for n in SPOOF_NAMES]),
    C("spoof-empty-value", OK, "/h/x", [BEARER, b"X-Introspect-Sub:"]),
    C("spoof-twice", OK, "/h/x", [BEARER, ("X-Introspect-Sub", SPOOF + "1"),
                                  ("X-Introspect-Sub", SPOOF + "2")]),
    C("spoof-json-claims", OK, "/h/x",
      [BEARER, ("X-Introspect-Claims",
                '{"active":true,"sub":"%s"}' % SPOOF)]),
    # the token in the query string
    C("query-not-accepted", NO_TOKEN, "/h/x?access_token={t}"),
    C("query", OK, "/hq/x?access_token={t}"),
    C("query-and-header", BAD, "/hq/x?access_token={t}", [BEARER]),
    C("query-twice", BAD, "/hq/x?access_token={t}&access_token={t}"),
    C("query-second-empty", BAD, "/hq/x?access_token={t}&access_token="),
    C("query-empty", BAD, "/hq/x?access_token="),
    C("query-name-case", NO_TOKEN, "/hq/x?ACCESS_TOKEN={t}"),
    C("query-encoded-name", BAD,
      "/hq/x?access%5Ftoken={t}&access_token={t}"),
    C("query-bad-percent", BAD, "/hq/x?access_token={t}%zz"),
    C("query-truncated-percent", BAD, "/hq/x?access_token={t}%4"),
    C("query-lone-percent", BAD, "/hq/x?access_token={t}%"),
    C("query-encoded-nul", BAD, "/hq/x?access_token={t}%00"),
    C("query-encoded-crlf", BAD,
      "/hq/x?access_token={t}%0d%0aX-Introspect-Sub:%20SPOOF"),
    C("query-encoded-space", BAD, "/hq/x?access_token={t}%20x"),
    C("query-plus-is-space", BAD, "/hq/x?access_token={t}+x"),
    C("query-utf8", BAD, "/hq/x?access_token={t}%C3%A9"),
    C("query-header-other-scheme", OK, "/hq/x?access_token={t}",
      [("Authorization", "Basic dTpw")]),
    # the token in a cookie
    C("cookie", OK, "/c/x", [("Cookie", "a=1; at={t}; b=2")]),
    C("cookie-duplicate-name", BAD, "/c/x", [("Cookie", "at={t}; at={t}")]),
    C("cookie-duplicate-no-space", BAD, "/c/x", [("Cookie", "at={t};at={i}")]),
    C("cookie-two-headers", BAD, "/c/x",
      [("Cookie", "at={t}"), ("Cookie", "at={t}")]),
    C("cookie-empty", BAD, "/c/x", [("Cookie", "at=")]),
    C("cookie-other-case", NO_TOKEN, "/c/x", [("Cookie", "AT={t}")]),
    C("cookie-header-not-accepted", NO_TOKEN, "/c/x", [BEARER]),
    C("cookie-and-header", BAD, "/all/x", [BEARER, ("Cookie", "at={t}")]),
    C("cookie-and-query", BAD, "/all/x?access_token={t}",
      [("Cookie", "at={t}")]),
    # the token in a form body
    C("form", OK, "/hf/x", [FORM], method="POST", body="a=1&access_token={t}"),
    C("form-twice", BAD, "/hf/x", [FORM], method="POST",
      body="access_token={t}&access_token={t}"),
    C("form-and-header", BAD, "/hf/x", [FORM, BEARER], method="POST",
      body="access_token={t}"),
    C("form-and-query", BAD, "/all/x?access_token={t}", [FORM],
      method="POST", body="access_token={t}"),
    C("form-bad-percent", BAD, "/hf/x", [FORM], method="POST",
      body="access_token={t}%zz"),
    C("form-encoded-crlf", BAD, "/hf/x", [FORM], method="POST",
      body="access_token={t}%0D%0AX-Introspect-Sub%3A+SPOOF"),
    C("form-chunked-not-searched", NO_TOKEN, "/hf/x",
      [FORM, ("Transfer-Encoding", "chunked")], method="POST",
      body="chunked:access_token={t}"),
    C("form-on-get", NO_TOKEN, "/hf/x", [FORM], body="access_token={t}"),
    C("form-other-type", NO_TOKEN, "/hf/x", [("Content-Type", "text/plain")],
      method="POST", body="access_token={t}"),
    C("form-expect-continue", OK, "/hf/x",
      [FORM, ("Expect", "100-continue")], method="POST",
      body="access_token={t}"),
    # RFC 7230 3.3.3: Transfer-Encoding wins, and a chunked body is not
    # searched for a form token
    C("form-length-and-chunked", NO_TOKEN, "/hf/x",
      [FORM, ("Content-Length", "16"), ("Transfer-Encoding", "chunked")],
      method="POST", body="raw:access_token={t}"),
    C("form-negative-length", CORE_400, "/hf/x",
      [FORM, ("Content-Length", "-1")], method="POST", body="raw:"),
    # methods, versions, request targets, paths
    C("head", OK, "/h/x", [BEARER], method="HEAD"),
    C("options-no-token", NO_TOKEN, "/h/x", method="OPTIONS"),
    C("trace-no-token", NO_TOKEN, "/h/x", method="TRACE"),
    C("made-up-method-no-token", NO_TOKEN, "/h/x", method="FROB"),
    C("delete-no-token", NO_TOKEN, "/h/x", method="DELETE"),
    C("http10-no-host", OK, "/h/x", [BEARER], version="HTTP/1.0",
      host=False),
    C("http10-no-token", NO_TOKEN, "/h/x", version="HTTP/1.0", host=False),
    C("absolute-form-no-token", NO_TOKEN, "http://127.0.0.1/h/x"),
    C("absolute-form-other-host", NO_TOKEN, "http://evil.example/h/x"),
    C("dot-segments", NO_TOKEN, "/h/../h/x"),
    C("encoded-dot-segments", NO_TOKEN, "/h/%2e%2e/h/x"),
    C("double-slash", NO_TOKEN, "//h/x"),
    C("encoded-prefix", NO_TOKEN, "/%68/x"),
    C("encoded-slash", CORE_404, "/h%2Fx"),
    C("rewrite-headers-no-token", NO_TOKEN, "/h/x",
      [("X-Original-URL", "/open"), ("X-Rewrite-URL", "/open"),
       ("X-Forwarded-For", "127.0.0.1"), ("X-Remote-User", "admin")]),
    # httpd's default HttpProtocolOptions has Allow0.9: the answer is the
    # 401 page without a status line
    C("http09", "0.9-401", "/h/x", version=None),
    C("bad-version", CORE_400, "/h/x", [BEARER], version="HTTP/1.1x"),
]


def _expand(text, tok, inactive):
    if isinstance(text, bytes):
        return text.replace(b"{t}", tok.encode()).replace(
            b"{i}", inactive.encode())
    return text.replace("{t}", tok).replace("{i}", inactive)


def _build(port, ident, test_name, path, headers, extra, tok, inactive):
    method = extra.get("method", "GET")
    version = extra.get("version", "HTTP/1.1")
    target = _expand(path, tok, inactive)
    line = "%s %s" % (method, target)
    if version:
        line += " " + version
    out = [line.encode("latin-1")]
    if version is None:
        return out[0] + b"\r\n"
    if extra.get("host", True):
        out.append(b"Host: 127.0.0.1:%d" % port)
    for h in headers:
        if isinstance(h, bytes):
            out.append(_expand(h, tok, inactive))
        else:
            out.append(("%s: %s" % (h[0], _expand(h[1], tok, inactive)))
                       .encode("latin-1"))
    out.append(b"X-Test-Name: " + test_name.encode())
    out.append(b"X-Case: " + ident.encode())
    out.append(b"Connection: close")
    body = extra.get("body")
    data = b""
    if body is not None:
        body = _expand(body, tok, inactive)
        if body.startswith("chunked:"):
            b = body[len("chunked:"):].encode()
            data = b"%x\r\n%s\r\n0\r\n\r\n" % (len(b), b)
        elif body.startswith("raw:"):
            data = body[len("raw:"):].encode()
        else:
            data = body.encode()
            out.append(b"Content-Length: %d" % len(data))
    return b"\r\n".join(out) + b"\r\n\r\n" + data


def _challenge(error=None):
    v = 'Bearer realm="%s"' % REALM
    return v + (', error="%s"' % error if error else "")


def _is_family(name):
    return name.lower().replace("_", "-").startswith("x-introspect")


def _check_records(records, ok_subs):
    """Every request the backend ever saw came from an OK case of this
    module and carries the module's headers for that case's token, and
    no client-sent X-Introspect header or SPOOF value."""
    for rec in records:
        hdrs = rec["headers"]
        cases = [v for k, v in hdrs if k.lower() == "x-case"]
        assert len(cases) == 1 and cases[0] in ok_subs, \
            "backend got a request of no granted case: %r" % rec
        fam = [(k, v) for k, v in hdrs if _is_family(k)]
        subs = [v for k, v in fam if k == "X-Introspect-Sub"]
        assert subs == [ok_subs[cases[0]]], \
            "backend request without the module's own sub: %r" % rec
        names = sorted(k for k, _ in fam)
        assert names == sorted(EXPORTED), \
            "unexpected X-Introspect headers at the backend: %r" % names
        for k, v in hdrs:
            assert SPOOF not in v, "spoofed value reached the backend: %r" \
                % ((k, v),)


EXPORTED = ["X-Introspect-Active", "X-Introspect-Sub",
            "X-Introspect-Client-Id", "X-Introspect-Scope",
            "X-Introspect-Iat", "X-Introspect-Exp", "X-Introspect-Claims"]

# the subs of every granted case so far, by case id (module state: the
# backend's record holds every earlier case too)
GRANTED = {}


def test_enough_cases():
    assert len(CASES) >= 60
    assert len({c[0] for c in CASES}) == len(CASES), "duplicate case ids"


@pytest.mark.parametrize("ident,want,path,headers,extra", CASES,
                         ids=[c[0] for c in CASES])
def test_hostile_request(env, recorder, tokens, errlog, request, ident, want,
                         path, headers, extra):
    sub = "user-" + ident
    tok = tokens.active(sub=sub)
    inactive = tokens.answer({"active": False})
    name = header_safe(request.node.nodeid)
    data = _build(env.port, ident, name, path, headers, extra, tok, inactive)
    if want == OK:
        GRANTED[ident] = sub
    before = len(recorder.seen())
    r = raw_request(env.port, data, head_only=extra.get("method") == "HEAD")
    assert r is not None, "httpd closed the connection without an answer"
    if want in (OK, NO_TOKEN, BAD, INVALID):
        # answered after the headers were read: an access-log line with
        # this test's X-Test-Name follows, which the log police waits for
        errlog.requests += 1
    challenges = r.all("WWW-Authenticate")
    if want == OK:
        assert r.status == 200 and challenges == [], r
    elif want == NO_TOKEN:
        assert (r.status, challenges) == \
            (401, [_challenge(), asserts.dpop_challenge()]), r
    elif want == BAD:
        assert (r.status, challenges) == \
            (400, [_challenge("invalid_request")]), r
    elif want == INVALID:
        assert (r.status, challenges) == \
            (401, [_challenge("invalid_token"), asserts.dpop_challenge()]), r
    elif want == "0.9-401":
        assert r.status is None and b"<title>401 Unauthorized</title>" \
            in r.body, r
    else:
        assert (r.status, challenges) == (int(want[5:]), []), r
    # give the backend's recorder a moment (it writes before answering, so
    # for a 200 the record is already there)
    time.sleep(0.05)
    records = recorder.seen()
    mine = [x for x in records[before:]
            if ["X-Case", ident] in [[k, v] for k, v in x["headers"]]]
    assert len(mine) == (1 if want == OK else 0), mine
    if want == OK and extra.get("method") != "HEAD":
        echo = json.loads(r.body)
        assert echo["headers"] == mine[0]["headers"]
    _check_records(records[before:], GRANTED)


def test_pipelined_requests_judged_alone(env, recorder, tokens, errlog,
                                         request):
    """A granted request, then one without a token (and spoofed headers)
    in the same packet on the same connection: the second is refused."""
    tok = tokens.active(sub="user-pipelined-1")
    GRANTED["pipelined-1"] = "user-pipelined-1"
    name = header_safe(request.node.nodeid).encode()
    first = (b"GET /h/a HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             b"X-Test-Name: %s\r\nX-Case: pipelined-1\r\n\r\n"
             % (tok.encode(), name))
    second = (b"GET /h/b HTTP/1.1\r\nHost: x\r\nX-Introspect-Sub: SPOOF\r\n"
              b"X-Test-Name: %s\r\nX-Case: pipelined-2\r\n"
              b"Connection: close\r\n\r\n" % name)
    with socket.create_connection(("127.0.0.1", env.port), timeout=15) as s:
        s.sendall(first + second)
        f = s.makefile("rb")
        r1 = read_response(f)
        r2 = read_response(f)
    errlog.requests += 2
    assert r1.status == 200, r1
    assert (r2.status, r2.all("WWW-Authenticate")) == \
        (401, [_challenge(), asserts.dpop_challenge()]), r2
    time.sleep(0.05)
    _check_records(recorder.seen(), GRANTED)


def test_backend_saw_only_granted_requests(recorder):
    """Last: the backend's whole record, every case of this module."""
    records = recorder.seen()
    assert len(records) >= len([c for c in CASES if c[1] == OK]) / 2
    _check_records(records, GRANTED)
