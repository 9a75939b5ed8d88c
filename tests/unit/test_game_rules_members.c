/* test_game_rules_members: the rules of SPEC.md §2–§4 on who is in a room: create, join, resume, handover, kick, leave. */
#include "test_game_rules_util.h"

/* ---- create, join, resume ---- */

static void test_create_makes_sender_facilitator(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    assert_int_equal(tg_create(&t), 1);
    assert_string_equal(tg_kinds(&t), "created,joined");
    assert_int_equal(t.res.events[1].u.joined.role, VP_ROLE_FACILITATOR);
    assert_int_equal(strlen(t.res.token), 32);
    assert_int_equal(room_facilitator(t.r), 1);
    assert_int_equal(room_phase(t.r), GAME_LOBBY);
    assert_true(tg_rebuild_equal(&t));
    tg_free(&t);
}

static void test_create_unknown_deck_is_bad_request(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    vp_intent it = {.t = VP_T_CREATE, .room = S("ABCDEF"), .name = S("Fac"), .deck = S("nope")};
    it.opts = tg_opts();
    assert_int_equal(tg_do(&t, 0, &it), VP_BAD_REQUEST);
    assert_false(room_exists(t.r));
    tg_free(&t);
}

static void test_create_on_existing_room_is_room_taken(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    vp_intent it = {.t = VP_T_CREATE, .room = S("ABCDEF"), .name = S("Other"), .deck = S("test-deck")};
    it.opts = tg_opts();
    assert_int_equal(tg_do(&t, 0, &it), VP_ROOM_TAKEN);
    tg_free(&t);
}

static void test_create_or_join_when_in_a_room_is_wrong_phase(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    vp_intent it = {.t = VP_T_JOIN, .room = S("ABCDEF"), .name = S("Again"), .role = VP_ROLE_PLAYER};
    assert_int_equal(tg_do(&t, 1, &it), VP_WRONG_PHASE);
    tg_free(&t);
}

static void test_join_unknown_room_is_no_room(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    vp_intent it = {.t = VP_T_JOIN, .room = S("ABCDEF"), .name = S("Ann"), .role = VP_ROLE_PLAYER};
    assert_int_equal(tg_do(&t, 0, &it), VP_NO_ROOM);
    tg_free(&t);
}

static void test_token_is_hex_of_entropy_and_only_its_hash_is_stored(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    assert_int_equal(tg_join(&t, "Ann", VP_ROLE_PLAYER), 2);
    const char *token = t.res.token;
    assert_int_equal(strlen(token), 32);
    for (int i = 0; i < 32; i++)
        assert_true((token[i] >= '0' && token[i] <= '9') || (token[i] >= 'a' && token[i] <= 'f'));
    /* token_hash = hex(SHA-256(the 32 hex characters)) */
    uint8_t md[32];
    char hex[65];
    SHA256((const unsigned char *)token, 32, md);
    for (int i = 0; i < 32; i++)
        sprintf(hex + 2 * i, "%02x", md[i]);
    const game_event *j = tg_ev(&t, GAME_EV_JOINED);
    assert_true(j->u.joined.has_token_hash);
    assert_string_equal(j->u.joined.token_hash, hex);
    /* The token itself appears in no event, whole or filtered. */
    assert_null(memmem(t.log.data, t.log.size, token, 32));
    tg_free(&t);
}

static void test_name_taken_with_ascii_case_folding(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    uint32_t ann = tg_join(&t, "Ann", VP_ROLE_PLAYER);
    assert_int_equal(tg_join(&t, "aNN", VP_ROLE_SCREEN), 0);
    assert_int_equal(t.res.code, VP_NAME_TAKEN);
    assert_int_equal(tg_seat(&t, 1, "ANN"), 0);
    assert_int_equal(t.res.code, VP_NAME_TAKEN);
    /* Unique among present members: once Ann left, the name is free. */
    assert_int_equal(tg_simple(&t, ann, VP_T_LEAVE), VP_OK);
    assert_int_not_equal(tg_join(&t, "ann", VP_ROLE_PLAYER), 0);
    tg_free(&t);
}

static void test_room_full_at_100_members_screens_included(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    char name[16];
    for (int i = 2; i <= 100; i++) {
        snprintf(name, sizeof name, "m%d", i);
        assert_int_equal(tg_join(&t, name, i % 2 ? VP_ROLE_SCREEN : VP_ROLE_PLAYER), (uint32_t)i);
    }
    assert_int_equal(tg_join(&t, "late", VP_ROLE_SCREEN), 0);
    assert_int_equal(t.res.code, VP_ROOM_FULL);
    assert_int_equal(tg_seat(&t, 1, "seated"), 0);
    assert_int_equal(t.res.code, VP_ROOM_FULL);
    /* Someone leaving makes room again. */
    assert_int_equal(tg_simple(&t, 2, VP_T_LEAVE), VP_OK);
    assert_int_equal(tg_join(&t, "late", VP_ROLE_SCREEN), 101);
    tg_free(&t);
}

static void test_locked_room_refuses_join_but_not_resume(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    uint32_t ann = tg_join(&t, "Ann", VP_ROLE_PLAYER);
    char token[33];
    strcpy(token, t.res.token);
    vp_intent lock = {.t = VP_T_LOCK, .locked = true};
    assert_int_equal(tg_do(&t, 1, &lock), VP_OK);
    assert_string_equal(tg_kinds(&t), "locked");
    assert_int_equal(tg_join(&t, "Bob", VP_ROLE_PLAYER), 0);
    assert_int_equal(t.res.code, VP_ROOM_LOCKED);
    assert_int_equal(tg_offline(&t, ann), VP_OK);
    vp_intent resume = {.t = VP_T_RESUME, .room = S("ABCDEF"), .token = S(token)};
    assert_int_equal(tg_do(&t, 0, &resume), VP_OK);
    assert_int_equal(t.res.you, ann);
    lock.locked = false;
    assert_int_equal(tg_do(&t, 1, &lock), VP_OK);
    assert_int_not_equal(tg_join(&t, "Bob", VP_ROLE_PLAYER), 0);
    tg_free(&t);
}

static void test_resume_reattaches_and_marks_online(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    uint32_t ann = tg_join(&t, "Ann", VP_ROLE_PLAYER);
    char token[33];
    strcpy(token, t.res.token);
    vp_intent resume = {.t = VP_T_RESUME, .room = S("ABCDEF"), .token = S(token)};
    /* While online (another device takes over): no event. */
    assert_int_equal(tg_do(&t, 0, &resume), VP_OK);
    assert_int_equal(t.res.you, ann);
    assert_string_equal(t.res.token, token);
    assert_string_equal(tg_kinds(&t), "");
    assert_int_equal(tg_offline(&t, ann), VP_OK);
    assert_string_equal(tg_kinds(&t), "presence");
    assert_false(room_member_online(t.r, ann));
    assert_int_equal(tg_do(&t, 0, &resume), VP_OK);
    assert_string_equal(tg_kinds(&t), "presence");
    assert_true(t.res.events[0].u.presence.online);
    assert_true(room_member_online(t.r, ann));
    tg_free(&t);
}

static void resume_after(tg *t, bool kick)
{
    tg_init(t);
    tg_create(t);
    uint32_t ann = tg_join(t, "Ann", VP_ROLE_PLAYER);
    char token[33];
    strcpy(token, t->res.token);
    if (kick) {
        assert_int_equal(tg_target(t, 1, VP_T_KICK, ann), VP_OK);
        assert_int_equal(t->res.kicked, ann);
        assert_true(t->res.events[0].u.left.kicked);
    } else {
        assert_int_equal(tg_simple(t, ann, VP_T_LEAVE), VP_OK);
        assert_false(t->res.events[0].u.left.kicked);
    }
    vp_intent resume = {.t = VP_T_RESUME, .room = S("ABCDEF"), .token = S(token)};
    assert_int_equal(tg_do(t, 0, &resume), VP_BAD_TOKEN);
}

static void test_resume_of_departed_member_is_bad_token(void **state)
{
    (void)state;
    tg t;
    resume_after(&t, false);
    tg_free(&t);
}

static void test_resume_of_kicked_member_is_bad_token(void **state)
{
    (void)state;
    tg t;
    resume_after(&t, true);
    tg_free(&t);
}

static void test_resume_with_unknown_token_is_bad_token(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    vp_intent resume = {.t = VP_T_RESUME, .room = S("ABCDEF"), .token = S("0123456789abcdef0123456789abcdef")};
    assert_int_equal(tg_do(&t, 0, &resume), VP_BAD_TOKEN);
    tg_free(&t);
}

static void test_intent_before_joining_is_not_allowed(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    assert_int_equal(tg_start(&t, 0), VP_NOT_ALLOWED);
    assert_int_equal(tg_note(&t, 0, "hi"), VP_NOT_ALLOWED);
    tg_free(&t);
}

/* ---- handover, kick, leave ---- */

static void test_handover_to_present_player_swaps_roles(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    assert_int_equal(tg_target(&t, 2, VP_T_HANDOVER, 3), VP_NOT_ALLOWED);
    assert_int_equal(tg_target(&t, 1, VP_T_HANDOVER, 3), VP_OK);
    assert_string_equal(tg_kinds(&t), "handed");
    assert_int_equal(room_facilitator(t.r), 3);
    vp_role role;
    room_member_role(t.r, 1, &role, NULL);
    assert_int_equal(role, VP_ROLE_PLAYER);
    assert_int_equal(tg_start(&t, 1), VP_NOT_ALLOWED);
    assert_int_equal(tg_start(&t, 3), VP_OK);
    /* The old facilitator now plays like any player. */
    assert_int_equal(t.r->order[0], 1);
    tg_free(&t);
}

static void test_handover_to_seated_or_screen_is_not_allowed(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    uint32_t sid = tg_seat(&t, 1, "Sid");
    uint32_t scr = tg_join(&t, "Scr", VP_ROLE_SCREEN);
    assert_int_equal(tg_target(&t, 1, VP_T_HANDOVER, sid), VP_NOT_ALLOWED);
    assert_int_equal(tg_target(&t, 1, VP_T_HANDOVER, scr), VP_NOT_ALLOWED);
    assert_int_equal(tg_target(&t, 1, VP_T_HANDOVER, 99), VP_BAD_REQUEST);
    assert_int_equal(tg_simple(&t, 2, VP_T_LEAVE), VP_OK);
    assert_int_equal(tg_target(&t, 1, VP_T_HANDOVER, 2), VP_BAD_REQUEST);
    tg_free(&t);
}

static void test_kick_returns_hand_to_bottom_of_pile(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    const member *bob = room_member(t.r, 3);
    uint16_t hand[VP_HAND_MAX];
    uint32_t n = bob->n_hand, pile = t.r->n_pile;
    memcpy(hand, bob->hand, sizeof hand);
    assert_int_equal(tg_target(&t, 2, VP_T_KICK, 3), VP_NOT_ALLOWED);
    assert_int_equal(tg_target(&t, 1, VP_T_KICK, 3), VP_OK);
    assert_string_equal(tg_kinds(&t), "left,order,rekeyed");
    assert_int_equal(t.res.kicked, 3);
    assert_int_equal(t.r->n_pile, pile + n);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(t.r->pile[pile + i], hand[i]);
    assert_int_equal(room_member(t.r, 3)->n_hand, 0);
    assert_false(room_member_present(t.r, 3));
    tg_free(&t);
}

static void test_kick_drops_unrevealed_vote(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    tg_vote(&t, 3, 5);
    assert_int_equal(tg_target(&t, 1, VP_T_KICK, 3), VP_OK);
    assert_int_equal(t.r->table.n_votes, 0);
    tg_free(&t);
}

static void test_revealed_vote_stays_when_voter_leaves(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    tg_vote(&t, 3, 5);
    tg_simple(&t, 1, VP_T_REVEAL);
    assert_int_equal(tg_simple(&t, 3, VP_T_LEAVE), VP_OK);
    assert_int_equal(t.r->table.n_votes, 1);
    tg_free(&t);
}

static void test_kick_passes_turn_when_it_was_theirs(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    assert_int_equal(t.r->turn, 2);
    assert_int_equal(tg_target(&t, 1, VP_T_KICK, 2), VP_OK);
    assert_string_equal(tg_kinds(&t), "left,order,turn,rekeyed");
    assert_int_equal(t.r->turn, 3);
    tg_free(&t);
}

static void test_turn_stays_when_leaver_has_card_on_table(void **state)
{
    (void)state;
    tg t;
    room4_card_on_table(&t);
    assert_int_equal(tg_simple(&t, 2, VP_T_LEAVE), VP_OK);
    assert_string_equal(tg_kinds(&t), "left,order");
    assert_int_equal(tg_simple(&t, 1, VP_T_NEXT), VP_OK);
    /* The turn passes on from where the leaver sat. */
    assert_int_equal(tg_ev(&t, GAME_EV_TURN)->u.turn.player, 3);
    tg_free(&t);
}

/* A kicked member knew the replay key (it is in every summary): a kick
 * replaces it, the old one opens nothing any more, and the next summary
 * carries the new one. Also when the kicked member facilitated before. */
static void test_kick_issues_a_new_replay_key(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    assert_int_equal(tg_close(&t, 1, ""), VP_OK);
    char key1[GAME_KEY_HEX + 1];
    memcpy(key1, tg_ev(&t, GAME_EV_CLOSED)->u.closed.summary->replay_key, sizeof key1);
    assert_true(room_check_replay_key(t.r, key1, GAME_KEY_HEX));
    tg_start(&t, 1);
    assert_int_equal(tg_target(&t, 1, VP_T_KICK, 3), VP_OK);
    const game_event *k = tg_ev(&t, GAME_EV_REKEYED);
    assert_non_null(k);
    char key2[GAME_KEY_HEX + 1];
    memcpy(key2, k->u.rekeyed.replay_key, sizeof key2);
    assert_int_equal(strspn(key2, "0123456789abcdef"), GAME_KEY_HEX);
    assert_string_not_equal(key1, key2);
    assert_false(room_check_replay_key(t.r, key1, GAME_KEY_HEX));
    assert_true(room_check_replay_key(t.r, key2, GAME_KEY_HEX));
    assert_int_equal(tg_close(&t, 1, ""), VP_OK);
    assert_string_equal(tg_ev(&t, GAME_EV_CLOSED)->u.closed.summary->replay_key, key2);
    /* The facilitator hands over, and the new one kicks them. */
    assert_int_equal(tg_target(&t, 1, VP_T_HANDOVER, 2), VP_OK);
    assert_string_equal(tg_kinds(&t), "handed");
    assert_int_equal(tg_target(&t, 2, VP_T_KICK, 1), VP_OK);
    assert_string_equal(tg_kinds(&t), "left,rekeyed");
    assert_false(room_check_replay_key(t.r, key2, GAME_KEY_HEX));
    assert_true(room_check_replay_key(t.r, tg_ev(&t, GAME_EV_REKEYED)->u.rekeyed.replay_key, GAME_KEY_HEX));
    /* Leaving of one's own accord keeps the key. */
    assert_int_equal(tg_simple(&t, 4, VP_T_LEAVE), VP_OK);
    assert_null(tg_ev(&t, GAME_EV_REKEYED));
    assert_true(tg_rebuild_equal(&t));
    tg_free(&t);
}

static void test_facilitator_cannot_leave_or_kick_themself(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    assert_int_equal(tg_simple(&t, 1, VP_T_LEAVE), VP_NOT_ALLOWED);
    assert_int_equal(tg_target(&t, 1, VP_T_KICK, 1), VP_NOT_ALLOWED);
    tg_free(&t);
}

static void test_leave_removes_from_order(void **state)
{
    (void)state;
    tg t;
    room4(&t);
    tg_start(&t, 1);
    assert_int_equal(tg_simple(&t, 4, VP_T_LEAVE), VP_OK);
    assert_int_equal(t.r->n_order, 2);
    assert_int_equal(t.r->order[0], 2);
    assert_int_equal(t.r->order[1], 3);
    tg_free(&t);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_makes_sender_facilitator),
        cmocka_unit_test(test_create_unknown_deck_is_bad_request),
        cmocka_unit_test(test_create_on_existing_room_is_room_taken),
        cmocka_unit_test(test_create_or_join_when_in_a_room_is_wrong_phase),
        cmocka_unit_test(test_join_unknown_room_is_no_room),
        cmocka_unit_test(test_token_is_hex_of_entropy_and_only_its_hash_is_stored),
        cmocka_unit_test(test_name_taken_with_ascii_case_folding),
        cmocka_unit_test(test_room_full_at_100_members_screens_included),
        cmocka_unit_test(test_locked_room_refuses_join_but_not_resume),
        cmocka_unit_test(test_resume_reattaches_and_marks_online),
        cmocka_unit_test(test_resume_of_departed_member_is_bad_token),
        cmocka_unit_test(test_resume_of_kicked_member_is_bad_token),
        cmocka_unit_test(test_resume_with_unknown_token_is_bad_token),
        cmocka_unit_test(test_intent_before_joining_is_not_allowed),
        cmocka_unit_test(test_handover_to_present_player_swaps_roles),
        cmocka_unit_test(test_handover_to_seated_or_screen_is_not_allowed),
        cmocka_unit_test(test_kick_returns_hand_to_bottom_of_pile),
        cmocka_unit_test(test_kick_drops_unrevealed_vote),
        cmocka_unit_test(test_revealed_vote_stays_when_voter_leaves),
        cmocka_unit_test(test_kick_passes_turn_when_it_was_theirs),
        cmocka_unit_test(test_turn_stays_when_leaver_has_card_on_table),
        cmocka_unit_test(test_kick_issues_a_new_replay_key),
        cmocka_unit_test(test_facilitator_cannot_leave_or_kick_themself),
        cmocka_unit_test(test_leave_removes_from_order),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
