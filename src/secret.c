/* secret.c: where the client secret comes from. Reading it at startup
 * keeps it out of the config text and fails early when it is missing. */
#include <stdlib.h>
#include <apr_strings.h>
#include <apr_file_io.h>
#include "secret.h"

#define MAI_SECRET_MAX 4096

static const char *from_file(apr_pool_t *p, const char *path,
                             const char **secret)
{
    apr_file_t *f;
    char *buf = apr_palloc(p, MAI_SECRET_MAX + 1);
    apr_size_t n = MAI_SECRET_MAX;
    apr_status_t rv;
    char *eol;

    rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_FPROT_OS_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "cannot open secret file %s: %pm", path, &rv);
    }
    rv = apr_file_read_full(f, buf, n, &n);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        return apr_psprintf(p, "cannot read secret file %s: %pm", path, &rv);
    }
    buf[n] = '\0';
    eol = buf + strcspn(buf, "\r\n");
    if (!*eol && n == MAI_SECRET_MAX) {
        return apr_psprintf(p, "secret file %s: first line longer than "
                            "%d bytes", path, MAI_SECRET_MAX);
    }
    *eol = '\0';
    if (!*buf) {
        return apr_psprintf(p, "secret file %s: first line is empty", path);
    }
    *secret = buf;
    return NULL;
}

const char *mai_secret_resolve(apr_pool_t *p, const char *spec,
                               const char **secret)
{
    if (!strncmp(spec, "env:", 4)) {
        const char *v = getenv(spec + 4);
        if (!spec[4]) {
            return "env: needs a variable name";
        }
        if (!v || !*v) {
            return apr_psprintf(p, "environment variable %s is not set or "
                                "empty", spec + 4);
        }
        *secret = apr_pstrdup(p, v);
        return NULL;
    }
    if (!strncmp(spec, "file:", 5)) {
        if (!spec[5]) {
            return "file: needs a path";
        }
        return from_file(p, spec + 5, secret);
    }
    *secret = apr_pstrdup(p, spec);
    return NULL;
}
