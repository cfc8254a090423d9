/* config_check.h: startup checks that span directives. */
#ifndef MAI_CONFIG_CHECK_H
#define MAI_CONFIG_CHECK_H

#include <httpd.h>

/**
 * Walk the parsed configuration tree: every `AuthType Bearer` needs an
 * AuthIntrospectEndpoint in its own section, an enclosing one, or a
 * sibling section of the same kind whose path is a prefix of its path.
 * @return NULL, or an error naming the file, line and section (from p).
 */
const char *mai_config_check(apr_pool_t *p, server_rec *s);

#endif
