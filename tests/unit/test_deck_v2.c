/* test_deck_v2: deck format 2 — windows, anchors, explainers, audiences — its hash vector and its refusals. */
#include "test_deck_util.h"

/* ---- format 2 --------------------------------------------------------- */

/* The second edition of the default deck (issue 16) is format 2: then every
 * card has an anchor (what 1 and the top of the scale mean for it) and every
 * category an explainer. A format 1 default deck has neither and passes. */
static void test_default_deck_v2_has_anchors_and_explainers(void **state)
{
    (void)state;
    deck *d = load_default_deck();
    if (d->format >= 2) {
        for (uint32_t i = 0; i < d->n_cards; i++)
            if (!d->cards[i].anchor_low.nl)
                fail_msg("card %s has no anchor", d->cards[i].id);
        for (uint32_t i = 0; i < d->n_categories; i++)
            if (!d->categories[i].explainer.nl)
                fail_msg("category %s has no explainer", d->categories[i].id);
    }
    deck_unref(d);
}

static json_t *card0_v2(json_t *root)
{
    return json_array_get(json_object_get(root, "cards"), 0);
}
static json_t *window0(json_t *root)
{
    return json_array_get(json_object_get(root, "windows"), 0);
}
static json_t *text_new(const char *nl, const char *en)
{
    return json_pack("{s:s, s:s}", "nl", nl, "en", en);
}

static void test_v2_reads_every_field(void **state)
{
    (void)state;
    deck *d = parse_ok(MINI_DECK_V2);
    assert_int_equal(d->format, 2);
    assert_string_equal(d->question.en, "How much is there to gain?");
    assert_int_equal(d->n_audiences, 1);
    assert_string_equal(d->audiences[0].id, "team");
    assert_int_equal(d->n_windows, 2);
    assert_string_equal(d->windows[0].color, "#1f5f8b");
    assert_string_equal(d->windows[1].explainer.nl, "Wie hier beslist.");
    assert_string_equal(d->categories[0].explainer.en, "All of it.");
    const deck_card *c = &d->cards[0];
    assert_int_equal(c->kind, DECK_KIND_STORY);
    assert_int_equal(c->audience, 1u);
    assert_string_equal(c->anchor_low.nl, "1 = goed");
    assert_string_equal(c->anchor_high.en, "2 = much");
    assert_int_equal(c->n_followups, 1);
    assert_string_equal(c->followups[0].en, "An example?");
    assert_int_equal(deck_window_index(d, "bestuur", 7), 1);
    assert_int_equal(deck_audience_index(d, "team", 4), 0);
    deck_unref(d);
}

static void test_v1_deck_is_format_1_with_topic_cards(void **state)
{
    (void)state;
    deck *d = parse_ok(MINI_DECK);
    assert_int_equal(d->format, 1);
    assert_null(d->question.nl);
    assert_int_equal(d->n_windows, 0);
    assert_int_equal(d->cards[0].kind, DECK_KIND_TOPIC);
    assert_null(d->cards[0].anchor_low.nl);
    assert_null(d->categories[0].explainer.nl);
    deck_unref(d);
}

static void test_v2_hash_matches_test_vector(void **state)
{
    (void)state;
    deck *d = parse_ok(MINI_DECK_V2);
    assert_int_equal(d->packed_len, MINI_DECK_V2_PACKED_LEN);
    assert_string_equal(d->hash, MINI_DECK_V2_HASH);
    deck_unref(d);
}

/* Absent kind and "topic", absent and empty followups pack alike. */
static void kind_absent(json_t *root)
{
    json_object_del(card0_v2(root), "kind");
    json_object_set_new(card0_v2(root), "followups", json_array());
}
static void test_v2_default_kind_and_empty_followups_pack_like_explicit(void **state)
{
    (void)state;
    json_t *root = json_loads(MINI_DECK_V2, 0, NULL);
    kind_absent(root);
    char *a_json = json_dumps(root, JSON_COMPACT);
    json_object_set_new(card0_v2(root), "kind", json_string("topic"));
    json_object_del(card0_v2(root), "followups");
    char *b_json = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    deck *a = parse_ok(a_json), *b = parse_ok(b_json);
    assert_int_equal(a->cards[0].kind, DECK_KIND_TOPIC);
    assert_int_equal(a->cards[0].n_followups, 0);
    assert_string_equal(a->hash, b->hash);
    free(a_json);
    free(b_json);
    deck_unref(a);
    deck_unref(b);
}

static void test_v2_msgpack_and_json_round_trips_keep_hash(void **state)
{
    (void)state;
    deck *a = parse_ok(MINI_DECK_V2);
    char err[TEST_ERR_MAX] = "";
    deck *b = msgpack_round_trip(a->packed, a->packed_len, err, sizeof err);
    if (!b)
        fail_msg("round trip refused: %s", err);
    assert_string_equal(a->hash, b->hash);
    char *json = NULL;
    size_t len = 0;
    assert_int_equal(deck_to_json(a, &json, &len), 0);
    /* The served JSON starts with the format, in canonical order. */
    assert_true(strncmp(json, "{\"format\":2,\"id\":\"mini\"", 23) == 0);
    deck *c = NULL;
    if (deck_parse_json(json, len, "to_json", &c, err, sizeof err) != 0)
        fail_msg("deck_to_json output refused: %s", err);
    assert_string_equal(a->hash, c->hash);
    free(json);
    deck_unref(a);
    deck_unref(b);
    deck_unref(c);
}

static void test_v1_to_json_has_no_format(void **state)
{
    (void)state;
    deck *a = parse_ok(MINI_DECK);
    char *json = NULL;
    size_t len = 0;
    assert_int_equal(deck_to_json(a, &json, &len), 0);
    assert_true(strncmp(json, "{\"id\":\"mini\",\"version\":1,", 25) == 0);
    assert_null(strstr(json, "kind"));
    free(json);
    deck_unref(a);
}

static void format_three(json_t *root)
{
    json_object_set_new(root, "format", json_integer(3));
}
static void format_one(json_t *root)
{
    json_object_set_new(root, "format", json_integer(1));
}
static void format_string(json_t *root)
{
    json_object_set_new(root, "format", json_string("2"));
}
static void v2_field_without_format(json_t *root)
{
    json_object_del(root, "format");
}
static void test_v2_refuses_bad_format(void **state)
{
    (void)state;
    expect_refused_v2(format_three, "decks/t.json: format: must be 2..2, got 3");
    expect_refused_v2(format_one, "decks/t.json: format: must be 2..2, got 1");
    expect_refused_v2(format_string, "decks/t.json: format: expected an integer, got a string");
    expect_refused_v2(v2_field_without_format,
                      "decks/t.json: question: a format 2 field: the deck needs \"format\": 2");
}

static void card_kind_in_v1(json_t *root)
{
    json_object_set_new(card0(root), "kind", json_string("topic"));
}
static void test_v1_refuses_v2_card_field(void **state)
{
    (void)state;
    expect_refused(card_kind_in_v1, "decks/t.json: cards[0].kind: a format 2 field");
}

static void question_without_en(json_t *root)
{
    json_object_del(json_object_get(root, "question"), "en");
}
static void question_blank(json_t *root)
{
    json_object_set_new(root, "question", text_new("  ", "x"));
}
static void test_v2_refuses_bad_question(void **state)
{
    (void)state;
    expect_refused_v2(question_without_en, "decks/t.json: question.en: missing");
    expect_refused_v2(question_blank, "decks/t.json: question.nl: empty text");
}

static void audiences_empty(json_t *root)
{
    json_object_set_new(root, "audiences", json_array());
}
static void audiences_nine(json_t *root)
{
    json_t *arr = json_array();
    for (int i = 0; i < 9; i++) {
        char id[8];
        snprintf(id, sizeof id, "a%d", i);
        json_array_append_new(arr, json_pack("{s:s, s:o}", "id", id, "title", text_new("A", "A")));
    }
    json_object_set_new(root, "audiences", arr);
}
static void audiences_duplicate(json_t *root)
{
    json_t *arr = json_object_get(root, "audiences");
    json_array_append_new(arr, json_deep_copy(json_array_get(arr, 0)));
}
static void audience_bad_id(json_t *root)
{
    json_object_set_new(json_array_get(json_object_get(root, "audiences"), 0), "id", json_string("Team"));
}
static void test_v2_refuses_bad_audiences(void **state)
{
    (void)state;
    expect_refused_v2(audiences_empty, "decks/t.json: audiences: a deck has 1..8 audiences, got 0");
    expect_refused_v2(audiences_nine, "decks/t.json: audiences: a deck has 1..8 audiences, got 9");
    expect_refused_v2(audiences_duplicate, "decks/t.json: audiences[1].id: duplicate audience \"team\"");
    expect_refused_v2(audience_bad_id, "decks/t.json: audiences[0].id: an id uses only");
}

static void card_audience_unknown(json_t *root)
{
    json_object_set_new(card0_v2(root), "audience", json_pack("[s]", "ouders"));
}
static void card_audience_twice(json_t *root)
{
    json_object_set_new(card0_v2(root), "audience", json_pack("[s, s]", "team", "team"));
}
static void card_audience_empty(json_t *root)
{
    json_object_set_new(card0_v2(root), "audience", json_array());
}
static void card_audience_without_deck_audiences(json_t *root)
{
    json_object_del(root, "audiences");
}
static void card_audience_number(json_t *root)
{
    json_object_set_new(card0_v2(root), "audience", json_pack("[i]", 1));
}
static void test_v2_refuses_bad_card_audience(void **state)
{
    (void)state;
    expect_refused_v2(card_audience_unknown, "decks/t.json: cards[0].audience[0]: unknown audience \"ouders\"");
    expect_refused_v2(card_audience_twice, "decks/t.json: cards[0].audience: an audience lists 1..1");
    expect_refused_v2(card_audience_empty,
                      "decks/t.json: cards[0].audience: an audience lists 1..1 of the deck's audiences, got 0");
    expect_refused_v2(card_audience_without_deck_audiences,
                      "decks/t.json: cards[0].audience: the deck has no audiences");
    expect_refused_v2(card_audience_number, "decks/t.json: cards[0].audience[0]: expected a string, got an integer");
}

static void windows_one(json_t *root)
{
    json_array_remove(json_object_get(root, "windows"), 1);
}
static void windows_nine(json_t *root)
{
    json_t *arr = json_array();
    for (int i = 0; i < 9; i++) {
        char id[8];
        snprintf(id, sizeof id, "w%d", i);
        json_array_append_new(arr, json_pack("{s:s, s:o, s:s, s:o}", "id", id, "title", text_new("W", "W"), "color",
                                             "#123456", "explainer", text_new("E", "E")));
    }
    json_object_set_new(root, "windows", arr);
}
static void window_duplicate(json_t *root)
{
    json_object_set_new(json_array_get(json_object_get(root, "windows"), 1), "id", json_string("burger"));
}
static void window_no_explainer(json_t *root)
{
    json_object_del(window0(root), "explainer");
}
static void window_bad_color(json_t *root)
{
    json_object_set_new(window0(root), "color", json_string("blue"));
}
static void window_extra_key(json_t *root)
{
    json_object_set_new(window0(root), "icon", json_string("x"));
}
static void test_v2_refuses_bad_windows(void **state)
{
    (void)state;
    expect_refused_v2(windows_one, "decks/t.json: windows: a deck has 2..8 windows, got 1");
    expect_refused_v2(windows_nine, "decks/t.json: windows: a deck has 2..8 windows, got 9");
    expect_refused_v2(window_duplicate, "decks/t.json: windows[1].id: duplicate window \"burger\"");
    expect_refused_v2(window_no_explainer, "decks/t.json: windows[0].explainer: missing");
    expect_refused_v2(window_bad_color, "decks/t.json: windows[0].color: a color is \"#rrggbb\"");
    expect_refused_v2(window_extra_key, "decks/t.json: windows[0].icon: unknown field");
}

static void category_explainer_too_long(json_t *root)
{
    char big[DECK_TEXT_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    json_object_set_new(json_array_get(json_object_get(root, "categories"), 0), "explainer", text_new("ok", big));
}
static void category_explainer_string(json_t *root)
{
    json_object_set_new(json_array_get(json_object_get(root, "categories"), 0), "explainer", json_string("x"));
}
static void test_v2_refuses_bad_category_explainer(void **state)
{
    (void)state;
    expect_refused_v2(category_explainer_too_long,
                      "decks/t.json: categories[0].explainer.en: a text is at most 500 bytes");
    expect_refused_v2(category_explainer_string,
                      "decks/t.json: categories[0].explainer: expected an object with \"nl\" and \"en\", got a string");
}

static void kind_unknown(json_t *root)
{
    json_object_set_new(card0_v2(root), "kind", json_string("intro"));
}
static void kind_number(json_t *root)
{
    json_object_set_new(card0_v2(root), "kind", json_integer(1));
}
static void test_v2_refuses_bad_kind(void **state)
{
    (void)state;
    expect_refused_v2(kind_unknown,
                      "decks/t.json: cards[0].kind: a kind is opener, topic, story or closer, got \"intro\"");
    expect_refused_v2(kind_number, "decks/t.json: cards[0].kind: expected a string, got an integer");
}

static void anchor_no_high(json_t *root)
{
    json_object_del(json_object_get(card0_v2(root), "anchor"), "high");
}
static void anchor_extra(json_t *root)
{
    json_object_set_new(json_object_get(card0_v2(root), "anchor"), "mid", text_new("m", "m"));
}
static void anchor_control(json_t *root)
{
    json_object_set_new(json_object_get(card0_v2(root), "anchor"), "low", text_new("a\nb", "ab"));
}
static void test_v2_refuses_bad_anchor(void **state)
{
    (void)state;
    expect_refused_v2(anchor_no_high, "decks/t.json: cards[0].anchor.high: missing");
    expect_refused_v2(anchor_extra, "decks/t.json: cards[0].anchor.mid: unknown field");
    expect_refused_v2(anchor_control, "decks/t.json: cards[0].anchor.low.nl: control character at byte 1");
}

static void followups_five(json_t *root)
{
    json_t *arr = json_array();
    for (int i = 0; i < 5; i++)
        json_array_append_new(arr, text_new("Vraag?", "Question?"));
    json_object_set_new(card0_v2(root), "followups", arr);
}
static void followup_string(json_t *root)
{
    json_object_set_new(card0_v2(root), "followups", json_pack("[o, s]", text_new("a", "b"), "c"));
}
static void followup_without_nl(json_t *root)
{
    json_object_set_new(card0_v2(root), "followups", json_pack("[{s:s}]", "en", "x"));
}
static void test_v2_refuses_bad_followups(void **state)
{
    (void)state;
    expect_refused_v2(followups_five, "decks/t.json: cards[0].followups: a card has 0..4 followups, got 5");
    expect_refused_v2(followup_string,
                      "decks/t.json: cards[0].followups[1]: expected an object with \"nl\" and \"en\", got a string");
    expect_refused_v2(followup_without_nl, "decks/t.json: cards[0].followups[0].nl: missing");
}

static void test_v2_test_deck_loads(void **state)
{
    (void)state;
    size_t len = 0;
    char *json = read_file(VERRIJK_SOURCE_DIR "/tests/decks/vensters-v2.json", &len);
    assert_non_null(json);
    char err[TEST_ERR_MAX] = "";
    deck *d = NULL;
    if (deck_parse_json(json, len, "tests/decks/vensters-v2.json", &d, err, sizeof err) != 0)
        fail_msg("refused: %s", err);
    free(json);
    assert_int_equal(d->format, 2);
    assert_int_equal(d->n_windows, 4);
    deck_unref(d);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_reads_every_field),
        cmocka_unit_test(test_default_deck_v2_has_anchors_and_explainers),
        cmocka_unit_test(test_v1_deck_is_format_1_with_topic_cards),
        cmocka_unit_test(test_v2_hash_matches_test_vector),
        cmocka_unit_test(test_v2_default_kind_and_empty_followups_pack_like_explicit),
        cmocka_unit_test(test_v2_msgpack_and_json_round_trips_keep_hash),
        cmocka_unit_test(test_v1_to_json_has_no_format),
        cmocka_unit_test(test_v2_refuses_bad_format),
        cmocka_unit_test(test_v1_refuses_v2_card_field),
        cmocka_unit_test(test_v2_refuses_bad_question),
        cmocka_unit_test(test_v2_refuses_bad_audiences),
        cmocka_unit_test(test_v2_refuses_bad_card_audience),
        cmocka_unit_test(test_v2_refuses_bad_windows),
        cmocka_unit_test(test_v2_refuses_bad_category_explainer),
        cmocka_unit_test(test_v2_refuses_bad_kind),
        cmocka_unit_test(test_v2_refuses_bad_anchor),
        cmocka_unit_test(test_v2_refuses_bad_followups),
        cmocka_unit_test(test_v2_test_deck_loads),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
