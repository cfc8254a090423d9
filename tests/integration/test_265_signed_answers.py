# SPDX-License-Identifier: Apache-2.0
"""RFC 9701 signed introspection responses (AuthIntrospectResponseFormat
jwt): the request asks for application/token-introspection+jwt, the answer
is a JWS verified with the issuer's JWK set, and the verified answer inside
is what is checked, exported and cached. Against oidc-provider (its
jwtIntrospection feature) end to end; against the mock AS for what a real
server never sends: each hostile answer (other key, tampered, none, HS256
keyed with the public key, wrong aud or iss, stale iat, plain JSON, a JWE)
is an endpoint failure, 503 with Retry-After, with its own log line. One
httpd process, so the per-process JWK set cache is observable."""
import base64
import http.client
import json
import secrets as pysecrets
import time

import pytest

from harness import asserts, conf as confmod, jws, services

CGI = "/cgi/env.cgi"
ISS = "https://as.mai.test"
ONE_PROCESS = confmod.ONE_PROCESS
JWT_TYPE = "application/token-introspection+jwt"
# the line every endpoint failure gets besides its own
ENDPOINT_FAILED = r"MAI00304:"

# made once: RSA generation is slow
K1 = jws.Key("k1")
E1 = jws.Key("e1", "ES256")
K2 = jws.Key("k2")
K3 = jws.Key("k3")
IMPOSTOR = jws.Key("k1")        # another key under K1's kid


def loc(env, prefix, name, *lines):
    """PREFIX: jwt answers from the mock's /introspect/NAME, keys from its
    /jwks/NAME."""
    return env.protect(prefix, "AuthIntrospectResponseFormat jwt",
                       "AuthIntrospectIssuer " + ISS,
                       "AuthIntrospectJWKS " + env.mock.url("/jwks/" + name),
                       *lines, endpoint=env.mock.url("/introspect/" + name))


def conf(env):
    return ONE_PROCESS + "\n".join([
        loc(env, "/sig", "sig", "AuthIntrospectCacheTTL 0"),
        loc(env, "/cached", "cached"),
        loc(env, "/rot", "rot", "AuthIntrospectCacheTTL 0"),
        loc(env, "/rot0", "rot0", "AuthIntrospectCacheTTL 0",
            "AuthIntrospectJWKSRefetchInterval 0"),
        loc(env, "/nokeys", "nokeys", "AuthIntrospectCacheTTL 0"),
        loc(env, "/mixed", "mixed"),
        # the same endpoint and client id, plain JSON answers
        env.protect("/mixed-json", "AuthIntrospectIssuer " + ISS,
                    endpoint=env.mock.url("/introspect/mixed")),
    ])


def claims(env, answer, **over):
    now = int(time.time())
    out = {"iss": ISS, "aud": env.client_id, "iat": now,
           "token_introspection": answer}
    out.update(over)
    return {k: v for k, v in out.items() if v is not None}


def signed(env, answer, key=K1, alg="RS256", typ="token-introspection+jwt",
           **over):
    head = {"alg": alg, "kid": key.kid, "typ": typ}
    return jws.compact(head, claims(env, answer, **over), key)


def answer_with(mock, name, body, ctype=JWT_TYPE):
    """The mock's /introspect/NAME answers every call with BODY."""
    data = body.encode() if isinstance(body, str) else body
    mock.mode("body", path="/introspect/" + name,
              data=base64.b64encode(data).decode(), ctype=ctype)


def publish(mock, name, *keys):
    mock.metadata("/jwks/" + name, jws.jwks(*keys))


def accept_header(call):
    return [v for k, v in call["headers"] if k.lower() == "accept"]


class TestSignedAnswers:
    def test_rs256_answer_verified_and_exported(self, env, client, mock,
                                                tokens):
        publish(mock, "sig", K1, E1)
        tok = tokens.new()
        answer_with(mock, "sig", signed(env, tokens.claims(iss=ISS, sub="alice")))
        r = client.get("/sig" + CGI, token=tok)
        asserts.granted(r)
        assert r.json()["INTROSPECT_SUB"] == "alice"
        assert r.json()["REMOTE_USER"] == "alice"
        call = mock.calls_for(tok)[0]
        assert accept_header(call) == [JWT_TYPE]

    def test_es256_and_aud_array(self, env, client, mock, tokens):
        publish(mock, "sig", K1, E1)
        answer_with(mock, "sig", signed(
            env, tokens.claims(iss=ISS, sub="bob"), key=E1, alg="ES256",
            aud=["other-rs", env.client_id]))
        r = client.get("/sig" + CGI, token=tokens.new())
        asserts.granted(r)
        assert r.json()["INTROSPECT_SUB"] == "bob"

    def test_inner_answer_checked_as_any_answer(self, env, client, mock,
                                                tokens):
        publish(mock, "sig", K1, E1)
        answer_with(mock, "sig", signed(env, {"active": False}))
        asserts.invalid_token(client.get("/sig" + CGI, token=tokens.new()))
        answer_with(mock, "sig", signed(
            env, tokens.claims(iss=ISS, exp=int(time.time()) - 100)))
        asserts.invalid_token(client.get("/sig" + CGI, token=tokens.new()))

    def test_cache_keeps_verified_answer(self, env, client, mock, tokens):
        publish(mock, "cached", K1)
        tok = tokens.new()
        answer_with(mock, "cached", signed(env, tokens.claims(iss=ISS, sub="carol")))
        asserts.granted(client.get("/cached" + CGI, token=tok))
        # the mock would now answer with junk: a hit never sees it
        answer_with(mock, "cached", "junk")
        r = client.get("/cached" + CGI, token=tok)
        asserts.granted(r)
        assert r.json()["INTROSPECT_SUB"] == "carol"
        assert len(mock.calls_for(tok)) == 1
        assert mock.metadata_gets() <= 1

    def test_unsigned_answer_cached_elsewhere_never_serves(self, env, client,
                                                          mock, tokens,
                                                          errlog):
        # a json location caches an unsigned answer; a jwt location with
        # the same endpoint and client id must not take it from the cache
        publish(mock, "mixed", K1)
        tok = tokens.new()
        answer_with(mock, "mixed",
                    json.dumps(tokens.claims(iss=ISS, sub="dave")),
                    ctype="application/json")
        asserts.granted(client.get("/mixed-json" + CGI, token=tok))
        r = client.get("/mixed" + CGI, token=tok)
        assert r.status == 503
        assert len(mock.calls_for(tok)) == 2
        errlog.expect(r"MAI01610", ENDPOINT_FAILED)

    def test_key_rotation_picked_up_after_unknown_kid(self, env, client,
                                                       mock, tokens, errlog):
        publish(mock, "rot", K1)
        answer_with(mock, "rot", signed(env, tokens.claims(iss=ISS)))
        asserts.granted(client.get("/rot" + CGI, token=tokens.new()))
        assert mock.metadata_gets() == 1
        # the server rotates to K2 and publishes it
        publish(mock, "rot", K1, K2)
        answer_with(mock, "rot", signed(env, tokens.claims(iss=ISS), key=K2))
        asserts.granted(client.get("/rot" + CGI, token=tokens.new()))
        assert mock.metadata_gets() == 2
        # a kid nobody publishes: within the refetch interval no new fetch
        answer_with(mock, "rot", signed(env, tokens.claims(iss=ISS), key=K3))
        errlog.expect(r"MAI01614", ENDPOINT_FAILED)
        r = client.get("/rot" + CGI, token=tokens.new())
        asserts.unavailable(r)
        assert mock.metadata_gets() == 2
        assert "MAI01614" in errlog.error_text()

    def test_refetch_interval_zero(self, env, client, mock, tokens,
                                   errlog):
        publish(mock, "rot0", K1)
        answer_with(mock, "rot0", signed(env, tokens.claims(iss=ISS)))
        asserts.granted(client.get("/rot0" + CGI, token=tokens.new()))
        answer_with(mock, "rot0", signed(env, tokens.claims(iss=ISS), key=K3))
        errlog.expect(r"MAI01614", ENDPOINT_FAILED)
        asserts.unavailable(client.get("/rot0" + CGI, token=tokens.new()))
        assert mock.metadata_gets() == 2
        publish(mock, "rot0", K1, K3)
        asserts.granted(client.get("/rot0" + CGI, token=tokens.new()))
        assert mock.metadata_gets() == 3

    def test_jwks_failures_are_endpoint_failures(self, env, client, mock,
                                                 tokens, errlog):
        answer_with(mock, "nokeys", signed(env, tokens.claims(iss=ISS)))
        errlog.expect(r"MAI01500", r"MAI01600", ENDPOINT_FAILED)
        # no set published: the JWKS URL answers 404
        asserts.unavailable(client.get("/nokeys" + CGI, token=tokens.new()))
        assert "MAI01500" in errlog.error_text()
        # a set with nothing usable in it (an HMAC key, an encryption key)
        mock.metadata("/jwks/nokeys", {"keys": [
            {"kty": "oct", "k": "c2VjcmV0c2VjcmV0c2VjcmV0", "kid": "k1"},
            dict(K1.public_jwk(), use="enc")]})
        asserts.unavailable(client.get("/nokeys" + CGI, token=tokens.new()))
        assert "MAI01600" in errlog.error_text()
        # a failure is not kept: the next request fetches again
        publish(mock, "nokeys", K1)
        asserts.granted(client.get("/nokeys" + CGI, token=tokens.new()))
        assert mock.metadata_gets() == 2


def _tampered_signature(env, tokens):
    c = signed(env, tokens.claims(iss=ISS))
    head, body, sig = c.split(".")
    return ".".join([head, body, ("A" if sig[5] != "A" else "B")
                     .join([sig[:5], sig[6:]])])


def _tampered_payload(env, tokens):
    head, _, sig = signed(env, tokens.claims(iss=ISS, sub="alice")).split(".")
    other = jws.b64u(json.dumps(claims(env, tokens.claims(iss=ISS, sub="admin"))))
    return ".".join([head, other, sig])


def _none(env, tokens):
    return jws.compact({"alg": "none", "typ": "token-introspection+jwt"},
                       claims(env, tokens.claims(iss=ISS)))


def _hs256(env, tokens):
    # the classic confusion: HMAC keyed with the server's public key
    return jws.compact({"alg": "HS256", "kid": "k1",
                        "typ": "token-introspection+jwt"},
                       claims(env, tokens.claims(iss=ISS)),
                       hmac_secret=K1.public_pem())


def _duplicate(env, tokens):
    now = int(time.time())
    text = ('{"iss":"%s","aud":"%s","iat":%d,"token_introspection":'
            '{"active":true,"sub":"alice","sub":"admin"}}'
            % (ISS, env.client_id, now))
    return jws.compact({"alg": "RS256", "kid": "k1",
                        "typ": "token-introspection+jwt"}, text, K1)


def _duplicate_claim(env, tokens):
    now = int(time.time())
    text = ('{"iss":"%s","aud":"%s","aud":"other","iat":%d,'
            '"token_introspection":{"active":true,"sub":"alice"}}'
            % (ISS, env.client_id, now))
    return jws.compact({"alg": "RS256", "kid": "k1",
                        "typ": "token-introspection+jwt"}, text, K1)


# name -> (body maker, Content-Type, the log tag of the check that fails)
HOSTILE = {
    "other_key": (lambda env, t: signed(env, t.claims(iss=ISS), key=IMPOSTOR),
                  JWT_TYPE, "MAI01615"),
    "tampered_signature": (_tampered_signature, JWT_TYPE, "MAI01615"),
    "tampered_payload": (_tampered_payload, JWT_TYPE, "MAI01615"),
    "alg_none": (_none, JWT_TYPE, "MAI01609"),
    "hs256_public_key": (_hs256, JWT_TYPE, "MAI01609"),
    "wrong_aud": (lambda env, t: signed(env, t.claims(iss=ISS), aud="someone-else"),
                  JWT_TYPE, "MAI01618"),
    "wrong_iss": (lambda env, t: signed(env, t.claims(iss=ISS),
                                        iss="https://evil.example"),
                  JWT_TYPE, "MAI01617"),
    "stale_iat": (lambda env, t: signed(env, t.claims(iss=ISS),
                                        iat=int(time.time()) - 600),
                  JWT_TYPE, "MAI01619"),
    "future_iat": (lambda env, t: signed(env, t.claims(iss=ISS),
                                         iat=int(time.time()) + 600),
                   JWT_TYPE, "MAI01619"),
    "no_iat": (lambda env, t: signed(env, t.claims(iss=ISS), iat=None),
               JWT_TYPE, "MAI01619"),
    "no_answer": (lambda env, t: signed(env, None), JWT_TYPE, "MAI01620"),
    "answer_not_object": (lambda env, t: signed(env, "active"), JWT_TYPE,
                          "MAI01620"),
    "wrong_typ": (lambda env, t: signed(env, t.claims(iss=ISS), typ="JWT"),
                  JWT_TYPE, "MAI01616"),
    # inside the answer: refused by the one parse of the answer (MAI00313);
    # among the JWT's own claims: by the claims' check
    "duplicate_member": (_duplicate, JWT_TYPE, "MAI00313"),
    "duplicate_claim": (_duplicate_claim, JWT_TYPE, "MAI01621"),
    "plain_json": (lambda env, t: json.dumps(t.claims(iss=ISS)),
                   "application/json", "MAI01610"),
    "signed_but_json_type": (lambda env, t: signed(env, t.claims(iss=ISS)),
                             "application/json", "MAI01610"),
    "jwe": (lambda env, t: jws.jwe(K1, json.dumps(claims(env, t.claims(iss=ISS)))),
            JWT_TYPE, "MAI01611"),
    "garbage": (lambda env, t: "not.a.jws!", JWT_TYPE, "MAI01612"),
}


class TestHostileAnswers:
    @pytest.mark.parametrize("case", sorted(HOSTILE))
    def test_refused_as_endpoint_failure(self, env, client, mock, tokens,
                                         errlog, case):
        make, ctype, tag = HOSTILE[case]
        publish(mock, "sig", K1, E1)
        answer_with(mock, "sig", make(env, tokens), ctype=ctype)
        errlog.expect(tag, ENDPOINT_FAILED)
        r = client.get("/sig" + CGI, token=tokens.new())
        asserts.unavailable(r)
        log = errlog.error_text()
        assert tag in log, log
        if case == "jwe":
            assert "encrypted introspection responses are not supported" \
                in log


# ---- oidc-provider ------------------------------------------------------
RAS_KEY = jws.Key("ras-1")
UNRELATED = jws.Key("unrelated")


@pytest.fixture(scope="module")
def jwt_as(env):
    """oidc-provider signing its introspection answers with RAS_KEY (RS256)
    for the resource server's client."""
    try:
        ras = services.RealAS(env.root,
                              "app " + pysecrets.token_urlsafe(12),
                              "rs:" + pysecrets.token_urlsafe(12),
                              plugins=("jwtintrospection",),
                              extra={"jwks": [RAS_KEY.private_jwk()]},
                              name="real_as_jwt")
    except (services.SetupError, RuntimeError) as exc:
        pytest.fail(str(exc), pytrace=False)
    env.add_session_secret(ras.client_secret, ras.client_id)
    env.add_session_secret(ras.rs_secret, ras.rs_id)
    env.jwt_as = ras
    yield ras
    ras.stop()


def introspections(ras):
    conn = http.client.HTTPConnection("127.0.0.1", ras.port, timeout=10)
    try:
        conn.request("GET", "/_introspections")
        return json.loads(conn.getresponse().read())["count"]
    finally:
        conn.close()


class TestOidcProvider:
    NEEDS = ("jwt_as",)

    @staticmethod
    def conf(env):
        ras = env.jwt_as
        creds = ["AuthIntrospectClientID " + ras.rs_id,
                 env.secret_line(ras.rs_secret)]
        return ONE_PROCESS + "\n".join([
            # everything from discovery: endpoint, issuer, jwks_uri
            env.protect("/ras", "AuthIntrospectResponseFormat jwt",
                        "AuthIntrospectMetadataURL " + ras.issuer
                        + "/.well-known/openid-configuration", *creds,
                        endpoint="", creds=False),
            # the set from a URL the test controls, refetched at will
            env.protect("/ras-rot", "AuthIntrospectResponseFormat jwt",
                        "AuthIntrospectCacheTTL 0",
                        "AuthIntrospectIssuer " + ras.issuer,
                        "AuthIntrospectJWKS " + env.mock.url("/jwks/ras"),
                        "AuthIntrospectJWKSRefetchInterval 0", *creds,
                        endpoint=ras.introspection_url, creds=False),
        ])

    def test_end_to_end_then_cache_hit(self, jwt_as, client, errlog):
        tok = jwt_as.issue()
        errlog.secret(tok)
        before = introspections(jwt_as)
        r = client.get("/ras" + CGI, token=tok)
        asserts.granted(r)
        assert r.json()["INTROSPECT_ISS"] == jwt_as.issuer
        assert r.json()["INTROSPECT_SCOPE"] == "read write"
        assert introspections(jwt_as) == before + 1
        asserts.granted(client.get("/ras" + CGI, token=tok))
        assert introspections(jwt_as) == before + 1

    def test_key_rotation(self, jwt_as, client, mock, errlog):
        tok = jwt_as.issue()
        errlog.secret(tok)
        # the set the module holds lacks the provider's signing key
        publish(mock, "ras", UNRELATED)
        errlog.expect(r"MAI01614", ENDPOINT_FAILED)
        asserts.unavailable(client.get("/ras-rot" + CGI, token=tok))
        assert "MAI01614" in errlog.error_text()
        # the provider's key appears: the unknown kid fetches it
        publish(mock, "ras", UNRELATED, RAS_KEY)
        asserts.granted(client.get("/ras-rot" + CGI, token=tok))


class TestStartup:
    """jwt without an issuer or a JWK set to check against is a startup
    error, named by file and line (`apache2 -t`)."""

    def _check(self, httpd, env, *lines):
        return httpd.configtest(env.protect(
            "/cfg", "AuthIntrospectResponseFormat jwt", *lines))

    def test_without_issuer(self, httpd, env):
        rc, out, path = self._check(
            httpd, env, "AuthIntrospectJWKS " + env.mock.url("/jwks/x"))
        assert rc != 0 and "MAI01608" in out, out
        assert path in out

    def test_without_jwks(self, httpd, env):
        rc, out, _ = self._check(httpd, env, "AuthIntrospectIssuer " + ISS)
        assert rc != 0 and "MAI01608" in out, out

    def test_issuer_and_jwks(self, httpd, env):
        rc, out, _ = self._check(
            httpd, env, "AuthIntrospectIssuer " + ISS,
            "AuthIntrospectJWKS " + env.mock.url("/jwks/x"))
        assert rc == 0, out

    def test_jwks_off_loopback_over_http(self, httpd, env):
        rc, out, _ = self._check(
            httpd, env, "AuthIntrospectIssuer " + ISS,
            "AuthIntrospectJWKS http://192.0.2.7/jwks")
        assert rc != 0 and "AuthIntrospectJWKS" in out, out

    def test_bad_format(self, httpd, env):
        rc, out, _ = httpd.configtest(env.protect(
            "/cfg", "AuthIntrospectResponseFormat xml"))
        assert rc != 0 and "json or jwt" in out, out
