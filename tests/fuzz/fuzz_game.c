/* fuzz_game: decide/apply over an arbitrary script of inputs from several members, the core's invariants checked on every step. */
#include "game/room_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "game/shuffle.h"
#include "log/record.h"

/* Bounds of one run: a script longer than this many steps is cut (libFuzzer's
 * default -max_len of 4096 bytes gives about a thousand steps). */
#define FUZZ_MAX_STEPS 2000
/* The state rebuilt from the decoded events is compared with the live one
 * every this many steps, and always at the end. */
#define FUZZ_EQUAL_EVERY 4
/* At most this many recipients get the View and the filtered events of a
 * step; below it, every member does. */
#define FUZZ_VIEWERS_MAX 8
/* The checks that pack the whole room cost in proportion to its size: in a
 * room of more than FUZZ_SMALL_ROOM members or whose dump is over
 * FUZZ_SMALL_DUMP bytes (many rounds or notes; both reached by the bulk
 * steps) they run on every FUZZ_BIG_ROOM_EVERY-th step only, with 3
 * recipients, so that a big room does not slow the run to a crawl. */
#define FUZZ_SMALL_ROOM     16
#define FUZZ_SMALL_DUMP     4096
#define FUZZ_BIG_ROOM_EVERY 8
#define FUZZ_NAME_SIZE      (VP_NAME_MAX + 1)

/* The test deck of the unit tests (scale 1..5, categories a, b, c, four
 * cards each; format 2 with the windows w1..w3) and a tiny one (scale
 * 0..1, two cards) that runs out. */
#define CARD(id, cat)                        \
    "{\"id\":\"" id "\",\"category\":\"" cat \
    "\",\"title\":{\"nl\":\"t\",\"en\":\"t\"},\"prompt\":{\"nl\":\"p?\",\"en\":\"p?\"}}"
static const char deck_test_json[] =
    "{\"format\":2,\"id\":\"test-deck\",\"version\":1,"
    "\"title\":{\"nl\":\"Testset\",\"en\":\"Test set\"},"
    "\"scale\":{\"min\":1,\"max\":5,\"labels\":{\"nl\":[\"een\",\"twee\",\"drie\",\"vier\",\"vijf\"],"
    "\"en\":[\"one\",\"two\",\"three\",\"four\",\"five\"]}},"
    "\"windows\":["
    "{\"id\":\"w1\",\"title\":{\"nl\":\"W1\",\"en\":\"W1\"},\"color\":\"#123456\",\"explainer\":{\"nl\":\"e\",\"en\":"
    "\"e\"}},"
    "{\"id\":\"w2\",\"title\":{\"nl\":\"W2\",\"en\":\"W2\"},\"color\":\"#234567\",\"explainer\":{\"nl\":\"e\",\"en\":"
    "\"e\"}},"
    "{\"id\":\"w3\",\"title\":{\"nl\":\"W3\",\"en\":\"W3\"},\"color\":\"#345678\",\"explainer\":{\"nl\":\"e\",\"en\":"
    "\"e\"}}],"
    "\"categories\":["
    "{\"id\":\"a\",\"title\":{\"nl\":\"A\",\"en\":\"A\"},\"color\":\"#123456\"},"
    "{\"id\":\"b\",\"title\":{\"nl\":\"B\",\"en\":\"B\"},\"color\":\"#234567\"},"
    "{\"id\":\"c\",\"title\":{\"nl\":\"C\",\"en\":\"C\"},\"color\":\"#345678\"}],"
    "\"cards\":[" CARD("a1", "a") "," CARD("a2", "a") "," CARD("a3", "a") "," CARD("a4", "a") "," CARD(
        "b1",
        "b") "," CARD("b2",
                      "b") "," CARD("b3",
                                    "b") "," CARD("b4",
                                                  "b") "," CARD("c1",
                                                                "c") "," CARD("c2",
                                                                              "c") "," CARD("c3",
                                                                                            "c") "," CARD("c4",
                                                                                                          "c") "]}";
static const char deck_tiny_json[] =
    "{\"id\":\"tiny\",\"version\":2,"
    "\"title\":{\"nl\":\"Klein\",\"en\":\"Tiny\"},"
    "\"scale\":{\"min\":0,\"max\":1,\"labels\":{\"nl\":[\"nee\",\"ja\"],\"en\":[\"no\",\"yes\"]}},"
    "\"categories\":[{\"id\":\"t\",\"title\":{\"nl\":\"T\",\"en\":\"T\"},\"color\":\"#000000\"}],"
    "\"cards\":[" CARD("t1", "t") "," CARD("t2", "t") "]}";

static deck *g_decks[2];
static game_env g_env;

/* The input bytes read as a script; past the end every byte reads 0. */
typedef struct script {
    const uint8_t *p;
    size_t n, pos;
} script;

static uint8_t next_byte(script *sc)
{
    return sc->pos < sc->n ? sc->p[sc->pos++] : 0;
}

/* Called with every event's whole encoding (the log payload), in order:
 * the seed generator writes logs with it. */
typedef void (*event_sink)(const char *payload, size_t len, void *ctx);

enum { SB_BEFORE, SB_AFTER, SB_A, SB_B, SB_OUT, SB_ENV, SB__COUNT };

typedef struct session {
    room *live;    /* driven by decide + apply */
    room *rebuilt; /* the decoded events applied, as recovery does */
    uint64_t now, rng;
    uint32_t steps, events;
    uint32_t events_compared;                            /* events when live and rebuilt were last compared */
    char tokens[GAME_MAX_MEMBERS + 1][GAME_KEY_HEX + 1]; /* index: member id */
    char name[FUZZ_NAME_SIZE];
    msgpack_sbuffer log; /* every event's whole encoding, back to back */
    /* Scratch buffers, cleared and reused: fresh ones on every check
     * would spend the run in the allocator. */
    msgpack_sbuffer sb[SB__COUNT];
    bool before_valid; /* sb[SB_BEFORE] holds the live room's dump */
    size_t dump_size;  /* of the live room's last dump */
    event_sink sink;
    void *sink_ctx;
} session;

/* A cleared scratch buffer with a packer on it. */
static msgpack_sbuffer *scratch(session *s, int which, msgpack_packer *pk)
{
    msgpack_sbuffer *sb = &s->sb[which];
    msgpack_sbuffer_clear(sb);
    msgpack_packer_init(pk, sb, msgpack_sbuffer_write);
    return sb;
}

static msgpack_sbuffer *dump(session *s, const room *r, int which)
{
    msgpack_packer pk;
    msgpack_sbuffer *sb = scratch(s, which, &pk);
    room_dump(r, &pk);
    return sb;
}

/* ---- building intents that vp_decode could have produced ---- */

/* Names collide often (case-insensitively too), and one is 40 bytes. */
static const char *make_name(session *s, uint8_t b)
{
    static const char *const prefixes[] = {"p",
                                           "P",
                                           "Ann",
                                           "ANN",
                                           "\xc3\x89mile",
                                           "\xc3\xa9mile",
                                           "Zo\xc3\xab",
                                           "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"};
    snprintf(s->name, sizeof s->name, "%s%u", prefixes[b & 7], (unsigned)(b >> 3) % 8);
    return s->name;
}

/* A member id: 0 (nobody), a member, or one past the last. */
static uint32_t pick_member(const session *s, uint8_t b)
{
    return b % (room_members(s->live) + 2);
}

static uint32_t pick_sender(const session *s, uint8_t b)
{
    switch (b >> 6) {
    case 1: return room_facilitator(s->live);
    case 2: return s->live->turn;
    default: return pick_member(s, b & 63);
    }
}

static vp_str str_of(const char *c)
{
    return (vp_str){c, (uint32_t)strlen(c)};
}

static void default_opts(vp_opts *o)
{
    memset(o, 0, sizeof *o);
    o->mode = VP_MODE_HANDS;
    o->hand = 3;
    o->auto_reveal = true;
}

/* Two bytes of options: which keys were given, and their values. */
static void make_opts(script *sc, vp_opts *o)
{
    static const char *const cats[] = {"a", "b", "c", "t", "zz"};
    uint8_t set = next_byte(sc), v = next_byte(sc);
    default_opts(o);
    o->set = set & 0x3f;
    if (o->set & VP_OPT_MODE)
        o->mode = (v & 1) ? VP_MODE_DECK : VP_MODE_HANDS;
    if (o->set & VP_OPT_HAND)
        o->hand = (uint8_t)(VP_HAND_MIN + (v >> 1) % VP_HAND_MAX);
    if (o->set & VP_OPT_ANONYMOUS)
        o->anonymous = (v >> 4) & 1;
    if (o->set & VP_OPT_AUTO_REVEAL)
        o->auto_reveal = (v >> 5) & 1;
    if (o->set & VP_OPT_FACILITATOR_PLAYS)
        o->facilitator_plays = (v >> 6) & 1;
    if (o->set & VP_OPT_CATEGORIES)
        for (unsigned i = 0; i < 5; i++)
            if ((set >> 6 | (v & 0x80) >> 5) & (1u << (i % 3)) && (i < 3 || (v & (1u << i))))
                o->categories[o->n_categories++] = str_of(cats[i]);
}

static const char *pick_card(const session *s, uint32_t sender, uint8_t a, char *buf, size_t cap)
{
    const room *r = s->live;
    const member *m = room_member(r, sender);
    const deck *d = room_deck(r);
    if ((a & 0x80) && m && m->n_hand)
        snprintf(buf, cap, "%s", room_card_id(r, m->hand[a % m->n_hand]));
    else if ((a & 0x40) && d && d->n_cards)
        snprintf(buf, cap, "%s", d->cards[a % d->n_cards].id);
    else
        snprintf(buf, cap, "%s", (a & 1) ? "zz" : "a1");
    return buf;
}

static char long_note[VP_NOTE_MAX + 1], long_close[VP_CLOSE_TEXT_MAX + 1], long_action[VP_ACTION_MAX + 1];

/* Fills *it from the script; returns the input kind. */
static game_input_kind make_input(session *s, script *sc, game_input *in, vp_intent *it, char *card, size_t cap)
{
    static const char *const notes[] = {"x", "a thought", "\xe2\x82\xac tab\there\nnewline", long_note};
    static const char *const closes[] = {"", "Thank you all", long_close};
    static const char *const titles[] = {"", "Test", long_note + VP_NOTE_MAX - VP_TITLE_MAX};
    uint8_t op = next_byte(sc), who = next_byte(sc), a = next_byte(sc), b = next_byte(sc);
    const room *r = s->live;

    memset(it, 0, sizeof *it);
    in->kind = GAME_INPUT_INTENT;
    in->sender = pick_sender(s, who);
    in->intent = it;
    op %= 32;
    if (op >= VP_T__COUNT + 3)
        op = op < 29 ? VP_T_PLAY : VP_T_VOTE; /* the busiest intents get more weight */
    /* The ops just past the intents are a device going online or offline,
     * and the server's timer asking whether a hold on the auto-reveal ended. */
    if (op == VP_T__COUNT || op == VP_T__COUNT + 1) {
        in->kind = op == VP_T__COUNT ? GAME_INPUT_ONLINE : GAME_INPUT_OFFLINE;
        in->intent = NULL;
        in->sender = 0;
        in->player = pick_member(s, a);
        return in->kind;
    }
    if (op == VP_T__COUNT + 2) {
        in->kind = GAME_INPUT_RECHECK;
        in->intent = NULL;
        in->sender = 0;
        return in->kind;
    }
    it->t = (vp_type)op;
    it->has_id = b & 1;
    it->id = a;
    switch (it->t) {
    case VP_T_CREATE:
        it->room = str_of((a & 1) ? "ABCDEF" : "ZZZZZZ");
        it->name = str_of(make_name(s, b));
        it->deck = str_of((const char *const[]){"test-deck", "tiny", "nope"}[(a >> 1) % 3]);
        it->lang = (a >> 3) & 1 ? VP_LANG_EN : VP_LANG_NL;
        it->tz_offset = (int32_t)(b % 7) * 260 - 720;
        it->title = str_of(titles[(a >> 4) % 3]);
        it->has_opts = (a >> 6) & 1;
        if (it->has_opts)
            make_opts(sc, &it->opts);
        else
            default_opts(&it->opts);
        if (a & 0x80)
            in->sender = 0; /* a fresh connection, as the server sends it */
        break;
    case VP_T_JOIN:
        it->room = str_of((a & 1) ? "ABCDEF" : "ZZZZZZ");
        it->name = str_of(make_name(s, b));
        it->role = ((a >> 1) & 3) == 0 ? VP_ROLE_SCREEN : VP_ROLE_PLAYER;
        if (a & 0x80)
            in->sender = 0;
        break;
    case VP_T_RESUME: {
        uint32_t m = pick_member(s, b);
        it->room = str_of((a & 1) ? "ABCDEF" : "ZZZZZZ");
        it->token = str_of(m <= GAME_MAX_MEMBERS && s->tokens[m][0] && !(a & 2) ? s->tokens[m]
                                                                                : "0123456789abcdef0123456789abcdef");
        if (a & 0x80)
            in->sender = 0;
        break;
    }
    case VP_T_START:
        it->has_opts = a & 1;
        if (it->has_opts)
            make_opts(sc, &it->opts);
        else
            default_opts(&it->opts);
        break;
    case VP_T_PLAY: it->card = str_of(pick_card(s, in->sender, a, card, cap)); break;
    case VP_T_DRAW:
        /* Half plain draws, half a named card (drawn from anywhere in the pile). */
        if (a & 0x20)
            it->card = str_of(pick_card(s, in->sender, a, card, cap));
        break;
    case VP_T_VOTE:
        it->pass = (a & 7) == 0;
        if (!it->pass)
            it->value = (a >> 3) == 31 ? (uint64_t)UINT32_MAX + 1 : (a >> 3) == 30 ? UINT64_MAX : (a & 7) - 1u;
        it->has_for = b & 1;
        if (it->has_for) {
            it->for_player = pick_member(s, b >> 1);
            if (it->for_player == 0)
                it->for_player = UINT32_MAX;
        }
        break;
    case VP_T_NOTE: it->text = str_of(notes[a % 4]); break;
    case VP_T_HIDE: it->note = a == 255 ? UINT32_MAX : a % (r->n_notes + 2); break;
    case VP_T_TIMER: it->seconds = a == 255 ? VP_TIMER_MAX : (a % 8) * 60u; break;
    case VP_T_CLOSE:
        it->text = str_of(closes[a % 3]);
        it->n_actions = (uint8_t)(b % (VP_ACTIONS_MAX + 1));
        for (uint8_t i = 0; i < it->n_actions; i++)
            it->actions[i] = str_of((a >> 2) & 1 ? long_action : "act");
        break;
    case VP_T_SEAT: it->name = str_of(make_name(s, b)); break;
    case VP_T_HANDOVER:
    case VP_T_KICK:
        it->player = pick_member(s, a);
        if (it->player == 0)
            it->player = UINT32_MAX;
        break;
    case VP_T_LOCK: it->locked = a & 1; break;
    case VP_T_WINDOW:
        it->window = str_of((const char *const[]){"w1", "w2", "w3", "", "nope"}[a % 5]);
        it->chair = (b & 3) == 0;
        it->has_for = (b & 3) == 1;
        if (it->has_for)
            it->for_player = pick_member(s, b >> 2) ? pick_member(s, b >> 2) : UINT32_MAX;
        break;
    case VP_T_PAGE: it->page = a == 255 ? VP_PAGE_MAX : a % 4u; break;
    default: break;
    }
    return in->kind;
}

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

/* One input through decide and, when granted, apply; every invariant of the
 * core checked on the way. Returns the result's code; *purged tells the
 * caller that the room is gone. */
static vp_code run_input(session *s, game_input *in_, uint64_t seconds, bool *purged)
{
    game_input in = *in_;
    vp_intent it;
    game_result res;
    uint32_t ids[FUZZ_VIEWERS_MAX];

    if (in.intent)
        it = *in.intent;
    s->steps++;
    s->now += 1000 * seconds;
    in.now_ms = s->now;
    for (unsigned i = 0; i < GAME_ENTROPY; i += 8) {
        uint64_t v = shuffle_next(&s->rng);
        memcpy(in.entropy + i, &v, 8);
    }

    /* After an error the dump of the unchanged room is still at hand. */
    bool full = thorough(s);
    if (full && !s->before_valid)
        dump(s, s->live, SB_BEFORE);
    memset(&res, 0xa5, sizeof res); /* decide must fill every field it promises */
    vp_code rc = game_decide(s->live, &g_env, &in, &res);
    if (full) {
        FUZZ_CHECK(fuzz_same(&s->sb[SB_BEFORE], dump(s, s->live, SB_AFTER)), "decide changed the room (%s)",
                   in.intent ? vp_type_name(in.intent->t) : "presence");
        s->before_valid = true;
        s->dump_size = s->sb[SB_AFTER].size;
    }
    FUZZ_CHECK(rc == res.code, "decide returned %s, its result says %s", vp_code_name(rc), vp_code_name(res.code));
    FUZZ_CHECK((unsigned)rc < VP_CODE__COUNT, "decide returned code %d", (int)rc);
    if (rc != VP_OK) {
        FUZZ_CHECK(res.n_events == 0, "an error (%s) with %u events", vp_code_name(rc), res.n_events);
        FUZZ_CHECK(res.msg != NULL && res.msg[0], "an error (%s) without a message", vp_code_name(rc));
        game_result_free(&res);
        return rc;
    }

    if (in.kind == GAME_INPUT_INTENT && (it.t == VP_T_CREATE || it.t == VP_T_JOIN || it.t == VP_T_RESUME)) {
        FUZZ_CHECK(res.you >= 1, "%s granted without a member", vp_type_name(it.t));
        FUZZ_CHECK(strlen(res.token) == GAME_KEY_HEX, "%s granted with a token of %zu chars", vp_type_name(it.t),
                   strlen(res.token));
        if (it.t == VP_T_RESUME)
            FUZZ_CHECK(it.token.len == GAME_KEY_HEX && memcmp(res.token, it.token.ptr, GAME_KEY_HEX) == 0,
                       "resume answered another token");
    }
    for (uint32_t i = 0; i < res.n_events; i++) {
        const game_event *e = &res.events[i];
        game_event decoded;
        FUZZ_CHECK((unsigned)e->kind < GAME_EV__COUNT, "event kind %d", (int)e->kind);
        FUZZ_CHECK(e->seq == room_seq(s->live) + 1, "%s has seq %llu after %llu", game_event_name(e->kind),
                   (unsigned long long)e->seq, (unsigned long long)room_seq(s->live));
        FUZZ_CHECK(e->at == in.now_ms, "%s has at %llu, now is %llu", game_event_name(e->kind),
                   (unsigned long long)e->at, (unsigned long long)in.now_ms);
        check_round_trip(s, e, &decoded);
        s->before_valid = false;
        FUZZ_CHECK(game_apply(s->live, e) == 0, "apply refused %s (seq %llu) that decide made",
                   game_event_name(e->kind), (unsigned long long)e->seq);
        FUZZ_CHECK(room_seq(s->live) == e->seq, "seq %llu after applying %llu", (unsigned long long)room_seq(s->live),
                   (unsigned long long)e->seq);
        FUZZ_CHECK(game_apply(s->rebuilt, &decoded) == 0, "apply refused the decoded %s (seq %llu)",
                   game_event_name(e->kind), (unsigned long long)e->seq);
        if (s->events % 16 == 0 && full) {
            /* The same event again does not fit (its seq is taken) and
             * changes nothing. */
            dump(s, s->rebuilt, SB_A);
            FUZZ_CHECK(game_apply(s->rebuilt, &decoded) == -1, "apply took %s (seq %llu) twice",
                       game_event_name(e->kind), (unsigned long long)e->seq);
            FUZZ_CHECK(fuzz_same(&s->sb[SB_A], dump(s, s->rebuilt, SB_B)), "a refused apply changed the room");
        }
        game_event_clear(&decoded);
        s->events++;
        uint32_t n = viewers(s, in.sender, ids);
        for (uint32_t k = 0; k < n; k++)
            check_event_for(s, s->live, e, ids[k]);
    }
    FUZZ_CHECK(room_seq(s->live) == s->events, "seq %llu after %u events", (unsigned long long)room_seq(s->live),
               s->events);
    if (res.you >= 1 && res.you <= GAME_MAX_MEMBERS && res.token[0])
        memcpy(s->tokens[res.you], res.token, GAME_KEY_HEX + 1);
    if (res.n_events && full) {
        uint32_t n = viewers(s, in.sender, ids);
        for (uint32_t k = 0; k < n; k++)
            check_view(s, s->live, ids[k]);
    }
    if (res.n_events && res.events[res.n_events - 1].kind == GAME_EV_CLOSED)
        check_summaries(s, s->live);
    uint32_t every = room_members(s->live) <= FUZZ_SMALL_ROOM && s->dump_size <= FUZZ_SMALL_DUMP
                         ? FUZZ_EQUAL_EVERY
                         : FUZZ_EQUAL_EVERY * FUZZ_BIG_ROOM_EVERY;
    if (s->steps % every == 0 && s->events != s->events_compared)
        check_equal(s);
    *purged = res.purge;
    game_result_free(&res);
    return rc;
}

/* Ops 30 and 31 are bulk steps that reach the limits of GAME_MAX_*, which
 * single steps would take thousands of bytes to reach: a crowd joins (up to
 * 128, each leaving again at once when asked), the facilitator opens and closes rounds (up to 128), or a member
 * adds notes (up to 256). Each input goes through every check as usual. */
static uint32_t bulk(session *s, script *sc, bool *purged)
{
    uint8_t op = next_byte(sc) % 32, who = next_byte(sc), a = next_byte(sc), b = next_byte(sc);
    game_input in;
    vp_intent it;
    char name[FUZZ_NAME_SIZE];
    uint32_t granted = 0;

    memset(&in, 0, sizeof in);
    in.kind = GAME_INPUT_INTENT;
    in.intent = &it;
    if (op == 30) {
        for (uint32_t i = 0; i <= (a & 127u) && !*purged; i++) {
            memset(&it, 0, sizeof it);
            it.t = VP_T_JOIN;
            it.room = str_of("ABCDEF");
            snprintf(name, sizeof name, "crowd %u", s->steps);
            it.name = str_of(name);
            it.role = (b & 1) && i % 5 == 0 ? VP_ROLE_SCREEN : VP_ROLE_PLAYER;
            in.sender = 0;
            if (run_input(s, &in, 1, purged) != VP_OK)
                continue;
            granted++;
            if (b & 2) {
                /* Churn: the newcomer leaves at once, so that the members
                 * a room ever had (GAME_MAX_MEMBERS) run out. */
                memset(&it, 0, sizeof it);
                it.t = VP_T_LEAVE;
                in.sender = room_members(s->live);
                granted += run_input(s, &in, 1, purged) == VP_OK;
            }
        }
    } else if (b & 1) {
        for (uint32_t i = 0; i <= (a & 127u) && !*purged; i++) {
            memset(&it, 0, sizeof it);
            it.t = (i & 1) ? VP_T_CLOSE : VP_T_START;
            default_opts(&it.opts);
            in.sender = room_facilitator(s->live);
            granted += run_input(s, &in, 1, purged) == VP_OK;
        }
    } else {
        for (uint32_t i = 0; i <= a && !*purged; i++) {
            memset(&it, 0, sizeof it);
            it.t = VP_T_NOTE;
            it.text = str_of(i & 1 ? "more" : "one more");
            in.sender = pick_sender(s, who);
            granted += run_input(s, &in, 1, purged) == VP_OK;
        }
    }
    return granted;
}

/* One step of the script; returns the number of granted inputs. */
static uint32_t step(session *s, script *sc, bool *purged)
{
    game_input in;
    vp_intent it;
    char card[GAME_ID_SIZE];

    if (sc->pos < sc->n && sc->p[sc->pos] % 32 >= 30)
        return bulk(s, sc, purged);
    memset(&in, 0, sizeof in);
    make_input(s, sc, &in, &it, card, sizeof card);
    return run_input(s, &in, 1 + (sc->pos & 3), purged) == VP_OK;
}

/* Plays a whole script; returns the number of granted inputs. */
static uint32_t run_script(const uint8_t *data, size_t size, event_sink sink, void *ctx)
{
    session *s = calloc(1, sizeof *s);
    script sc = {.p = data, .n = size};
    uint32_t granted = 0;

    if (!s)
        return 0;
    s->live = room_new();
    s->rebuilt = room_new();
    FUZZ_CHECK(s->live && s->rebuilt, "room_new failed");
    s->now = 1700000000000ull;
    s->rng = 0x5eed;
    s->sink = sink;
    s->sink_ctx = ctx;
    msgpack_sbuffer_init(&s->log);
    for (int i = 0; i < SB__COUNT; i++)
        msgpack_sbuffer_init(&s->sb[i]);
    while (sc.pos < sc.n && s->steps < FUZZ_MAX_STEPS) {
        bool purged = false;
        granted += step(s, &sc, &purged);
        if (purged)
            break; /* the server deletes the room and its log */
    }
    check_equal(s);

    check_replay(s);
    msgpack_sbuffer_destroy(&s->log);
    for (int i = 0; i < SB__COUNT; i++)
        msgpack_sbuffer_destroy(&s->sb[i]);
    room_free(s->live);
    room_free(s->rebuilt);
    free(s);
    return granted;
}

static void init_decks(void)
{
    char err[256];
    memset(long_note, 'n', VP_NOTE_MAX);
    memset(long_close, 'c', VP_CLOSE_TEXT_MAX);
    memset(long_action, 'a', VP_ACTION_MAX);
    FUZZ_CHECK(deck_parse_json(deck_test_json, sizeof deck_test_json - 1, "test-deck", &g_decks[0], err, sizeof err) ==
                   0,
               "%s", err);
    FUZZ_CHECK(deck_parse_json(deck_tiny_json, sizeof deck_tiny_json - 1, "tiny", &g_decks[1], err, sizeof err) == 0,
               "%s", err);
    g_env.decks = g_decks;
    g_env.n_decks = 2;
    /* Steps advance the clock by whole seconds (0..3 most of the time), so
     * a hold of a few seconds both holds and ends within one script. */
    g_env.away_hold_ms = 5000;
}

#ifndef FUZZ_SEED_MAIN

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    init_decks();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_script(data, size, NULL, NULL);
    return 0;
}

#else
/* The seed generator (build.sh): plays pseudo-random scripts, keeps them as
 * seeds of this target, and writes what they logged as log files and
 * single payloads for fuzz_record; writes each deck given on the command
 * line (and the two above) as JSON and MessagePack seeds for fuzz_deck. */
#include "log/evlog_format.h"

#define SEED_SCRIPTS           24
#define SEED_PAYLOADS_PER_KIND 3

typedef struct logfile {
    FILE *f;
    const char *dir;
    uint32_t n, per_kind[GAME_EV__COUNT + 1];
} logfile;

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f && fwrite(p, 1, n, f) == n && fclose(f) == 0, "cannot write %s", path);
}

static void sink(const char *payload, size_t len, void *ctx)
{
    logfile *lf = ctx;
    uint8_t hdr[EVLOG_RECORD_HEADER_LEN];
    evlog_record_header(hdr, payload, (uint32_t)len);
    fwrite(hdr, 1, sizeof hdr, lf->f);
    fwrite(payload, 1, len, lf->f);
    /* The kind is the value after "e" in the whole encoding; a few of each
     * are kept as single-payload seeds. */
    game_event e;
    char err[128], path[512];
    if (record_read_event((const uint8_t *)payload, len, &e, err, sizeof err) == 0) {
        if (lf->per_kind[e.kind]++ < SEED_PAYLOADS_PER_KIND) {
            snprintf(path, sizeof path, "%s/record/event-%s-%u", lf->dir, game_event_name(e.kind), lf->n);
            write_file(path, payload, len);
        }
        game_event_clear(&e);
    }
    lf->n++;
}

static void write_deck_seeds(const char *dir, const char *name, const char *json, size_t len)
{
    char path[512], err[256];
    deck *d;
    snprintf(path, sizeof path, "%s/deck/json-%s", dir, name);
    write_file(path, json, len);
    FUZZ_CHECK(deck_parse_json(json, len, name, &d, err, sizeof err) == 0, "%s", err);
    snprintf(path, sizeof path, "%s/deck/msgpack-%s", dir, name);
    write_file(path, d->packed, d->packed_len);
    deck_unref(d);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: seed_gen CORPUS_DIR [DECK.json...]\n");
        return 2;
    }
    const char *dir = argv[1];
    char path[512];
    logfile lf = {.dir = dir};
    uint64_t rng = 20261128;
    uint32_t total = 0;

    init_decks();
    for (unsigned k = 0; k < SEED_SCRIPTS; k++) {
        size_t n = 64 + (size_t)(shuffle_next(&rng) % 2048);
        uint8_t *p = malloc(n);
        FUZZ_CHECK(p, "out of memory");
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)shuffle_next(&rng);
        /* Every script starts by creating the room, so that most of it
         * plays: op 0 (create) from a fresh connection, valid deck. */
        p[0] = 0, p[1] = 0, p[2] = 0x81, p[3] = (uint8_t)k;
        snprintf(path, sizeof path, "%s/game/script-%02u", dir, k);
        write_file(path, p, n);
        snprintf(path, sizeof path, "%s/record/log-%02u", dir, k);
        lf.f = fopen(path, "wb");
        FUZZ_CHECK(lf.f, "cannot write %s", path);
        fwrite(EVLOG_MAGIC, 1, EVLOG_MAGIC_LEN, lf.f);
        total += run_script(p, n, sink, &lf);
        FUZZ_CHECK(fclose(lf.f) == 0, "cannot write %s", path);
        free(p);
    }
    write_deck_seeds(dir, "test-deck", deck_test_json, sizeof deck_test_json - 1);
    write_deck_seeds(dir, "tiny", deck_tiny_json, sizeof deck_tiny_json - 1);
    for (int i = 2; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        FUZZ_CHECK(f, "cannot read %s", argv[i]);
        static char buf[DECK_SOURCE_MAX];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        const char *base = strrchr(argv[i], '/');
        write_deck_seeds(dir, base ? base + 1 : argv[i], buf, n);
    }
    printf("  seeds: %u scripts (%u inputs granted, %u events logged), %d decks\n", SEED_SCRIPTS, total, lf.n,
           argc - 2 + 2);
    for (unsigned k = 0; k < GAME_EV__COUNT; k++)
        if (!lf.per_kind[k])
            printf("  seeds: no %s event in the seed logs\n", game_event_name((game_event_kind)k));
    for (int i = 0; i < 2; i++)
        deck_unref(g_decks[i]);
    return 0;
}
#endif
