# SPDX-License-Identifier: Apache-2.0
"""Inner sections override outer ones field by field; a field not repeated
is inherited, and one repeated wins even when it repeats the default."""
import time

from harness import asserts

CGI = "/cgi/env.cgi"


def _loc(path, *lines):
    body = ["AuthType Bearer", 'AuthName "merge"'] + list(lines)
    if not any(l.startswith("Require") for l in lines):
        body.append("Require valid-user")
    return "<Location %s>\n%s\n</Location>" % (
        path, "\n".join("    " + l for l in body))


def conf(env):
    h = env.htdocs
    return "\n".join([
        # Server level: where to ask, and two non-default policies.
        "AuthIntrospectEndpoint " + env.mock_url(),
        "AuthIntrospectClientID " + env.client_id,
        env.secret_line(env.client_secret),
        "AuthIntrospectRemoteUserClaim email",
        "AuthIntrospectSetEnv Off",
        'ScriptAlias /m1/cgi/ "%s/cgi-bin/"' % h,
        'Alias /m1/ "%s/"' % h,
        'ScriptAlias /m2/cgi/ "%s/cgi-bin/"' % h,
        'Alias /m2/ "%s/"' % h,
        'ScriptAlias /m3/cgi/ "%s/cgi-bin/"' % h,
        'Alias /m3/ "%s/"' % h,
        'Alias /m4/ "%s/"' % h,
        'Alias /m5/ "%s/"' % h,
        _loc("/m1/"),
        _loc("/m2/", "AuthIntrospectSetEnv On"),
        '<Directory "%s/cgi-bin">\n    AuthIntrospectCacheTTL 0\n'
        "</Directory>" % h,
        _loc("/m3/", "AuthIntrospectRemoteUserClaim sub"),
        _loc("/m4/", "AuthIntrospectClockSkew 0"),
        _loc("/m4/dir/", "AuthIntrospectClockSkew 30"),
        _loc("/m5/", "AuthIntrospectAcceptTokenIn header query"),
        _loc("/m5/dir/", "AuthIntrospectAcceptTokenIn cookie:at"),
    ])


def _user(client, path, tok):
    r = client.get(path, token=tok)
    asserts.granted(r)
    return r.json()


class TestInheritance:
    def test_server_level_endpoint_and_client(self, client, tokens, mock,
                                              env):
        tok = tokens.active(email="e1@mai.test")
        seen = _user(client, "/m1" + CGI, tok)
        [call] = mock.calls_for(tok)
        assert call["basic"]["id"] == env.client_id
        assert call["basic"]["secret"] == env.client_secret
        assert seen["REMOTE_USER"] == "e1@mai.test"     # inherited claim
        assert [k for k in seen if k.startswith("INTROSPECT_")] == []

    def test_set_back_to_default_overrides(self, client, tokens):
        tok = tokens.active(email="e2@mai.test")
        seen = _user(client, "/m2" + CGI, tok)
        assert seen["REMOTE_USER"] == "e2@mai.test"     # still inherited
        assert seen["INTROSPECT_EMAIL"] == "e2@mai.test"

    def test_directory_and_location_merge(self, client, tokens, mock):
        tok = tokens.active()
        for _ in range(2):
            assert _user(client, "/m3" + CGI, tok)["REMOTE_USER"] == "alice"
        assert len(mock.calls_for(tok)) == 2            # TTL 0 from Directory
        tok2 = tokens.active()
        for _ in range(2):
            asserts.granted(client.get("/m3/static.txt", token=tok2))
        assert len(mock.calls_for(tok2)) == 1           # default TTL

    def test_inner_location_overrides(self, client, tokens):
        tok = tokens.active(email="e4@mai.test", exp=int(time.time()) - 3)
        asserts.invalid_token(client.get("/m4/static.txt", token=tok),
                              realm="merge")
        asserts.granted(client.get("/m4/dir/", token=tok))

    def test_token_sources_replaced_not_added(self, client, tokens):
        tok = tokens.active(email="e5@mai.test")
        asserts.granted(client.get("/m5/static.txt", token=tok))
        asserts.no_token(client.get("/m5/dir/", token=tok), realm="merge")
        asserts.granted(client.get("/m5/dir/", cookies={"at": tok}))
