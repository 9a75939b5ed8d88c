/* ops_log.h - one line on standard error per notable thing: time, level, room code, what happened. */
#ifndef VERRIJK_OPS_LOG_H
#define VERRIJK_OPS_LOG_H

#include <stdio.h>
#include <time.h>

/* Bytes of one line, newline included; a longer message is cut and ends
 * in "..." so that every line stays one line. */
#define OPS_LOG_LINE_MAX 1024

enum ops_level { OPS_DEBUG, OPS_INFO, OPS_WARN, OPS_ERROR };

/* Writes one line like
 *   2026-11-28T14:05:12Z info room=ABCDEF created
 * (UTC; " room=CODE" only when room is not NULL; a code that is not
 * [A-Z0-9]{1,16} is written as "room=?"). Control characters in the
 * message (a newline in a name, say) become '?', so a line cannot be
 * forged; any run of 32 or more hex digits (the shape of a token or a
 * replay key) is written as "[redacted]". Callers still never pass tokens
 * or vote values. Lines below the level set are dropped. */
void ops_log(enum ops_level level, const char *room, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The lowest level written (default OPS_INFO). */
void ops_log_set_level(enum ops_level min);

/* Where lines go (default stderr; NULL: stderr again), and the clock
 * (default time; NULL: time again): for tests. */
void ops_log_set_output(FILE *out);
void ops_log_set_clock(time_t (*now)(time_t *));

/* "debug", "info", "warn", "error". */
const char *ops_level_name(enum ops_level level);

#endif
