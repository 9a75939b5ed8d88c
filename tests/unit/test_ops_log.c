/* test_ops_log.c - operator log lines: one line each, UTC time, level, room code, no control characters, no token-shaped text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ops/ops_log.h"

/* 2026-11-28T14:05:12Z */
static time_t fixed_clock(time_t *out)
{
    time_t t = 1795874712;

    if (out)
        *out = t;
    return t;
}

/* Runs one ops_log call and returns what it wrote. */
static char *logged(enum ops_level level, const char *room, const char *fmt, const char *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    ops_log_set_output(f);
    ops_log_set_clock(fixed_clock);
    ops_log(level, room, fmt, arg);
    fclose(f);
    ops_log_set_output(NULL);
    ops_log_set_clock(NULL);
    return buf;
}

static int reset(void **state)
{
    (void)state;
    ops_log_set_level(OPS_INFO);
    return 0;
}

static void test_line_has_utc_time_level_room_and_message(void **state)
{
    char *s;

    (void)state;
    s = logged(OPS_INFO, "ABCDEF", "%s", "created");
    assert_string_equal(s, "2026-11-28T14:05:12Z info room=ABCDEF created\n");
    free(s);
    s = logged(OPS_ERROR, NULL, "cannot open %s", "data/rooms");
    assert_string_equal(s, "2026-11-28T14:05:12Z error cannot open data/rooms\n");
    free(s);
}

static void test_a_room_code_that_is_not_one_is_not_written(void **state)
{
    char *s;

    (void)state;
    s = logged(OPS_WARN, "ab c\n", "%s", "x");
    assert_string_equal(s, "2026-11-28T14:05:12Z warn room=? x\n");
    free(s);
}

static void test_a_newline_in_a_message_cannot_forge_a_second_line(void **state)
{
    char *s;

    (void)state;
    s = logged(OPS_INFO, "ABCDEF", "joined: %s", "Eve\n2026-11-28T14:05:12Z error room=ABCDEF fake");
    assert_string_equal(
        s, "2026-11-28T14:05:12Z info room=ABCDEF joined: Eve?2026-11-28T14:05:12Z error room=ABCDEF fake\n");
    free(s);
}

static void test_token_shaped_text_is_redacted(void **state)
{
    char *s;

    (void)state;
    s = logged(OPS_INFO, "ABCDEF", "resume with %s ok", "0123456789abcdef0123456789ABCDEF");
    assert_string_equal(s, "2026-11-28T14:05:12Z info room=ABCDEF resume with [redacted] ok\n");
    free(s);
    /* Shorter hex runs (a seq, a hash prefix) stay. */
    s = logged(OPS_INFO, NULL, "deck %s", "3fa9c0d2e1b4a7f6");
    assert_string_equal(s, "2026-11-28T14:05:12Z info deck 3fa9c0d2e1b4a7f6\n");
    free(s);
}

static void test_a_long_message_is_cut_to_one_line_of_OPS_LOG_LINE_MAX(void **state)
{
    char big[OPS_LOG_LINE_MAX * 2];
    char *s;

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    s = logged(OPS_INFO, "ABCDEF", "%s", big);
    assert_int_equal(strlen(s), OPS_LOG_LINE_MAX - 1);
    assert_int_equal(s[strlen(s) - 1], '\n');
    assert_memory_equal(s + strlen(s) - 4, "...\n", 4);
    assert_ptr_equal(strchr(s, '\n'), s + strlen(s) - 1);
    free(s);
}

static void test_lines_below_the_level_are_dropped(void **state)
{
    char *s;

    (void)state;
    s = logged(OPS_DEBUG, NULL, "%s", "noise");
    assert_string_equal(s, "");
    free(s);
    ops_log_set_level(OPS_DEBUG);
    s = logged(OPS_DEBUG, NULL, "%s", "noise");
    assert_string_equal(s, "2026-11-28T14:05:12Z debug noise\n");
    free(s);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_line_has_utc_time_level_room_and_message, reset),
        cmocka_unit_test_teardown(test_a_room_code_that_is_not_one_is_not_written, reset),
        cmocka_unit_test_teardown(test_a_newline_in_a_message_cannot_forge_a_second_line, reset),
        cmocka_unit_test_teardown(test_token_shaped_text_is_redacted, reset),
        cmocka_unit_test_teardown(test_a_long_message_is_cut_to_one_line_of_OPS_LOG_LINE_MAX, reset),
        cmocka_unit_test_teardown(test_lines_below_the_level_are_dropped, reset),
    };
    /* clang-format on */

    return cmocka_run_group_tests(tests, NULL, NULL);
}
