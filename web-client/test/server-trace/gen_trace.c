/* gen_trace: runs a scripted session through the server's own game core and writes what each member received, for the client's reducer test. */
/*
 * The client keeps its screen by applying filtered events to the View it got
 * in `welcome` (web-client/src/state/reducer.ts). This program plays a whole
 * scripted session through game_decide/game_apply, and records for every
 * member with a device: the View the server would send in a welcome after
 * each intent, and every event as that member receives it. The vitest test
 * (test/server-trace.test.ts) applies the events with the reducer and checks
 * it arrives at the server's own Views. It also records the public replay.
 *
 * Build and run from the repository root, after the libraries are built
 * (e.g. cmake --build build-web --target verrijk_game verrijk_protocol):
 *
 *   cc -std=c11 -Wall -Wextra -Werror -Iserver -Iprotocol/include \
 *      web-client/test/server-trace/gen_trace.c \
 *      build-web/server/libverrijk_game.a build-web/protocol/libverrijk_protocol.a \
 *      -lmsgpackc -ljansson -lcrypto -o build-web/gen_trace
 *   build-web/gen_trace tests/decks/vensters-v2.json web-client/test/server-trace/trace.msgpack
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <msgpack.h>

#include "game/deck.h"
#include "game/room.h"

#define MAX_RECIPIENTS 16 /* members with a device in the script */
#define MAX_HAND       8

typedef struct recipient {
    uint32_t player;
    msgpack_sbuffer views, events;
    uint32_t n_views, n_events;
} recipient;

typedef struct script {
    room *room;
    game_env env;
    recipient rcp[MAX_RECIPIENTS];
    uint32_t n_rcp;
    msgpack_sbuffer replay;
    uint32_t n_replay;
    game_event *log; /* every event, whole, for the replay */
    uint32_t n_log, cap_log;
    uint64_t now;
    uint32_t entropy;
    /* Hands as the script needs them to play legal cards. */
    char hands[32][MAX_HAND][GAME_ID_SIZE];
    uint32_t n_hand[32];
    uint32_t turn;
} script;

static void die(const char *what)
{
    fprintf(stderr, "gen_trace: %s\n", what);
    exit(1);
}

static void pack_json(msgpack_packer *pk, json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *v;
        msgpack_pack_map(pk, json_object_size(j));
        json_object_foreach (j, k, v) {
            msgpack_pack_str_with_body(pk, k, strlen(k));
            pack_json(pk, v);
        }
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *v;
        msgpack_pack_array(pk, json_array_size(j));
        json_array_foreach (j, i, v)
            pack_json(pk, v);
        break;
    }
    case JSON_STRING: msgpack_pack_str_with_body(pk, json_string_value(j), json_string_length(j)); break;
    case JSON_INTEGER: msgpack_pack_int64(pk, json_integer_value(j)); break;
    case JSON_REAL: msgpack_pack_double(pk, json_real_value(j)); break;
    case JSON_TRUE: msgpack_pack_true(pk); break;
    case JSON_FALSE: msgpack_pack_false(pk); break;
    case JSON_NULL: msgpack_pack_nil(pk); break;
    }
}

static void snapshot_views(script *s)
{
    for (uint32_t i = 0; i < s->n_rcp; i++) {
        /* A member who left or was kicked has no device any more: the
         * server sends them nothing (no welcome either). */
        if (!room_member_present(s->room, s->rcp[i].player))
            continue;
        msgpack_packer pk;
        msgpack_packer_init(&pk, &s->rcp[i].views, msgpack_sbuffer_write);
        game_pack_view(s->room, s->rcp[i].player, &pk);
        s->rcp[i].n_views++;
    }
}

static void track_hands(script *s, const game_event *e)
{
    switch (e->kind) {
    case GAME_EV_DEALT:
        for (uint32_t i = 0; i < e->u.dealt.n_hands; i++) {
            const game_hand *h = &e->u.dealt.hands[i];
            for (uint32_t j = 0; j < h->n_cards; j++)
                snprintf(s->hands[h->player][s->n_hand[h->player]++], GAME_ID_SIZE, "%s", h->cards[j].s);
        }
        break;
    case GAME_EV_PLAYED: {
        uint32_t p = e->u.played.player;
        for (uint32_t j = 0; p && j < s->n_hand[p]; j++)
            if (strcmp(s->hands[p][j], e->u.played.card.s) == 0) {
                memmove(s->hands[p][j], s->hands[p][j + 1], (s->n_hand[p] - j - 1) * GAME_ID_SIZE);
                s->n_hand[p]--;
                break;
            }
        break;
    }
    case GAME_EV_LEFT: s->n_hand[e->u.left.player] = 0; break;
    case GAME_EV_ROUND:
    case GAME_EV_CLOSED: memset(s->n_hand, 0, sizeof s->n_hand); break;
    case GAME_EV_TURN: s->turn = e->u.turn.player; break;
    default: break;
    }
}

/* Runs one input; `json` is the intent (NULL for device inputs). Returns the member the sender became. */
static uint32_t run(script *s, game_input_kind kind, uint32_t sender, uint32_t player, const char *json)
{
    msgpack_sbuffer msg;
    msgpack_sbuffer_init(&msg);
    vp_intent in;
    memset(&in, 0, sizeof in);
    if (json) {
        json_error_t jerr;
        json_t *j = json_loads(json, 0, &jerr);
        if (!j)
            die(json);
        msgpack_packer pk;
        msgpack_packer_init(&pk, &msg, msgpack_sbuffer_write);
        pack_json(&pk, j);
        json_decref(j);
        const char *why = NULL;
        if (vp_decode((const uint8_t *)msg.data, msg.size, &in, &why) != VP_OK)
            die(why ? why : json);
    }
    game_input gi;
    memset(&gi, 0, sizeof gi);
    gi.kind = kind;
    gi.sender = sender;
    gi.intent = json ? &in : NULL;
    gi.player = player;
    gi.now_ms = s->now += 1000;
    for (unsigned i = 0; i < GAME_ENTROPY; i++)
        gi.entropy[i] = (uint8_t)(s->entropy * 31 + i * 7);
    s->entropy++;
    game_result res;
    memset(&res, 0, sizeof res);
    if (game_decide(s->room, &s->env, &gi, &res) != VP_OK) {
        fprintf(stderr, "gen_trace: %s refused: %s\n", json ? json : "device input", res.msg ? res.msg : "?");
        exit(1);
    }
    uint32_t you = res.you;
    for (uint32_t i = 0; i < res.n_events; i++) {
        const game_event *e = &res.events[i];
        if (game_apply(s->room, e) != 0)
            die("game_apply refused an event decide made");
        track_hands(s, e);
        for (uint32_t r = 0; r < s->n_rcp; r++) {
            if (!room_member_present(s->room, s->rcp[r].player))
                continue; /* gone: as in snapshot_views */
            msgpack_sbuffer body;
            msgpack_sbuffer_init(&body);
            msgpack_packer pk;
            msgpack_packer_init(&pk, &body, msgpack_sbuffer_write);
            game_pack_event_for(s->room, e, s->rcp[r].player, &pk);
            if (vp_pack_ev(&s->rcp[r].events, e->seq, e->at, (const uint8_t *)body.data, body.size) != 0)
                die("vp_pack_ev");
            s->rcp[r].n_events++;
            msgpack_sbuffer_destroy(&body);
        }
        /* Keep the whole event for the replay (decode it back from its log form). */
        msgpack_sbuffer whole;
        msgpack_sbuffer_init(&whole);
        msgpack_packer pk;
        msgpack_packer_init(&pk, &whole, msgpack_sbuffer_write);
        game_pack_event(e, &pk);
        msgpack_unpacked up;
        msgpack_unpacked_init(&up);
        if (msgpack_unpack_next(&up, whole.data, whole.size, NULL) != MSGPACK_UNPACK_SUCCESS)
            die("unpack");
        if (s->n_log == s->cap_log) {
            s->cap_log = s->cap_log ? 2 * s->cap_log : 64;
            s->log = realloc(s->log, s->cap_log * sizeof *s->log);
            if (!s->log)
                die("out of memory");
        }
        char err[200];
        memset(&s->log[s->n_log], 0, sizeof s->log[0]);
        if (game_unpack_event(&up.data, &s->log[s->n_log], err, sizeof err) != 0)
            die(err);
        s->n_log++;
        msgpack_unpacked_destroy(&up);
        msgpack_sbuffer_destroy(&whole);
    }
    game_result_free(&res);
    msgpack_sbuffer_destroy(&msg);
    return you;
}

/* A member with a device joins the recorded recipients; their first View is the welcome's. */
static void add_recipient(script *s, uint32_t player)
{
    if (s->n_rcp == MAX_RECIPIENTS)
        die("too many recipients");
    recipient *r = &s->rcp[s->n_rcp++];
    r->player = player;
    msgpack_sbuffer_init(&r->views);
    msgpack_sbuffer_init(&r->events);
}

static uint32_t act(script *s, uint32_t sender, const char *json)
{
    uint32_t you = run(s, GAME_INPUT_INTENT, sender, 0, json);
    snapshot_views(s);
    return you;
}

static void device(script *s, game_input_kind kind, uint32_t player)
{
    run(s, kind, 0, player, NULL);
    snapshot_views(s);
}

static uint32_t joiner(script *s, const char *json)
{
    uint32_t id = run(s, GAME_INPUT_INTENT, 0, 0, json);
    add_recipient(s, id);
    snapshot_views(s);
    return id;
}

static void play_turn(script *s)
{
    char j[200];
    uint32_t p = s->turn;
    if (!p || !s->n_hand[p])
        die("nobody can play");
    snprintf(j, sizeof j, "{\"t\":\"play\",\"card\":\"%s\"}", s->hands[p][0]);
    act(s, p, j);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: gen_trace DECK.json OUT.msgpack");
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        die("cannot open the deck");
    static char buf[1 << 20];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    deck *d = NULL;
    char err[300];
    if (deck_parse_json(buf, len, argv[1], &d, err, sizeof err) != 0)
        die(err);
    script s;
    memset(&s, 0, sizeof s);
    s.room = room_new();
    s.env.decks = &d;
    s.env.n_decks = 1;
    s.now = 1764324000000ull;
    msgpack_sbuffer_init(&s.replay);
    char j[300];

    snprintf(j, sizeof j,
             "{\"t\":\"create\",\"room\":\"K7M4QX\",\"name\":\"Fenna\",\"title\":\"Trace\",\"deck\":\"%s\","
             "\"lang\":\"nl\",\"tz_offset\":60,\"opts\":{\"hand\":2}}",
             d->id);
    uint32_t fac = joiner(&s, j);
    uint32_t ana = joiner(&s, "{\"t\":\"join\",\"room\":\"K7M4QX\",\"name\":\"Ana\"}");
    uint32_t bo = joiner(&s, "{\"t\":\"join\",\"room\":\"K7M4QX\",\"name\":\"Bo\"}");
    joiner(&s, "{\"t\":\"join\",\"room\":\"K7M4QX\",\"name\":\"Scherm\",\"role\":\"screen\"}");
    act(&s, fac, "{\"t\":\"seat\",\"name\":\"Cas\"}");
    uint32_t cas = 5;
    /* Window play (the deck has windows): one's own, one assigned. */
    act(&s, ana, "{\"t\":\"window\",\"window\":\"burger\"}");
    snprintf(j, sizeof j, "{\"t\":\"window\",\"window\":\"bestuur\",\"for\":%u}", bo);
    act(&s, fac, j);
    act(&s, fac, "{\"t\":\"lock\",\"locked\":true}");
    act(&s, fac, "{\"t\":\"lock\",\"locked\":false}");

    /* Round 1: hands of two, votes hidden until the reveal. */
    act(&s, fac, "{\"t\":\"start\"}");
    play_turn(&s);
    act(&s, fac, "{\"t\":\"window\",\"window\":\"organisatie\",\"chair\":true}"); /* the empty chair */
    device(&s, GAME_INPUT_OFFLINE, bo); /* offline before any vote: nothing to reveal yet */
    device(&s, GAME_INPUT_ONLINE, bo);
    act(&s, ana, "{\"t\":\"vote\",\"value\":4}");
    act(&s, ana, "{\"t\":\"vote\",\"value\":3}");
    snprintf(j, sizeof j, "{\"t\":\"vote\",\"value\":2,\"for\":%u}", cas);
    act(&s, fac, j);
    act(&s, bo, "{\"t\":\"note\",\"text\":\"Wie doet er mee?\"}");
    act(&s, ana, "{\"t\":\"note\",\"text\":\"Te persoonlijk\"}");
    act(&s, fac, "{\"t\":\"hide\",\"note\":2}");
    act(&s, bo, "{\"t\":\"vote\",\"value\":null}"); /* the last online voter: auto reveal */
    act(&s, fac, "{\"t\":\"revote\"}");
    act(&s, ana, "{\"t\":\"vote\",\"value\":5}");
    act(&s, fac, "{\"t\":\"reveal\"}");
    act(&s, fac, "{\"t\":\"next\"}");
    act(&s, fac, "{\"t\":\"timer\",\"seconds\":60}");
    act(&s, fac, "{\"t\":\"skip\"}");
    play_turn(&s);
    act(&s, fac, "{\"t\":\"timer\",\"seconds\":120}"); /* ends with this card's done (§5.1) */
    act(&s, bo, "{\"t\":\"vote\",\"value\":1}");
    uint32_t dee = joiner(&s, "{\"t\":\"join\",\"room\":\"K7M4QX\",\"name\":\"Dee\"}"); /* late joiner: dealt, order */
    snprintf(j, sizeof j, "{\"t\":\"kick\",\"player\":%u}", bo);
    act(&s, fac, j);
    act(&s, dee, "{\"t\":\"vote\",\"value\":4}"); /* not eligible for this card: it holds up nothing */
    act(&s, ana, "{\"t\":\"vote\",\"value\":5}"); /* the last eligible voter: auto reveal */
    act(&s, fac, "{\"t\":\"next\"}");
    act(&s, fac, "{\"t\":\"timer\",\"seconds\":0}");
    play_turn(&s);
    act(&s, ana, "{\"t\":\"vote\",\"value\":2}");
    snprintf(j, sizeof j, "{\"t\":\"handover\",\"player\":%u}", ana);
    act(&s, fac, j);
    act(&s, ana, "{\"t\":\"close\",\"text\":\"Goed gesprek\",\"actions\":[\"Plan maken\",\"Terugkomen\"]}");
    act(&s, ana, "{\"t\":\"page\",\"page\":1}"); /* the big screen's next page of the summary */

    /* Round 2: anonymous, deck mode, one category, the facilitator (now Ana) draws. */
    snprintf(j, sizeof j, "{\"t\":\"start\",\"opts\":{\"mode\":\"deck\",\"anonymous\":true,\"categories\":[\"%s\"]}}",
             d->categories[0].id);
    act(&s, ana, j);
    snprintf(j, sizeof j, "{\"t\":\"kick\",\"player\":%u}", cas);
    act(&s, ana, j); /* after a close: the members still there get the new replay key */
    act(&s, ana, "{\"t\":\"draw\"}");
    act(&s, fac, "{\"t\":\"vote\",\"value\":4}");
    act(&s, dee, "{\"t\":\"vote\",\"value\":2}");
    act(&s, fac, "{\"t\":\"note\",\"text\":\"Anoniem\"}");
    act(&s, ana, "{\"t\":\"next\"}");
    act(&s, ana, "{\"t\":\"hide\",\"note\":1}");
    act(&s, ana, "{\"t\":\"close\"}");
    act(&s, dee, "{\"t\":\"leave\"}");

    /* The replay: every event filtered for the public, knowing the whole log. */
    game_replay *rp = game_replay_new();
    msgpack_packer rpk;
    msgpack_packer_init(&rpk, &s.replay, msgpack_sbuffer_write);
    for (uint32_t i = 0; i < s.n_log; i++)
        game_replay_scan(rp, &s.log[i]);
    for (uint32_t i = 0; i < s.n_log; i++) {
        game_replay_pack(rp, &s.log[i], &rpk);
        s.n_replay++;
    }
    game_replay_free(rp);

    msgpack_sbuffer out;
    msgpack_sbuffer_init(&out);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &out, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 2);
    msgpack_pack_str_with_body(&pk, "recipients", 10);
    msgpack_pack_array(&pk, s.n_rcp);
    for (uint32_t i = 0; i < s.n_rcp; i++) {
        recipient *r = &s.rcp[i];
        msgpack_pack_map(&pk, 3);
        msgpack_pack_str_with_body(&pk, "player", 6);
        msgpack_pack_uint32(&pk, r->player);
        msgpack_pack_str_with_body(&pk, "views", 5);
        msgpack_pack_array(&pk, r->n_views);
        msgpack_sbuffer_write(&out, r->views.data, r->views.size);
        msgpack_pack_str_with_body(&pk, "frames", 6);
        msgpack_pack_array(&pk, r->n_events);
        msgpack_sbuffer_write(&out, r->events.data, r->events.size);
        msgpack_sbuffer_destroy(&r->views);
        msgpack_sbuffer_destroy(&r->events);
    }
    msgpack_pack_str_with_body(&pk, "replay", 6);
    msgpack_pack_array(&pk, s.n_replay);
    msgpack_sbuffer_write(&out, s.replay.data, s.replay.size);

    FILE *o = fopen(argv[2], "wb");
    if (!o || fwrite(out.data, 1, out.size, o) != out.size || fclose(o) != 0)
        die("cannot write the output");
    printf("gen_trace: %u recipients, %u events, %zu bytes\n", s.n_rcp, s.n_log, out.size);
    for (uint32_t i = 0; i < s.n_log; i++)
        game_event_clear(&s.log[i]);
    free(s.log);
    msgpack_sbuffer_destroy(&s.replay);
    msgpack_sbuffer_destroy(&out);
    room_free(s.room);
    deck_unref(d);
    return 0;
}
