/* SPDX-License-Identifier: Apache-2.0 */
/* log.h: the sink through which IO code logs without knowing httpd. The
 * glue (httpd_log.c) connects a sink to ap_log_rerror / ap_log_error, so
 * `LogLevel auth_introspect:trace8` governs every line. */
#ifndef MAI_LOG_H
#define MAI_LOG_H

#include "status.h"

/* Every log line starts with its own stable tag, MAIxxxxx, listed in
 * docs/log-messages.md. */
#define MAI_LOGNO(n) "MAI" #n ": "

typedef struct mai_log_sink {
    /** Write one formatted line at level (MAI_LOG_* / APLOG_*) as coming
     * from file and line, the caller of mai_log. */
    void (*emit)(void *baton, const char *file, int line, int level,
                 const char *msg);
    /** True when level would be written: lets callers skip formatting. */
    int (*enabled)(void *baton, int level);
    void *baton;
} mai_log_sink_t;

/** Format and emit, if the sink is not NULL and the level is enabled.
 * Never pass a token or secret: name a token by mai_digest_token_id.
 * A macro, like httpd's APLOG_MARK and mod_md's MD_LOG_MARK, so that the
 * error log names the line that logged, not the sink that relayed it. */
#define mai_log(sink, level, ...) \
    mai_log_at((sink), __FILE__, __LINE__, (level), __VA_ARGS__)

void mai_log_at(const mai_log_sink_t *sink, const char *file, int line,
                int level, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 5, 6)))
#endif
    ;

#endif
