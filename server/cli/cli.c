/* cli.c - the offline subcommands' entry (cli_main), and a session log read offline: opened without repair, folded into a room through the same record.c and game_apply as live play. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_internal.h"

/* ---- reading and folding ---- */

/* Reads the file without repairing it. Returns 0, or CLI_BAD after saying why. */
int cli_log_open(cli_log *lg, const char *path)
{
    int err;

    memset(lg, 0, sizeof(*lg));
    lg->path = path;
    err = evlog_read_file(path, false, &lg->c);
    if (err) {
        if (err == UV_EINVAL)
            fprintf(stderr, "verrijk: %s is not a session log (it does not start with %s)\n", path, EVLOG_MAGIC);
        else
            fprintf(stderr, "verrijk: cannot read %s: %s\n", path, uv_strerror(err));
        return CLI_BAD;
    }
    lg->r = room_new();
    if (!lg->r) {
        evlog_contents_free(&lg->c);
        fprintf(stderr, "verrijk: out of memory\n");
        return CLI_BAD;
    }
    return 0;
}

void cli_log_close(cli_log *lg)
{
    room_free(lg->r);
    evlog_contents_free(&lg->c);
}

typedef struct cli_fold {
    cli_log *lg;
    cli_each fn;
    void *ud;
} cli_fold;

static int fold_one(void *ud, size_t i, const game_event *e, char *why, size_t whylen)
{
    cli_fold *f = ud;

    if (game_apply(f->lg->r, e)) {
        snprintf(why, whylen, "%s (seq %" PRIu64 ") does not fit the room as the records before it left it",
                 game_event_name(e->kind), e->seq);
        return RECORD_BAD;
    }
    return f->fn ? f->fn(f->lg, i, e, f->ud) : 0;
}

/* Decodes and applies the records to lg->r in order, calling fn (when not
 * NULL) after each. Sets lg->failed and lg->bad at a record that does not
 * decode or apply. */
void cli_log_fold(cli_log *lg, cli_each fn, void *ud)
{
    cli_fold f = {lg, fn, ud};

    lg->failed = record_each(&lg->c, fold_one, &f, &lg->bad) == RECORD_BAD;
}

/* Says on stderr what lies after the valid records, if anything. */
void cli_warn_tail(const cli_log *lg)
{
    if (lg->c.tail != EVLOG_TAIL_CLEAN)
        fprintf(stderr,
                "verrijk: %s: after %zu whole records, %" PRIu64 " bytes at offset %" PRIu64
                " are not a whole record (%s); shown up to there, the file is left as it is\n",
                lg->path, lg->c.count, lg->c.cut, lg->c.valid_end, evlog_tail_name(lg->c.tail));
}

void cli_warn_failed(const cli_log *lg)
{
    fprintf(stderr, "verrijk: %s: record %zu at offset %zu: %s; shown up to there\n", lg->path, lg->bad.index + 1,
            lg->bad.offset, lg->bad.why);
}

int cli_parse_uint(const char *text, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_main(int argc, char **argv)
{
    if (strcmp(argv[0], "replay") == 0)
        return cli_replay(argc, argv);
    if (strcmp(argv[0], "export") == 0)
        return cli_export(argc, argv);
    fprintf(stderr, "verrijk: unknown subcommand \"%s\"\n", argv[0]);
    return CLI_USAGE;
}
