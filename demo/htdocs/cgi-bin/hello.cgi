#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A legacy CGI program: it trusts REMOTE_USER and the INTROSPECT_* claims
# that mod_auth_introspect put into its environment.
printf 'Content-Type: text/plain\r\n\r\n'
echo "Hello, ${REMOTE_USER:-nobody}."
echo "Your token carries scope: ${INTROSPECT_SCOPE:-none}"
echo "Audience: ${INTROSPECT_AUD:-none}"
echo "Client: ${INTROSPECT_CLIENT_ID:-none}"
