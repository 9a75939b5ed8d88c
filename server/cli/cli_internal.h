/* cli_internal.h - what the files of server/cli/ share: a log read offline and folded into a room, the exit codes, and the functions one file offers the others.
 *
 * Only the files of server/cli/ include this; main.c sees cli.h. The
 * folder's files, one job each:
 *   cli.c           the entry (cli_main) and reading a log: open it without
 *                   repair, fold its records into a room, say what is wrong
 *   cli_replay.c    `verrijk replay`: the timeline, --json, --at, --verify
 *   cli_describe.c  an event in one line for people, with the names, card
 *                   titles, times and texts in it (the timeline's words)
 *   cli_view.c      a View as text (replay --at)
 *   cli_export.c    `verrijk export`: a round's summary in a format of
 *                   export.c's table
 *   cli_json.c      MessagePack as JSON (replay --json, --at --json)
 *
 * The file is read whole with evlog_read_file without repair: a log copied
 * from a server (or one a server still writes) is never changed. Every
 * record is read by record_each (record.c, as live loading does) and folded
 * into a room by game_apply, so what the CLI shows is what the server would
 * rebuild. */
#ifndef VERRIJK_CLI_INTERNAL_H
#define VERRIJK_CLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <msgpack.h>

#include "cli/cli.h"

#include "game/room.h"
#include "log/evlog.h"
#include "log/record.h"

/* The exit codes of cli_main (cli.h). */
enum { CLI_OK = 0, CLI_BAD = 1, CLI_USAGE = 2 };

typedef struct cli_log {
    const char *path;
    struct evlog_contents c;
    room *r;
    /* The fold stopped early, at the record `bad` says. */
    bool failed;
    record_error bad;
} cli_log;

/* What a mode does with each event once it is applied: 0 to go on,
 * RECORD_STOP to stop there. */
typedef int (*cli_each)(cli_log *lg, size_t i, const game_event *e, void *ud);

/* cli.c: reading and folding. */

/* Reads the file without repairing it. Returns 0, or CLI_BAD after saying why. */
int cli_log_open(cli_log *lg, const char *path);
void cli_log_close(cli_log *lg);
/* Decodes and applies the records to lg->r in order, calling fn (when not
 * NULL) after each. Sets lg->failed and lg->bad at a record that does not
 * decode or apply. */
void cli_log_fold(cli_log *lg, cli_each fn, void *ud);
/* Says on stderr what lies after the valid records, if anything. */
void cli_warn_tail(const cli_log *lg);
/* Says on stderr at which record the fold stopped, and why. */
void cli_warn_failed(const cli_log *lg);
/* A decimal number of 0..max. Returns 0, or -1 for anything else. */
int cli_parse_uint(const char *text, uint64_t max, uint64_t *out);

/* The subcommands: argv[0] is their name. Return an exit code. */
int cli_replay(int argc, char **argv);
int cli_export(int argc, char **argv);

/* cli_describe.c: words for people. */

/* A member's name ("someone" when unknown). */
const char *cli_who(const room *r, uint32_t id);
/* A card's title in the room's language (its id when unknown). */
const char *cli_card_title(const room *r, const char *id);
/* hh:mm:ss (with the date first when asked) of ms since the epoch, in the
 * room's offset from UTC. */
void cli_clock_text(const room *r, uint64_t ms, char *out, size_t cap, bool with_date);
/* A person's text on one line (line breaks and tabs as escapes). */
void cli_print_text(FILE *out, const char *s);
/* What event e did, in one line, with r the room after it; rp (the core's
 * replay filter) decides what may be shown. */
void cli_describe(FILE *out, const room *r, const game_event *e, const game_replay *rp);

/* cli_view.c */

/* Prints the View v (as game_pack_view packed it for member `as`, 0: the
 * public screen) as text. */
void cli_print_view(const room *r, const msgpack_object *v, uint32_t as);

#endif
