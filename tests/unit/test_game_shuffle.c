/* test_game_shuffle: the shuffle's test vectors — changing the algorithm would change what recovery rebuilds. */
#include "test_game_util.h"

/* splitmix64 from state 0: the reference outputs published with the
 * algorithm (Vigna's splitmix64.c). */
static void test_splitmix64_matches_reference_outputs(void **state)
{
    (void)state;
    uint64_t s = 0;
    assert_int_equal(shuffle_next(&s), UINT64_C(0xe220a8397b1dcdaf));
    assert_int_equal(shuffle_next(&s), UINT64_C(0x6e789e6aa1b965f4));
    assert_int_equal(shuffle_next(&s), UINT64_C(0x06c45d188009454f));
}

static void check_vector(uint64_t seed, uint32_t n, const uint16_t *expect)
{
    uint16_t items[16];
    for (uint16_t i = 0; i < n; i++)
        items[i] = i;
    shuffle_items(items, n, seed);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(items[i], expect[i]);
}

/* seed → permutation of 0..n-1 (also in SPEC.md §11.1). */
static void test_shuffle_vectors(void **state)
{
    (void)state;
    static const uint16_t s0[10] = {6, 3, 2, 9, 8, 1, 4, 7, 0, 5};
    static const uint16_t s1[10] = {4, 2, 8, 1, 9, 3, 0, 6, 7, 5};
    static const uint16_t s42[10] = {0, 9, 5, 8, 6, 4, 7, 2, 1, 3};
    static const uint16_t sbig[10] = {5, 1, 6, 3, 0, 8, 2, 4, 9, 7};
    static const uint16_t s12345[12] = {0, 10, 1, 4, 7, 2, 6, 11, 3, 5, 9, 8};
    check_vector(0, 10, s0);
    check_vector(1, 10, s1);
    check_vector(42, 10, s42);
    check_vector(UINT64_C(0xdeadbeefcafef00d), 10, sbig);
    check_vector(12345, 12, s12345);
}

static void test_shuffle_is_a_permutation(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < 2000; seed++) {
        uint16_t items[DECK_CARDS_MAX];
        uint32_t n = (uint32_t)(seed % 60);
        for (uint16_t i = 0; i < n; i++)
            items[i] = i;
        shuffle_items(items, n, seed * 0x9E3779B97F4A7C15ull);
        uint8_t seen[DECK_CARDS_MAX] = {0};
        for (uint32_t i = 0; i < n; i++)
            assert_int_equal(seen[items[i]]++, 0);
    }
}

/* The round's seed is the input's first 8 entropy bytes, big-endian, and
 * the round's pile is the round's cards (deck order) shuffled by it. */
static void test_round_seed_comes_from_entropy_and_drives_the_pile(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    vp_intent it = {.t = VP_T_START};
    it.opts = tg_opts();
    game_input in = {.kind = GAME_INPUT_INTENT, .sender = 1, .intent = &it, .now_ms = 5};
    for (int i = 0; i < GAME_ENTROPY; i++)
        in.entropy[i] = (uint8_t)(i + 1);
    game_result res;
    assert_int_equal(game_decide(t.r, &t.env, &in, &res), VP_OK);
    assert_int_equal(res.events[0].kind, GAME_EV_ROUND);
    assert_int_equal(res.events[0].u.round.seed, UINT64_C(0x0102030405060708));
    for (uint32_t i = 0; i < res.n_events; i++)
        assert_int_equal(game_apply(t.r, &res.events[i]), 0);
    uint16_t pile[TG_DECK_CARDS];
    for (uint16_t i = 0; i < TG_DECK_CARDS; i++)
        pile[i] = i;
    shuffle_items(pile, TG_DECK_CARDS, UINT64_C(0x0102030405060708));
    assert_int_equal(t.r->n_pile, TG_DECK_CARDS); /* nobody to deal to */
    assert_memory_equal(t.r->pile, pile, sizeof pile);
    game_result_free(&res);
    tg_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_splitmix64_matches_reference_outputs),
        cmocka_unit_test(test_shuffle_vectors),
        cmocka_unit_test(test_shuffle_is_a_permutation),
        cmocka_unit_test(test_round_seed_comes_from_entropy_and_drives_the_pile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
