/* view: what one recipient may see of the whole state, the View of a `welcome` (SPEC.md §6). */
#include "game/view_internal.h"

#include "game/stats.h"

/* What the View's pairs functions need besides the part they pack. */
typedef struct view_ctx {
    const room *r;
    uint32_t recipient;
    const member *m;     /* players: this member */
    const note *nt;      /* notes: this note */
    const done_card *dc; /* history: this card */
    const round_rec *rd; /* history: its round */
} view_ctx;

static const char *phase_name(game_phase p)
{
    return p == GAME_PLAYING ? "playing" : p == GAME_CLOSED ? "closed" : "lobby";
}

static void deck_ref_pairs(game_map *m, const void *ctx)
{
    const deck *d = ctx;
    game_map_key(m, "id");
    game_pack_str(m->pk, d ? d->id : "");
    game_map_key(m, "version");
    msgpack_pack_uint32(m->pk, d ? d->version : 0);
    game_map_key(m, "hash");
    game_pack_str(m->pk, d ? d->hash : "");
}

void pack_deck_ref(msgpack_packer *pk, const deck *d)
{
    game_pack_map(pk, deck_ref_pairs, d);
}

static void note_pairs(game_map *m, const void *ctx)
{
    const note *nt = ((const view_ctx *)ctx)->nt;
    /* A hidden note: its id only, no author (SPEC.md §6). */
    game_map_key(m, "note");
    msgpack_pack_uint32(m->pk, nt->id);
    if (nt->text && !nt->hidden) {
        game_map_key(m, "player");
        msgpack_pack_uint32(m->pk, nt->player);
        game_map_key(m, "text");
        game_pack_str(m->pk, nt->text);
    }
}

static void pack_notes(msgpack_packer *pk, const room *r, uint32_t round, uint16_t card)
{
    /* Each call walks all the room's notes (twice): not for keys being
     * counted, where the array goes nowhere. */
    if (game_pack_discards(pk))
        return;
    msgpack_pack_array(pk, room_notes_on(r, round, card));
    for (uint32_t k = 0; k < r->n_notes; k++) {
        const note *nt = &r->notes[k];
        if (nt->round != round || nt->card != card)
            continue;
        view_ctx vc = {.r = r, .nt = nt};
        game_pack_map(pk, note_pairs, &vc);
    }
}

static void revealed_pairs(game_map *m, const void *ctx)
{
    const room *r = ctx;
    const table *t = &r->table;
    if (!r->opts.anonymous) {
        game_map_key(m, "votes");
        game_pack_vote_pairs(m->pk, t->votes, t->n_votes);
    }
    game_map_key(m, "stats");
    game_pack_stats(m->pk, &t->stats);
    if (t->windows.has) {
        game_map_key(m, "windows");
        game_pack_windows(m->pk, &t->windows);
    }
}

static void table_pairs(game_map *m, const void *ctx)
{
    const view_ctx *vc = ctx;
    const room *r = vc->r;
    uint32_t recipient = vc->recipient;
    const table *t = &r->table;
    int32_t mine = -1;
    for (uint32_t i = 0; recipient && i < t->n_votes; i++)
        if (t->votes[i].player == recipient)
            mine = (int32_t)i;
    const round_rec *rd = room_round(r);
    /* The facilitator cast the seated players' votes and saw them in the
     * events; a View keeps that after a reconnect (an extension of §6). */
    bool seated_votes = recipient != 0 && recipient == room_facilitator(r);
    game_map_key(m, "card");
    game_pack_str(m->pk, room_card_id(r, t->card));
    game_map_key(m, "by");
    game_pack_member(m->pk, t->by);
    game_map_key(m, "stage");
    game_pack_str(m->pk, t->revealed ? "revealed" : "discuss");
    if (t->chair) {
        game_map_key(m, "chair");
        game_pack_str(m->pk, r->deck->windows[t->chair - 1].id);
    }
    if (mine >= 0) {
        game_map_key(m, "my_vote");
        game_pack_vote_value(m->pk, &t->votes[mine]);
    }
    if (seated_votes) {
        uint32_t n = 0;
        for (uint32_t i = 0; i < t->n_votes; i++) {
            const member *mb = room_member(r, t->votes[i].player);
            n += mb && mb->seated;
        }
        game_map_key(m, "seated_votes");
        msgpack_pack_array(m->pk, n);
        for (uint32_t i = 0; i < t->n_votes; i++) {
            const member *mb = room_member(r, t->votes[i].player);
            if (!mb || !mb->seated)
                continue;
            msgpack_pack_array(m->pk, 2);
            msgpack_pack_uint32(m->pk, t->votes[i].player);
            game_pack_vote_value(m->pk, &t->votes[i]);
        }
    }
    if (t->revealed) {
        game_map_key(m, "revealed");
        game_pack_map(m->pk, revealed_pairs, r);
    }
    /* An extension of §6: the notes on the table card, so a device that
     * reconnects mid-discussion still sees them. */
    game_map_key(m, "notes");
    pack_notes(m->pk, r, rd ? rd->number : 0, t->card);
}

static void pack_table(msgpack_packer *pk, const room *r, uint32_t recipient)
{
    if (!r->table.has) {
        msgpack_pack_nil(pk);
        return;
    }
    view_ctx vc = {.r = r, .recipient = recipient};
    game_pack_map(pk, table_pairs, &vc);
}

static void done_pairs(game_map *m, const void *ctx)
{
    const view_ctx *vc = ctx;
    const room *r = vc->r;
    const done_card *dc = vc->dc;
    game_map_key(m, "card");
    game_pack_str(m->pk, room_card_id(r, dc->card));
    game_map_key(m, "by");
    game_pack_member(m->pk, dc->by);
    game_map_key(m, "stats");
    game_pack_stats(m->pk, &dc->stats);
    game_map_key(m, "agreement");
    game_pack_agreement(m->pk, stats_agreement(&dc->stats, r->deck->scale_min, r->deck->scale_max));
    if (!vc->rd->opts.anonymous) {
        game_map_key(m, "votes");
        game_pack_vote_pairs(m->pk, dc->votes, dc->n_votes);
    }
    if (dc->windows.has) {
        game_map_key(m, "windows");
        game_pack_windows(m->pk, &dc->windows);
    }
    game_map_key(m, "notes");
    pack_notes(m->pk, r, vc->rd->number, dc->card);
}

static void pack_history(msgpack_packer *pk, const room *r)
{
    if (game_pack_discards(pk))
        return;
    const round_rec *rd = room_round(r);
    /* Once the round is closed its cards, with their notes, are in the
     * summary: a View holds each note once, so that its weight stays
     * bounded by the room's note caps (SPEC.md §6.1, "What one View
     * weighs"). */
    if (!rd || r->phase == GAME_CLOSED) {
        msgpack_pack_array(pk, 0);
        return;
    }
    msgpack_pack_array(pk, rd->n_done);
    for (uint32_t i = 0; i < rd->n_done; i++) {
        view_ctx vc = {.r = r, .dc = &rd->done[i], .rd = rd};
        game_pack_map(pk, done_pairs, &vc);
    }
}

static void player_pairs(game_map *m, const void *ctx)
{
    const view_ctx *vc = ctx;
    const room *r = vc->r;
    const member *mb = vc->m;
    bool voted = false;
    for (uint32_t k = 0; r->table.has && k < r->table.n_votes; k++)
        voted |= r->table.votes[k].player == mb->id;
    game_map_key(m, "player");
    msgpack_pack_uint32(m->pk, mb->id);
    game_map_key(m, "name");
    game_pack_str(m->pk, mb->name);
    game_map_key(m, "role");
    game_pack_str(m->pk, vp_role_name(mb->role));
    game_map_key(m, "seated");
    game_pack_bool(m->pk, mb->seated);
    game_map_key(m, "present");
    game_pack_bool(m->pk, mb->present);
    game_map_key(m, "online");
    game_pack_bool(m->pk, mb->online);
    game_map_key(m, "cards");
    msgpack_pack_uint32(m->pk, mb->n_hand);
    game_map_key(m, "voted");
    game_pack_bool(m->pk, voted);
    /* window: only while the member speaks from one (SPEC.md §5.3).
     * `away`: since when an offline member is gone (the presence event's `at`), for "waiting for Dewi (away 0:42)". */
    if (mb->window) {
        game_map_key(m, "window");
        game_pack_str(m->pk, r->deck->windows[mb->window - 1].id);
    }
    if (!mb->online && mb->away_since > 0 && mb->present && !mb->seated) {
        game_map_key(m, "away");
        msgpack_pack_uint64(m->pk, mb->away_since);
    }
}

static void view_pairs(game_map *m, const void *ctx)
{
    const view_ctx *vc = ctx;
    const room *r = vc->r;
    const member *me = room_member(r, vc->recipient);
    game_map_key(m, "room");
    game_pack_str(m->pk, r->code);
    game_map_key(m, "title");
    game_pack_str(m->pk, room_title(r));
    game_map_key(m, "lang");
    game_pack_str(m->pk, vp_lang_name(r->lang));
    game_map_key(m, "tz_offset");
    msgpack_pack_int32(m->pk, r->tz_offset);
    game_map_key(m, "opts");
    game_opts o;
    room_opts_get(&r->opts, &o);
    game_pack_opts(m->pk, &o);
    game_map_key(m, "deck");
    pack_deck_ref(m->pk, r->deck);
    game_map_key(m, "phase");
    game_pack_str(m->pk, phase_name(r->phase));
    game_map_key(m, "locked");
    game_pack_bool(m->pk, r->locked);
    game_map_key(m, "round");
    msgpack_pack_uint32(m->pk, r->n_rounds ? room_round(r)->number : 0);
    game_map_key(m, "players");
    msgpack_pack_array(m->pk, r->n_members);
    for (uint32_t i = 0; i < r->n_members; i++) {
        view_ctx player = {.r = r, .m = &r->members[i]};
        game_pack_map(m->pk, player_pairs, &player);
    }
    game_map_key(m, "order");
    game_pack_ids(m->pk, r->order, r->n_order);
    game_map_key(m, "turn");
    game_pack_member(m->pk, r->turn);
    game_map_key(m, "table");
    pack_table(m->pk, r, vc->recipient);
    game_map_key(m, "hand");
    msgpack_pack_array(m->pk, me ? me->n_hand : 0);
    for (uint32_t i = 0; me && i < me->n_hand; i++)
        game_pack_str(m->pk, room_card_id(r, me->hand[i]));
    game_map_key(m, "pile");
    msgpack_pack_uint32(m->pk, r->n_pile);
    game_map_key(m, "history");
    pack_history(m->pk, r);
    game_map_key(m, "timer");
    if (r->timer_running)
        msgpack_pack_uint64(m->pk, r->timer_ends_at);
    else
        msgpack_pack_nil(m->pk);
    game_map_key(m, "summary");
    /* The summary is built (on the heap) only for the pass that keeps the
     * bytes: while the keys are counted, its value goes nowhere. */
    game_summary *s = game_map_counting(m) ? NULL : room_summary(r, 0);
    if (s)
        game_pack_summary(m->pk, s, NULL, NULL);
    else
        msgpack_pack_nil(m->pk);
    game_summary_free(s);
    game_map_key(m, "page");
    msgpack_pack_uint32(m->pk, r->screen_page);
    game_map_key(m, "seq");
    msgpack_pack_uint64(m->pk, r->seq);
}

void game_pack_view(const room *r, uint32_t recipient, msgpack_packer *pk)
{
    view_ctx vc = {.r = r, .recipient = recipient};
    game_pack_map(pk, view_pairs, &vc);
}
