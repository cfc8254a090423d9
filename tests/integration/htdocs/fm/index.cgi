#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The DirectoryIndex of /fm/: the env.cgi program, run from here.
exec /usr/bin/python3 "$(dirname "$0")/../cgi-bin/env.cgi"
