/* test_export_util.h - the round, deck and strict CSV reader the test_export_*.c files share. */
#ifndef VERRIJK_TEST_EXPORT_UTIL_H
#define VERRIJK_TEST_EXPORT_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "game/deck.h"
#include "game/event.h"
#include "game/export.h"
#include "game/room.h"

#define S(x) ((vp_str){(x), (uint32_t)strlen(x)})

/* 2026-11-28T23:30:00Z: half an hour before midnight UTC. */
#define CLOSE_NEAR_MIDNIGHT 1795908600000ull
/* 2026-11-28T12:05:00Z. */
#define CLOSE_AT_NOON 1795867500000ull

/* Scale 1..5, two categories, eight cards whose titles carry a comma and
 * double quotes (CSV must quote them; Markdown leaves them as they are). */
#define CARD(n, cat, en, nl)                                                                            \
    "{\"id\":\"c" #n "\",\"category\":\"" cat "\",\"title\":{\"en\":\"Card " en ", \\\"x\\\"\",\"nl\":" \
    "\"Kaart " nl ", \\\"x\\\"\"},\"prompt\":{\"en\":\"Why?\",\"nl\":\"Waarom?\"}}"
static const char DECK_JSON[] =
    "{\"id\":\"export-test\",\"version\":3,"
    "\"title\":{\"nl\":\"Exportset\",\"en\":\"Export set\"},"
    "\"scale\":{\"min\":1,\"max\":5,\"labels\":{\"nl\":[\"nauwelijks\",\"weinig\",\"enigszins\",\"veel\","
    "\"heel veel\"],\"en\":[\"hardly\",\"little\",\"somewhat\",\"much\",\"very much\"]}},"
    "\"categories\":["
    "{\"id\":\"win\",\"title\":{\"nl\":\"Vensters\",\"en\":\"Windows\"},\"color\":\"#123456\"},"
    "{\"id\":\"pal\",\"title\":{\"nl\":\"Palet\",\"en\":\"Palette\"},\"color\":\"#654321\"}],"
    "\"cards\":[" CARD(1, "win", "one", "een") "," CARD(2, "win", "two", "twee") "," CARD(
        3, "win", "three",
        "drie") "," CARD(4, "win", "four",
                         "vier") "," CARD(5, "pal", "five",
                                          "vijf") "," CARD(6, "pal", "six",
                                                           "zes") "," CARD(7, "pal", "seven",
                                                                           "zeven") "," CARD(8, "pal", "eight",
                                                                                             "acht") "]}";

/* The members of the session, in join order (ids 1..5). */
#define FAC         1
#define P_HYPERLINK 2
#define P_PLUS      3
#define P_AT        4
#define P_MARKUP    5
static const char *NAMES[] = {NULL, "Fac", "=HYPERLINK(\"x\")", "+1", "@a", "*bold* [x](y) <b>"};
#define N_PLAYERS 4

#define NOTE_QUOTED       "Line one, \"quoted\"\nline two *bold* [x](y) <b>"
#define NOTE_BLOCKS       "# not a heading\n1. not a list\n\n> not a quote\n- not an item\n    not code\n\t===\n"
#define NOTE_HIDDEN       "SECRET HIDDEN BEFORE CLOSE"
#define NOTE_HIDDEN_LATER "SECRET HIDDEN AFTER CLOSE"
#define CLOSE_TEXT        "We agree on *most* things.\n\nNext time: [more](http://x) <b>time</b>."
#define ACTION_ONE        "=SUM(A1) call \"them\", today"
#define ACTION_TWO        "Plan *two* # of `sessions`"

/* A room driven through game_decide and game_apply, as the server does,
 * with what the tests need to know of its events. */
typedef struct session {
    room *r;
    deck *deck;
    deck *decks[1];
    game_env env;
    uint64_t now;
    uint64_t entropy_counter;
    uint32_t turn;                  /* from the last `turn` event */
    game_hand hands[N_PLAYERS + 2]; /* from the `dealt` event */
    uint32_t n_hands;
    uint32_t last_note;           /* id of the last `noted` event */
    char played[4][GAME_ID_SIZE]; /* card ids in play order */
    uint32_t n_played;
    uint32_t note_hidden_later;
} session;

static inline vp_code session_do(session *t, uint32_t sender, const vp_intent *it)
{
    game_input in = {.kind = GAME_INPUT_INTENT, .sender = sender, .intent = it, .now_ms = t->now};
    t->now += 1000;
    for (size_t i = 0; i < GAME_ENTROPY; i++)
        in.entropy[i] = (uint8_t)(++t->entropy_counter * 37u);
    game_result res;
    memset(&res, 0, sizeof res);
    vp_code rc = game_decide(t->r, &t->env, &in, &res);
    for (uint32_t i = 0; rc == VP_OK && i < res.n_events; i++) {
        const game_event *e = &res.events[i];
        assert_int_equal(game_apply(t->r, e), 0);
        if (e->kind == GAME_EV_TURN)
            t->turn = e->u.turn.player;
        if (e->kind == GAME_EV_NOTED)
            t->last_note = e->u.noted.note;
        if (e->kind == GAME_EV_DEALT) {
            assert_true(e->u.dealt.n_hands <= N_PLAYERS + 2);
            t->n_hands = e->u.dealt.n_hands;
            memcpy(t->hands, e->u.dealt.hands, t->n_hands * sizeof *t->hands);
        }
    }
    game_result_free(&res);
    return rc;
}

static inline void must(session *t, uint32_t sender, const vp_intent *it)
{
    vp_code rc = session_do(t, sender, it);
    if (rc != VP_OK)
        fail_msg("%s by %u refused: %s", vp_type_name(it->t), sender, vp_code_name(rc));
}

static inline vp_opts default_opts(void)
{
    vp_opts o;
    memset(&o, 0, sizeof o);
    o.set = VP_OPT_MODE | VP_OPT_HAND | VP_OPT_AUTO_REVEAL;
    o.mode = VP_MODE_HANDS;
    o.hand = 2;
    o.auto_reveal = true;
    return o;
}

static inline void session_open_with(session *t, vp_lang lang, int32_t tz_offset, const char *title, vp_mode mode)
{
    memset(t, 0, sizeof *t);
    char err[256];
    if (deck_parse_json(DECK_JSON, sizeof DECK_JSON - 1, "export-test.json", &t->deck, err, sizeof err))
        fail_msg("deck: %s", err);
    t->decks[0] = t->deck;
    t->env.decks = t->decks;
    t->env.n_decks = 1;
    assert_non_null(t->r = room_new());
    t->now = CLOSE_AT_NOON - 3600 * 1000;

    vp_intent create = {.t = VP_T_CREATE,
                        .room = S("EXPRT2"),
                        .name = S(NAMES[FAC]),
                        .title = S(title),
                        .deck = S("export-test"),
                        .lang = lang,
                        .tz_offset = tz_offset,
                        .has_opts = true,
                        .opts = default_opts()};
    must(t, 0, &create);
    for (uint32_t id = P_HYPERLINK; id <= P_MARKUP; id++) {
        vp_intent join = {.t = VP_T_JOIN, .room = S("EXPRT2"), .name = S(NAMES[id]), .role = VP_ROLE_PLAYER};
        must(t, 0, &join);
    }
    vp_intent start = {.t = VP_T_START, .has_opts = true, .opts = default_opts()};
    start.opts.mode = mode;
    must(t, FAC, &start);
}

static inline void session_open(session *t, vp_lang lang, int32_t tz_offset, const char *title)
{
    session_open_with(t, lang, tz_offset, title, VP_MODE_HANDS);
}

static inline void session_free(session *t)
{
    room_free(t->r);
    deck_unref(t->deck);
}

/* The player whose turn it is plays the first card of their hand that is
 * not played yet. */
static inline void play_turn(session *t)
{
    for (uint32_t h = 0; h < t->n_hands; h++) {
        if (t->hands[h].player != t->turn)
            continue;
        for (uint32_t k = 0; k < t->hands[h].n_cards; k++) {
            const char *id = t->hands[h].cards[k].s;
            bool used = false;
            for (uint32_t p = 0; p < t->n_played; p++)
                used |= strcmp(t->played[p], id) == 0;
            if (used)
                continue;
            vp_intent play = {.t = VP_T_PLAY, .card = S(id)};
            must(t, t->turn, &play);
            snprintf(t->played[t->n_played++], GAME_ID_SIZE, "%s", id);
            return;
        }
    }
    fail_msg("player %u has no card to play", t->turn);
}

/* votes[i] is the vote of member P_HYPERLINK + i; 0 passes. */
static inline void vote_all(session *t, const int votes[N_PLAYERS])
{
    for (uint32_t i = 0; i < N_PLAYERS; i++) {
        vp_intent v = {.t = VP_T_VOTE, .pass = votes[i] == 0, .value = (uint64_t)(votes[i] > 0 ? votes[i] : 0)};
        must(t, P_HYPERLINK + i, &v);
    }
}

static inline void note(session *t, uint32_t who, const char *text)
{
    vp_intent n = {.t = VP_T_NOTE, .text = S(text)};
    must(t, who, &n);
}

static inline void simple(session *t, uint32_t who, vp_type type)
{
    vp_intent it = {.t = type};
    must(t, who, &it);
}

static inline void hide(session *t, uint32_t note_id)
{
    vp_intent it = {.t = VP_T_HIDE, .note = note_id};
    must(t, FAC, &it);
}

/* Four cards whose means (1.5, 4.5, 3.0, 3.75) rank them 2, 4, 3, 1 by
 * play order; notes with quotes, newlines and markup; one note hidden
 * before the close and one after it; a closing text and two actions. */
static inline void session_play(session *t, uint64_t close_at)
{
    static const int votes[4][N_PLAYERS] = {{1, 2, 1, 2}, {5, 4, 5, 4}, {3, 3, 3, 0}, {4, 4, 4, 3}};
    for (int card = 0; card < 4; card++) {
        play_turn(t);
        vote_all(t, votes[card]);
        if (card == 0) {
            note(t, P_MARKUP, NOTE_QUOTED);
            note(t, P_HYPERLINK, NOTE_HIDDEN);
            hide(t, t->last_note);
        }
        if (card == 1)
            note(t, P_PLUS, NOTE_BLOCKS);
        if (card == 3) {
            note(t, P_AT, NOTE_HIDDEN_LATER);
            t->note_hidden_later = t->last_note;
        }
        simple(t, FAC, VP_T_NEXT);
    }
    t->now = close_at;
    vp_intent close = {.t = VP_T_CLOSE, .text = S(CLOSE_TEXT), .n_actions = 2};
    close.actions[0] = S(ACTION_ONE);
    close.actions[1] = S(ACTION_TWO);
    must(t, FAC, &close);
    assert_int_equal(room_phase(t->r), GAME_CLOSED);
}

/* The card ids in the order the summary must rank them. */
static inline void expected_ranking(const session *t, const char *ids[4])
{
    ids[0] = t->played[1]; /* 4.5 */
    ids[1] = t->played[3]; /* 3.75 */
    ids[2] = t->played[2]; /* 3.0 */
    ids[3] = t->played[0]; /* 1.5 */
}

static inline const char *card_title_in(const session *t, const char *id, const char *lang)
{
    int32_t i = deck_card_index(t->deck, id, strlen(id));
    assert_true(i >= 0);
    return deck_text_in(&t->deck->cards[i].title, lang);
}

/* The three exports of the last closed round, as they stand now. */
typedef struct exports {
    char *json, *md, *csv;
    size_t json_len, md_len, csv_len;
} exports;

static inline void exports_make(const session *t, exports *x)
{
    game_summary *s = room_summary(t->r, 0);
    assert_non_null(s);
    assert_int_equal(export_summary_json(t->r, s, &x->json, &x->json_len), 0);
    assert_int_equal(export_summary_md(t->r, s, &x->md, &x->md_len), 0);
    assert_int_equal(export_summary_csv(t->r, s, &x->csv, &x->csv_len), 0);
    game_summary_free(s);
    assert_int_equal(strlen(x->json), x->json_len);
    assert_int_equal(strlen(x->md), x->md_len);
    assert_int_equal(strlen(x->csv), x->csv_len);
}

static inline void exports_free(exports *x)
{
    free(x->json);
    free(x->md);
    free(x->csv);
}

/* One played session, closed: the fixture most tests start from. */
typedef struct played {
    session t;
    exports x;
} played;

static inline played *played_new(vp_lang lang, int32_t tz_offset, uint64_t close_at)
{
    played *p = calloc(1, sizeof *p);
    assert_non_null(p);
    session_open(&p->t, lang, tz_offset, "Workshop *Vensters* #1");
    session_play(&p->t, close_at);
    exports_make(&p->t, &p->x);
    return p;
}

static inline void played_free(played *p)
{
    exports_free(&p->x);
    session_free(&p->t);
    free(p);
}

/* ---- a strict RFC 4180 reader, so the tests check the CSV's form ---- */

#define CSV_MAX_ROWS  16
#define CSV_MAX_CELLS 32

typedef struct csv_table {
    uint32_t n_rows;
    uint32_t n_cells[CSV_MAX_ROWS];
    char *cells[CSV_MAX_ROWS][CSV_MAX_CELLS];
} csv_table;

/* Parses after the byte order mark; fails the test on any departure from
 * RFC 4180: a quote inside an unquoted field, text after a closing quote, a
 * record not ended by CRLF, or rows of different widths. */
static inline void csv_parse_sep(const char *csv, size_t len, char sep, csv_table *out)
{
    memset(out, 0, sizeof *out);
    assert_true(len >= 3 && memcmp(csv, "\xef\xbb\xbf", 3) == 0);
    size_t i = 3;
    while (i < len) {
        assert_true(out->n_rows < CSV_MAX_ROWS);
        uint32_t row = out->n_rows++;
        for (;;) {
            assert_true(out->n_cells[row] < CSV_MAX_CELLS);
            char *cell = calloc(len + 1, 1);
            assert_non_null(cell);
            size_t n = 0;
            if (i < len && csv[i] == '"') {
                i++;
                for (;;) {
                    assert_true(i < len);
                    if (csv[i] == '"') {
                        if (i + 1 < len && csv[i + 1] == '"') {
                            cell[n++] = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    cell[n++] = csv[i++];
                }
            } else {
                while (i < len && csv[i] != sep && csv[i] != '\r') {
                    assert_true(csv[i] != '"' && csv[i] != '\n');
                    cell[n++] = csv[i++];
                }
            }
            out->cells[row][out->n_cells[row]++] = cell;
            assert_true(i < len);
            if (csv[i] == sep) {
                i++;
                continue;
            }
            assert_true(csv[i] == '\r' && i + 1 < len && csv[i + 1] == '\n');
            i += 2;
            break;
        }
        assert_int_equal(out->n_cells[row], out->n_cells[0]);
    }
}

static inline void csv_parse(const char *csv, size_t len, csv_table *out)
{
    csv_parse_sep(csv, len, ',', out);
}

static inline void csv_free(csv_table *t)
{
    for (uint32_t r = 0; r < t->n_rows; r++)
        for (uint32_t c = 0; c < t->n_cells[r]; c++)
            free(t->cells[r][c]);
}

static inline int csv_column(const csv_table *t, const char *name)
{
    for (uint32_t c = 0; c < t->n_cells[0]; c++)
        if (strcmp(t->cells[0][c], name) == 0)
            return (int)c;
    fail_msg("no column %s", name);
    return -1;
}

/* The row whose `card` cell is id. */
static inline uint32_t csv_row_of(const csv_table *t, const char *id)
{
    int col = csv_column(t, "card");
    for (uint32_t r = 1; r < t->n_rows; r++)
        if (strcmp(t->cells[r][col], id) == 0)
            return r;
    fail_msg("no row for card %s", id);
    return 0;
}

#endif
