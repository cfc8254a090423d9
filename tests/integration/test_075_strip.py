# SPDX-License-Identifier: Apache-2.0
"""X-Introspect-* request headers come only from this module, for the
location that serves the request: a client's are removed from every
request before any other module runs, whatever the AuthType; a subrequest
or internal redirect never carries another location's; chunked-request
trailers in the family never reach headers_in (MergeTrailers On), a CGI
program or a backend."""
import json
import os
import socket

from harness import asserts
from harness.conf import directives
from harness.faults import read_response

SPOOF = "mallory"
HEADERS = [("X-Introspect-Sub", SPOOF), ("x_introspect_scope", SPOOF),
           ("X.Introspect.Role", SPOOF)]
CGI = "/cgi/env.cgi"

EXTRA_MODULES = ("setenvif",)


def conf(env):
    be = "http://127.0.0.1:%d/" % env.backend.port
    h = env.htdocs
    bearer = "\n".join("        " + l for l in directives(env=env)
                       + ["Require valid-user"])
    return "\n".join([
        "MergeTrailers On",
        # Server-level modules that run before any per-directory hook:
        # each copies what it saw into a request header the app shows.
        "RewriteEngine On",
        "RewriteCond %{HTTP:X-Introspect-Sub} ^(.+)$",
        "RewriteRule ^ - [E=REWRITE_SAW:%1]",
        'SetEnvIf X-Introspect-Sub "(.+)" SETENVIF_SAW=$1',
        'RequestHeader set X-Early-Copy "%{X-Introspect-Sub}i" early',
        'RequestHeader set X-Rewrite-Saw "%{REWRITE_SAW}e" env=REWRITE_SAW',
        'RequestHeader set X-Setenvif-Saw "%{SETENVIF_SAW}e" '
        "env=SETENVIF_SAW",
        # What headers_in and trailers_in hold when the request is logged.
        'CustomLog "%s/strip.log" "%%{X-Test-Name}i|%%{X-Introspect-Sub}i|'
        '%%{X-Introspect-Sub}^ti"' % env.log_dir,
        env.protect("/e", "AuthIntrospectSetHeaders On"),
        env.protect("/app", "AuthIntrospectSetHeaders On", "ProxyPass " + be),
        'ScriptAlias /open/cgi/ "%s/cgi-bin/"' % h,
        'Alias /open/ "%s/"' % h,
        "<Location /open-app/>\n    ProxyPass %s\n</Location>" % be,
        # DirectoryIndex into a Bearer area that covers the index file only
        '<Directory "%s/fm">' % h,
        "    Options +ExecCGI",
        "    AddHandler cgi-script .cgi",
        "    DirectoryIndex index.cgi",
        '    <FilesMatch "^index\\.cgi$">',
        bearer,
        "    </FilesMatch>",
        "</Directory>",
    ])


def _family(pairs):
    """The (name, value) pairs in the X-Introspect family, any separator."""
    out = []
    for k, v in pairs:
        n = "".join(c if c.isalnum() else "-" for c in k.lower())
        if n.startswith("x-introspect-"):
            out.append((k, v))
    return out


def _cgi_family(seen):
    return [k for k in seen if k.startswith("HTTP_X_INTROSPECT")]


def _json_in(text):
    return json.loads(text[text.index("{"):text.rindex("}") + 1])


class TestEveryRequest:
    """post_read_request, first: nothing after it sees the client's."""

    def test_server_level_modules_never_see_them(self, client):
        """Server-level RewriteCond, SetEnvIf and RequestHeader ... early
        run before any per-directory hook (the old header_parser removal
        came too late for them)."""
        r = client.get("/open" + CGI, headers=HEADERS)
        asserts.granted(r)
        assert SPOOF not in r.text, r.text
        seen = r.json()
        assert "HTTP_X_REWRITE_SAW" not in seen
        assert "HTTP_X_SETENVIF_SAW" not in seen
        assert _cgi_family(seen) == []

    def test_server_level_modules_on_a_bearer_location(self, client,
                                                       tokens):
        r = client.get("/e" + CGI, token=tokens.active(), headers=HEADERS)
        asserts.granted(r)
        assert SPOOF not in r.text, r.text
        seen = r.json()
        assert seen["HTTP_X_INTROSPECT_SUB"] == "alice"

    def test_cgi_without_auth(self, client):
        r = client.get("/open" + CGI, headers=HEADERS)
        asserts.granted(r)
        assert _cgi_family(r.json()) == []

    def test_proxy_without_auth(self, client):
        """A location without AuthType proxying to the same backend as a
        protected one: the backend must be able to trust the family."""
        r = client.get("/open-app/x", headers=HEADERS)
        asserts.granted(r)
        echo = r.json()
        assert _family(echo["headers"]) == [], echo
        assert SPOOF not in r.text

    def test_other_separators(self, client):
        r = client.get("/open-app/x", headers=[("X~Introspect~Sub", SPOOF),
                                               ("x-introspect.sub", SPOOF)])
        asserts.granted(r)
        assert SPOOF not in r.text, r.json()


class TestSubrequests:
    def test_directory_index_into_filesmatch_bearer_area(self, client,
                                                         tokens):
        """/fm/ itself is not protected; its DirectoryIndex is. mod_dir's
        fast redirect serves the index with the directory request's own
        headers, which were never checked as a Bearer location's."""
        r = client.get("/fm/", token=tokens.active(), headers=HEADERS)
        asserts.granted(r)
        seen = r.json()
        assert SPOOF not in r.text, seen
        assert _cgi_family(seen) == []
        # httpd copies the subrequest's environment (not its user or its
        # request headers) into the request it serves
        assert seen["INTROSPECT_SUB"] == "alice"

    def test_directory_index_needs_a_token(self, client):
        asserts.no_token(client.get("/fm/", headers=HEADERS))

    def test_ssi_include_into_unprotected_cgi(self, client, tokens):
        """A protected page (SetHeaders On) includes an unprotected CGI: the
        CGI, which exports nothing, sees none of the page's headers."""
        r = client.get("/e/ssi/open.shtml", token=tokens.active(),
                       headers=HEADERS)
        asserts.granted(r)
        seen = _json_in(r.text)
        assert _cgi_family(seen) == [], seen
        assert SPOOF not in r.text

    def test_ssi_include_into_protected_cgi(self, client, tokens):
        """An unprotected page includes a protected CGI: the CGI sees its
        own location's headers and nothing the client sent."""
        r = client.get("/open/ssi/page.shtml", headers=HEADERS)
        asserts.granted(r)
        assert SPOOF not in r.text
        r = client.get("/e/ssi/page.shtml", token=tokens.active(),
                       headers=HEADERS)
        asserts.granted(r)
        seen = _json_in(r.text)
        assert SPOOF not in r.text, seen
        assert seen["HTTP_X_INTROSPECT_SUB"] == "alice"


class TestInternalRedirects:
    def test_into_an_unprotected_location(self, client, tokens):
        """A protected CGI (SetHeaders On) redirects locally to an
        unprotected one: the target does not get the first one's headers
        (an internal redirect shares them)."""
        r = client.get("/e/cgi/redirect.cgi?/open/cgi/env.cgi",
                       token=tokens.active(), headers=HEADERS)
        asserts.granted(r)
        seen = r.json()
        assert _cgi_family(seen) == [], seen
        assert SPOOF not in r.text

    def test_within_the_same_location_keeps_its_own(self, client, tokens):
        """Same configuration: httpd skips authentication for the target
        (it carries r->user over); the target still gets its location's
        headers, and only those."""
        r = client.get("/e/cgi/redirect.cgi?/e/cgi/env.cgi",
                       token=tokens.active(scope="read"), headers=HEADERS)
        asserts.granted(r)
        seen = r.json()
        assert SPOOF not in r.text, seen
        assert seen["REMOTE_USER"] == "alice"
        assert seen["HTTP_X_INTROSPECT_SUB"] == "alice"
        assert seen["HTTP_X_INTROSPECT_SCOPE"] == "read"
        assert seen["INTROSPECT_SUB"] == "alice"


def _chunked_post(env, test_name, path, trailers, token=None):
    """A chunked POST with TRAILERS, then a GET on the same connection, so
    that the first request has been logged when this returns."""
    head = ["POST %s HTTP/1.1" % path, "Host: 127.0.0.1",
            "X-Test-Name: " + test_name, "Transfer-Encoding: chunked",
            "Content-Type: text/plain"]
    if token:
        head.append("Authorization: Bearer " + token)
    body = b"5\r\nhello\r\n0\r\n" + b"".join(
        b"%s: %s\r\n" % (k.encode(), v.encode()) for k, v in trailers) \
        + b"\r\n"
    first = ("\r\n".join(head) + "\r\n\r\n").encode() + body
    second = ("GET /static.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              "X-Test-Name: %s-after\r\n\r\n" % test_name).encode()
    with socket.create_connection(("127.0.0.1", env.port), timeout=30) as s:
        f = s.makefile("rb")
        s.sendall(first)
        r1 = read_response(f)
        s.sendall(second)
        r2 = read_response(f)
    assert r2 is not None and r2.status == 200, (r1, r2)
    return r1


def _logged(env, test_name):
    """headers_in and trailers_in values of X-Introspect-Sub when the
    request named TEST_NAME was logged."""
    with open(os.path.join(env.log_dir, "strip.log")) as f:
        lines = [l.rstrip("\n").split("|") for l in f]
    got = [l[1:] for l in lines if l[0] == test_name]
    assert len(got) == 1, lines
    return got[0]


TRAILERS = [("X-Introspect-Sub", SPOOF), ("X_Introspect_Scope", SPOOF),
            ("X-Other", "kept")]


class TestTrailers:
    """MergeTrailers On: httpd reads the trailers and merges them into
    headers_in inside HTTP_IN, before the end of the body reaches any
    reader. The module's filter, just above HTTP_IN, takes them out of
    trailers_in and headers_in when that end goes by."""

    def test_never_in_headers_in_nor_forwarded(self, env, client):
        name = client.test_name + "-open"
        r = _chunked_post(env, name, "/open-app/x", TRAILERS)
        assert r.status == 200, r
        echo = json.loads(r.body)
        assert echo["body"] == "hello"
        assert _family(echo["headers"]) == [], echo
        assert SPOOF not in r.body.decode()
        assert _logged(env, name) == ["-", "-"]

    def test_module_exports_survive(self, env, client, tokens):
        name = client.test_name + "-bearer"
        r = _chunked_post(env, name, "/app/x", TRAILERS,
                          token=tokens.active())
        assert r.status == 200, r
        echo = json.loads(r.body)
        assert SPOOF not in r.body.decode()
        subs = [v for k, v in _family(echo["headers"])
                if k == "X-Introspect-Sub"]
        assert subs == ["alice"], echo
        assert _logged(env, name) == ["alice", "-"]

    def test_cgi_local_redirect_after_reading_the_body(self, env, client):
        """The first CGI reads the body (the trailers arrive), then
        redirects locally: the target shares the first one's headers."""
        name = client.test_name + "-redirect"
        r = _chunked_post(env, name,
                          "/open/cgi/redirect.cgi?/open/cgi/env.cgi",
                          TRAILERS)
        assert r.status == 200, r
        seen = json.loads(r.body)
        assert seen["REQUEST_METHOD"] == "GET"
        assert _cgi_family(seen) == [], seen
        assert SPOOF not in r.body.decode()
        assert _logged(env, name) == ["-", "-"]
