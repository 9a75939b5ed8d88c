/* test_game_util: a test harness for the game core — a room driven through decide/apply, with a log. */
#ifndef VERRIJK_TEST_GAME_UTIL_H
#define VERRIJK_TEST_GAME_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <msgpack.h>

#include "game/deck.h"
#include "game/event.h"
#include "game/room.h"
#include "game/room_internal.h"
#include "game/shuffle.h"

#define S(x) ((vp_str){(x), (uint32_t)strlen(x)})

/* A small deck: scale 1..5, categories a, b, c with four cards each
 * (a1..a4, b1..b4, c1..c4), in that order; format 2 with the windows w1,
 * w2 and w3, so that window play is exercised too. */
/* clang-format off */
static const char tg_deck_json[] =
    "{\"format\":2,\"id\":\"test-deck\",\"version\":1,"
    "\"title\":{\"nl\":\"Testset\",\"en\":\"Test set\"},"
    "\"scale\":{\"min\":1,\"max\":5,\"labels\":{\"nl\":[\"een\",\"twee\",\"drie\",\"vier\",\"vijf\"],"
    "\"en\":[\"one\",\"two\",\"three\",\"four\",\"five\"]}},"
    "\"windows\":["
    "{\"id\":\"w1\",\"title\":{\"nl\":\"W1\",\"en\":\"W1\"},\"color\":\"#123456\",\"explainer\":{\"nl\":\"e\",\"en\":\"e\"}},"
    "{\"id\":\"w2\",\"title\":{\"nl\":\"W2\",\"en\":\"W2\"},\"color\":\"#234567\",\"explainer\":{\"nl\":\"e\",\"en\":\"e\"}},"
    "{\"id\":\"w3\",\"title\":{\"nl\":\"W3\",\"en\":\"W3\"},\"color\":\"#345678\",\"explainer\":{\"nl\":\"e\",\"en\":\"e\"}}],"
    "\"categories\":["
    "{\"id\":\"a\",\"title\":{\"nl\":\"A\",\"en\":\"A\"},\"color\":\"#123456\"},"
    "{\"id\":\"b\",\"title\":{\"nl\":\"B\",\"en\":\"B\"},\"color\":\"#234567\"},"
    "{\"id\":\"c\",\"title\":{\"nl\":\"C\",\"en\":\"C\"},\"color\":\"#345678\"}],"
    "\"cards\":["
#define TG_CARD(id, cat) \
    "{\"id\":\"" id "\",\"category\":\"" cat "\",\"title\":{\"nl\":\"t\",\"en\":\"t\"},\"prompt\":{\"nl\":\"p?\",\"en\":\"p?\"}}"
    TG_CARD("a1", "a") "," TG_CARD("a2", "a") "," TG_CARD("a3", "a") "," TG_CARD("a4", "a") ","
    TG_CARD("b1", "b") "," TG_CARD("b2", "b") "," TG_CARD("b3", "b") "," TG_CARD("b4", "b") ","
    TG_CARD("c1", "c") "," TG_CARD("c2", "c") "," TG_CARD("c3", "c") "," TG_CARD("c4", "c")
    "]}";
/* clang-format on */
#define TG_DECK_CARDS 12

typedef struct tg {
    room *r;
    deck *deck;
    deck *decks[1];
    game_env env;
    uint64_t now;
    uint64_t rng;
    game_result res;     /* the last input's result; its events are applied */
    msgpack_sbuffer log; /* every applied event, packed whole, back to back */
    uint32_t n_log;
    char kinds[512];
} tg;

static inline void tg_init(tg *t)
{
    memset(t, 0, sizeof *t);
    char err[256];
    int rc = deck_parse_json(tg_deck_json, sizeof tg_deck_json - 1, "test-deck.json", &t->deck, err, sizeof err);
    if (rc)
        fail_msg("deck: %s", err);
    t->decks[0] = t->deck;
    t->env.decks = t->decks;
    t->env.n_decks = 1;
    t->r = room_new();
    assert_non_null(t->r);
    t->now = 1700000000000ull;
    t->rng = 42;
    msgpack_sbuffer_init(&t->log);
}

static inline void tg_free(tg *t)
{
    game_result_free(&t->res);
    room_free(t->r);
    deck_unref(t->deck);
    msgpack_sbuffer_destroy(&t->log);
}

static inline void tg_dump(const room *r, msgpack_sbuffer *sb)
{
    msgpack_packer pk;
    msgpack_sbuffer_init(sb);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    room_dump(r, &pk);
}

/* Runs one input through decide and, on success, applies its events and
 * appends them to the log. Asserts that an error leaves the state alone
 * and carries no events. */
static inline vp_code tg_input(tg *t, game_input_kind kind, uint32_t sender, const vp_intent *it, uint32_t player)
{
    game_result_free(&t->res);
    game_input in = {.kind = kind, .sender = sender, .intent = it, .player = player};
    t->now += 1000;
    in.now_ms = t->now;
    for (int i = 0; i < GAME_ENTROPY; i += 8) {
        uint64_t v = shuffle_next(&t->rng);
        memcpy(in.entropy + i, &v, 8);
    }
    msgpack_sbuffer before, after;
    tg_dump(t->r, &before);
    vp_code rc = game_decide(t->r, &t->env, &in, &t->res);
    tg_dump(t->r, &after);
    assert_true(before.size == after.size && memcmp(before.data, after.data, before.size) == 0);
    msgpack_sbuffer_destroy(&before);
    msgpack_sbuffer_destroy(&after);
    assert_int_equal(rc, t->res.code);
    if (rc != VP_OK) {
        assert_int_equal(t->res.n_events, 0);
        assert_non_null(t->res.msg);
        return rc;
    }
    msgpack_packer pk;
    msgpack_packer_init(&pk, &t->log, msgpack_sbuffer_write);
    for (uint32_t i = 0; i < t->res.n_events; i++) {
        const game_event *e = &t->res.events[i];
        assert_int_equal(e->seq, room_seq(t->r) + 1);
        game_pack_event(e, &pk);
        t->n_log++;
        if (game_apply(t->r, e) != 0)
            fail_msg("apply refused event %s (seq %llu)", game_event_name(e->kind), (unsigned long long)e->seq);
    }
    return rc;
}

static inline vp_code tg_do(tg *t, uint32_t sender, const vp_intent *it)
{
    return tg_input(t, GAME_INPUT_INTENT, sender, it, 0);
}

static inline vp_opts tg_opts(void)
{
    vp_opts o;
    memset(&o, 0, sizeof o);
    o.mode = VP_MODE_HANDS;
    o.hand = 3;
    o.auto_reveal = true;
    return o;
}

/* The events of the last result as "a,b,c". */
static inline const char *tg_kinds(tg *t)
{
    t->kinds[0] = 0;
    for (uint32_t i = 0; i < t->res.n_events; i++) {
        if (i)
            strcat(t->kinds, ",");
        strcat(t->kinds, game_event_name(t->res.events[i].kind));
    }
    return t->kinds;
}

static inline const game_event *tg_ev(const tg *t, game_event_kind kind)
{
    for (uint32_t i = 0; i < t->res.n_events; i++)
        if (t->res.events[i].kind == kind)
            return &t->res.events[i];
    return NULL;
}

static inline uint32_t tg_create_with(tg *t, const char *name, const vp_opts *opts)
{
    vp_intent it = {.t = VP_T_CREATE,
                    .room = S("ABCDEF"),
                    .name = S(name),
                    .title = S("Test"),
                    .deck = S("test-deck"),
                    .lang = VP_LANG_NL};
    it.opts = opts ? *opts : tg_opts();
    it.has_opts = opts != NULL;
    assert_int_equal(tg_do(t, 0, &it), VP_OK);
    return t->res.you;
}

static inline uint32_t tg_create(tg *t)
{
    return tg_create_with(t, "Fac", NULL);
}

/* Joins; returns the new member id, or 0 when refused. */
static inline uint32_t tg_join(tg *t, const char *name, vp_role role)
{
    vp_intent it = {.t = VP_T_JOIN, .room = S("ABCDEF"), .name = S(name), .role = role};
    return tg_do(t, 0, &it) == VP_OK ? t->res.you : 0;
}

static inline uint32_t tg_seat(tg *t, uint32_t fac, const char *name)
{
    vp_intent it = {.t = VP_T_SEAT, .name = S(name)};
    return tg_do(t, fac, &it) == VP_OK ? t->res.events[0].u.joined.player : 0;
}

static inline vp_code tg_start_with(tg *t, uint32_t fac, const vp_opts *opts)
{
    vp_intent it = {.t = VP_T_START};
    if (opts) {
        it.has_opts = true;
        it.opts = *opts;
    } else {
        it.opts = tg_opts();
    }
    return tg_do(t, fac, &it);
}

static inline vp_code tg_start(tg *t, uint32_t fac)
{
    return tg_start_with(t, fac, NULL);
}

static inline vp_code tg_simple(tg *t, uint32_t who, vp_type type)
{
    vp_intent it = {.t = type};
    return tg_do(t, who, &it);
}

static inline vp_code tg_play(tg *t, uint32_t who, const char *card)
{
    vp_intent it = {.t = VP_T_PLAY, .card = S(card)};
    return tg_do(t, who, &it);
}

/* Plays the first card of who's hand. */
static inline vp_code tg_play_first(tg *t, uint32_t who)
{
    const member *m = room_member(t->r, who);
    const char *id = m && m->n_hand ? room_card_id(t->r, m->hand[0]) : "nope";
    char copy[GAME_ID_SIZE];
    snprintf(copy, sizeof copy, "%s", id);
    return tg_play(t, who, copy);
}

/* value < 0: pass. */
static inline vp_code tg_vote(tg *t, uint32_t who, int value)
{
    vp_intent it = {.t = VP_T_VOTE, .pass = value < 0, .value = value < 0 ? 0 : (uint64_t)value};
    return tg_do(t, who, &it);
}

static inline vp_code tg_vote_for(tg *t, uint32_t who, uint32_t seated, int value)
{
    vp_intent it = {.t = VP_T_VOTE,
                    .pass = value < 0,
                    .value = value < 0 ? 0 : (uint64_t)value,
                    .has_for = true,
                    .for_player = seated};
    return tg_do(t, who, &it);
}

static inline vp_code tg_note(tg *t, uint32_t who, const char *text)
{
    vp_intent it = {.t = VP_T_NOTE, .text = S(text)};
    return tg_do(t, who, &it);
}

static inline vp_code tg_hide(tg *t, uint32_t who, uint32_t note_id)
{
    vp_intent it = {.t = VP_T_HIDE, .note = note_id};
    return tg_do(t, who, &it);
}

static inline vp_code tg_target(tg *t, uint32_t who, vp_type type, uint32_t player)
{
    vp_intent it = {.t = type, .player = player};
    return tg_do(t, who, &it);
}

/* Sets who's window ("" = none); for != 0: the facilitator for that member. */
static inline vp_code tg_window(tg *t, uint32_t who, const char *window, uint32_t for_player, bool chair)
{
    vp_intent it = {
        .t = VP_T_WINDOW, .window = S(window), .has_for = for_player != 0, .for_player = for_player, .chair = chair};
    return tg_do(t, who, &it);
}

static inline vp_code tg_close(tg *t, uint32_t who, const char *text)
{
    vp_intent it = {.t = VP_T_CLOSE, .text = S(text)};
    return tg_do(t, who, &it);
}

static inline vp_code tg_offline(tg *t, uint32_t player)
{
    return tg_input(t, GAME_INPUT_OFFLINE, 0, NULL, player);
}

static inline vp_code tg_online(tg *t, uint32_t player)
{
    return tg_input(t, GAME_INPUT_ONLINE, 0, NULL, player);
}

/* A hold on the auto-reveal may have ended: the server's timer asks again. */
static inline vp_code tg_recheck(tg *t)
{
    return tg_input(t, GAME_INPUT_RECHECK, 0, NULL, 0);
}

/* ---- reading what a recipient gets ---- */

static inline const msgpack_object *mp_get(const msgpack_object *m, const char *key)
{
    if (!m || m->type != MSGPACK_OBJECT_MAP)
        return NULL;
    size_t kl = strlen(key);
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object *k = &m->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == kl && memcmp(k->via.str.ptr, key, kl) == 0)
            return &m->via.map.ptr[i].val;
    }
    return NULL;
}

static inline bool mp_str_is(const msgpack_object *o, const char *s)
{
    return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(s) &&
           memcmp(o->via.str.ptr, s, o->via.str.size) == 0;
}

/* A packed thing, unpacked: keep the sbuffer alive with the object. */
typedef struct tg_packed {
    msgpack_sbuffer sb;
    msgpack_unpacked up;
    const msgpack_object *o;
} tg_packed;

static inline void tg_packed_finish(tg_packed *p)
{
    msgpack_unpacked_init(&p->up);
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&p->up, p->sb.data, p->sb.size, &off), MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(off, p->sb.size);
    p->o = &p->up.data;
}

static inline void tg_packed_free(tg_packed *p)
{
    msgpack_unpacked_destroy(&p->up);
    msgpack_sbuffer_destroy(&p->sb);
}

/* Event i of the last result as recipient sees it. */
static inline void tg_filtered(tg *t, uint32_t i, uint32_t recipient, tg_packed *p)
{
    msgpack_packer pk;
    msgpack_sbuffer_init(&p->sb);
    msgpack_packer_init(&pk, &p->sb, msgpack_sbuffer_write);
    game_pack_event_for(t->r, &t->res.events[i], recipient, &pk);
    tg_packed_finish(p);
}

static inline void tg_view(tg *t, uint32_t recipient, tg_packed *p)
{
    msgpack_packer pk;
    msgpack_sbuffer_init(&p->sb);
    msgpack_packer_init(&pk, &p->sb, msgpack_sbuffer_write);
    game_pack_view(t->r, recipient, &pk);
    tg_packed_finish(p);
}

/* Rebuilds the room from the log (decoding every event) and compares it
 * with the live one. */
static inline bool tg_rebuild_equal(tg *t)
{
    room *copy = room_new();
    size_t off = 0;
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    bool ok = true;
    uint32_t n = 0;
    while (ok && off < t->log.size) {
        size_t start = off;
        if (msgpack_unpack_next(&up, t->log.data, t->log.size, &off) != MSGPACK_UNPACK_SUCCESS) {
            ok = false;
            break;
        }
        game_event e;
        char err[256];
        if (game_unpack_event(&up.data, &e, err, sizeof err)) {
            print_error("unpack: %s\n", err);
            ok = false;
            break;
        }
        /* Decoding loses nothing: packing again gives the same bytes. */
        msgpack_sbuffer again;
        msgpack_packer pk;
        msgpack_sbuffer_init(&again);
        msgpack_packer_init(&pk, &again, msgpack_sbuffer_write);
        game_pack_event(&e, &pk);
        if (again.size != off - start || memcmp(again.data, t->log.data + start, again.size) != 0) {
            print_error("%s event packs differently after a round trip\n", game_event_name(e.kind));
            ok = false;
        }
        msgpack_sbuffer_destroy(&again);
        if (game_apply(copy, &e)) {
            print_error("apply of %s refused\n", game_event_name(e.kind));
            ok = false;
        }
        game_event_clear(&e);
        n++;
    }
    msgpack_unpacked_destroy(&up);
    ok = ok && n == t->n_log && room_equal(copy, t->r);
    room_free(copy);
    return ok;
}

#endif
