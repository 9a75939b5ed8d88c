/* view: what one recipient may see of the whole state, the View of a `welcome` (SPEC.md §6). */
#include "game/view_internal.h"

#include "game/stats.h"

static void key(msgpack_packer *pk, const char *k)
{
    game_pack_str(pk, k);
}

static const char *phase_name(game_phase p)
{
    return p == GAME_PLAYING ? "playing" : p == GAME_CLOSED ? "closed" : "lobby";
}

void pack_deck_ref(msgpack_packer *pk, const deck *d)
{
    msgpack_pack_map(pk, 3);
    key(pk, "id");
    game_pack_str(pk, d ? d->id : "");
    key(pk, "version");
    msgpack_pack_uint32(pk, d ? d->version : 0);
    key(pk, "hash");
    game_pack_str(pk, d ? d->hash : "");
}

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
