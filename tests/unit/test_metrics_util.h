/* test_metrics_util: what the metrics tests share — rendering the registry, resetting it, finding lines in the text. */
#ifndef VERRIJK_TEST_METRICS_UTIL_H
#define VERRIJK_TEST_METRICS_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "log/evlog.h"
#include "net/net_counters.h"
#include "ops/metrics.h"

/* Not inline: both tests use it, and GCC 12 inlining it into render_without_start_time sees a
 * dangling pointer where there is none (-Wdangling-pointer). */
static char *render(void)
{
    char *out = NULL;
    size_t len = 0;

    assert_int_equal(metrics_render(&out, &len), 0);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    return out;
}

static inline int reset(void **state)
{
    (void)state;
    metrics_reset();
    return 0;
}

/* Asserts that text holds line as a whole line. */
static inline void assert_line(const char *text, const char *line)
{
    size_t n = strlen(line);

    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return;
    fail_msg("line not found: %s\n---\n%s", line, text);
}

/* How many lines of text start with prefix. */
static inline int count_lines(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    int count = 0;

    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');

        if (strncmp(p, prefix, n) == 0)
            count++;
        if (!end)
            break;
        p = end + 1;
    }
    return count;
}

#endif
