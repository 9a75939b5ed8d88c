/* test_game_filter_events: what each recipient sees of each event (SPEC.md §5 filter). */
#include "test_game_filter_util.h"

/* ---- §5 filter ---- */

static void test_vote_hidden_from_other_players(void **state)
{
    (void)state;
    tg t;
    room4(&t, NULL);
    tg_play_first(&t, 2);
    assert_int_equal(tg_vote(&t, 3, 4), VP_OK);
    assert_true(has_key(&t, GAME_EV_VOTED, 3, "value"));
    assert_false(has_key(&t, GAME_EV_VOTED, 2, "value"));
    assert_false(has_key(&t, GAME_EV_VOTED, 4, "value"));
    assert_false(has_key(&t, GAME_EV_VOTED, 1, "value"));
    assert_false(has_key(&t, GAME_EV_VOTED, 5, "value"));
    assert_true(has_key(&t, GAME_EV_VOTED, 2, "player"));
    /* In the View: my_vote only for the voter; others see voted: true. */
    tg_packed v;
    tg_view(&t, 2, &v);
    const msgpack_object *tbl = mp_get(v.o, "table");
    assert_null(mp_get(tbl, "my_vote"));
    const msgpack_object *players = mp_get(v.o, "players");
    assert_true(mp_get(&players->via.array.ptr[2], "voted")->via.boolean);
    assert_false(mp_get(&players->via.array.ptr[3], "voted")->via.boolean);
    tg_packed_free(&v);
    tg_view(&t, 3, &v);
    const msgpack_object *mine = mp_get(mp_get(v.o, "table"), "my_vote");
    assert_non_null(mine);
    assert_int_equal(mine->via.u64, 4);
    tg_packed_free(&v);
    tg_free(&t);
}

static void test_seated_vote_value_shown_to_facilitator_only(void **state)
{
    (void)state;
    tg t;
    room4(&t, NULL);
    uint32_t sid = tg_seat(&t, 1, "Sid");
    tg_play_first(&t, 2);
    assert_int_equal(tg_vote_for(&t, 1, sid, 2), VP_OK);
    assert_true(has_key(&t, GAME_EV_VOTED, 1, "value"));
    assert_false(has_key(&t, GAME_EV_VOTED, 2, "value"));
    assert_false(has_key(&t, GAME_EV_VOTED, 5, "value"));
    /* A reconnecting facilitator finds them in the View; nobody else does. */
    tg_packed v;
    tg_view(&t, 1, &v);
    const msgpack_object *sv = mp_get(mp_get(v.o, "table"), "seated_votes");
    assert_non_null(sv);
    assert_int_equal(sv->via.array.size, 1);
    assert_int_equal(sv->via.array.ptr[0].via.array.ptr[0].via.u64, sid);
    assert_int_equal(sv->via.array.ptr[0].via.array.ptr[1].via.u64, 2);
    tg_packed_free(&v);
    for (uint32_t who = 2; who <= 5; who++) {
        tg_view(&t, who, &v);
        assert_null(mp_get(mp_get(v.o, "table"), "seated_votes"));
        tg_packed_free(&v);
    }
    tg_free(&t);
}

static void test_revealed_without_votes_when_anonymous(void **state)
{
    (void)state;
    tg t;
    vp_opts o = tg_opts();
    o.set = VP_OPT_ANONYMOUS;
    o.anonymous = true;
    room4(&t, &o);
    tg_play_first(&t, 2);
    tg_vote(&t, 2, 1);
    tg_vote(&t, 3, 5);
    tg_vote(&t, 4, 3);
    assert_string_equal(tg_kinds(&t), "voted,revealed");
    for (uint32_t who = 1; who <= 5; who++) {
        assert_false(has_key(&t, GAME_EV_REVEALED, who, "votes"));
        assert_true(has_key(&t, GAME_EV_REVEALED, who, "stats"));
    }
    tg_packed v;
    tg_view(&t, 2, &v);
    const msgpack_object *rv = mp_get(mp_get(v.o, "table"), "revealed");
    assert_non_null(rv);
    assert_null(mp_get(rv, "votes"));
    assert_non_null(mp_get(rv, "stats"));
    tg_packed_free(&v);
    tg_simple(&t, 1, VP_T_NEXT);
    tg_view(&t, 2, &v);
    const msgpack_object *h = mp_get(v.o, "history");
    assert_int_equal(h->via.array.size, 1);
    assert_null(mp_get(&h->via.array.ptr[0], "votes"));
    tg_packed_free(&v);
    tg_free(&t);
}

static void test_revealed_with_votes_when_not_anonymous(void **state)
{
    (void)state;
    tg t;
    room4(&t, NULL);
    tg_play_first(&t, 2);
    tg_vote(&t, 2, 1);
    tg_simple(&t, 1, VP_T_REVEAL);
    tg_packed p;
    tg_filtered(&t, 0, 4, &p);
    const msgpack_object *votes = mp_get(p.o, "votes");
    assert_non_null(votes);
    assert_int_equal(votes->via.array.size, 1);
    assert_int_equal(votes->via.array.ptr[0].via.array.ptr[0].via.u64, 2);
    assert_int_equal(votes->via.array.ptr[0].via.array.ptr[1].via.u64, 1);
    tg_packed_free(&p);
    tg_free(&t);
}

static void test_created_filtered_has_deck_ref_and_no_replay_key(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    tg_packed p;
    tg_filtered(&t, 0, 1, &p);
    char keys[256];
    keys_of(p.o, keys, sizeof keys);
    assert_string_equal(keys, "by,deck,e,lang,opts,room,title,tz_offset");
    keys_of(mp_get(p.o, "deck"), keys, sizeof keys);
    assert_string_equal(keys, "hash,id,version");
    assert_true(mp_str_is(mp_get(mp_get(p.o, "deck"), "hash"), t.deck->hash));
    tg_packed_free(&p);
    tg_free(&t);
}

/* The new key of a kick goes to the members still present once a round
 * has closed (their View shows it in the summary then); never before the
 * first close, never to the kicked member, never to the public. */
static void test_rekeyed_key_only_to_present_members_after_a_close(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    tg_join(&t, "Ann", VP_ROLE_PLAYER);
    tg_join(&t, "Bob", VP_ROLE_PLAYER);
    tg_join(&t, "Cat", VP_ROLE_PLAYER);
    tg_join(&t, "Scr", VP_ROLE_SCREEN);
    tg_start(&t, 1);
    assert_int_equal(tg_target(&t, 1, VP_T_KICK, 4), VP_OK);
    uint32_t last = t.res.n_events - 1;
    assert_int_equal(t.res.events[last].kind, GAME_EV_REKEYED);
    char keys[64];
    for (uint32_t who = 0; who <= 5; who++) {
        tg_packed p;
        tg_filtered(&t, last, who, &p);
        keys_of(p.o, keys, sizeof keys);
        assert_string_equal(keys, "e");
        assert_int_equal(game_event_audience(t.r, &t.res.events[last], who), 0);
        tg_packed_free(&p);
    }
    tg_close(&t, 1, "");
    tg_start(&t, 1);
    assert_int_equal(tg_target(&t, 1, VP_T_KICK, 3), VP_OK);
    last = t.res.n_events - 1;
    const game_event *k = &t.res.events[last];
    for (uint32_t who = 0; who <= 5; who++) {
        bool sees = who == 1 || who == 2 || who == 5;
        tg_packed p;
        tg_filtered(&t, last, who, &p);
        keys_of(p.o, keys, sizeof keys);
        assert_string_equal(keys, sees ? "e,replay_key" : "e");
        if (sees)
            assert_true(mp_str_is(mp_get(p.o, "replay_key"), k->u.rekeyed.replay_key));
        assert_int_equal(game_event_audience(t.r, k, who), sees ? who : 0);
        tg_packed_free(&p);
    }
    tg_free(&t);
}

static void test_joined_filtered_has_no_token_hash(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    tg_join(&t, "Ann", VP_ROLE_PLAYER);
    tg_packed p;
    tg_filtered(&t, 0, 2, &p);
    char keys[256];
    keys_of(p.o, keys, sizeof keys);
    assert_string_equal(keys, "e,name,player,role,seated");
    tg_packed_free(&p);
    tg_free(&t);
}

static void test_round_filtered_has_no_seed(void **state)
{
    (void)state;
    tg t;
    room4(&t, NULL);
    tg_packed p;
    tg_filtered(&t, event_index(&t, GAME_EV_ROUND), 2, &p);
    char keys[256];
    keys_of(p.o, keys, sizeof keys);
    assert_string_equal(keys, "e,opts,order,pile,round");
    tg_packed_free(&p);
    tg_free(&t);
}

static void test_dealt_filtered_to_counts_and_own_cards(void **state)
{
    (void)state;
    tg t;
    room4(&t, NULL);
    uint32_t i = event_index(&t, GAME_EV_DEALT);
    tg_packed p;
    tg_filtered(&t, i, 3, &p);
    char keys[256];
    keys_of(p.o, keys, sizeof keys);
    assert_string_equal(keys, "cards,counts,e");
    const msgpack_object *cards = mp_get(p.o, "cards");
    const member *bob = room_member(t.r, 3);
    assert_int_equal(cards->via.array.size, bob->n_hand);
    for (uint32_t k = 0; k < bob->n_hand; k++)
        assert_true(mp_str_is(&cards->via.array.ptr[k], room_card_id(t.r, bob->hand[k])));
    const msgpack_object *counts = mp_get(p.o, "counts");
    assert_int_equal(counts->via.array.size, 3);
    assert_int_equal(counts->via.array.ptr[0].via.array.ptr[1].via.u64, 3);
    tg_packed_free(&p);
    /* A screen and the (non-playing) facilitator get counts only. */
    tg_filtered(&t, i, 5, &p);
    keys_of(p.o, keys, sizeof keys);
    assert_string_equal(keys, "counts,e");
    tg_packed_free(&p);
    tg_filtered(&t, i, 1, &p);
    keys_of(p.o, keys, sizeof keys);
    assert_string_equal(keys, "counts,e");
    tg_packed_free(&p);
    tg_free(&t);
}

/* What the filter reads of a room (game_pack_event_for): the members,
 * their roles and seats, the facilitator, the round's options. */
typedef struct filter_inputs {
    uint32_t n_members, facilitator;
    bool anonymous;
    uint8_t role[GAME_MAX_MEMBERS + 1], seated[GAME_MAX_MEMBERS + 1], present[GAME_MAX_MEMBERS + 1];
} filter_inputs;

static void filter_inputs_of(const room *r, filter_inputs *f)
{
    memset(f, 0, sizeof *f);
    f->n_members = r->n_members;
    f->facilitator = room_facilitator(r);
    f->anonymous = r->opts.anonymous;
    for (uint32_t i = 0; i < r->n_members && i < GAME_MAX_MEMBERS; i++) {
        f->role[i] = (uint8_t)r->members[i].role;
        f->seated[i] = r->members[i].seated;
        f->present[i] = r->members[i].present;
    }
}

static void test_filter_neutral_events_change_nothing_the_filter_reads(void **state)
{
    (void)state;
    tg t;
    vp_opts anon = tg_opts();
    anon.set |= VP_OPT_ANONYMOUS;
    anon.anonymous = true;
    tg_init(&t);
    assert_int_equal(tg_create(&t), 1);
    assert_int_equal(tg_join(&t, "Ann", VP_ROLE_PLAYER), 2);
    assert_int_equal(tg_join(&t, "Bob", VP_ROLE_PLAYER), 3);
    assert_int_equal(tg_join(&t, "Cat", VP_ROLE_PLAYER), 4);
    uint32_t sid = tg_seat(&t, 1, "Sid");
    assert_int_equal(tg_start(&t, 1), VP_OK);
    assert_int_equal(tg_play_first(&t, 2), VP_OK);
    assert_int_equal(tg_vote(&t, 3, 4), VP_OK);
    assert_int_equal(tg_vote_for(&t, 1, sid, 2), VP_OK);
    assert_int_equal(tg_note(&t, 2, "a note"), VP_OK);
    assert_int_equal(tg_simple(&t, 1, VP_T_REVEAL), VP_OK);
    assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_OK);
    assert_int_equal(tg_target(&t, 1, VP_T_HANDOVER, 3), VP_OK);
    assert_int_equal(tg_target(&t, 3, VP_T_KICK, 4), VP_OK);
    assert_int_equal(tg_close(&t, 3, "done"), VP_OK);
    assert_int_equal(tg_start_with(&t, 3, &anon), VP_OK);

    /* Replay the log event by event: a neutral event leaves the filter's
     * inputs as they were; each kind that is not neutral (but created,
     * which makes the room) is seen to change them here. */
    room *r = room_new();
    size_t off = 0;
    msgpack_unpacked up;
    bool changed[GAME_EV__COUNT] = {false};
    msgpack_unpacked_init(&up);
    while (off < t.log.size) {
        game_event e;
        char err[256];
        filter_inputs before, after;
        assert_int_equal(msgpack_unpack_next(&up, t.log.data, t.log.size, &off), MSGPACK_UNPACK_SUCCESS);
        assert_int_equal(game_unpack_event(&up.data, &e, err, sizeof err), 0);
        filter_inputs_of(r, &before);
        assert_int_equal(game_apply(r, &e), 0);
        filter_inputs_of(r, &after);
        bool same = memcmp(&before, &after, sizeof before) == 0;
        if (game_event_filter_neutral(&e))
            assert_true(same);
        else if (!same)
            changed[e.kind] = true;
        game_event_clear(&e);
    }
    msgpack_unpacked_destroy(&up);
    room_free(r);
    assert_true(changed[GAME_EV_JOINED]);
    assert_true(changed[GAME_EV_LEFT]);
    assert_true(changed[GAME_EV_HANDED]);
    assert_true(changed[GAME_EV_ROUND]);
    tg_free(&t);
}

static void test_filtered_events_carry_no_seq_or_at(void **state)
{
    (void)state;
    tg t;
    room4(&t, NULL);
    for (uint32_t i = 0; i < t.res.n_events; i++) {
        tg_packed p;
        tg_filtered(&t, i, 2, &p);
        assert_null(mp_get(p.o, "seq"));
        assert_null(mp_get(p.o, "at"));
        assert_true(mp_str_is(mp_get(p.o, "e"), game_event_name(t.res.events[i].kind)));
        tg_packed_free(&p);
    }
    tg_free(&t);
}

/* Every event of the last result, for recipients 0 (the public version)
 * to max: whoever game_event_audience puts in class 0 gets exactly the
 * public bytes (the server encodes them once for all of them); anyone
 * else is in a class of their own, with other bytes. Returns how many
 * recipients had a class of their own. */
static uint32_t check_audiences(tg *t, uint32_t max)
{
    uint32_t own = 0;
    for (uint32_t i = 0; i < t->res.n_events; i++) {
        const game_event *e = &t->res.events[i];
        tg_packed pub;
        tg_filtered(t, i, 0, &pub);
        assert_int_equal(game_event_audience(t->r, e, 0), 0);
        for (uint32_t who = 1; who <= max; who++) {
            tg_packed p;
            uint32_t cls = game_event_audience(t->r, e, who);
            tg_filtered(t, i, who, &p);
            if (cls == 0) {
                assert_int_equal(p.sb.size, pub.sb.size);
                assert_memory_equal(p.sb.data, pub.sb.data, pub.sb.size);
            } else {
                assert_int_equal(cls, who);
                assert_true(e->kind == GAME_EV_DEALT || e->kind == GAME_EV_VOTED);
                assert_true(p.sb.size != pub.sb.size || memcmp(p.sb.data, pub.sb.data, pub.sb.size) != 0);
                own++;
            }
            tg_packed_free(&p);
        }
        tg_packed_free(&pub);
    }
    return own;
}

static void test_audience_zero_gets_the_public_bytes(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    assert_int_equal(tg_create(&t), 1);
    assert_int_equal(check_audiences(&t, 1), 0);
    assert_int_equal(tg_join(&t, "Ann", VP_ROLE_PLAYER), 2);
    assert_int_equal(tg_join(&t, "Bob", VP_ROLE_PLAYER), 3);
    assert_int_equal(tg_join(&t, "Scr", VP_ROLE_SCREEN), 4);
    uint32_t sid = tg_seat(&t, 1, "Sid");
    assert_int_equal(check_audiences(&t, sid), 0);
    assert_int_equal(tg_start(&t, 1), VP_OK);
    /* dealt: Ann and Bob hold cards (a seated player holds none), each
     * sees their own. */
    assert_int_equal(check_audiences(&t, sid), 2);
    assert_int_equal(tg_play_first(&t, 2), VP_OK);
    assert_int_equal(check_audiences(&t, sid), 0);
    assert_int_equal(tg_vote(&t, 3, 4), VP_OK);
    assert_int_equal(check_audiences(&t, sid), 1); /* the voter */
    assert_int_equal(tg_vote_for(&t, 1, sid, 2), VP_OK);
    assert_int_equal(check_audiences(&t, sid), 2); /* Sid and the facilitator */
    assert_int_equal(tg_note(&t, 2, "a note"), VP_OK);
    assert_int_equal(check_audiences(&t, sid), 0);
    assert_int_equal(tg_simple(&t, 1, VP_T_REVEAL), VP_OK);
    assert_int_equal(check_audiences(&t, sid), 0);
    assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_OK);
    assert_int_equal(check_audiences(&t, sid), 0);
    tg_free(&t);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vote_hidden_from_other_players),
        cmocka_unit_test(test_seated_vote_value_shown_to_facilitator_only),
        cmocka_unit_test(test_revealed_without_votes_when_anonymous),
        cmocka_unit_test(test_revealed_with_votes_when_not_anonymous),
        cmocka_unit_test(test_created_filtered_has_deck_ref_and_no_replay_key),
        cmocka_unit_test(test_rekeyed_key_only_to_present_members_after_a_close),
        cmocka_unit_test(test_joined_filtered_has_no_token_hash),
        cmocka_unit_test(test_round_filtered_has_no_seed),
        cmocka_unit_test(test_dealt_filtered_to_counts_and_own_cards),
        cmocka_unit_test(test_filtered_events_carry_no_seq_or_at),
        cmocka_unit_test(test_audience_zero_gets_the_public_bytes),
        cmocka_unit_test(test_filter_neutral_events_change_nothing_the_filter_reads),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
