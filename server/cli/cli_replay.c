/* cli_replay.c - `verrijk replay`: a session log as a timeline, as JSON lines, as the View after one event (--at), or checked record by record (--verify). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_internal.h"
#include "cli/cli_json.h"

typedef struct replay_opts {
    bool json, verify, have_at;
    uint64_t at;
    uint32_t as; /* the member whose View --at shows; 0: the public screen's */
} replay_opts;

static int scan_one(void *ud, size_t i, const game_event *e, char *why, size_t whylen)
{
    (void)i;
    (void)why;
    (void)whylen;
    game_replay_scan(ud, e);
    return 0;
}

/* Scans the whole log into rp, as the public replay does (it hides a
 * note's text from its start when the note is hidden at any time). Needs
 * only decoding; a record that does not decode ends it (the fold reports
 * it). */
static void scan_replay(const cli_log *lg, game_replay *rp)
{
    record_each(&lg->c, scan_one, rp, NULL);
}

typedef struct timeline {
    game_replay *rp;
    char last_day[16];
} timeline;

static int timeline_line(cli_log *lg, size_t i, const game_event *e, void *ud)
{
    timeline *t = ud;
    char when[32];

    (void)i;
    game_replay_track(t->rp, e);
    cli_clock_text(lg->r, e->at, when, sizeof(when), true);
    if (strncmp(when, t->last_day, 10) != 0) {
        int32_t tz = room_tz_offset(lg->r);

        memcpy(t->last_day, when, 10);
        t->last_day[10] = '\0';
        printf("-- %s (UTC%c%02d:%02d)\n", t->last_day, tz < 0 ? '-' : '+', abs(tz) / 60, abs(tz) % 60);
    }
    printf("%s  #%" PRIu64 "  ", when + 11, e->seq);
    cli_describe(stdout, lg->r, e, t->rp);
    putchar('\n');
    return 0;
}

static int replay_timeline(cli_log *lg)
{
    timeline t = {.rp = game_replay_new()};

    if (!t.rp) {
        fprintf(stderr, "verrijk: out of memory\n");
        return CLI_BAD;
    }
    scan_replay(lg, t.rp);
    cli_log_fold(lg, timeline_line, &t);
    game_replay_free(t.rp);
    return 0;
}

/* Decoded and applied first, so what is printed is what the server would
 * rebuild; then the record's own bytes. */
static int json_record(cli_log *lg, size_t i, const game_event *e, void *ud)
{
    uint32_t len;
    const uint8_t *p = evlog_contents_payload(&lg->c, i, &len);

    (void)e;
    (void)ud;
    return cli_json_line(stdout, p, len) ? RECORD_STOP : 0;
}

static int replay_json(cli_log *lg)
{
    cli_log_fold(lg, json_record, NULL);
    return 0;
}

/* Stops the fold at the event --at names (or the first after it). */
static int at_reached(cli_log *lg, size_t i, const game_event *e, void *ud)
{
    (void)lg;
    (void)i;
    return e->seq >= *(const uint64_t *)ud ? RECORD_STOP : 0;
}

static int replay_at(cli_log *lg, const replay_opts *o)
{
    msgpack_sbuffer buf;
    msgpack_packer pk;
    msgpack_unpacked u;
    size_t off = 0;
    int rc = CLI_BAD;

    cli_log_fold(lg, at_reached, (void *)&o->at);
    if (!room_exists(lg->r)) {
        fprintf(stderr, "verrijk: %s: no room at seq %" PRIu64 "\n", lg->path, o->at);
        return CLI_BAD;
    }
    if (room_seq(lg->r) < o->at)
        fprintf(stderr, "verrijk: %s ends at seq %" PRIu64 "; showing the View there\n", lg->path, room_seq(lg->r));
    if (o->as && !room_member_name(lg->r, o->as)) {
        fprintf(stderr, "verrijk: there is no member %u at seq %" PRIu64 "\n", o->as, room_seq(lg->r));
        return CLI_USAGE;
    }
    msgpack_sbuffer_init(&buf);
    msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
    game_pack_view(lg->r, o->as, &pk);
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, buf.data, buf.size, &off) == MSGPACK_UNPACK_SUCCESS) {
        if (o->json) {
            cli_json_write(stdout, &u.data);
            putchar('\n');
        } else {
            cli_print_view(lg->r, &u.data, o->as);
        }
        rc = CLI_OK;
    }
    msgpack_unpacked_destroy(&u);
    msgpack_sbuffer_destroy(&buf);
    return rc;
}

/* Checks every record: its frame and CRC (the read), that it decodes,
 * and that it applies. Reports the first bad one with its offset. */
static int replay_verify(cli_log *lg)
{
    cli_log_fold(lg, NULL, NULL);
    if (lg->failed) {
        printf("%s: BAD: record %zu at offset %zu: %s\n", lg->path, lg->bad.index + 1, lg->bad.offset, lg->bad.why);
        return CLI_BAD;
    }
    if (lg->c.tail != EVLOG_TAIL_CLEAN) {
        printf("%s: BAD: record %zu at offset %" PRIu64 ": %s (%" PRIu64 " bytes to the end are not a whole record)\n",
               lg->path, lg->c.count + 1, lg->c.valid_end, evlog_tail_name(lg->c.tail), lg->c.cut);
        return CLI_BAD;
    }
    if (lg->c.count == 0) {
        printf("%s: BAD: no records\n", lg->path);
        return CLI_BAD;
    }
    printf("%s: ok: %zu records, seq 1..%" PRIu64 ", %zu bytes, every CRC right, every event applies\n", lg->path,
           lg->c.count, room_seq(lg->r), lg->c.size);
    return CLI_OK;
}

static void replay_usage(FILE *out)
{
    fputs("usage: verrijk replay FILE.log            a timeline, one line per event\n"
          "       verrijk replay FILE.log --json     every event, whole, as one JSON line each\n"
          "       verrijk replay FILE.log --at SEQ [--as MEMBER] [--json]\n"
          "                                          the View after event SEQ, as the public\n"
          "                                          screen (or member MEMBER) saw it\n"
          "       verrijk replay FILE.log --verify   check every record; exit 1 at the first bad one\n",
          out);
}

int cli_replay(int argc, char **argv)
{
    /* clang-format off */
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "verify", no_argument, NULL, 'v' },
        { "at", required_argument, NULL, 'a' },
        { "as", required_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    /* clang-format on */
    replay_opts o;
    cli_log lg;
    int ch, rc;
    uint64_t v;

    memset(&o, 0, sizeof(o));
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (ch) {
        case 'j': o.json = true; break;
        case 'v': o.verify = true; break;
        case 'a':
            if (cli_parse_uint(optarg, UINT64_MAX, &o.at) || o.at == 0) {
                fprintf(stderr, "verrijk replay: --at wants a seq from 1 on, not \"%s\"\n", optarg);
                return CLI_USAGE;
            }
            o.have_at = true;
            break;
        case 'm':
            if (cli_parse_uint(optarg, GAME_MAX_MEMBERS, &v) || v == 0) {
                fprintf(stderr, "verrijk replay: --as wants a member id, not \"%s\"\n", optarg);
                return CLI_USAGE;
            }
            o.as = (uint32_t)v;
            break;
        case 'h': replay_usage(stdout); return CLI_OK;
        default:
            fprintf(stderr, "verrijk replay: unknown or incomplete option \"%s\"\n", argv[optind - 1]);
            replay_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind != argc - 1 || (o.verify && (o.json || o.have_at)) || (o.as && !o.have_at)) {
        replay_usage(stderr);
        return CLI_USAGE;
    }
    rc = cli_log_open(&lg, argv[optind]);
    if (rc)
        return rc;
    if (o.verify) {
        rc = replay_verify(&lg);
    } else {
        rc = o.have_at ? replay_at(&lg, &o) : o.json ? replay_json(&lg) : replay_timeline(&lg);
        if (lg.failed)
            cli_warn_failed(&lg);
        else
            cli_warn_tail(&lg);
        if (rc == CLI_OK && (lg.failed || lg.c.tail != EVLOG_TAIL_CLEAN))
            rc = CLI_BAD;
    }
    cli_log_close(&lg);
    if (fflush(stdout) && rc == CLI_OK)
        rc = CLI_BAD;
    return rc;
}
