# SPDX-License-Identifier: Apache-2.0
"""HTTP client for the tests, on http.client.

Every request carries X-Test-Name (the test's node id, which the access log
records) and is counted, so the log police knows how many access-log lines
to wait for. Tokens passed with token=/query_token=/cookies are registered
as secrets that must never show up in a log.
"""
import http.client
import json
import re
import urllib.parse

_UNSAFE = re.compile(r'[^\x21-\x7e ]|["\\]')


def header_safe(text):
    return _UNSAFE.sub("_", text)


class Response:
    def __init__(self, resp, body):
        self.status = resp.status
        self.reason = resp.reason
        self.headers = resp.msg
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name)

    def all(self, name):
        return self.headers.get_all(name) or []

    def __repr__(self):
        return "<Response %d %r; headers=%r; body=%r>" % (
            self.status, self.reason, list(self.headers.items()),
            self.body[:300])


class Client:
    def __init__(self, port, test_name, police, host="127.0.0.1"):
        self.host = host
        self.port = port
        self.test_name = header_safe(test_name)
        self.police = police

    def request(self, method, path, token=None, headers=None, body=None,
                query=None, cookies=None, timeout=60, conn=None,
                chunked=False):
        """Send one request on a fresh connection.

        TOKEN goes into Authorization: Bearer; QUERY (dict or list of
        pairs) is urlencoded onto PATH; COOKIES (dict) builds a Cookie
        header; HEADERS is a dict or a list of pairs (duplicates kept)."""
        if query is not None:
            q = urllib.parse.urlencode(query)
            path += ("&" if "?" in path else "?") + q
            items = query.items() if isinstance(query, dict) else query
            for k, v in items:
                if k == "access_token":
                    self.police.secret(v)
        hdrs = []
        if token is not None:
            self.police.secret(token)
            hdrs.append(("Authorization", "Bearer " + token))
        if cookies:
            for v in cookies.values():
                self.police.secret(v)
            hdrs.append(("Cookie", "; ".join("%s=%s" % kv
                                             for kv in cookies.items())))
        if headers:
            hdrs += list(headers.items() if isinstance(headers, dict)
                         else headers)
        hdrs.append(("X-Test-Name", self.test_name))
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            hdrs.append(("Content-Type", "application/x-www-form-urlencoded"))
        if isinstance(body, str):
            body = body.encode()
        own = conn is None
        if own:
            conn = self.connection(timeout)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for k, v in hdrs:
                conn.putheader(k, v)
            if body is not None and chunked:
                conn.putheader("Transfer-Encoding", "chunked")
                conn.endheaders()
                for i in range(0, len(body), 1000):
                    part = body[i:i + 1000]
                    conn.send(b"%x\r\n%s\r\n" % (len(part), part))
                conn.send(b"0\r\n\r\n")
            else:
                if body is not None:
                    conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body)
            resp = conn.getresponse()
            data = resp.read()
            self.police.requests += 1
            return Response(resp, data)
        finally:
            if own:
                conn.close()

    def connection(self, timeout=60):
        """A connection to httpd that requests may share (keep-alive)."""
        return http.client.HTTPConnection(self.host, self.port,
                                          timeout=timeout)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)
