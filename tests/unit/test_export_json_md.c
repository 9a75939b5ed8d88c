/* test_export_json_md: the JSON and Markdown summary downloads of a round played through the real game core. */
#include "test_export_util.h"

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
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
