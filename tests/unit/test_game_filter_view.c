/* test_game_filter_view: the View (SPEC.md §6) and the replay of a whole log. */
#include "test_game_filter_util.h"

/* ---- §6 View ---- */

static void test_view_has_exactly_the_fields_of_section_6(void **state)
{
    (void)state;
    tg t;
    room4(&t, NULL);
    tg_play_first(&t, 2);
    tg_vote(&t, 3, 2);
    tg_simple(&t, 1, VP_T_REVEAL);
    tg_packed v;
    tg_view(&t, 3, &v);
    char keys[512];
    keys_of(v.o, keys, sizeof keys);
    assert_string_equal(keys, "deck,hand,history,lang,locked,opts,order,page,phase,pile,players,room,round,seq,summary,"
                              "table,timer,title,turn,tz_offset");
    keys_of(&mp_get(v.o, "players")->via.array.ptr[0], keys, sizeof keys);
    assert_string_equal(keys, "cards,name,online,player,present,role,seated,voted");
    keys_of(mp_get(v.o, "table"), keys, sizeof keys);
    /* notes: an extension of §6 (SPEC.md §6.1). */
    assert_string_equal(keys, "by,card,my_vote,notes,revealed,stage");
    keys_of(mp_get(mp_get(v.o, "table"), "revealed"), keys, sizeof keys);
    assert_string_equal(keys, "stats,votes,windows");
    keys_of(mp_get(v.o, "opts"), keys, sizeof keys);
    assert_string_equal(keys, "anonymous,auto_reveal,facilitator_plays,hand,mode");
    assert_true(mp_str_is(mp_get(v.o, "phase"), "playing"));
    assert_true(mp_str_is(mp_get(mp_get(v.o, "table"), "stage"), "revealed"));
    assert_int_equal(mp_get(v.o, "seq")->via.u64, room_seq(t.r));
    tg_packed_free(&v);
    tg_simple(&t, 1, VP_T_NEXT);
    tg_view(&t, 3, &v);
    keys_of(&mp_get(v.o, "history")->via.array.ptr[0], keys, sizeof keys);
    assert_string_equal(keys, "agreement,by,card,notes,stats,votes,windows");
    assert_int_equal(mp_get(v.o, "table")->type, MSGPACK_OBJECT_NIL);
    tg_packed_free(&v);
    tg_free(&t);
}

static void test_view_hand_is_own_cards_only(void **state)
{
    (void)state;
    tg t;
    room4(&t, NULL);
    for (uint32_t who = 1; who <= 5; who++) {
        tg_packed v;
        tg_view(&t, who, &v);
        const msgpack_object *hand = mp_get(v.o, "hand");
        const member *m = room_member(t.r, who);
        assert_int_equal(hand->via.array.size, m->n_hand);
        for (uint32_t k = 0; k < m->n_hand; k++)
            assert_true(mp_str_is(&hand->via.array.ptr[k], room_card_id(t.r, m->hand[k])));
        assert_int_equal(mp_get(v.o, "pile")->via.u64, t.r->n_pile);
        tg_packed_free(&v);
    }
    tg_free(&t);
}

static void test_view_keeps_members_who_left_as_not_present(void **state)
{
    (void)state;
    tg t;
    room4(&t, NULL);
    tg_simple(&t, 4, VP_T_LEAVE);
    tg_packed v;
    tg_view(&t, 2, &v);
    const msgpack_object *players = mp_get(v.o, "players");
    assert_int_equal(players->via.array.size, 5);
    const msgpack_object *cat = &players->via.array.ptr[3];
    assert_true(mp_str_is(mp_get(cat, "name"), "Cat"));
    assert_false(mp_get(cat, "present")->via.boolean);
    assert_false(mp_get(cat, "online")->via.boolean);
    tg_packed_free(&v);
    tg_free(&t);
}

static void test_hidden_note_text_gone_from_view_and_summary(void **state)
{
    (void)state;
    tg t;
    room4(&t, NULL);
    tg_play_first(&t, 2);
    tg_note(&t, 2, "keep me");
    tg_note(&t, 3, "hide me");
    assert_int_equal(tg_hide(&t, 1, 2), VP_OK);
    tg_packed v;
    tg_view(&t, 4, &v);
    const msgpack_object *notes = mp_get(mp_get(v.o, "table"), "notes");
    assert_int_equal(notes->via.array.size, 2);
    assert_true(mp_str_is(mp_get(&notes->via.array.ptr[0], "text"), "keep me"));
    assert_null(mp_get(&notes->via.array.ptr[1], "text"));
    tg_packed_free(&v);
    assert_int_equal(tg_close(&t, 1, ""), VP_OK);
    const game_summary *frozen = tg_ev(&t, GAME_EV_CLOSED)->u.closed.summary;
    assert_null(frozen->cards[0].notes[1].text);
    assert_string_equal(frozen->cards[0].notes[0].text, "keep me");
    /* Hidden after the close: gone from the View's summary too. */
    assert_int_equal(tg_hide(&t, 1, 1), VP_OK);
    tg_view(&t, 4, &v);
    notes = mp_get(&mp_get(mp_get(v.o, "summary"), "cards")->via.array.ptr[0], "notes");
    assert_null(mp_get(&notes->via.array.ptr[0], "text"));
    tg_packed_free(&v);
    game_summary *s = room_summary(t.r, 1);
    assert_null(s->cards[0].notes[0].text);
    game_summary_free(s);
    tg_free(&t);
}

/* ---- replay ---- */

static void test_replay_drops_text_of_note_hidden_later(void **state)
{
    (void)state;
    tg t;
    room4(&t, NULL);
    tg_play_first(&t, 2);
    tg_note(&t, 2, "public");
    tg_note(&t, 3, "regretted");
    tg_close(&t, 1, "");
    tg_hide(&t, 1, 2);
    tg_packed p;
    uint32_t n;
    replay_of(&t, &p, &n);
    assert_true(mp_str_is(mp_get(replay_find(&p, "noted", 0), "text"), "public"));
    assert_null(mp_get(replay_find(&p, "noted", 1), "text"));
    const msgpack_object *closed = replay_find(&p, "closed", 0);
    const msgpack_object *notes = mp_get(&mp_get(mp_get(closed, "summary"), "cards")->via.array.ptr[0], "notes");
    assert_true(mp_str_is(mp_get(&notes->via.array.ptr[0], "text"), "public"));
    assert_null(mp_get(&notes->via.array.ptr[1], "text"));
    /* The replay is {seq, at, e, ...}, in order. */
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(mp_get(&p.o->via.array.ptr[i], "seq")->via.u64, i + 1);
    tg_packed_free(&p);
    tg_free(&t);
}

static void test_replay_shows_a_rekey_without_the_key(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    tg_join(&t, "Ann", VP_ROLE_PLAYER);
    tg_join(&t, "Bob", VP_ROLE_PLAYER);
    tg_start(&t, 1);
    tg_close(&t, 1, "");
    assert_int_equal(tg_target(&t, 1, VP_T_KICK, 3), VP_OK);
    tg_packed p;
    uint32_t n;
    replay_of(&t, &p, &n);
    char keys[64];
    keys_of(replay_find(&p, "rekeyed", 0), keys, sizeof keys);
    assert_string_equal(keys, "at,e,seq");
    tg_packed_free(&p);
    tg_free(&t);
}

static void test_replay_shows_hands_whole_and_votes_without_value(void **state)
{
    (void)state;
    tg t;
    room4(&t, NULL);
    tg_play_first(&t, 2);
    tg_vote(&t, 3, 4);
    tg_packed p;
    uint32_t n;
    replay_of(&t, &p, &n);
    char keys[256];
    keys_of(replay_find(&p, "dealt", 0), keys, sizeof keys);
    assert_string_equal(keys, "at,e,hands,seq");
    keys_of(replay_find(&p, "voted", 0), keys, sizeof keys);
    assert_string_equal(keys, "at,e,player,seq");
    keys_of(replay_find(&p, "round", 0), keys, sizeof keys);
    assert_string_equal(keys, "at,e,opts,order,pile,round,seq");
    keys_of(replay_find(&p, "created", 0), keys, sizeof keys);
    assert_string_equal(keys, "at,by,deck,e,lang,opts,room,seq,title,tz_offset");
    keys_of(replay_find(&p, "joined", 0), keys, sizeof keys);
    assert_string_equal(keys, "at,e,name,player,role,seated,seq");
    tg_packed_free(&p);
    tg_free(&t);
}

static void test_replay_anonymous_round_reveals_without_votes(void **state)
{
    (void)state;
    tg t;
    vp_opts o = tg_opts();
    o.set = VP_OPT_ANONYMOUS;
    o.anonymous = true;
    room4(&t, &o);
    tg_play_first(&t, 2);
    tg_vote(&t, 3, 4);
    tg_simple(&t, 1, VP_T_REVEAL);
    tg_packed p;
    uint32_t n;
    replay_of(&t, &p, &n);
    const msgpack_object *rv = replay_find(&p, "revealed", 0);
    assert_null(mp_get(rv, "votes"));
    assert_non_null(mp_get(rv, "stats"));
    tg_packed_free(&p);
    tg_free(&t);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_has_exactly_the_fields_of_section_6),
        cmocka_unit_test(test_view_hand_is_own_cards_only),
        cmocka_unit_test(test_view_keeps_members_who_left_as_not_present),
        cmocka_unit_test(test_hidden_note_text_gone_from_view_and_summary),
        cmocka_unit_test(test_replay_drops_text_of_note_hidden_later),
        cmocka_unit_test(test_replay_shows_a_rekey_without_the_key),
        cmocka_unit_test(test_replay_shows_hands_whole_and_votes_without_value),
        cmocka_unit_test(test_replay_anonymous_round_reveals_without_votes),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
