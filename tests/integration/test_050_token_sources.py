# SPDX-License-Identifier: Apache-2.0
"""AuthIntrospectAcceptTokenIn: header, query, form, cookie:NAME."""
import urllib.parse

import pytest

from harness import asserts

CGI = "/cgi/env.cgi"


def conf(env):
    return "\n".join([
        env.protect("/q", "AuthIntrospectAcceptTokenIn query"),
        env.protect("/f", "AuthIntrospectAcceptTokenIn form"),
        env.protect("/c", "AuthIntrospectAcceptTokenIn cookie:at"),
        env.protect("/hq", "AuthIntrospectAcceptTokenIn header query"),
    ])


class TestQuery:
    def test_query_token(self, client, tokens, mock):
        tok = tokens.active()
        r = client.get("/q" + CGI, query={"x": "1", "access_token": tok})
        asserts.granted(r)
        assert r.json()["REMOTE_USER"] == "alice"
        assert [c["form"]["token"] for c in mock.calls()] == [[tok]]

    def test_query_token_percent_decoded(self, client, tokens, mock):
        tok = tokens.new() + "+/=="
        mock.token(tok, tokens.claims())
        tokens.police.secret(tok)
        r = client.get("/q" + CGI + "?access_token="
                       + urllib.parse.quote(tok, safe=""))
        asserts.granted(r)
        assert [c["form"]["token"] for c in mock.calls()] == [[tok]]

    def test_header_not_accepted_here(self, client, tokens, mock):
        asserts.no_token(client.get("/q" + CGI, token=tokens.active()))
        assert mock.calls() == []

    def test_other_parameter_is_no_token(self, client, tokens, mock):
        r = client.get("/q" + CGI, query={"access_token_x": tokens.active()})
        asserts.no_token(r)

    @pytest.mark.parametrize("name", ["access.token", "access token",
                                      "access[token", "ACCESS_TOKEN",
                                      "access_token[]"])
    def test_framework_aliases_are_no_token(self, client, tokens, mock,
                                            name):
        """PHP and some other frameworks read these names as access_token;
        the module does not (docs/security.md, query aliasing)."""
        r = client.get("/q" + CGI, query={name: tokens.active()})
        asserts.no_token(r)
        assert mock.calls() == []

    def test_query_reaches_the_app_unchanged(self, client, tokens):
        """The token is not removed from the query: the app sees it, so an
        app must not take a second token from a look-alike name."""
        tok = tokens.active()
        r = client.get("/hq" + CGI, token=tok,
                       query={"access.token": "other"})
        asserts.granted(r)
        assert r.json()["QUERY_STRING"] == "access.token=other"

    def test_encoded_name_is_the_same_parameter(self, client, tokens, mock):
        """access%5Ftoken decodes to access_token, as frameworks decode it:
        a second copy under that spelling is a duplicate, 400."""
        tok = tokens.active()
        r = client.get("/q" + CGI + "?access_token=%s&access%%5Ftoken=%s"
                       % (tok, tok))
        asserts.invalid_request(r)
        assert mock.calls() == []

    def test_either_of_two_sources(self, client, tokens):
        tok = tokens.active()
        asserts.granted(client.get("/hq" + CGI, token=tok))
        asserts.granted(client.get("/hq" + CGI, query={"access_token": tok}))


class TestForm:
    def test_form_token_and_body_reaches_cgi(self, client, tokens, mock):
        tok = tokens.active()
        body = "a=1&access_token=%s&b=%s&c=%%26x" % (tok, "y" * 3000)
        r = client.post("/f" + CGI, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        asserts.granted(r)
        seen = r.json()
        assert seen["REMOTE_USER"] == "alice"
        assert seen["REQUEST_METHOD"] == "POST"
        assert seen["body"] == body
        assert seen["CONTENT_LENGTH"] == str(len(body))
        assert [c["form"]["token"] for c in mock.calls()] == [[tok]]

    def test_large_form_body_reaches_cgi_whole(self, client, tokens):
        """Token at the end of a 60 KiB body; the CGI reads every byte."""
        tok = tokens.active()
        body = "big=%s&access_token=%s" % ("b" * (60 * 1024), tok)
        r = client.post("/f" + CGI, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        asserts.granted(r)
        assert r.json()["body"] == body

    @pytest.mark.parametrize("kind", ["chunked", "over-64k"])
    def test_unsearched_bodies_are_no_token(self, client, tokens, mock,
                                            kind):
        """The module reads at most 64 KiB with a Content-Length
        (MAI_FORM_BODY_MAX); other bodies are not searched: a clean 401,
        not a hang or a 500."""
        tok = tokens.active()
        body = "access_token=%s&z=%s" % (tok, "q" * (
            70 * 1024 if kind == "over-64k" else 2500))
        r = client.post("/f" + CGI, body=body.encode(),
                        chunked=(kind == "chunked"), headers={
                            "Content-Type":
                                "application/x-www-form-urlencoded"})
        asserts.no_token(r)
        assert mock.calls() == []

    def test_form_content_type_with_charset(self, client, tokens):
        tok = tokens.active()
        body = "access_token=" + tok
        r = client.post("/f" + CGI, body=body, headers={
            "Content-Type":
                "application/x-www-form-urlencoded; charset=UTF-8"})
        asserts.granted(r)
        assert r.json()["body"] == body

    def test_form_token_percent_decoded(self, client, tokens, mock):
        tok = tokens.new() + "+/="
        mock.token(tok, tokens.claims())
        tokens.police.secret(tok)
        body = "access_token=" + urllib.parse.quote(tok, safe="")
        r = client.post("/f" + CGI, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        asserts.granted(r)
        assert [c["form"]["token"] for c in mock.calls()] == [[tok]]

    def test_get_has_no_form_token(self, client, tokens, mock):
        asserts.no_token(client.get("/f" + CGI,
                                    query={"access_token": tokens.active()}))
        assert mock.calls() == []

    @pytest.mark.parametrize("ctype", ["text/plain", "application/json",
                                       "multipart/form-data; boundary=x"])
    def test_other_content_type_is_no_token(self, client, tokens, mock,
                                            ctype):
        tok = tokens.active()
        r = client.post("/f" + CGI, body="access_token=" + tok,
                        headers={"Content-Type": ctype})
        asserts.no_token(r)
        assert mock.calls() == []

    def test_no_token_in_form_body(self, client, mock):
        body = "a=1&b=2"
        r = client.post("/f" + CGI, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        asserts.no_token(r)


class TestCookie:
    def test_cookie_token(self, client, tokens, mock):
        tok = tokens.active()
        r = client.get("/c" + CGI, headers={
            "Cookie": "other=1; at=%s; last=2" % tok})
        asserts.granted(r)
        assert r.json()["REMOTE_USER"] == "alice"
        assert [c["form"]["token"] for c in mock.calls()] == [[tok]]

    def test_first_cookie_in_list(self, client, tokens):
        tok = tokens.active()
        asserts.granted(client.get("/c" + CGI,
                                   headers={"Cookie": "at=" + tok}))

    def test_similar_cookie_names_are_no_token(self, client, tokens, mock):
        tok = tokens.active()
        r = client.get("/c" + CGI, headers={
            "Cookie": "xat=%s; atx=%s; AT=%s" % (tok, tok, tok)})
        asserts.no_token(r)
        assert mock.calls() == []

    def test_header_not_accepted_here(self, client, tokens, mock):
        asserts.no_token(client.get("/c" + CGI, token=tokens.active()))
