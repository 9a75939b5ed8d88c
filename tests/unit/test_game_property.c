/* test_game_property: thousands of random (seeded, reproducible) inputs from several members, invariants checked on every step. */
#include "test_game_util.h"

#define PROP_SEEDS         24
#define PROP_STEPS         600
#define PROP_REBUILD_EVERY 40

typedef struct prop {
    tg t;
    uint64_t rng;
    char tokens[GAME_MAX_MEMBERS + 1][GAME_KEY_HEX + 1];
    char names[GAME_MAX_MEMBERS + 1][16];
    uint32_t steps_ok, steps_err;
} prop;

static uint32_t rnd(prop *p, uint32_t n)
{
    return n ? (uint32_t)(shuffle_next(&p->rng) % n) : 0;
}

static uint32_t random_member(prop *p)
{
    /* Mostly real members, sometimes nobody or an unknown id. */
    uint32_t n = room_members(p->t.r);
    uint32_t x = rnd(p, n + 2);
    return x;
}

static uint32_t facilitator(prop *p)
{
    return room_facilitator(p->t.r);
}

static const char *random_card(prop *p)
{
    const room *r = p->t.r;
    if (rnd(p, 10) == 0)
        return "no-such-card";
    return r->deck->cards[rnd(p, r->deck->n_cards)].id;
}

/* One random input; returns its code. */
static vp_code step(prop *p)
{
    tg *t = &p->t;
    const room *r = t->r;
    vp_intent it;
    memset(&it, 0, sizeof it);
    uint32_t who = random_member(p);
    uint32_t fac = facilitator(p);
    uint32_t choice = rnd(p, 100);
    char card[GAME_ID_SIZE];
    static const char *const notes[] = {"a thought", "Another one", "x", "why not?"};

    if (choice < 4)
        return tg_offline(t, random_member(p));
    if (choice < 8)
        return tg_online(t, random_member(p));
    if (choice < 16) {
        uint32_t n = room_members(r) + 1;
        snprintf(p->names[n < GAME_MAX_MEMBERS ? n : 0], 16, "%s%u", rnd(p, 2) ? "p" : "P", rnd(p, 40));
        it.t = VP_T_JOIN;
        it.room = S("ABCDEF");
        it.name = S(p->names[n < GAME_MAX_MEMBERS ? n : 0]);
        it.role = rnd(p, 5) == 0 ? VP_ROLE_SCREEN : VP_ROLE_PLAYER;
        vp_code rc = tg_do(t, rnd(p, 8) == 0 ? who : 0, &it);
        if (rc == VP_OK && t->res.you <= GAME_MAX_MEMBERS)
            strcpy(p->tokens[t->res.you], t->res.token);
        return rc;
    }
    if (choice < 19) {
        uint32_t m = random_member(p);
        it.t = VP_T_RESUME;
        it.room = S("ABCDEF");
        it.token = S(m <= GAME_MAX_MEMBERS && p->tokens[m][0] ? p->tokens[m] : "00000000000000000000000000000000");
        return tg_do(t, rnd(p, 2) ? m : 0, &it);
    }
    if (choice < 24) {
        it.t = VP_T_START;
        it.opts = tg_opts();
        if (rnd(p, 2)) {
            it.has_opts = true;
            it.opts.set = rnd(p, 64);
            it.opts.mode = rnd(p, 4) == 0 ? VP_MODE_DECK : VP_MODE_HANDS;
            it.opts.hand = (uint8_t)(1 + rnd(p, 7));
            it.opts.anonymous = rnd(p, 3) == 0;
            it.opts.auto_reveal = rnd(p, 4) != 0;
            it.opts.facilitator_plays = rnd(p, 3) == 0;
            static const char *const cats[] = {"a", "b", "c", "zz"};
            it.opts.n_categories = (uint8_t)(1 + rnd(p, 2));
            for (int i = 0; i < it.opts.n_categories; i++)
                it.opts.categories[i] = S(cats[rnd(p, rnd(p, 5) ? 3 : 4)]);
        }
        return tg_do(t, rnd(p, 4) ? fac : who, &it);
    }
    if (choice < 38) {
        /* Play: mostly the turn holder with a card they hold. */
        uint32_t m = rnd(p, 4) ? r->turn : who;
        const member *mb = room_member(r, m);
        if (mb && mb->n_hand && rnd(p, 5))
            snprintf(card, sizeof card, "%s", room_card_id(r, mb->hand[rnd(p, mb->n_hand)]));
        else
            snprintf(card, sizeof card, "%s", random_card(p));
        return tg_play(t, m, card);
    }
    if (choice < 41)
        return tg_simple(t, rnd(p, 4) ? fac : who, VP_T_DRAW);
    if (choice < 60) {
        int value = (int)rnd(p, 8) - 1; /* -1 pass, 0..6 (0 and 6 off the scale) */
        if (rnd(p, 6) == 0) {
            /* The facilitator for someone, usually a seated player. */
            uint32_t target = random_member(p);
            for (uint32_t i = 0; i < r->n_members && rnd(p, 3); i++)
                if (r->members[i].seated && r->members[i].present)
                    target = r->members[i].id;
            return tg_vote_for(t, rnd(p, 5) ? fac : who, target, value);
        }
        return tg_vote(t, who, value);
    }
    if (choice < 63)
        return tg_simple(t, rnd(p, 4) ? fac : who, VP_T_REVEAL);
    if (choice < 65)
        return tg_simple(t, rnd(p, 4) ? fac : who, VP_T_REVOTE);
    if (choice < 69)
        return tg_note(t, who, notes[rnd(p, 4)]);
    if (choice < 71)
        return tg_hide(t, rnd(p, 4) ? fac : who, rnd(p, r->n_notes + 2));
    if (choice < 80)
        return tg_simple(t, rnd(p, 5) ? fac : who, VP_T_NEXT);
    if (choice < 83)
        return tg_simple(t, rnd(p, 4) ? fac : who, VP_T_SKIP);
    if (choice < 85) {
        it.t = VP_T_TIMER;
        it.seconds = rnd(p, 3) ? rnd(p, 600) : 0;
        return tg_do(t, rnd(p, 4) ? fac : who, &it);
    }
    if (choice < 88) {
        it.t = VP_T_CLOSE;
        it.text = S(rnd(p, 2) ? "Thank you all" : "");
        it.n_actions = (uint8_t)rnd(p, 3);
        for (int i = 0; i < it.n_actions; i++)
            it.actions[i] = S("act");
        return tg_do(t, rnd(p, 4) ? fac : who, &it);
    }
    if (choice < 90) {
        uint32_t n = room_members(r) + 1;
        snprintf(p->names[n < GAME_MAX_MEMBERS ? n : 0], 16, "s%u", rnd(p, 30));
        it.t = VP_T_SEAT;
        it.name = S(p->names[n < GAME_MAX_MEMBERS ? n : 0]);
        return tg_do(t, rnd(p, 4) ? fac : who, &it);
    }
    if (choice < 92)
        return tg_target(t, rnd(p, 4) ? fac : who, VP_T_HANDOVER, random_member(p));
    if (choice < 94)
        return tg_target(t, rnd(p, 4) ? fac : who, VP_T_KICK, random_member(p));
    if (choice < 96)
        return tg_simple(t, who, VP_T_LEAVE);
    if (choice < 97) {
        it.t = VP_T_LOCK;
        it.locked = rnd(p, 3) == 0;
        return tg_do(t, rnd(p, 4) ? fac : who, &it);
    }
    if (choice < 98 && r->phase == GAME_CLOSED) {
        it.t = VP_T_PAGE;
        it.page = rnd(p, 4);
        return tg_do(t, fac, &it);
    }
    if (choice < 99) {
        /* A window for oneself, for someone (facilitator), or the empty chair. */
        static const char *const windows[] = {"w1", "w2", "w3", "", "w9"};
        uint32_t how = rnd(p, 4);
        return tg_window(t, how == 0 ? fac : who, windows[rnd(p, 5)], how == 1 ? random_member(p) : 0, how == 2);
    }
    /* Purge is refused while a round is open; a granted purge ends the
     * room, which the caller would delete: count it, change nothing. */
    return tg_simple(t, who, VP_T_PING);
}

/* No card in two places: hands + pile + table + done = the round's cards. */
static void check_cards(const room *r)
{
    if (r->phase != GAME_PLAYING)
        return;
    const round_rec *rd = room_round(r);
    uint8_t seen[DECK_CARDS_MAX] = {0};
    uint32_t total = 0;
    for (uint32_t i = 0; i < r->n_members; i++) {
        const member *m = &r->members[i];
        assert_true(m->n_hand <= VP_HAND_MAX);
        if (m->n_hand)
            assert_true(m->present && !m->seated && m->role != VP_ROLE_SCREEN);
        for (uint32_t k = 0; k < m->n_hand; k++, total++)
            assert_int_equal(seen[m->hand[k]]++, 0);
    }
    for (uint32_t k = 0; k < r->n_pile; k++, total++)
        assert_int_equal(seen[r->pile[k]]++, 0);
    if (r->table.has) {
        assert_int_equal(seen[r->table.card]++, 0);
        total++;
    }
    for (uint32_t k = 0; k < rd->n_done; k++, total++)
        assert_int_equal(seen[rd->done[k].card]++, 0);
    assert_int_equal(total, rd->n_cards);
    for (uint32_t k = 0; k < rd->n_cards; k++)
        assert_int_equal(seen[rd->cards[k]], 1);
}

static void check_members(const room *r)
{
    uint32_t facilitators = 0, present = 0;
    for (uint32_t i = 0; i < r->n_members; i++) {
        const member *m = &r->members[i];
        if (!m->present) {
            assert_false(m->online);
            continue;
        }
        present++;
        facilitators += m->role == VP_ROLE_FACILITATOR;
        if (m->seated)
            assert_false(m->online);
        for (uint32_t j = i + 1; j < r->n_members; j++) {
            const member *o = &r->members[j];
            if (o->present)
                assert_int_not_equal(strcasecmp(m->name, o->name), 0);
        }
    }
    assert_int_equal(facilitators, 1);
    assert_true(present <= GAME_MAX_PRESENT);
    /* Votes on the table come from present members until the reveal. */
    if (r->table.has && !r->table.revealed)
        for (uint32_t k = 0; k < r->table.n_votes; k++)
            assert_true(room_member_present(r, r->table.votes[k].player));
}

/* A hidden vote never reaches another member: not through the events of
 * this step, not through anyone's View. */
static void check_secrets(tg *t)
{
    const room *r = t->r;
    uint32_t fac = room_facilitator(r);
    for (uint32_t i = 0; i < t->res.n_events; i++) {
        const game_event *e = &t->res.events[i];
        for (uint32_t who = 1; who <= r->n_members; who++) {
            if (!room_member_present(r, who))
                continue;
            tg_packed p;
            tg_filtered(t, i, who, &p);
            if (e->kind == GAME_EV_VOTED) {
                uint32_t voter = e->u.voted.vote.player;
                const member *v = room_member(r, voter);
                bool may = who == voter || (v->seated && who == fac);
                assert_int_equal(mp_get(p.o, "value") != NULL, may);
            }
            if (e->kind == GAME_EV_REVEALED)
                assert_int_equal(mp_get(p.o, "votes") != NULL, !r->opts.anonymous);
            if (e->kind == GAME_EV_DEALT) {
                const msgpack_object *cards = mp_get(p.o, "cards");
                bool own = false;
                for (uint32_t h = 0; h < e->u.dealt.n_hands; h++)
                    own |= e->u.dealt.hands[h].player == who;
                assert_int_equal(cards != NULL, own);
                assert_null(mp_get(p.o, "hands"));
            }
            assert_null(mp_get(p.o, "token_hash"));
            assert_null(mp_get(p.o, "seed"));
            if (e->kind == GAME_EV_REKEYED) {
                /* Present here; the key only once a summary (with a key) exists. */
                game_summary *sum = room_summary(r, 0);
                assert_int_equal(mp_get(p.o, "replay_key") != NULL, sum != NULL);
                game_summary_free(sum);
            } else {
                assert_null(mp_get(p.o, "replay_key"));
            }
            tg_packed_free(&p);
        }
    }
    for (uint32_t who = 0; who <= r->n_members; who++) {
        tg_packed v;
        tg_view(t, who, &v);
        const msgpack_object *tbl = mp_get(v.o, "table");
        if (r->table.has) {
            const msgpack_object *mine = mp_get(tbl, "my_vote");
            bool voted = false;
            for (uint32_t k = 0; k < r->table.n_votes; k++)
                voted |= r->table.votes[k].player == who;
            assert_int_equal(mine != NULL, voted && who != 0);
            const msgpack_object *rv = mp_get(tbl, "revealed");
            assert_int_equal(rv != NULL, r->table.revealed);
        }
        const msgpack_object *hand = mp_get(v.o, "hand");
        const member *m = room_member(r, who);
        assert_int_equal(hand->via.array.size, m ? m->n_hand : 0);
        assert_int_equal(mp_get(v.o, "seq")->via.u64, room_seq(r));
        tg_packed_free(&v);
    }
}

/* Every kind of event must turn up in the random sessions. */
static uint32_t kinds_seen[GAME_EV__COUNT];

static void run_seed(uint64_t seed)
{
    prop *p = calloc(1, sizeof *p);
    tg *t = &p->t;
    tg_init(t);
    p->rng = seed;
    t->rng = seed * 7919 + 1;
    vp_opts o = tg_opts();
    assert_int_equal(tg_create_with(t, "Fac", &o), 1);
    strcpy(p->tokens[1], t->res.token);
    kinds_seen[GAME_EV_CREATED]++;
    for (uint32_t s = 0; s < PROP_STEPS; s++) {
        vp_code rc = step(p);
        if (rc == VP_OK)
            p->steps_ok++;
        else
            p->steps_err++;
        for (uint32_t i = 0; rc == VP_OK && i < t->res.n_events; i++)
            kinds_seen[t->res.events[i].kind]++;
        assert_int_equal(room_seq(t->r), t->n_log);
        check_cards(t->r);
        check_members(t->r);
        if (rc == VP_OK && t->res.n_events)
            check_secrets(t);
        if (s % PROP_REBUILD_EVERY == 0 && !tg_rebuild_equal(t))
            fail_msg("seed %llu step %u: state rebuilt from the log differs", (unsigned long long)seed, s);
    }
    if (!tg_rebuild_equal(t))
        fail_msg("seed %llu: state rebuilt from the log differs at the end", (unsigned long long)seed);
    /* Enough of the steps did something for the test to mean something. */
    if (p->steps_ok <= PROP_STEPS / 8)
        fail_msg("seed %llu: only %u of %u steps succeeded", (unsigned long long)seed, p->steps_ok, PROP_STEPS);
    tg_free(t);
    free(p);
}

static void test_random_sessions_keep_every_invariant(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= PROP_SEEDS; seed++)
        run_seed(seed);
    for (int k = 0; k < GAME_EV__COUNT; k++)
        if (kinds_seen[k] == 0)
            fail_msg("no %s event in %d random sessions", game_event_name((game_event_kind)k), PROP_SEEDS);
}

/* The replay of a random session packs every event and never shows a vote
 * value, a seed, a token hash or a hidden note's text. */
static void test_random_sessions_replay_without_secrets(void **state)
{
    (void)state;
    for (uint64_t seed = 100; seed < 106; seed++) {
        prop *p = calloc(1, sizeof *p);
        tg *t = &p->t;
        tg_init(t);
        p->rng = seed;
        tg_create(t);
        for (uint32_t s = 0; s < PROP_STEPS; s++)
            step(p);
        game_event *events = calloc(t->n_log + 1, sizeof *events);
        size_t off = 0;
        msgpack_unpacked up;
        msgpack_unpacked_init(&up);
        char err[200];
        game_replay *rp = game_replay_new();
        for (uint32_t i = 0; i < t->n_log; i++) {
            assert_int_equal(msgpack_unpack_next(&up, t->log.data, t->log.size, &off), MSGPACK_UNPACK_SUCCESS);
            assert_int_equal(game_unpack_event(&up.data, &events[i], err, sizeof err), 0);
            game_replay_scan(rp, &events[i]);
        }
        msgpack_unpacked_destroy(&up);
        for (uint32_t i = 0; i < t->n_log; i++) {
            tg_packed out;
            msgpack_sbuffer_init(&out.sb);
            msgpack_packer pk;
            msgpack_packer_init(&pk, &out.sb, msgpack_sbuffer_write);
            game_replay_pack(rp, &events[i], &pk);
            tg_packed_finish(&out);
            assert_null(mp_get(out.o, "seed"));
            assert_null(mp_get(out.o, "token_hash"));
            assert_null(mp_get(out.o, "replay_key"));
            if (events[i].kind == GAME_EV_VOTED)
                assert_null(mp_get(out.o, "value"));
            if (events[i].kind == GAME_EV_NOTED) {
                bool hidden = t->r->notes[events[i].u.noted.note - 1].hidden;
                assert_int_equal(mp_get(out.o, "text") == NULL, hidden);
            }
            tg_packed_free(&out);
            game_event_clear(&events[i]);
        }
        free(events);
        game_replay_free(rp);
        tg_free(t);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_sessions_keep_every_invariant),
        cmocka_unit_test(test_random_sessions_replay_without_secrets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
