# SPDX-License-Identifier: Apache-2.0
"""DPoP at the resource (RFC 9449, docs/dpop.md): oidc-provider issues
DPoP-bound access tokens (plugins/dpop.js; cnf.jkt in the introspection
answer), panva's `dpop` package makes the proofs (real_as/dpop_client.js),
and httpd checks them: a valid proof passes; each broken one is refused
with its own error, challenge and log tag."""
import base64
import concurrent.futures
import hashlib
import http.client
import json
import os
import re
import secrets as pysecrets
import shutil
import subprocess
import time
import urllib.parse

import pytest

from harness import asserts, services
from harness.conf import REALM

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, "real_as")
CGI = "/cgi/env.cgi"
# docs/log-messages.md: one tag per failed check
TAG = {"missing": "MAI01900", "multiple": "MAI01901", "malformed": "MAI01902",
       "typ": "MAI01903", "alg": "MAI01904", "key": "MAI01905",
       "signature": "MAI01906", "htm": "MAI01907", "htu": "MAI01908",
       "iat": "MAI01909", "ath": "MAI01910", "replay": "MAI01911"}


def node_ops(ops):
    """Run real_as/dpop_client.js over OPS; its results."""
    node = shutil.which("node")
    out = subprocess.run([node, os.path.join(REAL, "dpop_client.js")],
                         input=json.dumps(ops), cwd=REAL,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def ath(token):
    return b64u(hashlib.sha256(token.encode()).digest())


def dpop_challenge(error=None, desc=None, realm=REALM):
    v = 'DPoP realm="%s"' % realm
    if error:
        v += ', error="%s"' % error
    if desc:
        v += ', error_description="%s"' % desc
    return v + ', algs="%s"' % asserts.DPOP_ALGS


class DPoPAS:
    """oidc-provider with plugins/dpop.js, this module's own."""

    def __init__(self, env):
        self.ras = services.RealAS(
            env.root, "app-" + pysecrets.token_urlsafe(12),
            "rs:" + pysecrets.token_urlsafe(12) + " %&+/",
            plugins=("dpop",), name="real_as_dpop")
        env.add_session_secret(self.ras.client_secret, self.ras.client_id)
        env.add_session_secret(self.ras.rs_secret, self.ras.rs_id)

    def issue(self, key, police, dpop=True):
        """A client_credentials token bound to KEY (a keygen result), or
        a plain Bearer one with dpop=False."""
        ras = self.ras
        url = ras.issuer + "/token"
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Authorization": "Basic " + base64.b64encode((
                       "%s:%s" % (urllib.parse.quote_plus(ras.client_id),
                                  urllib.parse.quote_plus(
                                      ras.client_secret))).encode()).decode()}
        if dpop:
            headers["DPoP"] = node_ops([{"op": "proof", "key": key,
                                         "htu": url, "htm": "POST"}])[0]
        conn = http.client.HTTPConnection("127.0.0.1", ras.port, timeout=10)
        try:
            conn.request("POST", "/token", body=urllib.parse.urlencode({
                "grant_type": "client_credentials", "scope": "read write",
                "resource": ras.RESOURCE}), headers=headers)
            resp = conn.getresponse()
            body = json.loads(resp.read())
        finally:
            conn.close()
        assert resp.status == 200, body
        assert body["token_type"] == ("DPoP" if dpop else "Bearer"), body
        police.secret(body["access_token"])
        return body["access_token"]

    def stop(self):
        self.ras.stop()


@pytest.fixture(scope="module")
def dpop_as(env):
    if not os.path.isdir(os.path.join(REAL, "node_modules", "dpop")):
        pytest.fail("the dpop package is not installed: run `npm ci` in "
                    "tests/integration/real_as", pytrace=False)
    try:
        w = DPoPAS(env)
    except (services.SetupError, RuntimeError) as exc:
        pytest.fail("DPoP authorization server: %s" % exc, pytrace=False)
    env.dpop_as = w
    yield w
    w.stop()


@pytest.fixture(scope="module")
def keys():
    """Two ES256 keys and a PS256 one, made by the dpop package."""
    es, other, ps = node_ops([{"op": "keygen", "alg": "ES256"},
                              {"op": "keygen", "alg": "ES256"},
                              {"op": "keygen", "alg": "PS256"}])
    return {"es": es, "other": other, "ps": ps}


def _locations(env):
    ras = env.dpop_as.ras
    common = ["AuthIntrospectClientID " + ras.rs_id,
              env.secret_line(ras.rs_secret),
              "AuthIntrospectIssuer " + ras.issuer]
    ep = ras.introspection_url
    return "\n".join([
        env.protect("/dp", *common, endpoint=ep, creds=False),
        env.protect("/dpr", "AuthIntrospectDPoP required", *common,
                    endpoint=ep, creds=False),
        env.protect("/dpoff", "AuthIntrospectDPoP off", *common,
                    endpoint=ep, creds=False),
        env.protect("/dpn", "AuthIntrospectDPoPNonce On", *common,
                    endpoint=ep, creds=False),
    ])


class _Base:
    NEEDS = ("dpop_as",)

    @pytest.fixture(autouse=True)
    def _world(self, env, errlog, dpop_as, keys):
        self.env = env
        self.errlog = errlog
        self.as_ = dpop_as
        self.keys = keys

    def replayed_once(self, client):
        """12 requests at once with one proof, over both of httpd's
        processes (StartServers 2): exactly one passes."""
        tok = self.token()
        path = "/dp" + CGI
        p = self.proof(self.url(path), token=tok)
        with concurrent.futures.ThreadPoolExecutor(12) as ex:
            statuses = list(ex.map(
                lambda _: self.send(client, path, tok, [p]).status,
                range(12)))
        assert sorted(statuses) == [200] + [401] * 11, statuses

    def url(self, path, port=None):
        return "http://127.0.0.1:%d%s" % (port or self.env.port, path)

    def token(self, key="es"):
        return self.as_.issue(self.keys[key], self.errlog)

    def proof(self, htu, htm="GET", token=None, key="es", at=None,
              nonce=None):
        p = node_ops([{"op": "proof", "key": self.keys[key], "htu": htu,
                       "htm": htm, "token": token, "at": at,
                       "nonce": nonce}])[0]
        self.errlog.secret(p)
        return p

    def forge(self, header, payload, sign, key="es", secret=None):
        p = node_ops([{"op": "forge", "header": header, "payload": payload,
                       "sign": sign, "key": self.keys[key],
                       "secret": secret}])[0]
        self.errlog.secret(p)
        return p

    def send(self, client, path, token, proofs, method="GET", scheme="DPoP"):
        hdrs = [("Authorization", scheme + " " + token)]
        hdrs += [("DPoP", p) for p in proofs]
        return client.request(method, path, headers=hdrs)

    def refused(self, r, error, desc, tag=None):
        """401, the DPoP challenge with the error first, Bearer second."""
        assert r.status == 401, r
        assert r.all("WWW-Authenticate") == [
            dpop_challenge(error, desc), 'Bearer realm="%s"' % REALM], r
        if tag:
            assert re.search(r"\[auth_introspect:info\].*%s:" % tag,
                             self.errlog.error_text()), tag


class TestDPoP(_Base):

    @staticmethod
    def conf(env):
        return _locations(env)

    def test_valid_proof(self, client, keys):
        tok = self.token()
        path = "/dp" + CGI
        r = self.send(client, path, tok,
                      [self.proof(self.url(path), token=tok)])
        asserts.granted(r)
        seen = r.json()
        assert seen["AUTH_TYPE"] == "DPoP"
        assert seen["REMOTE_USER"] == self.as_.ras.client_id
        assert json.loads(seen["INTROSPECT_CNF"]) == {"jkt": keys["es"]["jkt"]}
        assert seen["INTROSPECT_TOKEN_TYPE"] == "DPoP"

    def test_valid_rsa_proof_and_post(self, client):
        tok = self.token("ps")
        path = "/dpr" + CGI
        r = self.send(client, path, tok,
                      [self.proof(self.url(path), "POST", tok, "ps")],
                      method="POST")
        asserts.granted(r)

    def test_query_is_ignored(self, client):
        tok = self.token()
        path = "/dp" + CGI
        r = self.send(client, path + "?a=1&b=2", tok,
                      [self.proof(self.url(path), token=tok)])
        asserts.granted(r)

    def test_wrong_method(self, client):
        tok = self.token()
        path = "/dp" + CGI
        r = self.send(client, path, tok,
                      [self.proof(self.url(path), "POST", tok)])
        self.refused(r, "invalid_dpop_proof", "DPoP proof htm mismatch",
                     TAG["htm"])

    def test_wrong_uri(self, client):
        tok = self.token()
        r = self.send(client, "/dp" + CGI, tok,
                      [self.proof(self.url("/dp/other"), token=tok)])
        self.refused(r, "invalid_dpop_proof", "DPoP proof htu mismatch",
                     TAG["htu"])

    def test_stale_iat(self, client):
        tok = self.token()
        path = "/dp" + CGI
        r = self.send(client, path, tok, [self.proof(
            self.url(path), token=tok, at=int(time.time()) - 600)])
        self.refused(r, "invalid_dpop_proof",
                     "DPoP proof iat outside the accepted window", TAG["iat"])

    def test_replayed_jti(self, client):
        tok = self.token()
        path = "/dp" + CGI
        p = self.proof(self.url(path), token=tok)
        asserts.granted(self.send(client, path, tok, [p]))
        self.refused(self.send(client, path, tok, [p]), "invalid_dpop_proof",
                     "DPoP proof replayed", TAG["replay"])

    def test_replay_across_processes(self, client):
        """httpd runs two processes here (StartServers 2): of 12 requests
        at once with one proof, exactly one passes, wherever it lands."""
        self.replayed_once(client)

    def test_future_iat(self, client):
        tok = self.token()
        path = "/dp" + CGI
        r = self.send(client, path, tok, [self.proof(
            self.url(path), token=tok, at=int(time.time()) + 300)])
        self.refused(r, "invalid_dpop_proof",
                     "DPoP proof iat outside the accepted window", TAG["iat"])

    def test_wrong_ath(self, client):
        tok = self.token()
        path = "/dp" + CGI
        r = self.send(client, path, tok,
                      [self.proof(self.url(path), token=tok + "x")])
        self.refused(r, "invalid_dpop_proof", "DPoP proof ath mismatch",
                     TAG["ath"])

    def test_other_key_than_cnf_jkt(self, client):
        tok = self.token()              # bound to "es"
        path = "/dp" + CGI
        r = self.send(client, path, tok,
                      [self.proof(self.url(path), token=tok, key="other")])
        self.refused(r, "invalid_token", "invalid DPoP key binding")

    def _claims(self, path, tok):
        return {"htm": "GET", "htu": self.url(path), "iat": int(time.time()),
                "jti": pysecrets.token_urlsafe(12), "ath": ath(tok)}

    def test_alg_none(self, client, keys):
        """alg none, with the empty signature of RFC 7519 6.1 (refused as
        not a JWS by jose.c's first version, by its alg since it reads
        unsecured JWS too) and with bytes there (refused by its alg)."""
        tok = self.token()
        path = "/dp" + CGI
        header = {"typ": "dpop+jwt", "alg": "none",
                  "jwk": keys["es"]["public"]}
        p = self.forge(header, self._claims(path, tok), "none")
        r = self.send(client, path, tok, [p])
        assert r.status == 401, r
        assert r.all("WWW-Authenticate") in (
            [dpop_challenge("invalid_dpop_proof", desc),
             'Bearer realm="%s"' % REALM]
            for desc in ("DPoP proof malformed or missing claims",
                         "DPoP proof alg not supported")), r
        p = self.forge(header, self._claims(path, tok), "junk")
        self.refused(self.send(client, path, tok, [p]), "invalid_dpop_proof",
                     "DPoP proof alg not supported", TAG["alg"])

    def test_hs256(self, client, keys):
        """HS256 with the public key's x as the secret, the old confusion
        attack: refused by its alg before any key is read."""
        tok = self.token()
        path = "/dp" + CGI
        p = self.forge({"typ": "dpop+jwt", "alg": "HS256",
                        "jwk": keys["es"]["public"]},
                       self._claims(path, tok), "HS256",
                       secret=keys["es"]["public"]["x"])
        self.refused(self.send(client, path, tok, [p]), "invalid_dpop_proof",
                     "DPoP proof alg not supported", TAG["alg"])

    def test_private_key_in_jwk(self, client, keys):
        """Signed right, by the key bound to the token, but the header
        carries the private key: refused."""
        tok = self.token()
        path = "/dp" + CGI
        p = self.forge({"typ": "dpop+jwt", "alg": "ES256",
                        "jwk": keys["es"]["private"]},
                       self._claims(path, tok), "key")
        self.refused(self.send(client, path, tok, [p]), "invalid_dpop_proof",
                     "DPoP proof jwk missing, private or unusable",
                     TAG["key"])

    def test_forged_signature(self, client, keys):
        """The header names the bound key, the signature is another's."""
        tok = self.token()
        path = "/dp" + CGI
        p = self.forge({"typ": "dpop+jwt", "alg": "ES256",
                        "jwk": keys["es"]["public"]},
                       self._claims(path, tok), "key", key="other")
        self.refused(self.send(client, path, tok, [p]), "invalid_dpop_proof",
                     "DPoP proof signature invalid", TAG["signature"])

    def test_wrong_typ(self, client, keys):
        tok = self.token()
        path = "/dp" + CGI
        p = self.forge({"typ": "JWT", "alg": "ES256",
                        "jwk": keys["es"]["public"]},
                       self._claims(path, tok), "key")
        self.refused(self.send(client, path, tok, [p]), "invalid_dpop_proof",
                     "DPoP proof typ is not dpop+jwt", TAG["typ"])

    def test_two_dpop_headers(self, client):
        tok = self.token()
        path = "/dp" + CGI
        p1 = self.proof(self.url(path), token=tok)
        p2 = self.proof(self.url(path), token=tok)
        self.refused(self.send(client, path, tok, [p1, p2]),
                     "invalid_dpop_proof", "more than one DPoP proof",
                     TAG["multiple"])

    def test_missing_proof(self, client):
        tok = self.token()
        self.refused(self.send(client, "/dp" + CGI, tok, []),
                     "invalid_dpop_proof", "DPoP proof missing",
                     TAG["missing"])

    def test_dpop_token_as_bearer(self, client):
        """The stolen-token case: no proof, Bearer scheme."""
        tok = self.token()
        r = self.send(client, "/dp" + CGI, tok, [], scheme="Bearer")
        assert r.status == 401, r
        assert r.all("WWW-Authenticate") == [
            asserts.challenge(error="invalid_token"), dpop_challenge()], r
        assert "DPOP_AS_BEARER" in self.errlog.error_text()

    def test_plain_bearer_allowed_not_required(self, client):
        tok = self.as_.issue(None, self.errlog, dpop=False)
        asserts.granted(self.send(client, "/dp" + CGI, tok, [],
                                  scheme="Bearer"))
        r = self.send(client, "/dpr" + CGI, tok, [], scheme="Bearer")
        assert r.status == 401, r
        assert r.all("WWW-Authenticate") == [dpop_challenge(
            "invalid_token", "DPoP required")], r

    def test_bearer_token_with_dpop_scheme(self, client):
        """A token not bound to any key, sent with a valid proof."""
        tok = self.as_.issue(None, self.errlog, dpop=False)
        path = "/dp" + CGI
        r = self.send(client, path, tok,
                      [self.proof(self.url(path), token=tok)])
        self.refused(r, "invalid_token", "token is not DPoP-bound")

    def test_no_token_gets_both_challenges(self, client):
        r = client.get("/dp" + CGI)
        assert r.status == 401, r
        assert r.all("WWW-Authenticate") == [asserts.challenge(),
                                             dpop_challenge()], r
        r = client.get("/dpr" + CGI)
        assert r.all("WWW-Authenticate") == [dpop_challenge()], r

    def test_server_nonce(self, client):
        """AuthIntrospectDPoPNonce On: the first proof is answered
        use_dpop_nonce with a DPoP-Nonce; the retry with it passes; a
        made-up nonce does not."""
        tok = self.token()
        path = "/dpn" + CGI
        r = self.send(client, path, tok,
                      [self.proof(self.url(path), token=tok)])
        self.refused(r, "use_dpop_nonce",
                     "Resource server requires nonce in DPoP proof",
                     "MAI01914")
        nonce = r.all("DPoP-Nonce")
        assert len(nonce) == 1 and re.fullmatch(r"[A-Za-z0-9_-]{22}",
                                                nonce[0]), r
        asserts.granted(self.send(client, path, tok, [self.proof(
            self.url(path), token=tok, nonce=nonce[0])]))
        r = self.send(client, path, tok, [self.proof(
            self.url(path), token=tok, nonce="A" * 22)])
        self.refused(r, "use_dpop_nonce",
                     "Resource server requires nonce in DPoP proof")
        assert len(r.all("DPoP-Nonce")) == 1, r
        # without the directive a nonce is read and ignored
        asserts.granted(self.send(client, "/dp" + CGI, tok, [self.proof(
            self.url("/dp" + CGI), token=tok, nonce="anything")]))

    def test_off_keeps_the_old_refusals(self, client):
        """AuthIntrospectDPoP off: the DPoP scheme is unknown, a DPoP
        token refused whatever comes with it."""
        tok = self.token()
        path = "/dpoff" + CGI
        r = self.send(client, path, tok,
                      [self.proof(self.url(path), token=tok)])
        asserts.no_token(r, dpop=False)
        asserts.invalid_token(self.send(client, path, tok, [],
                                        scheme="Bearer"), dpop=False)


class TestReplayTableFull(_Base):
    """AuthIntrospectDPoPReplayEntries 32: one set of 32 entries. Once
    32 proofs are within their lifetime, a 33rd fresh one is refused
    (fail closed, MAI02100) rather than let through unremembered, and
    the remembered ones are still replays."""

    @staticmethod
    def conf(env):
        return "AuthIntrospectDPoPReplayEntries 32\n" + _locations(env)

    def test_full_table_refuses(self, client):
        tok = self.token()
        path = "/dp" + CGI
        proofs = node_ops([{"op": "proof", "key": self.keys["es"],
                            "htu": self.url(path), "htm": "GET",
                            "token": tok} for _ in range(33)])
        for p in proofs:
            self.errlog.secret(p)
        for p in proofs[:32]:
            asserts.granted(self.send(client, path, tok, [p]))
        self.errlog.expect(r"\[auth_introspect:warn\].*MAI02100:")
        self.refused(self.send(client, path, tok, [proofs[32]]),
                     "invalid_dpop_proof", "DPoP proof replayed")
        assert re.search(r"\[auth_introspect:warn\].*MAI02100:",
                         self.errlog.error_text())
        self.refused(self.send(client, path, tok, [proofs[0]]),
                     "invalid_dpop_proof", "DPoP proof replayed",
                     TAG["replay"])


class TestCacheNone(_Base):
    """AuthIntrospectCache none: the jti still go to the server's replay
    table, which every process shares (before it, each process had a
    table of its own and a proof could pass once per process)."""

    @staticmethod
    def conf(env):
        return "AuthIntrospectCache none\n" + _locations(env)

    def test_replay_across_processes(self, client):
        self.replayed_once(client)


class TestReplayInShmcb(_Base):
    """AuthIntrospectDPoPReplayEntries 0: the jti go to shmcb instead
    (split into parts, each under a process-shared mutex of the module's
    own): a replay is still caught whichever process it lands in. The
    mutex itself is raced by test_replay_shm (robust_mutex.c)."""

    @staticmethod
    def conf(env):
        return "AuthIntrospectDPoPReplayEntries 0\n" + _locations(env)

    def test_replay_across_processes(self, client):
        self.replayed_once(client)


class TestTwoServers(_Base):
    """Node A and node B share Redis and stand behind one public name
    (ServerName https://rs.mai.test, UseCanonicalName On, as behind a
    TLS-terminating proxy): a proof used on one is a replay on the
    other, and htu is the public URI, not the one httpd listens on."""
    NEEDS = ("dpop_as", "own_redis")
    EXTRA_MODULES = ("socache_redis",)
    PUBLIC = "https://rs.mai.test"

    @staticmethod
    def conf(env):
        return ("ServerName %s\nUseCanonicalName On\n" % TestTwoServers.PUBLIC
                + env.cache_lines("redis:127.0.0.1:%d" % env.own_redis_port)
                + _locations(env))

    @pytest.fixture(autouse=True)
    def _node_b_up(self, env, node_b, _config, dpop_as):
        node_b.ensure(self.conf(env), extra_modules=self.EXTRA_MODULES)

    def test_public_htu(self, client):
        tok = self.token()
        path = "/dp" + CGI
        asserts.granted(self.send(client, path, tok, [
            self.proof(self.PUBLIC + path, token=tok)]))
        # the address httpd listens on is not what the client saw
        self.refused(self.send(client, path, tok, [
            self.proof(self.url(path), token=tok)]), "invalid_dpop_proof",
            "DPoP proof htu mismatch", TAG["htu"])

    def test_replay_on_the_other_server(self, client, client_b):
        tok = self.token()
        path = "/dp" + CGI
        p = self.proof(self.PUBLIC + path, token=tok)
        asserts.granted(self.send(client, path, tok, [p]))
        # (node B logs to its own error log)
        self.refused(self.send(client_b, path, tok, [p]),
                     "invalid_dpop_proof", "DPoP proof replayed")
        # node B takes a fresh proof: it was the replay it refused
        asserts.granted(self.send(client_b, path, tok, [
            self.proof(self.PUBLIC + path, token=tok)]))


class TestHtaccess(_Base):
    """AuthIntrospectDPoP in .htaccess (AllowOverride AuthConfig) keeps
    only what the inherited value accepts: it may take away, never let
    in; the proof window is not for .htaccess at all."""

    @staticmethod
    def conf(env):
        ras = env.dpop_as.ras
        return "\n".join([
            'Alias /dht/ "%s/htaccess/"' % env.htdocs,
            '<Directory "%s/htaccess">' % env.htdocs,
            "    AuthIntrospectEndpoint " + ras.introspection_url,
            "    AuthIntrospectClientID " + ras.rs_id,
            "    " + env.secret_line(ras.rs_secret),
            "</Directory>",
            '<Directory "%s/htaccess/dpreq">' % env.htdocs,
            "    AuthIntrospectDPoP required",
            "</Directory>",
        ])

    @pytest.fixture
    def subdir(self, env):
        made = []

        def make(name, *lines):
            path = os.path.join(env.htdocs, "htaccess", name)
            os.makedirs(path, exist_ok=True)
            os.chmod(path, 0o755)
            made.append(path)
            with open(os.path.join(path, "file.txt"), "w") as f:
                f.write("in %s\n" % name)
            os.chmod(os.path.join(path, "file.txt"), 0o644)
            with open(os.path.join(path, ".htaccess"), "w") as f:
                f.write("\n".join(["AuthType Bearer",
                                   'AuthName "%s"' % REALM] + list(lines)
                                  + ["Require valid-user"]) + "\n")
            os.chmod(os.path.join(path, ".htaccess"), 0o644)
            return "/dht/%s/file.txt" % name
        yield make
        for path in made:
            shutil.rmtree(path, ignore_errors=True)

    def _bearer_status(self, client, url):
        tok = self.as_.issue(None, self.errlog, dpop=False)
        return self.send(client, url, tok, [], scheme="Bearer")

    def _dpop_status(self, client, url):
        tok = self.token()
        return self.send(client, url, tok, [
            self.proof(self.url(url), token=tok)]).status

    def test_cannot_widen_required(self, client, subdir):
        url = subdir("dpreq", "AuthIntrospectDPoP allowed")
        r = self._bearer_status(client, url)
        assert r.status == 401 and r.all("WWW-Authenticate") == [
            dpop_challenge("invalid_token", "DPoP required")], r
        assert self._dpop_status(client, url) == 200

    def test_may_require(self, client, subdir):
        url = subdir("dpopt", "AuthIntrospectDPoP required")
        assert self._bearer_status(client, url).status == 401
        assert self._dpop_status(client, url) == 200

    def test_may_turn_off(self, client, subdir):
        url = subdir("dpoff", "AuthIntrospectDPoP off")
        assert self._bearer_status(client, url).status == 200
        assert self._dpop_status(client, url) == 401

    def test_off_under_required_leaves_nothing(self, client, subdir):
        url = subdir("dpreq", "AuthIntrospectDPoP off")
        assert self._bearer_status(client, url).status == 401
        assert self._dpop_status(client, url) == 401

    def test_window_not_allowed(self, client, subdir, errlog):
        errlog.expect(r"\[core:alert\].*\.htaccess: "
                      r"AuthIntrospectDPoPProofWindow not allowed here")
        url = subdir("dpwin", "AuthIntrospectDPoPProofWindow 3600")
        assert self._bearer_status(client, url).status == 500
