/* test_game_rules_votes: the rules of SPEC.md §2–§4 on votes: voting, the auto-reveal and its hold, revote and reveal. */
#include "test_game_rules_util.h"

/* ---- votes ---- */

static void test_vote_changeable_until_reveal(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    assert_int_equal(tg_vote(&t, 3, 2), VP_OK);
    assert_int_equal(tg_vote(&t, 3, 5), VP_OK);
    assert_int_equal(t.r->table.n_votes, 1);
    assert_int_equal(t.r->table.votes[0].value, 5);
    assert_int_equal(tg_simple(&t, 1, VP_T_REVEAL), VP_OK);
    assert_int_equal(tg_vote(&t, 3, 1), VP_WRONG_PHASE);
    tg_free(&t);
}

static void test_vote_outside_scale_is_bad_vote(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    assert_int_equal(tg_vote(&t, 3, 0), VP_BAD_VOTE);
    assert_int_equal(tg_vote(&t, 3, 6), VP_BAD_VOTE);
    assert_int_equal(tg_vote(&t, 3, 1), VP_OK);
    assert_int_equal(tg_vote(&t, 3, 5), VP_OK);
    tg_free(&t);
}

static void test_screen_cannot_vote(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    uint32_t scr = tg_join(&t, "Scr", VP_ROLE_SCREEN);
    assert_int_equal(tg_vote(&t, scr, 3), VP_NOT_ALLOWED);
    tg_free(&t);
}

static void test_facilitator_votes_only_when_facilitator_plays(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    assert_int_equal(tg_vote(&t, 1, 3), VP_NOT_ALLOWED);
    tg_free(&t);
    tg_init(&t);
    tg_create(&t);
    tg_join(&t, "Ann", VP_ROLE_PLAYER);
    vp_opts o = tg_opts();
    o.set = VP_OPT_FACILITATOR_PLAYS;
    o.facilitator_plays = true;
    assert_int_equal(tg_start_with(&t, 1, &o), VP_OK);
    assert_int_equal(tg_play_first(&t, 1), VP_OK);
    assert_int_equal(tg_vote(&t, 1, 3), VP_OK);
    tg_free(&t);
}

static void test_facilitator_votes_for_seated_player(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    uint32_t sid = tg_seat(&t, 1, "Sid");
    tg_start(&t, 1);
    tg_play_first(&t, 2);
    assert_int_equal(tg_vote_for(&t, 1, sid, 4), VP_OK);
    assert_int_equal(t.res.events[0].u.voted.vote.player, sid);
    assert_int_equal(t.r->table.votes[0].player, sid);
    tg_free(&t);
}

static void test_only_facilitator_votes_for_others_and_only_for_seated(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    uint32_t sid = tg_seat(&t, 1, "Sid");
    tg_start(&t, 1);
    tg_play_first(&t, 2);
    assert_int_equal(tg_vote_for(&t, 3, sid, 4), VP_NOT_ALLOWED);
    assert_int_equal(tg_vote_for(&t, 1, 3, 4), VP_NOT_ALLOWED);
    assert_int_equal(tg_vote_for(&t, 1, 77, 4), VP_BAD_REQUEST);
    tg_free(&t);
}

static void test_card_owner_votes_too(void **state)
{
    (void)state;
    tg t;
    uint32_t owner = room4_card_on_table(&t);
    assert_int_equal(tg_vote(&t, owner, 5), VP_OK);
    tg_free(&t);
}

static void test_vote_with_empty_table_is_no_card(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    assert_int_equal(tg_vote(&t, 2, 3), VP_NO_CARD);
    tg_free(&t);
}

static void test_pass_is_a_vote_but_not_in_stats(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    assert_int_equal(tg_vote(&t, 2, -1), VP_OK);
    assert_true(t.res.events[0].u.voted.vote.pass);
    assert_int_equal(tg_vote(&t, 3, 4), VP_OK);
    assert_int_equal(tg_vote(&t, 4, -1), VP_OK);
    /* Everyone voted (two passes): auto-reveal. */
    const game_event *rv = tg_ev(&t, GAME_EV_REVEALED);
    assert_non_null(rv);
    assert_int_equal(rv->u.revealed.n_votes, 3);
    assert_int_equal(rv->u.revealed.stats.n, 1);
    assert_int_equal(rv->u.revealed.stats.pass, 2);
    tg_free(&t);
}

/* ---- auto-reveal ---- */

static void test_auto_reveal_when_every_online_eligible_voter_voted(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    assert_int_equal(tg_vote(&t, 2, 3), VP_OK);
    assert_string_equal(tg_kinds(&t), "voted");
    assert_int_equal(tg_vote(&t, 3, 3), VP_OK);
    assert_string_equal(tg_kinds(&t), "voted");
    assert_int_equal(tg_vote(&t, 4, 4), VP_OK);
    assert_string_equal(tg_kinds(&t), "voted,revealed");
    assert_true(t.r->table.revealed);
    tg_free(&t);
}

static void test_auto_reveal_ignores_offline_players(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    assert_int_equal(tg_offline(&t, 4), VP_OK);
    assert_int_equal(tg_vote(&t, 2, 3), VP_OK);
    assert_int_equal(tg_vote(&t, 3, 3), VP_OK);
    assert_string_equal(tg_kinds(&t), "voted,revealed");
    tg_free(&t);
}

static void test_auto_reveal_when_last_missing_voter_goes_offline(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    tg_vote(&t, 2, 3);
    tg_vote(&t, 3, 3);
    assert_false(t.r->table.revealed);
    assert_int_equal(tg_offline(&t, 4), VP_OK);
    assert_string_equal(tg_kinds(&t), "presence,revealed");
    tg_free(&t);
}

static void test_auto_reveal_when_last_missing_voter_leaves(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    tg_vote(&t, 2, 3);
    tg_vote(&t, 3, 3);
    assert_int_equal(tg_simple(&t, 4, VP_T_LEAVE), VP_OK);
    assert_string_equal(tg_kinds(&t), "left,order,revealed");
    tg_free(&t);
}

static void test_auto_reveal_when_last_missing_voter_is_kicked(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    tg_vote(&t, 2, 3);
    tg_vote(&t, 3, 3);
    assert_int_equal(tg_target(&t, 1, VP_T_KICK, 4), VP_OK);
    assert_string_equal(tg_kinds(&t), "left,order,revealed,rekeyed");
    tg_free(&t);
}

static void test_auto_reveal_seated_players_never_hold_it_up(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_seat(&t, 1, "Sid");
    tg_start(&t, 1);
    tg_play_first(&t, 2);
    tg_vote(&t, 2, 3);
    tg_vote(&t, 3, 3);
    tg_vote(&t, 4, 3);
    assert_string_equal(tg_kinds(&t), "voted,revealed");
    tg_free(&t);
}

static void test_auto_reveal_ignores_members_who_joined_after_the_play(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    uint32_t late = tg_join(&t, "Late", VP_ROLE_PLAYER);
    assert_int_not_equal(late, 0);
    tg_vote(&t, 2, 3);
    tg_vote(&t, 3, 3);
    tg_vote(&t, 4, 3);
    assert_string_equal(tg_kinds(&t), "voted,revealed");
    tg_free(&t);
}

static void test_auto_reveal_off_waits_for_the_facilitator(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    vp_opts o = tg_opts();
    o.set = VP_OPT_AUTO_REVEAL;
    o.auto_reveal = false;
    tg_start_with(&t, 1, &o);
    tg_play_first(&t, 2);
    tg_vote(&t, 2, 3);
    tg_vote(&t, 3, 3);
    tg_vote(&t, 4, 3);
    assert_string_equal(tg_kinds(&t), "voted");
    assert_int_equal(tg_simple(&t, 2, VP_T_REVEAL), VP_NOT_ALLOWED);
    assert_int_equal(tg_simple(&t, 1, VP_T_REVEAL), VP_OK);
    assert_string_equal(tg_kinds(&t), "revealed");
    tg_free(&t);
}

static void test_auto_reveal_needs_an_online_eligible_voter(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    uint32_t sid = tg_seat(&t, 1, "Sid");
    tg_start(&t, 1);
    tg_play_first(&t, 2);
    tg_offline(&t, 2);
    tg_offline(&t, 3);
    tg_offline(&t, 4);
    /* Only a seated player's vote, nobody eligible online: no reveal. */
    assert_int_equal(tg_vote_for(&t, 1, sid, 3), VP_OK);
    assert_string_equal(tg_kinds(&t), "voted");
    assert_false(t.r->table.revealed);
    tg_free(&t);
}

static void test_auto_reveal_needs_at_least_one_vote(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    tg_offline(&t, 3);
    tg_offline(&t, 4);
    assert_int_equal(tg_simple(&t, 2, VP_T_LEAVE), VP_OK);
    assert_string_equal(tg_kinds(&t), "left,order");
    assert_false(t.r->table.revealed);
    tg_free(&t);
}

static void test_auto_reveal_when_a_voter_comes_back_online(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    tg_vote(&t, 2, 3);
    tg_offline(&t, 2);
    tg_offline(&t, 3);
    tg_offline(&t, 4);
    assert_false(t.r->table.revealed);
    assert_int_equal(tg_online(&t, 2), VP_OK);
    assert_string_equal(tg_kinds(&t), "presence,revealed");
    tg_free(&t);
}

/* ---- a phone asleep holds the auto-reveal (§3) ---- */

#define HOLD_MS 120000ull

static void test_auto_reveal_held_by_a_voter_away_less_than_the_hold(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    t.env.away_hold_ms = HOLD_MS;
    tg_vote(&t, 2, 3);
    tg_vote(&t, 3, 3);
    assert_int_equal(tg_offline(&t, 4), VP_OK);
    uint64_t gone = t.now;
    assert_string_equal(tg_kinds(&t), "presence");
    assert_int_equal(game_hold_ends(t.r, HOLD_MS), gone + HOLD_MS);
    t.now = gone + 60000;
    assert_int_equal(tg_recheck(&t), VP_OK);
    assert_int_equal(t.res.n_events, 0);
    assert_false(t.r->table.revealed);
    tg_free(&t);
}

static void test_auto_reveal_once_the_hold_has_passed(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    t.env.away_hold_ms = HOLD_MS;
    tg_vote(&t, 2, 3);
    tg_vote(&t, 3, 3);
    tg_offline(&t, 4);
    uint64_t gone = t.now;
    /* tg_input moves the clock 1 s on before it decides. */
    t.now = gone + HOLD_MS - 1000;
    assert_int_equal(tg_recheck(&t), VP_OK);
    assert_string_equal(tg_kinds(&t), "revealed");
    assert_int_equal(game_hold_ends(t.r, HOLD_MS), 0);
    tg_free(&t);
}

static void test_auto_reveal_held_until_the_sleeper_votes(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    t.env.away_hold_ms = HOLD_MS;
    tg_offline(&t, 4);
    tg_vote(&t, 2, 3);
    assert_string_equal(tg_kinds(&t), "voted");
    tg_vote(&t, 3, 3);
    assert_string_equal(tg_kinds(&t), "voted");
    assert_int_equal(tg_online(&t, 4), VP_OK);
    assert_string_equal(tg_kinds(&t), "presence");
    assert_int_equal(tg_vote(&t, 4, 5), VP_OK);
    assert_string_equal(tg_kinds(&t), "voted,revealed");
    tg_free(&t);
}

static void test_auto_reveal_not_held_by_one_away_before_the_card_was_played(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    t.env.away_hold_ms = HOLD_MS;
    assert_int_equal(tg_start(&t, 1), VP_OK);
    tg_offline(&t, 4);
    assert_int_equal(tg_play_first(&t, 2), VP_OK);
    tg_vote(&t, 2, 3);
    tg_vote(&t, 3, 3);
    assert_string_equal(tg_kinds(&t), "voted,revealed");
    tg_free(&t);
}

static void test_auto_reveal_not_held_by_one_away_who_voted(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    t.env.away_hold_ms = HOLD_MS;
    tg_vote(&t, 4, 2);
    tg_offline(&t, 4);
    assert_int_equal(game_hold_ends(t.r, HOLD_MS), 0);
    tg_vote(&t, 2, 3);
    tg_vote(&t, 3, 3);
    assert_string_equal(tg_kinds(&t), "voted,revealed");
    tg_free(&t);
}

/* ---- revote, reveal ---- */

static void test_revote_clears_votes_and_reopens(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    tg_vote(&t, 2, 3);
    assert_int_equal(tg_simple(&t, 1, VP_T_REVOTE), VP_WRONG_PHASE);
    tg_simple(&t, 1, VP_T_REVEAL);
    assert_int_equal(tg_simple(&t, 2, VP_T_REVOTE), VP_NOT_ALLOWED);
    assert_int_equal(tg_simple(&t, 1, VP_T_REVOTE), VP_OK);
    assert_string_equal(tg_kinds(&t), "reopened");
    assert_false(t.r->table.revealed);
    assert_int_equal(t.r->table.n_votes, 0);
    assert_int_equal(tg_vote(&t, 2, 4), VP_OK);
    tg_free(&t);
}

static void test_reveal_twice_is_wrong_phase(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    assert_int_equal(tg_simple(&t, 1, VP_T_REVEAL), VP_OK);
    assert_int_equal(tg_simple(&t, 1, VP_T_REVEAL), VP_WRONG_PHASE);
    tg_free(&t);
}

static void test_reveal_with_empty_table_is_no_card(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    assert_int_equal(tg_simple(&t, 1, VP_T_REVEAL), VP_NO_CARD);
    tg_free(&t);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vote_changeable_until_reveal),
        cmocka_unit_test(test_vote_outside_scale_is_bad_vote),
        cmocka_unit_test(test_screen_cannot_vote),
        cmocka_unit_test(test_facilitator_votes_only_when_facilitator_plays),
        cmocka_unit_test(test_facilitator_votes_for_seated_player),
        cmocka_unit_test(test_only_facilitator_votes_for_others_and_only_for_seated),
        cmocka_unit_test(test_card_owner_votes_too),
        cmocka_unit_test(test_vote_with_empty_table_is_no_card),
        cmocka_unit_test(test_pass_is_a_vote_but_not_in_stats),
        cmocka_unit_test(test_auto_reveal_when_every_online_eligible_voter_voted),
        cmocka_unit_test(test_auto_reveal_ignores_offline_players),
        cmocka_unit_test(test_auto_reveal_when_last_missing_voter_goes_offline),
        cmocka_unit_test(test_auto_reveal_when_last_missing_voter_leaves),
        cmocka_unit_test(test_auto_reveal_when_last_missing_voter_is_kicked),
        cmocka_unit_test(test_auto_reveal_seated_players_never_hold_it_up),
        cmocka_unit_test(test_auto_reveal_ignores_members_who_joined_after_the_play),
        cmocka_unit_test(test_auto_reveal_off_waits_for_the_facilitator),
        cmocka_unit_test(test_auto_reveal_needs_an_online_eligible_voter),
        cmocka_unit_test(test_auto_reveal_needs_at_least_one_vote),
        cmocka_unit_test(test_auto_reveal_when_a_voter_comes_back_online),
        cmocka_unit_test(test_auto_reveal_held_by_a_voter_away_less_than_the_hold),
        cmocka_unit_test(test_auto_reveal_once_the_hold_has_passed),
        cmocka_unit_test(test_auto_reveal_held_until_the_sleeper_votes),
        cmocka_unit_test(test_auto_reveal_not_held_by_one_away_before_the_card_was_played),
        cmocka_unit_test(test_auto_reveal_not_held_by_one_away_who_voted),
        cmocka_unit_test(test_revote_clears_votes_and_reopens),
        cmocka_unit_test(test_reveal_twice_is_wrong_phase),
        cmocka_unit_test(test_reveal_with_empty_table_is_no_card),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
