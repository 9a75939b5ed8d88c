/* fuzz_game_check.h - the game target's invariants, checked on every step. Only fuzz_game.c includes it. */
#ifndef VERRIJK_FUZZ_GAME_CHECK_H
#define VERRIJK_FUZZ_GAME_CHECK_H

#include "fuzz_game.h"

/* ---- the invariants ---- */

/* An event's whole encoding decodes (behind the same well-formedness check
 * as recovery) to an event that encodes to the same bytes. Appends the
 * decoded event to *out. */
static void check_round_trip(session *s, const game_event *e, game_event *out)
{
    msgpack_packer pk;
    char err[256];

    const msgpack_sbuffer *a = scratch(s, SB_A, &pk);
    game_pack_event(e, &pk);
    FUZZ_CHECK(record_well_formed((const uint8_t *)a->data, a->size), "%s: its encoding is not well-formed",
               game_event_name(e->kind));
    int rc = record_read_event((const uint8_t *)a->data, a->size, out, err, sizeof err);
    FUZZ_CHECK(rc == 0, "%s (seq %llu) does not decode: %s", game_event_name(e->kind), (unsigned long long)e->seq, err);
    const msgpack_sbuffer *b = scratch(s, SB_B, &pk);
    game_pack_event(out, &pk);
    FUZZ_CHECK(fuzz_same(a, b), "%s (seq %llu): pack, unpack, pack gives other bytes (%zu vs %zu)",
               game_event_name(e->kind), (unsigned long long)e->seq, a->size, b->size);
    if (s->sink)
        s->sink(a->data, a->size, s->sink_ctx);
    msgpack_sbuffer_write(&s->log, a->data, a->size);
}

/* Who gets the View and the filtered events this step: every member and 0
 * (a screen) and an unknown id, or a bounded sample when there are many. */
static uint32_t viewers(session *s, uint32_t sender, uint32_t *ids)
{
    uint32_t n = room_members(s->live), k = 0;
    if (n + 2 <= FUZZ_VIEWERS_MAX) {
        for (uint32_t id = 0; id <= n + 1; id++)
            ids[k++] = id;
        return k;
    }
    if (n > FUZZ_SMALL_ROOM) {
        ids[k++] = sender;
        ids[k++] = s->steps % 2 ? 0 : room_facilitator(s->live);
        ids[k++] = 1 + (uint32_t)(shuffle_next(&s->rng) % (n + 1)); /* n + 1: unknown */
        return k;
    }
    ids[k++] = 0;
    ids[k++] = n + 1;
    ids[k++] = sender;
    ids[k++] = room_facilitator(s->live);
    ids[k++] = s->live->turn;
    while (k < FUZZ_VIEWERS_MAX)
        ids[k++] = 1 + (uint32_t)(shuffle_next(&s->rng) % n);
    return k;
}

/* Whether this step runs the checks that pack the whole room. */
static bool thorough(const session *s)
{
    return (room_members(s->live) <= FUZZ_SMALL_ROOM && s->dump_size <= FUZZ_SMALL_DUMP) ||
           s->steps % FUZZ_BIG_ROOM_EVERY == 0;
}

/* Never a secret in what a recipient gets, whoever it is (§5): the replay
 * shows the dealt hands, members never do. */
static void check_no_secret_keys(const msgpack_object *o, const char *what)
{
    static const char *const secret[] = {"token_hash", "seed", "replay_key", "hands"};
    bool replay = strcmp(what, "replay") == 0;
    for (unsigned i = 0; i < sizeof secret / sizeof *secret - replay; i++)
        FUZZ_CHECK(fuzz_map_get(o, secret[i]) == NULL, "%s carries `%s`", what, secret[i]);
}

static void check_event_for(session *s, const room *after, const game_event *e, uint32_t who)
{
    msgpack_packer pk;
    msgpack_unpacked u;

    const msgpack_sbuffer *sb = scratch(s, SB_OUT, &pk);
    game_pack_event_for(after, e, who, &pk);
    FUZZ_CHECK(fuzz_unpack_one("filtered event", sb->data, sb->size, &u) == MSGPACK_OBJECT_MAP,
               "%s for %u is not a map", game_event_name(e->kind), who);
    const msgpack_object *kind = fuzz_map_get(&u.data, "e");
    FUZZ_CHECK(kind && kind->type == MSGPACK_OBJECT_STR && kind->via.str.size == strlen(game_event_name(e->kind)) &&
                   memcmp(kind->via.str.ptr, game_event_name(e->kind), kind->via.str.size) == 0,
               "%s for %u: `e` is missing or wrong", game_event_name(e->kind), who);
    if (e->kind == GAME_EV_REKEYED) {
        /* The new key goes to the present members of a room with a closed
         * round (their View shows it in the summary), never to anyone else. */
        game_summary *sum = room_summary(after, 0);
        bool may = room_member_present(after, who) && sum;
        game_summary_free(sum);
        FUZZ_CHECK((fuzz_map_get(&u.data, "replay_key") != NULL) == may, "rekeyed for %u: the key %s", who,
                   may ? "is missing" : "leaks");
    } else {
        check_no_secret_keys(&u.data, game_event_name(e->kind));
    }
    msgpack_unpacked_destroy(&u);
    /* The envelope takes it as it is. */
    msgpack_sbuffer *ev = scratch(s, SB_ENV, &pk);
    FUZZ_CHECK(vp_pack_ev(ev, e->seq, e->at, (const uint8_t *)sb->data, sb->size) == 0,
               "vp_pack_ev refused the %s for %u", game_event_name(e->kind), who);
}

static void check_view(session *s, const room *r, uint32_t who)
{
    msgpack_packer pk;
    msgpack_unpacked u;

    const msgpack_sbuffer *sb = scratch(s, SB_OUT, &pk);
    game_pack_view(r, who, &pk);
    FUZZ_CHECK(fuzz_unpack_one("view", sb->data, sb->size, &u) == MSGPACK_OBJECT_MAP, "View for %u is not a map", who);
    const msgpack_object *seq = fuzz_map_get(&u.data, "seq");
    FUZZ_CHECK(seq && seq->type == MSGPACK_OBJECT_POSITIVE_INTEGER && seq->via.u64 == room_seq(r),
               "View for %u: seq is not the room's", who);
    check_no_secret_keys(&u.data, "View");
    msgpack_unpacked_destroy(&u);
    msgpack_sbuffer *wel = scratch(s, SB_ENV, &pk);
    FUZZ_CHECK(vp_pack_welcome(wel, false, 0, who, str_of("n"), VP_ROLE_PLAYER,
                               str_of("0123456789abcdef0123456789abcdef"), 120, (const uint8_t *)sb->data,
                               sb->size) == 0,
               "vp_pack_welcome refused the View for %u", who);
}

static void check_equal(session *s)
{
    s->events_compared = s->events;
    FUZZ_CHECK(room_equal(s->live, s->rebuilt), "the state rebuilt from %u events differs from the live one",
               s->events);
}

/* The summary of the round just closed packs, asked for as the last one
 * (0) and by its number; so does the first round's, which later rounds and
 * hidden notes may have touched. */
static void check_summaries(session *s, const room *r)
{
    const uint32_t rounds[] = {0, room_rounds(r), 1};
    for (unsigned k = 0; k < 3; k++) {
        uint32_t round = rounds[k];
        game_summary *sum = room_summary(r, round);
        if (!sum)
            continue;
        msgpack_packer pk;
        msgpack_unpacked u;
        const msgpack_sbuffer *sb = scratch(s, SB_OUT, &pk);
        game_pack_summary(&pk, sum, NULL, NULL);
        FUZZ_CHECK(fuzz_unpack_one("summary", sb->data, sb->size, &u) == MSGPACK_OBJECT_MAP,
                   "summary of round %u is not a map", round);
        msgpack_unpacked_destroy(&u);
        game_summary_free(sum);
    }
}

/* The replay (§8) of the whole log: scan every event, then pack each for
 * the public, never with a secret. */
static void check_replay(session *s)
{
    game_event *events = calloc(s->events + 1, sizeof *events);
    game_replay *rp = game_replay_new();
    msgpack_unpacked u;
    size_t off = 0;
    char err[256];

    FUZZ_CHECK(events && rp, "out of memory");
    msgpack_unpacked_init(&u);
    for (uint32_t i = 0; i < s->events; i++) {
        FUZZ_CHECK(msgpack_unpack_next(&u, s->log.data, s->log.size, &off) == MSGPACK_UNPACK_SUCCESS,
                   "the log does not unpack at event %u", i);
        FUZZ_CHECK(game_unpack_event(&u.data, &events[i], err, sizeof err) == 0, "%s", err);
        FUZZ_CHECK(game_replay_scan(rp, &events[i]) == 0, "replay scan refused %s (seq %llu)",
                   game_event_name(events[i].kind), (unsigned long long)events[i].seq);
    }
    FUZZ_CHECK(off == s->log.size, "bytes after the last event of the log");
    msgpack_unpacked_destroy(&u);
    for (uint32_t i = 0; i < s->events; i++) {
        msgpack_packer pk;
        const msgpack_sbuffer *sb = scratch(s, SB_OUT, &pk);
        game_replay_pack(rp, &events[i], &pk);
        FUZZ_CHECK(fuzz_unpack_one("replay", sb->data, sb->size, &u) == MSGPACK_OBJECT_MAP, "replay of %s is not a map",
                   game_event_name(events[i].kind));
        check_no_secret_keys(&u.data, "replay");
        if (events[i].kind == GAME_EV_VOTED)
            FUZZ_CHECK(fuzz_map_get(&u.data, "value") == NULL, "the replay shows a vote's value");
        msgpack_unpacked_destroy(&u);
        game_event_clear(&events[i]);
    }
    game_replay_free(rp);
    free(events);
}

#endif
