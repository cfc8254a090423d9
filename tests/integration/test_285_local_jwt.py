# SPDX-License-Identifier: Apache-2.0
"""JWT access tokens verified locally (RFC 9068, AuthIntrospectLocalJWT):
oidc-provider issues JWT access tokens (plugin real_as/plugins/jwtat.js)
with keys this test made, so the test can also sign tokens of its own
with them: expired, not yet valid, another audience, another typ, another
issuer, another key, HS256 with the public key as the HMAC secret. `only`
never asks an endpoint; `on` sends opaque tokens, other issuers' JWTs and
(with AuthIntrospectLocalJWTIntrospectAfter) old JWTs to the mock AS; a
key rotation costs one refetch of the JWK Set; an unreachable set is a
503."""
import base64
import hashlib
import hmac
import http.client
import json
import secrets as pysecrets
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from harness import asserts, conf as confmod, logtags, services
from harness.ports import free_port

CGI = "/cgi/env.cgi"
RESOURCE = services.RealAS.RESOURCE
OTHER_RESOURCE = services.RealAS.OTHER_RESOURCE
DEAD_PORT = free_port()
OTHER_ISS = "https://other-issuer.example"
# the lines of a JWK Set fetch failing (error level), however jwks.c tags
# them, and the 503 that follows
JWKS_FAILURE = r"\[auth_introspect:error\].*MAI\d{5}:"

KEY1 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KEY2 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
STRANGER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int(n):
    return b64u(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def private_jwk(key, kid):
    pn = key.private_numbers()
    pub = pn.public_numbers
    return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
            "n": _int(pub.n), "e": _int(pub.e), "d": _int(pn.d),
            "p": _int(pn.p), "q": _int(pn.q), "dp": _int(pn.dmp1),
            "dq": _int(pn.dmq1), "qi": _int(pn.iqmp)}


def compact(header, claims, sign):
    head = b64u(json.dumps(header).encode()) + "." \
        + b64u(json.dumps(claims).encode())
    return head + "." + b64u(sign(head.encode()))


def rs256(key, claims, kid="k1", typ="at+jwt"):
    """A JWT signed with KEY (RS256); typ None leaves typ out."""
    header = {"alg": "RS256", "kid": kid}
    if typ is not None:
        header["typ"] = typ
    return compact(header, claims, lambda m: key.sign(
        m, padding.PKCS1v15(), hashes.SHA256()))


def hs256_public_key(key, claims, kid="k1"):
    """alg confusion: HS256 keyed with the RSA public key's PEM, what a
    verifier that takes alg from the token would check it with."""
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    return compact({"alg": "HS256", "typ": "at+jwt", "kid": kid}, claims,
                   lambda m: hmac.new(pem, m, hashlib.sha256).digest())


def token_id(tok):
    return hashlib.sha256(tok.encode()).hexdigest()[:8]


class JwtAS:
    """oidc-provider with the jwtat plugin, restartable on its port with
    other keys (its issuer, which names the port, stays the same)."""

    def __init__(self, env):
        self.env = env
        self.secret = "app " + pysecrets.token_urlsafe(12)
        self.rs_secret = "rs " + pysecrets.token_urlsafe(12)
        self.ras = None
        self.port = None
        self.start([private_jwk(KEY1, "k1")])
        env.add_session_secret(self.ras.client_secret, self.ras.client_id)
        env.add_session_secret(self.ras.rs_secret, self.ras.rs_id)

    def start(self, jwks):
        extra = {"jwks": jwks, "jwt_resources": [RESOURCE, OTHER_RESOURCE]}
        if self.port:
            extra["port"] = self.port
        self.ras = services.RealAS(self.env.root, self.secret, self.rs_secret,
                                   plugins=("jwtat",), extra=extra,
                                   name="real_as_jwtat")
        self.port = self.ras.port
        self.issuer = self.ras.issuer
        self.jwks_url = self.issuer + "/jwks"

    def restart(self, jwks):
        self.ras.stop()
        self.start(jwks)

    def stop(self):
        self.ras.stop()

    def issue(self, errlog, **kw):
        tok = self.ras.issue(**kw)
        errlog.secret(tok)
        return tok

    def counts(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", "/test/counts")
            return json.loads(conn.getresponse().read())
        finally:
            conn.close()

    def claims(self, **kw):
        now = int(time.time())
        out = {"iss": self.issuer, "sub": "carol", "client_id": "mai-app",
               "aud": RESOURCE, "scope": "read", "iat": now,
               "exp": now + 600, "jti": pysecrets.token_hex(8)}
        out.update(kw)
        return {k: v for k, v in out.items() if v is not None}


@pytest.fixture(scope="module")
def jwt_as(env):
    try:
        holder = JwtAS(env)
    except (services.SetupError, RuntimeError) as exc:
        pytest.fail("oidc-provider with the jwtat plugin did not start: %s"
                    % exc, pytrace=False)
    env.jwt_as = holder
    yield holder
    holder.stop()


def local(env, prefix, mode, *lines, jwks=None, endpoint=""):
    """A location verifying the provider's JWTs; with `only`, no endpoint
    and no client credentials at all."""
    a = env.jwt_as
    return env.protect(prefix, "AuthIntrospectLocalJWT " + mode,
                       "AuthIntrospectIssuer " + a.issuer,
                       "AuthIntrospectJWKS " + (jwks or a.jwks_url),
                       "AuthIntrospectJWKSRefetchInterval 0", *lines,
                       endpoint=endpoint, creds=bool(endpoint))


def conf(env):
    return confmod.ONE_PROCESS + "\n".join([
        local(env, "/only", "only"),
        local(env, "/aud", "only", "AuthIntrospectResource " + RESOURCE),
        local(env, "/aud-other", "only",
              "AuthIntrospectResource " + OTHER_RESOURCE),
        local(env, "/lenient", "only", "AuthIntrospectLocalJWTType lenient"),
        local(env, "/scope", "only", "Require oauth-scope write"),
        local(env, "/on", "on", "AuthIntrospectLocalJWTIntrospectAfter 60",
              endpoint=env.mock.url()),
        local(env, "/down", "only",
              jwks="http://127.0.0.1:%d/jwks" % DEAD_PORT),
        env.protect("/introspect-only", "AuthIntrospectCacheTTL 60"),
        env.protect("/meta", "AuthIntrospectLocalJWT only",
                    "AuthIntrospectMetadataURL " + env.jwt_as.issuer
                    + "/.well-known/openid-configuration", endpoint="",
                    creds=False),
    ])


NEEDS = ("jwt_as",)


def cache_lines(errlog, tok, what):
    return [l for l in errlog.error_text().splitlines()
            if "MAI02008: token %s: local JWT cache %s" % (token_id(tok),
                                                           what) in l]


class TestOnly:
    def test_provider_token_claims_exported(self, client, jwt_as, mock,
                                            errlog):
        before = jwt_as.counts().get("/token/introspection", 0)
        tok = jwt_as.issue(errlog)
        r = client.get("/only" + CGI, token=tok)
        asserts.granted(r)
        env = r.json()
        assert env["REMOTE_USER"] == "mai-app"
        assert env["INTROSPECT_ISS"] == jwt_as.issuer
        assert env["INTROSPECT_SCOPE"] == "read write"
        assert env["INTROSPECT_AUD"] == RESOURCE
        assert env["INTROSPECT_ACTIVE"] == "true"
        assert json.loads(env["INTROSPECT_CLAIMS"])["jti"]
        # no endpoint was asked: not the provider's, not the mock
        assert jwt_as.counts().get("/token/introspection", 0) == before
        assert mock.calls() == []

    def test_second_request_is_a_cache_hit(self, client, jwt_as, errlog):
        tok = jwt_as.issue(errlog)
        asserts.granted(client.get("/only" + CGI, token=tok))
        jwks = jwt_as.counts().get("/jwks", 0)
        asserts.granted(client.get("/only" + CGI, token=tok))
        assert len(cache_lines(errlog, tok, "hit")) == 1
        verified = [l for l in errlog.error_text().splitlines()
                    if "MAI02005: token %s:" % token_id(tok) in l]
        assert len(verified) == 1
        assert jwt_as.counts().get("/jwks", 0) == jwks

    def test_scope_and_audience(self, client, jwt_as, errlog):
        errlog.expect(logtags.AUTHZ_DENIED)
        tok = jwt_as.issue(errlog)
        asserts.granted(client.get("/scope" + CGI, token=tok))
        asserts.insufficient_scope(
            client.get("/scope" + CGI, token=jwt_as.issue(errlog,
                                                          scope="read")),
            "write")
        asserts.granted(client.get("/aud" + CGI, token=tok))
        r = client.get("/aud-other" + CGI, token=tok)
        assert r.status == 401
        assert 'error="invalid_token"' in r.header("WWW-Authenticate")
        assert "WRONG_AUDIENCE" in errlog.error_text()

    def test_keys_from_discovery(self, client, jwt_as, errlog):
        """No AuthIntrospectJWKS: the metadata's jwks_uri, and its issuer."""
        asserts.granted(client.get("/meta" + CGI,
                                   token=jwt_as.issue(errlog)))
        refused_for(client, errlog, "/meta",
                    rs256(KEY1, jwt_as.claims(iss=OTHER_ISS)),
                    "WRONG_ISSUER")

    def test_scp_is_the_scope(self, client, jwt_as, errlog):
        """Okta's scp array, Entra ID's scp string: what oauth-scope reads
        when there is no scope."""
        for scp in (["read", "write"], "read write"):
            r = client.get("/scope" + CGI, token=rs256(
                KEY1, jwt_as.claims(scope=None, scp=scp)))
            asserts.granted(r)
            assert r.json()["INTROSPECT_SCOPE"] == "read write"

    def test_opaque_token_refused(self, client, tokens, mock, errlog):
        tok = tokens.active()
        asserts.invalid_token(client.get("/only" + CGI, token=tok))
        assert "JWT_OPAQUE" in errlog.error_text()
        assert mock.calls() == []


def refused_for(client, errlog, path, tok, name):
    errlog.secret(tok)
    asserts.invalid_token(client.get(path + CGI, token=tok))
    assert "(%s)" % name in errlog.error_text(), name


class TestRefused:
    """Tokens signed with the issuer's own key unless said otherwise: each
    check refuses on its own."""

    def test_other_key(self, client, jwt_as, errlog):
        refused_for(client, errlog, "/only",
                    rs256(STRANGER, jwt_as.claims()), "JWT_SIGNATURE")

    def test_alg_confusion(self, client, jwt_as, errlog):
        refused_for(client, errlog, "/only",
                    hs256_public_key(KEY1, jwt_as.claims()), "JWT_ALG")

    def test_expired(self, client, jwt_as, errlog):
        now = int(time.time())
        refused_for(client, errlog, "/only",
                    rs256(KEY1, jwt_as.claims(iat=now - 900,
                                              exp=now - 300)), "EXPIRED")

    def test_not_yet_valid(self, client, jwt_as, errlog):
        now = int(time.time())
        refused_for(client, errlog, "/only",
                    rs256(KEY1, jwt_as.claims(nbf=now + 300)),
                    "NOT_YET_VALID")

    def test_no_exp(self, client, jwt_as, errlog):
        refused_for(client, errlog, "/only",
                    rs256(KEY1, jwt_as.claims(exp=None)), "JWT_NO_EXP")

    def test_wrong_issuer(self, client, jwt_as, errlog):
        refused_for(client, errlog, "/only",
                    rs256(KEY1, jwt_as.claims(iss=OTHER_ISS)),
                    "WRONG_ISSUER")

    def test_typ(self, client, jwt_as, errlog):
        jwt = rs256(KEY1, jwt_as.claims(), typ="JWT")
        none = rs256(KEY1, jwt_as.claims(), typ=None)
        refused_for(client, errlog, "/only", jwt, "JWT_TYPE")
        refused_for(client, errlog, "/only", none, "JWT_TYPE")
        # AuthIntrospectLocalJWTType lenient takes both ...
        asserts.granted(client.get("/lenient" + CGI, token=jwt))
        asserts.granted(client.get("/lenient" + CGI, token=none))
        # ... and at+jwt in any case; never another kind of token
        asserts.granted(client.get("/lenient" + CGI, token=rs256(
            KEY1, jwt_as.claims(), typ="application/AT+JWT")))
        refused_for(client, errlog, "/lenient",
                    rs256(KEY1, jwt_as.claims(), typ="dpop+jwt"), "JWT_TYPE")

    def test_strict_never_served_what_lenient_cached(self, client, jwt_as,
                                                     errlog):
        jwt = rs256(KEY1, jwt_as.claims(), typ="JWT")
        errlog.secret(jwt)
        asserts.granted(client.get("/lenient" + CGI, token=jwt))
        refused_for(client, errlog, "/only", jwt, "JWT_TYPE")


class TestOn:
    """`on`: the issuer's young JWTs locally, the rest to the endpoint,
    whose answers meet the same issuer check (AuthIntrospectIssuer)."""

    def test_opaque_token_goes_to_endpoint(self, client, jwt_as, tokens,
                                           mock):
        tok = tokens.active(sub="from-endpoint", iss=jwt_as.issuer)
        r = client.get("/on" + CGI, token=tok)
        asserts.granted(r)
        assert r.json()["REMOTE_USER"] == "from-endpoint"
        assert len(mock.calls_for(tok)) == 1

    def test_young_jwt_verified_locally(self, client, jwt_as, mock, errlog):
        tok = rs256(KEY1, jwt_as.claims())
        errlog.secret(tok)
        r = client.get("/on" + CGI, token=tok)
        asserts.granted(r)
        assert r.json()["REMOTE_USER"] == "carol"
        assert mock.calls_for(tok) == []

    def test_other_issuer_goes_to_endpoint(self, client, jwt_as, tokens,
                                           mock, errlog):
        tok = rs256(STRANGER, jwt_as.claims(iss=OTHER_ISS))
        errlog.secret(tok)
        # e.g. a token the issuer's endpoint vouches for (token exchange)
        mock.token(tok, tokens.claims(sub="other-as-user",
                                      iss=jwt_as.issuer))
        r = client.get("/on" + CGI, token=tok)
        asserts.granted(r)
        assert r.json()["REMOTE_USER"] == "other-as-user"
        assert len(mock.calls_for(tok)) == 1

    def test_old_jwt_introspected(self, client, jwt_as, tokens, mock,
                                  errlog):
        now = int(time.time())
        old = rs256(KEY1, jwt_as.claims(iat=now - 120))
        errlog.secret(old)
        # the endpoint knows it was revoked: that is what counts now
        mock.token(old, {"active": False})
        asserts.invalid_token(client.get("/on" + CGI, token=old))
        assert len(mock.calls_for(old)) == 1
        assert "MAI02003: token %s:" % token_id(old) in errlog.error_text()
        # an active answer serves, with the endpoint's claims
        older = rs256(KEY1, jwt_as.claims(iat=now - 300))
        errlog.secret(older)
        mock.token(older, tokens.claims(sub="introspected",
                                        iss=jwt_as.issuer))
        r = client.get("/on" + CGI, token=older)
        asserts.granted(r)
        assert r.json()["REMOTE_USER"] == "introspected"

    def test_endpoint_location_never_served_a_local_answer(
            self, client, jwt_as, mock, errlog):
        tok = rs256(KEY1, jwt_as.claims())
        errlog.secret(tok)
        asserts.granted(client.get("/on" + CGI, token=tok))
        mock.token(tok, {"active": False})
        asserts.invalid_token(client.get("/introspect-only" + CGI,
                                         token=tok))
        assert len(mock.calls_for(tok)) == 1


class TestKeys:
    def test_jwks_unreachable_503(self, client, jwt_as, errlog):
        errlog.expect(JWKS_FAILURE)
        tok = jwt_as.issue(errlog)
        asserts.unavailable(client.get("/down" + CGI, token=tok))

    def test_key_rotation_refetches_once(self, client, jwt_as, errlog):
        # this process has the old set (one key, k1)
        asserts.granted(client.get("/only" + CGI,
                                   token=jwt_as.issue(errlog)))
        jwt_as.restart([private_jwk(KEY2, "k2"), private_jwk(KEY1, "k1")])
        tok = jwt_as.issue(errlog)
        assert json.loads(base64.urlsafe_b64decode(
            tok.split(".")[0] + "=="))["kid"] == "k2"
        r = client.get("/only" + CGI, token=tok)
        asserts.granted(r)
        assert jwt_as.counts().get("/jwks", 0) == 1
        assert "MAI02007: token %s:" % token_id(tok) in errlog.error_text()
        # both keys serve from now on, with no other fetch
        asserts.granted(client.get("/only" + CGI,
                                   token=rs256(KEY1, jwt_as.claims())))
        asserts.granted(client.get("/only" + CGI,
                                   token=rs256(KEY2, jwt_as.claims(),
                                               kid="k2")))
        assert jwt_as.counts().get("/jwks", 0) == 1


class TestConfig:
    """`apache2 -t`: on/only need the issuer and its keys; only needs no
    endpoint."""
    NEEDS = ()
    KEYS = "AuthIntrospectJWKS https://as.example/jwks"
    ISS = "AuthIntrospectIssuer https://as.example"

    @staticmethod
    def conf(env):
        return ""

    @staticmethod
    def _body(env, *lines):
        return env.protect("/cfg", *lines, endpoint="", creds=False)

    def _refused(self, httpd, env, lines, what):
        rc, out, path = httpd.configtest(self._body(env, *lines))
        assert rc != 0, out
        assert "MAI02000" in out and path in out, out
        assert what in out, out

    def test_issuer_and_keys_required(self, httpd, env):
        for mode in ("on", "only"):
            lines = ["AuthIntrospectLocalJWT " + mode]
            if mode == "on":
                lines.append("AuthIntrospectEndpoint " + env.mock.url())
            self._refused(httpd, env, lines + [self.KEYS],
                          "AuthIntrospectLocalJWT %s has no "
                          "AuthIntrospectIssuer" % mode)
            self._refused(httpd, env, lines + [self.ISS],
                          "AuthIntrospectLocalJWT %s has no "
                          "AuthIntrospectJWKS" % mode)

    def test_issuer_and_keys_from_enclosing_or_metadata(self, httpd, env):
        body = "%s\n%s\n" % (self.ISS, self.KEYS) + self._body(
            env, "AuthIntrospectLocalJWT only")
        rc, out, _ = httpd.configtest(body)
        assert rc == 0, out
        rc, out, _ = httpd.configtest(self._body(
            env, "AuthIntrospectLocalJWT only", "AuthIntrospectMetadataURL "
            "https://as.example/.well-known/openid-configuration"))
        assert rc == 0, out

    def test_only_needs_no_endpoint_on_does(self, httpd, env):
        rc, out, _ = httpd.configtest(self._body(
            env, "AuthIntrospectLocalJWT only", self.ISS, self.KEYS))
        assert rc == 0, out
        rc, out, _ = httpd.configtest(self._body(
            env, "AuthIntrospectLocalJWT on", self.ISS, self.KEYS))
        assert rc != 0 and "MAI00102" in out, out

    def test_bad_values(self, httpd, env):
        for line in ("AuthIntrospectLocalJWT yes",
                     "AuthIntrospectLocalJWTType any",
                     "AuthIntrospectLocalJWTIntrospectAfter 0"):
            rc, out, _ = httpd.configtest(self._body(
                env, line, self.ISS, self.KEYS,
                "AuthIntrospectEndpoint " + env.mock.url()))
            assert rc != 0, line
