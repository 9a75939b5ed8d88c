/* test_game_rules: one test per rule of SPEC.md §2–§4 as the game core decides it. */
#include "test_game_util.h"

#include <openssl/sha.h>

#include "log/evlog_format.h"

/* A room with a facilitator (1) and players Ann (2), Bob (3), Cat (4). */
static void room4(tg *t)
{
    tg_init(t);
    assert_int_equal(tg_create(t), 1);
    assert_int_equal(tg_join(t, "Ann", VP_ROLE_PLAYER), 2);
    assert_int_equal(tg_join(t, "Bob", VP_ROLE_PLAYER), 3);
    assert_int_equal(tg_join(t, "Cat", VP_ROLE_PLAYER), 4);
}

/* room4, a round started, and the turn holder's first card on the table. */
static uint32_t room4_card_on_table(tg *t)
{
    room4(t);
    assert_int_equal(tg_start(t, 1), VP_OK);
    uint32_t turn = t->r->turn;
    assert_int_equal(turn, 2);
    assert_int_equal(tg_play_first(t, turn), VP_OK);
    return turn;
}

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

static void start_deck_mode(tg *t)
{
    room4(t);
    vp_opts o = tg_opts();
    o.set = VP_OPT_MODE;
    o.mode = VP_MODE_DECK;
    assert_int_equal(tg_start_with(t, 1, &o), VP_OK);
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
        cmocka_unit_test(test_page_turns_the_big_screens_summary_only_once_closed),
        cmocka_unit_test(test_page_is_the_facilitators),
        cmocka_unit_test(test_a_new_summary_starts_at_its_first_page),
        cmocka_unit_test(test_auto_reveal_held_by_a_voter_away_less_than_the_hold),
        cmocka_unit_test(test_auto_reveal_once_the_hold_has_passed),
        cmocka_unit_test(test_auto_reveal_held_until_the_sleeper_votes),
        cmocka_unit_test(test_auto_reveal_not_held_by_one_away_before_the_card_was_played),
        cmocka_unit_test(test_auto_reveal_not_held_by_one_away_who_voted),
        cmocka_unit_test(test_revote_clears_votes_and_reopens),
        cmocka_unit_test(test_reveal_twice_is_wrong_phase),
        cmocka_unit_test(test_reveal_with_empty_table_is_no_card),
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
