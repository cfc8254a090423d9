#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A legacy CGI program: prints what a protected app would see, as a JSON
object (text/plain): REMOTE_USER, AUTH_TYPE, every INTROSPECT_* variable,
every HTTP_* variable, the request method, query string and the body it
read from stdin, byte for byte."""
import json
import os
import sys

env = {k: v for k, v in os.environ.items()
       if k.startswith(("INTROSPECT_", "HTTP_")) or k in (
           "REMOTE_USER", "AUTH_TYPE", "REQUEST_METHOD", "QUERY_STRING",
           "CONTENT_TYPE", "CONTENT_LENGTH", "REDIRECT_STATUS",
           "REDIRECT_URL", "REDIRECT_REMOTE_USER", "SCRIPT_NAME",
           "PATH_INFO")}
body = sys.stdin.buffer.read(int(os.environ.get("CONTENT_LENGTH") or 0))
env["body"] = body.decode("latin-1")
out = json.dumps(env, sort_keys=True)
sys.stdout.write("Content-Type: text/plain; charset=utf-8\r\n")
sys.stdout.write("Content-Length: %d\r\n\r\n" % len(out.encode()))
sys.stdout.write(out)
