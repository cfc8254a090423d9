/* SPDX-License-Identifier: Apache-2.0 */
/* log.c: formatting on the caller's stack, so logging never allocates
 * from a pool that might be shared between threads. */
#include <stdarg.h>
#include <apr_strings.h>
#include "log.h"

void mai_log_at(const mai_log_sink_t *sink, const char *file, int line,
                int level, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    if (!sink || !sink->emit || (sink->enabled
                                 && !sink->enabled(sink->baton, level))) {
        return;
    }
    va_start(ap, fmt);
    apr_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    sink->emit(sink->baton, file, line, level, buf);
}
