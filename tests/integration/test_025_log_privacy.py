"""What the module writes to the error log never holds a claim value or a
spoofed header's value (docs/security.md, "Leaking tokens and secrets" and
"Header spoofing"). The module logs at trace8 throughout, so every line
it could write at any level is in the log these tests read."""
import re
import secrets

import pytest

from harness import asserts, logtags

CGI = "/cgi/env.cgi"
MODULE_LINE = re.compile(r"^\[[^\]]*\] \[auth_introspect:")


def conf(env):
    return "\n".join([
        env.protect("/lp", "AuthIntrospectSetHeaders On",
                    "AuthIntrospectRemoteUserClaim email sub"),
        env.protect("/lpscope", "Require oauth-scope never-granted"),
        env.protect("/lpiss", "AuthIntrospectIssuer https://as.example"),
    ])


def marker(tokens, what):
    """A claim value no log may hold, registered with the log police."""
    value = "%s-%s" % (what, secrets.token_hex(8))
    tokens.police.secret(value)
    return value


def module_lines(errlog):
    return [l for l in errlog.error.read_new().splitlines()
            if MODULE_LINE.match(l)]


@pytest.fixture
def values(tokens):
    return {"role": marker(tokens, "role"), "scope": marker(tokens, "scope"),
            "aud": marker(tokens, "aud"), "iss": marker(tokens, "iss"),
            "email": marker(tokens, "email"), "sub": "sub-" +
            secrets.token_hex(8)}


def answer(tokens, v, **extra):
    return tokens.active(sub=v["sub"], email=v["email"], role=v["role"],
                         scope="read " + v["scope"], aud=v["aud"],
                         iss=v["iss"], **extra)


class TestClaimValuesNeverLogged:
    """The log police fails each test if a registered value appears in
    the error or access log; the module's own lines are also searched for
    the subject, which httpd itself may log as the user name."""

    def test_granted(self, client, tokens, errlog, values):
        r = client.get("/lp" + CGI, token=answer(tokens, values))
        asserts.granted(r)
        seen = r.json()
        assert seen["REMOTE_USER"] == values["email"]
        assert seen["INTROSPECT_ROLE"] == values["role"]
        assert all(values["sub"] not in l for l in module_lines(errlog))

    def test_refused_by_require(self, client, tokens, errlog, values):
        errlog.expect(logtags.AUTHZ_DENIED)   # httpd's own, names the user
        r = client.get("/lpscope" + CGI, token=answer(tokens, values))
        assert r.status == 403, r
        assert all(values["sub"] not in l for l in module_lines(errlog))

    def test_refused_by_issuer(self, client, tokens, errlog, values):
        asserts.invalid_token(client.get("/lpiss" + CGI,
                                         token=answer(tokens, values)))
        assert all(values["sub"] not in l for l in module_lines(errlog))

    def test_refused_inactive_with_claims(self, client, tokens, errlog,
                                          values):
        tok = tokens.answer({"active": False, "sub": values["sub"],
                             "role": values["role"]})
        asserts.invalid_token(client.get("/lp" + CGI, token=tok))
        assert all(values["sub"] not in l for l in module_lines(errlog))


class TestSpoofedHeaderValues:
    def test_logged_by_name_never_value(self, client, tokens, errlog):
        value = marker(tokens, "spoofed")
        r = client.get("/lp" + CGI, token=tokens.active(),
                       headers={"X-Introspect-Role": value,
                                "X_Introspect_Extra": value})
        asserts.granted(r)
        lines = module_lines(errlog)
        removed = [l for l in lines if "MAI00501" in l]
        assert any("X-Introspect-Role" in l for l in removed), lines
        assert all(value not in l for l in lines)


class TestLogOrigin:
    """A line the IO layer logs through the sink (httpd_log.c) names the
    file and line that logged it, as httpd shows for debug and trace
    levels: not the relay, which would make every such line look alike."""

    def test_io_line_names_its_source(self, client, tokens, errlog):
        asserts.granted(client.get("/lp" + CGI, token=tokens.active()))
        lines = module_lines(errlog)
        called = [l for l in lines if "MAI00801:" in l]
        assert called, lines
        assert all(re.search(r"\] src/io/\w+\.c\(\d+\): .*MAI00801:", l)
                   for l in called), called
        assert not any("httpd_log.c(" in l for l in lines), lines
