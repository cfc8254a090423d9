#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Reads the whole request body, then answers with a local redirect
(RFC 3875 6.2.2) to the path in the query string: httpd serves that path
as an internal redirect of this request."""
import os
import sys

sys.stdin.buffer.read()
sys.stdout.write("Location: %s\r\n\r\n" % os.environ["QUERY_STRING"])
