# SPDX-License-Identifier: Apache-2.0
""".htaccess (AllowOverride AuthConfig) may use the policy directives, never
the ones that decide where tokens and credentials go."""
import os
import shutil

import pytest

from harness import asserts, logtags

FILE = "/ht/file.txt"


def conf(env):
    return "\n".join([
        'Alias /ht/ "%s/htaccess/"' % env.htdocs,
        '<Directory "%s/htaccess">' % env.htdocs,
        "    AuthIntrospectEndpoint " + env.mock_url(),
        "    AuthIntrospectClientID " + env.client_id,
        "    " + env.secret_line(env.client_secret),
        "</Directory>",
        # TestTokenTypesNarrowing: a list the .htaccess below may narrow
        '<Directory "%s/htaccess/types">' % env.htdocs,
        "    AuthIntrospectTokenTypes Bearer access_token",
        "</Directory>",
    ])


@pytest.fixture
def htaccess(env):
    path = os.path.join(env.htdocs, "htaccess", ".htaccess")

    def write(*lines):
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(path, 0o644)
    yield write
    if os.path.exists(path):
        os.unlink(path)


REALM = "ht realm"
HEAD = ("AuthType Bearer", 'AuthName "%s"' % REALM)


class TestForbidden:
    @pytest.mark.parametrize("line", [
        "AuthIntrospectEndpoint http://127.0.0.1:9/steal",
        "AuthIntrospectClientID attacker",
        "AuthIntrospectClientSecret guessed",
        "AuthIntrospectClientAuth client_secret_post",
        "AuthIntrospectTLSCAFile /etc/ssl/certs/ca-certificates.crt",
        "AuthIntrospectTLSVerify Off",
        "AuthIntrospectTimeout 30",
        "AuthIntrospectCache none",
        "AuthIntrospectClientKey file:/etc/ssl/private/key.pem",
        "AuthIntrospectClientAssertionAudience endpoint",
        "AuthIntrospectClientAssertionReuse 30",
    ])
    def test_not_allowed(self, client, tokens, mock, errlog, htaccess, line):
        errlog.expect(logtags.HTACCESS_NOT_ALLOWED)
        htaccess(*HEAD, line, "Require valid-user")
        r = client.get(FILE, token=tokens.active())
        assert r.status == 500, r
        assert mock.calls() == []
        assert line.split()[0] in errlog.error_text()


class TestAllowed:
    def test_public_without_htaccess(self, client):
        r = client.get(FILE)
        assert r.status == 200, r

    def test_bearer_from_htaccess(self, client, tokens, mock, htaccess):
        htaccess(*HEAD, "Require valid-user")
        asserts.no_token(client.get(FILE), REALM)
        tok = tokens.active()
        asserts.granted(client.get(FILE, token=tok))
        assert len(mock.calls_for(tok)) == 1

    def test_policy_directives(self, client, tokens, mock, htaccess, errlog):
        errlog.expect(logtags.AUTHZ_DENIED)
        htaccess(*HEAD,
                 "AuthIntrospectTokenTypeHint none",
                 "AuthIntrospectAcceptTokenIn header query",
                 "AuthIntrospectRemoteUserClaim email",
                 "AuthIntrospectIssuer https://as.mai.test",
                 "AuthIntrospectClockSkew 10",
                 "AuthIntrospectSetEnv On",
                 "AuthIntrospectSetHeaders Off",
                 "AuthIntrospectCacheTTL 0",
                 "AuthIntrospectNegativeCacheTTL 0",
                 "Require oauth-scope read")
        tok = tokens.active(email="h@mai.test", iss="https://as.mai.test")
        asserts.granted(client.get(FILE, token=tok))
        asserts.granted(client.get(FILE, query={"access_token": tok}))
        calls = mock.calls_for(tok)
        assert len(calls) == 2                      # CacheTTL 0
        assert "token_type_hint" not in calls[0]["form"]
        # Issuer and REMOTE_USER claim apply.
        asserts.invalid_token(client.get(FILE, token=tokens.active(
            email="h@mai.test", iss="https://evil.mai.test")), REALM)
        asserts.invalid_token(client.get(FILE, token=tokens.active(
            iss="https://as.mai.test")), REALM)
        # The Require line applies.
        asserts.insufficient_scope(client.get(FILE, token=tokens.active(
            email="h@mai.test", iss="https://as.mai.test", scope="write")),
            "read", REALM)


@pytest.fixture
def subdir(env):
    """subdir(NAME, *htaccess_lines): htdocs/htaccess/NAME with file.txt
    and, if lines are given, an .htaccess; removed afterwards."""
    made = []

    def make(name, *lines):
        path = os.path.join(env.htdocs, "htaccess", name)
        os.makedirs(path, exist_ok=True)
        os.chmod(path, 0o755)
        made.append(path)
        with open(os.path.join(path, "file.txt"), "w") as f:
            f.write("in %s\n" % name)
        os.chmod(os.path.join(path, "file.txt"), 0o644)
        if lines:
            with open(os.path.join(path, ".htaccess"), "w") as f:
                f.write("\n".join(lines) + "\n")
            os.chmod(os.path.join(path, ".htaccess"), 0o644)
        return "/ht/%s/file.txt" % name
    yield make
    for path in made:
        shutil.rmtree(path, ignore_errors=True)


class TestTokenTypesNarrowing:
    """<Directory htaccess/types> allows Bearer and access_token. An
    .htaccess list keeps only the types both name: it can narrow, never
    widen."""

    def _types(self, client, tokens, url, want):
        for token_type, status in want.items():
            resp = tokens.claims()
            if token_type is not None:
                resp["token_type"] = token_type
            r = client.get(url, token=tokens.answer(resp))
            if status == 200:
                asserts.granted(r)
            else:
                asserts.invalid_token(r, REALM)

    def test_inherited_list_applies(self, client, tokens, subdir):
        url = subdir("types", *HEAD, "Require valid-user")
        self._types(client, tokens, url, {
            "Bearer": 200, "ACCESS_TOKEN": 200, "N_A": 401, None: 401})

    def test_htaccess_narrows(self, client, tokens, subdir):
        url = subdir("types", *HEAD,
                     "AuthIntrospectTokenTypes access_token N_A",
                     "Require valid-user")
        # access_token is in both; Bearer was narrowed away; N_A is not
        # let in by the .htaccess alone
        self._types(client, tokens, url, {
            "access_token": 200, "Access_Token": 200, "Bearer": 401,
            "N_A": 401, None: 401})

    def test_nothing_in_common_refuses_all(self, client, tokens, subdir):
        url = subdir("types", *HEAD, "AuthIntrospectTokenTypes N_A mac",
                     "Require valid-user")
        self._types(client, tokens, url, {
            "Bearer": 401, "access_token": 401, "N_A": 401, "mac": 401,
            None: 401})

    def test_htaccess_list_without_inherited_one(self, client, tokens,
                                                 subdir):
        url = subdir("free", *HEAD, "AuthIntrospectTokenTypes N_A",
                     "Require valid-user")
        self._types(client, tokens, url, {
            "N_A": 200, "n_a": 200, "Bearer": 401, None: 401})

    @pytest.mark.parametrize("word", ["refresh_token", "DPoP"])
    def test_always_refused_type_is_an_error(self, client, tokens, mock,
                                             errlog, subdir, word):
        errlog.expect(r"\[core:alert\].*\.htaccess: .*always refused")
        url = subdir("types", *HEAD, "AuthIntrospectTokenTypes " + word,
                     "Require valid-user")
        r = client.get(url, token=tokens.active(token_type=word))
        assert r.status == 500, r
        assert mock.calls() == []
