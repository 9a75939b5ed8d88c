/* test_export: the summary downloads (JSON, Markdown, CSV) of a round played through the real game core. */
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

static vp_code session_do(session *t, uint32_t sender, const vp_intent *it)
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

static void must(session *t, uint32_t sender, const vp_intent *it)
{
    vp_code rc = session_do(t, sender, it);
    if (rc != VP_OK)
        fail_msg("%s by %u refused: %s", vp_type_name(it->t), sender, vp_code_name(rc));
}

static vp_opts default_opts(void)
{
    vp_opts o;
    memset(&o, 0, sizeof o);
    o.set = VP_OPT_MODE | VP_OPT_HAND | VP_OPT_AUTO_REVEAL;
    o.mode = VP_MODE_HANDS;
    o.hand = 2;
    o.auto_reveal = true;
    return o;
}

static void session_open_with(session *t, vp_lang lang, int32_t tz_offset, const char *title, vp_mode mode)
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

static void session_open(session *t, vp_lang lang, int32_t tz_offset, const char *title)
{
    session_open_with(t, lang, tz_offset, title, VP_MODE_HANDS);
}

static void session_free(session *t)
{
    room_free(t->r);
    deck_unref(t->deck);
}

/* The player whose turn it is plays the first card of their hand that is
 * not played yet. */
static void play_turn(session *t)
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
static void vote_all(session *t, const int votes[N_PLAYERS])
{
    for (uint32_t i = 0; i < N_PLAYERS; i++) {
        vp_intent v = {.t = VP_T_VOTE, .pass = votes[i] == 0, .value = (uint64_t)(votes[i] > 0 ? votes[i] : 0)};
        must(t, P_HYPERLINK + i, &v);
    }
}

static void note(session *t, uint32_t who, const char *text)
{
    vp_intent n = {.t = VP_T_NOTE, .text = S(text)};
    must(t, who, &n);
}

static void simple(session *t, uint32_t who, vp_type type)
{
    vp_intent it = {.t = type};
    must(t, who, &it);
}

static void hide(session *t, uint32_t note_id)
{
    vp_intent it = {.t = VP_T_HIDE, .note = note_id};
    must(t, FAC, &it);
}

/* Four cards whose means (1.5, 4.5, 3.0, 3.75) rank them 2, 4, 3, 1 by
 * play order; notes with quotes, newlines and markup; one note hidden
 * before the close and one after it; a closing text and two actions. */
static void session_play(session *t, uint64_t close_at)
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
static void expected_ranking(const session *t, const char *ids[4])
{
    ids[0] = t->played[1]; /* 4.5 */
    ids[1] = t->played[3]; /* 3.75 */
    ids[2] = t->played[2]; /* 3.0 */
    ids[3] = t->played[0]; /* 1.5 */
}

static const char *card_title_in(const session *t, const char *id, const char *lang)
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

static void exports_make(const session *t, exports *x)
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

static void exports_free(exports *x)
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

static played *played_new(vp_lang lang, int32_t tz_offset, uint64_t close_at)
{
    played *p = calloc(1, sizeof *p);
    assert_non_null(p);
    session_open(&p->t, lang, tz_offset, "Workshop *Vensters* #1");
    session_play(&p->t, close_at);
    exports_make(&p->t, &p->x);
    return p;
}

static void played_free(played *p)
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
static void csv_parse_sep(const char *csv, size_t len, char sep, csv_table *out)
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

static void csv_parse(const char *csv, size_t len, csv_table *out)
{
    csv_parse_sep(csv, len, ',', out);
}

static void csv_free(csv_table *t)
{
    for (uint32_t r = 0; r < t->n_rows; r++)
        for (uint32_t c = 0; c < t->n_cells[r]; c++)
            free(t->cells[r][c]);
}

static int csv_column(const csv_table *t, const char *name)
{
    for (uint32_t c = 0; c < t->n_cells[0]; c++)
        if (strcmp(t->cells[0][c], name) == 0)
            return (int)c;
    fail_msg("no column %s", name);
    return -1;
}

/* The row whose `card` cell is id. */
static uint32_t csv_row_of(const csv_table *t, const char *id)
{
    int col = csv_column(t, "card");
    for (uint32_t r = 1; r < t->n_rows; r++)
        if (strcmp(t->cells[r][col], id) == 0)
            return r;
    fail_msg("no row for card %s", id);
    return 0;
}

/* ---- JSON ---- */

static void test_json_keeps_summary_fields_and_ranking(void **state)
{
    (void)state;
    played *p = played_new(VP_LANG_EN, 120, CLOSE_AT_NOON);
    json_error_t err;
    json_t *root = json_loadb(p->x.json, p->x.json_len, 0, &err);
    if (!root)
        fail_msg("json: %s", err.text);
    static const char *const wire[] = {"round",   "cards",      "categories", "text",      "actions",
                                       "players", "started_at", "closed_at",  "replay_key"};
    for (size_t i = 0; i < sizeof wire / sizeof *wire; i++)
        assert_non_null(json_object_get(root, wire[i]));
    assert_int_equal(json_integer_value(json_object_get(root, "round")), 1);
    assert_int_equal(json_integer_value(json_object_get(root, "closed_at")), CLOSE_AT_NOON);
    assert_int_equal(json_string_length(json_object_get(root, "replay_key")), GAME_KEY_HEX);
    assert_string_equal(json_string_value(json_object_get(root, "text")), CLOSE_TEXT);
    json_t *actions = json_object_get(root, "actions");
    assert_int_equal(json_array_size(actions), 2);
    assert_string_equal(json_string_value(json_array_get(actions, 0)), ACTION_ONE);

    const char *ids[4];
    expected_ranking(&p->t, ids);
    static const double means[4] = {4.5, 3.75, 3.0, 1.5};
    json_t *cards = json_object_get(root, "cards");
    assert_int_equal(json_array_size(cards), 4);
    for (size_t i = 0; i < 4; i++) {
        json_t *c = json_array_get(cards, i);
        static const char *const card_keys[] = {"card", "by", "stats", "agreement", "notes"};
        for (size_t k = 0; k < 5; k++)
            assert_non_null(json_object_get(c, card_keys[k]));
        assert_string_equal(json_string_value(json_object_get(c, "card")), ids[i]);
        assert_int_equal(json_integer_value(json_object_get(c, "rank")), i + 1);
        json_t *stats = json_object_get(c, "stats");
        static const char *const stat_keys[] = {"n", "pass", "mean", "median", "min", "max", "hist"};
        for (size_t k = 0; k < 7; k++)
            assert_non_null(json_object_get(stats, stat_keys[k]));
        assert_true(json_real_value(json_object_get(stats, "mean")) == means[i]);
        assert_int_equal(json_array_size(json_object_get(stats, "hist")), 5);
    }
    /* The card with a pass: n counts only the three votes. */
    json_t *third = json_object_get(json_array_get(cards, 2), "stats");
    assert_int_equal(json_integer_value(json_object_get(third, "n")), 3);
    assert_int_equal(json_integer_value(json_object_get(third, "pass")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cards, 0), "agreement")), "consensus");

    json_t *players = json_object_get(root, "players");
    assert_int_equal(json_array_size(players), N_PLAYERS);
    for (size_t i = 0; i < N_PLAYERS; i++)
        assert_int_equal(json_integer_value(json_array_get(players, i)), P_HYPERLINK + i);
    json_decref(root);
    played_free(p);
}

static void test_json_resolves_titles_and_names(void **state)
{
    (void)state;
    played *p = played_new(VP_LANG_NL, 60, CLOSE_AT_NOON);
    json_t *root = json_loadb(p->x.json, p->x.json_len, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "room")), "EXPRT2");
    assert_string_equal(json_string_value(json_object_get(root, "title")), "Workshop *Vensters* #1");
    assert_string_equal(json_string_value(json_object_get(root, "lang")), "nl");
    json_t *jdeck = json_object_get(root, "deck");
    assert_string_equal(json_string_value(json_object_get(jdeck, "id")), "export-test");
    assert_int_equal(json_integer_value(json_object_get(jdeck, "version")), 3);
    assert_string_equal(json_string_value(json_object_get(jdeck, "hash")), p->t.deck->hash);
    assert_string_equal(json_string_value(json_object_get(jdeck, "title")), "Exportset");

    const char *ids[4];
    expected_ranking(&p->t, ids);
    json_t *first = json_array_get(json_object_get(root, "cards"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "title")), card_title_in(&p->t, ids[0], "nl"));
    uint32_t by = (uint32_t)json_integer_value(json_object_get(first, "by"));
    assert_true(by >= P_HYPERLINK && by <= P_MARKUP);
    assert_string_equal(json_string_value(json_object_get(first, "by_name")), NAMES[by]);
    const char *cat = json_string_value(json_object_get(first, "category"));
    assert_non_null(cat);
    assert_string_equal(json_string_value(json_object_get(first, "category_title")),
                        strcmp(cat, "win") == 0 ? "Vensters" : "Palet");

    json_t *participants = json_object_get(root, "participants");
    assert_int_equal(json_array_size(participants), N_PLAYERS);
    for (size_t i = 0; i < N_PLAYERS; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(participants, i), "name")),
                            NAMES[P_HYPERLINK + i]);
    json_t *cats = json_object_get(root, "categories");
    assert_int_equal(json_array_size(cats), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cats, 0), "title")), "Vensters");
    json_decref(root);
    played_free(p);
}

/* ---- Markdown ---- */

static void test_md_lists_cards_in_ranking_order(void **state)
{
    (void)state;
    played *p = played_new(VP_LANG_EN, 0, CLOSE_AT_NOON);
    const char *ids[4];
    expected_ranking(&p->t, ids);
    const char *table = strstr(p->x.md, "## Cards in order of development potential\n");
    const char *cards = strstr(p->x.md, "## Cards\n");
    assert_non_null(table);
    assert_non_null(cards);
    const char *prev_row = table, *prev_heading = cards;
    for (int i = 0; i < 4; i++) {
        char row[160], heading[160];
        const char *title = card_title_in(&p->t, ids[i], "en");
        snprintf(row, sizeof row, "\n| %d | %s | ", i + 1, title);
        snprintf(heading, sizeof heading, "\n### %d. %s\n", i + 1, title);
        const char *at_row = strstr(p->x.md, row), *at_heading = strstr(p->x.md, heading);
        if (!at_row || !at_heading)
            fail_msg("missing \"%s\" or \"%s\"", row + 1, heading + 1);
        assert_true(at_row > prev_row && at_row < cards);
        assert_true(at_heading > prev_heading);
        prev_row = at_row;
        prev_heading = at_heading;
    }
    /* The top card: 4.5 mean and median, four votes, no pass, consensus. */
    char top[200];
    snprintf(top, sizeof top, "| 1 | %s | ", card_title_in(&p->t, ids[0], "en"));
    const char *line = strstr(p->x.md, top);
    assert_non_null(line);
    assert_non_null(strstr(line, " | 4.5 | 4.5 | 4 | 0 | consensus |\n"));
    played_free(p);
}

static void test_md_shows_distribution_bars(void **state)
{
    (void)state;
    played *p = played_new(VP_LANG_EN, 0, CLOSE_AT_NOON);
    /* The top card had 5, 4, 5, 4: two blocks at 4 and at 5, none below. */
    const char *top = strstr(p->x.md, "### 1. ");
    assert_non_null(top);
    const char *block = strstr(top, "```\n");
    assert_non_null(block);
    static const char want[] = "```\n"
                               "1 \xe2\x94\x82    0\n"
                               "2 \xe2\x94\x82    0\n"
                               "3 \xe2\x94\x82    0\n"
                               "4 \xe2\x94\x82 \xe2\x96\x88\xe2\x96\x88 2\n"
                               "5 \xe2\x94\x82 \xe2\x96\x88\xe2\x96\x88 2\n"
                               "```\n";
    assert_memory_equal(block, want, sizeof want - 1);
    played_free(p);
}

static void test_md_escapes_markdown_metacharacters(void **state)
{
    (void)state;
    played *p = played_new(VP_LANG_EN, 0, CLOSE_AT_NOON);
    const char *md = p->x.md;
    /* The name, in the participants and on the note: the stars, the
     * bracket and the angle bracket, nothing else. */
    assert_non_null(strstr(md, ", \\*bold\\* \\[x](y) \\<b>\n"));
    assert_non_null(strstr(md, "- **\\*bold\\* \\[x](y) \\<b>:** Line one, \"quoted\"\\\n"
                               "  line two \\*bold\\* \\[x](y) \\<b>\n"));
    /* The room title, the closing text and the actions. */
    assert_non_null(strstr(md, "# Workshop \\*Vensters\\* #1\n"));
    assert_non_null(strstr(md, "We agree on \\*most\\* things.\n\nNext time: \\[more](http://x) "
                               "\\<b>time\\</b>.\n"));
    assert_non_null(strstr(md, "\n1. =SUM(A1) call \"them\", today\n"));
    assert_non_null(strstr(md, "\n2. Plan \\*two\\* # of \\`sessions\\`\n"));
    /* Nothing a person typed comes out as markup. */
    assert_null(strstr(md, "*bold*"));
    for (const char *c = md; *c; c++)
        if ((*c == '[' || *c == '<' || *c == '`') && !(c > md && c[-1] == '\\') && strncmp(c, "```", 3) != 0 &&
            !(c >= md + 2 && strncmp(c - 2, "```", 3) == 0) && !(c >= md + 1 && strncmp(c - 1, "```", 3) == 0))
            fail_msg("an unescaped %c at \"%.20s\"", *c, c);
    played_free(p);
}

/* Ordinary sentences stay as they were typed: no backslash before a
 * parenthesis, a full stop, a hyphen, a plus, a hash in a sentence, an
 * underscore inside a word, a lone star or an ampersand that is no entity;
 * and what Markdown would misread is escaped. Each case is one note. */
static void test_md_escapes_only_what_markdown_misreads(void **state)
{
    (void)state;
    static const struct {
        const char *typed, *written;
        /* clang-format off */
    } cases[] = {
        {"Partners (aankomende) en de buurt.", "Partners (aankomende) en de buurt."},
        {"Zie punt 3.2 - en 4+5 = 9!", "Zie punt 3.2 - en 4+5 = 9!"},
        {"snake_case en 5 * 3 en R&D en #1", "snake_case en 5 * 3 en R&D en #1"},
        {"https://example.org/a-b_c.(d)", "https://example.org/a-b_c.(d)"},
        {"_nadruk_ en *sterk* en ~weg~", "\\_nadruk\\_ en \\*sterk\\* en \\~weg\\~"},
        {"`code` [link](x) <i> a|b &amp; &#38;", "\\`code\\` \\[link](x) \\<i> a\\|b \\&amp; \\&#38;"},
        {"C:\\pad\\map en \\*", "C:\\pad\\map en \\\\\\*"},
        {"# kop", "\\# kop"},
        {"> citaat", "\\> citaat"},
        {"- punt", "\\- punt"},
        {"+ punt", "\\+ punt"},
        {"12. punt", "12\\. punt"},
        {"3) punt", "3\\) punt"},
        {"---", "\\---"},
        {"===", "\\==="},
        {"eind ##", "eind \\##"},
        {"2026. Een jaar", "2026\\. Een jaar"},
        {"2026.Een", "2026.Een"},
    };
    /* clang-format on */
    session t;
    session_open(&t, VP_LANG_NL, 0, "Escapes");
    t.now = CLOSE_AT_NOON;
    vp_intent close = {.t = VP_T_CLOSE};
    must(&t, FAC, &close);
    game_summary *s = room_summary(t.r, 0);
    assert_non_null(s);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        free(s->text);
        assert_non_null(s->text = strdup(cases[i].typed));
        char *out = NULL;
        size_t len = 0;
        assert_int_equal(export_summary_md(t.r, s, &out, &len), 0);
        char want[200];
        snprintf(want, sizeof want, "\n\n%s\n", cases[i].written);
        if (!strstr(out, want))
            fail_msg("\"%s\" is not written \"%s\":\n%s", cases[i].typed, cases[i].written, out);
        free(out);
    }
    game_summary_free(s);
    session_free(&t);
}

/* A note's newlines are hard breaks inside its list item: no line of the
 * note can open a heading, a list, a quote or a new paragraph. */
static void test_md_note_lines_stay_in_their_list_item(void **state)
{
    (void)state;
    played *p = played_new(VP_LANG_EN, 0, CLOSE_AT_NOON);
    assert_non_null(strstr(p->x.md, "- **+1:** \\# not a heading\\\n"
                                    "  1\\. not a list\\\n"
                                    "  \\> not a quote\\\n"
                                    "  \\- not an item\\\n"
                                    "  not code\\\n"
                                    "  \\===\n"));
    /* Every line that starts a block is one the export wrote itself. */
    for (const char *line = p->x.md; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (line[0] == '#')
            assert_true(strncmp(line, "# ", 2) == 0 || strncmp(line, "## ", 3) == 0 || strncmp(line, "### ", 4) == 0);
        assert_false(line[0] == '>');
        if (line[0] == '-')
            assert_true(strncmp(line, "- **", 4) == 0);
    }
    played_free(p);
}

/* The order a reader wants: title, date, participants, the facilitator's
 * text and actions, the ranking, the cards, then the topics with cards. */
static void test_md_order_for_a_reader(void **state)
{
    (void)state;
    played *p = played_new(VP_LANG_EN, 0, CLOSE_AT_NOON);
    static const char *const order[] = {"# Workshop",
                                        "## Participants\n",
                                        "## From the facilitator\n",
                                        "## Actions\n",
                                        "## Cards in order of development potential\n",
                                        "## Cards\n",
                                        "## By topic\n"};
    const char *prev = p->x.md;
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        const char *at = strstr(p->x.md, order[i]);
        if (!at || at < prev)
            fail_msg("\"%s\" out of order", order[i]);
        prev = at;
    }
    played_free(p);
}

static void test_md_date_uses_room_tz_offset(void **state)
{
    (void)state;
    /* 23:30 UTC on 28 November is 01:30 on the 29th two hours east. */
    played *east = played_new(VP_LANG_EN, 120, CLOSE_NEAR_MIDNIGHT);
    assert_non_null(
        strstr(east->x.md, "\n\n29 November 2026, 01:30 \xc2\xb7 Round 1 \xc2\xb7 Card set: Export set (version 3)\n"));
    assert_non_null(strstr(east->x.json, "\"closed_at_local\": \"2026-11-29T01:30+02:00\""));
    played_free(east);
    /* ... and 22:30 on the 28th an hour west, in Dutch. */
    played *west = played_new(VP_LANG_NL, -60, CLOSE_NEAR_MIDNIGHT);
    assert_non_null(
        strstr(west->x.md, "\n\n28 november 2026, 22:30 \xc2\xb7 Ronde 1 \xc2\xb7 Kaartset: Exportset (versie 3)\n"));
    assert_non_null(strstr(west->x.json, "\"closed_at_local\": \"2026-11-28T22:30-01:00\""));
    played_free(west);
}

static void test_md_headings_follow_room_language(void **state)
{
    (void)state;
    played *nl = played_new(VP_LANG_NL, 0, CLOSE_AT_NOON);
    played *en = played_new(VP_LANG_EN, 0, CLOSE_AT_NOON);
    static const char *const nl_words[] = {"## Deelnemers\n",        "## Kaarten op volgorde van ontwikkelkansen\n",
                                           "## Kaarten\n",           "## Per onderwerp\n",
                                           "## Van de begeleider\n", "## Afspraken\n",
                                           "| Gemiddelde |",         "Notities:\n",
                                           "| 4,5 | 4,5 |",          "| Vensters |"};
    static const char *const en_words[] = {"## Participants\n",
                                           "## Cards in order of development potential\n",
                                           "## Cards\n",
                                           "## By topic\n",
                                           "## From the facilitator\n",
                                           "## Actions\n",
                                           "| Mean |",
                                           "Notes:\n",
                                           "| 4.5 | 4.5 |",
                                           "| Windows |"};
    for (size_t i = 0; i < sizeof nl_words / sizeof *nl_words; i++) {
        if (!strstr(nl->x.md, nl_words[i]) || strstr(en->x.md, nl_words[i]))
            fail_msg("Dutch \"%s\"", nl_words[i]);
        if (!strstr(en->x.md, en_words[i]) || strstr(nl->x.md, en_words[i]))
            fail_msg("English \"%s\"", en_words[i]);
    }
    const char *ids[4];
    expected_ranking(&nl->t, ids);
    assert_non_null(strstr(nl->x.md, card_title_in(&nl->t, ids[0], "nl")));
    assert_null(strstr(nl->x.md, card_title_in(&nl->t, ids[0], "en")));
    played_free(nl);
    played_free(en);
}

/* The agreement words of the Markdown are the web client's (strings.ts, agreement.*): one set everywhere. */
static void test_md_agreement_words_are_the_web_clients(void **state)
{
    (void)state;
    played *nl = played_new(VP_LANG_NL, 0, CLOSE_AT_NOON);
    played *en = played_new(VP_LANG_EN, 0, CLOSE_AT_NOON);
    assert_non_null(strstr(nl->x.md, "| eensgezind |"));
    assert_null(strstr(nl->x.md, "consensus"));
    assert_null(strstr(nl->x.md, "gemengd"));
    assert_null(strstr(nl->x.md, "gepolariseerd"));
    assert_non_null(strstr(en->x.md, "| consensus |"));
    played_free(nl);
    played_free(en);
}

/* ---- CSV ---- */

static void test_csv_lists_cards_in_ranking_order(void **state)
{
    (void)state;
    played *p = played_new(VP_LANG_EN, 0, CLOSE_AT_NOON);
    csv_table t;
    csv_parse(p->x.csv, p->x.csv_len, &t);
    static const char *const header[] = {"rank", "card",   "title",     "category", "by",        "n", "pass",
                                         "mean", "median", "min",       "max",      "1",         "2", "3",
                                         "4",    "5",      "agreement", "notes",    "note_texts"};
    assert_int_equal(t.n_cells[0], sizeof header / sizeof *header);
    for (size_t c = 0; c < sizeof header / sizeof *header; c++)
        assert_string_equal(t.cells[0][c], header[c]);
    assert_int_equal(t.n_rows, 5);
    const char *ids[4];
    expected_ranking(&p->t, ids);
    static const char *const means[4] = {"4.50", "3.75", "3.00", "1.50"};
    for (uint32_t i = 0; i < 4; i++) {
        char rank[4];
        snprintf(rank, sizeof rank, "%u", i + 1);
        assert_string_equal(t.cells[i + 1][0], rank);
        assert_string_equal(t.cells[i + 1][1], ids[i]);
        assert_string_equal(t.cells[i + 1][2], card_title_in(&p->t, ids[i], "en"));
        assert_string_equal(t.cells[i + 1][csv_column(&t, "mean")], means[i]);
    }
    /* The 3.0 card: three votes of 3 and a pass. */
    const char *const *third = (const char *const *)t.cells[3];
    assert_string_equal(third[csv_column(&t, "n")], "3");
    assert_string_equal(third[csv_column(&t, "pass")], "1");
    assert_string_equal(third[csv_column(&t, "median")], "3.00"); /* as the mean: one number format */
    assert_string_equal(third[csv_column(&t, "3")], "3");
    assert_string_equal(third[csv_column(&t, "1")], "0");
    assert_string_equal(third[csv_column(&t, "agreement")], "consensus");
    csv_free(&t);
    played_free(p);
}

static void test_csv_escapes_formula_cells(void **state)
{
    (void)state;
    played *p = played_new(VP_LANG_EN, 0, CLOSE_AT_NOON);
    /* On the wire: the name quoted (it holds quotes), apostrophe first. */
    assert_non_null(strstr(p->x.csv, ",\"'=HYPERLINK(\"\"x\"\")\","));
    csv_table t;
    csv_parse(p->x.csv, p->x.csv_len, &t);
    int by = csv_column(&t, "by");
    /* Card i was played by the i-th player in the turn order (join order). */
    static const char *const want[N_PLAYERS] = {"'=HYPERLINK(\"x\")", "'+1", "'@a", "*bold* [x](y) <b>"};
    for (uint32_t i = 0; i < 4; i++)
        assert_string_equal(t.cells[csv_row_of(&t, p->t.played[i])][by], want[i]);
    /* No cell of the file starts with what a spreadsheet would run. */
    for (uint32_t r = 0; r < t.n_rows; r++)
        for (uint32_t c = 0; c < t.n_cells[r]; c++)
            if (t.cells[r][c][0] && strchr("=+-@\t\r", t.cells[r][c][0]))
                fail_msg("cell \"%s\" starts a formula", t.cells[r][c]);
    csv_free(&t);
    played_free(p);
}

/* A spreadsheet may drop an NBSP, a BOM or a zero-width space in front of
 * a formula: such a cell is defused too. */
static void test_csv_escapes_formulas_behind_invisible_characters(void **state)
{
    (void)state;
    const char *keep[sizeof NAMES / sizeof *NAMES];
    memcpy(keep, NAMES, sizeof keep);
    static const char *const names[N_PLAYERS] = {"\xc2\xa0=HYPERLINK(\"x\")", "\xef\xbb\xbf+1", "\xe2\x80\x8b@a",
                                                 "\xe2\x80\x8b \xc2\xa0\xef\xbb\xbf-1"};
    for (uint32_t i = 0; i < N_PLAYERS; i++)
        NAMES[P_HYPERLINK + i] = names[i];
    played *p = played_new(VP_LANG_EN, 0, CLOSE_AT_NOON);
    memcpy(NAMES, keep, sizeof keep);
    csv_table t;
    csv_parse(p->x.csv, p->x.csv_len, &t);
    int by = csv_column(&t, "by");
    for (uint32_t i = 0; i < 4; i++) {
        const char *cell = t.cells[csv_row_of(&t, p->t.played[i])][by];
        assert_int_equal(cell[0], '\'');
        assert_string_equal(cell + 1, names[i]);
    }
    csv_free(&t);
    played_free(p);
}

static void test_csv_quotes_comma_quote_and_newline(void **state)
{
    (void)state;
    played *p = played_new(VP_LANG_EN, 0, CLOSE_AT_NOON);
    csv_table t;
    csv_parse(p->x.csv, p->x.csv_len, &t);
    /* The first card played carries the note with a comma, quotes and a
     * newline; the reader gets it back byte for byte. */
    uint32_t row = csv_row_of(&t, p->t.played[0]);
    assert_string_equal(t.cells[row][csv_column(&t, "note_texts")], "*bold* [x](y) <b>: " NOTE_QUOTED);
    assert_string_equal(t.cells[row][csv_column(&t, "notes")], "1");
    /* Deck titles with a comma and quotes are quoted too. */
    assert_string_equal(t.cells[row][csv_column(&t, "title")], card_title_in(&p->t, p->t.played[0], "en"));
    /* On the wire, the note's cell is one quoted field with the newline in it. */
    assert_non_null(
        strstr(p->x.csv, ",\"*bold* [x](y) <b>: Line one, \"\"quoted\"\"\nline two *bold* [x](y) <b>\"\r\n"));
    csv_free(&t);
    played_free(p);
}

/* A Dutch room's CSV opens in Dutch Excel and LibreOffice in columns:
 * ';' between fields, decimal commas, Dutch headers and words (the
 * agreement as the screen says it); ?dialect=en gives the English file. */
static void test_csv_dutch_dialect(void **state)
{
    (void)state;
    played *p = played_new(VP_LANG_NL, 0, CLOSE_AT_NOON);
    csv_table t;
    csv_parse_sep(p->x.csv, p->x.csv_len, ';', &t);
    static const char *const header[] = {"rang",
                                         "kaart",
                                         "titel",
                                         "onderwerp",
                                         "gespeeld door",
                                         "stemmen",
                                         "gepast",
                                         "gemiddelde",
                                         "mediaan",
                                         "laagste",
                                         "hoogste",
                                         "1",
                                         "2",
                                         "3",
                                         "4",
                                         "5",
                                         "overeenstemming",
                                         "notities",
                                         "notitieteksten"};
    assert_int_equal(t.n_cells[0], sizeof header / sizeof *header);
    for (size_t c = 0; c < sizeof header / sizeof *header; c++)
        assert_string_equal(t.cells[0][c], header[c]);
    const char *ids[4];
    expected_ranking(&p->t, ids);
    static const char *const means[4] = {"4,50", "3,75", "3,00", "1,50"};
    for (uint32_t i = 0; i < 4; i++) {
        assert_string_equal(t.cells[i + 1][2], card_title_in(&p->t, ids[i], "nl"));
        assert_string_equal(t.cells[i + 1][csv_column(&t, "gemiddelde")], means[i]);
    }
    assert_string_equal(t.cells[1][csv_column(&t, "overeenstemming")], "eensgezind");
    /* One number format: the median has the mean's two decimals. */
    assert_string_equal(t.cells[3][csv_column(&t, "mediaan")], "3,00");
    assert_string_equal(t.cells[1][csv_column(&t, "mediaan")], "4,50");
    /* No English word in a Dutch file, and the figures are never quoted. */
    static const char *const english[] = {"polarised", "mixed", "consensus", "rank,", "4.50"};
    for (size_t i = 0; i < sizeof english / sizeof *english; i++)
        if (strstr(p->x.csv, english[i]))
            fail_msg("\"%s\" in a Dutch CSV", english[i]);
    assert_non_null(strstr(p->x.csv, ";4,50;"));
    /* Formula defusing and quoting hold with ';' too. */
    assert_non_null(strstr(p->x.csv, ";\"'=HYPERLINK(\"\"x\"\")\";"));
    csv_free(&t);

    /* The English dialect of the same room. */
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(export_round(p->t.r, 0, export_format_find("csv"), VP_LANG_EN, &out, &len, NULL), 0);
    csv_parse(out, len, &t);
    assert_string_equal(t.cells[0][0], "rank");
    assert_string_equal(t.cells[1][csv_column(&t, "mean")], "4.50");
    assert_string_equal(t.cells[1][csv_column(&t, "agreement")], "consensus");
    assert_string_equal(t.cells[1][2], card_title_in(&p->t, ids[0], "en"));
    csv_free(&t);
    free(out);
    played_free(p);
}

/* The download's name: the date the round closed on the room's clock, the
 * title without what an OS refuses, the round, the extension. */
static void test_export_file_name(void **state)
{
    (void)state;
    char name[EXPORT_NAME_MAX];
    char *out = NULL;
    size_t len = 0;
    /* 23:30 UTC on 28 November is the 29th two hours east. */
    played *p = played_new(VP_LANG_NL, 120, CLOSE_NEAR_MIDNIGHT);
    assert_int_equal(export_round(p->t.r, 0, export_format_find("csv"), EXPORT_LANG_ROOM, &out, &len, name), 0);
    free(out);
    /* "Workshop *Vensters* #1": the stars go, the rest stays. */
    assert_string_equal(name, "2026-11-29 Workshop Vensters #1 ronde 1.csv");
    assert_int_equal(export_round(p->t.r, 1, export_format_find("md"), VP_LANG_EN, &out, &len, name), 0);
    free(out);
    assert_string_equal(name, "2026-11-29 Workshop Vensters #1 round 1.md");
    played_free(p);

    static const struct {
        const char *title, *want;
    } cases[] = {
        {"Studiedag", "2026-11-28 Studiedag ronde 1.json"},
        {"", "2026-11-28 Verrijk-sessie ronde 1.json"},
        {"a/b\\c:d?e\"f<g>h|i\tj\x7fk", "2026-11-28 a b c d e f g h i j k ronde 1.json"},
        {"  ...Caf\xc3\xa9 \xc3\xa0 la carte...  ", "2026-11-28 Caf\xc3\xa9 \xc3\xa0 la carte ronde 1.json"},
        {"/:*?", "2026-11-28 Verrijk-sessie ronde 1.json"},
        /* "x" and 30 é (61 bytes) are cut to 59: the next é would pass 60. */
        {"x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
         "\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
         "\xa9"
         "\xc3\xa9\xc3\xa9",
         NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        session t;
        session_open(&t, VP_LANG_NL, 0, cases[i].title);
        t.now = CLOSE_AT_NOON;
        simple(&t, FAC, VP_T_CLOSE);
        assert_int_equal(export_round(t.r, 0, export_format_find("json"), EXPORT_LANG_ROOM, &out, &len, name), 0);
        free(out);
        if (cases[i].want) {
            assert_string_equal(name, cases[i].want);
        } else {
            size_t title = strlen(name) - strlen("2026-11-28 ") - strlen(" ronde 1.json");
            assert_int_equal(title, 59);
            assert_memory_equal(name + strlen("2026-11-28 ") + 57, "\xc3\xa9 ronde", 8);
        }
        session_free(&t);
    }
}

/* ---- all three ---- */

static void test_hidden_note_text_in_no_export(void **state)
{
    (void)state;
    played *p = played_new(VP_LANG_EN, 0, CLOSE_AT_NOON);
    /* Hidden before the close: gone from the start. The other one is
     * still there... */
    const char *outputs[] = {p->x.json, p->x.md, p->x.csv};
    for (int i = 0; i < 3; i++) {
        assert_null(strstr(outputs[i], NOTE_HIDDEN));
        assert_non_null(strstr(outputs[i], NOTE_HIDDEN_LATER));
    }
    /* ... until the facilitator hides it after the close: exports are made
     * from the state when asked, so it is gone from the next ones. */
    hide(&p->t, p->t.note_hidden_later);
    exports later;
    exports_make(&p->t, &later);
    const char *now[] = {later.json, later.md, later.csv};
    for (int i = 0; i < 3; i++) {
        assert_null(strstr(now[i], NOTE_HIDDEN));
        assert_null(strstr(now[i], NOTE_HIDDEN_LATER));
    }
    /* JSON keeps the hidden note's id, as the wire summary does, without
     * text or author; CSV counts only the notes it shows. */
    json_t *root = json_loadb(later.json, later.json_len, 0, NULL);
    assert_non_null(root);
    json_t *cards = json_object_get(root, "cards");
    size_t hidden = 0;
    for (size_t i = 0; i < json_array_size(cards); i++) {
        json_t *notes = json_object_get(json_array_get(cards, i), "notes");
        for (size_t k = 0; k < json_array_size(notes); k++) {
            json_t *n = json_array_get(notes, k);
            if (json_object_get(n, "text"))
                continue;
            hidden++;
            assert_null(json_object_get(n, "player"));
            assert_null(json_object_get(n, "name"));
            assert_int_equal(json_object_size(n), 1);
        }
    }
    assert_int_equal(hidden, 2);
    json_decref(root);
    csv_table t;
    csv_parse(later.csv, later.csv_len, &t);
    uint32_t row = csv_row_of(&t, p->t.played[3]);
    assert_string_equal(t.cells[row][csv_column(&t, "notes")], "0");
    assert_string_equal(t.cells[row][csv_column(&t, "note_texts")], "");
    csv_free(&t);
    exports_free(&later);
    played_free(p);
}

static void test_exports_of_a_round_without_cards(void **state)
{
    (void)state;
    session t;
    session_open(&t, VP_LANG_EN, 0, "");
    t.now = CLOSE_AT_NOON;
    vp_intent close = {.t = VP_T_CLOSE};
    must(&t, FAC, &close);
    exports x;
    exports_make(&t, &x);
    assert_non_null(strstr(x.md, "# Verrijk session\n"));
    assert_non_null(strstr(x.md, "## Participants\n\nNobody voted in this round.\n"));
    assert_non_null(strstr(x.md, "No cards were discussed in this round.\n"));
    assert_null(strstr(x.md, "## Actions"));
    assert_int_equal(x.md[x.md_len - 1], '\n');
    assert_true(x.md[x.md_len - 2] != '\n');
    csv_table ct;
    csv_parse(x.csv, x.csv_len, &ct);
    assert_int_equal(ct.n_rows, 1);
    csv_free(&ct);
    json_t *root = json_loadb(x.json, x.json_len, 0, NULL);
    assert_non_null(root);
    assert_int_equal(json_array_size(json_object_get(root, "cards")), 0);
    assert_string_equal(json_string_value(json_object_get(root, "title")), "");
    json_decref(root);
    exports_free(&x);
    session_free(&t);
}

/* A card drawn from the pile has no author, and one with only passes has
 * no figures; a member who left still has their name on their note. */
static void test_drawn_card_with_only_passes_and_a_departed_author(void **state)
{
    (void)state;
    session t;
    session_open_with(&t, VP_LANG_EN, 0, "Deck mode", VP_MODE_DECK);
    simple(&t, FAC, VP_T_DRAW);
    static const int passes[N_PLAYERS] = {0, 0, 0, 0};
    vote_all(&t, passes);
    note(&t, P_AT, "written before leaving");
    simple(&t, FAC, VP_T_NEXT);
    simple(&t, P_AT, VP_T_LEAVE);
    t.now = CLOSE_AT_NOON;
    simple(&t, FAC, VP_T_CLOSE);
    exports x;
    exports_make(&t, &x);

    assert_non_null(strstr(x.md,
                           "drawn from the pile  \nMean \xe2\x80\x94 \xc2\xb7 Median \xe2\x80\x94 \xc2\xb7 Votes 0 "
                           "\xc2\xb7 Passes 4 \xc2\xb7 too few votes\n"));
    /* The ranking table says what the card's section says, not a dash. */
    assert_non_null(strstr(x.md, " | \xe2\x80\x94 | \xe2\x80\x94 | 0 | 4 | too few votes |\n"));
    assert_non_null(strstr(x.md, "- **@a:** written before leaving\n"));
    assert_null(strstr(x.md, "```")); /* no distribution without votes */

    csv_table ct;
    csv_parse(x.csv, x.csv_len, &ct);
    assert_int_equal(ct.n_rows, 2);
    static const char *const empty[] = {"by", "mean", "median", "min", "max", "agreement"};
    for (size_t i = 0; i < sizeof empty / sizeof *empty; i++)
        assert_string_equal(ct.cells[1][csv_column(&ct, empty[i])], "");
    assert_string_equal(ct.cells[1][csv_column(&ct, "pass")], "4");
    assert_string_equal(ct.cells[1][csv_column(&ct, "note_texts")], "'@a: written before leaving");
    csv_free(&ct);

    json_t *root = json_loadb(x.json, x.json_len, 0, NULL);
    assert_non_null(root);
    json_t *card = json_array_get(json_object_get(root, "cards"), 0);
    assert_true(json_is_null(json_object_get(card, "by")));
    assert_true(json_is_null(json_object_get(card, "by_name")));
    assert_true(json_is_null(json_object_get(card, "agreement")));
    json_t *stats = json_object_get(card, "stats");
    static const char *const nil_stats[] = {"mean", "median", "min", "max"};
    for (size_t i = 0; i < 4; i++)
        assert_true(json_is_null(json_object_get(stats, nil_stats[i])));
    json_t *n = json_array_get(json_object_get(card, "notes"), 0);
    assert_string_equal(json_string_value(json_object_get(n, "name")), "@a");
    json_decref(root);
    exports_free(&x);
    session_free(&t);
}

/* An export that would pass EXPORT_MAX_BYTES fails whole, with nothing to
 * free, rather than coming out cut off. The game never makes such a
 * summary, so this one is built by hand around a real room. */
static void test_export_over_the_limit_fails_cleanly(void **state)
{
    (void)state;
    session t;
    session_open(&t, VP_LANG_EN, 0, "Limit");
    t.now = CLOSE_AT_NOON;
    simple(&t, FAC, VP_T_CLOSE);
    game_summary *s = room_summary(t.r, 0);
    assert_non_null(s);
    free(s->text);
    size_t big = EXPORT_MAX_BYTES / 2 + 1; /* every '`' doubles in Markdown */
    assert_non_null(s->text = malloc(big + 1));
    memset(s->text, '`', big);
    s->text[big] = '\0';
    char *out = (char *)&t; /* anything but NULL: the call must reset it */
    size_t len = 1;
    assert_int_equal(export_summary_md(t.r, s, &out, &len), -1);
    assert_null(out);
    assert_int_equal(len, 0);
    /* JSON writes the text once, unescaped, so it stays under the limit. */
    assert_int_equal(export_summary_json(t.r, s, &out, &len), 0);
    assert_true(len > big && len < EXPORT_MAX_BYTES);
    free(out);
    game_summary_free(s);
    session_free(&t);
}

/* The entry point of the HTTP handlers: a round that is not closed (or not
 * there) is 1, a closed one renders as its summary does. */
static void test_export_round_renders_only_closed_rounds(void **state)
{
    (void)state;
    played *p = played_new(VP_LANG_EN, 0, CLOSE_AT_NOON);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(export_round(p->t.r, 0, export_format_find("md"), EXPORT_LANG_ROOM, &out, &len, NULL), 0);
    assert_int_equal(len, p->x.md_len);
    assert_memory_equal(out, p->x.md, len);
    free(out);
    assert_int_equal(export_round(p->t.r, 1, export_format_find("csv"), EXPORT_LANG_ROOM, &out, &len, NULL), 0);
    assert_memory_equal(out, p->x.csv, p->x.csv_len);
    free(out);
    assert_int_equal(export_round(p->t.r, 2, export_format_find("json"), EXPORT_LANG_ROOM, &out, &len, NULL), 1);
    assert_null(out);
    assert_int_equal(len, 0);
    /* Round 2 being played is not exported; round 1 still is. */
    vp_intent start = {.t = VP_T_START};
    must(&p->t, FAC, &start);
    assert_int_equal(export_round(p->t.r, 2, export_format_find("json"), EXPORT_LANG_ROOM, &out, &len, NULL), 1);
    assert_int_equal(export_round(p->t.r, 0, export_format_find("json"), EXPORT_LANG_ROOM, &out, &len, NULL), 0);
    assert_memory_equal(out, p->x.json, p->x.json_len);
    free(out);
    played_free(p);

    /* A room whose only round is still being played has nothing to export. */
    session t;
    session_open(&t, VP_LANG_NL, 0, "x");
    assert_int_equal(export_round(t.r, 0, export_format_find("md"), EXPORT_LANG_ROOM, &out, &len, NULL), 1);
    session_free(&t);
    assert_string_equal(export_format_find("csv")->content_type, "text/csv; charset=utf-8; header=present");
    assert_null(export_format_find("log"));
    assert_null(export_format_find(""));
    /* The table: every format once, found by its own extension. */
    size_t n = 0;
    for (const export_format *f; (f = export_format_at(n)) != NULL; n++)
        assert_ptr_equal(export_format_find(f->extension), f);
    assert_int_equal(n, 3);
}

/* Jansson's allocator, failing from the n-th allocation on. */
static long json_allocs_left;

static void *failing_malloc(size_t size)
{
    return json_allocs_left-- > 0 ? malloc(size) : NULL;
}

/* Every allocation jansson makes while building the JSON may fail: each
 * failure gives -1 and nothing to free (LeakSanitizer checks the rest). */
static void test_json_out_of_memory_fails_cleanly(void **state)
{
    (void)state;
    played *p = played_new(VP_LANG_EN, 0, CLOSE_AT_NOON);
    game_summary *s = room_summary(p->t.r, 0);
    assert_non_null(s);
    json_malloc_t old_malloc;
    json_free_t old_free;
    json_get_alloc_funcs(&old_malloc, &old_free);
    int rc = -1;
    long n;
    for (n = 0; rc != 0 && n < 100000; n++) {
        char *out = (char *)s;
        size_t len = 1;
        json_allocs_left = n;
        json_set_alloc_funcs(failing_malloc, free);
        rc = export_summary_json(p->t.r, s, &out, &len);
        json_set_alloc_funcs(old_malloc, old_free);
        if (rc == 0) {
            assert_int_equal(len, p->x.json_len);
            assert_memory_equal(out, p->x.json, len);
            free(out);
        } else {
            assert_int_equal(rc, -1);
            assert_null(out);
            assert_int_equal(len, 0);
        }
    }
    assert_int_equal(rc, 0);
    assert_true(n > 100); /* it did fail at many places before succeeding */
    game_summary_free(s);
    played_free(p);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_keeps_summary_fields_and_ranking),
        cmocka_unit_test(test_json_resolves_titles_and_names),
        cmocka_unit_test(test_md_lists_cards_in_ranking_order),
        cmocka_unit_test(test_md_shows_distribution_bars),
        cmocka_unit_test(test_md_escapes_markdown_metacharacters),
        cmocka_unit_test(test_md_escapes_only_what_markdown_misreads),
        cmocka_unit_test(test_md_order_for_a_reader),
        cmocka_unit_test(test_md_note_lines_stay_in_their_list_item),
        cmocka_unit_test(test_md_date_uses_room_tz_offset),
        cmocka_unit_test(test_md_headings_follow_room_language),
        cmocka_unit_test(test_md_agreement_words_are_the_web_clients),
        cmocka_unit_test(test_csv_lists_cards_in_ranking_order),
        cmocka_unit_test(test_csv_escapes_formula_cells),
        cmocka_unit_test(test_csv_escapes_formulas_behind_invisible_characters),
        cmocka_unit_test(test_csv_quotes_comma_quote_and_newline),
        cmocka_unit_test(test_csv_dutch_dialect),
        cmocka_unit_test(test_export_file_name),
        cmocka_unit_test(test_hidden_note_text_in_no_export),
        cmocka_unit_test(test_exports_of_a_round_without_cards),
        cmocka_unit_test(test_drawn_card_with_only_passes_and_a_departed_author),
        cmocka_unit_test(test_export_over_the_limit_fails_cleanly),
        cmocka_unit_test(test_json_out_of_memory_fails_cleanly),
        cmocka_unit_test(test_export_round_renders_only_closed_rounds),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
