# SPDX-License-Identifier: Apache-2.0
"""A reverse-proxied app for the demo: it answers with the X-Introspect-*
headers mod_auth_introspect added to the proxied request."""
import http.server
import json
import sys


class App(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        seen = {k: v for k, v in self.headers.items()
                if k.lower().startswith("x-introspect-")}
        body = json.dumps({"app": "proxied", "path": self.path,
                           "claims_from_headers": seen}, indent=2).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])),
                                    App).serve_forever()
