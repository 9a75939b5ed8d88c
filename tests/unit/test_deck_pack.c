/* test_deck_pack: the deck's canonical form, hash and MessagePack (round trips and hand-written refusals). */
#include "test_deck_util.h"

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

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
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
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
