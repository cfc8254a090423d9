#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A CGI local redirect: "Location: /PATH" (the query string) and no
Status, so httpd serves that path by an internal redirect (RFC 3875
6.2.2). It reads no body (httpd drops it for the redirected GET). The
target is in the query, not in PATH_INFO: PATH_INFO would make httpd look
it up first, as a subrequest, for PATH_TRANSLATED."""
import os
import sys

sys.stdout.write("Location: %s\r\n\r\n" % os.environ.get("QUERY_STRING", "/"))
