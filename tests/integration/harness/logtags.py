# SPDX-License-Identifier: Apache-2.0
"""Error-log lines that tests declare as expected (regexes), after
docs/log-messages.md. A declaration allows such lines; it does not require
them (tests that need a line assert it themselves)."""

# Any line from our module.
MODULE = r"\[auth_introspect:\w+\].*MAI\d{5}:"

# The endpoint gave no usable answer, logged at ERR: MAI00304 (the client
# got 503) after its cause: MAI00313 (bad/oversized body), MAI00701 (TLS),
# MAI00702 (DNS), MAI00703 (connect), MAI00705 (after connect: timeout,
# malformed, oversized), MAI00802 (401/403: our credentials), MAI00803
# (other non-200).
ENDPOINT_FAILURE = (r"\[auth_introspect:error\].*"
                    r"MAI00(304|313|70[1-5]|80[23]):")

# Startup configuration errors: MAI00101 (post_config), MAI00102-00104,
# MAI01300 and MAI01302 (check_config; ERR|STARTUP), or httpd's own
# report of a directive's syntax error / failed configuration or check.
CONFIG_ERROR = (r"MAI0010[1-4]:|MAI0130[02]:|AH00526:|AH00016:|AH00013:|"
                r"Configuration Failed")

# An AuthIntrospectClientSecret given inline (warn, at every start).
INLINE_SECRET = r"\[auth_introspect:warn\].*MAI00105:"

# .htaccess used a directive it may not use: httpd core reports it (alert).
HTACCESS_NOT_ALLOWED = (r"\[core:alert\].*\.htaccess: AuthIntrospect\w+ "
                        r"not allowed here")

# mod_authz_core logs every authorization refusal at ERR:
#   AH01629 authorization failure (no authenticated user)
#   AH01630 client denied by server configuration
#   AH01631 user X: authorization failure for ...
AUTHZ_DENIED = r"\[authz_core:error\].*AH016(29|30|31):"
