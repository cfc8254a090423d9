# SPDX-License-Identifier: Apache-2.0
"""Interop with a real authorization server: panva's oidc-provider (9.x)
issuing opaque client_credentials tokens, with introspection (client
authenticated with client_secret_basic, secret full of reserved characters)
and revocation."""
import time

import pytest

from harness import asserts, logtags

CGI = "/cgi/env.cgi"
TTL = 2


class TestRealAS:
    NEEDS = ("real_as",)

    @staticmethod
    def conf(env):
        ras = env.real_as
        common = ["AuthIntrospectClientID " + ras.rs_id,
                  env.secret_line(ras.rs_secret),
                  "AuthIntrospectIssuer " + ras.issuer]
        ep = ras.introspection_url
        return "\n".join([
            env.protect("/ras0", "AuthIntrospectCacheTTL 0", *common,
                        endpoint=ep, creds=False),
            env.protect("/ras", "AuthIntrospectCacheTTL %d" % TTL, *common,
                        endpoint=ep, creds=False),
            env.protect("/ras-write", "AuthIntrospectCacheTTL 0",
                        "Require oauth-scope write", *common, endpoint=ep,
                        creds=False),
            env.protect("/ras-aud", "AuthIntrospectCacheTTL 0",
                        "Require oauth-aud " + ras.RESOURCE, *common,
                        endpoint=ep, creds=False),
            env.protect("/ras-badsecret", "AuthIntrospectCacheTTL 0",
                        "AuthIntrospectClientID " + ras.rs_id,
                        env.secret_line("wrong-secret"),
                        endpoint=ep, creds=False),
        ])

    @pytest.fixture(autouse=True)
    def _secrets(self, errlog):
        self.errlog = errlog

    def _issue(self, ras, **kw):
        tok = ras.issue(**kw)
        self.errlog.secret(tok)
        return tok

    def test_token_works(self, client, real_as):
        tok = self._issue(real_as)
        r = client.get("/ras0" + CGI, token=tok)
        asserts.granted(r)
        seen = r.json()
        # client_credentials tokens have no sub: REMOTE_USER is client_id.
        assert seen["REMOTE_USER"] == real_as.client_id
        assert seen["INTROSPECT_CLIENT_ID"] == real_as.client_id
        assert seen["INTROSPECT_AUD"] == real_as.RESOURCE
        assert seen["INTROSPECT_SCOPE"] == "read write"
        assert seen["INTROSPECT_ISS"] == real_as.issuer

    def test_unknown_token_refused(self, client, tokens):
        asserts.invalid_token(client.get("/ras0" + CGI, token=tokens.new()))

    def test_revoked_refused_at_once_with_ttl_zero(self, client, real_as):
        tok = self._issue(real_as)
        asserts.granted(client.get("/ras0" + CGI, token=tok))
        real_as.revoke(tok)
        asserts.invalid_token(client.get("/ras0" + CGI, token=tok))

    @pytest.mark.slow
    def test_revoked_refused_once_ttl_passed(self, client, real_as):
        tok = self._issue(real_as)
        t0 = time.monotonic()
        asserts.granted(client.get("/ras" + CGI, token=tok))
        real_as.revoke(tok)
        r = client.get("/ras" + CGI, token=tok)
        if time.monotonic() - t0 < TTL - 0.5:
            asserts.granted(r)          # still within the cache TTL
        time.sleep(max(0.0, TTL - (time.monotonic() - t0)) + 0.6)
        asserts.invalid_token(client.get("/ras" + CGI, token=tok))

    def test_scope_enforced(self, client, real_as, errlog):
        errlog.expect(logtags.AUTHZ_DENIED)
        asserts.granted(client.get("/ras-write" + CGI,
                                   token=self._issue(real_as)))
        asserts.insufficient_scope(
            client.get("/ras-write" + CGI,
                       token=self._issue(real_as, scope="read")), "write")

    def test_audience_enforced(self, client, real_as, errlog):
        errlog.expect(logtags.AUTHZ_DENIED)
        asserts.granted(client.get("/ras-aud" + CGI,
                                   token=self._issue(real_as)))
        other = self._issue(real_as, scope="read",
                            resource=real_as.OTHER_RESOURCE)
        asserts.invalid_token(client.get("/ras-aud" + CGI, token=other))

    def test_rejected_client_secret_is_503(self, client, real_as, errlog):
        errlog.expect(logtags.ENDPOINT_FAILURE)
        asserts.unavailable(client.get("/ras-badsecret" + CGI,
                                       token=self._issue(real_as)))
