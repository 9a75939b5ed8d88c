/* ops_log.c - one line on standard error per notable thing: time, level, room code, what happened.
 *
 * Operators read these lines (journalctl, docker logs) and grep them by
 * room code; a line is written whole with one fputs, so lines from the
 * rare second writer (lws' own log) do not interleave inside one. */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "ops/ops_log.h"

/* A run of hex digits at least this long looks like a token (32 hex
 * characters) or a replay key and is never written. */
#define OPS_LOG_SECRET_HEX 32

/* The longest room code written (as EVLOG_ROOM_CODE_MAX). */
#define OPS_LOG_ROOM_MAX 16

static struct {
    enum ops_level min;
    FILE *out;
    time_t (*now)(time_t *);
} ops_log_cfg = {OPS_INFO, NULL, NULL};

const char *ops_level_name(enum ops_level level)
{
    switch (level) {
    case OPS_DEBUG: return "debug";
    case OPS_INFO: return "info";
    case OPS_WARN: return "warn";
    case OPS_ERROR: return "error";
    }
    return "?";
}

void ops_log_set_level(enum ops_level min)
{
    ops_log_cfg.min = min;
}

void ops_log_set_output(FILE *out)
{
    ops_log_cfg.out = out;
}

void ops_log_set_clock(time_t (*now)(time_t *))
{
    ops_log_cfg.now = now;
}

static bool ops_room_valid(const char *room)
{
    size_t n = strlen(room);

    if (n == 0 || n > OPS_LOG_ROOM_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((room[i] >= 'A' && room[i] <= 'Z') || (room[i] >= '0' && room[i] <= '9')))
            return false;
    return true;
}

/* Rewrites msg in place: control characters to '?', long hex runs to
 * "[redacted]" (never longer than the run, so it fits). */
static void ops_clean(char *msg)
{
    static const char redacted[] = "[redacted]";
    size_t r = 0, w = 0;

    while (msg[r]) {
        size_t run = 0;

        while (isxdigit((unsigned char)msg[r + run]))
            run++;
        if (run >= OPS_LOG_SECRET_HEX) {
            memcpy(msg + w, redacted, sizeof(redacted) - 1);
            w += sizeof(redacted) - 1;
            r += run;
            continue;
        }
        if (run) {
            memmove(msg + w, msg + r, run);
            w += run;
            r += run;
            continue;
        }
        msg[w++] = ((unsigned char)msg[r] < 0x20 || msg[r] == 0x7f) ? '?' : msg[r];
        r++;
    }
    msg[w] = '\0';
}

void ops_log(enum ops_level level, const char *room, const char *fmt, ...)
{
    char line[OPS_LOG_LINE_MAX];
    char stamp[32];
    struct tm tm;
    time_t t;
    va_list ap;
    size_t len;
    int head, n;

    if (level < ops_log_cfg.min)
        return;
    t = ops_log_cfg.now ? ops_log_cfg.now(NULL) : time(NULL);
    if (!gmtime_r(&t, &tm) || !strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(stamp, sizeof(stamp), "%lld", (long long)t);
    if (room)
        head = snprintf(line, sizeof(line), "%s %s room=%s ", stamp, ops_level_name(level),
                        ops_room_valid(room) ? room : "?");
    else
        head = snprintf(line, sizeof(line), "%s %s ", stamp, ops_level_name(level));
    va_start(ap, fmt);
    /* Room for the message: the line minus the head, "\n" and NUL. */
    n = vsnprintf(line + head, sizeof(line) - (size_t)head - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    ops_clean(line + head);
    len = strlen(line);
    if ((size_t)n >= sizeof(line) - (size_t)head - 1 && len >= (size_t)head + 3)
        memcpy(line + len - 3, "...", 3);
    /* len <= sizeof(line) - 2: the newline fits. */
    line[len] = '\n';
    line[len + 1] = '\0';
    fputs(line, ops_log_cfg.out ? ops_log_cfg.out : stderr);
}
