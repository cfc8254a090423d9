""".htaccess (AllowOverride AuthConfig) may use the policy directives, never
the ones that decide where tokens and credentials go."""
import os

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
