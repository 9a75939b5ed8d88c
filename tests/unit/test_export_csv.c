/* test_export_csv: the CSV summary downloads (both dialects), and what all three formats share, of a round played through the real game core. */
#include "test_export_util.h"

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
