/* view: what each recipient may see — the filtered events, the View, the summary and the replay (SPEC.md §5, §6). */
#include "game/room_internal.h"

#include <stdlib.h>
#include <string.h>

#include "game/stats.h"

static void key(msgpack_packer *pk, const char *k)
{
    game_pack_str(pk, k);
}

static const char *phase_name(game_phase p)
{
    return p == GAME_PLAYING ? "playing" : p == GAME_CLOSED ? "closed" : "lobby";
}

/* ---- summary ---- */

typedef struct ranked {
    const done_card *dc;
    uint32_t play_index;
} ranked;

/* Mean descending, nil last, ties in play order. */
static int rank_cmp(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    bool ha = a->dc->stats.n > 0, hb = b->dc->stats.n > 0;
    if (ha != hb)
        return ha ? -1 : 1;
    if (ha && a->dc->stats.mean != b->dc->stats.mean)
        return a->dc->stats.mean > b->dc->stats.mean ? -1 : 1;
    return a->play_index < b->play_index ? -1 : a->play_index > b->play_index;
}

static bool in_round_categories(const room_opts *o, const char *category)
{
    if (o->all_categories)
        return true;
    for (unsigned i = 0; i < o->n_categories; i++)
        if (strcmp(o->categories[i].s, category) == 0)
            return true;
    return false;
}

game_summary *room_summary_build(const room *r, const round_rec *rd, const done_card *extra,
                                 const char *text, size_t text_len, const vp_str *actions,
                                 uint32_t n_actions, uint64_t closed_at)
{
    const deck *dk = r->deck;
    uint32_t n = rd->n_done + (extra ? 1 : 0);
    game_summary *s = calloc(1, sizeof *s);
    ranked *order = calloc(n + 1, sizeof *order);
    if (!s || !order)
        goto err;
    s->round = rd->number;
    for (uint32_t i = 0; i < rd->n_done; i++)
        order[i] = (ranked){&rd->done[i], i};
    if (extra)
        order[rd->n_done] = (ranked){extra, rd->n_done};
    qsort(order, n, sizeof *order, rank_cmp);

    s->cards = calloc(n + 1, sizeof *s->cards);
    if (!s->cards)
        goto err;
    for (uint32_t i = 0; i < n; i++) {
        const done_card *dc = order[i].dc;
        game_summary_card *c = &s->cards[i];
        s->n_cards = i + 1;
        snprintf(c->card.s, sizeof c->card.s, "%s", room_card_id(r, dc->card));
        c->by = dc->by;
        c->stats = dc->stats;
        c->windows = dc->windows;
        c->agreement = stats_agreement(&dc->stats, dk->scale_min, dk->scale_max);
        c->notes = calloc(room_notes_on(r, rd->number, dc->card) + 1, sizeof *c->notes);
        if (!c->notes)
            goto err;
        for (uint32_t k = 0; k < r->n_notes; k++) {
            const note *nt = &r->notes[k];
            if (nt->round != rd->number || nt->card != dc->card)
                continue;
            game_note_item *ni = &c->notes[c->n_notes++];
            ni->note = nt->id;
            ni->player = nt->player;
            if (nt->text && !nt->hidden && !(ni->text = strdup(nt->text)))
                goto err;
        }
    }

    s->categories = calloc(dk->n_categories + 1, sizeof *s->categories);
    if (!s->categories)
        goto err;
    for (uint32_t k = 0; k < dk->n_categories; k++) {
        if (!in_round_categories(&rd->opts, dk->categories[k].id))
            continue;
        game_summary_category *sc = &s->categories[s->n_categories++];
        snprintf(sc->category.s, sizeof sc->category.s, "%s", dk->categories[k].id);
        double sum = 0;
        uint32_t with_mean = 0;
        for (uint32_t i = 0; i < n; i++) {
            const done_card *dc = order[i].dc;
            if (dk->cards[dc->card].category != k)
                continue;
            sc->cards++;
            if (dc->stats.n) {
                sum += dc->stats.mean;
                with_mean++;
            }
        }
        sc->has_mean = with_mean > 0;
        sc->mean = with_mean ? sum / with_mean : 0;
    }

    if (rd->closed) {
        s->text = strdup(rd->text ? rd->text : "");
        s->actions = calloc(rd->n_actions + 1, sizeof *s->actions);
        if (!s->text || !s->actions)
            goto err;
        for (uint32_t i = 0; i < rd->n_actions; i++) {
            if (!(s->actions[i] = strdup(rd->actions[i])))
                goto err;
            s->n_actions = i + 1;
        }
        s->closed_at = rd->closed_at;
    } else {
        s->text = strndup(text ? text : "", text ? text_len : 0);
        s->actions = calloc(n_actions + 1, sizeof *s->actions);
        if (!s->text || !s->actions)
            goto err;
        for (uint32_t i = 0; i < n_actions; i++) {
            if (!(s->actions[i] = strndup(actions[i].ptr, actions[i].len)))
                goto err;
            s->n_actions = i + 1;
        }
        s->closed_at = closed_at;
    }

    /* Players: members with the role player (seated included) with at least
     * one non-pass vote that stood at a reveal in this round. Not in an
     * anonymous round: who is missing from the list passed, and with one
     * card everyone else voted on, that names them. */
    s->has_players = !rd->opts.anonymous;
    s->players = calloc(r->n_members + 1, sizeof *s->players);
    if (!s->players)
        goto err;
    for (uint32_t m = 0; s->has_players && m < r->n_members; m++) {
        const member *mb = &r->members[m];
        if (mb->role != VP_ROLE_PLAYER)
            continue;
        bool counted = false;
        for (uint32_t i = 0; i < n && !counted; i++)
            for (uint32_t v = 0; v < order[i].dc->n_votes && !counted; v++)
                counted = order[i].dc->votes[v].player == mb->id && !order[i].dc->votes[v].pass;
        if (counted)
            s->players[s->n_players++] = mb->id;
    }
    s->started_at = rd->started_at;
    memcpy(s->replay_key, r->replay_key, sizeof s->replay_key);
    free(order);
    return s;
err:
    free(order);
    game_summary_free(s);
    return NULL;
}

game_summary *room_summary(const room *r, uint32_t round)
{
    const round_rec *rd = NULL;
    for (uint32_t i = r->n_rounds; i > 0; i--) {
        const round_rec *c = &r->rounds[i - 1];
        if (c->closed && (round == 0 || c->number == round)) {
            rd = c;
            break;
        }
    }
    if (!rd)
        return NULL;
    return room_summary_build(r, rd, NULL, NULL, 0, NULL, 0, 0);
}

/* ---- filtered events ---- */

static void pack_deck_ref(msgpack_packer *pk, const deck *d)
{
    msgpack_pack_map(pk, 3);
    key(pk, "id");
    game_pack_str(pk, d ? d->id : "");
    key(pk, "version");
    msgpack_pack_uint32(pk, d ? d->version : 0);
    key(pk, "hash");
    game_pack_str(pk, d ? d->hash : "");
}

static void pack_created_public(const game_event *e, game_map *m)
{
    game_map_key(m, "e");
    game_pack_str(m->pk, "created");
    game_map_key(m, "room");
    game_pack_str(m->pk, e->u.created.room);
    game_map_key(m, "title");
    game_pack_str(m->pk, e->u.created.title ? e->u.created.title : "");
    game_map_key(m, "lang");
    game_pack_str(m->pk, vp_lang_name(e->u.created.lang));
    game_map_key(m, "tz_offset");
    msgpack_pack_int32(m->pk, e->u.created.tz_offset);
    game_map_key(m, "opts");
    game_pack_opts(m->pk, &e->u.created.opts);
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

    return recipient != 0 &&
           (recipient == voter || (v && v->seated && recipient == room_facilitator(after)));
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
    case GAME_EV_DEALT:
        return own_hand(e, recipient) ? recipient : 0;
    case GAME_EV_VOTED:
        return sees_vote_value(after, e, recipient) ? recipient : 0;
    case GAME_EV_REKEYED:
        return sees_new_key(after, recipient) ? recipient : 0;
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
    case GAME_EV__COUNT:
        return 0;
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
    case GAME_EV_ROUND:
        return false;
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
    case GAME_EV_PAGED:
        return true;
    case GAME_EV__COUNT:
        return false;
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
    case GAME_EV_PAGED:
        game_event_pairs(m, e);
        return;
    case GAME_EV__COUNT:
        break;
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

/* ---- replay ---- */

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
    case GAME_EV_PAGED:
        game_event_pairs(m, e);
        break;
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

/* ---- the View ---- */

static void pack_notes(msgpack_packer *pk, const room *r, uint32_t round, uint16_t card)
{
    msgpack_pack_array(pk, room_notes_on(r, round, card));
    for (uint32_t k = 0; k < r->n_notes; k++) {
        const note *nt = &r->notes[k];
        if (nt->round != round || nt->card != card)
            continue;
        bool text = nt->text && !nt->hidden;
        /* A hidden note: its id only, no author (SPEC.md §6). */
        msgpack_pack_map(pk, text ? 3 : 1);
        key(pk, "note");
        msgpack_pack_uint32(pk, nt->id);
        if (text) {
            key(pk, "player");
            msgpack_pack_uint32(pk, nt->player);
            key(pk, "text");
            game_pack_str(pk, nt->text);
        }
    }
}

static void pack_table(msgpack_packer *pk, const room *r, uint32_t recipient)
{
    const table *t = &r->table;
    if (!t->has) {
        msgpack_pack_nil(pk);
        return;
    }
    int32_t mine = -1;
    for (uint32_t i = 0; recipient && i < t->n_votes; i++)
        if (t->votes[i].player == recipient)
            mine = (int32_t)i;
    const round_rec *rd = room_round(r);
    /* The facilitator cast the seated players' votes and saw them in the
     * events; a View keeps that after a reconnect (an extension of §6). */
    bool seated_votes = recipient != 0 && recipient == room_facilitator(r);
    msgpack_pack_map(pk, 4 + (mine >= 0) + t->revealed + seated_votes + (t->chair != 0));
    key(pk, "card");
    game_pack_str(pk, room_card_id(r, t->card));
    key(pk, "by");
    game_pack_member(pk, t->by);
    key(pk, "stage");
    game_pack_str(pk, t->revealed ? "revealed" : "discuss");
    if (t->chair) {
        key(pk, "chair");
        game_pack_str(pk, r->deck->windows[t->chair - 1].id);
    }
    if (mine >= 0) {
        key(pk, "my_vote");
        game_pack_vote_value(pk, &t->votes[mine]);
    }
    if (seated_votes) {
        uint32_t n = 0;
        for (uint32_t i = 0; i < t->n_votes; i++) {
            const member *m = room_member(r, t->votes[i].player);
            n += m && m->seated;
        }
        key(pk, "seated_votes");
        msgpack_pack_array(pk, n);
        for (uint32_t i = 0; i < t->n_votes; i++) {
            const member *m = room_member(r, t->votes[i].player);
            if (!m || !m->seated)
                continue;
            msgpack_pack_array(pk, 2);
            msgpack_pack_uint32(pk, t->votes[i].player);
            game_pack_vote_value(pk, &t->votes[i]);
        }
    }
    if (t->revealed) {
        key(pk, "revealed");
        msgpack_pack_map(pk, (r->opts.anonymous ? 1 : 2) + t->windows.has);
        if (!r->opts.anonymous) {
            key(pk, "votes");
            game_pack_vote_pairs(pk, t->votes, t->n_votes);
        }
        key(pk, "stats");
        game_pack_stats(pk, &t->stats);
        if (t->windows.has) {
            key(pk, "windows");
            game_pack_windows(pk, &t->windows);
        }
    }
    /* An extension of §6: the notes on the table card, so a device that
     * reconnects mid-discussion still sees them. */
    key(pk, "notes");
    pack_notes(pk, r, rd ? rd->number : 0, t->card);
}

static void pack_history(msgpack_packer *pk, const room *r)
{
    const round_rec *rd = room_round(r);
    /* Once the round is closed its cards, with their notes, are in the
     * summary: a View holds each note once, so that its weight stays
     * bounded by the room's note caps (SPEC.md §6.1, "What one View
     * weighs"). */
    if (!rd || r->phase == GAME_CLOSED) {
        msgpack_pack_array(pk, 0);
        return;
    }
    bool anonymous = rd->opts.anonymous;
    msgpack_pack_array(pk, rd->n_done);
    for (uint32_t i = 0; i < rd->n_done; i++) {
        const done_card *dc = &rd->done[i];
        msgpack_pack_map(pk, (anonymous ? 5 : 6) + dc->windows.has);
        key(pk, "card");
        game_pack_str(pk, room_card_id(r, dc->card));
        key(pk, "by");
        game_pack_member(pk, dc->by);
        key(pk, "stats");
        game_pack_stats(pk, &dc->stats);
        key(pk, "agreement");
        game_pack_agreement(pk, stats_agreement(&dc->stats, r->deck->scale_min, r->deck->scale_max));
        if (!anonymous) {
            key(pk, "votes");
            game_pack_vote_pairs(pk, dc->votes, dc->n_votes);
        }
        if (dc->windows.has) {
            key(pk, "windows");
            game_pack_windows(pk, &dc->windows);
        }
        key(pk, "notes");
        pack_notes(pk, r, rd->number, dc->card);
    }
}

void game_pack_view(const room *r, uint32_t recipient, msgpack_packer *pk)
{
    const member *me = room_member(r, recipient);
    msgpack_pack_map(pk, 20);
    key(pk, "room");
    game_pack_str(pk, r->code);
    key(pk, "title");
    game_pack_str(pk, room_title(r));
    key(pk, "lang");
    game_pack_str(pk, vp_lang_name(r->lang));
    key(pk, "tz_offset");
    msgpack_pack_int32(pk, r->tz_offset);
    key(pk, "opts");
    game_opts o;
    room_opts_get(&r->opts, &o);
    game_pack_opts(pk, &o);
    key(pk, "deck");
    pack_deck_ref(pk, r->deck);
    key(pk, "phase");
    game_pack_str(pk, phase_name(r->phase));
    key(pk, "locked");
    game_pack_bool(pk, r->locked);
    key(pk, "round");
    msgpack_pack_uint32(pk, r->n_rounds ? room_round(r)->number : 0);
    key(pk, "players");
    msgpack_pack_array(pk, r->n_members);
    for (uint32_t i = 0; i < r->n_members; i++) {
        const member *m = &r->members[i];
        bool voted = false;
        for (uint32_t k = 0; r->table.has && k < r->table.n_votes; k++)
            voted |= r->table.votes[k].player == m->id;
        /* window: only while the member speaks from one (SPEC.md §5.3).
         * `away`: since when an offline member is gone (the presence event's `at`), for "waiting for Dewi (away 0:42)". */
        bool away = !m->online && m->away_since > 0 && m->present && !m->seated;
        msgpack_pack_map(pk, 8 + (m->window != 0) + away);
        key(pk, "player");
        msgpack_pack_uint32(pk, m->id);
        key(pk, "name");
        game_pack_str(pk, m->name);
        key(pk, "role");
        game_pack_str(pk, vp_role_name(m->role));
        key(pk, "seated");
        game_pack_bool(pk, m->seated);
        key(pk, "present");
        game_pack_bool(pk, m->present);
        key(pk, "online");
        game_pack_bool(pk, m->online);
        key(pk, "cards");
        msgpack_pack_uint32(pk, m->n_hand);
        key(pk, "voted");
        game_pack_bool(pk, voted);
        if (m->window) {
            key(pk, "window");
            game_pack_str(pk, r->deck->windows[m->window - 1].id);
        }
        if (away) {
            key(pk, "away");
            msgpack_pack_uint64(pk, m->away_since);
        }
    }
    key(pk, "order");
    game_pack_ids(pk, r->order, r->n_order);
    key(pk, "turn");
    game_pack_member(pk, r->turn);
    key(pk, "table");
    pack_table(pk, r, recipient);
    key(pk, "hand");
    msgpack_pack_array(pk, me ? me->n_hand : 0);
    for (uint32_t i = 0; me && i < me->n_hand; i++)
        game_pack_str(pk, room_card_id(r, me->hand[i]));
    key(pk, "pile");
    msgpack_pack_uint32(pk, r->n_pile);
    key(pk, "history");
    pack_history(pk, r);
    key(pk, "timer");
    if (r->timer_running)
        msgpack_pack_uint64(pk, r->timer_ends_at);
    else
        msgpack_pack_nil(pk);
    key(pk, "summary");
    game_summary *s = room_summary(r, 0);
    if (s)
        game_pack_summary(pk, s, NULL, NULL);
    else
        msgpack_pack_nil(pk);
    game_summary_free(s);
    key(pk, "page");
    msgpack_pack_uint32(pk, r->screen_page);
    key(pk, "seq");
    msgpack_pack_uint64(pk, r->seq);
}
