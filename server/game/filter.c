/* filter: what one recipient may see of one event, live and in the replay (SPEC.md §5). */
#include "game/view_internal.h"

#include <stdlib.h>
#include <string.h>

static void pack_created_public(const game_event *e, game_map *m)
{
    game_map_key(m, "e");
    game_pack_str(m->pk, "created");
    game_pack_created_head(m, e);
    game_map_key(m, "deck");
    pack_deck_ref(m->pk, e->u.created.deck);
    game_map_key(m, "by");
    msgpack_pack_uint32(m->pk, e->u.created.by);
}

static void pack_joined_public(const game_event *e, game_map *m)
{
    game_map_key(m, "e");
    game_pack_str(m->pk, "joined");
    game_map_key(m, "player");
    msgpack_pack_uint32(m->pk, e->u.joined.player);
    game_map_key(m, "name");
    game_pack_str(m->pk, e->u.joined.name);
    game_map_key(m, "role");
    game_pack_str(m->pk, vp_role_name(e->u.joined.role));
    game_map_key(m, "seated");
    game_pack_bool(m->pk, e->u.joined.seated);
}

static void pack_round_public(const game_event *e, game_map *m)
{
    game_map_key(m, "e");
    game_pack_str(m->pk, "round");
    game_map_key(m, "round");
    msgpack_pack_uint32(m->pk, e->u.round.round);
    game_map_key(m, "order");
    game_pack_ids(m->pk, e->u.round.order, e->u.round.n_order);
    game_map_key(m, "pile");
    msgpack_pack_uint32(m->pk, e->u.round.pile);
    game_map_key(m, "opts");
    game_pack_opts(m->pk, &e->u.round.opts);
}

static void pack_voted(const game_event *e, bool with_value, game_map *m)
{
    game_map_key(m, "e");
    game_pack_str(m->pk, "voted");
    game_map_key(m, "player");
    msgpack_pack_uint32(m->pk, e->u.voted.vote.player);
    if (with_value) {
        game_map_key(m, "value");
        game_pack_vote_value(m->pk, &e->u.voted.vote);
    }
}

static void pack_revealed(const game_event *e, bool with_votes, game_map *m)
{
    game_map_key(m, "e");
    game_pack_str(m->pk, "revealed");
    game_map_key(m, "card");
    game_pack_str(m->pk, e->u.revealed.card.s);
    if (with_votes) {
        game_map_key(m, "votes");
        game_pack_vote_pairs(m->pk, e->u.revealed.votes, e->u.revealed.n_votes);
    }
    game_map_key(m, "stats");
    game_pack_stats(m->pk, &e->u.revealed.stats);
    /* The per-window figures obey the anonymity rule already (decide
     * left out what could single out a vote): everyone sees them. */
    if (e->u.revealed.windows.has) {
        game_map_key(m, "windows");
        game_pack_windows(m->pk, &e->u.revealed.windows);
    }
}

/* True when recipient sees the value of vote event e. The value goes to
 * the voter only, and to the facilitator when the vote is a seated
 * player's (the facilitator cast it). */
static bool sees_vote_value(const room *after, const game_event *e, uint32_t recipient)
{
    uint32_t voter = e->u.voted.vote.player;
    const member *v = room_member(after, voter);

    return recipient != 0 && (recipient == voter || (v && v->seated && recipient == room_facilitator(after)));
}

/* True when recipient sees the key of a `rekeyed` event: a present member
 * of a room that has closed a round, i.e. one whose View already shows the
 * key in its summary (nobody learns a key before the first close; the
 * kicked member is no longer present). */
static bool sees_new_key(const room *after, uint32_t recipient)
{
    const member *m = room_member(after, recipient);
    if (!m || !m->present)
        return false;
    for (uint32_t i = 0; i < after->n_rounds; i++)
        if (after->rounds[i].closed)
            return true;
    return false;
}

/* The hand dealt to recipient in e, or NULL. */
static const game_hand *own_hand(const game_event *e, uint32_t recipient)
{
    for (uint32_t i = 0; recipient && i < e->u.dealt.n_hands; i++)
        if (e->u.dealt.hands[i].player == recipient)
            return &e->u.dealt.hands[i];
    return NULL;
}

uint32_t game_event_audience(const room *after, const game_event *e, uint32_t recipient)
{
    switch (e->kind) {
    case GAME_EV_DEALT: return own_hand(e, recipient) ? recipient : 0;
    case GAME_EV_VOTED: return sees_vote_value(after, e, recipient) ? recipient : 0;
    case GAME_EV_REKEYED: return sees_new_key(after, recipient) ? recipient : 0;
    /* The same bytes for everyone. Each kind is named (no default:), so
     * that a new kind does not compile until someone decides here who
     * sees what of it (-Wswitch-enum, server/CMakeLists.txt). */
    case GAME_EV_CREATED:
    case GAME_EV_JOINED:
    case GAME_EV_PRESENCE:
    case GAME_EV_LEFT:
    case GAME_EV_HANDED:
    case GAME_EV_LOCKED:
    case GAME_EV_ROUND:
    case GAME_EV_ORDER:
    case GAME_EV_TURN:
    case GAME_EV_PLAYED:
    case GAME_EV_REOPENED:
    case GAME_EV_REVEALED:
    case GAME_EV_NOTED:
    case GAME_EV_HIDDEN:
    case GAME_EV_DONE:
    case GAME_EV_SKIPPED:
    case GAME_EV_TIMER:
    case GAME_EV_CLOSED:
    case GAME_EV_WINDOWED:
    case GAME_EV_PAGED:
    case GAME_EV__COUNT: return 0;
    }
    return 0;
}

bool game_event_filter_neutral(const game_event *e)
{
    switch (e->kind) {
    case GAME_EV_CREATED:
    case GAME_EV_JOINED:
    case GAME_EV_LEFT:
    case GAME_EV_HANDED:
    case GAME_EV_ROUND: return false;
    case GAME_EV_PRESENCE:
    case GAME_EV_LOCKED:
    case GAME_EV_DEALT:
    case GAME_EV_ORDER:
    case GAME_EV_TURN:
    case GAME_EV_PLAYED:
    case GAME_EV_VOTED:
    case GAME_EV_REOPENED:
    case GAME_EV_REVEALED:
    case GAME_EV_NOTED:
    case GAME_EV_HIDDEN:
    case GAME_EV_DONE:
    case GAME_EV_SKIPPED:
    case GAME_EV_TIMER:
    case GAME_EV_CLOSED:
    case GAME_EV_REKEYED:
    case GAME_EV_WINDOWED:
    case GAME_EV_PAGED: return true;
    case GAME_EV__COUNT: return false;
    }
    return false;
}

/* What game_pack_event_for packs, as pairs. */
typedef struct event_for {
    const room *after;
    const game_event *e;
    uint32_t recipient;
} event_for;

static void event_for_pairs(game_map *m, const void *ctx)
{
    const event_for *f = ctx;
    const game_event *e = f->e;
    switch (e->kind) {
    case GAME_EV_CREATED: pack_created_public(e, m); return;
    case GAME_EV_JOINED: pack_joined_public(e, m); return;
    case GAME_EV_ROUND: pack_round_public(e, m); return;
    case GAME_EV_DEALT: {
        const game_hand *own = own_hand(e, f->recipient);
        game_map_key(m, "e");
        game_pack_str(m->pk, "dealt");
        game_map_key(m, "counts");
        msgpack_pack_array(m->pk, e->u.dealt.n_hands);
        for (uint32_t i = 0; i < e->u.dealt.n_hands; i++) {
            msgpack_pack_array(m->pk, 2);
            msgpack_pack_uint32(m->pk, e->u.dealt.hands[i].player);
            msgpack_pack_uint32(m->pk, e->u.dealt.hands[i].n_cards);
        }
        if (own) {
            game_map_key(m, "cards");
            msgpack_pack_array(m->pk, own->n_cards);
            for (uint32_t j = 0; j < own->n_cards; j++)
                game_pack_str(m->pk, own->cards[j].s);
        }
        return;
    }
    case GAME_EV_VOTED: pack_voted(e, sees_vote_value(f->after, e, f->recipient), m); return;
    case GAME_EV_REVEALED: pack_revealed(e, !f->after->opts.anonymous, m); return;
    case GAME_EV_REKEYED:
        game_map_key(m, "e");
        game_pack_str(m->pk, "rekeyed");
        if (sees_new_key(f->after, f->recipient)) {
            game_map_key(m, "replay_key");
            game_pack_str(m->pk, e->u.rekeyed.replay_key);
        }
        return;
    /* Nothing in these is anyone's own: all of it goes to everyone. */
    case GAME_EV_PRESENCE:
    case GAME_EV_LEFT:
    case GAME_EV_HANDED:
    case GAME_EV_LOCKED:
    case GAME_EV_ORDER:
    case GAME_EV_TURN:
    case GAME_EV_PLAYED:
    case GAME_EV_REOPENED:
    case GAME_EV_NOTED:
    case GAME_EV_HIDDEN:
    case GAME_EV_DONE:
    case GAME_EV_SKIPPED:
    case GAME_EV_TIMER:
    case GAME_EV_CLOSED:
    case GAME_EV_WINDOWED:
    case GAME_EV_PAGED: game_event_pairs(m, e); return;
    case GAME_EV__COUNT: break;
    }
    /* Not a kind: its name and nothing else (fails closed). */
    game_map_key(m, "e");
    game_pack_str(m->pk, game_event_name(e->kind));
}

void game_pack_event_for(const room *after, const game_event *e, uint32_t recipient, msgpack_packer *pk)
{
    event_for f = {after, e, recipient};
    game_pack_map(pk, event_for_pairs, &f);
}

struct game_replay {
    bool anonymous;
    uint8_t hidden[GAME_MAX_NOTES / 8 + 1]; /* bit per note id ever hidden */
};

game_replay *game_replay_new(void)
{
    return calloc(1, sizeof(game_replay));
}

void game_replay_free(game_replay *rp)
{
    free(rp);
}

static bool replay_hidden(uint32_t id, const void *ctx)
{
    const game_replay *rp = ctx;
    return id <= GAME_MAX_NOTES && (rp->hidden[id / 8] >> (id % 8) & 1);
}

int game_replay_scan(game_replay *rp, const game_event *e)
{
    if (e->kind == GAME_EV_HIDDEN) {
        if (e->u.hidden.note > GAME_MAX_NOTES)
            return -1;
        rp->hidden[e->u.hidden.note / 8] |= (uint8_t)(1u << (e->u.hidden.note % 8));
    }
    return 0;
}

/* What the replay shows of one event, as pairs (rp is read, not changed). */
typedef struct replay_event {
    const game_replay *rp;
    const game_event *e;
} replay_event;

static void replay_pairs(game_map *m, const void *ctx)
{
    const replay_event *x = ctx;
    const game_replay *rp = x->rp;
    const game_event *e = x->e;
    game_map_key(m, "seq");
    msgpack_pack_uint64(m->pk, e->seq);
    game_map_key(m, "at");
    msgpack_pack_uint64(m->pk, e->at);
    switch (e->kind) {
    case GAME_EV_CREATED: pack_created_public(e, m); break;
    case GAME_EV_JOINED: pack_joined_public(e, m); break;
    case GAME_EV_ROUND: pack_round_public(e, m); break;
    case GAME_EV_VOTED: pack_voted(e, game_replay_shows_vote_value(rp), m); break;
    case GAME_EV_REKEYED:
        game_map_key(m, "e");
        game_pack_str(m->pk, "rekeyed");
        if (game_replay_shows_key(rp)) {
            game_map_key(m, "replay_key");
            game_pack_str(m->pk, e->u.rekeyed.replay_key);
        }
        break;
    case GAME_EV_REVEALED: pack_revealed(e, game_replay_shows_voters(rp), m); break;
    case GAME_EV_NOTED:
        game_map_key(m, "e");
        game_pack_str(m->pk, "noted");
        game_map_key(m, "note");
        msgpack_pack_uint32(m->pk, e->u.noted.note);
        game_map_key(m, "card");
        game_pack_str(m->pk, e->u.noted.card.s);
        /* A note hidden at any time: neither its text nor its author. */
        if (game_replay_shows_note_text(rp, e->u.noted.note)) {
            game_map_key(m, "player");
            msgpack_pack_uint32(m->pk, e->u.noted.player);
            game_map_key(m, "text");
            game_pack_str(m->pk, e->u.noted.text ? e->u.noted.text : "");
        }
        break;
    case GAME_EV_CLOSED:
        game_map_key(m, "e");
        game_pack_str(m->pk, "closed");
        game_map_key(m, "round");
        msgpack_pack_uint32(m->pk, e->u.closed.round);
        game_map_key(m, "summary");
        game_pack_summary(m->pk, e->u.closed.summary, replay_hidden, rp);
        break;
    case GAME_EV_PRESENCE:
    case GAME_EV_LEFT:
    case GAME_EV_HANDED:
    case GAME_EV_LOCKED:
    case GAME_EV_DEALT:
    case GAME_EV_ORDER:
    case GAME_EV_TURN:
    case GAME_EV_PLAYED:
    case GAME_EV_REOPENED:
    case GAME_EV_HIDDEN:
    case GAME_EV_DONE:
    case GAME_EV_SKIPPED:
    case GAME_EV_TIMER:
    case GAME_EV_WINDOWED:
    case GAME_EV_PAGED: game_event_pairs(m, e); break;
    case GAME_EV__COUNT:
        game_map_key(m, "e");
        game_pack_str(m->pk, game_event_name(e->kind));
        break;
    }
}

void game_replay_track(game_replay *rp, const game_event *e)
{
    if (e->kind == GAME_EV_CREATED)
        rp->anonymous = e->u.created.opts.anonymous;
    if (e->kind == GAME_EV_ROUND)
        rp->anonymous = e->u.round.opts.anonymous;
}

bool game_replay_shows_note_text(const game_replay *rp, uint32_t note_id)
{
    return !replay_hidden(note_id, rp);
}

bool game_replay_shows_voters(const game_replay *rp)
{
    return !rp->anonymous;
}

bool game_replay_shows_vote_value(const game_replay *rp)
{
    /* Before the reveal a value is the voter's own; the reveal shows it. */
    return false;
}

bool game_replay_shows_key(const game_replay *rp)
{
    /* Never: the key is the secret that opens the replay, and a replay
     * can be passed on. */
    return false;
}

void game_replay_pack(game_replay *rp, const game_event *e, msgpack_packer *pk)
{
    game_replay_track(rp, e);
    replay_event x = {rp, e};
    game_pack_map(pk, replay_pairs, &x);
}
