/* test_game_filter_summary: stats, agreement and the round summary; events that do not unpack or fit. */
#include "test_game_filter_util.h"

/* ---- stats, agreement ---- */

static void votes_of(game_vote *v, const int *values, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        v[i] = (game_vote){i + 1, values[i] < 0, values[i] < 0 ? 0 : (uint32_t)values[i]};
}

static void test_stats_median_of_even_count_is_mean_of_middle_two(void **state)
{
    (void)state;
    game_vote v[6];
    game_stats s;
    int even[] = {5, 1, 2, 4};
    votes_of(v, even, 4);
    stats_compute(v, 4, 1, 5, &s);
    assert_int_equal(s.n, 4);
    assert_true(s.median == 3.0);
    assert_true(s.mean == 3.0);
    int odd[] = {5, 1, -1, 2};
    votes_of(v, odd, 4);
    stats_compute(v, 4, 1, 5, &s);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.pass, 1);
    assert_true(s.median == 2.0);
    assert_true(s.mean == 8.0 / 3);
    assert_int_equal(s.min, 1);
    assert_int_equal(s.max, 5);
}

static void test_stats_hist_has_one_count_per_scale_value(void **state)
{
    (void)state;
    game_vote v[5];
    game_stats s;
    int values[] = {1, 1, 3, 5, -1};
    votes_of(v, values, 5);
    stats_compute(v, 5, 1, 5, &s);
    assert_int_equal(s.n_hist, 5);
    uint32_t expect[] = {2, 0, 1, 0, 1};
    for (int i = 0; i < 5; i++)
        assert_int_equal(s.hist[i], expect[i]);
}

static void test_stats_figures_are_nil_without_votes(void **state)
{
    (void)state;
    game_vote v[2];
    game_stats s;
    int values[] = {-1, -1};
    votes_of(v, values, 2);
    stats_compute(v, 2, 1, 5, &s);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.pass, 2);
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    game_pack_stats(&pk, &s);
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, NULL), MSGPACK_UNPACK_SUCCESS);
    const char *nil_keys[] = {"mean", "median", "min", "max"};
    for (int i = 0; i < 4; i++)
        assert_int_equal(mp_get(&up.data, nil_keys[i])->type, MSGPACK_OBJECT_NIL);
    assert_int_equal(mp_get(&up.data, "n")->via.u64, 0);
    assert_int_equal(mp_get(&up.data, "hist")->via.array.size, 5);
    msgpack_unpacked_destroy(&up);
    msgpack_sbuffer_destroy(&sb);
}

/* The agreement of the non-pass votes vals[0..n) on scale_min..scale_max. */
static game_agreement agreement_of(const uint32_t *vals, uint32_t n, int scale_min, int scale_max)
{
    game_vote v[32];
    for (uint32_t i = 0; i < n; i++)
        v[i] = (game_vote){i + 1, false, vals[i]};
    game_stats s;
    stats_compute(v, n, scale_min, scale_max, &s);
    return stats_agreement(&s, scale_min, scale_max);
}

#define AGREE(lo, hi, ...) \
    agreement_of((const uint32_t[]){__VA_ARGS__}, sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t), lo, hi)

static void test_agreement_within_one_step_is_consensus(void **state)
{
    (void)state;
    assert_int_equal(AGREE(1, 5, 3, 3), GAME_AGREE_CONSENSUS);
    assert_int_equal(AGREE(1, 5, 2, 3), GAME_AGREE_CONSENSUS);
    assert_int_equal(AGREE(1, 5, 4, 5, 4, 5, 5), GAME_AGREE_CONSENSUS);
    /* 0..9: r = 9, one step is r/4 = 2: three neighbouring values. */
    assert_int_equal(AGREE(0, 9, 0, 2), GAME_AGREE_CONSENSUS);
    assert_int_equal(AGREE(0, 9, 0, 3), GAME_AGREE_MIXED);
    /* One outlier among ten (90 % within a step) keeps it agreed... */
    assert_int_equal(AGREE(1, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 1), GAME_AGREE_CONSENSUS);
    /* ...one among five does not, and does not make it opposed either. */
    assert_int_equal(AGREE(1, 5, 4, 4, 4, 4, 1), GAME_AGREE_MIXED);
}

static void test_agreement_opposed_needs_a_quarter_at_each_end(void **state)
{
    (void)state;
    assert_int_equal(AGREE(1, 5, 1, 5), GAME_AGREE_POLARISED);
    assert_int_equal(AGREE(1, 5, 1, 1, 3, 5, 5), GAME_AGREE_POLARISED);
    assert_int_equal(AGREE(1, 5, 1, 2, 4, 5), GAME_AGREE_POLARISED);
    /* A wide range alone is not two camps. */
    assert_int_equal(AGREE(1, 5, 1, 2, 3, 4, 5), GAME_AGREE_MIXED);
    assert_int_equal(AGREE(1, 5, 2, 5), GAME_AGREE_MIXED);
    assert_int_equal(AGREE(1, 5, 1, 1, 1, 1, 5), GAME_AGREE_MIXED);
    /* Twenty votes spread flat (four per value): 20 % at each end. */
    assert_int_equal(AGREE(1, 5, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5), GAME_AGREE_MIXED);
    /* 0..9: the ends are 0..2 and 7..9. */
    assert_int_equal(AGREE(0, 9, 2, 7), GAME_AGREE_POLARISED);
    assert_int_equal(AGREE(0, 9, 3, 9), GAME_AGREE_MIXED);
    /* Fewer than two non-pass votes: nil. */
    game_vote one[2] = {{1, false, 3}, {2, true, 0}};
    game_stats s;
    stats_compute(one, 2, 1, 5, &s);
    assert_int_equal(stats_agreement(&s, 1, 5), GAME_AGREE_NONE);
}

/* ---- summary ---- */

/* Deck mode: the facilitator draws; votes per card given as values for
 * players 2, 3, 4 (-2: no vote, -1: pass). */
static void play_card(tg *t, const int votes[3])
{
    assert_int_equal(tg_simple(t, 1, VP_T_DRAW), VP_OK);
    for (int i = 0; i < 3; i++)
        if (votes[i] >= -1)
            assert_int_equal(tg_vote(t, (uint32_t)(2 + i), votes[i]), VP_OK);
    assert_int_equal(tg_simple(t, 1, VP_T_NEXT), VP_OK);
}

static void test_summary_sorted_by_mean_nil_last_ties_in_play_order(void **state)
{
    (void)state;
    tg t;
    vp_opts o = tg_opts();
    o.set = VP_OPT_MODE;
    o.mode = VP_MODE_DECK;
    room4(&t, &o);
    uint16_t drawn[5];
    const int v[5][3] = {{2, 2, 2}, {-1, -1, -2}, {5, 4, 3}, {3, 1, 2}, {4, 4, 4}};
    for (int i = 0; i < 5; i++) {
        drawn[i] = t.r->pile[0];
        play_card(&t, v[i]);
    }
    assert_int_equal(tg_close(&t, 1, "done"), VP_OK);
    const game_summary *s = tg_ev(&t, GAME_EV_CLOSED)->u.closed.summary;
    assert_int_equal(s->n_cards, 5);
    /* means: 2, nil, 4, 2, 4 → 4 (3rd), 4 (5th), 2 (1st), 2 (4th), nil (2nd) */
    const int expect[5] = {2, 4, 0, 3, 1};
    for (int i = 0; i < 5; i++)
        assert_string_equal(s->cards[i].card.s, room_card_id(t.r, drawn[expect[i]]));
    assert_int_equal(s->cards[4].stats.n, 0);
    assert_int_equal(s->cards[4].agreement, GAME_AGREE_NONE);
    assert_int_equal(s->cards[0].agreement, GAME_AGREE_MIXED);
    assert_int_equal(s->cards[1].agreement, GAME_AGREE_CONSENSUS);
    tg_free(&t);
}

static void test_summary_categories_count_cards_and_average_card_means(void **state)
{
    (void)state;
    tg t;
    vp_opts o = tg_opts();
    o.set = VP_OPT_MODE | VP_OPT_CATEGORIES;
    o.mode = VP_MODE_DECK;
    o.n_categories = 2;
    o.categories[0] = S("a");
    o.categories[1] = S("c");
    room4(&t, &o);
    double sum[3] = {0};
    uint32_t count[3] = {0}, with_mean[3] = {0};
    const int v[3][3] = {{1, 2, 3}, {5, 5, 5}, {-1, -2, -2}};
    for (int i = 0; i < 3; i++) {
        int cat = t.deck->cards[t.r->pile[0]].id[0] - 'a';
        play_card(&t, v[i]);
        count[cat]++;
        const done_card *dc = &t.r->rounds[0].done[i];
        if (dc->stats.n) {
            sum[cat] += dc->stats.mean;
            with_mean[cat]++;
        }
    }
    tg_close(&t, 1, "");
    const game_summary *s = tg_ev(&t, GAME_EV_CLOSED)->u.closed.summary;
    assert_int_equal(s->n_categories, 2); /* the round's categories, deck order */
    assert_string_equal(s->categories[0].category.s, "a");
    assert_string_equal(s->categories[1].category.s, "c");
    for (int k = 0; k < 2; k++) {
        int cat = k == 0 ? 0 : 2;
        assert_int_equal(s->categories[k].cards, count[cat]);
        assert_int_equal(s->categories[k].has_mean, with_mean[cat] > 0);
        if (with_mean[cat])
            assert_true(s->categories[k].mean == sum[cat] / with_mean[cat]);
    }
    tg_free(&t);
}

static void test_summary_players_are_those_with_a_counted_non_pass_vote(void **state)
{
    (void)state;
    tg t;
    vp_opts o = tg_opts();
    o.set = VP_OPT_MODE | VP_OPT_FACILITATOR_PLAYS;
    o.mode = VP_MODE_DECK;
    o.facilitator_plays = true;
    room4(&t, &o);
    uint32_t sid = tg_seat(&t, 1, "Sid");
    assert_int_equal(tg_simple(&t, 1, VP_T_DRAW), VP_OK);
    tg_vote(&t, 1, 3);          /* the facilitator: not a player */
    tg_vote(&t, 2, -1);         /* a pass: not counted */
    tg_vote_for(&t, 1, sid, 4); /* seated: counted */
    tg_vote(&t, 4, 2);          /* dropped by the revote below */
    tg_simple(&t, 1, VP_T_REVEAL);
    tg_simple(&t, 1, VP_T_REVOTE);
    tg_vote(&t, 3, 5);
    tg_vote_for(&t, 1, sid, 1);
    tg_simple(&t, 1, VP_T_NEXT);
    tg_close(&t, 1, "");
    const game_summary *s = tg_ev(&t, GAME_EV_CLOSED)->u.closed.summary;
    assert_int_equal(s->n_players, 2);
    assert_int_equal(s->players[0], 3);
    assert_int_equal(s->players[1], sid);
    assert_int_equal(s->started_at, t.r->rounds[0].started_at);
    tg_free(&t);
}

/* In an anonymous round, the list of players with a non-pass vote would
 * name whoever passed on a card everyone else voted on: the summary leaves
 * `players` out, in the event, the View, the replay and after a rebuild. */
static void test_anonymous_summary_names_no_players(void **state)
{
    (void)state;
    tg t;
    vp_opts o = tg_opts();
    o.set = VP_OPT_MODE | VP_OPT_ANONYMOUS;
    o.mode = VP_MODE_DECK;
    o.anonymous = true;
    room4(&t, &o);
    assert_int_equal(tg_simple(&t, 1, VP_T_DRAW), VP_OK);
    tg_vote(&t, 2, 4);
    tg_vote(&t, 3, 5);
    tg_vote(&t, 4, -1); /* Cat passes; everyone else voted */
    tg_close(&t, 1, "");
    const game_summary *s = tg_ev(&t, GAME_EV_CLOSED)->u.closed.summary;
    assert_false(s->has_players);
    assert_int_equal(s->cards[0].stats.pass, 1);
    tg_packed p;
    tg_filtered(&t, event_index(&t, GAME_EV_CLOSED), 2, &p);
    assert_non_null(mp_get(p.o, "summary"));
    assert_null(mp_get(mp_get(p.o, "summary"), "players"));
    tg_packed_free(&p);
    tg_view(&t, 3, &p);
    assert_null(mp_get(mp_get(p.o, "summary"), "players"));
    tg_packed_free(&p);
    uint32_t n;
    replay_of(&t, &p, &n);
    assert_null(mp_get(mp_get(replay_find(&p, "closed", 0), "summary"), "players"));
    tg_packed_free(&p);
    assert_true(tg_rebuild_equal(&t));
    /* The next round, not anonymous, names them again. */
    o.set = VP_OPT_ANONYMOUS;
    o.anonymous = false;
    assert_int_equal(tg_start_with(&t, 1, &o), VP_OK);
    assert_int_equal(tg_simple(&t, 1, VP_T_DRAW), VP_OK);
    tg_vote(&t, 2, 4);
    tg_close(&t, 1, "");
    s = tg_ev(&t, GAME_EV_CLOSED)->u.closed.summary;
    assert_true(s->has_players);
    assert_int_equal(s->n_players, 1);
    tg_free(&t);
}

static void test_unpack_refuses_malformed_events(void **state)
{
    (void)state;
    const char *bad[] = {
        "\x81\xa1"
        "e\xa5"
        "bogus", /* unknown event */
        "\x83\xa3seq\x01\xa2"
        "at\x01\xa1"
        "e\xa4turn", /* turn without player */
        "\x84\xa3seq\x01\xa2"
        "at\x01\xa1"
        "e\xa4turn\xa6player\xa1x", /* player not an id */
        "\x83\xa3seq\x01\xa2"
        "at\x01\xa1"
        "e\xa5voted", /* voted without fields */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        msgpack_unpacked up;
        msgpack_unpacked_init(&up);
        assert_int_equal(msgpack_unpack_next(&up, bad[i], strlen(bad[i]), NULL), MSGPACK_UNPACK_SUCCESS);
        game_event e;
        char err[200];
        assert_int_equal(game_unpack_event(&up.data, &e, err, sizeof err), -1);
        assert_true(strlen(err) > 0);
        msgpack_unpacked_destroy(&up);
    }
}

static void test_apply_refuses_event_that_does_not_fit(void **state)
{
    (void)state;
    tg t;
    room4(&t, NULL);
    msgpack_sbuffer before, after;
    tg_dump(t.r, &before);
    game_event e = {.seq = room_seq(t.r) + 1, .kind = GAME_EV_PLAYED};
    e.u.played.player = 3; /* a card Bob does not hold */
    strcpy(e.u.played.card.s, room_card_id(t.r, room_member(t.r, 2)->hand[0]));
    assert_int_equal(game_apply(t.r, &e), -1);
    game_event gap = {.seq = room_seq(t.r) + 2, .kind = GAME_EV_LOCKED};
    assert_int_equal(game_apply(t.r, &gap), -1);
    /* The same pile card dealt twice in one event. */
    game_hand hands[2] = {{.player = 2, .n_cards = 1}, {.player = 3, .n_cards = 1}};
    strcpy(hands[0].cards[0].s, room_card_id(t.r, t.r->pile[0]));
    strcpy(hands[1].cards[0].s, room_card_id(t.r, t.r->pile[0]));
    game_event twice = {.seq = room_seq(t.r) + 1, .kind = GAME_EV_DEALT};
    twice.u.dealt.hands = hands;
    twice.u.dealt.n_hands = 2;
    assert_int_equal(game_apply(t.r, &twice), -1);
    tg_dump(t.r, &after);
    assert_int_equal(before.size, after.size);
    assert_memory_equal(before.data, after.data, before.size);
    msgpack_sbuffer_destroy(&before);
    msgpack_sbuffer_destroy(&after);
    tg_free(&t);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_median_of_even_count_is_mean_of_middle_two),
        cmocka_unit_test(test_stats_hist_has_one_count_per_scale_value),
        cmocka_unit_test(test_stats_figures_are_nil_without_votes),
        cmocka_unit_test(test_agreement_within_one_step_is_consensus),
        cmocka_unit_test(test_agreement_opposed_needs_a_quarter_at_each_end),
        cmocka_unit_test(test_summary_sorted_by_mean_nil_last_ties_in_play_order),
        cmocka_unit_test(test_summary_categories_count_cards_and_average_card_means),
        cmocka_unit_test(test_summary_players_are_those_with_a_counted_non_pass_vote),
        cmocka_unit_test(test_anonymous_summary_names_no_players),
        cmocka_unit_test(test_unpack_refuses_malformed_events),
        cmocka_unit_test(test_apply_refuses_event_that_does_not_fit),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
