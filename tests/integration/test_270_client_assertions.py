# SPDX-License-Identifier: Apache-2.0
"""RFC 7523 client authentication to the introspection endpoint:
client_secret_jwt (HS256 over the client secret) and private_key_jwt
(AuthIntrospectClientKey: PEM RSA and EC, a private JWK) end to end
against oidc-provider, which checks the signature, iss/sub, aud, exp and
refuses a replayed jti; its refusals (unregistered key, wrong secret, an
assertion expired by the provider's clock) are 503s with MAI01701. The
mock AS shows what the form carries. Keys that cannot be used fail
`apache2 -t` with file and line."""
import base64
import hashlib
import json
import os
import re
import secrets as pysecrets
import time
import urllib.parse

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.utils import \
    encode_dss_signature

from harness import asserts, logtags, services

CGI = "/cgi/env.cgi"
FILE = "/static.txt"
TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# the endpoint refused our assertion: MAI01701, then MAI00304 (503)
ASSERTION_REFUSED = r"\[auth_introspect:error\].*MAI01701:"
SJWT_ID = "rs-sjwt"
PKJWT_ID = "rs-pkjwt"
EC_KID = "ec-kid-1"
JWK_KID = "p384-jwk"
CLOCK_AHEAD = 120      # > exp (60 s) + oidc-provider's clockTolerance (15)


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def int_b64u(n, size=None):
    return b64u(n.to_bytes(size or (n.bit_length() + 7) // 8, "big"))


def public_jwk(key):
    """The public JWK of a cryptography private key (RSA or EC)."""
    pub = key.public_key().public_numbers()
    if isinstance(key, rsa.RSAPrivateKey):
        return {"kty": "RSA", "e": int_b64u(pub.e), "n": int_b64u(pub.n)}
    size = (key.curve.key_size + 7) // 8
    crv = {256: "P-256", 384: "P-384", 521: "P-521"}[key.curve.key_size]
    return {"kty": "EC", "crv": crv, "x": int_b64u(pub.x, size),
            "y": int_b64u(pub.y, size)}


def thumbprint(jwk):
    """RFC 7638: the required members, sorted, no spaces, SHA-256."""
    req = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y")}
    canon = json.dumps({k: jwk[k] for k in req[jwk["kty"]]},
                       separators=(",", ":"), sort_keys=True)
    return b64u(hashlib.sha256(canon.encode()).digest())


def write(path, data, mode=0o600):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


def pem(key, fmt=serialization.PrivateFormat.PKCS8):
    return key.private_bytes(serialization.Encoding.PEM, fmt,
                             serialization.NoEncryption())


class World:
    """Our keys (files in the ServerRoot), the secret, and two
    oidc-provider instances that know the same clients: one on time, one
    whose clock runs CLOCK_AHEAD seconds ahead."""

    def __init__(self, env):
        d = os.path.join(env.root, "clientauth")
        os.makedirs(d, exist_ok=True)
        self.rsa = rsa.generate_private_key(public_exponent=65537,
                                            key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.p384 = ec.generate_private_key(ec.SECP384R1())
        self.other = rsa.generate_private_key(public_exponent=65537,
                                              key_size=2048)
        self.rsa_file = write(os.path.join(d, "rsa.pem"), pem(self.rsa))
        # the EC key in the traditional "EC PRIVATE KEY" form
        self.ec_file = write(os.path.join(d, "ec.pem"), pem(
            self.ec, serialization.PrivateFormat.TraditionalOpenSSL))
        jwk = dict(public_jwk(self.p384), kid=JWK_KID, d=int_b64u(
            self.p384.private_numbers().private_value, 48))
        self.jwk_file = write(os.path.join(d, "p384.jwk"),
                              json.dumps(jwk).encode())
        # the RSA key again as a JWK asking for PS256 (no kid: the same
        # RFC 7638 thumbprint as the PEM)
        priv = self.rsa.private_numbers()
        self.ps256_file = write(os.path.join(d, "rsa-ps256.jwk"), json.dumps(
            dict(public_jwk(self.rsa), alg="PS256", d=int_b64u(priv.d),
                 p=int_b64u(priv.p), q=int_b64u(priv.q),
                 dp=int_b64u(priv.dmp1), dq=int_b64u(priv.dmq1),
                 qi=int_b64u(priv.iqmp))).encode())
        self.other_file = write(os.path.join(d, "other.pem"),
                                pem(self.other))
        self.ed_file = write(os.path.join(d, "ed25519.pem"),
                             pem(ed25519.Ed25519PrivateKey.generate()))
        self.dir = d
        # RSA registered under its RFC 7638 thumbprint: the kid the module
        # computes when AuthIntrospectClientKey names none
        self.rsa_kid = thumbprint(public_jwk(self.rsa))
        keys = [dict(public_jwk(self.rsa), kid=self.rsa_kid, use="sig"),
                dict(public_jwk(self.ec), kid=EC_KID, use="sig"),
                dict(public_jwk(self.p384), kid=JWK_KID, use="sig")]
        self.secret = "sjwt " + pysecrets.token_urlsafe(32)
        cfg = {"clients": [
            {"client_id": SJWT_ID, "method": "client_secret_jwt",
             "secret": self.secret},
            {"client_id": PKJWT_ID, "method": "private_key_jwt",
             "jwks": {"keys": keys}}]}
        self.as_ = services.RealAS(
            d, pysecrets.token_hex(16), pysecrets.token_hex(16),
            plugins=("clientauth",), extra={"clientauth": cfg},
            name="real_as_clientauth")
        try:
            self.late = services.RealAS(
                d, pysecrets.token_hex(16), pysecrets.token_hex(16),
                plugins=("clientauth",),
                extra={"clientauth": dict(cfg, clock_offset=CLOCK_AHEAD)},
                name="real_as_clientauth_late")
        except Exception:
            self.as_.stop()
            raise

    def stop(self):
        self.late.stop()
        self.as_.stop()


@pytest.fixture(scope="module")
def ca_world(env):
    try:
        w = World(env)
    except (services.SetupError, RuntimeError) as exc:
        pytest.fail("client assertion world set-up failed: %s" % exc,
                    pytrace=False)
    for ras in (w.as_, w.late):
        env.add_session_secret(ras.client_secret, ras.client_id)
        env.add_session_secret(ras.rs_secret, ras.rs_id)
    env.add_session_secret(w.secret, SJWT_ID)
    env.assertion_world = w
    yield w
    w.stop()


def _loc(env, prefix, ras, client_id, *lines):
    return env.protect(prefix, "AuthIntrospectCacheTTL 0",
                       "AuthIntrospectClientID " + client_id,
                       "AuthIntrospectIssuer " + ras.issuer, *lines,
                       endpoint=ras.introspection_url, creds=False)


class TestRealAS:
    """oidc-provider accepts our assertions and refuses bad ones."""
    NEEDS = ("ca_world",)

    @staticmethod
    def conf(env):
        w = env.assertion_world
        sjwt = ["AuthIntrospectClientAuth client_secret_jwt",
                env.secret_line(w.secret)]
        pk = "AuthIntrospectClientAuth private_key_jwt"
        return "\n".join([
            _loc(env, "/sjwt", w.as_, SJWT_ID, *sjwt),
            _loc(env, "/pk-rsa", w.as_, PKJWT_ID, pk,
                 "AuthIntrospectClientKey file:" + w.rsa_file),
            _loc(env, "/pk-ec", w.as_, PKJWT_ID, pk,
                 "AuthIntrospectClientKey file:%s %s" % (w.ec_file, EC_KID)),
            _loc(env, "/pk-jwk", w.as_, PKJWT_ID, pk,
                 "AuthIntrospectClientKey file:" + w.jwk_file,
                 "AuthIntrospectClientAssertionAudience both"),
            _loc(env, "/pk-ps256", w.as_, PKJWT_ID, pk,
                 "AuthIntrospectClientKey file:" + w.ps256_file),
            _loc(env, "/pk-ep", w.as_, PKJWT_ID, pk,
                 "AuthIntrospectClientKey file:" + w.rsa_file,
                 "AuthIntrospectClientAssertionAudience endpoint"),
            # discovery: the endpoint and the issuer (the aud) from the
            # metadata document
            env.protect("/pk-disc", "AuthIntrospectCacheTTL 0",
                        "AuthIntrospectMetadataURL " + w.as_.issuer
                        + "/.well-known/openid-configuration",
                        "AuthIntrospectClientID " + PKJWT_ID, pk,
                        "AuthIntrospectClientKey file:%s %s" % (w.ec_file,
                                                                EC_KID),
                        endpoint="", creds=False),
            # refusals
            _loc(env, "/pk-wrongkey", w.as_, PKJWT_ID, pk,
                 "AuthIntrospectClientKey file:%s %s" % (w.other_file,
                                                         w.rsa_kid)),
            _loc(env, "/sjwt-wrong", w.as_, SJWT_ID,
                 "AuthIntrospectClientAuth client_secret_jwt",
                 env.secret_line("wrong " + w.secret)),
            _loc(env, "/pk-late", w.late, PKJWT_ID, pk,
                 "AuthIntrospectClientKey file:" + w.rsa_file),
            _loc(env, "/sjwt-late", w.late, SJWT_ID, *sjwt),
            # the control: the late provider takes a plain secret
            _loc(env, "/basic-late", w.late, w.late.rs_id,
                 env.secret_line(w.late.rs_secret)),
        ])

    def _issue(self, ras, errlog):
        tok = ras.issue()
        errlog.secret(tok)
        return tok

    @pytest.mark.parametrize("prefix,alg,kid", [
        ("/sjwt", "HS256", None), ("/pk-rsa", "RS256", "rsa"),
        ("/pk-ec", "ES256", EC_KID), ("/pk-jwk", "ES384", JWK_KID),
        ("/pk-ps256", "PS256", "rsa"), ("/pk-ep", "RS256", "rsa"),
        ("/pk-disc", "ES256", EC_KID)])
    def test_accepted(self, client, ca_world, errlog, tokens, prefix, alg,
                      kid):
        ras = ca_world.as_
        r = client.get(prefix + CGI, token=self._issue(ras, errlog))
        asserts.granted(r)
        # what was signed, from the trace line (MAI01704)
        kid = ca_world.rsa_kid if kid == "rsa" else kid
        line = [l for l in errlog.error_text().splitlines()
                if "MAI01704" in l]
        assert len(line) == 1, line
        iss, ep = ras.issuer, ras.introspection_url
        aud = {"/pk-ep": ep, "/pk-jwk": iss + " and " + ep}.get(prefix, iss)
        assert line[0].endswith("client assertion %s%s for %s" % (
            alg, " kid " + kid if kid else "", aud)), line
        seen = r.json()
        assert seen["INTROSPECT_CLIENT_ID"] == ras.client_id
        assert seen["INTROSPECT_AUD"] == ras.RESOURCE
        assert seen["INTROSPECT_ISS"] == ras.issuer
        # a second call signs a new assertion the provider accepts again
        asserts.granted(client.get(prefix + CGI,
                                   token=self._issue(ras, errlog)))
        asserts.invalid_token(client.get(prefix + CGI, token=tokens.new()))

    @pytest.mark.parametrize("prefix", ["/pk-wrongkey", "/sjwt-wrong",
                                        "/pk-late", "/sjwt-late"])
    def test_refused_is_503(self, client, ca_world, errlog, tokens, prefix):
        errlog.expect(logtags.ENDPOINT_FAILURE)
        errlog.expect(ASSERTION_REFUSED)
        r = client.get(prefix + CGI, token=tokens.new())
        asserts.unavailable(r)
        text = errlog.error_text()
        assert "MAI01701" in text
        assert "private_key_jwt" in text or "client_secret_jwt" in text


    def test_late_provider_is_only_late(self, client, ca_world, tokens):
        """The provider that refuses our assertions as expired takes
        client_secret_basic: only the time differs (an unknown token is
        inactive there, a 401, not a 503)."""
        asserts.invalid_token(client.get("/basic-late" + CGI,
                                         token=tokens.new()))


def _payload(jws):
    h, p, s = jws.split(".")
    return json.loads(unb64u(h)), json.loads(unb64u(p)), s


class TestFormMock:
    """What the endpoint receives (mock AS, which records every call)."""
    NEEDS = ("ca_world",)

    @staticmethod
    def conf(env):
        w = env.assertion_world
        return "\n".join([
            env.protect("/m-pk", "AuthIntrospectCacheTTL 0",
                        "AuthIntrospectClientID " + PKJWT_ID,
                        "AuthIntrospectClientAuth private_key_jwt",
                        "AuthIntrospectClientKey file:%s %s" % (w.ec_file,
                                                                EC_KID),
                        "AuthIntrospectIssuer https://as.mai.test",
                        creds=False),
            env.protect("/m-sjwt", "AuthIntrospectCacheTTL 0",
                        "AuthIntrospectClientID " + SJWT_ID,
                        "AuthIntrospectClientAuth client_secret_jwt",
                        env.secret_line(w.secret),
                        "AuthIntrospectClientAssertionAudience both",
                        "AuthIntrospectIssuer https://as.mai.test",
                        creds=False),
            # no issuer: the endpoint URL is the audience
            env.protect("/m-noiss", "AuthIntrospectCacheTTL 0",
                        "AuthIntrospectClientID " + PKJWT_ID,
                        "AuthIntrospectClientAuth private_key_jwt",
                        "AuthIntrospectClientKey file:" + w.rsa_file,
                        creds=False),
        ])

    def _call(self, client, tokens, mock, errlog, prefix):
        tok = tokens.active(iss="https://as.mai.test")
        asserts.granted(client.get(prefix + FILE, token=tok))
        calls = mock.calls_for(tok)
        assert len(calls) == 1, calls
        form = urllib.parse.parse_qs(calls[0]["body"], strict_parsing=True)
        headers = {k.lower() for k, _ in calls[0]["headers"]}
        assert "authorization" not in headers
        assert "client_secret" not in form
        assert form["client_assertion_type"] == [TYPE]
        assert len(form["client_assertion"]) == 1
        jws = form["client_assertion"][0]
        # an assertion must never reach the log either
        errlog.secret(jws)
        return form, jws

    def test_private_key_jwt_form(self, client, tokens, mock, errlog, env,
                                  ca_world):
        form, jws = self._call(client, tokens, mock, errlog, "/m-pk")
        assert form["client_id"] == [PKJWT_ID]
        hdr, claims, sig = _payload(jws)
        assert hdr == {"alg": "ES256", "kid": EC_KID, "typ": "JWT"}
        assert claims["iss"] == claims["sub"] == PKJWT_ID
        assert claims["aud"] == "https://as.mai.test"
        assert 0 < claims["exp"] - claims["iat"] <= 60
        assert abs(claims["iat"] - time.time()) < 30
        assert len(unb64u(claims["jti"])) >= 16
        # the signature, checked with the public key (cryptography)
        raw = unb64u(sig)
        ca_world.ec.public_key().verify(
            encode_dss_signature(int.from_bytes(raw[:32], "big"),
                                 int.from_bytes(raw[32:], "big")),
            jws.rsplit(".", 1)[0].encode(), ec.ECDSA(hashes.SHA256()))
        # every call a new jti
        _, jws2 = self._call(client, tokens, mock, errlog, "/m-pk")
        assert _payload(jws2)[1]["jti"] != claims["jti"]

    def test_client_secret_jwt_form(self, client, tokens, mock, errlog,
                                    ca_world):
        import hmac
        form, jws = self._call(client, tokens, mock, errlog, "/m-sjwt")
        assert form["client_id"] == [SJWT_ID]
        hdr, claims, sig = _payload(jws)
        assert hdr == {"alg": "HS256", "typ": "JWT"}
        assert claims["iss"] == claims["sub"] == SJWT_ID
        assert claims["aud"] == ["https://as.mai.test",
                                 "http://127.0.0.1:%d/introspect" % mock.port]
        want = hmac.new(ca_world.secret.encode(),
                        jws.rsplit(".", 1)[0].encode(),
                        hashlib.sha256).digest()
        assert unb64u(sig) == want

    def test_audience_without_issuer_is_the_endpoint(
            self, client, tokens, mock, errlog, ca_world):
        _, jws = self._call(client, tokens, mock, errlog, "/m-noiss")
        hdr, claims, sig = _payload(jws)
        assert hdr == {"alg": "RS256", "kid": ca_world.rsa_kid, "typ": "JWT"}
        assert claims["aud"] == "http://127.0.0.1:%d/introspect" % mock.port
        ca_world.rsa.public_key().verify(
            unb64u(sig), jws.rsplit(".", 1)[0].encode(), padding.PKCS1v15(),
            hashes.SHA256())


class TestStartup:
    """Keys that cannot be used stop `apache2 -t`, with file and line."""
    NEEDS = ("ca_world",)

    @staticmethod
    def conf(env):
        return env.protect("/st-ok")

    def _refused(self, httpd, env, *lines):
        rc, out, path = httpd.configtest(env.protect("/bad", *lines))
        assert rc != 0, out
        # httpd's "line N of FILE" for a directive, or our "FILE:N:"
        assert re.search(r"line \d+ of \S*configtest\.conf|"
                         r"configtest\.conf:\d+:", out), out
        return out

    def test_ed25519_refused(self, httpd, env, ca_world):
        out = self._refused(httpd, env,
                            "AuthIntrospectClientAuth private_key_jwt",
                            "AuthIntrospectClientKey file:"
                            + ca_world.ed_file)
        assert "AuthIntrospectClientKey" in out
        assert "Ed25519" in out and "EdDSA" in out and "cjose" in out

    @pytest.mark.parametrize("what", ["missing", "directory"])
    def test_unreadable_key_file(self, httpd, env, ca_world, what):
        path = (os.path.join(ca_world.dir, "nonexistent.pem")
                if what == "missing" else ca_world.dir)
        out = self._refused(httpd, env,
                            "AuthIntrospectClientAuth private_key_jwt",
                            "AuthIntrospectClientKey file:" + path)
        assert path in out

    def test_not_file_prefix(self, httpd, env, ca_world):
        out = self._refused(httpd, env, "AuthIntrospectClientKey "
                            + ca_world.rsa_file)
        assert "file:PATH" in out

    def test_no_key_anywhere(self, httpd, env):
        out = self._refused(httpd, env,
                            "AuthIntrospectClientAuth private_key_jwt")
        assert "MAI01700" in out and "AuthIntrospectClientKey" in out

    def test_key_material_never_in_the_output(self, httpd, env, ca_world):
        rc, out, _ = httpd.configtest(env.protect(
            "/good", "AuthIntrospectClientAuth private_key_jwt",
            "AuthIntrospectClientKey file:" + ca_world.rsa_file))
        assert rc == 0, out
        d = int_b64u(ca_world.rsa.private_numbers().d)
        assert d[:16] not in out
