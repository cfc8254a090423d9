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


def refused(r, status, error=None, realm=REALM, scope=None):
    """R has STATUS and exactly one WWW-Authenticate, the expected one."""
    assert r.status == status, r
    assert r.all("WWW-Authenticate") == [challenge(realm, error, scope)], r


def no_token(r, realm=REALM):
    refused(r, 401, None, realm)


def invalid_request(r, realm=REALM):
    refused(r, 400, "invalid_request", realm)


def invalid_token(r, realm=REALM):
    refused(r, 401, "invalid_token", realm)


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
