#!/bin/sh
# The DirectoryIndex of /fm/: the env.cgi program, run from here.
exec /usr/bin/python3 "$(dirname "$0")/../cgi-bin/env.cgi"
