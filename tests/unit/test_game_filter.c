/* test_game_filter: what each recipient sees (SPEC.md §5 filter, §6 View and summary), stats and agreement. */
#include "test_game_util.h"

#include "game/stats.h"

static void room4(tg *t, const vp_opts *start)
{
    tg_init(t);
    assert_int_equal(tg_create(t), 1);
    assert_int_equal(tg_join(t, "Ann", VP_ROLE_PLAYER), 2);
    assert_int_equal(tg_join(t, "Bob", VP_ROLE_PLAYER), 3);
    assert_int_equal(tg_join(t, "Cat", VP_ROLE_PLAYER), 4);
    assert_int_equal(tg_join(t, "Scr", VP_ROLE_SCREEN), 5);
    assert_int_equal(tg_start_with(t, 1, start), VP_OK);
}

static uint32_t event_index(const tg *t, game_event_kind kind)
{
    for (uint32_t i = 0; i < t->res.n_events; i++)
        if (t->res.events[i].kind == kind)
            return i;
    fail_msg("no %s event", game_event_name(kind));
    return 0;
}

static bool has_key(tg *t, game_event_kind kind, uint32_t recipient, const char *key)
{
    tg_packed p;
    tg_filtered(t, event_index(t, kind), recipient, &p);
    bool has = mp_get(p.o, key) != NULL;
    tg_packed_free(&p);
    return has;
}

/* The keys of a map, sorted and joined by commas, for exact comparisons. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void keys_of(const msgpack_object *m, char *out, size_t size)
{
    char names[40][40];
    const char *ptrs[40];
    uint32_t n = 0;
    assert_int_equal(m->type, MSGPACK_OBJECT_MAP);
    for (uint32_t i = 0; i < m->via.map.size && n < 40; i++) {
        const msgpack_object *k = &m->via.map.ptr[i].key;
        snprintf(names[n], sizeof names[n], "%.*s", (int)k->via.str.size, k->via.str.ptr);
        ptrs[n] = names[n];
        n++;
    }
    qsort(ptrs, n, sizeof *ptrs, cmp_str);
    out[0] = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            strncat(out, ",", size - strlen(out) - 1);
        strncat(out, ptrs[i], size - strlen(out) - 1);
    }
}

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

/* Packs the whole log for the replay; returns the unpacked events. */
static void replay_of(tg *t, tg_packed *out, uint32_t *n)
{
    game_event *events = calloc(t->n_log + 1, sizeof *events);
    size_t off = 0;
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    char err[200];
    for (uint32_t i = 0; i < t->n_log; i++) {
        assert_int_equal(msgpack_unpack_next(&up, t->log.data, t->log.size, &off), MSGPACK_UNPACK_SUCCESS);
        assert_int_equal(game_unpack_event(&up.data, &events[i], err, sizeof err), 0);
    }
    msgpack_unpacked_destroy(&up);
    game_replay *rp = game_replay_new();
    for (uint32_t i = 0; i < t->n_log; i++)
        assert_int_equal(game_replay_scan(rp, &events[i]), 0);
    msgpack_sbuffer_init(&out->sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &out->sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, t->n_log);
    for (uint32_t i = 0; i < t->n_log; i++) {
        game_replay_pack(rp, &events[i], &pk);
        game_event_clear(&events[i]);
    }
    free(events);
    game_replay_free(rp);
    tg_packed_finish(out);
    *n = t->n_log;
}

static const msgpack_object *replay_find(const tg_packed *p, const char *e, uint32_t nth)
{
    for (uint32_t i = 0; i < p->o->via.array.size; i++)
        if (mp_str_is(mp_get(&p->o->via.array.ptr[i], "e"), e) && nth-- == 0)
            return &p->o->via.array.ptr[i];
    return NULL;
}

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

static game_agreement agreement_of(int lo, int hi, int scale_min, int scale_max)
{
    game_vote v[2] = {{1, false, (uint32_t)lo}, {2, false, (uint32_t)hi}};
    game_stats s;
    stats_compute(v, 2, scale_min, scale_max, &s);
    return stats_agreement(&s, scale_min, scale_max);
}

static void test_agreement_uses_quarters_of_the_scale(void **state)
{
    (void)state;
    /* 1..5: r = 4: spread <= 1 consensus, >= 3 polarised. */
    assert_int_equal(agreement_of(3, 3, 1, 5), GAME_AGREE_CONSENSUS);
    assert_int_equal(agreement_of(2, 3, 1, 5), GAME_AGREE_CONSENSUS);
    assert_int_equal(agreement_of(2, 4, 1, 5), GAME_AGREE_MIXED);
    assert_int_equal(agreement_of(2, 5, 1, 5), GAME_AGREE_POLARISED);
    assert_int_equal(agreement_of(1, 5, 1, 5), GAME_AGREE_POLARISED);
    /* 0..9: r = 9: spread <= 2.25 consensus, >= 6.75 polarised. */
    assert_int_equal(agreement_of(0, 2, 0, 9), GAME_AGREE_CONSENSUS);
    assert_int_equal(agreement_of(0, 3, 0, 9), GAME_AGREE_MIXED);
    assert_int_equal(agreement_of(0, 6, 0, 9), GAME_AGREE_MIXED);
    assert_int_equal(agreement_of(0, 7, 0, 9), GAME_AGREE_POLARISED);
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
        cmocka_unit_test(test_view_has_exactly_the_fields_of_section_6),
        cmocka_unit_test(test_view_hand_is_own_cards_only),
        cmocka_unit_test(test_view_keeps_members_who_left_as_not_present),
        cmocka_unit_test(test_hidden_note_text_gone_from_view_and_summary),
        cmocka_unit_test(test_replay_drops_text_of_note_hidden_later),
        cmocka_unit_test(test_replay_shows_a_rekey_without_the_key),
        cmocka_unit_test(test_replay_shows_hands_whole_and_votes_without_value),
        cmocka_unit_test(test_replay_anonymous_round_reveals_without_votes),
        cmocka_unit_test(test_stats_median_of_even_count_is_mean_of_middle_two),
        cmocka_unit_test(test_stats_hist_has_one_count_per_scale_value),
        cmocka_unit_test(test_stats_figures_are_nil_without_votes),
        cmocka_unit_test(test_agreement_uses_quarters_of_the_scale),
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
