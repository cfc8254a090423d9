/* SPDX-License-Identifier: Apache-2.0 */
/* secret.c: where the client and cache secrets come from. Reading them
 * at startup keeps them out of the config text and fails early when they
 * are missing. */
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

/* Child processes (CGI daemons, piped loggers, anything that execs
 * with the inherited environment) never see the value: it is taken out
 * of the environment on first reading and kept in the process pool. */
static const char *from_env(apr_pool_t *p, apr_pool_t *keep,
                            const char *name, const char **secret)
{
    const char *tag = apr_pstrcat(p, "mai_secret_env:", name, NULL);
    char *v = getenv(name);
    void *kept = NULL;

    if (v && *v) {
        char *copy = apr_pstrdup(keep, v);
        apr_pool_userdata_set(copy, apr_pstrdup(keep, tag), NULL, keep);
        /* unsetenv only unlinks the string: the bytes of the initial
         * environment stay readable in /proc/PID/environ */
        memset(v, 0, strlen(v));
        unsetenv(name);
        kept = copy;
    }
    else {
        apr_pool_userdata_get(&kept, tag, keep);
    }
    if (!kept) {
        return apr_psprintf(p, "environment variable %s is not set or "
                            "empty", name);
    }
    *secret = apr_pstrdup(p, kept);
    return NULL;
}

const char *mai_secret_resolve(apr_pool_t *p, apr_pool_t *keep,
                               const char *spec, const char **secret)
{
    if (!strncmp(spec, "env:", 4)) {
        if (!spec[4]) {
            return "env: needs a variable name";
        }
        return from_env(p, keep, spec + 4, secret);
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
