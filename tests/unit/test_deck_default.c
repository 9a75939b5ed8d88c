/* test_deck_default: the default card set (both languages, categories, colours) and the deck's lookups and references. */
#include "test_deck_util.h"

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
        cmocka_unit_test(test_card_and_category_lookup),
        cmocka_unit_test(test_text_in_language),
        cmocka_unit_test(test_ref_keeps_deck_until_last_unref),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
