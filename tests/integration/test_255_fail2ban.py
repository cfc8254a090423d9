# SPDX-License-Identifier: Apache-2.0
"""contrib/fail2ban: the filter, run by fail2ban's own fail2ban-regex on
the error log real httpd wrote for a known mix of requests from
127.0.0.1, counts exactly the requests refused for their token (inactive,
expired, refresh, malformed), never an accepted token's lines, a request
without a token or with another scheme, and names 127.0.0.1 as the host.
Once at the harness's level (auth_introspect:trace8, where accepted
tokens log lines with the client address too) and once at the level the
filter documents (auth_introspect:info). And the jail example loads with
the filter in fail2ban's own configuration reader."""
import hashlib
import os
import shutil
import subprocess
import time

import pytest

from harness import asserts

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
FILTER = os.path.join(TOP, "contrib", "fail2ban", "filter.d",
                      "mod-auth-introspect.conf")
JAIL = os.path.join(TOP, "contrib", "fail2ban", "jail.d",
                    "mod-auth-introspect.conf")
FILE = "/static.txt"
# refused requests the filter must count: 3 inactive, 1 expired, 1 refresh
# token, 2 malformed (bad syntax; token sent twice)
FAILURES = 7


def conf(env):
    return "\n".join([
        env.protect("/f2b", "AuthIntrospectAcceptTokenIn header query"),
        env.protect("/f2b-info", "AuthIntrospectAcceptTokenIn header query",
                    "LogLevel warn auth_introspect:info"),
    ])


def _digest(tok):
    return hashlib.sha256(tok.encode()).hexdigest()[:8]


def _traffic(client, tokens, prefix):
    """The known mix; returns the good tokens."""
    url = prefix + FILE
    good = [tokens.active(), tokens.active(sub="bob")]
    asserts.granted(client.get(url, token=good[0]))
    asserts.granted(client.get(url, token=good[0]))      # cached
    for _ in range(3):
        asserts.invalid_token(client.get(url, token=tokens.new("bad")))
    asserts.invalid_token(client.get(url, token=tokens.active(
        exp=int(time.time()) - 3600)))
    asserts.invalid_token(client.get(url, token=tokens.active(
        token_type="refresh_token")))
    asserts.invalid_request(client.get(
        url, headers={"Authorization": "Bearer %s!" % tokens.new("mal")}))
    twice = tokens.new("twice")
    asserts.invalid_request(client.get(url, token=twice,
                                       query={"access_token": twice}))
    # no token, another scheme: not counted
    asserts.no_token(client.get(url))
    asserts.no_token(client.get(url, headers={
        "Authorization": "Basic dXNlcjpwYXNzd29yZA=="}))
    asserts.granted(client.get(url, token=good[1]))
    return good


def _fail2ban(log, out):
    """fail2ban-regex LOG FILTER, printing one OUT field per failure."""
    res = subprocess.run(["fail2ban-regex", "--raw", "-o", out, log, FILTER],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    return [l for l in res.stdout.splitlines() if l.strip()]


def _check(errlog, tmp_path, good):
    text = errlog.error_text()
    log = tmp_path / "error.log"
    log.write_text(text)
    refusals = [l for l in text.splitlines() if "MAI00301:" in l]
    assert len(refusals) == FAILURES + 2, refusals
    hosts = _fail2ban(str(log), "ip")
    assert hosts == ["127.0.0.1"] * FAILURES, hosts
    matched = _fail2ban(str(log), "msg")
    assert len(matched) == FAILURES, matched
    assert all("MAI00301:" in l for l in matched), matched
    assert not any(_digest(t) in l for t in good for l in matched), matched
    assert not any("(NO_TOKEN)" in l or "(OTHER_SCHEME)" in l
                   for l in matched), matched
    return text


class TestFail2ban:
    def test_counts_refusals_at_trace8(self, client, tokens, errlog,
                                       tmp_path):
        good = _traffic(client, tokens, "/f2b")
        text = _check(errlog, tmp_path, good)
        # the accepted tokens did log lines with the client address, and
        # the filter passed over them
        for tok in good:
            lines = [l for l in text.splitlines()
                     if _digest(tok) in l and "[client 127.0.0.1:" in l]
            assert any("MAI00303:" in l for l in lines), lines

    def test_counts_refusals_at_info(self, client, tokens, errlog,
                                     tmp_path):
        good = _traffic(client, tokens, "/f2b-info")
        text = _check(errlog, tmp_path, good)
        assert "[auth_introspect:debug]" not in text
        assert not any(_digest(t) in text for t in good)

    def test_missed_lines_are_not_failures(self, tmp_path):
        """Lines of the same shape that must never count: an endpoint
        failure, an internal error, no token, another scheme."""
        log = tmp_path / "other.log"
        stamp = "[Sat Dec 05 04:40:00.123456 2026]"
        pid = "[pid 42:tid 43]"
        log.write_text("".join("%s %s %s [client 127.0.0.1:4000] %s\n"
                               % (stamp, lvl, pid, msg) for lvl, msg in [
            ("[auth_introspect:error]", "MAI00304: token 1a2b3c4d: no "
             "answer from the introspection endpoint: introspection "
             "endpoint timed out (ENDPOINT_TIMEOUT)"),
            ("[auth_introspect:error]", "MAI00301: token 1a2b3c4d: "
             "refused: internal error (INTERNAL)"),
            ("[auth_introspect:info]", "MAI00301: token -: refused: no "
             "bearer token in the request (NO_TOKEN)"),
            ("[auth_introspect:info]", "MAI00301: token -: refused: "
             "Authorization header uses another scheme (OTHER_SCHEME)"),
            ("[auth_introspect:info]", "MAI00301: token 1a2b3c4d: "
             "refused: token is not active (INACTIVE)"),
        ]))
        assert _fail2ban(str(log), "ip") == ["127.0.0.1"]

    def test_jail_loads_with_the_filter(self, tmp_path):
        """fail2ban-client reads the jail example with the filter: a copy
        of this machine's fail2ban configuration plus the two files (and
        the jail pointed at a log that exists), tested and dumped."""
        conf = tmp_path / "fail2ban"
        shutil.copytree("/etc/fail2ban", conf)
        # Debian's defaults enable sshd, whose log may not exist here
        (conf / "jail.d" / "defaults-debian.conf").unlink(missing_ok=True)
        shutil.copy(FILTER, conf / "filter.d")
        shutil.copy(JAIL, conf / "jail.d")
        log = tmp_path / "error.log"
        log.write_text("")
        (conf / "jail.local").write_text(
            "[mod-auth-introspect]\nlogpath = %s\n" % log)
        res = subprocess.run(["fail2ban-client", "-c", str(conf), "-t"],
                             capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, res.stdout + res.stderr
        dump = subprocess.run(["fail2ban-client", "-c", str(conf), "-d"],
                              capture_output=True, text=True,
                              timeout=60).stdout
        jail = [l for l in dump.splitlines() if "'mod-auth-introspect'" in l]
        assert "['start', 'mod-auth-introspect']" in jail, jail
        assert "['set', 'mod-auth-introspect', 'maxretry', 10]" in jail, jail
        assert any("addfailregex" in l and "refused" in l
                   for l in jail), jail
