/* test_deck: the deck module's parsing, validation, canonical form, hash and lookups, and the default card set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "game/deck.h"

#define DEFAULT_DECK_PATH VERRIJK_SOURCE_DIR "/decks/verrijkte-leeromgevingen.json"
#define TEST_ERR_MAX      256

/* The small deck of the hash test vector. Its canonical MessagePack was
 * written out by hand (an encoder independent of msgpack-c) and hashed with
 * SHA-256; decks/README.md shows the same example. */
static const char MINI_DECK[] =
    "{\"id\":\"mini\",\"version\":1,\"title\":{\"nl\":\"Mini\",\"en\":\"Mini\"},"
    "\"scale\":{\"min\":1,\"max\":2,\"labels\":{\"nl\":[\"nee\",\"ja\"],\"en\":[\"no\",\"yes\"]}},"
    "\"categories\":[{\"id\":\"alles\",\"title\":{\"nl\":\"Alles\",\"en\":\"Everything\"},"
    "\"color\":\"#1f5f8b\"}],"
    "\"cards\":[{\"id\":\"een\",\"category\":\"alles\",\"title\":{\"nl\":\"Een\",\"en\":\"One\"},"
    "\"prompt\":{\"nl\":\"Wat zien wij hier?\",\"en\":\"What do we see here?\"}}]}";
static const char MINI_DECK_HASH[] = "31ee8fdf1146bd52";
static const size_t MINI_DECK_PACKED_LEN = 259;

/* The same deck with its keys in another order, other whitespace and the
 * color in upper case: the canonical form must not see the difference. */
static const char MINI_DECK_REORDERED[] =
    "{ \"cards\": [ { \"prompt\": {\"en\": \"What do we see here?\", \"nl\": \"Wat zien wij hier?\"},\n"
    "    \"title\": {\"en\": \"One\", \"nl\": \"Een\"}, \"category\": \"alles\", \"id\": \"een\" } ],\n"
    "  \"categories\": [ {\"color\": \"#1F5F8B\", \"title\": {\"en\": \"Everything\", \"nl\": \"Alles\"},"
    " \"id\": \"alles\"} ],\n"
    "  \"scale\": {\"labels\": {\"en\": [\"no\", \"yes\"], \"nl\": [\"nee\", \"ja\"]}, \"max\": 2, \"min\": 1},\n"
    "  \"title\": {\"en\": \"Mini\", \"nl\": \"Mini\"}, \"version\": 1, \"id\": \"mini\" }\n";

/* The v2 test vector (decks/README.md): MINI_DECK in format 2 with every
 * optional field, written here in another key order than the canonical one
 * (the card's audience before its kind, the anchor's high before its low).
 * Its bytes and hash come from tests/unit/deck_vector.py, an encoder
 * written from the MessagePack specification without msgpack-c (it also
 * reproduces the v1 vector above). */
static const char MINI_DECK_V2[] =
    "{\"format\":2,\"id\":\"mini\",\"version\":1,\"title\":{\"nl\":\"Mini\",\"en\":\"Mini\"},"
    "\"question\":{\"nl\":\"Hoeveel valt er te winnen?\",\"en\":\"How much is there to gain?\"},"
    "\"scale\":{\"min\":1,\"max\":2,\"labels\":{\"nl\":[\"nee\",\"ja\"],\"en\":[\"no\",\"yes\"]}},"
    "\"audiences\":[{\"id\":\"team\",\"title\":{\"nl\":\"Team\",\"en\":\"Staff\"}}],"
    "\"windows\":[{\"id\":\"burger\",\"title\":{\"nl\":\"Burger\",\"en\":\"Citizen\"},\"color\":\"#1F5F8B\","
    "\"explainer\":{\"nl\":\"Wie hier woont.\",\"en\":\"Who lives here.\"}},"
    "{\"id\":\"bestuur\",\"title\":{\"nl\":\"Bestuur\",\"en\":\"Governance\"},\"color\":\"#37474f\","
    "\"explainer\":{\"nl\":\"Wie hier beslist.\",\"en\":\"Who decides here.\"}}],"
    "\"categories\":[{\"id\":\"alles\",\"title\":{\"nl\":\"Alles\",\"en\":\"Everything\"},"
    "\"color\":\"#1f5f8b\",\"explainer\":{\"nl\":\"Alles samen.\",\"en\":\"All of it.\"}}],"
    "\"cards\":[{\"id\":\"een\",\"category\":\"alles\",\"audience\":[\"team\"],\"kind\":\"story\","
    "\"title\":{\"nl\":\"Een\",\"en\":\"One\"},"
    "\"prompt\":{\"nl\":\"Wat zien wij hier?\",\"en\":\"What do we see here?\"},"
    "\"anchor\":{\"high\":{\"nl\":\"2 = veel\",\"en\":\"2 = much\"},\"low\":{\"nl\":\"1 = goed\",\"en\":\"1 = fine\"}},"
    "\"followups\":[{\"nl\":\"Een voorbeeld?\",\"en\":\"An example?\"}]}]}";
static const char MINI_DECK_V2_HASH[] = "14e322f5fe06ada1";
static const size_t MINI_DECK_V2_PACKED_LEN = 782;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
            if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
                buf[n] = '\0';
                *len = (size_t)n;
            } else {
                free(buf);
                buf = NULL;
            }
        }
    }
    fclose(f);
    return buf;
}

static deck *load_default_deck(void)
{
    size_t len = 0;
    char *json = read_file(DEFAULT_DECK_PATH, &len);
    assert_non_null(json);
    char err[TEST_ERR_MAX] = "";
    deck *d = NULL;
    int rc = deck_parse_json(json, len, "decks/verrijkte-leeromgevingen.json", &d, err, sizeof err);
    free(json);
    if (rc != 0)
        fail_msg("default deck refused: %s", err);
    assert_non_null(d);
    return d;
}

static deck *parse_ok(const char *json)
{
    char err[TEST_ERR_MAX] = "";
    deck *d = NULL;
    if (deck_parse_json(json, strlen(json), "t.json", &d, err, sizeof err) != 0)
        fail_msg("refused: %s", err);
    return d;
}

/* ---- the default deck ------------------------------------------------- */

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static void test_default_deck_loads_with_enough_cards_and_categories(void **state)
{
    (void)state;
    deck *d = load_default_deck();
    assert_string_equal(d->id, "verrijkte-leeromgevingen");
    assert_true(d->n_cards >= 30);
    assert_true(d->n_categories >= 6);
    assert_int_equal(d->scale_min, 1);
    assert_int_equal(d->scale_max, 5);
    assert_int_equal(strlen(d->hash), DECK_HASH_LEN);
    deck_unref(d);
}

static void test_default_deck_every_card_in_both_languages(void **state)
{
    (void)state;
    deck *d = load_default_deck();
    for (uint32_t i = 0; i < d->n_cards; i++) {
        const deck_card *c = &d->cards[i];
        assert_true(strlen(c->title.nl) > 0 && strlen(c->title.en) > 0);
        assert_true(strlen(c->prompt.nl) > 0 && strlen(c->prompt.en) > 0);
        /* A card is read across a table: short titles, prompts that ask. */
        if (utf8_chars(c->title.nl) > 40 || utf8_chars(c->title.en) > 40)
            fail_msg("card %s: title longer than 40 characters", c->id);
        if (!strchr(c->prompt.nl, '?') || !strchr(c->prompt.en, '?'))
            fail_msg("card %s: prompt is not a question", c->id);
    }
    for (int32_t v = 0; v <= d->scale_max - d->scale_min; v++)
        assert_true(strlen(d->labels_nl[v]) > 0 && strlen(d->labels_en[v]) > 0);
    deck_unref(d);
}

static void test_default_deck_every_category_has_cards(void **state)
{
    (void)state;
    deck *d = load_default_deck();
    for (uint32_t k = 0; k < d->n_categories; k++) {
        uint32_t n = 0;
        for (uint32_t i = 0; i < d->n_cards; i++)
            n += d->cards[i].category == k;
        if (n == 0)
            fail_msg("category %s has no cards", d->categories[k].id);
    }
    deck_unref(d);
}

/* x^2.4 for x in (0, 1], as x^2 times the fifth root of x^2 (Newton's
 * method from above converges monotonically), so the test needs no libm. */
static double pow_2_4(double x)
{
    double a = x * x, y = 1.0;
    for (int i = 0; i < 200; i++)
        y -= (y * y * y * y * y - a) / (5 * y * y * y * y);
    return a * y;
}

/* WCAG 2 relative luminance of one sRGB channel. */
static double channel_luminance(unsigned v)
{
    double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : pow_2_4((c + 0.055) / 1.055);
}

static void test_default_deck_colors_meet_wcag_aa_with_white_text(void **state)
{
    (void)state;
    deck *d = load_default_deck();
    for (uint32_t k = 0; k < d->n_categories; k++) {
        unsigned r, g, b;
        assert_int_equal(sscanf(d->categories[k].color, "#%2x%2x%2x", &r, &g, &b), 3);
        double lum = 0.2126 * channel_luminance(r) + 0.7152 * channel_luminance(g) + 0.0722 * channel_luminance(b);
        double contrast = 1.05 / (lum + 0.05);
        if (contrast < 4.5)
            fail_msg("category %s: color %s has contrast %.2f with white, below 4.5", d->categories[k].id,
                     d->categories[k].color, contrast);
    }
    deck_unref(d);
}

/* ---- validation ------------------------------------------------------- */

/* Each rule is tested by breaking one thing in the mini deck: the mutation
 * receives the parsed JSON tree and changes it in place. */
typedef void (*deck_mutation)(json_t *root);

static void expect_refused_from(const char *base, deck_mutation mutate, const char *expected)
{
    json_error_t jerr;
    json_t *root = json_loads(base, 0, &jerr);
    assert_non_null(root);
    mutate(root);
    char *json = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    assert_non_null(json);
    char err[TEST_ERR_MAX] = "";
    static deck sentinel; /* its address must still be in d after a refusal */
    deck *d = &sentinel;
    int rc = deck_parse_json(json, strlen(json), "decks/t.json", &d, err, sizeof err);
    free(json);
    assert_int_equal(rc, -1);
    assert_ptr_equal(d, &sentinel);
    if (!strstr(err, expected))
        fail_msg("message \"%s\" lacks \"%s\"", err, expected);
    assert_true(strncmp(err, "decks/t.json: ", 14) == 0);
}

static void expect_refused(deck_mutation mutate, const char *expected)
{
    expect_refused_from(MINI_DECK, mutate, expected);
}

/* A change to the v2 vector deck that must be refused with `expected`. */
static void expect_refused_v2(deck_mutation mutate, const char *expected)
{
    expect_refused_from(MINI_DECK_V2, mutate, expected);
}

static json_t *card0(json_t *root)
{
    return json_array_get(json_object_get(root, "cards"), 0);
}

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

/* ---- canonical form, hash, MessagePack -------------------------------- */

static void test_hash_matches_test_vector(void **state)
{
    (void)state;
    deck *d = parse_ok(MINI_DECK);
    assert_int_equal(d->packed_len, MINI_DECK_PACKED_LEN);
    assert_string_equal(d->hash, MINI_DECK_HASH);
    deck_unref(d);
}

static void test_hash_ignores_key_order_whitespace_and_color_case(void **state)
{
    (void)state;
    deck *a = parse_ok(MINI_DECK);
    deck *b = parse_ok(MINI_DECK_REORDERED);
    assert_string_equal(b->categories[0].color, "#1f5f8b");
    assert_int_equal(a->packed_len, b->packed_len);
    assert_memory_equal(a->packed, b->packed, a->packed_len);
    assert_string_equal(a->hash, b->hash);
    deck_unref(a);
    deck_unref(b);
}

static void test_hash_changes_with_content(void **state)
{
    (void)state;
    deck *a = parse_ok(MINI_DECK);
    json_t *root = json_loads(MINI_DECK, 0, NULL);
    assert_non_null(root);
    json_object_set_new(root, "version", json_integer(2));
    char *json = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    deck *b = parse_ok(json);
    free(json);
    assert_string_not_equal(a->hash, b->hash);
    deck_unref(a);
    deck_unref(b);
}

/* Unpacks a deck's canonical bytes and parses them back, as recovery does
 * with the deck embedded in a `created` event. */
static deck *msgpack_round_trip(const uint8_t *bytes, size_t len, char *err, size_t errlen)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&u, (const char *)bytes, len, &off), MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(off, len);
    deck *d = NULL;
    int rc = deck_parse_msgpack(&u.data, &d, err, errlen);
    msgpack_unpacked_destroy(&u);
    return rc == 0 ? d : NULL;
}

static void test_msgpack_round_trip_gives_same_hash(void **state)
{
    (void)state;
    deck *a = load_default_deck();
    char err[TEST_ERR_MAX] = "";
    deck *b = msgpack_round_trip(a->packed, a->packed_len, err, sizeof err);
    if (!b)
        fail_msg("round trip refused: %s", err);
    assert_string_equal(a->hash, b->hash);
    assert_int_equal(a->packed_len, b->packed_len);
    assert_memory_equal(a->packed, b->packed, a->packed_len);
    assert_int_equal(a->n_cards, b->n_cards);
    assert_string_equal(a->cards[a->n_cards - 1].prompt.en, b->cards[b->n_cards - 1].prompt.en);
    deck_unref(a);
    deck_unref(b);
}

static void test_deck_pack_appends_canonical_bytes(void **state)
{
    (void)state;
    deck *d = parse_ok(MINI_DECK);
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 1);
    msgpack_pack_str_with_body(&pk, "deck", 4);
    deck_pack(d, &pk);
    /* 1 byte map header, 5 bytes key, then exactly the deck. */
    assert_int_equal(sb.size, 6 + d->packed_len);
    assert_memory_equal(sb.data + 6, d->packed, d->packed_len);
    msgpack_sbuffer_destroy(&sb);
    deck_unref(d);
}

/* Feeds hand-written MessagePack that no JSON file could express. */
static void expect_msgpack_refused(const char *bytes, size_t len, const char *expected)
{
    char err[TEST_ERR_MAX] = "";
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&u, bytes, len, &off), MSGPACK_UNPACK_SUCCESS);
    deck *d = NULL;
    assert_int_equal(deck_parse_msgpack(&u.data, &d, err, sizeof err), -1);
    assert_null(d);
    msgpack_unpacked_destroy(&u);
    if (!strstr(err, expected))
        fail_msg("message \"%s\" lacks \"%s\"", err, expected);
}

static void test_msgpack_refuses_duplicate_key(void **state)
{
    (void)state;
    /* {"id": "a", "id": "b"} */
    static const char bytes[] = "\x82\xa2id\xa1"
                                "a\xa2id\xa1"
                                "b";
    expect_msgpack_refused(bytes, sizeof bytes - 1, "deck: duplicate key \"id\"");
}

static void test_msgpack_refuses_invalid_utf8(void **state)
{
    (void)state;
    /* {"id": "\xc3\x28"} */
    static const char bytes[] = "\x81\xa2id\xa2\xc3\x28";
    expect_msgpack_refused(bytes, sizeof bytes - 1, "deck: a string is not valid UTF-8");
}

/* Found by fuzz_deck (tests/fuzz/regressions/deck/): msgpack-c gives an
 * empty string a NULL pointer. */
static void test_msgpack_empty_string_is_refused_cleanly(void **state)
{
    (void)state;
    /* "" at the top: not a deck, and no arithmetic on the NULL pointer. */
    expect_msgpack_refused("\xa0", 1, "deck: ");
}

static void test_msgpack_empty_key_is_refused_with_message(void **state)
{
    (void)state;
    /* {"": nil} */
    expect_msgpack_refused("\x81\xa0\xc0", 3, "deck: a map key is not a valid, non-empty string");
}

static void test_msgpack_refuses_binary(void **state)
{
    (void)state;
    /* {"id": bin8 "ab"} */
    static const char bytes[] = "\x81\xa2id\xc4\x02"
                                "ab";
    expect_msgpack_refused(bytes, sizeof bytes - 1, "deck: binary or extension values");
}

static void test_msgpack_refuses_deep_nesting(void **state)
{
    (void)state;
    /* {"id": [[[[[[[[[[]]]]]]]]]]: ten arrays inside the map. */
    static const char bytes[] = "\x81\xa2id\x91\x91\x91\x91\x91\x91\x91\x91\x91\x90";
    expect_msgpack_refused(bytes, sizeof bytes - 1, "deck: nested deeper than");
}

static void test_msgpack_names_field_of_invalid_deck(void **state)
{
    (void)state;
    deck *a = parse_ok(MINI_DECK);
    /* Flip the first card's category to an unknown one of the same length:
     * "alles" occurs twice, the second time as the card's category. */
    uint8_t *copy = malloc(a->packed_len);
    assert_non_null(copy);
    memcpy(copy, a->packed, a->packed_len);
    uint8_t *p = memmem(copy, a->packed_len,
                        "\xa8"
                        "category\xa5"
                        "alles",
                        15);
    assert_non_null(p);
    memcpy(p + 10, "nergs", 5);
    char err[TEST_ERR_MAX] = "";
    deck *b = msgpack_round_trip(copy, a->packed_len, err, sizeof err);
    free(copy);
    assert_null(b);
    assert_string_equal(err, "deck: cards[0].category: unknown category \"nergs\"");
    deck_unref(a);
}

static void test_to_json_round_trip_keeps_hash(void **state)
{
    (void)state;
    deck *a = load_default_deck();
    char *json = NULL;
    size_t len = 0;
    assert_int_equal(deck_to_json(a, &json, &len), 0);
    assert_int_equal(strlen(json), len);
    char err[TEST_ERR_MAX] = "";
    deck *b = NULL;
    if (deck_parse_json(json, len, "to_json", &b, err, sizeof err) != 0)
        fail_msg("deck_to_json output refused: %s", err);
    assert_string_equal(a->hash, b->hash);
    free(json);
    deck_unref(a);
    deck_unref(b);
}

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

/* ---- lookups and references ------------------------------------------- */

static void test_card_and_category_lookup(void **state)
{
    (void)state;
    deck *d = load_default_deck();
    int32_t k = deck_category_index(d, "vensters", 8);
    assert_true(k >= 0);
    assert_string_equal(d->categories[k].id, "vensters");
    int32_t c = deck_card_index(d, "venster-burger", 14);
    assert_true(c >= 0);
    assert_string_equal(d->cards[c].id, "venster-burger");
    assert_int_equal(d->cards[c].category, (uint32_t)k);
    /* Ids come from the wire without a terminator: len bounds the match. */
    assert_int_equal(deck_card_index(d, "venster-burgerXYZ", 14), c);
    assert_int_equal(deck_card_index(d, "venster-burg", 12), -1);
    assert_int_equal(deck_card_index(d, "nope", 4), -1);
    assert_int_equal(deck_category_index(d, "venster", 7), -1);
    assert_int_equal(deck_card_index(d, "", 0), -1);
    deck_unref(d);
}

static void test_text_in_language(void **state)
{
    (void)state;
    deck *d = parse_ok(MINI_DECK);
    assert_string_equal(deck_text_in(&d->cards[0].title, "en"), "One");
    assert_string_equal(deck_text_in(&d->cards[0].title, "nl"), "Een");
    assert_string_equal(deck_text_in(&d->title, "fr"), "Mini");
    deck_unref(d);
}

static void test_ref_keeps_deck_until_last_unref(void **state)
{
    (void)state;
    deck *d = parse_ok(MINI_DECK);
    assert_int_equal(d->refs, 1);
    assert_ptr_equal(deck_ref(d), d);
    assert_int_equal(d->refs, 2);
    deck_unref(d);
    assert_int_equal(d->refs, 1);
    assert_string_equal(d->id, "mini"); /* still alive: ASan would catch a use after free */
    deck_unref(d);
    deck_unref(NULL);
    assert_null(deck_ref(NULL));
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_deck_loads_with_enough_cards_and_categories),
        cmocka_unit_test(test_default_deck_every_card_in_both_languages),
        cmocka_unit_test(test_default_deck_every_category_has_cards),
        cmocka_unit_test(test_default_deck_colors_meet_wcag_aa_with_white_text),
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
        cmocka_unit_test(test_hash_matches_test_vector),
        cmocka_unit_test(test_hash_ignores_key_order_whitespace_and_color_case),
        cmocka_unit_test(test_hash_changes_with_content),
        cmocka_unit_test(test_msgpack_round_trip_gives_same_hash),
        cmocka_unit_test(test_deck_pack_appends_canonical_bytes),
        cmocka_unit_test(test_msgpack_refuses_duplicate_key),
        cmocka_unit_test(test_msgpack_refuses_invalid_utf8),
        cmocka_unit_test(test_msgpack_empty_string_is_refused_cleanly),
        cmocka_unit_test(test_msgpack_empty_key_is_refused_with_message),
        cmocka_unit_test(test_msgpack_refuses_binary),
        cmocka_unit_test(test_msgpack_refuses_deep_nesting),
        cmocka_unit_test(test_msgpack_names_field_of_invalid_deck),
        cmocka_unit_test(test_to_json_round_trip_keeps_hash),
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
        cmocka_unit_test(test_card_and_category_lookup),
        cmocka_unit_test(test_text_in_language),
        cmocka_unit_test(test_ref_keeps_deck_until_last_unref),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
