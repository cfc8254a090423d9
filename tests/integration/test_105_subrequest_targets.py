# SPDX-License-Identifier: Apache-2.0
"""Subrequests and internal redirects into a location with another
configuration: the target's endpoint, issuer, REMOTE_USER claim and token
sources decide, never the first location's (docs/security.md, "Subrequests
and internal redirects").

Every path that moves a request from one location to another inside httpd:
a RewriteRule in .htaccess and in a <Location>, a CGI's local redirect
(`Location: /path`, no Status), SSI `include virtual` and ErrorDocument.
The entry location /ta/ asks the mock AS at /introspect, requires no issuer
and takes REMOTE_USER from sub; each target differs from it in one thing:
  /ep/   the endpoint (the mock AS at /introspect-b, with its own answers)
  /iss/  AuthIntrospectIssuer
  /ruc/  AuthIntrospectRemoteUserClaim email
  /skw/  AuthIntrospectClockSkew 0 (the entry allows 300 s)
CacheTTL 0 everywhere: every endpoint call shows in the mock's record, so
a reused answer (no second call) is told apart from a cached one.
"""
import json
import time

import pytest

from harness import asserts, logtags

EP_B = "/introspect-b"
ISS_X = "https://as-x.mai.test"
ISS_A = "https://as-a.mai.test"
TARGETS = ("ep", "iss", "ruc", "skw")
NO_CACHE = ("AuthIntrospectCacheTTL 0", "AuthIntrospectNegativeCacheTTL 0")
# mod_include's line for an include that failed (here: refused)
SSI_INCLUDE_FAILED = r"\[include:error\].*unable to include"
SSI_ERROR_TEXT = "[an error occurred while processing this directive]"
# httpd's page when the ErrorDocument itself failed (here: was refused)
ED_FAILED = "error was encountered while trying to use an ErrorDocument"


def conf(env):
    out = [
        env.protect("/ta", *NO_CACHE, "AuthIntrospectClockSkew 300"),
        # a cookie-taking entry location (a browser app) in front of the
        # same targets, which take the Authorization header only
        env.protect("/tc", *NO_CACHE,
                    "AuthIntrospectAcceptTokenIn header cookie:at"),
        '<Directory "%s/targets/hta">' % env.htdocs,
        "    AllowOverride AuthConfig FileInfo",
        "    Options +FollowSymLinks",
        "</Directory>",
    ]
    for prefix in ("/ta", "/tc", "/fa"):
        out += ["<Location %s/loc/>" % prefix,
                "    Options +FollowSymLinks",
                "    RewriteEngine On",
                '    RewriteRule "to-([a-z]+)$" "/$1/cgi/env.cgi" [L]',
                "</Location>"]
        for t in TARGETS:
            out += ["<Location %s/ed-%s/>" % (prefix, t),
                    "    ErrorDocument 404 /%s/cgi/env.cgi" % t,
                    "</Location>"]
    out += [
        # the entry refuses (401) and its ErrorDocument is another
        # location's page
        "<Location /ta/ed401-ep/>",
        "    ErrorDocument 401 /ep/cgi/env.cgi",
        "</Location>",
        "<Location /ta/ed503-ruc/>",
        "    ErrorDocument 503 /ruc/cgi/env.cgi",
        "</Location>",
        "<Location /ta/ed401-ruc/>",
        "    AuthIntrospectIssuer " + ISS_X,
        "    ErrorDocument 401 /ruc/cgi/env.cgi",
        "</Location>",
        env.protect("/ep", *NO_CACHE, endpoint=env.mock_url(EP_B)),
        env.protect("/iss", *NO_CACHE, "AuthIntrospectIssuer " + ISS_X),
        env.protect("/ruc", *NO_CACHE, "AuthIntrospectRemoteUserClaim email"),
        env.protect("/skw", *NO_CACHE, "AuthIntrospectClockSkew 0"),
        # the form-body token source (TestFormBody)
        env.protect("/fa", *NO_CACHE, "AuthIntrospectAcceptTokenIn form"),
        env.protect("/fb", *NO_CACHE, "AuthIntrospectAcceptTokenIn form",
                    "AuthIntrospectRemoteUserClaim email"),
        # other token sources: it searches them itself (form included)
        env.protect("/fh", *NO_CACHE,
                    "AuthIntrospectAcceptTokenIn header form",
                    "AuthIntrospectRemoteUserClaim email"),
        "<Location /fa/targets/>",
        "    DirectoryIndex /fa/cgi/env.cgi",
        "</Location>",
        "<Location /fa/ed-pub/>",
        "    ErrorDocument 404 /pub/cgi/env.cgi",
        "</Location>",
        # no authentication at all
        'ScriptAlias /pub/cgi/ "%s/cgi-bin/"' % env.htdocs,
        'Alias /pub/ "%s/"' % env.htdocs,
        "<Location /pub/ed/>",
        "    ErrorDocument 404 /pub/cgi/env.cgi",
        "</Location>",
    ]
    return "\n".join(out)


def entry(path, target, prefix="/ta"):
    """The URL that PATH turns into a request for /TARGET/cgi/env.cgi."""
    return {
        "htaccess": "%s/targets/hta/to-%s" % (prefix, target),
        "location": "%s/loc/to-%s" % (prefix, target),
        "cgi": "%s/cgi/goto.cgi?/%s/cgi/env.cgi" % (prefix, target),
        "ssi": "%s/targets/ssi/to-%s.shtml" % (prefix, target),
        "errordoc": "%s/ed-%s/missing.txt" % (prefix, target),
    }[path]


PATHS = ("htaccess", "location", "cgi", "ssi", "errordoc")


def target_saw(path, r):
    """What the target CGI saw (its environment as a dict), or None when
    the target refused; checks the status each path gives."""
    if path == "ssi":
        # the page itself is the entry location's: 200 either way
        asserts.granted(r)
        assert r.text.startswith("page\n") and r.text.endswith("end\n"), r
        if SSI_ERROR_TEXT in r.text:
            return None
        return json.loads(r.text[len("page\n"):-len("\nend\n")])
    if path == "errordoc":
        # the status stays the original 404; the body is the target's
        # page, or httpd's own when the target refused
        assert r.status == 404, r
        if ED_FAILED in r.text:
            return None
        return r.json()
    if r.status == 200:
        asserts.granted(r)
        return r.json()
    return None


def refused_at_target(path, r, errlog, error="invalid_token"):
    if path == "ssi":
        errlog.expect(SSI_INCLUDE_FAILED)
    seen = target_saw(path, r)
    assert seen is None, seen
    if path == "errordoc":
        # the original status, with the target's challenge
        assert r.all("WWW-Authenticate") == [asserts.challenge(
            error=error), asserts.dpop_challenge()], r
    elif path != "ssi":
        asserts.refused(r, 401, error)


def paths_of(mock):
    return [c["path"] for c in mock.calls("/introspect")]


@pytest.mark.parametrize("path", PATHS)
class TestOtherEndpoint:
    def test_target_asks_its_own_endpoint(self, client, tokens, mock, path):
        """The token is active at both endpoints, for different users: the
        target's endpoint is asked and its answer decides REMOTE_USER."""
        tok = tokens.active(sub="alice")
        mock.token(tok, tokens.claims(sub="bob-at-b"), path=EP_B)
        r = client.get(entry(path, "ep"), token=tok)
        seen = target_saw(path, r)
        assert seen is not None, r
        assert seen["REMOTE_USER"] == "bob-at-b"
        assert seen["INTROSPECT_SUB"] == "bob-at-b"
        assert paths_of(mock) == ["/introspect", EP_B]

    def test_token_unknown_to_target_endpoint(self, client, tokens, mock,
                                              errlog, path):
        """Active at the entry's endpoint, inactive at the target's: the
        target refuses."""
        tok = tokens.active()
        mock.token(tok, {"active": False}, path=EP_B)
        r = client.get(entry(path, "ep"), token=tok)
        refused_at_target(path, r, errlog)
        assert paths_of(mock) == ["/introspect", EP_B]


@pytest.mark.parametrize("path", PATHS)
class TestOtherIssuer:
    def test_wrong_issuer_for_target(self, client, tokens, mock, errlog,
                                     path):
        """The entry requires no issuer; the target requires ISS_X and the
        token is from ISS_A: refused, with the answer the request already
        had (same endpoint: no second call)."""
        tok = tokens.active(iss=ISS_A)
        r = client.get(entry(path, "iss"), token=tok)
        refused_at_target(path, r, errlog)
        assert paths_of(mock) == ["/introspect"]

    def test_right_issuer_for_target(self, client, tokens, mock, path):
        tok = tokens.active(iss=ISS_X)
        r = client.get(entry(path, "iss"), token=tok)
        seen = target_saw(path, r)
        assert seen is not None, r
        assert seen["REMOTE_USER"] == "alice"
        assert paths_of(mock) == ["/introspect"]


@pytest.mark.parametrize("path", PATHS)
class TestOtherRemoteUserClaim:
    def test_target_claim_sets_remote_user(self, client, tokens, mock,
                                           path):
        tok = tokens.active(sub="alice", email="alice@example.org")
        r = client.get(entry(path, "ruc"), token=tok)
        seen = target_saw(path, r)
        assert seen is not None, r
        assert seen["REMOTE_USER"] == "alice@example.org"
        assert seen["INTROSPECT_SUB"] == "alice"
        assert paths_of(mock) == ["/introspect"]

    def test_target_claim_missing(self, client, tokens, mock, errlog,
                                  path):
        """No email claim: the target has no REMOTE_USER for the token."""
        tok = tokens.active(sub="alice")
        r = client.get(entry(path, "ruc"), token=tok)
        refused_at_target(path, r, errlog)
        assert paths_of(mock) == ["/introspect"]


@pytest.mark.parametrize("path", PATHS)
class TestOtherClockSkew:
    def test_expired_for_target(self, client, tokens, mock, errlog, path):
        """exp 100 s ago: within the entry's 300 s of skew, past the
        target's 0."""
        tok = tokens.active(exp=int(time.time()) - 100)
        r = client.get(entry(path, "skw"), token=tok)
        refused_at_target(path, r, errlog)
        assert paths_of(mock) == ["/introspect"]


@pytest.mark.parametrize("path", PATHS)
class TestOtherTokenSources:
    def test_cookie_token_not_carried_to_header_only_target(
            self, client, tokens, mock, errlog, path):
        """The entry takes tokens from a cookie, the target only from the
        Authorization header: a cookie (sent by a browser to any
        cross-site request) must not authenticate the target."""
        tok = tokens.active(email="alice@example.org")
        r = client.get(entry(path, "ruc", prefix="/tc"), cookies={"at": tok})
        refused_at_target(path, r, errlog, error=None)
        assert paths_of(mock) == ["/introspect"]

    def test_header_token_same_place_for_both(self, client, tokens, mock,
                                              path):
        tok = tokens.active(email="alice@example.org")
        r = client.get(entry(path, "ruc", prefix="/tc"), token=tok)
        seen = target_saw(path, r)
        assert seen is not None, r
        assert seen["REMOTE_USER"] == "alice@example.org"
        assert paths_of(mock) == ["/introspect"]


def _merged_invalid_token(r):
    """The entry's 401 and both challenges, as one header line: a CGI
    serving the ErrorDocument has httpd merge the error headers (still an
    RFC 9110 list of challenges)."""
    assert r.status == 401, r
    assert r.all("WWW-Authenticate") == [
        asserts.challenge(error="invalid_token") + ", "
        + asserts.dpop_challenge()], r


class TestRefusalThenErrorDocument:
    """The entry refuses (401) and its ErrorDocument is a page of another
    location: a refusal that depends on the entry's configuration does not
    follow the request into the target, which judges the token itself."""

    def test_inactive_at_entry_endpoint_active_at_target(self, client,
                                                         tokens, mock):
        tok = tokens.answer({"active": False})
        mock.token(tok, tokens.claims(sub="bob-at-b"), path=EP_B)
        r = client.get("/ta/ed401-ep/file.txt", token=tok)
        # the client still gets the entry's 401 and challenge
        _merged_invalid_token(r)
        assert r.json()["REMOTE_USER"] == "bob-at-b"
        assert paths_of(mock) == ["/introspect", EP_B]

    def test_wrong_issuer_at_entry_none_required_at_target(self, client,
                                                           tokens, mock):
        """Same endpoint: the target takes the answer the request already
        has (one call) and applies its own rules (no issuer required)."""
        tok = tokens.active(iss=ISS_A, email="alice@example.org")
        r = client.get("/ta/ed401-ruc/file.txt", token=tok)
        _merged_invalid_token(r)
        assert r.json()["REMOTE_USER"] == "alice@example.org"
        assert paths_of(mock) == ["/introspect"]

    def test_inactive_everywhere(self, client, tokens, mock):
        """An inactive answer is inactive for every location using that
        endpoint: the target refuses too, without a second call."""
        tok = tokens.answer({"active": False})
        r = client.get("/ta/ed401-ruc/file.txt", token=tok)
        asserts.invalid_token(r)
        assert "REMOTE_USER" not in r.text
        assert ED_FAILED in r.text
        assert paths_of(mock) == ["/introspect"]

    def test_endpoint_failure_not_asked_twice(self, client, tokens, mock,
                                              errlog):
        """The entry's endpoint failed (503); its ErrorDocument is in a
        location with the same endpoint: the failure is that request's
        answer there too, without a second call."""
        errlog.expect(logtags.ENDPOINT_FAILURE)
        tok = tokens.active(email="alice@example.org")
        mock.mode("status", path="/introspect", code=500)
        r = client.get("/ta/ed503-ruc/file.txt", token=tok)
        asserts.unavailable(r)
        assert ED_FAILED in r.text
        assert paths_of(mock) == ["/introspect"]

    def test_no_token(self, client, mock):
        r = client.get("/ta/ed401-ep/file.txt")
        asserts.no_token(r)
        assert ED_FAILED in r.text
        assert mock.calls() == []


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class TestFormBody:
    """AuthIntrospectAcceptTokenIn form: the body is read once, for the
    token, and every byte of it still reaches the handler after an
    internal redirect; a later location that takes form tokens finds the
    token in the body as first read."""

    def body(self, tok):
        return "a=1&access_token=%s&b=%s&c=%%26x" % (tok, "y" * 3000)

    @pytest.mark.parametrize("target", ["fb", "fh"])
    @pytest.mark.parametrize("path", ["htaccess", "location"])
    def test_rewrite_into_other_location(self, client, tokens, mock, path,
                                         target):
        """fb takes tokens from the same places (the token is taken over),
        fh from others (it searches the body as first read: the stream
        itself is spent)."""
        tok = tokens.active(email="alice@example.org")
        body = self.body(tok)
        r = client.post(entry(path, target, prefix="/fa"), body=body,
                        headers=FORM)
        asserts.granted(r)
        seen = r.json()
        assert seen["REMOTE_USER"] == "alice@example.org"
        assert seen["REQUEST_METHOD"] == "POST"
        assert seen["body"] == body
        assert paths_of(mock) == ["/introspect"]

    def test_rewrite_within_location(self, client, tokens, mock):
        tok = tokens.active()
        body = self.body(tok)
        r = client.post(entry("htaccess", "fa", prefix="/fa"), body=body,
                        headers=FORM)
        asserts.granted(r)
        assert r.json()["REMOTE_USER"] == "alice"
        assert r.json()["body"] == body
        assert paths_of(mock) == ["/introspect"]

    def test_directory_index(self, client, tokens, mock):
        """mod_dir serves a directory by a lookup and a fast redirect,
        which takes the lookup's input filters (a guard: they keep the
        replay filter, the body arrived before this change too)."""
        tok = tokens.active()
        body = self.body(tok)
        r = client.post("/fa/targets/", body=body, headers=FORM)
        asserts.granted(r)
        assert r.json()["REMOTE_USER"] == "alice"
        assert r.json()["body"] == body
        assert paths_of(mock) == ["/introspect"]

    def test_rewrite_into_unprotected_location(self, client, tokens, mock):
        tok = tokens.active()
        body = self.body(tok)
        r = client.post(entry("htaccess", "pub", prefix="/fa"), body=body,
                        headers=FORM)
        asserts.granted(r)
        seen = r.json()
        assert "REMOTE_USER" not in seen
        assert seen["body"] == body

    def test_error_document_like_plain_httpd(self, client, tokens, mock):
        """httpd reads and drops the body of a request that failed before
        its ErrorDocument runs: the ErrorDocument's CGI reads the same
        (nothing) behind this module as without it."""
        tok = tokens.active()
        body = self.body(tok)
        plain = client.post("/pub/ed/missing.txt", body=body, headers=FORM)
        r = client.post("/fa/ed-pub/missing.txt", body=body, headers=FORM)
        assert plain.status == r.status == 404, r
        assert r.json()["REQUEST_METHOD"] == "GET"
        assert r.json()["body"] == plain.json()["body"] == ""

    @pytest.mark.parametrize("target", ["fb", "fh"])
    def test_cgi_local_redirect(self, client, tokens, mock, target):
        """The redirecting CGI got the body; httpd makes the redirect a GET
        without one. The target's token is the one in the body as first
        read."""
        tok = tokens.active(email="alice@example.org")
        r = client.post(entry("cgi", target, prefix="/fa"),
                        body=self.body(tok), headers=FORM)
        asserts.granted(r)
        seen = r.json()
        assert seen["REMOTE_USER"] == "alice@example.org"
        assert seen["REQUEST_METHOD"] == "GET"
        assert seen["body"] == ""
        assert paths_of(mock) == ["/introspect"]
