/* SPDX-License-Identifier: Apache-2.0 */
/* test_log.c: the log sink gets the caller's file and line, and nothing
 * is formatted for a level the sink does not want. */
#include "unit.h"
#include <apr_strings.h>
#include "log.h"

typedef struct {
    const char *file;
    int line, level, emitted, max_level;
    char msg[64];
} seen_t;

static void capture(void *baton, const char *file, int line, int level,
                    const char *msg)
{
    seen_t *s = baton;

    s->file = file;
    s->line = line;
    s->level = level;
    s->emitted++;
    apr_cpystrn(s->msg, msg, sizeof(s->msg));
}

static int up_to(void *baton, int level)
{
    return level <= ((seen_t *)baton)->max_level;
}

static void test_caller_file_and_line(void **state)
{
    seen_t seen = { NULL, 0, 0, 0, MAI_LOG_DEBUG, "" };
    mai_log_sink_t sink = { capture, up_to, &seen };
    int line;

    line = __LINE__ + 1;
    mai_log(&sink, MAI_LOG_INFO, MAI_LOGNO(99999) "x=%d", 7);
    assert_int_equal(seen.emitted, 1);
    assert_string_equal(seen.file, __FILE__);
    assert_int_equal(seen.line, line);
    assert_int_equal(seen.level, MAI_LOG_INFO);
    assert_string_equal(seen.msg, "MAI99999: x=7");
}

static void test_disabled_level_not_emitted(void **state)
{
    seen_t seen = { NULL, 0, 0, 0, MAI_LOG_INFO, "" };
    mai_log_sink_t sink = { capture, up_to, &seen };

    mai_log(&sink, MAI_LOG_DEBUG, "quiet");
    assert_int_equal(seen.emitted, 0);
    mai_log(&sink, MAI_LOG_ERR, "loud");
    assert_int_equal(seen.emitted, 1);
    /* no sink, or one without emit: a no-op, not a crash */
    mai_log(NULL, MAI_LOG_ERR, "nowhere");
    sink.emit = NULL;
    mai_log(&sink, MAI_LOG_ERR, "nowhere");
    assert_int_equal(seen.emitted, 1);
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_caller_file_and_line),
    UNIT_TEST(test_disabled_level_not_emitted),
};

UNIT_MAIN(tests)
