# SPDX-License-Identifier: Apache-2.0
"""Police httpd's logs after each test.

A test fails when, during it, the error log gained
  * an [emerg]/[alert]/[crit]/[error]/[warn] line it did not declare,
  * a line telling that a child exited on a signal or that the C library
    found heap corruption (MALLOC_CHECK_=3 aborts on it), unless declared,
or when the error log or the access log contains any token or secret the
test (or the session) used, in raw, percent-encoded or base64 form.

Declare expected lines with errlog.expect(REGEX) (see logtags.py for the
module's tags); a declaration allows matching lines, it does not require
them.
"""
import base64
import os
import re
import time
import urllib.parse

BAD_LEVELS = {"emerg", "alert", "crit", "error", "warn"}
LINE_RE = re.compile(r"^\[[^\]]*\] \[(?P<module>[^:\]\s]*):(?P<level>\w+)\]")
CRASH_RE = re.compile(
    r"exit signal|seg fault|Segmentation fault|double free|"
    r"free\(\): |malloc\(\): |corrupted (size|double-linked)|"
    r"AddressSanitizer|runtime error:|stack smashing", re.I)


def secret_forms(secret):
    """The spellings of SECRET that must not appear in a log."""
    forms = {secret, urllib.parse.quote(secret, safe=""),
             urllib.parse.quote_plus(secret)}
    return {f for f in forms if len(f) >= 6}


def basic_forms(client_id, secret):
    """Authorization: Basic values for id/secret, raw and form-encoded."""
    out = set()
    for i, s in ((client_id, secret),
                 (urllib.parse.quote_plus(client_id),
                  urllib.parse.quote_plus(secret)),
                 (urllib.parse.quote(client_id, safe=""),
                  urllib.parse.quote(secret, safe=""))):
        out.add(base64.b64encode(("%s:%s" % (i, s)).encode()).decode())
    return out


class LogFile:
    def __init__(self, path):
        self.path = path
        self.offset = 0

    def size(self):
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    def mark(self):
        self.offset = self.size()

    def read_new(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""


class Police:
    """One per test: created before it runs, checked after it passed."""

    def __init__(self, error_log, access_log, test_name, session_secrets):
        self.error = LogFile(error_log)
        self.access = LogFile(access_log)
        self.test_name = test_name
        self.allowed = []
        self.secrets = set()
        self.session_secrets = session_secrets
        self.requests = 0       # responses received, each logs one line
        self.error.mark()
        self.access.mark()

    def expect(self, *patterns):
        """Allow error-log lines matching any of PATTERNS (regex)."""
        for p in patterns:
            self.allowed.append(re.compile(p))

    def secret(self, *values):
        """Register values (tokens, secrets) that must never be logged."""
        for v in values:
            if v:
                self.secrets |= secret_forms(v)

    def error_text(self):
        return self.error.read_new()

    def _wait_access_lines(self, timeout=3.0):
        """The access log is written after the response went out: wait
        until every request of this test has its line."""
        want = self.requests
        tag = '"%s"' % self.test_name
        deadline = time.monotonic() + timeout
        while True:
            text = self.access.read_new()
            have = sum(1 for l in text.splitlines() if l.endswith(tag))
            if have >= want or time.monotonic() > deadline:
                return text
            time.sleep(0.05)

    def problems(self):
        access = self._wait_access_lines()
        error = self.error.read_new()
        out = []
        for line in error.splitlines():
            m = LINE_RE.match(line)
            bad_level = m and m.group("level") in BAD_LEVELS
            crash = CRASH_RE.search(line)
            if not (bad_level or crash):
                continue
            if any(p.search(line) for p in self.allowed):
                continue
            out.append("undeclared error-log line: " + line[:600])
        for s in sorted(self.secrets | self.session_secrets):
            for name, text in (("error", error), ("access", access)):
                if s in text:
                    out.append("a secret/token (%s...) appears in the %s "
                               "log" % (s[:3], name))
        return out
