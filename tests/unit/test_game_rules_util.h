/* test_game_rules_util.h - the rooms the test_game_rules_*.c files start from. */
#ifndef VERRIJK_TEST_GAME_RULES_UTIL_H
#define VERRIJK_TEST_GAME_RULES_UTIL_H

#include "test_game_util.h"
#include <openssl/sha.h>
#include "log/evlog_format.h"

/* A room with a facilitator (1) and players Ann (2), Bob (3), Cat (4). */
static inline void room4(tg *t)
{
    tg_init(t);
    assert_int_equal(tg_create(t), 1);
    assert_int_equal(tg_join(t, "Ann", VP_ROLE_PLAYER), 2);
    assert_int_equal(tg_join(t, "Bob", VP_ROLE_PLAYER), 3);
    assert_int_equal(tg_join(t, "Cat", VP_ROLE_PLAYER), 4);
}

/* room4, a round started, and the turn holder's first card on the table. */
static inline uint32_t room4_card_on_table(tg *t)
{
    room4(t);
    assert_int_equal(tg_start(t, 1), VP_OK);
    uint32_t turn = t->r->turn;
    assert_int_equal(turn, 2);
    assert_int_equal(tg_play_first(t, turn), VP_OK);
    return turn;
}

static inline void start_deck_mode(tg *t)
{
    room4(t);
    vp_opts o = tg_opts();
    o.set = VP_OPT_MODE;
    o.mode = VP_MODE_DECK;
    assert_int_equal(tg_start_with(t, 1, &o), VP_OK);
}

#endif
