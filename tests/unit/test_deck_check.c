/* test_deck_check: validation — each rule refused by breaking one thing in the mini deck. */
#include "test_deck_util.h"

/* ---- validation ------------------------------------------------------- */

static void drop_prompt(json_t *root)
{
    json_object_del(card0(root), "prompt");
}
static void test_refuses_missing_field(void **state)
{
    (void)state;
    expect_refused(drop_prompt, "decks/t.json: cards[0].prompt: missing");
}

static void drop_cards(json_t *root)
{
    json_object_del(root, "cards");
}
static void test_refuses_missing_cards(void **state)
{
    (void)state;
    expect_refused(drop_cards, "decks/t.json: cards: missing");
}

static void version_as_string(json_t *root)
{
    json_object_set_new(root, "version", json_string("1"));
}
static void test_refuses_wrong_type(void **state)
{
    (void)state;
    expect_refused(version_as_string, "decks/t.json: version: expected an integer, got a string");
}

static void version_zero(json_t *root)
{
    json_object_set_new(root, "version", json_integer(0));
}
static void test_refuses_version_zero(void **state)
{
    (void)state;
    expect_refused(version_zero, "decks/t.json: version: must be 1..");
}

static void duplicate_card(json_t *root)
{
    json_t *cards = json_object_get(root, "cards");
    json_array_append_new(cards, json_deep_copy(json_array_get(cards, 0)));
}
static void test_refuses_duplicate_card_id(void **state)
{
    (void)state;
    expect_refused(duplicate_card, "decks/t.json: cards[1].id: duplicate card \"een\"");
}

static void duplicate_category(json_t *root)
{
    json_t *cats = json_object_get(root, "categories");
    json_array_append_new(cats, json_deep_copy(json_array_get(cats, 0)));
}
static void test_refuses_duplicate_category_id(void **state)
{
    (void)state;
    expect_refused(duplicate_category, "decks/t.json: categories[1].id: duplicate category \"alles\"");
}

static void unknown_category(json_t *root)
{
    json_object_set_new(card0(root), "category", json_string("foo"));
}
static void test_refuses_unknown_category(void **state)
{
    (void)state;
    expect_refused(unknown_category, "decks/t.json: cards[0].category: unknown category \"foo\"");
}

static void scale_one_value(json_t *root)
{
    json_t *scale = json_object_get(root, "scale");
    json_object_set_new(scale, "max", json_integer(1));
}
static void test_refuses_scale_of_one_value(void **state)
{
    (void)state;
    expect_refused(scale_one_value, "decks/t.json: scale: a scale has 2..10 values");
}

static void scale_eleven_values(json_t *root)
{
    json_t *scale = json_object_get(root, "scale");
    json_object_set_new(scale, "max", json_integer(11));
}
static void test_refuses_scale_of_eleven_values(void **state)
{
    (void)state;
    expect_refused(scale_eleven_values, "decks/t.json: scale: a scale has 2..10 values");
}

static void scale_reversed(json_t *root)
{
    json_t *scale = json_object_get(root, "scale");
    json_object_set_new(scale, "min", json_integer(5));
}
static void test_refuses_scale_with_min_above_max(void **state)
{
    (void)state;
    expect_refused(scale_reversed, "decks/t.json: scale: a scale has 2..10 values");
}

static void scale_negative(json_t *root)
{
    json_t *scale = json_object_get(root, "scale");
    json_object_set_new(scale, "min", json_integer(-1));
    json_object_set_new(scale, "max", json_integer(0));
}
static void test_refuses_negative_scale(void **state)
{
    (void)state;
    /* Votes are unsigned on the wire (SPEC.md §3). */
    expect_refused(scale_negative, "decks/t.json: scale.min: must be 0..");
}

static void labels_one_short(json_t *root)
{
    json_t *en = json_object_get(json_object_get(json_object_get(root, "scale"), "labels"), "en");
    json_array_remove(en, 1);
}
static void test_refuses_labels_not_matching_scale(void **state)
{
    (void)state;
    expect_refused(labels_one_short, "decks/t.json: scale.labels.en: the scale has 2 values but there are 1 labels");
}

static void drop_title_en(json_t *root)
{
    json_object_del(json_object_get(card0(root), "title"), "en");
}
static void test_refuses_missing_language(void **state)
{
    (void)state;
    expect_refused(drop_title_en, "decks/t.json: cards[0].title.en: missing");
}

static void empty_prompt_nl(json_t *root)
{
    json_object_set_new(json_object_get(card0(root), "prompt"), "nl", json_string(" "));
}
static void test_refuses_empty_text(void **state)
{
    (void)state;
    expect_refused(empty_prompt_nl, "decks/t.json: cards[0].prompt.nl: empty text");
}

static void long_prompt(json_t *root)
{
    char text[DECK_TEXT_MAX + 2];
    memset(text, 'x', DECK_TEXT_MAX + 1);
    text[DECK_TEXT_MAX + 1] = '\0';
    json_object_set_new(json_object_get(card0(root), "prompt"), "en", json_string(text));
}
static void test_refuses_text_over_limit(void **state)
{
    (void)state;
    expect_refused(long_prompt, "decks/t.json: cards[0].prompt.en: a text is at most 500 bytes");
}

static void control_in_title(json_t *root)
{
    json_object_set_new(json_object_get(root, "title"), "nl", json_string("Mi\nni"));
}
static void test_refuses_control_character(void **state)
{
    (void)state;
    expect_refused(control_in_title, "decks/t.json: title.nl: control character");
}

static void id_uppercase(json_t *root)
{
    json_object_set_new(card0(root), "id", json_string("Een"));
}
static void test_refuses_id_with_uppercase(void **state)
{
    (void)state;
    expect_refused(id_uppercase, "decks/t.json: cards[0].id: an id uses only a-z, 0-9 and '-'");
}

static void id_too_long(json_t *root)
{
    char id[DECK_ID_MAX + 2];
    memset(id, 'a', DECK_ID_MAX + 1);
    id[DECK_ID_MAX + 1] = '\0';
    json_object_set_new(root, "id", json_string(id));
}
static void test_refuses_id_over_limit(void **state)
{
    (void)state;
    expect_refused(id_too_long, "decks/t.json: id: an id is 1..64 bytes, got 65");
}

static void id_empty(json_t *root)
{
    json_object_set_new(json_array_get(json_object_get(root, "categories"), 0), "id", json_string(""));
}
static void test_refuses_empty_id(void **state)
{
    (void)state;
    expect_refused(id_empty, "decks/t.json: categories[0].id: an id is 1..64 bytes, got 0");
}

static void too_many_cards(json_t *root)
{
    json_t *cards = json_object_get(root, "cards");
    for (int i = 1; i <= DECK_CARDS_MAX; i++) {
        json_t *c = json_deep_copy(json_array_get(cards, 0));
        char id[16];
        snprintf(id, sizeof id, "k%d", i);
        json_object_set_new(c, "id", json_string(id));
        json_array_append_new(cards, c);
    }
}
static void test_refuses_more_than_500_cards(void **state)
{
    (void)state;
    expect_refused(too_many_cards, "decks/t.json: cards: a deck has 1..500 cards, got 501");
}

static void exactly_500_cards(json_t *root)
{
    json_t *cards = json_object_get(root, "cards");
    for (int i = 1; i < DECK_CARDS_MAX; i++) {
        json_t *c = json_deep_copy(json_array_get(cards, 0));
        char id[16];
        snprintf(id, sizeof id, "k%d", i);
        json_object_set_new(c, "id", json_string(id));
        json_array_append_new(cards, c);
    }
}
static void test_accepts_exactly_500_cards(void **state)
{
    (void)state;
    json_t *root = json_loads(MINI_DECK, 0, NULL);
    assert_non_null(root);
    exactly_500_cards(root);
    char *json = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    deck *d = parse_ok(json);
    free(json);
    assert_int_equal(d->n_cards, DECK_CARDS_MAX);
    assert_int_equal(deck_card_index(d, "k499", 4), 499);
    deck_unref(d);
}

static void too_many_categories(json_t *root)
{
    json_t *cats = json_object_get(root, "categories");
    for (int i = 1; i <= DECK_CATEGORIES_MAX; i++) {
        json_t *c = json_deep_copy(json_array_get(cats, 0));
        char id[16];
        snprintf(id, sizeof id, "c%d", i);
        json_object_set_new(c, "id", json_string(id));
        json_array_append_new(cats, c);
    }
}
static void test_refuses_more_than_32_categories(void **state)
{
    (void)state;
    expect_refused(too_many_categories, "decks/t.json: categories: a deck has 1..32 categories, got 33");
}

static void no_cards(json_t *root)
{
    json_array_clear(json_object_get(root, "cards"));
}
static void test_refuses_empty_card_list(void **state)
{
    (void)state;
    expect_refused(no_cards, "decks/t.json: cards: a deck has 1..500 cards, got 0");
}

static void color_named(json_t *root)
{
    json_object_set_new(json_array_get(json_object_get(root, "categories"), 0), "color", json_string("red"));
}
static void test_refuses_invalid_color(void **state)
{
    (void)state;
    expect_refused(color_named, "decks/t.json: categories[0].color: a color is \"#rrggbb\", got \"red\"");
}

static void color_short(json_t *root)
{
    json_object_set_new(json_array_get(json_object_get(root, "categories"), 0), "color", json_string("#12345g"));
}
static void test_refuses_color_with_non_hex_digit(void **state)
{
    (void)state;
    expect_refused(color_short, "decks/t.json: categories[0].color: a color is \"#rrggbb\"");
}

static void misspelt_prompt(json_t *root)
{
    json_t *c = card0(root);
    json_object_set(c, "promt", json_object_get(c, "prompt"));
}
static void test_refuses_unknown_field(void **state)
{
    (void)state;
    expect_refused(misspelt_prompt, "decks/t.json: cards[0].promt: unknown field");
}

static void id_as_array(json_t *root)
{
    json_object_clear(root);
    json_object_set_new(root, "id", json_array());
}
static void test_refuses_id_of_wrong_type(void **state)
{
    (void)state;
    expect_refused(id_as_array, "decks/t.json: id: expected a string, got an array");
}

static void test_refuses_invalid_json_naming_line(void **state)
{
    (void)state;
    const char *json = "{\"id\": \"x\",\n \"version\": }";
    char err[TEST_ERR_MAX] = "";
    deck *d = NULL;
    assert_int_equal(deck_parse_json(json, strlen(json), "decks/bad.json", &d, err, sizeof err), -1);
    assert_null(d);
    if (!strstr(err, "decks/bad.json: line 2"))
        fail_msg("message \"%s\" does not name the file and line", err);
}

static void test_refuses_duplicate_json_key(void **state)
{
    (void)state;
    const char *json = "{\"id\": \"x\", \"id\": \"y\"}";
    char err[TEST_ERR_MAX] = "";
    deck *d = NULL;
    assert_int_equal(deck_parse_json(json, strlen(json), "decks/dup.json", &d, err, sizeof err), -1);
    assert_null(d);
    assert_non_null(strstr(err, "decks/dup.json: "));
    assert_non_null(strstr(err, "duplicate"));
}

static void test_refusal_message_fits_small_buffer(void **state)
{
    (void)state;
    char err[8];
    memset(err, 'z', sizeof err);
    deck *d = NULL;
    assert_int_equal(deck_parse_json("[]", 2, "decks/long-name.json", &d, err, sizeof err), -1);
    assert_int_equal(err[sizeof err - 1], '\0');
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refuses_missing_field),
        cmocka_unit_test(test_refuses_missing_cards),
        cmocka_unit_test(test_refuses_wrong_type),
        cmocka_unit_test(test_refuses_version_zero),
        cmocka_unit_test(test_refuses_duplicate_card_id),
        cmocka_unit_test(test_refuses_duplicate_category_id),
        cmocka_unit_test(test_refuses_unknown_category),
        cmocka_unit_test(test_refuses_scale_of_one_value),
        cmocka_unit_test(test_refuses_scale_of_eleven_values),
        cmocka_unit_test(test_refuses_scale_with_min_above_max),
        cmocka_unit_test(test_refuses_negative_scale),
        cmocka_unit_test(test_refuses_labels_not_matching_scale),
        cmocka_unit_test(test_refuses_missing_language),
        cmocka_unit_test(test_refuses_empty_text),
        cmocka_unit_test(test_refuses_text_over_limit),
        cmocka_unit_test(test_refuses_control_character),
        cmocka_unit_test(test_refuses_id_with_uppercase),
        cmocka_unit_test(test_refuses_id_over_limit),
        cmocka_unit_test(test_refuses_empty_id),
        cmocka_unit_test(test_refuses_more_than_500_cards),
        cmocka_unit_test(test_accepts_exactly_500_cards),
        cmocka_unit_test(test_refuses_more_than_32_categories),
        cmocka_unit_test(test_refuses_empty_card_list),
        cmocka_unit_test(test_refuses_invalid_color),
        cmocka_unit_test(test_refuses_color_with_non_hex_digit),
        cmocka_unit_test(test_refuses_unknown_field),
        cmocka_unit_test(test_refuses_id_of_wrong_type),
        cmocka_unit_test(test_refuses_invalid_json_naming_line),
        cmocka_unit_test(test_refuses_duplicate_json_key),
        cmocka_unit_test(test_refusal_message_fits_small_buffer),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
