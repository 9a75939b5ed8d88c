/* test_game_rules_flow: the rules of SPEC.md §2–§4 on the rest of a card and a round: notes, next, skip, timer, close, purge, late joiners, the summary's pages. */
#include "test_game_rules_util.h"

/* ---- the closing summary's page on the big screen ---- */

static vp_code tg_page(tg *t, uint32_t who, uint32_t page)
{
    vp_intent it = {.t = VP_T_PAGE, .page = page};
    return tg_do(t, who, &it);
}

static void test_page_turns_the_big_screens_summary_only_once_closed(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    assert_int_equal(tg_page(&t, 1, 1), VP_WRONG_PHASE);
    assert_int_equal(tg_close(&t, 1, "bye"), VP_OK);
    assert_int_equal(tg_page(&t, 1, 2), VP_OK);
    assert_string_equal(tg_kinds(&t), "paged");
    assert_int_equal(t.r->screen_page, 2);
    /* The same page again changes nothing. */
    assert_int_equal(tg_page(&t, 1, 2), VP_OK);
    assert_int_equal(t.res.n_events, 0);
    tg_free(&t);
}

static void test_page_is_the_facilitators(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    assert_int_equal(tg_close(&t, 1, ""), VP_OK);
    assert_int_equal(tg_page(&t, 2, 1), VP_NOT_ALLOWED);
    assert_int_equal(t.r->screen_page, 0);
    tg_free(&t);
}

static void test_a_new_summary_starts_at_its_first_page(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    assert_int_equal(tg_close(&t, 1, ""), VP_OK);
    assert_int_equal(tg_page(&t, 1, 3), VP_OK);
    assert_int_equal(tg_start(&t, 1), VP_OK);
    assert_int_equal(tg_close(&t, 1, ""), VP_OK);
    assert_int_equal(t.r->screen_page, 0);
    tg_free(&t);
}

/* ---- notes ---- */

static void test_note_with_empty_table_is_no_card(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    assert_int_equal(tg_note(&t, 2, "hello"), VP_NO_CARD);
    tg_free(&t);
}

static void test_screen_cannot_note(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    uint32_t scr = tg_join(&t, "Scr", VP_ROLE_SCREEN);
    assert_int_equal(tg_note(&t, scr, "hello"), VP_NOT_ALLOWED);
    assert_int_equal(tg_note(&t, 1, "from the facilitator"), VP_OK);
    assert_int_equal(tg_note(&t, 3, "from a player"), VP_OK);
    assert_int_equal(t.res.events[0].u.noted.note, 2);
    tg_free(&t);
}

static void test_note_limit_is_100_per_card(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    for (int i = 0; i < GAME_MAX_NOTES_CARD; i++)
        assert_int_equal(tg_note(&t, 2 + i % 3, "n"), VP_OK);
    assert_int_equal(tg_note(&t, 2, "one too many"), VP_BAD_REQUEST);
    /* The next card has its own 100. */
    tg_simple(&t, 1, VP_T_NEXT);
    tg_play_first(&t, t.r->turn);
    assert_int_equal(tg_note(&t, 2, "fresh"), VP_OK);
    tg_free(&t);
}

static void test_hide_only_by_facilitator_and_known_notes(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    tg_note(&t, 2, "secret");
    assert_int_equal(tg_hide(&t, 2, 1), VP_NOT_ALLOWED);
    assert_int_equal(tg_hide(&t, 1, 9), VP_BAD_REQUEST);
    assert_int_equal(tg_hide(&t, 1, 1), VP_OK);
    assert_string_equal(tg_kinds(&t), "hidden");
    assert_true(t.r->notes[0].hidden);
    assert_null(t.r->notes[0].text);
    tg_free(&t);
}

/* ---- next, skip ---- */

static void test_next_reveals_first_then_done_and_turn_passes(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    tg_vote(&t, 3, 2);
    assert_int_equal(tg_simple(&t, 2, VP_T_NEXT), VP_NOT_ALLOWED);
    assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_OK);
    assert_string_equal(tg_kinds(&t), "revealed,done,turn");
    assert_int_equal(tg_ev(&t, GAME_EV_TURN)->u.turn.player, 3);
    assert_false(t.r->table.has);
    assert_int_equal(t.r->rounds[0].n_done, 1);
    /* Already revealed: no second revealed. */
    tg_play_first(&t, 3);
    tg_simple(&t, 1, VP_T_REVEAL);
    assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_OK);
    assert_string_equal(tg_kinds(&t), "done,turn");
    assert_int_equal(tg_ev(&t, GAME_EV_TURN)->u.turn.player, 4);
    tg_play_first(&t, 4);
    tg_simple(&t, 1, VP_T_NEXT);
    assert_int_equal(tg_ev(&t, GAME_EV_TURN)->u.turn.player, 2);
    tg_free(&t);
}

static void test_next_with_empty_table_is_no_card(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_NO_CARD);
    tg_free(&t);
}

static void test_next_turn_skips_players_without_cards_and_ends_nil(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    vp_opts o = tg_opts();
    o.set = VP_OPT_CATEGORIES;
    o.n_categories = 1;
    o.categories[0] = S("a");
    tg_start_with(&t, 1, &o); /* hands: Ann 2, Bob 1, Cat 1 */
    const char *expect[] = {"3", "4", "2", "0"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(tg_play_first(&t, t.r->turn), VP_OK);
        assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_OK);
        assert_int_equal(tg_ev(&t, GAME_EV_TURN)->u.turn.player, (uint32_t)atoi(expect[i]));
    }
    assert_int_equal(t.r->turn, 0);
    tg_free(&t);
}

static void test_skip_passes_turn_and_keeps_cards(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    assert_int_equal(tg_simple(&t, 2, VP_T_SKIP), VP_NOT_ALLOWED);
    assert_int_equal(tg_simple(&t, 1, VP_T_SKIP), VP_OK);
    assert_string_equal(tg_kinds(&t), "skipped,turn");
    assert_int_equal(t.res.events[0].u.skipped.player, 2);
    assert_int_equal(t.r->turn, 3);
    assert_int_equal(room_member(t.r, 2)->n_hand, 3);
    tg_free(&t);
}

static void test_skip_with_card_on_table_is_wrong_phase(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    assert_int_equal(tg_simple(&t, 1, VP_T_SKIP), VP_WRONG_PHASE);
    tg_free(&t);
}

static void test_offline_member_keeps_turn(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    assert_int_equal(tg_offline(&t, 2), VP_OK);
    assert_string_equal(tg_kinds(&t), "presence");
    assert_int_equal(t.r->turn, 2);
    tg_free(&t);
}

/* ---- timer ---- */

static void test_timer_sets_absolute_end_and_zero_cancels(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    vp_intent it = {.t = VP_T_TIMER, .seconds = 90};
    assert_int_equal(tg_do(&t, 2, &it), VP_NOT_ALLOWED);
    assert_int_equal(tg_do(&t, 1, &it), VP_OK);
    assert_true(t.res.events[0].u.timer.running);
    assert_int_equal(t.res.events[0].u.timer.ends_at, t.now + 90000);
    assert_int_equal(t.r->timer_ends_at, t.now + 90000);
    it.seconds = 0;
    assert_int_equal(tg_do(&t, 1, &it), VP_OK);
    assert_false(t.res.events[0].u.timer.running);
    assert_false(t.r->timer_running);
    tg_free(&t);
}

/* ---- close, purge ---- */

/* A timer belongs to one card or turn (§5.1): done, skipped and closed end it,
 * in apply, so the replay's rebuilt state agrees. */
static void test_timer_ends_with_its_card_turn_or_round(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    vp_intent it = {.t = VP_T_TIMER, .seconds = 180};
    assert_int_equal(tg_do(&t, 1, &it), VP_OK);
    assert_true(t.r->timer_running);
    /* Revealing keeps it: the card is not done yet. */
    assert_int_equal(tg_simple(&t, 1, VP_T_REVEAL), VP_OK);
    assert_true(t.r->timer_running);
    assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_OK);
    assert_string_equal(tg_kinds(&t), "done,turn");
    assert_false(t.r->timer_running);
    assert_int_equal(t.r->timer_ends_at, 0);
    /* A timer during a turn ends when the turn is skipped. */
    assert_int_equal(tg_do(&t, 1, &it), VP_OK);
    assert_int_equal(tg_simple(&t, 1, VP_T_SKIP), VP_OK);
    assert_false(t.r->timer_running);
    /* And one running on a card ends when the round closes. */
    assert_int_equal(tg_play_first(&t, t.r->turn), VP_OK);
    assert_int_equal(tg_do(&t, 1, &it), VP_OK);
    assert_int_equal(tg_close(&t, 1, "Thanks"), VP_OK);
    assert_false(t.r->timer_running);
    tg_packed p;
    tg_view(&t, 1, &p);
    assert_int_equal(mp_get(p.o, "timer")->type, MSGPACK_OBJECT_NIL);
    tg_packed_free(&p);
    assert_true(tg_rebuild_equal(&t));
    tg_free(&t);
}

static void test_close_finishes_table_card_and_freezes_summary(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    tg_vote(&t, 2, 4);
    vp_intent it = {.t = VP_T_CLOSE, .text = S("Thanks"), .n_actions = 2};
    it.actions[0] = S("Plan a visit");
    it.actions[1] = S("Write it up");
    assert_int_equal(tg_do(&t, 2, &it), VP_NOT_ALLOWED);
    assert_int_equal(tg_do(&t, 1, &it), VP_OK);
    assert_string_equal(tg_kinds(&t), "revealed,done,closed");
    const game_summary *s = tg_ev(&t, GAME_EV_CLOSED)->u.closed.summary;
    assert_int_equal(s->round, 1);
    assert_int_equal(s->n_cards, 1);
    assert_int_equal(s->cards[0].stats.n, 1);
    assert_string_equal(s->text, "Thanks");
    assert_int_equal(s->n_actions, 2);
    assert_string_equal(s->actions[1], "Write it up");
    assert_int_equal(s->closed_at, t.now);
    assert_string_equal(s->replay_key, t.r->replay_key);
    assert_int_equal(room_phase(t.r), GAME_CLOSED);
    /* The state computes the same summary. */
    game_summary *now = room_summary(t.r, 0);
    msgpack_sbuffer a, b;
    msgpack_packer pa, pb;
    msgpack_sbuffer_init(&a);
    msgpack_sbuffer_init(&b);
    msgpack_packer_init(&pa, &a, msgpack_sbuffer_write);
    msgpack_packer_init(&pb, &b, msgpack_sbuffer_write);
    game_pack_summary(&pa, s, NULL, NULL);
    game_pack_summary(&pb, now, NULL, NULL);
    assert_int_equal(a.size, b.size);
    assert_memory_equal(a.data, b.data, a.size);
    msgpack_sbuffer_destroy(&a);
    msgpack_sbuffer_destroy(&b);
    game_summary_free(now);
    tg_free(&t);
}

static void test_close_outside_a_round_is_wrong_phase(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    assert_int_equal(tg_close(&t, 1, ""), VP_WRONG_PHASE);
    tg_free(&t);
}

static void test_purge_only_by_facilitator_when_closed(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    assert_int_equal(tg_simple(&t, 1, VP_T_PURGE), VP_WRONG_PHASE);
    tg_start(&t, 1);
    assert_int_equal(tg_simple(&t, 1, VP_T_PURGE), VP_WRONG_PHASE);
    tg_close(&t, 1, "");
    assert_int_equal(tg_simple(&t, 2, VP_T_PURGE), VP_NOT_ALLOWED);
    assert_int_equal(tg_simple(&t, 1, VP_T_PURGE), VP_OK);
    assert_true(t.res.purge);
    assert_int_equal(t.res.n_events, 0);
    tg_free(&t);
}

/* ---- late joiners ---- */

static void test_late_joiner_dealt_and_appended_to_order(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    uint16_t top[3] = {t.r->pile[0], t.r->pile[1], t.r->pile[2]};
    uint32_t late = tg_join(&t, "Late", VP_ROLE_PLAYER);
    assert_string_equal(tg_kinds(&t), "joined,dealt,order");
    const member *m = room_member(t.r, late);
    assert_int_equal(m->n_hand, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(m->hand[i], top[i]);
    assert_int_equal(t.r->n_order, 4);
    assert_int_equal(t.r->order[3], late);
    /* A screen joining gets nothing of that. */
    tg_join(&t, "Scr", VP_ROLE_SCREEN);
    assert_string_equal(tg_kinds(&t), "joined");
    tg_free(&t);
}

static void test_late_joiner_takes_turn_when_nobody_held_it(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    tg_start(&t, 1); /* nobody to deal to */
    assert_int_equal(t.r->turn, 0);
    uint32_t ann = tg_join(&t, "Ann", VP_ROLE_PLAYER);
    assert_string_equal(tg_kinds(&t), "joined,dealt,order,turn");
    assert_int_equal(t.r->turn, ann);
    tg_free(&t);
}

static void test_lock_only_by_facilitator(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    vp_intent lock = {.t = VP_T_LOCK, .locked = true};
    assert_int_equal(tg_do(&t, 2, &lock), VP_NOT_ALLOWED);
    assert_false(t.r->locked);
    tg_free(&t);
}

static void test_errors_never_change_state(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    msgpack_sbuffer before, after;
    tg_dump(t.r, &before);
    /* tg_input asserts this for every call; here a batch of errors at once. */
    assert_int_not_equal(tg_vote(&t, 3, 9), VP_OK);
    assert_int_not_equal(tg_play_first(&t, 3), VP_OK);
    assert_int_not_equal(tg_start(&t, 1), VP_OK);
    assert_int_not_equal(tg_simple(&t, 1, VP_T_SKIP), VP_OK);
    assert_int_not_equal(tg_target(&t, 1, VP_T_KICK, 42), VP_OK);
    tg_dump(t.r, &after);
    assert_int_equal(before.size, after.size);
    assert_memory_equal(before.data, after.data, before.size);
    msgpack_sbuffer_destroy(&before);
    msgpack_sbuffer_destroy(&after);
    tg_free(&t);
}

static void test_seq_is_gap_free_across_intents(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    tg_vote(&t, 2, 1);
    tg_vote(&t, 3, 1);
    tg_vote(&t, 4, 1);
    tg_simple(&t, 1, VP_T_NEXT);
    assert_int_equal(room_seq(t.r), t.n_log);
    assert_true(tg_rebuild_equal(&t));
    tg_free(&t);
}

static void test_auto_reveal_after_handover_frees_the_last_vote(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    tg_vote(&t, 2, 3);
    tg_vote(&t, 3, 3);
    /* Cat has not voted; as the facilitator (who does not play) she no
     * longer holds the reveal up. */
    assert_int_equal(tg_target(&t, 1, VP_T_HANDOVER, 4), VP_OK);
    assert_string_equal(tg_kinds(&t), "handed,revealed");
    tg_free(&t);
}

static void test_kick_seated_player_drops_their_vote(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    uint32_t sid = tg_seat(&t, 1, "Sid");
    tg_start(&t, 1);
    tg_play_first(&t, 2);
    tg_vote_for(&t, 1, sid, 5);
    assert_int_equal(tg_target(&t, 1, VP_T_KICK, sid), VP_OK);
    assert_string_equal(tg_kinds(&t), "left,rekeyed");
    assert_int_equal(t.r->table.n_votes, 0);
    tg_free(&t);
}

static void test_join_in_deck_mode_gets_no_cards(void **state)
{
    (void)state;
    tg t;
    start_deck_mode(&t);
    assert_int_not_equal(tg_join(&t, "Late", VP_ROLE_PLAYER), 0);
    assert_string_equal(tg_kinds(&t), "joined");
    tg_free(&t);
}

static void test_timer_over_an_hour_is_bad_request(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    vp_intent it = {.t = VP_T_TIMER, .seconds = VP_TIMER_MAX + 1};
    assert_int_equal(tg_do(&t, 1, &it), VP_BAD_REQUEST);
    it.seconds = VP_TIMER_MAX;
    assert_int_equal(tg_do(&t, 1, &it), VP_OK);
    tg_free(&t);
}

static void test_screen_may_leave(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    uint32_t scr = tg_join(&t, "Scr", VP_ROLE_SCREEN);
    assert_int_equal(tg_simple(&t, scr, VP_T_LEAVE), VP_OK);
    assert_string_equal(tg_kinds(&t), "left");
    assert_int_equal(tg_simple(&t, scr, VP_T_PING), VP_OK);
    assert_int_equal(tg_note(&t, scr, "gone"), VP_NOT_ALLOWED);
    tg_free(&t);
}

static void test_device_inputs_change_presence_once(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    uint32_t sid = tg_seat(&t, 1, "Sid");
    assert_int_equal(tg_offline(&t, 2), VP_OK);
    assert_string_equal(tg_kinds(&t), "presence");
    assert_int_equal(tg_offline(&t, 2), VP_OK);
    assert_string_equal(tg_kinds(&t), "");
    assert_int_equal(tg_online(&t, 2), VP_OK);
    assert_string_equal(tg_kinds(&t), "presence");
    /* Seated players have no device. */
    assert_int_equal(tg_offline(&t, sid), VP_BAD_REQUEST);
    tg_free(&t);
}

/* The project's default card set plays a whole round through the core. */
static void test_default_deck_plays_a_round(void **state)
{
    (void)state;
    FILE *f = fopen(VERRIJK_SOURCE_DIR "/decks/verrijkte-leeromgevingen.json", "rb");
    if (!f)
        skip();
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    deck *d = NULL;
    char err[300];
    if (deck_parse_json(buf, n, "verrijkte-leeromgevingen.json", &d, err, sizeof err))
        fail_msg("%s", err);
    tg t;
    tg_init(&t);
    t.decks[0] = d;
    vp_intent it = {.t = VP_T_CREATE, .room = S("ABCDEF"), .name = S("Fac"), .deck = S(d->id)};
    it.opts = tg_opts();
    assert_int_equal(tg_do(&t, 0, &it), VP_OK);
    tg_join(&t, "Ann", VP_ROLE_PLAYER);
    tg_join(&t, "Bob", VP_ROLE_PLAYER);
    assert_int_equal(tg_start(&t, 1), VP_OK);
    assert_int_equal(tg_ev(&t, GAME_EV_ROUND)->u.round.pile, d->n_cards);
    while (t.r->turn) {
        assert_int_equal(tg_play_first(&t, t.r->turn), VP_OK);
        tg_vote(&t, 2, 3);
        tg_vote(&t, 3, 4);
        assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_OK);
    }
    assert_int_equal(tg_close(&t, 1, "klaar"), VP_OK);
    const game_summary *s = tg_ev(&t, GAME_EV_CLOSED)->u.closed.summary;
    assert_int_equal(s->n_cards, 6);
    assert_int_equal(s->n_categories, d->n_categories);
    assert_true(tg_rebuild_equal(&t));
    tg_free(&t);
    deck_unref(d);
}

/* A round's notes hold at most GAME_MAX_NOTE_BYTES_ROUND bytes of text, so
 * the `closed` event that carries them stays one log record and a View
 * stays bounded; the next round starts afresh. */
static void test_note_text_of_one_round_is_capped(void **state)
{
    (void)state;
    FILE *f = fopen(VERRIJK_SOURCE_DIR "/decks/verrijkte-leeromgevingen.json", "rb");
    if (!f)
        skip();
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    deck *d = NULL;
    char err[300];
    if (deck_parse_json(buf, n, "verrijkte-leeromgevingen.json", &d, err, sizeof err))
        fail_msg("%s", err);
    tg t;
    tg_init(&t);
    t.decks[0] = d;
    vp_intent it = {.t = VP_T_CREATE, .room = S("ABCDEF"), .name = S("Fac"), .deck = S(d->id)};
    it.opts = tg_opts();
    assert_int_equal(tg_do(&t, 0, &it), VP_OK);
    tg_join(&t, "Ann", VP_ROLE_PLAYER);
    vp_opts o = tg_opts();
    o.set = VP_OPT_MODE;
    o.mode = VP_MODE_DECK;
    assert_int_equal(tg_start_with(&t, 1, &o), VP_OK);

    static char text[VP_NOTE_MAX + 1];
    memset(text, 'x', VP_NOTE_MAX);
    uint32_t notes = 0, on_card = GAME_MAX_NOTES_CARD;
    for (;;) {
        if (on_card == GAME_MAX_NOTES_CARD) {
            if (t.r->table.has)
                assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_OK);
            assert_int_equal(tg_simple(&t, 1, VP_T_DRAW), VP_OK);
            on_card = 0;
        }
        vp_code rc = tg_note(&t, 2, text);
        if (rc != VP_OK) {
            assert_int_equal(rc, VP_BAD_REQUEST);
            break;
        }
        notes++;
        on_card++;
    }
    assert_int_equal(notes, GAME_MAX_NOTE_BYTES_ROUND / VP_NOTE_MAX);
    /* What is left fits exactly, and then nothing more. */
    size_t left = GAME_MAX_NOTE_BYTES_ROUND - (size_t)notes * VP_NOTE_MAX;
    text[left] = 0;
    assert_int_equal(tg_note(&t, 1, text), VP_OK);
    assert_int_equal(tg_note(&t, 1, "x"), VP_BAD_REQUEST);

    /* The round closes: its summary is one record of the log. */
    char close_text[VP_CLOSE_TEXT_MAX + 1];
    memset(close_text, 'c', VP_CLOSE_TEXT_MAX);
    close_text[VP_CLOSE_TEXT_MAX] = 0;
    assert_int_equal(tg_close(&t, 1, close_text), VP_OK);
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    game_pack_event(tg_ev(&t, GAME_EV_CLOSED), &pk);
    assert_true(sb.size <= EVLOG_RECORD_MAX);
    msgpack_sbuffer_destroy(&sb);

    /* A new round has room for notes again. */
    assert_int_equal(tg_start_with(&t, 1, &o), VP_OK);
    assert_int_equal(tg_simple(&t, 1, VP_T_DRAW), VP_OK);
    assert_int_equal(tg_note(&t, 2, "fresh"), VP_OK);
    assert_true(tg_rebuild_equal(&t));
    tg_free(&t);
    deck_unref(d);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_turns_the_big_screens_summary_only_once_closed),
        cmocka_unit_test(test_page_is_the_facilitators),
        cmocka_unit_test(test_a_new_summary_starts_at_its_first_page),
        cmocka_unit_test(test_note_with_empty_table_is_no_card),
        cmocka_unit_test(test_screen_cannot_note),
        cmocka_unit_test(test_note_limit_is_100_per_card),
        cmocka_unit_test(test_note_text_of_one_round_is_capped),
        cmocka_unit_test(test_hide_only_by_facilitator_and_known_notes),
        cmocka_unit_test(test_next_reveals_first_then_done_and_turn_passes),
        cmocka_unit_test(test_next_with_empty_table_is_no_card),
        cmocka_unit_test(test_next_turn_skips_players_without_cards_and_ends_nil),
        cmocka_unit_test(test_skip_passes_turn_and_keeps_cards),
        cmocka_unit_test(test_skip_with_card_on_table_is_wrong_phase),
        cmocka_unit_test(test_offline_member_keeps_turn),
        cmocka_unit_test(test_timer_sets_absolute_end_and_zero_cancels),
        cmocka_unit_test(test_timer_ends_with_its_card_turn_or_round),
        cmocka_unit_test(test_close_finishes_table_card_and_freezes_summary),
        cmocka_unit_test(test_close_outside_a_round_is_wrong_phase),
        cmocka_unit_test(test_purge_only_by_facilitator_when_closed),
        cmocka_unit_test(test_late_joiner_dealt_and_appended_to_order),
        cmocka_unit_test(test_late_joiner_takes_turn_when_nobody_held_it),
        cmocka_unit_test(test_lock_only_by_facilitator),
        cmocka_unit_test(test_errors_never_change_state),
        cmocka_unit_test(test_seq_is_gap_free_across_intents),
        cmocka_unit_test(test_auto_reveal_after_handover_frees_the_last_vote),
        cmocka_unit_test(test_kick_seated_player_drops_their_vote),
        cmocka_unit_test(test_join_in_deck_mode_gets_no_cards),
        cmocka_unit_test(test_timer_over_an_hour_is_bad_request),
        cmocka_unit_test(test_screen_may_leave),
        cmocka_unit_test(test_device_inputs_change_presence_once),
        cmocka_unit_test(test_default_deck_plays_a_round),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
