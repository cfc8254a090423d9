# SPDX-License-Identifier: Apache-2.0
"""Subrequests and internal redirects reuse the initial request's decision:
one token check (one endpoint call, even with CacheTTL 0) per client
request."""
import json

from harness import asserts


def conf(env):
    return "\n".join([
        env.protect("/sr", "AuthIntrospectCacheTTL 0",
                    "AuthIntrospectNegativeCacheTTL 0",
                    "ErrorDocument 404 /sr/notfound.html",
                    "ErrorDocument 401 /notfound.html"),
        '<Directory "%s/rw">' % env.htdocs,
        "    Options +FollowSymLinks",
        "    RewriteEngine On",
        "    RewriteBase /sr/rw/",
        r"    RewriteRule ^old\.txt$ new.txt [L]",
        "</Directory>",
    ])


class TestOneCheckPerRequest:
    def test_directory_index(self, client, tokens, mock):
        tok = tokens.active()
        r = client.get("/sr/dir/", token=tok)
        asserts.granted(r)
        assert "index of dir" in r.text
        assert len(mock.calls_for(tok)) == 1

    def test_rewrite_internal_redirect(self, client, tokens, mock):
        tok = tokens.active()
        r = client.get("/sr/rw/old.txt", token=tok)
        asserts.granted(r)
        assert r.text == "rewritten target\n"
        assert len(mock.calls_for(tok)) == 1

    def test_error_document(self, client, tokens, mock):
        tok = tokens.active()
        r = client.get("/sr/no-such-file.txt", token=tok)
        assert r.status == 404, r
        assert r.text == "not found page\n"
        assert len(mock.calls_for(tok)) == 1

    def test_ssi_includes(self, client, tokens, mock):
        tok = tokens.active(sub="ssi-user")
        r = client.get("/sr/ssi/page.shtml", token=tok)
        asserts.granted(r)
        assert "included part" in r.text
        start = r.text.index("{")
        seen = json.loads(r.text[start:r.text.rindex("}") + 1])
        assert seen["REMOTE_USER"] == "ssi-user"
        assert seen["INTROSPECT_SUB"] == "ssi-user"
        assert len(mock.calls_for(tok)) == 1

    def test_refused_request_with_error_document(self, client, tokens, mock):
        """ErrorDocument 401 (an unprotected page): the challenge survives
        the internal redirect and the token is checked once."""
        tok = tokens.answer({"active": False})
        r = client.get("/sr/static.txt", token=tok)
        asserts.invalid_token(r)
        assert r.text == "not found page\n"
        assert len(mock.calls_for(tok)) == 1

    def test_no_token_with_error_document(self, client, mock):
        r = client.get("/sr/static.txt")
        asserts.no_token(r)
        assert r.text == "not found page\n"
        assert mock.calls() == []
