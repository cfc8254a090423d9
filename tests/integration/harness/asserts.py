# SPDX-License-Identifier: Apache-2.0
"""Assertions on responses, shared by the test files."""
import re

from .conf import REALM


def challenge(realm=REALM, error=None, scope=None):
    """The exact WWW-Authenticate value of RFC 6750 section 3."""
    value = 'Bearer realm="%s"' % realm
    if error:
        value += ', error="%s"' % error
    if scope is not None:
        value += ', scope="%s"' % scope
    return value


# The algs of the DPoP challenge (RFC 9449 section 7.1; docs/dpop.md).
DPOP_ALGS = "ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512"


def dpop_challenge(realm=REALM):
    """The plain DPoP challenge a 401 carries second where
    AuthIntrospectDPoP is allowed (the default)."""
    return 'DPoP realm="%s", algs="%s"' % (realm, DPOP_ALGS)


def refused(r, status, error=None, realm=REALM, scope=None, dpop=True):
    """R has STATUS and the expected WWW-Authenticate lines: the Bearer
    challenge, and on a 401 (unless dpop=False: AuthIntrospectDPoP off)
    the plain DPoP one after it."""
    assert r.status == status, r
    want = [challenge(realm, error, scope)]
    if status == 401 and dpop:
        want.append(dpop_challenge(realm))
    assert r.all("WWW-Authenticate") == want, r


def no_token(r, realm=REALM, dpop=True):
    refused(r, 401, None, realm, dpop=dpop)


def invalid_request(r, realm=REALM):
    refused(r, 400, "invalid_request", realm)


def invalid_token(r, realm=REALM, dpop=True):
    refused(r, 401, "invalid_token", realm, dpop=dpop)


def insufficient_scope(r, scope, realm=REALM):
    refused(r, 403, "insufficient_scope", realm, scope)


def unavailable(r):
    """503 with Retry-After in seconds and no challenge at all."""
    assert r.status == 503, r
    assert r.all("WWW-Authenticate") == [], r
    ra = r.all("Retry-After")
    assert len(ra) == 1 and re.fullmatch(r"[0-9]+", ra[0]), r


def granted(r):
    assert r.status == 200, r
    assert r.all("WWW-Authenticate") == [], r
