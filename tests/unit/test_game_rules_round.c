/* test_game_rules_round: the rules of SPEC.md §2–§4 on a round: start, dealing, turn order, the round options, windows, play and draw. */
#include "test_game_rules_util.h"

/* ---- start, dealing, turn order ---- */

static void test_start_only_by_facilitator(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    assert_int_equal(tg_start(&t, 2), VP_NOT_ALLOWED);
    assert_int_equal(room_phase(t.r), GAME_LOBBY);
    tg_free(&t);
}

static void test_start_while_playing_is_wrong_phase(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    assert_int_equal(tg_start(&t, 1), VP_OK);
    assert_string_equal(tg_kinds(&t), "round,dealt,turn");
    assert_int_equal(tg_start(&t, 1), VP_WRONG_PHASE);
    tg_free(&t);
}

static void test_start_deals_round_robin_from_shuffled_pile(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    assert_int_equal(tg_start(&t, 1), VP_OK);
    const game_event *rd = tg_ev(&t, GAME_EV_ROUND), *dl = tg_ev(&t, GAME_EV_DEALT);
    assert_int_equal(rd->u.round.pile, TG_DECK_CARDS);
    /* Rebuild the pile from the seed with the documented shuffle. */
    uint16_t pile[TG_DECK_CARDS];
    for (uint16_t i = 0; i < TG_DECK_CARDS; i++)
        pile[i] = i;
    shuffle_items(pile, TG_DECK_CARDS, rd->u.round.seed);
    assert_int_equal(dl->u.dealt.n_hands, 3);
    for (uint32_t p = 0; p < 3; p++) {
        const game_hand *h = &dl->u.dealt.hands[p];
        assert_int_equal(h->player, rd->u.round.order[p]);
        assert_int_equal(h->n_cards, 3);
        for (uint32_t k = 0; k < 3; k++)
            assert_string_equal(h->cards[k].s, t.deck->cards[pile[k * 3 + p]].id);
    }
    assert_int_equal(t.r->n_pile, TG_DECK_CARDS - 9);
    assert_int_equal(t.r->pile[0], pile[9]);
    tg_free(&t);
}

static void test_start_deals_until_pile_runs_out(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    vp_opts o = tg_opts();
    o.set = VP_OPT_CATEGORIES;
    o.n_categories = 1;
    o.categories[0] = S("a");
    assert_int_equal(tg_start_with(&t, 1, &o), VP_OK);
    const game_event *dl = tg_ev(&t, GAME_EV_DEALT);
    assert_int_equal(dl->u.dealt.hands[0].n_cards, 2);
    assert_int_equal(dl->u.dealt.hands[1].n_cards, 1);
    assert_int_equal(dl->u.dealt.hands[2].n_cards, 1);
    assert_int_equal(t.r->n_pile, 0);
    tg_free(&t);
}

static void test_start_categories_filter_the_round(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    vp_opts o = tg_opts();
    o.set = VP_OPT_CATEGORIES;
    o.n_categories = 2;
    o.categories[0] = S("b");
    o.categories[1] = S("c");
    assert_int_equal(tg_start_with(&t, 1, &o), VP_OK);
    assert_int_equal(tg_ev(&t, GAME_EV_ROUND)->u.round.pile, 8);
    for (uint32_t i = 0; i < t.r->n_members; i++)
        for (uint32_t k = 0; k < t.r->members[i].n_hand; k++)
            assert_int_not_equal(t.deck->cards[t.r->members[i].hand[k]].id[0], 'a');
    tg_free(&t);
}

/* ---- format 2 round options: kinds, audience, bookends ---- */

/* A format 2 deck in place of the test deck (same id): an opener for the
 * team, two topics (one for everyone), a story and a closer. */
static const char tg_deck_v2_json[] =
    "{\"format\":2,\"id\":\"test-deck\",\"version\":1,\"title\":{\"nl\":\"T\",\"en\":\"T\"},"
    "\"scale\":{\"min\":1,\"max\":5,\"labels\":{\"nl\":[\"1\",\"2\",\"3\",\"4\",\"5\"],\"en\":[\"1\",\"2\",\"3\",\"4\","
    "\"5\"]}},"
    "\"audiences\":[{\"id\":\"iedereen\",\"title\":{\"nl\":\"I\",\"en\":\"E\"}},{\"id\":\"team\",\"title\":{\"nl\":"
    "\"T\",\"en\":\"S\"}}],"
    "\"categories\":[{\"id\":\"a\",\"title\":{\"nl\":\"A\",\"en\":\"A\"},\"color\":\"#123456\"}],"
    "\"cards\":["
    "{\"id\":\"o1\",\"category\":\"a\",\"kind\":\"opener\",\"audience\":[\"team\"],\"title\":{\"nl\":\"o\",\"en\":"
    "\"o\"},\"prompt\":{\"nl\":\"o?\",\"en\":\"o?\"}},"
    "{\"id\":\"t1\",\"category\":\"a\",\"title\":{\"nl\":\"t\",\"en\":\"t\"},\"prompt\":{\"nl\":\"t?\",\"en\":\"t?\"}},"
    "{\"id\":\"t2\",\"category\":\"a\",\"audience\":[\"iedereen\"],\"title\":{\"nl\":\"t\",\"en\":\"t\"},\"prompt\":{"
    "\"nl\":\"t?\",\"en\":\"t?\"}},"
    "{\"id\":\"s1\",\"category\":\"a\",\"kind\":\"story\",\"title\":{\"nl\":\"s\",\"en\":\"s\"},\"prompt\":{\"nl\":\"s?"
    "\",\"en\":\"s?\"}},"
    "{\"id\":\"c1\",\"category\":\"a\",\"kind\":\"closer\",\"title\":{\"nl\":\"c\",\"en\":\"c\"},\"prompt\":{\"nl\":"
    "\"c?\",\"en\":\"c?\"}}]}";

static void room_v2(tg *t)
{
    tg_init(t);
    deck_unref(t->deck);
    char err[256];
    if (deck_parse_json(tg_deck_v2_json, sizeof tg_deck_v2_json - 1, "v2.json", &t->deck, err, sizeof err))
        fail_msg("deck: %s", err);
    t->decks[0] = t->deck;
    vp_opts o = tg_opts();
    o.mode = VP_MODE_DECK;
    tg_create_with(t, "Fac", &o);
    assert_int_not_equal(tg_join(t, "Ann", VP_ROLE_PLAYER), 0);
}

static void test_start_kinds_filter_the_round(void **state)
{
    (void)state;
    tg t;
    room_v2(&t);
    vp_opts o = tg_opts();
    o.mode = VP_MODE_DECK;
    o.set = VP_OPT_KINDS | VP_OPT_MODE;
    o.n_kinds = 2;
    o.kinds[0] = S("closer");
    o.kinds[1] = S("story");
    assert_int_equal(tg_start_with(&t, 1, &o), VP_OK);
    assert_int_equal(tg_ev(&t, GAME_EV_ROUND)->u.round.pile, 2);
    assert_int_equal(t.r->opts.kinds, (1u << DECK_KIND_STORY) | (1u << DECK_KIND_CLOSER));
    tg_free(&t);
}

static void test_start_unknown_kind_is_bad_request(void **state)
{
    (void)state;
    tg t;
    room_v2(&t);
    vp_opts o = tg_opts();
    o.set = VP_OPT_KINDS;
    o.n_kinds = 1;
    o.kinds[0] = S("intro");
    assert_int_equal(tg_start_with(&t, 1, &o), VP_BAD_REQUEST);
    assert_int_equal(t.r->phase, GAME_LOBBY);
    tg_free(&t);
}

static void test_start_audience_keeps_cards_for_everyone(void **state)
{
    (void)state;
    tg t;
    room_v2(&t);
    vp_opts o = tg_opts();
    o.mode = VP_MODE_DECK;
    o.set = VP_OPT_AUDIENCE | VP_OPT_MODE;
    o.audience = S("team");
    assert_int_equal(tg_start_with(&t, 1, &o), VP_OK);
    /* o1 (team) and t1, s1, c1 (no audience: every audience); not t2. */
    assert_int_equal(tg_ev(&t, GAME_EV_ROUND)->u.round.pile, 4);
    for (uint32_t i = 0; i < t.r->n_pile; i++)
        assert_string_not_equal(room_card_id(t.r, t.r->pile[i]), "t2");
    tg_free(&t);
}

static void test_start_unknown_audience_is_bad_request(void **state)
{
    (void)state;
    tg t;
    room_v2(&t);
    vp_opts o = tg_opts();
    o.set = VP_OPT_AUDIENCE;
    o.audience = S("ouders");
    assert_int_equal(tg_start_with(&t, 1, &o), VP_BAD_REQUEST);
    tg_free(&t);
}

static void test_start_kinds_on_v1_deck_is_bad_request(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    vp_opts o = tg_opts();
    o.set = VP_OPT_KINDS;
    o.n_kinds = 1;
    o.kinds[0] = S("opener");
    assert_int_equal(tg_start_with(&t, 1, &o), VP_BAD_REQUEST);
    tg_free(&t);
}

static void test_start_bookends_draw_opener_first_closer_last(void **state)
{
    (void)state;
    /* Several seeds: without bookends some shuffle puts them elsewhere. */
    for (uint64_t seed = 1; seed <= 8; seed++) {
        tg t;
        room_v2(&t);
        t.rng = seed;
        vp_opts o = tg_opts();
        o.mode = VP_MODE_DECK;
        o.set = VP_OPT_BOOKENDS | VP_OPT_MODE;
        o.bookends = true;
        assert_int_equal(tg_start_with(&t, 1, &o), VP_OK);
        assert_int_equal(t.r->n_pile, 5);
        assert_string_equal(room_card_id(t.r, t.r->pile[0]), "o1");
        assert_string_equal(room_card_id(t.r, t.r->pile[4]), "c1");
        assert_true(t.r->opts.bookends);
        tg_free(&t);
    }
}

/* ---- windows (SPEC.md §5.3) ---- */

/* A facilitator (1) and players 2..1+n; each player i gets windows[i] ("" =
 * none); a drawn card on the table, in an anonymous round or not. */
static void room_windows(tg *t, uint32_t n, const char *const *windows, bool anonymous)
{
    static const char *const names[] = {"Ann", "Bob", "Cat", "Dan", "Eve", "Fay", "Gus"};
    tg_init(t);
    assert_int_equal(tg_create(t), 1);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t id = tg_join(t, names[i], VP_ROLE_PLAYER);
        assert_int_equal(id, i + 2);
        if (windows[i][0])
            assert_int_equal(tg_window(t, id, windows[i], 0, false), VP_OK);
    }
    vp_opts o = tg_opts();
    o.set = VP_OPT_MODE | VP_OPT_ANONYMOUS;
    o.mode = VP_MODE_DECK;
    o.anonymous = anonymous;
    assert_int_equal(tg_start_with(t, 1, &o), VP_OK);
    assert_int_equal(tg_simple(t, 1, VP_T_DRAW), VP_OK);
}

/* Everyone votes (values 1..5 in turn); returns the reveal's windows as "w1:3,w2:3". */
static const char *vote_all(tg *t, uint32_t n, char *out, size_t size)
{
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(tg_vote(t, i + 2, (int)(i % 5) + 1), VP_OK);
    const game_event *e = tg_ev(t, GAME_EV_REVEALED);
    assert_non_null(e);
    assert_true(e->u.revealed.windows.has);
    out[0] = 0;
    for (uint32_t i = 0; i < e->u.revealed.windows.n; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s%s:%u", i ? "," : "", e->u.revealed.windows.w[i].window.s,
                 e->u.revealed.windows.w[i].stats.n);
    return out;
}

static void test_windows_anonymous_window_of_two_shows_nothing(void **state)
{
    (void)state;
    tg t;
    char got[128];
    static const char *const w[] = {"w1", "w1", "w1", "w2", "w2", ""};
    room_windows(&t, 6, w, true);
    /* w2 has 2 votes; the rest (w2 and no window) 3, so w1 may show. */
    assert_string_equal(vote_all(&t, 6, got, sizeof got), "w1:3");
    tg_free(&t);
}

static void test_windows_anonymous_windows_of_three_show(void **state)
{
    (void)state;
    tg t;
    char got[128];
    static const char *const w[] = {"w1", "w1", "w1", "w2", "w2", "w2"};
    room_windows(&t, 6, w, true);
    assert_string_equal(vote_all(&t, 6, got, sizeof got), "w1:3,w2:3");
    /* The figures travel to the summary. */
    assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_OK);
    vp_intent it = {.t = VP_T_CLOSE};
    assert_int_equal(tg_do(&t, 1, &it), VP_OK);
    const game_summary *s = tg_ev(&t, GAME_EV_CLOSED)->u.closed.summary;
    assert_true(s->cards[0].windows.has);
    assert_int_equal(s->cards[0].windows.n, 2);
    tg_free(&t);
}

static void test_windows_anonymous_no_figures_when_subtraction_would_tell(void **state)
{
    (void)state;
    tg t;
    char got[128];
    /* Showing w1 next to the overall figures would give away w2's two votes. */
    static const char *const w[] = {"w1", "w1", "w1", "w2", "w2"};
    room_windows(&t, 5, w, true);
    assert_string_equal(vote_all(&t, 5, got, sizeof got), "");
    tg_free(&t);
}

static void test_windows_open_round_shows_every_window(void **state)
{
    (void)state;
    tg t;
    char got[128];
    static const char *const w[] = {"w1", "w2", ""};
    room_windows(&t, 3, w, false);
    assert_string_equal(vote_all(&t, 3, got, sizeof got), "w1:1,w2:1");
    tg_free(&t);
}

static void test_windows_change_only_between_cards(void **state)
{
    (void)state;
    tg t;
    static const char *const w[] = {"w1", "w2"};
    room_windows(&t, 2, w, false);
    assert_int_equal(tg_window(&t, 2, "w3", 0, false), VP_WRONG_PHASE);
    assert_int_equal(tg_window(&t, 2, "w9", 0, false), VP_BAD_REQUEST);
    assert_int_equal(tg_window(&t, 2, "w3", 3, false), VP_NOT_ALLOWED); /* a player for someone else */
    assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_OK);
    assert_int_equal(tg_window(&t, 1, "w3", 2, false), VP_OK); /* the facilitator assigns */
    assert_int_equal(room_member(t.r, 2)->window, 3);
    assert_int_equal(tg_window(&t, 2, "", 0, false), VP_OK);
    assert_int_equal(room_member(t.r, 2)->window, 0);
    tg_free(&t);
}

static void test_windows_empty_chair_for_the_table_card(void **state)
{
    (void)state;
    tg t;
    static const char *const w[] = {"w1", "w2"};
    room_windows(&t, 2, w, false);
    assert_int_equal(tg_window(&t, 1, "w1", 0, true), VP_BAD_REQUEST); /* Ann holds w1 */
    assert_int_equal(tg_window(&t, 2, "w3", 0, true), VP_NOT_ALLOWED);
    assert_int_equal(tg_window(&t, 1, "w3", 0, true), VP_OK);
    assert_int_equal(tg_ev(&t, GAME_EV_WINDOWED)->u.windowed.player, 0);
    assert_int_equal(t.r->table.chair, 3);
    assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_OK);
    assert_int_equal(t.r->table.chair, 0); /* it goes with the card */
    assert_int_equal(tg_window(&t, 1, "w3", 0, true), VP_NO_CARD);
    tg_free(&t);
}

static void test_windows_refused_for_a_deck_without_windows(void **state)
{
    (void)state;
    tg t;
    room_v2(&t); /* the kinds deck has no windows */
    assert_int_equal(tg_window(&t, 2, "w1", 0, false), VP_BAD_REQUEST);
    tg_free(&t);
}

static void test_start_unknown_category_is_bad_request(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    vp_opts o = tg_opts();
    o.set = VP_OPT_CATEGORIES;
    o.n_categories = 1;
    o.categories[0] = S("zz");
    assert_int_equal(tg_start_with(&t, 1, &o), VP_BAD_REQUEST);
    tg_free(&t);
}

static void test_start_opts_apply_from_this_round_on(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    vp_opts o = tg_opts();
    o.set = VP_OPT_HAND | VP_OPT_ANONYMOUS;
    o.hand = 2;
    o.anonymous = true;
    assert_int_equal(tg_start_with(&t, 1, &o), VP_OK);
    assert_int_equal(tg_ev(&t, GAME_EV_DEALT)->u.dealt.hands[0].n_cards, 2);
    assert_true(tg_ev(&t, GAME_EV_ROUND)->u.round.opts.anonymous);
    assert_int_equal(tg_close(&t, 1, ""), VP_OK);
    /* A later start without opts keeps them; one with opts changes only those. */
    o.set = VP_OPT_HAND;
    o.hand = 1;
    assert_int_equal(tg_start_with(&t, 1, &o), VP_OK);
    assert_true(tg_ev(&t, GAME_EV_ROUND)->u.round.opts.anonymous);
    assert_int_equal(tg_ev(&t, GAME_EV_DEALT)->u.dealt.hands[0].n_cards, 1);
    tg_free(&t);
}

static void test_start_after_close_begins_a_new_round(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    assert_int_equal(tg_start(&t, 1), VP_OK);
    assert_int_equal(tg_close(&t, 1, "bye"), VP_OK);
    assert_int_equal(room_phase(t.r), GAME_CLOSED);
    assert_int_equal(tg_start(&t, 1), VP_OK);
    assert_int_equal(tg_ev(&t, GAME_EV_ROUND)->u.round.round, 2);
    assert_int_equal(room_phase(t.r), GAME_PLAYING);
    tg_free(&t);
}

static void test_turn_order_is_join_order_with_facilitator_when_plays(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    tg_join(&t, "Ann", VP_ROLE_PLAYER);
    tg_join(&t, "Scr", VP_ROLE_SCREEN);
    tg_join(&t, "Bob", VP_ROLE_PLAYER);
    tg_seat(&t, 1, "Sid");
    vp_opts o = tg_opts();
    o.set = VP_OPT_FACILITATOR_PLAYS;
    o.facilitator_plays = true;
    assert_int_equal(tg_start_with(&t, 1, &o), VP_OK);
    const game_event *rd = tg_ev(&t, GAME_EV_ROUND);
    assert_int_equal(rd->u.round.n_order, 3);
    assert_int_equal(rd->u.round.order[0], 1);
    assert_int_equal(rd->u.round.order[1], 2);
    assert_int_equal(rd->u.round.order[2], 4);
    assert_int_equal(tg_ev(&t, GAME_EV_TURN)->u.turn.player, 1);
    assert_int_equal(tg_close(&t, 1, ""), VP_OK);
    o.facilitator_plays = false;
    assert_int_equal(tg_start_with(&t, 1, &o), VP_OK);
    assert_int_equal(tg_ev(&t, GAME_EV_ROUND)->u.round.n_order, 2);
    tg_free(&t);
}

static void test_seated_player_holds_no_cards_and_takes_no_turn(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    tg_join(&t, "Ann", VP_ROLE_PLAYER);
    uint32_t sid = tg_seat(&t, 1, "Sid");
    assert_int_equal(sid, 3);
    const game_event *j = tg_ev(&t, GAME_EV_JOINED);
    assert_true(j->u.joined.seated);
    assert_false(j->u.joined.has_token_hash);
    assert_int_equal(j->u.joined.role, VP_ROLE_PLAYER);
    assert_int_equal(tg_start(&t, 1), VP_OK);
    assert_int_equal(room_member(t.r, sid)->n_hand, 0);
    for (uint32_t i = 0; i < t.r->n_order; i++)
        assert_int_not_equal(t.r->order[i], sid);
    tg_free(&t);
}

static void test_seat_only_by_facilitator(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    assert_int_equal(tg_seat(&t, 2, "Sid"), 0);
    assert_int_equal(t.res.code, VP_NOT_ALLOWED);
    tg_free(&t);
}

/* ---- play, draw ---- */

static void test_play_not_your_turn(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    assert_int_equal(tg_play_first(&t, 3), VP_NOT_YOUR_TURN);
    tg_free(&t);
}

static void test_play_card_not_in_hand_is_no_card(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    /* A card Bob holds, played by Ann whose turn it is. */
    const member *bob = room_member(t.r, 3);
    char card[GAME_ID_SIZE];
    strcpy(card, room_card_id(t.r, bob->hand[0]));
    assert_int_equal(tg_play(&t, 2, card), VP_NO_CARD);
    assert_int_equal(tg_play(&t, 2, "no-such-card"), VP_NO_CARD);
    tg_free(&t);
}

static void test_play_with_card_on_table_is_wrong_phase(void **state)
{
    (void)state;
    tg t;
    uint32_t turn = room4_card_on_table(&t);
    assert_int_equal(tg_play_first(&t, turn), VP_WRONG_PHASE);
    tg_free(&t);
}

static void test_play_moves_card_from_hand_to_table(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    uint16_t card = room_member(t.r, 2)->hand[0];
    assert_int_equal(tg_play_first(&t, 2), VP_OK);
    assert_string_equal(tg_kinds(&t), "played");
    assert_int_equal(t.res.events[0].u.played.player, 2);
    assert_true(t.r->table.has);
    assert_int_equal(t.r->table.card, card);
    assert_int_equal(room_member(t.r, 2)->n_hand, 2);
    tg_free(&t);
}

static void test_play_outside_a_round_is_wrong_phase(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    assert_int_equal(tg_play(&t, 2, "a1"), VP_WRONG_PHASE);
    tg_free(&t);
}

static void test_deck_mode_has_no_hands_and_the_facilitator_draws(void **state)
{
    (void)state;
    tg t;
    start_deck_mode(&t);
    assert_string_equal(tg_kinds(&t), "round");
    assert_int_equal(t.r->n_order, 0);
    assert_int_equal(t.r->turn, 0);
    assert_int_equal(t.r->n_pile, TG_DECK_CARDS);
    uint16_t top = t.r->pile[0];
    assert_int_equal(tg_simple(&t, 2, VP_T_DRAW), VP_NOT_ALLOWED);
    assert_int_equal(tg_simple(&t, 1, VP_T_DRAW), VP_OK);
    assert_string_equal(tg_kinds(&t), "played");
    assert_int_equal(t.res.events[0].u.played.player, 0);
    assert_int_equal(t.r->table.card, top);
    assert_int_equal(tg_simple(&t, 1, VP_T_DRAW), VP_WRONG_PHASE);
    assert_int_equal(tg_play(&t, 2, "a1"), VP_WRONG_PHASE);
    assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_OK);
    assert_string_equal(tg_kinds(&t), "revealed,done");
    tg_free(&t);
}

static void test_draw_in_hands_mode_is_wrong_phase(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    assert_int_equal(tg_simple(&t, 1, VP_T_DRAW), VP_WRONG_PHASE);
    tg_free(&t);
}

static void test_draw_from_empty_pile_is_no_card(void **state)
{
    (void)state;
    tg t;
    start_deck_mode(&t);
    for (int i = 0; i < TG_DECK_CARDS; i++) {
        assert_int_equal(tg_simple(&t, 1, VP_T_DRAW), VP_OK);
        assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_OK);
    }
    assert_int_equal(tg_simple(&t, 1, VP_T_DRAW), VP_NO_CARD);
    tg_free(&t);
}

/* draw {card}: a printed card scanned at the table is drawn from wherever
 * it lies in the pile; a card not in the pile is no_card. */
static vp_code draw_card(tg *t, uint32_t who, const char *card)
{
    vp_intent it = {.t = VP_T_DRAW, .card = S(card)};
    return tg_do(t, who, &it);
}

static void test_draw_named_card_takes_it_from_the_pile(void **state)
{
    (void)state;
    tg t;
    start_deck_mode(&t);
    /* The last card of the pile, so it is not the top the plain draw takes. */
    uint16_t want = t.r->pile[t.r->n_pile - 1];
    char id[GAME_ID_SIZE];
    snprintf(id, sizeof id, "%s", room_card_id(t.r, want));
    assert_int_equal(draw_card(&t, 2, id), VP_NOT_ALLOWED);
    assert_int_equal(draw_card(&t, 1, "no-such-card"), VP_NO_CARD);
    assert_int_equal(draw_card(&t, 1, id), VP_OK);
    assert_string_equal(tg_kinds(&t), "played");
    assert_int_equal(t.res.events[0].u.played.player, 0);
    assert_string_equal(t.res.events[0].u.played.card.s, id);
    assert_int_equal(t.r->table.card, want);
    assert_int_equal(t.r->n_pile, TG_DECK_CARDS - 1);
    assert_int_equal(draw_card(&t, 1, id), VP_WRONG_PHASE);
    assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_OK);
    /* Played once, it is no longer in the pile. */
    assert_int_equal(draw_card(&t, 1, id), VP_NO_CARD);
    tg_free(&t);
}

static void test_draw_named_card_in_hands_mode_is_wrong_phase(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    assert_int_equal(draw_card(&t, 1, room_card_id(t.r, t.r->pile[0])), VP_WRONG_PHASE);
    tg_free(&t);
}

static void test_skip_in_deck_mode_is_wrong_phase(void **state)
{
    (void)state;
    tg t;
    start_deck_mode(&t);
    assert_int_equal(tg_simple(&t, 1, VP_T_SKIP), VP_WRONG_PHASE);
    tg_free(&t);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_only_by_facilitator),
        cmocka_unit_test(test_start_while_playing_is_wrong_phase),
        cmocka_unit_test(test_start_deals_round_robin_from_shuffled_pile),
        cmocka_unit_test(test_start_deals_until_pile_runs_out),
        cmocka_unit_test(test_start_categories_filter_the_round),
        cmocka_unit_test(test_start_unknown_category_is_bad_request),
        cmocka_unit_test(test_start_kinds_filter_the_round),
        cmocka_unit_test(test_windows_anonymous_window_of_two_shows_nothing),
        cmocka_unit_test(test_windows_anonymous_windows_of_three_show),
        cmocka_unit_test(test_windows_anonymous_no_figures_when_subtraction_would_tell),
        cmocka_unit_test(test_windows_open_round_shows_every_window),
        cmocka_unit_test(test_windows_change_only_between_cards),
        cmocka_unit_test(test_windows_empty_chair_for_the_table_card),
        cmocka_unit_test(test_windows_refused_for_a_deck_without_windows),
        cmocka_unit_test(test_start_unknown_kind_is_bad_request),
        cmocka_unit_test(test_start_audience_keeps_cards_for_everyone),
        cmocka_unit_test(test_start_unknown_audience_is_bad_request),
        cmocka_unit_test(test_start_kinds_on_v1_deck_is_bad_request),
        cmocka_unit_test(test_start_bookends_draw_opener_first_closer_last),
        cmocka_unit_test(test_start_opts_apply_from_this_round_on),
        cmocka_unit_test(test_start_after_close_begins_a_new_round),
        cmocka_unit_test(test_turn_order_is_join_order_with_facilitator_when_plays),
        cmocka_unit_test(test_seated_player_holds_no_cards_and_takes_no_turn),
        cmocka_unit_test(test_seat_only_by_facilitator),
        cmocka_unit_test(test_play_not_your_turn),
        cmocka_unit_test(test_play_card_not_in_hand_is_no_card),
        cmocka_unit_test(test_play_with_card_on_table_is_wrong_phase),
        cmocka_unit_test(test_play_moves_card_from_hand_to_table),
        cmocka_unit_test(test_play_outside_a_round_is_wrong_phase),
        cmocka_unit_test(test_deck_mode_has_no_hands_and_the_facilitator_draws),
        cmocka_unit_test(test_draw_in_hands_mode_is_wrong_phase),
        cmocka_unit_test(test_draw_from_empty_pile_is_no_card),
        cmocka_unit_test(test_draw_named_card_takes_it_from_the_pile),
        cmocka_unit_test(test_draw_named_card_in_hands_mode_is_wrong_phase),
        cmocka_unit_test(test_skip_in_deck_mode_is_wrong_phase),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
