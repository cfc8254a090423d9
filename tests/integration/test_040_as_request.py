# SPDX-License-Identifier: Apache-2.0
"""What the authorization server receives: RFC 7662 section 2.1 request,
client authentication (RFC 6749 section 2.3.1), token type hint."""
import re
import urllib.parse

import pytest

from harness import asserts
from harness.errorlog import basic_forms

FILE = "/static.txt"
ODD_ID = "rs:id \u00e9/+"
ODD_SECRET = "p@ss w:rd&+%/=\u00e9~"


def conf(env):
    m = env.mock
    return "\n".join([
        env.protect("/basic"),
        env.protect("/odd", "AuthIntrospectClientID \"%s\"" % ODD_ID,
                    env.secret_line(ODD_SECRET),
                    creds=False),
        env.protect("/post", "AuthIntrospectClientAuth client_secret_post"),
        env.protect("/none", "AuthIntrospectClientAuth none"),
        env.protect("/env",
                    "AuthIntrospectClientSecret env:MAI_TEST_SECRET_ENV"),
        env.protect("/file", "AuthIntrospectClientSecret file:"
                    + env.secret_file),
        env.protect("/nohint", "AuthIntrospectTokenTypeHint none"),
        env.protect("/hint", "AuthIntrospectTokenTypeHint refresh_token"),
        env.protect("/byname", endpoint=m.url(host="localhost")),
        env.protect("/https", "AuthIntrospectTLSCAFile " + env.ca_file,
                    endpoint=m.url(kind="https_good", host="localhost")),
    ])


def _headers(call):
    out = {}
    for k, v in call["headers"]:
        out.setdefault(k.lower(), []).append(v)
    return out


def _one_call(mock, tok):
    calls = mock.calls_for(tok)
    assert len(calls) == 1, calls
    return calls[0], _headers(calls[0])


@pytest.fixture
def odd_secret(errlog):
    errlog.secret(ODD_SECRET)
    errlog.secrets |= basic_forms(ODD_ID, ODD_SECRET)
    return ODD_SECRET


class TestRequestShape:
    def test_method_headers_body(self, client, tokens, mock, env):
        tok = tokens.active()
        asserts.granted(client.get("/basic" + FILE, token=tok))
        call, h = _one_call(mock, tok)
        assert call["method"] == "POST"
        assert call["path"] == "/introspect"
        assert call["version"] == "HTTP/1.1"
        assert h["host"] == ["127.0.0.1:%d" % mock.port]
        ctype = h["content-type"]
        assert len(ctype) == 1
        assert ctype[0].split(";")[0].strip().lower() == \
            "application/x-www-form-urlencoded"
        assert h["accept"] == ["application/json"]
        assert len(h["user-agent"]) == 1
        assert re.fullmatch(r"mod_auth_introspect/\d+\.\d+(\.\d+)?\S*",
                            h["user-agent"][0]), h["user-agent"]
        assert call["body"] == "token=%s&token_type_hint=access_token" \
            % urllib.parse.quote(tok, safe="")
        if "content-length" in h:
            assert h["content-length"] == [str(len(call["body"]))]
        else:
            assert h.get("transfer-encoding") == ["chunked"]

    def test_host_header_by_name(self, client, tokens, mock):
        tok = tokens.active()
        asserts.granted(client.get("/byname" + FILE, token=tok))
        _, h = _one_call(mock, tok)
        assert h["host"] == ["localhost:%d" % mock.port]

    def test_https_host_and_sni(self, client, tokens, mock):
        tok = tokens.active()
        asserts.granted(client.get("/https" + FILE, token=tok))
        call, h = _one_call(mock, tok)
        assert h["host"] == ["localhost:%d" % mock.ports["https_good"]]
        assert call["sni"] == "localhost"

    @pytest.mark.parametrize("shape", [
        "{t}+", "{t}/x", "{t}~", "{t}==", "+/{t}", "{t}-._~+/="],
        ids=["plus", "slash", "tilde", "padding", "leading", "all"])
    def test_token_is_percent_encoded(self, client, tokens, mock, shape):
        tok = shape.format(t=tokens.new())
        tokens.police.secret(tok)
        mock.token(tok, tokens.claims())
        asserts.granted(client.get("/basic" + FILE, token=tok))
        call, _ = _one_call(mock, tok)
        assert call["form"]["token"] == [tok]
        # '+' in a form body means space, '=' and '/' are reserved there.
        raw = call["body"].split("&")[0]
        assert "+" not in raw and raw.count("=") == 1, raw

    def test_no_hint(self, client, tokens, mock):
        tok = tokens.active()
        asserts.granted(client.get("/nohint" + FILE, token=tok))
        call, _ = _one_call(mock, tok)
        assert call["form"] == {"token": [tok]}
        assert call["body"] == "token=" + urllib.parse.quote(tok, safe="")

    def test_other_hint(self, client, tokens, mock):
        tok = tokens.active()
        asserts.granted(client.get("/hint" + FILE, token=tok))
        call, _ = _one_call(mock, tok)
        assert call["form"]["token_type_hint"] == ["refresh_token"]


class TestClientAuth:
    def test_basic(self, client, tokens, mock, env):
        tok = tokens.active()
        asserts.granted(client.get("/basic" + FILE, token=tok))
        call, h = _one_call(mock, tok)
        assert len(h["authorization"]) == 1
        assert call["basic"]["id"] == env.client_id
        assert call["basic"]["secret"] == env.client_secret
        assert "client_secret" not in call["form"]
        assert "client_id" not in call["form"]

    def test_basic_form_urlencodes_id_and_secret(self, client, tokens, mock,
                                                 odd_secret):
        tok = tokens.active()
        asserts.granted(client.get("/odd" + FILE, token=tok))
        call, _ = _one_call(mock, tok)
        b = call["basic"]
        assert b["id"] == ODD_ID
        assert b["secret"] == ODD_SECRET
        # RFC 6749 2.3.1: encoded first, so the only raw ':' separates them.
        assert ":" not in b["raw_id"] and ":" not in b["raw_secret"]
        assert re.fullmatch(r"[A-Za-z0-9%+*._~-]*", b["raw_secret"]), \
            "secret not form-urlencoded"

    def test_post(self, client, tokens, mock, env):
        tok = tokens.active()
        asserts.granted(client.get("/post" + FILE, token=tok))
        call, h = _one_call(mock, tok)
        assert "authorization" not in h
        assert call["form"]["client_id"] == [env.client_id]
        assert call["form"]["client_secret"] == [env.client_secret]
        assert call["form"]["token"] == [tok]
        assert call["form"]["token_type_hint"] == ["access_token"]

    def test_none(self, client, tokens, mock, env):
        tok = tokens.active()
        asserts.granted(client.get("/none" + FILE, token=tok))
        call, h = _one_call(mock, tok)
        assert "authorization" not in h
        assert "client_secret" not in call["form"]
        assert env.client_secret not in call["body"]

    def test_secret_from_env(self, client, tokens, mock, env):
        tok = tokens.active()
        asserts.granted(client.get("/env" + FILE, token=tok))
        call, _ = _one_call(mock, tok)
        assert call["basic"]["id"] == env.client_id
        assert call["basic"]["secret"] == env.env_secret

    def test_secret_from_file_first_line(self, client, tokens, mock, env):
        tok = tokens.active()
        asserts.granted(client.get("/file" + FILE, token=tok))
        call, _ = _one_call(mock, tok)
        assert call["basic"]["secret"] == env.file_secret
