/* decide_internal: what the decide_*.c files share (a decision under way, emitting events, the helpers used across intent groups); no one else includes this. */
#ifndef VERRIJK_GAME_DECIDE_INTERNAL_H
#define VERRIJK_GAME_DECIDE_INTERNAL_H

#include "game/room_internal.h"

/* An intent causes at most this many events (join during a round: joined,
 * dealt, order, turn; kick: left, order, turn, revealed, rekeyed). */
#define DECIDE_MAX_EVENTS 8

typedef struct decision {
    const room *r;
    const game_env *env;
    const game_input *in;
    const vp_intent *it;
    game_result *out;
    const member *me; /* the sender, when bound to a present member */
} decision;

/* A change an intent is about to make, for the auto-reveal check: the
 * state after it, without building that state. */
typedef struct change {
    const game_vote *vote;                     /* a vote cast or changed */
    uint32_t gone;                             /* a member leaving or kicked */
    uint32_t offline;                          /* a member going offline */
    uint32_t online;                           /* a member coming back */
    uint32_t new_facilitator, old_facilitator; /* a handover */
} change;

/* clang-format off */
#define EMIT(var, d, kind)                                              \
    game_event *var = emit((d), (kind));                                \
    if (!(var))                                                         \
        return refuse((d), VP_SERVER_BUSY, "The server is out of memory.")
/* clang-format on */

/* decide.c: an error for the sender; an event appended to the result (EMIT). */
vp_code refuse(decision *d, vp_code code, const char *msg);
game_event *emit(decision *d, game_event_kind kind);

/* The intents, one function each, listed by the `rules` table in decide.c
 * (who may send which). Membership and devices: decide_members.c. */
vp_code decide_create(decision *d);
vp_code decide_join(decision *d);
vp_code decide_resume(decision *d);
vp_code decide_seat(decision *d);
vp_code decide_handover(decision *d);
vp_code decide_kick(decision *d);
vp_code decide_lock(decision *d);
vp_code decide_window(decision *d);
vp_code decide_leave(decision *d);
vp_code decide_purge(decision *d);
vp_code decide_ping(decision *d);
/* A round's card flow: decide_round.c. */
vp_code decide_start(decision *d);
vp_code decide_play(decision *d);
vp_code decide_draw(decision *d);
vp_code decide_next(decision *d);
vp_code decide_skip(decision *d);
vp_code decide_page(decision *d);
vp_code decide_timer(decision *d);
vp_code decide_close(decision *d);
/* Voting, the reveal and notes: decide_vote.c. */
vp_code decide_vote(decision *d);
vp_code decide_revote(decision *d);
vp_code decide_reveal(decision *d);
vp_code decide_note(decision *d);
vp_code decide_hide(decision *d);

/* Helpers one group of intents lends another. */
bool str_copy(vp_str s, char *buf, size_t size);                                  /* decide_members.c */
vp_code merge_opts(decision *d, const deck *dk, const vp_opts *in, game_opts *o); /* decide_round.c */
uint32_t next_turn(const room *r, uint32_t after, uint32_t gone);                 /* decide_round.c */
vp_code emit_revealed(decision *d, const game_vote *votes, uint32_t n);           /* decide_vote.c */
vp_code auto_reveal(decision *d, const change *ch);                               /* decide_vote.c */
vp_code need_table(decision *d);                                                  /* decide_vote.c */

#endif
